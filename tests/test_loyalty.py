"""Tests of helpers.nps, helpers.segments and helpers.fan_survey against small hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from helpers import emotion, purchases
from helpers.fan_survey import FAN_TIERS, fan_answers, fan_matrix, fan_tier_summary, fan_tiers
from helpers.labels import label
from helpers.nps import compare_nps, latest_responses, nps_by_group, nps_class, nps_interval, nps_table, nps_trend
from helpers.segments import SEGMENTS, customer_groups, customer_segments, segment_list, value_by_group
from helpers.tables import loyalty as loyalty_tables


def _nps(rows):
    return pd.DataFrame(rows, columns=["customer_id", "response_date", "score"]).assign(
        response_date=lambda f: pd.to_datetime(f["response_date"])
    )


# --- the stable core: SEGMENTS, nps_class, latest_responses, customer_segments


def test_segments_constant():
    assert SEGMENTS == ("high", "mid", "low", "no_answer")


@pytest.mark.parametrize(
    "score, expected",
    [(0, "detractor"), (6, "detractor"), (7, "passive"), (8, "passive"), (9, "promoter"), (10, "promoter")],
)
def test_nps_class_scalar_edges(score, expected):
    assert nps_class(score) == expected


def test_nps_class_series_keeps_index_and_order():
    scores = pd.Series([10, 6, 7, 9, 0, 8], index=list("abcdef"))
    classes = nps_class(scores)
    assert list(classes.index) == list("abcdef")
    assert list(classes.astype(str)) == ["promoter", "detractor", "passive", "promoter", "detractor", "passive"]
    assert list(classes.cat.categories) == ["promoter", "passive", "detractor"]
    assert classes.cat.ordered


def test_nps_class_rejects_out_of_range():
    with pytest.raises(ValueError):
        nps_class(pd.Series([3, 11]))
    with pytest.raises(ValueError):
        nps_class(-1)


NPS_ROWS = [
    ("c1", "2025-01-10", 3),
    ("c1", "2025-06-01", 9),  # latest for c1 by 2025-12-31
    ("c2", "2025-03-01", 8),
    ("c2", "2026-01-05", 10),  # after as_of: ignored
    ("c3", "2026-02-01", 10),  # only answer after as_of -> no_answer
    ("c4", "2025-12-31", 2),  # on as_of: counts
]


def test_latest_responses_latest_and_all():
    nps = _nps(NPS_ROWS)
    latest = latest_responses(nps, "2025-12-31")
    assert list(latest["customer_id"]) == ["c1", "c2", "c4"]
    assert list(latest["score"]) == [9, 8, 2]
    every = latest_responses(nps, "2025-12-31", latest_only=False)
    assert list(every["customer_id"]) == ["c1", "c1", "c2", "c4"]
    # as_of earlier: c1's latest is then the January answer
    early = latest_responses(nps, "2025-05-31")
    assert list(early["score"]) == [3, 8]


def test_latest_responses_counts_the_whole_as_of_day():
    nps = _nps([("c1", "2025-12-31 18:30", 9)])
    assert len(latest_responses(nps, "2025-12-31")) == 1


def test_latest_responses_none_or_nothing_in_time_is_empty():
    assert latest_responses(None, "2025-12-31").empty
    assert latest_responses(_nps(NPS_ROWS), "2020-01-01").empty
    customers = pd.DataFrame({"customer_id": ["c1"]})
    assert customer_segments(customers, _nps(NPS_ROWS), "2020-01-01").iloc[0] == "no_answer"


def test_customer_segments():
    customers = pd.DataFrame({"customer_id": ["c4", "c1", "c2", "c3", "c5"]})
    seg = customer_segments(customers, _nps(NPS_ROWS), "2025-12-31")
    assert seg.name == "segment"
    assert list(seg.index) == ["c4", "c1", "c2", "c3", "c5"]
    assert seg.index.name == "customer_id"
    assert list(seg.astype(str)) == ["low", "high", "mid", "no_answer", "no_answer"]
    assert list(seg.cat.categories) == list(SEGMENTS)
    assert seg.cat.ordered


def test_customer_segments_mean_of_all_answers():
    customers = pd.DataFrame({"customer_id": ["c1", "c2"]})
    # c1: mean of 3 and 9 = 6 -> low; c2: only 8 counts -> mid
    seg = customer_segments(customers, _nps(NPS_ROWS), "2025-12-31", latest_only=False)
    assert list(seg.astype(str)) == ["low", "mid"]


def test_customer_segments_without_nps():
    customers = pd.DataFrame({"customer_id": ["a", "b"]})
    seg = customer_segments(customers, None, "2025-12-31")
    assert list(seg.astype(str)) == ["no_answer", "no_answer"]
    assert list(seg.cat.categories) == list(SEGMENTS)


# --- NPS and its interval


def test_nps_interval_published_wald_example():
    # n = 200, 50% promoters, 20% detractors: NPS 30, plain Wald margin about ±10.8
    low, high = nps_interval(100, 40, 200, method="wald")
    margin = 1.959964 * math.sqrt((0.5 + 0.2 - 0.3**2) / 200) * 100  # 10.824
    assert (low + high) / 2 == pytest.approx(30.0)
    assert (high - low) / 2 == pytest.approx(margin, abs=1e-3)
    assert round((high - low) / 2, 1) == 10.8


def test_nps_interval_adjusted_wald_by_hand():
    p, d = 100.75 / 203, 40.75 / 203  # add 3/4 to promoters and detractors, 3 to n
    centre = p - d
    margin = 1.959964 * math.sqrt((p + d - centre**2) / 203)
    low, high = nps_interval(100, 40, 200)
    assert low == pytest.approx(100 * (centre - margin), abs=1e-3)  # 18.82
    assert high == pytest.approx(100 * (centre + margin), abs=1e-3)  # 40.30
    assert low == pytest.approx(18.82, abs=0.01) and high == pytest.approx(40.30, abs=0.01)


def test_nps_interval_clipped_and_empty():
    low, high = nps_interval(10, 0, 10, method="wald")
    assert (low, high) == (100.0, 100.0)  # zero variance at 100% promoters
    low, high = nps_interval([0, 5], [0, 5], [0, 10])
    assert math.isnan(low[0]) and math.isnan(high[0]) and high[1] > 0 > low[1]
    with pytest.raises(ValueError):
        nps_interval(1, 1, 2, method="exact")


def test_nps_table_hand_computed():
    responses = pd.DataFrame({"score": [10, 9, 8, 7, 6, 0, 10, 3, 9, 5]})
    row = nps_table(responses).iloc[0]
    assert (row.n, row.promoters, row.passives, row.detractors) == (10, 4, 2, 4)
    assert (row.promoter_share, row.passive_share, row.detractor_share) == (0.4, 0.2, 0.4)
    assert row.nps == pytest.approx(0.0)


def test_nps_by_group_keeps_empty_categories():
    responses = pd.DataFrame({"customer_id": ["a", "b", "c"], "score": [10, 0, 8]})
    groups = pd.Series(
        pd.Categorical(["X", "Y", "X", "Y"], categories=["X", "Y", "Z"]), index=["a", "b", "c", "d"], name="g"
    )
    table = nps_by_group(responses, groups)
    assert list(table.index) == ["X", "Y", "Z"]
    assert list(table["n"]) == [2, 1, 0]
    assert table.loc["X", "nps"] == pytest.approx(50.0)  # one promoter, one passive
    assert table.loc["Y", "nps"] == pytest.approx(-100.0)
    assert math.isnan(table.loc["Z", "nps"])


def test_nps_trend_latest_per_period():
    nps = _nps(
        [("c1", "2025-01-05", 0), ("c1", "2025-01-20", 10), ("c2", "2025-03-01", 5), ("c3", "2025-04-02", 9)]
    )
    trend = nps_trend(nps, "2025-03-31", freq="M")
    assert [str(p) for p in trend.index] == ["2025-01", "2025-02", "2025-03"]
    assert list(trend["n"]) == [1, 0, 1]
    assert trend["nps"].iloc[0] == 100.0 and trend["nps"].iloc[2] == -100.0
    every = nps_trend(nps, "2025-03-31", freq="M", latest_only=False)
    assert every["n"].iloc[0] == 2 and every["nps"].iloc[0] == 0.0
    quarters = nps_trend(nps, "2025-04-30", freq="quarter")
    assert [str(p) for p in quarters.index] == ["2025Q1", "2025Q2"]
    assert list(quarters["n"]) == [2, 1]


def test_compare_two_groups_z_test_by_hand():
    responses = pd.DataFrame(
        {"customer_id": list("abcdefghi"), "score": [10, 10, 9, 0, 9, 7, 6, 5, 1]}
    )
    groups = pd.Series(["A"] * 4 + ["B"] * 5, index=list("abcdefghi"), name="g")
    table = nps_by_group(responses, groups)
    test = compare_nps(table, min_n=1)
    # A: NPS 50, variance 1e4·(0.75+0.25-0.25)/4 = 1875; B: NPS -40, variance 1e4·(0.8-0.16)/5 = 1280
    z = 90 / math.sqrt(1875 + 1280)
    assert test.method == "z"
    assert test.difference == pytest.approx(90.0)
    assert test.statistic == pytest.approx(z)
    assert test.p_value == pytest.approx(math.erfc(z / math.sqrt(2)))
    assert not test.significant()
    assert compare_nps(table, min_n=5).method == "none"  # only B has 5 answers


def test_compare_k_groups_chi_square_by_hand():
    table = pd.DataFrame(
        {"n": [10, 10, 10], "promoters": [10, 0, 0], "passives": [0, 10, 0], "detractors": [0, 0, 10],
         "nps": [100.0, 0.0, -100.0]},
        index=["A", "B", "C"],
    )
    test = compare_nps(table, min_n=1)
    # expected 10/3 in every cell: 3·(10-10/3)²/(10/3) + 6·(10/3) = 40 + 20
    assert test.method == "chi2" and test.dof == 4
    assert test.statistic == pytest.approx(60.0)
    assert test.significant()


# --- customer groups


@pytest.fixture
def small_shop():
    customers = pd.DataFrame(
        {
            "customer_id": ["A", "B", "C", "D"],
            "acquisition_channel": ["SNS広告", "SNS広告", None, "友人紹介"],
            "birth_date": pd.to_datetime(["1980-06-01", None, "1990-01-01", "1975-12-31"]),
        }
    )
    orders = pd.DataFrame(
        {
            "order_id": ["o1", "o2", "o3", "o4", "o5"],
            "customer_id": ["A", "A", "B", "C", "C"],
            "order_date": pd.to_datetime(["2024-01-01", "2024-02-01", "2025-06-01", "2024-03-01", "2025-05-01"]),
            "amount": [1000.0, 3000.0, 2000.0, 500.0, 700.0],
            "product": ["青汁", "美容液", "サプリ", "クリーム", "青汁"],
            "is_subscription": [False, True, False, False, False],
        }
    )
    return customers, orders


def test_customer_groups(small_shop):
    customers, orders = small_shop
    channel = customer_groups(customers, "acquisition_channel")
    assert list(channel.astype(str)) == ["SNS広告", "SNS広告", "unknown", "友人紹介"]
    assert list(channel.cat.categories) == ["SNS広告", "友人紹介", "unknown"]  # by size, unknown last
    first = customer_groups(customers, "first_product", orders=orders, as_of="2025-12-31")
    assert list(first.astype(str)) == ["青汁", "サプリ", "クリーム", "unknown"]
    subscription = customer_groups(customers, "subscription", orders=orders, as_of="2025-12-31")
    assert list(subscription.astype(str)) == ["subscriber", "non_subscriber", "non_subscriber", "unknown"]
    # the subscription order is after an earlier as_of
    early = customer_groups(customers, "subscription", orders=orders, as_of="2024-01-15")
    assert early["A"] == "non_subscriber"
    ages = customer_groups(customers, "age_band", as_of="2025-12-31")
    assert list(ages.astype(str)) == ["40代", "unknown", "30代", "50代"]
    # codes are named for display by the one label source; client values keep their own text
    named = [label(c, "ja", "groupings") for c in subscription.cat.categories]
    assert named == ["定期購入なし", "定期購入あり", "不明"]  # by size, unknown last
    assert label("SNS広告", "en", "groupings") == "SNS広告"
    with pytest.raises(ValueError):
        customer_groups(customers, "email")
    with pytest.raises(ValueError):
        customer_groups(customers, "no_such_column")


# --- segments: value and playbook


def test_value_by_group_hand_computed(small_shop):
    customers, orders = small_shop
    facts = purchases.customer_purchases(orders, "2025-12-31")
    groups = pd.Series(
        pd.Categorical(["high", "high", "low", "no_answer"], categories=list(SEGMENTS)),
        index=pd.Index(["A", "B", "C", "D"], name="customer_id"),
        name="segment",
    )
    table = value_by_group(groups, facts)
    high, low, none = table.loc["high"], table.loc["low"], table.loc["no_answer"]
    assert (high.customers, high.share, high.buyers) == (2, 0.5, 2)
    assert high.repeat_rate == 0.5  # A repeats, B does not
    assert high.aov == pytest.approx((1000 + 3000 + 2000) / 3)
    assert high.orders_per_customer == 1.5
    assert (high.ltv_1y, high.ltv_1y_customers) == (4000.0, 1)  # B's first year is not complete
    assert (low.ltv_1y, low.orders_per_customer, low.repeat_rate) == (500.0, 2.0, 1.0)  # C's 2nd order is day 426
    assert table.loc["mid", "customers"] == 0
    assert none.customers == 1 and none.buyers == 0 and math.isnan(none.repeat_rate) and math.isnan(none.ltv_1y)


def test_segment_playbook_and_list(small_shop):
    customers, orders = small_shop
    facts = purchases.customer_purchases(orders, "2025-12-31")
    nps = _nps([("A", "2025-01-01", 10), ("C", "2025-01-01", 3)])
    segments = customer_segments(customers, nps, "2025-12-31")
    playbook = loyalty_tables.segment_playbook(value_by_group(segments, facts))
    assert list(playbook.index) == list(SEGMENTS)
    assert playbook.loc["high", "approach"] == "専任担当者"
    assert playbook.loc["mid", "approach"] == "複数スタッフ"
    assert "LINE" in playbook.loc["low", "approach"] and "チャット" in playbook.loc["low", "approach"]
    assert "アンケート" in playbook.loc["no_answer", "approach"]
    assert list(playbook["customers"]) == [1, 0, 1, 2]
    listing = segment_list(segments, facts, nps, "2025-12-31", key=b"k" * 32)
    assert listing["customer_id"].str.fullmatch(r"P-[0-9a-f]{16}").all()
    assert not set(listing.columns) & {"name", "email", "phone", "birth_date"}
    assert list(listing["segment"]) == ["high", "low", "no_answer", "no_answer"]  # codes; named for display
    named = loyalty_tables.segment_list_with_approach(listing, "en")
    assert list(named["segment"]) == ["High loyalty", "Low loyalty", "No answer", "No answer"]
    assert named.loc[0, "approach"] == "A dedicated person" and list(named.columns[1:3]) == ["segment", "approach"]
    assert list(listing["revenue"]) == [4000, 1200, 2000, 0]
    shown = segment_list(segments, facts, nps, "2025-12-31", show_customer_ids=True)
    assert list(shown["customer_id"]) == ["A", "C", "B", "D"]


# --- fan survey


def _fan(rows):
    return pd.DataFrame(rows, columns=["customer_id", "response_date", "fan_stage", "liking"]).assign(
        response_date=lambda f: pd.to_datetime(f["response_date"])
    )


def test_fan_answers_join_nearest_nps_and_ltv():
    fan = _fan([("a", "2025-03-10", 4, 6), ("a", "2024-01-01", 1, 3), ("b", "2025-05-01", 2, 5)])
    nps = _nps([("a", "2025-01-01", 3), ("a", "2025-03-12", 9), ("a", "2026-01-01", 0)])
    facts = pd.DataFrame(
        {"first_year_value": [60000.0, 8000.0], "first_year_complete": [True, False]}, index=["a", "b"]
    )
    answers = fan_answers(fan, "2025-12-31", nps=nps, purchases=facts)
    assert list(answers["customer_id"]) == ["a", "b"]
    assert list(answers["fan_stage"]) == [4, 2]  # a's latest answer
    assert answers["score"].iloc[0] == 9  # the NPS answer two days later, not the earlier one
    assert pd.isna(answers["score"].iloc[1])
    assert answers["first_year_value"].iloc[0] == 60000.0 and math.isnan(answers["first_year_value"].iloc[1])
    assert len(fan_answers(fan, "2025-12-31", latest_only=False)) == 3


def test_fan_matrix_counts_shares_means_and_nps():
    answers = pd.DataFrame(
        {"fan_stage": [5, 5, 5, 0], "liking": [7, 7, 7, 1], "score": [10, 9, 6, 0],
         "first_year_value": [100.0, 200.0, np.nan, 50.0]}
    )
    counts = fan_matrix(answers)
    assert counts.shape == (6, 7) and counts.to_numpy().sum() == 4
    assert counts.loc[5, 7] == 3 and counts.loc[0, 1] == 1 and counts.loc[3, 4] == 0
    assert fan_matrix(answers, "share").loc[5, 7] == 0.75
    means = fan_matrix(answers, "mean", value="first_year_value")
    assert means.loc[5, 7] == 150.0 and np.isnan(means.loc[3, 4])
    nps = fan_matrix(answers, "nps")
    assert nps.loc[5, 7] == pytest.approx(100 * (2 - 1) / 3)
    assert nps.loc[0, 1] == -100.0
    assert np.isnan(fan_matrix(answers, "nps", min_n=4).loc[5, 7])


@pytest.mark.parametrize(
    "stage, liking, tier",
    [(4, 6, "core_fan"), (5, 7, "core_fan"), (4, 5, "fan"), (2, 5, "fan"), (3, 6, "fan"),
     (2, 4, "light"), (1, 7, "light"), (0, 7, "non_fan"), (0, 1, "non_fan")],
)
def test_fan_tiers_edges(stage, liking, tier):
    answers = pd.DataFrame({"fan_stage": [stage], "liking": [liking]})
    assert fan_tiers(answers).iloc[0] == tier


def test_fan_tiers_parameters_and_summary():
    answers = pd.DataFrame(
        {"fan_stage": [0, 5, 2, 1], "liking": [7, 7, 5, 3], "score": [5.0, 10.0, 8.0, np.nan],
         "first_year_value": [1000.0, 9000.0, np.nan, 500.0]}
    )
    assert fan_tiers(answers, non_fan_max_stage=-1).iloc[0] == "light"
    assert fan_tiers(answers, core_min_stage=2, core_min_liking=5).iloc[2] == "core_fan"
    summary = fan_tier_summary(answers, fan_tiers(answers))
    assert list(summary.index) == list(FAN_TIERS)
    assert list(summary["customers"]) == [1, 1, 1, 1]
    assert summary.loc["core_fan", "nps"] == 100.0 and summary.loc["fan", "nps"] == 0.0
    assert summary.loc["non_fan", "mean_score"] == 5.0 and np.isnan(summary.loc["light", "mean_score"])
    assert summary.loc["light", "ltv_1y"] == 500.0 and summary.loc["fan", "ltv_1y_customers"] == 0


# --- expectation vs evaluation


def test_expectation_outcome():
    frame = pd.DataFrame(
        {"expectation": pd.array([3, 3, 3, pd.NA, 5], dtype="Int64"),
         "evaluation": pd.array([2, 3, 5, 3, 1], dtype="Int64")}
    )
    outcome = emotion.expectation_outcome(frame)
    assert list(outcome.astype(object)[:3]) == ["dissatisfied", "satisfied", "delighted"]
    assert pd.isna(outcome.iloc[3]) and outcome.iloc[4] == "dissatisfied"
    survey = pd.DataFrame({"exp_q": [4], "eval_q": [4]})
    assert emotion.expectation_outcome(survey, expectation="exp_q", evaluation="eval_q").iloc[0] == "satisfied"


def test_expectation_table_on_the_sample_worksheet(sample_dir):
    from helpers import io
    from helpers.sample import FRICTION_TOUCHPOINT

    journey = io.load_data(sample_dir, tables=["journey"]).journey
    table = emotion.expectation_evaluation(journey, scenario="as_is")
    assert set(table["scenario"]) == {"as_is"}
    assert (table["gap"] == table["evaluation"] - table["expectation"]).all()
    worst = table.loc[table["gap"].idxmin()]
    assert worst["touchpoint"] == FRICTION_TOUCHPOINT and worst["outcome"] == "dissatisfied"


# --- charts render Japanese


def test_loyalty_charts_render_japanese_without_missing_glyphs(small_shop):
    import warnings

    import matplotlib.pyplot as plt

    from helpers.plotting import loyalty as charts
    from helpers.plotting import use_style

    use_style()
    responses = pd.DataFrame({"customer_id": list("abcd"), "score": [10, 8, 3, 9]})
    groups = pd.Series(["定期購入あり", "定期購入なし", "定期購入なし", "定期購入あり"], index=list("abcd"), name="g")
    answers = pd.DataFrame({"fan_stage": [5, 0], "liking": [7, 1], "score": [10, 0]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph is a warning
        axes = [
            charts.plot_nps_breakdown(nps_table(responses)),
            charts.plot_nps_by_group(nps_by_group(responses, groups)),
            charts.plot_nps_trend(nps_trend(_nps([("a", "2025-01-01", 9)]), "2025-03-31")),
            charts.plot_fan_matrix(fan_matrix(answers, "nps"), fmt="{:+.0f}"),
            charts.plot_group_values(
                pd.DataFrame({"ltv_1y": [100.0, 50.0]}, index=["high", "low"]), column="ltv_1y"
            ),
        ]
        for ax in axes:
            ax.figure.canvas.draw()
    labels = [t.get_text() for t in axes[3].get_yticklabels()]
    assert labels[0] == "0: ファンではない"
    assert all(len(line) <= 13 for text in labels for line in text.split("\n")[1:])  # wrapped
    assert axes[0].get_legend().get_texts()[0].get_text() == "推奨者"
    plt.close("all")


def test_result_table_japanese_headers():
    from helpers.tables.loyalty import result_table as format_table

    table = pd.DataFrame({"customers": [1200], "share": [0.256], "ltv_1y": [61454.9]}, index=["high"])
    shown = format_table(table, percent=["share"], yen=["ltv_1y"], translate_index=True)
    assert list(shown.columns) == ["顧客数", "構成比", "1年LTV"]
    assert shown.iloc[0].tolist() == ["1,200", "25.6%", "61,455円"]
    assert shown.index[0] == "ロイヤリティ高"
    english = format_table(table, lang="en", yen=["ltv_1y"], translate_index=True)
    assert english.loc["High loyalty", "1-year LTV"] == "¥61,455"
