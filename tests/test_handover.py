"""Tests of what a consultant hands over: key figures, summary, journey map, deck, client language.

Fast tests build their inputs here.  Tests marked ``notebook`` run the real
report notebooks on ``data/sample``: once in Japanese with the deck
(``handover_run``) and once in English (``english_run``).
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import matplotlib
import nbformat
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

from helpers import journey_map  # noqa: E402
from helpers.report import key_figures as kf  # noqa: E402
from helpers.report import render  # noqa: E402
from helpers.report.summary import SummaryInput, format_figure, summary_html  # noqa: E402

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SAMPLE = PROJECT_ROOT / "data" / "sample"
#: Code identifiers (snake_case words); file names of exports are allowed.
SNAKE = re.compile(r"(?<![\w.])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w]*\.(?:csv|json|xlsx|png|svg|pptx|pdf|ipynb))\b")
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff5e]+")


def figure(name="nps", value=-12.5, **details):
    details = {"unit": "points", "label": ("NPS", "NPS"), **details}
    return kf.make_key_figure(name, value, **details)


# --------------------------------------------------------------------------
# key figures
# --------------------------------------------------------------------------


def test_a_key_figure_needs_a_code_a_unit_and_a_value_or_a_reason():
    with pytest.raises(ValueError, match="snake_case"):
        figure(name="NPS score")
    with pytest.raises(ValueError, match="unit"):
        figure(unit="furlongs")
    with pytest.raises(ValueError, match="reason"):
        figure(value=None)
    with pytest.raises(TypeError, match="number"):
        figure(value="12")
    missing = figure(value=float("nan"), reason=("なし", "none"))
    assert missing.value is None and missing.why("en") == "none"
    assert figure(value=np.int64(3), n=np.int64(40)).to_json()["n"] == 40


def _notebook_with(*figures: kf.KeyFigure, filler: int = 0):
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell("# 見出し"))
    nb.cells.append(nbformat.v4.new_markdown_cell("\n\n".join(["段落です。" * 40] * filler) or "本文"))
    code = nbformat.v4.new_code_cell("record(...)")
    code.outputs = [
        nbformat.v4.new_output("display_data", data={kf.KEY_FIGURE_MIME: f.to_json(), "text/plain": ""})
        for f in figures
    ]
    nb.cells.append(code)
    return nb


def test_recorded_figures_travel_in_the_executed_notebook_and_mark_their_page(tmp_path):
    first, second = figure(), figure("f2_conversion", 0.444, unit="percent", n=2000, label=("F2", "F2"))
    nb = _notebook_with(first, second, filler=12)
    path = tmp_path / "01_x.ipynb"
    nbformat.write(nb, str(path))
    read = kf.read_key_figures(path)
    assert [(f.name, f.value, f.notebook) for f in read] == [("nps", -12.5, "01_x"), ("f2_conversion", 0.444, "01_x")]
    written = kf.write_key_figures(read, path, {"kf-nps": 7})
    assert written.name == "01_x.key_figures.json"
    assert [(f.name, page) for f, page in kf.load_key_figures(written)] == [("nps", 7), ("f2_conversion", None)]

    body = render.notebook_body_html(nb)
    assert 'id="kf-nps"' in body and kf.KEY_FIGURE_MIME not in body and "-12.5" not in body
    pdf, anchors = render.render_document(render.section_html(render.Section("01_x", "x", body), "b"), "b")
    pages = render.page_count(pdf)
    assert pages >= 2 and anchors == {"kf-nps": pages, "kf-f2-conversion": pages}


def test_summary_lists_each_figure_with_its_interval_n_and_page_and_what_was_skipped():
    nps = figure(low=-20.2, high=-4.8, n=778)
    nps = kf.KeyFigure.from_json({**nps.to_json(), "notebook": "01_loyalty"})
    gain = kf.KeyFigure.from_json(
        {**figure("ltv_gain", None, unit="yen", reason=("確認済みの摩擦点なし", "nothing confirmed")).to_json(),
         "notebook": "06_ltv"}
    )
    extra = kf.KeyFigure.from_json({**figure("o8_reach", 1234, unit="people").to_json(), "notebook": "08_crm"})
    summary = SummaryInput(
        figures=[extra, gain, nps], missing_tables=[("fan_survey", "fan_survey")], failed=["テスト章"],
        pages={"01_loyalty#kf-nps": 6},
    )
    html = summary_html(summary, "ja")
    rows = re.findall(r'<tr data-figure="(\w+)">(.*?)</tr>', html)
    assert [name for name, _ in rows] == ["nps", "ltv_gain", "o8_reach"]  # the order first, then the others
    nps_row = dict(rows)["nps"]
    assert ">-12.5<" in nps_row and "95%区間 -20.2 〜 -4.8" in nps_row
    assert "n = 778" in nps_row and '<td class="kf-page">6</td>' in nps_row
    assert "計算できず" in dict(rows)["ltv_gain"] and "確認済みの摩擦点なし" in dict(rows)["ltv_gain"]
    assert "1,234人" in dict(rows)["o8_reach"]
    assert "ファン調査" in html and "テスト章" in html
    english = summary_html(summary, "en")
    assert "Summary" in english and not JAPANESE.search(re.sub(r"<[^>]+>", "", english).replace("テスト章", ""))


def test_figures_are_formatted_by_the_one_formatter():
    assert format_figure(figure("ltv", 33083.4, unit="yen"), lang="ja") == "33,083円"
    assert format_figure(figure("ltv", 33083.4, unit="yen"), lang="en") == "¥33,083"
    assert format_figure(figure("f2", 0.4444, unit="percent")) == "44.4%"
    assert format_figure(figure("eff", -0.283, unit="pp")) == "-28.3pt"
    assert format_figure(figure("life", 1.6527, unit="years"), lang="en") == "1.65 years"


# --------------------------------------------------------------------------
# journey map
# --------------------------------------------------------------------------

STAGES = ["認知", "興味・関心", "比較・検討", "購入", "受け取り・初回使用", "継続・リピート", "推奨・ファン化"]


def long_journey(steps: int = 12) -> pd.DataFrame:
    """One persona, as-is, ``steps`` steps over the 7 stages, long Japanese text in every lane."""
    emotion = [2, 1, -1, 3, 0, -4, 1, 2, 2, -2, 3, 4][:steps]
    return pd.DataFrame(
        {
            "persona": "忙しい30代会社員 田中さん",
            "scenario": "as_is",
            "step": range(1, steps + 1),
            "stage": [STAGES[min(i * 7 // steps, 6)] for i in range(steps)],
            "touchpoint": [f"接点{i}番目の長いタッチポイント名" for i in range(1, steps + 1)],
            "emotion": emotion,
            "channel": ["Web", "LINE", "電話", "店舗"] * (steps // 4) + ["Web"] * (steps % 4),
            "action": ["通勤電車でスマートフォンを開き、広告を見て商品ページを長い時間かけて読み比べる"] * steps,
            "thought": ["野菜不足が気になっていたので手軽に続けられるならぜひ試してみたいと思った"] * steps,
            "improvement": ["初回のお届けに飲み方のコツを書いたカードと、続けた人の声を同封して不安をなくす"] * steps,
        }
    )


def test_journey_map_grades_each_friction_point_by_its_evidence():
    journey = long_journey()
    # steps with emotion <= 0 or a drop of 2 or more are friction points (the default rules)
    expected_friction = [False, False, True, False, True, True, False, False, False, True, False, False]
    name = "接点{}番目の長いタッチポイント名".format
    rated = pd.DataFrame(
        {"touchpoint": [name(3), name(6), name(10)],
         "emotion": [0.5, -1.2, 0.1], "emotion_low": [0.1, -1.6, -0.3], "emotion_high": [0.9, -0.8, 0.5],
         "n": [120, 300, 80]}
    )
    evidence = pd.DataFrame(
        {"touchpoint": [name(6), name(10), name(3)],
         "effect": [-0.2, -0.1, 0.01], "effect_low": [-0.3, -0.15, -0.05], "effect_high": [-0.1, -0.05, 0.07],
         "p_value": [0.001, 0.02, 0.7], "confirmed": ["yes", "yes", "no"]}
    )
    gains = pd.Series({name(6): 1800.0})
    steps = journey_map.journey_map_steps(
        journey, "忙しい30代会社員 田中さん", "as_is", rating_curve=rated, friction_points=evidence, ltv_gains=gains
    )
    assert steps["is_friction"].tolist() == expected_friction
    grades = dict(zip(steps["step"], steps["evidence"], strict=True))
    assert grades[3] == "rated"  # rated, tested, not confirmed
    assert grades[5] == "assumption"  # nobody rated it
    assert grades[6] == "priced"  # confirmed and priced
    assert grades[10] == "confirmed"  # confirmed, no LTV gain
    assert all(grades[s] is None for s in (1, 2, 4, 7, 8, 9, 11, 12))
    six = steps.set_index("step").loc[6]
    assert (six.rated_emotion, six.rated_n, six.effect, six.ltv_gain) == (-1.2, 300, -0.2, 1800.0)
    assert steps.set_index("step").loc[5, "rated_n"] == 0 and np.isnan(steps.set_index("step").loc[5, "rated_emotion"])


def test_journey_map_of_12_steps_and_7_stages_fits_its_page():
    from helpers.plotting import use_style
    from helpers.plotting.journey_map import JOURNEY_MAP_FIGSIZE, plot_journey_map

    use_style()
    steps = journey_map.journey_map_steps(long_journey(), "忙しい30代会社員 田中さん", "as_is")
    ax = plot_journey_map(steps, persona="忙しい30代会社員 田中さん", lang="ja")
    figure_ = ax.figure
    assert tuple(figure_.get_size_inches()) == JOURNEY_MAP_FIGSIZE
    figure_.canvas.draw()
    page = figure_.bbox
    texts = [t for t in ax.texts if t.get_text()]
    assert len(texts) >= 12 * 5
    for text in texts:
        box = text.get_window_extent()
        assert page.x0 - 1 <= box.x0 and box.x1 <= page.x1 + 1 and page.y0 - 1 <= box.y0 and box.y1 <= page.y1 + 1, (
            text.get_text()
        )
    stage_labels = [t.get_text().replace("\n", "") for t in texts if t.get_text().replace("\n", "") in STAGES]
    assert stage_labels == STAGES  # every stage once, in order
    assert any("…" in t.get_text() for t in texts) or all(t.get_text().count("\n") < 8 for t in texts)
    matplotlib.pyplot.close(figure_)


# --------------------------------------------------------------------------
# deck
# --------------------------------------------------------------------------


def _png() -> bytes:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([1, 2, 3])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def test_deck_has_cover_summary_maps_and_one_slide_per_section_in_a_japanese_font(tmp_path):
    from pptx import Presentation
    from pptx.oxml.ns import qn

    from helpers.report.deck import DECK_FONT, DeckSection, deck_text, write_deck

    chart = tmp_path / "journey_map_1_as_is.png"
    chart.write_bytes(_png())
    nps = kf.KeyFigure.from_json({**figure(low=-20.0, high=-5.0, n=778, headline=True).to_json(), "notebook": "01"})
    sections = [DeckSection("顧客ロイヤリティ", _png(), [nps]), DeckSection("データ概要")]
    path = write_deck(tmp_path / "deck.pptx", "ブランド", [("基準日", "2025年12月31日")], [nps], [chart], sections)
    slides = Presentation(str(path)).slides
    assert len(slides) == 1 + 1 + 1 + 2
    text = deck_text(path)
    assert "NPS: -12.5（95%区間 -20.0 〜 -5.0、n = 778）" in text  # the takeaway line
    assert "ブランド" in text and "サマリー" in text
    runs = [r for s in slides for shape in s.shapes if shape.has_text_frame
            for p in shape.text_frame.paragraphs for r in p.runs]
    assert runs and all(r._r.rPr.find(qn("a:ea")).get("typeface") == DECK_FONT for r in runs)
    assert all(r._r.rPr.get("lang") == "ja-JP" for r in runs)


# --------------------------------------------------------------------------
# the sample workbook, Japanese with the deck, and English
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def handover_run(tmp_path_factory):
    from helpers.report import run_workbook

    out = tmp_path_factory.mktemp("handover")
    return run_workbook(data_dir=SAMPLE, out_dir=out, progress=False, pptx=True)


@pytest.fixture(scope="module")
def english_run(tmp_path_factory):
    from helpers.report import run_workbook

    out = tmp_path_factory.mktemp("english")
    return run_workbook(data_dir=SAMPLE, out_dir=out, progress=False, lang="en")


def _pages(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(str(path)).pages]


def _independent_nps_and_f2() -> tuple[float, float]:
    """NPS of each customer's latest answer up to as_of, and F2 conversion, in plain pandas."""
    nps = pd.read_csv(SAMPLE / "nps.csv", parse_dates=["response_date"])
    nps = nps[nps["response_date"] <= "2025-12-31 23:59:59"]
    latest = nps.sort_values(["customer_id", "response_date"]).groupby("customer_id").tail(1)["score"]
    score = 100 * ((latest >= 9).mean() - (latest <= 6).mean())
    orders = pd.read_csv(SAMPLE / "orders.csv")
    per_customer = orders.groupby("customer_id").size()
    return score, (per_customer >= 2).mean()


@pytest.mark.notebook
def test_pages_2_and_3_are_the_summary_and_its_figures_are_the_sections(handover_run):
    result = handover_run
    assert result.ok, [r.error_message("en") for r in result.failures]
    pages = _pages(result.combined_pdf)
    assert pages[1].lstrip().split("\n")[1].startswith("サマリー") or "サマリー" in pages[1][:80]
    assert "サマリー（続き）" in pages[2] and "目次" in pages[3]
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    figures = {f["name"]: f for f in manifest["key_figures"]}
    for name in ("nps", "f2_conversion", "expected_lifetime", "ltv", "ltv_1y", "top_friction_effect", "ltv_gain",
                 "improvement_roi", "churn_warning_customers", "churn_warning_value", "subscription_stop_peak",
                 "role_models"):
        assert name in figures, name
        shown = format_figure(kf.KeyFigure.from_json({k: v for k, v in figures[name].items() if k != "page"}))
        assert shown.replace(" ", "") in (pages[1] + pages[2]).replace(" ", ""), (name, shown)
    nps, f2 = _independent_nps_and_f2()
    assert figures["nps"]["value"] == pytest.approx(nps)
    assert figures["f2_conversion"]["value"] == pytest.approx(f2)
    # the page given is where the section shows the same number
    assert f"NPSは{nps:+.1f}" in pages[figures["nps"]["page"] - 1].replace(" ", "")
    assert f"F2転換率は{f2:.1%}" in pages[figures["f2_conversion"]["page"] - 1].replace(" ", "")
    beside = json.loads((result.out_dir / "01_loyalty.key_figures.json").read_text(encoding="utf-8"))
    assert beside[0]["value"] == figures["nps"]["value"] and beside[0]["page"] == figures["nps"]["page"]


@pytest.mark.notebook
def test_a_journey_map_page_per_persona_and_its_exports(handover_run):
    from pypdf import PdfReader

    journey = pd.read_csv(SAMPLE / "journey.csv")
    curves = journey[["persona", "scenario"]].drop_duplicates()
    outputs = handover_run.out_dir / "outputs"
    for number, persona in enumerate(journey["persona"].unique(), start=1):
        for scenario in curves.loc[curves["persona"] == persona, "scenario"]:
            for suffix in ("png", "svg"):
                assert (outputs / f"journey_map_{number}_{scenario}.{suffix}").stat().st_size > 10_000
    reader = PdfReader(str(handover_run.combined_pdf))
    landscape = [p for p in reader.pages if p.mediabox.width > p.mediabox.height]
    assert len(landscape) == len(curves)


@pytest.mark.notebook
def test_no_code_identifiers_in_prose_and_no_triangles(handover_run):
    from helpers.report.deck import deck_text

    pages = _pages(handover_run.combined_pdf)
    appendix = next(i for i, text in enumerate(pages) if "付録: パラメータ一覧" in text and i > 3)
    prose = "\n".join(pages[:appendix])
    assert SNAKE.findall(prose) == []
    deck = deck_text(handover_run.deck)
    assert SNAKE.findall(deck) == []
    assert not re.search("[▲▼△▽]", "\n".join(pages) + deck)
    assert "improvement_cost" in "\n".join(pages[appendix:])  # the names live in the appendix


@pytest.mark.notebook
def test_deck_holds_no_personal_data(handover_run):
    from test_report import leaked, personal_values

    from helpers.report.deck import deck_text

    customers = pd.read_csv(SAMPLE / "customers.csv", dtype=str)
    assert handover_run.deck is not None and handover_run.deck_error is None
    assert leaked(deck_text(handover_run.deck), personal_values(customers)) == set()


@pytest.mark.notebook
def test_english_edition_shows_japanese_only_in_data_values(english_run):
    assert english_run.ok, [r.error_message("en") for r in english_run.failures]
    values = []
    for path in SAMPLE.glob("*.csv"):
        table = pd.read_csv(path, dtype=str)
        values += [v for c in table.columns for v in table[c].dropna().unique()]
    # keywords are the customers' own words in dictionary form (09), exported beside the report
    keywords = english_run.out_dir / "outputs" / "comment_keywords.csv"
    if keywords.exists():
        values += list(pd.read_csv(keywords, encoding="utf-8-sig", dtype=str)["word"].dropna())
    data = "\n".join(values) + "\nすこやか青汁本舗"  # the brand is a parameter value
    pages = _pages(english_run.combined_pdf)
    assert "Summary" in pages[1] and "Contents" in pages[3]
    foreign = {run for text in pages for run in JAPANESE.findall(text) if run not in data}
    assert foreign == set()
