"""The journey workshop: widgets driven by setting their values, results checked
against helpers.emotion / helpers.friction / helpers.ltv called directly."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook

from helpers import emotion, friction, io, labels, ltv, sample, template, workshop
from helpers.workshop import JourneyWorkshop

AS_OF = "2025-12-31"
PERSONA, OTHER_PERSONA = sample.PERSONAS


@pytest.fixture(scope="module")
def ds(sample_dir):
    return io.load_data(sample_dir, as_of=AS_OF, tables=["customers", "orders", "touchpoint_ratings"])


@pytest.fixture(scope="module")
def lifetimes(ds):
    return ltv.customer_lifetimes(ds.orders, AS_OF)


@pytest.fixture(scope="module")
def shared_app(ds, tmp_path_factory):
    return JourneyWorkshop(ds, output_dir=tmp_path_factory.mktemp("out"))


@pytest.fixture
def app(shared_app, sample_dir):
    """The workshop back at its start: the sample worksheet reloaded, what-if defaults."""
    shared_app.share.value = 0.5
    shared_app.cost.value = 1_000_000
    shared_app.overwrite.value = False
    shared_app.save_headers.value = "snake"
    shared_app.path.value = str(sample_dir / "journey.csv")
    shared_app.load_button.click()
    return shared_app


def view(app) -> pd.DataFrame:
    """The journey rows on screen, in step order."""
    rows = app.journey[(app.journey["persona"] == app.persona.value) & (app.journey["scenario"] == app.scenario.value)]
    return rows.sort_values("step")


def expected_friction(app, journey: pd.DataFrame) -> pd.DataFrame:
    rows = journey[journey["persona"] == app.persona.value]
    return friction.friction_table(rows, app.ratings, app.orders, AS_OF, scenario=app.scenario.value)


# ---------------------------------------------------------------------------
# Starting point
# ---------------------------------------------------------------------------
def test_starts_on_the_data_dirs_worksheet(app, sample_dir):
    assert app.path.value == str(sample_dir / "journey.csv")
    assert list(app.persona.options) == list(sample.PERSONAS)
    assert app.persona.value == PERSONA and app.scenario.value == "as_is"
    sheet = io.read_table(sample_dir / "journey.csv", "journey").frame
    mine = sheet[(sheet["persona"] == PERSONA) & (sheet["scenario"] == "as_is")].sort_values("step")
    assert [e.touchpoint.value for e in app.steps] == list(mine["touchpoint"])
    assert [e.emotion.value for e in app.steps] == list(mine["emotion"])
    # the sample's worksheet is saved elsewhere: data/sample is generated, never hand-edited
    assert app.save_path.value == str(app.output_dir / "journey.csv")
    assert "journey.csv を読み込みました" in app.load_status.value


def test_starting_friction_and_whatif_match_direct_calls(app, lifetimes):
    pd.testing.assert_frame_equal(app.friction, expected_friction(app, app.journey))
    # the sample plants one confirmed friction point; it is chosen for the what-if by default
    confirmed = app.friction.loc[app.friction["confirmed"] == "yes", "touchpoint"].tolist()
    assert confirmed == [sample.FRICTION_TOUCHPOINT]
    assert app.fix_points.value == (sample.FRICTION_TOUCHPOINT,)
    direct = ltv.friction_scenarios(lifetimes, app.ratings, [sample.FRICTION_TOUCHPOINT], share=0.5, as_of=AS_OF)
    pd.testing.assert_frame_equal(app.whatif.scenarios, direct.scenarios)
    pd.testing.assert_series_equal(app.whatif.baseline, direct.baseline)
    per_year = ltv.annual_new_customers(lifetimes, AS_OF)
    pd.testing.assert_frame_equal(app.roi, ltv.improvement_roi(direct, 1_000_000, per_year))


def test_the_journey_map_is_the_reports_map_and_follows_edits(app, lifetimes):
    from helpers import emotion, journey_map

    direct = ltv.friction_scenarios(lifetimes, app.ratings, [sample.FRICTION_TOUCHPOINT], share=0.5, as_of=AS_OF)
    expected = journey_map.journey_map_steps(
        app.journey[app.journey["persona"] == PERSONA], PERSONA, "as_is",
        rating_curve=emotion.rating_curve(app.ratings), friction_points=expected_friction(app, app.journey),
        ltv_gains=direct.scenarios.drop(index=ltv.COMBINED)["ltv_delta"],
    )
    pd.testing.assert_frame_equal(app.journey_map_steps(), expected)
    priced = expected.loc[expected["evidence"] == "priced", "touchpoint"].tolist()
    assert priced == [sample.FRICTION_TOUCHPOINT]
    assert app.map_image.value[:8] == b"\x89PNG\r\n\x1a\n"
    before = app.map_image.value
    app.steps[1].emotion.value = -4  # a new friction point at step 2
    assert app.journey_map_steps().set_index("step").loc[2, "evidence"] in ("rated", "assumption")
    assert app.map_image.value != before


# ---------------------------------------------------------------------------
# Editing the emotion: curve, friction table and LTV follow
# ---------------------------------------------------------------------------
def test_emotion_slider_updates_journey_curve_and_friction(app):
    step2 = app.steps[1]
    assert (step2.step, step2.touchpoint.value, step2.emotion.value) == (2, "ブランドサイト", 2)
    assert "ブランドサイト" not in set(app.friction["touchpoint"])

    step2.emotion.value = -4

    assert app.journey.at[step2.row, "emotion"] == -4
    edited = app.journey
    pd.testing.assert_frame_equal(app.curves, emotion.emotion_curves(edited[edited["persona"] == PERSONA]))
    point = app.curves[(app.curves["scenario"] == "as_is") & (app.curves["step"] == 2)]
    assert point["emotion"].tolist() == [-4.0]
    pd.testing.assert_frame_equal(app.friction, expected_friction(app, edited))
    # by hand: step 1 is +1, so the drop is 1 - (-4) = 5 and the severity
    # (0 - (-4) + 1) + 5 = 10; step 3 (+1) rises from -4 and stays no friction point
    row = app.friction.set_index("touchpoint").loc["ブランドサイト"]
    assert (row["step"], row["emotion"], row["drop"], row["severity"]) == (2, -4.0, 5.0, 10.0)
    assert "口コミ・レビュー" not in set(app.friction["touchpoint"])
    assert "ブランドサイト" in app.friction_html.value
    assert app.chart.value[:8] == b"\x89PNG\r\n\x1a\n"


def test_raising_the_friction_step_removes_it(app):
    opening = next(e for e in app.steps if e.touchpoint.value == sample.FRICTION_TOUCHPOINT)
    before = len(app.friction)
    # step 5 (配送) is +3: at +2 the opening step is neither <= 0 nor 2 below it
    opening.emotion.value = 2
    assert sample.FRICTION_TOUCHPOINT not in set(app.friction["touchpoint"])
    assert len(app.friction) == before - 1
    pd.testing.assert_frame_equal(app.friction, expected_friction(app, app.journey))
    # the default what-if choice followed: nothing confirmed left, so the top-ranked point
    assert app.fix_points.value == (app.friction["touchpoint"].iloc[0],)


def test_what_if_controls_recompute_ltv_and_roi(app, lifetimes):
    per_year = ltv.annual_new_customers(lifetimes, AS_OF)
    delta_at_half = app.whatif.scenarios.loc[ltv.COMBINED, "ltv_delta"]

    app.share.value = 0.2
    direct = ltv.friction_scenarios(lifetimes, app.ratings, [sample.FRICTION_TOUCHPOINT], share=0.2, as_of=AS_OF)
    pd.testing.assert_frame_equal(app.whatif.scenarios, direct.scenarios)
    # the gain is proportional to the share fixed: 0.2 / 0.5 of the gain at 50 %
    assert app.whatif.scenarios.loc[ltv.COMBINED, "ltv_delta"] == pytest.approx(delta_at_half * 0.4)

    app.cost.value = 2_000_000
    benefit = app.whatif.scenarios.loc[ltv.COMBINED, "ltv_delta"] * per_year
    assert app.roi.loc[ltv.COMBINED, "cost"] == 2_000_000
    assert app.roi.loc[ltv.COMBINED, "roi"] == pytest.approx((benefit - 2_000_000) / 2_000_000)

    two = (sample.FRICTION_TOUCHPOINT, "定期便マイページ")
    app.fix_points.value = two
    direct = ltv.friction_scenarios(lifetimes, app.ratings, list(two), share=0.2, as_of=AS_OF)
    pd.testing.assert_frame_equal(app.whatif.scenarios, direct.scenarios)
    pd.testing.assert_frame_equal(app.roi, ltv.improvement_roi(direct, 2_000_000, per_year))
    assert app.roi.loc[ltv.COMBINED, "cost"] == 4_000_000  # 2 points x 2,000,000 yen
    assert f"{direct.scenarios.loc[ltv.COMBINED, 'ltv_after']:,.0f}円" in app.ltv_html.value

    # the user's choice survives an edit of the curve
    app.steps[0].emotion.value = 0
    assert app.fix_points.value == two

    app.fix_points.value = ()
    assert app.roi is None
    assert app.whatif.scenarios.loc[ltv.COMBINED, "ltv_after"] == app.whatif.baseline["ltv"]


def test_expectation_and_evaluation_edit_the_journey(app):
    first = app.steps[0]
    first.expectation.value = 5
    first.evaluation.value = 0
    assert app.journey.at[first.row, "expectation"] == 5
    assert pd.isna(app.journey.at[first.row, "evaluation"])


# ---------------------------------------------------------------------------
# Renaming, adding and removing steps
# ---------------------------------------------------------------------------
def test_rename_a_step(app):
    opening = next(e for e in app.steps if e.touchpoint.value == sample.FRICTION_TOUCHPOINT)
    opening.touchpoint.value = "  開封体験 "
    assert app.journey.at[opening.row, "touchpoint"] == "開封体験"
    pd.testing.assert_frame_equal(app.friction, expected_friction(app, app.journey))
    # no customer rated a touchpoint of that name, so there is no evidence for it
    assert app.friction.set_index("touchpoint").loc["開封体験", "confirmed"] == "untested"

    opening.touchpoint.value = "   "
    assert opening.touchpoint.value == "開封体験"
    assert app.journey.at[opening.row, "touchpoint"] == "開封体験"
    assert "空にできません" in app.edit_status.value


def test_add_a_step_with_the_widgets(app):
    before = view(app)["touchpoint"].tolist()
    app.add_position.value = 2
    app.add_stage.value = "比較・検討"
    app.add_touchpoint.value = "比較サイト"
    app.add_button.click()

    after = view(app)
    assert after["step"].tolist() == list(range(1, len(before) + 2))
    assert after["touchpoint"].tolist() == [*before[:2], "比較サイト", *before[2:]]
    new = after[after["touchpoint"] == "比較サイト"].iloc[0]
    assert (new["step"], new["stage"], new["emotion"]) == (3, "比較・検討", 0)
    assert [e.touchpoint.value for e in app.steps] == after["touchpoint"].tolist()
    # the new step (0 after +2) is a friction point by the threshold rule
    pd.testing.assert_frame_equal(app.friction, expected_friction(app, app.journey))
    assert "比較サイト" in set(app.friction["touchpoint"])
    assert app.add_touchpoint.value == ""


def test_add_needs_a_touchpoint_name(app):
    rows = len(app.journey)
    app.add_touchpoint.value = " "
    app.add_button.click()
    assert len(app.journey) == rows
    assert "タッチポイント名を入力" in app.edit_status.value


def test_remove_a_step(app):
    before = view(app)["touchpoint"].tolist()
    opening = next(e for e in app.steps if e.touchpoint.value == sample.FRICTION_TOUCHPOINT)
    opening.remove.click()
    after = view(app)
    assert after["touchpoint"].tolist() == [t for t in before if t != sample.FRICTION_TOUCHPOINT]
    assert after["step"].tolist() == list(range(1, len(before)))
    assert len(app.steps) == len(before) - 1
    pd.testing.assert_frame_equal(app.friction, expected_friction(app, app.journey))
    assert sample.FRICTION_TOUCHPOINT not in set(app.friction["touchpoint"])
    # the other persona and scenario are untouched
    others = app.journey[(app.journey["persona"] != PERSONA) | (app.journey["scenario"] != "as_is")]
    assert len(others) == len(app.journey) - len(after)


# ---------------------------------------------------------------------------
# Persona and scenario
# ---------------------------------------------------------------------------
def test_switch_persona_and_scenario(app):
    app.persona.value = OTHER_PERSONA
    assert app.curves["persona"].astype(str).unique().tolist() == [OTHER_PERSONA]
    assert set(app.friction["persona"]) <= {OTHER_PERSONA}
    assert [e.touchpoint.value for e in app.steps] == view(app)["touchpoint"].tolist()

    app.scenario.value = "to_be"
    assert view(app)["scenario"].unique().tolist() == ["to_be"]
    pd.testing.assert_frame_equal(app.friction, expected_friction(app, app.journey))
    assert set(app.friction["scenario"]) <= {"to_be"}
    app.steps[0].emotion.value = -5
    assert app.journey.at[app.steps[0].row, "scenario"] == "to_be"
    pd.testing.assert_frame_equal(app.friction, expected_friction(app, app.journey))
    assert app.friction["step"].iloc[0] == 1  # -5 at step 1 is the most severe point


def test_blank_start_and_copying_as_is_to_to_be(app):
    app.blank_name.value = "新しいペルソナ"
    app.blank_button.click()
    assert list(app.persona.options) == ["新しいペルソナ"]
    assert view(app)["stage"].tolist() == list(labels.JOURNEY_STAGES)
    assert view(app)["emotion"].tolist() == [0] * len(labels.JOURNEY_STAGES)
    # every step at 0 is at the threshold: all are friction points, none tested
    assert len(app.friction) == len(labels.JOURNEY_STAGES)
    assert set(app.friction["confirmed"]) == {"untested"}

    app.scenario.value = "to_be"
    assert app.steps == [] and app.copy_button.layout.display != "none"
    app.copy_button.click()
    assert view(app)["touchpoint"].tolist() == list(labels.JOURNEY_STAGES)
    assert app.copy_button.layout.display == "none"


# ---------------------------------------------------------------------------
# Loading files
# ---------------------------------------------------------------------------
def test_loading_a_bad_file_shows_every_problem_and_keeps_the_journey(app, tmp_path):
    bad = tmp_path / "journey.csv"
    bad.write_text(
        "persona,scenario,step,stage,touchpoint,emotion\n"
        "A,as_is,1,認知,広告,9\n"
        "A,later,2,購入,注文,1\n",
        encoding="utf-8",
    )
    kept = app.journey.copy()
    app.path.value = str(bad)
    app.load_button.click()
    status = app.load_status.value
    assert "読み込めませんでした" in status and "問題 2 件" in status
    assert "journey.csv:2 列 &#x27;emotion&#x27; 値 &#x27;9&#x27;" in status
    assert "journey.csv:3 列 &#x27;scenario&#x27; 値 &#x27;later&#x27;" in status
    pd.testing.assert_frame_equal(app.journey, kept)


def test_loading_a_filled_template(app, tmp_path):
    path = template.write_template(tmp_path / "journey.xlsx")
    book = load_workbook(path)
    sheet = book[template.DATA_SHEET["ja"]]
    rows = [
        ("田中さん", "現状", 1, "認知", "テレビCM", "テレビ", None, None, 1, 3, 3, None),
        ("田中さん", "現状", 2, "購入", "電話注文", "電話", None, None, -3, 4, 2, "折り返し電話"),
        ("田中さん", "理想", 1, "認知", "テレビCM", "テレビ", None, None, 2, None, None, None),
    ]
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            sheet.cell(row=r, column=c, value=value)
    book.save(path)

    app.path.value = str(path)
    app.load_button.click()
    assert list(app.persona.options) == ["田中さん"]
    assert [(e.touchpoint.value, e.emotion.value) for e in app.steps] == [("テレビCM", 1), ("電話注文", -3)]
    assert app.steps[1].expectation.value == 4 and app.steps[1].evaluation.value == 2
    assert app.save_path.value == str(path)  # a client's file is saved back in place
    # 電話注文: -3 and 4 below step 1 -> severity (0 + 3 + 1) + 4 = 8
    assert app.friction[["touchpoint", "severity"]].values.tolist() == [["電話注文", 8.0]]


def test_missing_worksheet_starts_blank(ds, tmp_path):
    app = JourneyWorkshop(ds, tmp_path / "nothing.csv", output_dir=tmp_path)
    assert "ファイルが見つかりません" in app.load_status.value
    assert view(app)["stage"].tolist() == list(labels.JOURNEY_STAGES)


# ---------------------------------------------------------------------------
# Saving
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("headers", ["snake", "ja"])
def test_save_round_trips_through_read_table(app, tmp_path, suffix, headers):
    app.steps[1].emotion.value = -4
    app.steps[2].touchpoint.value = "比較サイト"
    target = tmp_path / f"journey{suffix}"
    app.save_path.value = str(target)
    app.save_headers.value = headers
    app.save_button.click()
    assert "保存しました" in app.save_status.value
    read = io.read_table(target, "journey")
    assert read.problems == []
    pd.testing.assert_frame_equal(workshop.tidy_journey(read.frame), app.journey)
    if headers == "ja" and suffix == ".csv":
        header = target.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
        assert header[:6] == ["ペルソナ", "シナリオ", "ステップ", "ステージ", "タッチポイント", "チャネル"]
    if headers == "ja" and suffix == ".xlsx":
        assert load_workbook(target).sheetnames == [template.DATA_SHEET["ja"], template.INSTRUCTIONS_SHEET["ja"]]


def test_save_never_overwrites_without_the_tick(app, tmp_path):
    target = tmp_path / "journey.csv"
    app.save_path.value = str(target)
    app.save_button.click()
    first = target.read_bytes()

    app.steps[0].emotion.value = -2
    app.save_button.click()
    assert target.read_bytes() == first
    assert "既にあります" in app.save_status.value

    app.overwrite.value = True
    app.save_button.click()
    assert "上書き保存しました" in app.save_status.value
    assert io.read_table(target, "journey").frame["emotion"].iloc[0] == -2
    assert app.overwrite.value is False  # the next overwrite asks again


def test_saving_xlsx_beside_a_csv_warns_which_file_kando_uses(app, tmp_path):
    (tmp_path / "journey.csv").write_text("persona\n", encoding="utf-8")
    app.save_path.value = str(tmp_path / "journey.xlsx")
    app.save_button.click()
    assert "kando run は journey.csv を使います" in app.save_status.value


def test_save_worksheet_refuses_rows_that_would_not_load(tmp_path):
    rows = workshop.blank_worksheet("A")
    rows.loc[2, "touchpoint"] = pd.NA
    result = workshop.save_worksheet(rows, tmp_path / "journey.csv")
    assert not result.saved and not (tmp_path / "journey.csv").exists()
    assert [(p.line, p.column) for p in result.problems] == [(4, "touchpoint")]
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind


def test_default_save_path(tmp_path):
    sample_sheet = io.PROJECT_ROOT / "data" / "sample" / "journey.csv"
    assert workshop.default_save_path(sample_sheet, "data/sample", tmp_path) == tmp_path / "journey.csv"
    client = tmp_path / "client" / "journey.xlsx"
    assert workshop.default_save_path(client, tmp_path / "client", "outputs") == client
    assert workshop.default_save_path(None, tmp_path / "client", "outputs") == tmp_path / "client" / "journey.xlsx"


# ---------------------------------------------------------------------------
# Without ratings
# ---------------------------------------------------------------------------
def test_without_ratings_friction_is_untested_and_no_ltv(sample_dir, tmp_path):
    ds = io.load_data(sample_dir, as_of=AS_OF, tables=["customers", "orders"])
    app = JourneyWorkshop(ds, sample_dir / "journey.csv", output_dir=tmp_path)
    assert set(app.friction["confirmed"]) == {"untested"}
    assert app.whatif is None and app.roi is None
    assert "touchpoint_ratings.csv がないため" in app.ltv_html.value


# ---------------------------------------------------------------------------
# The notebook
# ---------------------------------------------------------------------------
@pytest.mark.notebook
def test_notebook_builds_the_workshop_from_any_folder(project_root, tmp_path):
    import papermill

    out = tmp_path / "workshop.ipynb"
    papermill.execute_notebook(
        str(project_root / "notebooks" / "workshop.ipynb"), str(out), kernel_name="python3",
        parameters={"output_dir": str(tmp_path / "out"), "fixed_share": 0.3}, cwd=str(project_root / "notebooks"),
        progress_bar=False,
    )
    import nbformat

    outputs = [o for cell in nbformat.read(out, as_version=4).cells for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error" or o.get("name") == "stderr"]
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)
