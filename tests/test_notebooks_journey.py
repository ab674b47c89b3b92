"""The journey notebooks (03 touchpoints, 04 emotion curve, 05 friction points) run with papermill.

Each notebook runs twice: with its defaults on data/sample from the project
root, and from notebooks/ with changed parameters on a copy of the sample
whose journey is a worksheet filled in from ``kando template`` (journey.xlsx,
no journey.csv).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pandas as pd
import papermill
import pytest
from openpyxl import load_workbook

from helpers import sample, template
from helpers.io import PROJECT_ROOT
from helpers.labels import label

pytestmark = pytest.mark.notebook

NOTEBOOKS = PROJECT_ROOT / "notebooks"

#: Rows typed into the blank template: persona, scenario, step, stage,
#: touchpoint, channel, emotion, expectation, evaluation, improvement.
WORKSHEET_PERSONA = "テスト 山田さん"
ONE_STEP_PERSONA = "一歩だけの鈴木さん"
WORKSHEET_ROWS = [
    (WORKSHEET_PERSONA, "現状", 1, "認知", "Instagram広告", "SNS", 1, 3, 3, None),
    (WORKSHEET_PERSONA, "現状", 2, "購入", "注文フォーム", "Web", 2, 3, 4, None),
    (
        WORKSHEET_PERSONA,
        "現状",
        3,
        "受け取り・初回使用",
        sample.FRICTION_TOUCHPOINT,
        "同梱物",
        -4,
        4,
        1,
        "シェイカーを同梱する",
    ),
    (WORKSHEET_PERSONA, "現状", 4, "継続・リピート", "LINE配信", "LINE", 0, 3, 3, None),
    (WORKSHEET_PERSONA, "理想", 1, "認知", "Instagram広告", "SNS", 2, None, None, None),
    (WORKSHEET_PERSONA, "理想", 2, "購入", "注文フォーム", "Web", 3, None, None, None),
    (WORKSHEET_PERSONA, "理想", 3, "受け取り・初回使用", sample.FRICTION_TOUCHPOINT, "同梱物", 3, None, None, None),
    (WORKSHEET_PERSONA, "理想", 4, "継続・リピート", "LINE配信", "LINE", 3, None, None, None),
    (ONE_STEP_PERSONA, "現状", 1, "認知", "新聞広告", "新聞", -1, None, None, None),
]
WORKSHEET_COLUMNS = [
    "persona",
    "scenario",
    "step",
    "stage",
    "touchpoint",
    "channel",
    "emotion",
    "expectation",
    "evaluation",
    "improvement",
]


def execute(name: str, output_dir: Path, cwd: Path, **parameters) -> nbformat.NotebookNode:
    """Run a notebook with papermill; fail on any error or stderr output."""
    out = output_dir / f"{name}.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOKS / f"{name}.ipynb"),
        str(out),
        parameters={"output_dir": str(output_dir), **parameters},
        kernel_name="python3",
        cwd=str(cwd),
        progress_bar=False,
    )
    executed = nbformat.read(out, as_version=4)
    for cell in executed.cells:
        for output in cell.get("outputs", []):
            assert output.output_type != "error", f"{name}: {output.get('ename')}: {output.get('evalue')}"
            assert not (output.output_type == "stream" and output.name == "stderr"), f"{name}: {output.text}"
    return executed


def text_of(executed: nbformat.NotebookNode) -> str:
    """All markdown and plain-text outputs of an executed notebook."""
    parts = []
    for cell in executed.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            parts.append(data.get("text/markdown", "") + data.get("text/plain", ""))
    return "\n".join(parts)


def images_of(executed: nbformat.NotebookNode) -> int:
    return sum("image/png" in o.get("data", {}) for c in executed.cells for o in c.get("outputs", []))


@pytest.fixture(scope="module")
def worksheet_data(tmp_path_factory, sample_dir) -> Path:
    """A copy of the sample whose journey is a filled-in template worksheet."""
    data = tmp_path_factory.mktemp("worksheet") / "data"
    shutil.copytree(sample_dir, data, ignore=shutil.ignore_patterns("README*", "journey.csv", ".kando"))
    path = template.write_template(data / "journey.xlsx")
    workbook = load_workbook(path)
    sheet = workbook[template.DATA_SHEET["ja"]]
    header = [cell.value for cell in sheet[1]]
    position = {column: header.index(label(column, "ja")) + 1 for column in WORKSHEET_COLUMNS}
    for row, values in enumerate(WORKSHEET_ROWS, start=2):
        for column, value in zip(WORKSHEET_COLUMNS, values, strict=False):
            if value is not None:
                sheet.cell(row=row, column=position[column], value=value)
    workbook.save(path)
    return data


def test_touchpoints_defaults(tmp_path):
    executed = execute("03_touchpoints", tmp_path, PROJECT_ROOT)
    text = text_of(executed)
    coverage = pd.read_csv(tmp_path / "touchpoint_coverage.csv", encoding="utf-8-sig")
    touchpoint_rows = coverage[coverage["level"] == "touchpoint"]
    worksheet_only = touchpoint_rows.loc[touchpoint_rows["status"] == "worksheet_only", "name"]
    assert sorted(worksheet_only) == sorted(sample.WORKSHEET_ONLY_TOUCHPOINTS)
    sentence = "データの裏づけがない接点: " + "、".join(f"「{n}」" for n in worksheet_only)
    assert sentence in text
    rated = touchpoint_rows.loc[touchpoint_rows["status"] == "both", "name"]
    assert set(rated) == set(sample.TOUCHPOINTS)
    assert f"ワークシートの接点のうち{len(rated)}個は評価データで裏づけられます" in text
    assert images_of(executed) >= 2 + 2 + 1 + 1  # swimlanes, order mixes, surveys, ratings


def test_emotion_curve_defaults(tmp_path):
    text = text_of(execute("04_emotion_curve", tmp_path, PROJECT_ROOT))
    for persona in sample.PERSONAS:
        assert f"- {persona}: 最も低いのはステップ" in text
        assert f"「{sample.FRICTION_TOUCHPOINT}」（-3）" in text
    assert "換算の例: 評価1 → -5.0、評価4 → +2.5" in text
    assert f"体験の差が最も大きいのは「{sample.FRICTION_TOUCHPOINT}」" in text


def test_friction_points_defaults(tmp_path):
    text = text_of(execute("05_friction_points", tmp_path, PROJECT_ROOT))
    table = pd.read_csv(tmp_path / "friction_table.csv", encoding="utf-8-sig")
    top = table.iloc[0]
    assert (top["rank"], top["touchpoint"], top["confirmed"]) == (1, sample.FRICTION_TOUCHPOINT, "yes")
    assert f"**第1位は{top['persona']}の「{sample.FRICTION_TOUCHPOINT}」**" in text
    assert f"それ以外より{top['effect'] * 100:+.1f}ポイント" in text
    assert f"**{sample.SUBSCRIPTION_STOP_SPIKE_SHIPMENT}回目のお届けの後で" in text
    assert "**F2転換率は" in text


def test_touchpoints_changed_parameters_on_a_template_worksheet(tmp_path, worksheet_data):
    executed = execute(
        "03_touchpoints", tmp_path, NOTEBOOKS, data_dir=str(worksheet_data), scenario="both", lang="en", top_n=3
    )
    text = text_of(executed)
    assert "The as-is and to-be worksheet holds 9 steps for 2 personas," in text
    assert images_of(executed) == 3 + 2 + 1 + 1  # a swimlane per curve, order mixes, surveys, ratings
    coverage = pd.read_csv(tmp_path / "touchpoint_coverage.csv", encoding="utf-8-sig").set_index(["level", "name"])
    assert coverage.loc[("touchpoint", "新聞広告"), "status"] == "worksheet_only"
    assert coverage.loc[("touchpoint", "ブランドサイト"), "status"] == "data_only"


def test_emotion_curve_changed_parameters_on_a_template_worksheet(tmp_path, worksheet_data):
    text = text_of(
        execute(
            "04_emotion_curve", tmp_path, NOTEBOOKS, data_dir=str(worksheet_data), lang="en", segment_b="mid", alpha=0.1
        )
    )
    assert f"- {WORKSHEET_PERSONA}: lowest at step 3 '{sample.FRICTION_TOUCHPOINT}' (-4); the to-be aims at +3." in text
    assert f"- {ONE_STEP_PERSONA}: lowest at step 1 '新聞広告' (-1); no to-be curve yet." in text
    assert "90% CI" in text and "Mid loyalty" in text


def test_friction_points_changed_parameters_on_a_template_worksheet(tmp_path, worksheet_data):
    text = text_of(
        execute(
            "05_friction_points",
            tmp_path,
            NOTEBOOKS,
            data_dir=str(worksheet_data),
            lang="en",
            scenario="both",
            friction_threshold=-1,
            min_drop=3,
            effect_metric="retention",
            retention_days=120,
            p_adjust="none",
            top_n=3,
        )
    )
    table = pd.read_csv(tmp_path / "friction_table.csv", encoding="utf-8-sig")
    # threshold -1: the -4 step (also a drop of 6) and the one-step curve at -1; to-be has none
    assert list(zip(table["persona"], table["step"], strict=False)) == [(WORKSHEET_PERSONA, 3), (ONE_STEP_PERSONA, 1)]
    assert table["effect_metric"].tolist() == ["retention_120d"] * 2
    assert table["confirmed"].tolist() == ["yes", "untested"]
    assert table.loc[0, "improvement"] == "シェイカーを同梱する"
    assert f"**Rank 1 is {WORKSHEET_PERSONA}'s '{sample.FRICTION_TOUCHPOINT}'**" in text
