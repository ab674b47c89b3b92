"""Touchpoint inventory on hand-made worksheets and data, and the charts' Japanese text."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib import font_manager

from helpers import touchpoints
from helpers.plotting import touchpoints as plot_tp
from helpers.plotting import use_style


def journey_frame(rows) -> pd.DataFrame:
    """(persona, scenario, step, stage, touchpoint, emotion, channel) rows as the io loader types them."""
    frame = pd.DataFrame(rows, columns=["persona", "scenario", "step", "stage", "touchpoint", "emotion", "channel"])
    return frame.astype(
        {
            "persona": "string",
            "scenario": "string",
            "step": "Int64",
            "stage": "string",
            "touchpoint": "string",
            "emotion": "Int64",
            "channel": "string",
        }
    )


@pytest.fixture
def journey():
    return journey_frame(
        [
            # rows deliberately out of order
            ("B", "as_is", 2, "購入", "注文フォーム", 1, "Web"),
            ("A", "to_be", 1, "認知", "広告", 2, "SNS"),
            ("A", "as_is", 3, "購入", "注文フォーム", -1, "Web"),
            ("A", "as_is", 1, "認知", "広告", 1, "SNS"),
            ("A", "as_is", 2, "興味・関心", "ブランドサイト", 2, "Web"),
            ("B", "as_is", 1, "興味・関心", "店頭", 0, None),
            ("B", "as_is", 3, "独自ステージ", "ＬＩＮＥ 配信", 0, "LINE"),
        ]
    )


def test_journey_steps_orders_by_persona_scenario_step(journey):
    steps = touchpoints.journey_steps(journey)
    got = list(zip(steps["persona"].astype(str), steps["scenario"], steps["step"].astype(int), strict=False))
    # personas in order of first appearance in the sheet (B first), as-is before to-be
    assert got == [
        ("B", "as_is", 1),
        ("B", "as_is", 2),
        ("B", "as_is", 3),
        ("A", "as_is", 1),
        ("A", "as_is", 2),
        ("A", "as_is", 3),
        ("A", "to_be", 1),
    ]
    assert steps["position"].tolist() == [0, 1, 2, 0, 1, 2, 0]
    assert steps.loc[0, "channel"] == touchpoints.MISSING_TEXT
    assert touchpoints.persona_names(touchpoints.journey_steps(journey, "to_be")) == ["A"]


def test_journey_steps_rejects_a_repeated_step(journey):
    broken = pd.concat([journey, journey.iloc[[0]]], ignore_index=True)
    with pytest.raises(ValueError, match="B / as_is / 2"):
        touchpoints.journey_steps(broken)


def test_stage_order_standard_first_then_by_appearance():
    assert touchpoints.stage_order(["購入", "独自", "認知", "購入", "別の独自"]) == ["認知", "購入", "独自", "別の独自"]


def test_journey_order_by_stage_then_mean_step(journey):
    # 広告 (認知), 店頭 (興味・関心, step 1), ブランドサイト (興味・関心, step 2), 注文フォーム (購入), ＬＩＮＥ 配信 (custom)  # noqa: E501
    assert touchpoints.journey_order(journey) == ["広告", "店頭", "ブランドサイト", "注文フォーム", "ＬＩＮＥ 配信"]


def test_swimlane_cells(journey):
    lanes = touchpoints.swimlane(journey, "A", "as_is")
    assert list(lanes.columns) == ["認知", "興味・関心", "購入"]
    assert list(lanes.index) == ["Web", "SNS"]  # standard channel order: Web before SNS
    assert lanes.loc["Web", "購入"] == "3. 注文フォーム"
    assert lanes.loc["SNS", "認知"] == "1. 広告"
    assert lanes.loc["SNS", "購入"] == ""
    with pytest.raises(ValueError):
        touchpoints.swimlane(journey, "B", "to_be")


def test_normalize_names_matches_full_width_and_spaces():
    names = pd.Series(["ＬＩＮＥ 配信", "LINE  配信 ", None])
    normalised = touchpoints.normalize_names(names)
    assert normalised.iloc[0] == normalised.iloc[1] == "LINE 配信"
    assert normalised.iloc[2] is None


def test_order_mix_hand_counted():
    orders = pd.DataFrame(
        {
            "customer_id": ["c1", "c1", "c2", "c3", "c3"],
            "amount": [100.0, 200.0, 50.0, 10.0, 20.0],
            "channel": ["Web", "Web", "電話", "Web", None],
        }
    )
    mix = touchpoints.order_mix(orders, "channel")
    assert list(mix.index) == ["Web", "-", "電話"]  # most orders first, ties by name
    assert mix.loc["Web"].tolist() == [3, 2, 310.0, 0.6]
    assert mix.loc["電話", "orders"] == 1 and mix.loc["-", "revenue"] == 20.0
    with pytest.raises(ValueError, match="product"):
        touchpoints.order_mix(orders, "product")


def test_survey_responses_by_month_and_source():
    nps = pd.DataFrame(
        {
            "response_date": pd.to_datetime(["2025-01-05", "2025-01-20", "2025-03-01"]),
            "source": ["メール", "LINE", "メール"],
        }
    )
    fan = pd.DataFrame({"response_date": pd.to_datetime(["2025-01-31"])})
    monthly = touchpoints.survey_responses(nps, fan)
    assert list(monthly.columns) == ["nps:LINE", "nps:メール", "fan_survey"]
    assert [f"{d:%Y-%m}" for d in monthly.index] == ["2025-01", "2025-02", "2025-03"]
    assert monthly.loc["2025-01-01"].tolist() == [1, 1, 1]
    assert monthly.loc["2025-02-01"].tolist() == [0, 0, 0]
    totals = touchpoints.survey_totals(monthly)
    assert totals.loc["nps:メール", "responses"] == 2 and totals.loc["fan_survey", "survey"] == "fan_survey"
    assert touchpoints.survey_responses(None, None).empty


def test_latest_ratings_keeps_the_latest_answer_per_customer_and_touchpoint():
    ratings = pd.DataFrame(
        {
            "customer_id": ["c1", "c1", "c1", "c2"],
            "touchpoint": ["配送", "配送", "ＬＩＮＥ配信", "LINE配信"],
            "rating": [5, 1, 3, 4],
            "response_date": pd.to_datetime(["2025-03-01", "2025-01-01", "2025-01-01", "2025-01-01"]),
        }
    )
    latest = touchpoints.latest_ratings(ratings)
    assert len(latest) == 3
    c1_delivery = latest[(latest.customer_id == "c1") & (latest.touchpoint == "配送")]
    assert c1_delivery["rating"].tolist() == [5.0]  # 2025-03-01 is later than 2025-01-01
    # both spellings of LINE配信 are one touchpoint, shown in the first spelling
    assert sorted(latest.loc[latest.key == "LINE配信", "touchpoint"].unique()) == ["ＬＩＮＥ配信"]
    counts = touchpoints.rating_counts(ratings)
    assert counts.loc["ＬＩＮＥ配信"].tolist() == [2, 2, 3.5]
    assert counts.loc["配送"].tolist() == [1, 2, 5.0]


def test_order_touchpoints_journey_first_then_data_order(journey):
    names = pd.Series(["未知の接点", "注文フォーム", "広告", "LINE 配信"])
    assert touchpoints.order_touchpoints(names, journey) == ["広告", "注文フォーム", "LINE 配信", "未知の接点"]


def test_touchpoint_coverage_statuses(journey):
    ratings = pd.DataFrame(
        {"customer_id": ["c1", "c2", "c2"], "touchpoint": ["広告", "広告", "アプリ"], "rating": [3, 4, 5]}
    )
    orders = pd.DataFrame({"customer_id": ["c1", "c2"], "amount": [1.0, 2.0], "channel": ["Web", "カタログ"]})
    nps = pd.DataFrame({"customer_id": ["c1"], "source": ["LINE"]})
    coverage = touchpoints.touchpoint_coverage(journey, ratings, orders, nps).set_index(["level", "name"])
    assert coverage.loc[("touchpoint", "広告"), "status"] == "both"
    assert coverage.loc[("touchpoint", "広告"), "rated_customers"] == 2
    assert coverage.loc[("touchpoint", "広告"), "worksheet_steps"] == 2
    assert coverage.loc[("touchpoint", "広告"), "personas"] == 1
    assert coverage.loc[("touchpoint", "店頭"), "status"] == "worksheet_only"
    assert coverage.loc[("touchpoint", "アプリ"), "status"] == "data_only"
    assert coverage.loc[("channel", "Web"), "orders"] == 1
    assert coverage.loc[("channel", "LINE"), ["survey_responses", "status"]].tolist() == [1, "both"]
    assert coverage.loc[("channel", "カタログ"), "status"] == "data_only"
    assert coverage.loc[("channel", "SNS"), "status"] == "worksheet_only"
    assert ("channel", "-") not in coverage.index  # an empty channel cell is not a channel
    statuses = coverage["status"].tolist()
    assert statuses == sorted(statuses, key=touchpoints.COVERAGE_STATUSES.index)


def test_wrap_text_respects_width_and_keeps_step_numbers():
    wrapped = plot_tp.wrap_text("6. 開封・初回使用", 4)
    assert wrapped == "6. 開封・\n初回使用"
    assert plot_tp.wrap_text("2. Instagram広告", 6) == "2. Instagram\n広告"
    for line in plot_tp.wrap_text("カスタマーサポートセンターへの問い合わせ", 5).split("\n"):
        assert len(line) <= 5 and not line.startswith("ー")
    assert plot_tp.wrap_text("ああああああああ", 3, max_lines=2).endswith("…")


def test_swimlane_chart_renders_japanese(journey, missing_glyphs):
    use_style()
    ax = plot_tp.plot_swimlane(touchpoints.swimlane(journey, "A"), persona="A")
    texts = [t.get_text() for t in ax.texts]
    assert "3. 注文フォーム" in texts
    assert [t.get_text() for t in ax.get_xticklabels()] == ["認知", "興味・関心", "購入"]
    font = font_manager.findfont(ax.get_xticklabels()[0].get_fontproperties())
    assert font.endswith("ipaexg.ttf")
    assert missing_glyphs(ax.figure) == []
    plt.close(ax.figure)


def test_data_charts_render_japanese(missing_glyphs):
    use_style()
    orders = pd.DataFrame({"customer_id": ["c1", "c2"], "amount": [1.0, 2.0], "channel": ["電話", "Web"]})
    mix = touchpoints.order_mix(orders, "channel")
    ax = plot_tp.plot_order_mix(mix, by="channel")
    assert ax.get_title() == "チャネル別の注文件数"
    assert missing_glyphs(ax.figure) == []
    ratings = pd.DataFrame({"customer_id": ["c1", "c2"], "touchpoint": ["配送", "配送"], "rating": [3, 4]})
    ax = plot_tp.plot_rating_counts(touchpoints.rating_counts(ratings), lang="en")
    assert ax.get_title() == "Customers who rated each touchpoint"
    nps = pd.DataFrame({"response_date": pd.to_datetime(["2025-01-05"]), "source": ["同梱はがき"]})
    ax = plot_tp.plot_survey_responses(touchpoints.survey_responses(nps))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["NPS（同梱はがき）"]
    assert missing_glyphs(ax.figure) == []
    plt.close("all")


def test_unknown_scenario_is_an_error(journey):
    with pytest.raises(ValueError, match="scenario"):
        touchpoints.journey_steps(journey, "現状")


def test_coverage_of_a_worksheet_without_data(journey):
    coverage = touchpoints.touchpoint_coverage(journey)
    assert set(coverage["status"]) == {"worksheet_only"}
    assert sorted(coverage.loc[coverage["level"] == "touchpoint", "name"]) == sorted(
        ["広告", "ブランドサイト", "注文フォーム", "店頭", "ＬＩＮＥ 配信"]
    )
    assert sorted(coverage.loc[coverage["level"] == "channel", "name"]) == ["LINE", "SNS", "Web"]


@pytest.mark.parametrize("spread", [1, 10_000])  # dense cells (one pass) and sparse cells (sort)
def test_latest_rows_take_the_newest_answer_and_the_last_of_a_tie(spread):
    rng = np.random.default_rng(7)
    n = 2_000
    cell = rng.integers(0, 300, n) * spread
    dates = rng.integers(0, 20, n).astype(np.int64)  # many ties
    dates[rng.random(n) < 0.1] = np.iinfo(np.int64).min  # undated: the oldest
    frame = pd.DataFrame({"cell": cell, "date": dates, "row": np.arange(n)})
    expected = np.sort(frame.sort_values(["cell", "date", "row"]).groupby("cell")["row"].last().to_numpy())
    np.testing.assert_array_equal(touchpoints._latest_rows(cell, dates), expected)
    assert len(touchpoints._latest_rows(cell[:0], dates[:0])) == 0
