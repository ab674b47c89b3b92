"""Planted personal data inside comments never reaches the voice-of-customer PDF, nor its exports."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from helpers import report

# Written the way customers write them, at the start of comments full of promoter / detractor words,
# so that these comments are the ones chosen as quotes: a leak would show.
PLANTED = {
    "name": "長谷川　葵",  # the name of C000001 in customers.csv
    "phone": "090-4321-8765",
    "email": "aoi.secret@example.jp",
    "address": "東京都千代田区丸の内9-8-7",
    "honorific": "鈴木一郎さん",
}
PROMOTER = "美容液も気に入って、肌の調子が良いです。毎朝の習慣になりました。家族にも勧めています。定期便が便利です。"
DETRACTOR = "解約の手続きが分かりにくく、届く量が多くて粉が溶けにくく、思っていた味と違いました。"


def _planted(lead: str, body: str) -> str:
    return f"{lead}{body}"


def _values() -> list[str]:
    values = list(PLANTED.values()) + ["長谷川", "04321", "4321-8765", "43218765", "secret@", "千代田区", "鈴木一郎"]
    return [re.sub(r"\s+", "", v) for v in values]


@pytest.mark.notebook
def test_planted_personal_data_never_reaches_the_pdf(sample_copy, tmp_path):
    nps = pd.read_csv(sample_copy / "nps.csv", dtype=str, keep_default_na=False)
    score = nps["score"].astype(int)
    leads = [
        f"{PLANTED['name']}です。",
        f"電話{PLANTED['phone']}、",
        f"{PLANTED['email']}まで。",
        f"{PLANTED['address']}在住。",
        f"{PLANTED['honorific']}のおかげで",
    ]
    promoters = nps.index[score >= 9][:40]
    detractors = nps.index[score <= 6][:40]
    for k, row in enumerate(promoters):
        nps.loc[row, "comment"] = _planted(leads[k % len(leads)], PROMOTER)
    for k, row in enumerate(detractors):
        nps.loc[row, "comment"] = _planted(leads[k % len(leads)], DETRACTOR)
    nps.to_csv(sample_copy / "nps.csv", index=False)
    ratings = pd.read_csv(sample_copy / "touchpoint_ratings.csv", dtype=str, keep_default_na=False)
    ratings.loc[ratings.index[:30], "comment"] = (
        f"{PLANTED['phone']} 担当の{PLANTED['honorific']}が親切で安心しました。"
    )
    ratings.to_csv(sample_copy / "touchpoint_ratings.csv", index=False)

    out = tmp_path / "report"
    result = report.run_workbook(
        data_dir=sample_copy, notebooks="09", out_dir=out, progress=False, params={"bootstrap_resamples": 20}
    )
    assert result.ok
    from pypdf import PdfReader

    pdf = out / "09_voice_of_customer.pdf"
    text = re.sub(r"\s+", "", "\n".join(page.extract_text() or "" for page in PdfReader(str(pdf)).pages))
    assert [v for v in _values() if v in text] == []
    # the planted comments were quoted, masked: the check above could have failed
    assert "〔氏名〕" in text and ("〔電話〕" in text or "〔メール〕" in text or "〔住所〕" in text)
    exported = (out / "outputs" / "comment_keywords.csv").read_text(encoding="utf-8-sig")
    assert [v for v in _values() if v in re.sub(r"\s+", "", exported)] == []


@pytest.mark.notebook
def test_defaults_export_keywords_and_key_drivers(tmp_path, project_root, run_notebook, outputs_of):
    from helpers import comments, key_drivers, sample

    out_dir = tmp_path / "out"
    notebook = run_notebook("09_voice_of_customer", tmp_path, project_root, output_dir=str(out_dir), lang="en")
    text, bad, images = outputs_of(notebook)
    assert bad == []
    assert images == 3  # sentiment curve, two quadrant charts
    drivers = pd.read_csv(out_dir / "key_drivers.csv", encoding="utf-8-sig")
    assert list(drivers.columns) == list(key_drivers.TABLE_COLUMNS)
    assert set(drivers["outcome"]) == {"nps", "f2"}
    f2 = drivers[drivers["outcome"] == "f2"]
    assert f2.iloc[0]["touchpoint"] == sample.FRICTION_TOUCHPOINT
    assert f2["importance"].sum() == pytest.approx(1.0)
    words = pd.read_csv(out_dir / "comment_keywords.csv", encoding="utf-8-sig")
    assert list(words.columns) == list(comments.KEYWORD_COLUMNS)
    assert {"all", "touchpoint"} == set(words["scope"])
    assert f"**{sample.FRICTION_TOUCHPOINT} holds" in text
