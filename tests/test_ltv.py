"""LTV: classic formula, Kaplan-Meier lifetime and friction scenarios on hand-computed cases."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from helpers import ltv, sample
from helpers.tables import MISSING
from helpers.tables import ltv as ltv_tables

YEAR = ltv.DAYS_PER_YEAR


def _orders(rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["customer_id", "order_date", "amount"])
    frame["order_date"] = pd.to_datetime(frame["order_date"])
    frame.insert(0, "order_id", [f"o{i}" for i in range(len(frame))])
    return frame


# ---------------------------------------------------------------------------
# Classic LTV
# ---------------------------------------------------------------------------
@pytest.fixture
def classic_orders():
    return _orders(
        [
            ("A", "2024-06-01", 1000.0),
            ("A", "2025-03-01", 2000.0),
            ("A", "2025-09-01", 4000.0),
            ("B", "2024-05-01", 500.0),
            ("C", "2025-02-01", 3000.0),
            ("D", "2024-01-01", 700.0),  # before the previous window (it starts 2024-01-02)
            ("D", "2025-12-31", 1000.0),  # as_of itself is inside the period
            ("E", "2024-12-31", 100.0),
            ("E", "2026-01-01", 9999.0),  # after as_of: ignored
        ]
    )


def test_classic_ltv_hand_computed(classic_orders):
    segments = pd.Series(
        pd.Categorical(["high", "high", "low", "low"], categories=["high", "mid", "low", "no_answer"], ordered=True),
        index=pd.Index(["A", "B", "C", "D"], name="customer_id"),
    )
    table = ltv.classic_ltv(classic_orders, "2025-12-31", segments)
    assert table.index.tolist() == ["all", "high", "mid", "low", "no_answer"]

    everyone = table.loc["all"]
    # period 2025-01-01..2025-12-31: A (2000 + 4000), C (3000), D (1000)
    assert (everyone.customers, everyone.orders, everyone.revenue) == (3, 4, 10000.0)
    assert everyone.aov == pytest.approx(2500.0)
    assert everyone.frequency == pytest.approx(4 / 3)
    assert everyone.ltv_1y == pytest.approx(2500.0 * 4 / 3)
    # previous 2024-01-02..2024-12-31: A, B, E; only A bought again
    assert (everyone.previous_customers, everyone.retained) == (3, 1)
    assert everyone.retention == pytest.approx(1 / 3)
    assert everyone.churn == pytest.approx(2 / 3)

    high = table.loc["high"]
    assert (high.customers, high.aov, high.frequency, high.ltv_1y) == (1, 3000.0, 2.0, 6000.0)
    assert high.retention == pytest.approx(0.5)
    low = table.loc["low"]
    assert (low.customers, low.aov, low.frequency, low.ltv_1y) == (2, 2000.0, 1.0, 2000.0)
    assert np.isnan(low.retention)  # nobody of the segment bought in the previous period
    assert table.loc["mid", "customers"] == 0 and np.isnan(table.loc["mid", "ltv_1y"])


def test_classic_ltv_shorter_period(classic_orders):
    table = ltv.classic_ltv(classic_orders, "2025-12-31", period_days=300)
    # period 2025-03-07..2025-12-31: A (4000), D (1000); previous 2024-05-11..2025-03-06: A, C, E
    everyone = table.loc["all"]
    assert (everyone.customers, everyone.orders, everyone.revenue) == (2, 2, 5000.0)
    assert (everyone.previous_customers, everyone.retained) == (3, 1)


# ---------------------------------------------------------------------------
# Kaplan-Meier lifetime
# ---------------------------------------------------------------------------
@pytest.fixture
def km_orders():
    # as_of 2024-01-31, lapse after 10 days without a purchase
    return _orders(
        [
            ("A", "2024-01-01", 1000.0),  # lapses 01-11: duration 10
            ("B", "2024-01-01", 1000.0),
            ("B", "2024-01-05", 3000.0),  # lapses 01-15: duration 14
            ("C", "2024-01-10", 1000.0),
            ("C", "2024-01-25", 1000.0),  # lapse 02-04 is after as_of: censored at 21
            ("D", "2024-01-03", 1000.0),
            ("D", "2024-01-07", 1000.0),  # lapses 01-17: duration 14
            ("E", "2024-01-20", 1000.0),  # lapses 01-30: duration 10
            ("F", "2024-01-25", 1000.0),  # censored at 6
            ("G", "2024-01-01", 1000.0),
            ("G", "2024-01-22", 1000.0),  # lapse 02-01 after as_of: censored at 30
            ("H", "2024-01-21", 1000.0),  # lapses on as_of itself: lapsed, duration 10
        ]
    )


def test_customer_lifetimes_durations(km_orders):
    lifetimes = ltv.customer_lifetimes(km_orders, "2024-01-31", lapse_days=10)
    assert lifetimes["duration_days"].to_dict() == {
        "A": 10, "B": 14, "C": 21, "D": 14, "E": 10, "F": 6, "G": 30, "H": 10
    }
    assert lifetimes.index[lifetimes["lapsed"]].tolist() == ["A", "B", "D", "E", "H"]


def test_customer_lifetimes_agree_with_purchases():
    from helpers import purchases

    orders = sample.generate_sample(300, seed=5)["orders"]
    as_of = "2025-06-30"  # later orders exist and are ignored by both
    ours = ltv.customer_lifetimes(orders, as_of).sort_index()
    theirs = purchases.customer_purchases(orders, as_of)
    assert ours.index.tolist() == theirs.index.tolist()
    for column in ("first_order", "last_order", "n_orders"):
        assert (ours[column] == theirs[column]).all(), column
    np.testing.assert_allclose(ours["revenue"], theirs["revenue"])


def test_kaplan_meier_steps_by_hand(km_orders):
    lifetimes = ltv.customer_lifetimes(km_orders, "2024-01-31", lapse_days=10)
    curve = ltv.retention_curve(lifetimes)
    # t=6: F censored (8 at risk); t=10: 3 of 7 lapse -> 4/7; t=14: 2 of 4 -> 2/7;
    # t=21 and t=30: censored, the curve stays at 2/7
    assert curve["days"].tolist() == [0, 6, 10, 14, 21, 30]
    np.testing.assert_allclose(curve["retention"], [1, 1, 4 / 7, 2 / 7, 2 / 7, 2 / 7])
    assert curve["at_risk"].tolist() == [8, 8, 7, 4, 2, 1]
    assert curve["lapsed"].tolist() == [0, 0, 3, 2, 0, 0]
    assert curve["censored"].tolist() == [0, 1, 0, 0, 1, 1]
    assert (curve["lower"] <= curve["retention"]).all() and (curve["upper"] >= curve["retention"]).all()
    assert curve["lower"].iloc[3] < 2 / 7 < curve["upper"].iloc[3]


def test_restricted_mean_by_hand(km_orders):
    lifetimes = ltv.customer_lifetimes(km_orders, "2024-01-31", lapse_days=10)
    curve = ltv.retention_curve(lifetimes)
    # area up to day 30: 10 x 1 + 4 x 4/7 + 16 x 2/7 = 118/7 days
    at_30 = ltv.expected_lifetime(curve, horizon_years=30 / YEAR)
    assert at_30.years * YEAR == pytest.approx(118 / 7)
    assert at_30.followup_years * YEAR == pytest.approx(30) and at_30.extrapolated_years == 0
    # up to day 20: 10 + 4 x 4/7 + 6 x 2/7 = 14 days
    assert ltv.expected_lifetime(curve, horizon_years=20 / YEAR).years * YEAR == pytest.approx(14)

    # beyond the follow-up (day 30) up to day 40
    horizon = 40 / YEAR
    hold = ltv.expected_lifetime(curve, horizon, tail="hold")
    assert hold.years * YEAR == pytest.approx(118 / 7 + 10 * 2 / 7)
    assert hold.extrapolated_years * YEAR == pytest.approx(10)
    cap = ltv.expected_lifetime(curve, horizon, tail="cap")
    assert cap.years * YEAR == pytest.approx(118 / 7) and cap.horizon_years * YEAR == pytest.approx(30)
    # exponential tail: the curve fell from 4/7 (day 10) to 2/7 (day 30) over the
    # 20-day window, a daily hazard of ln 2 / 20
    hazard = np.log(2) / 20
    tail_area = 2 / 7 * (1 - np.exp(-hazard * 10)) / hazard
    expo = ltv.expected_lifetime(curve, horizon, tail="exponential", tail_window_days=20)
    assert expo.years * YEAR == pytest.approx(118 / 7 + tail_area)


def test_discounted_restricted_mean_by_hand(km_orders):
    curve = ltv.retention_curve(ltv.customer_lifetimes(km_orders, "2024-01-31", lapse_days=10))
    rate = 0.10
    delta = np.log(1 + rate) / YEAR

    def piece(a, b):
        return (np.exp(-delta * a) - np.exp(-delta * b)) / delta

    expected = piece(0, 10) + 4 / 7 * piece(10, 14) + 2 / 7 * piece(14, 30)
    got = ltv.expected_lifetime(curve, horizon_years=30 / YEAR, discount_rate=rate)
    assert got.years * YEAR == pytest.approx(expected)
    assert got.years * YEAR < 118 / 7


def test_lifetime_ltv_by_hand(km_orders):
    lifetimes = ltv.customer_lifetimes(km_orders, "2024-01-31", lapse_days=10)
    table = ltv.lifetime_ltv(lifetimes, horizon_years=30 / YEAR, margin=0.4)
    row = table.loc["all"]
    # 12 orders, 14000 yen; durations sum to 115 days
    assert row.customers == 8
    assert row.aov == pytest.approx(14000 / 12)
    assert row.frequency == pytest.approx(12 / (115 / YEAR))
    assert row.lifetime_years * YEAR == pytest.approx(118 / 7)
    assert row.ltv == pytest.approx(14000 / 12 * 12 / 115 * 118 / 7 * 0.4)
    assert row.ltv_low < row.ltv < row.ltv_high


def test_lifetime_ltv_segments_keep_their_order(km_orders):
    lifetimes = ltv.customer_lifetimes(km_orders, "2024-01-31", lapse_days=10)
    segments = pd.Series(
        pd.Categorical(["low", "high", "high"], categories=["high", "mid", "low", "no_answer"], ordered=True),
        index=pd.Index(["A", "B", "G"], name="customer_id"),
    )
    table = ltv.lifetime_ltv(lifetimes, segments, horizon_years=30 / YEAR)
    assert table.index.tolist() == ["all", "high", "mid", "low", "no_answer"]
    assert table["customers"].tolist() == [8, 2, 0, 1, 0]
    # A alone: lapsed at day 10, one order of 1000 -> LTV 1000 exactly
    assert table.loc["low", "ltv"] == pytest.approx(1000.0)
    assert np.isnan(table.loc["mid", "ltv"])


# ---------------------------------------------------------------------------
# Friction scenarios
# ---------------------------------------------------------------------------
@pytest.fixture
def scenario_data():
    """Low raters L1, L2 (one order, stay 10 days); others R1, R2 (two orders, 15 days); N never rated."""
    orders = _orders(
        [
            ("L1", "2024-01-01", 1000.0),
            ("L2", "2024-01-02", 1000.0),
            ("R1", "2024-01-01", 1000.0),
            ("R1", "2024-01-06", 1000.0),
            ("R2", "2024-01-02", 1000.0),
            ("R2", "2024-01-07", 1000.0),
            ("N", "2024-01-03", 1000.0),
        ]
    )
    ratings = pd.DataFrame(
        {
            "customer_id": ["L1", "L2", "R1", "R2", "L1", "L2", "R1"],
            "touchpoint": ["open", "open", "open", "open", "site", "site", "site"],
            "rating": [1, 2, 4, 5, 2, 1, 5],
        }
    )
    lifetimes = ltv.customer_lifetimes(orders, "2024-12-31", lapse_days=10)
    return lifetimes, ratings


def test_scenario_by_hand(scenario_data):
    lifetimes, ratings = scenario_data
    result = ltv.friction_scenarios(lifetimes, ratings, ["open"], share=0.5)
    # base: 5 customers, 7 orders over 60 days; retention 1 to day 10, then 2/5 to day 15
    assert result.baseline["ltv"] == pytest.approx(1000 * 7 / 60 * (10 + 0.4 * 5))  # 1400
    group = result.groups.loc["open"]
    assert group.ltv_low == pytest.approx(1000 * 2 / 20 * 10)  # 1000 per low rater
    assert group.ltv_fixed == pytest.approx(1000 * 4 / 30 * 15)  # 2000: the others' frequency and lifetime
    assert group.gain == pytest.approx(1000)
    assert result.scale == pytest.approx(5 / 4)  # 4 of 5 customers answered the survey
    row = result.scenarios.loc["open"]
    assert row.customers_low == 2 and row.customers_fixed == pytest.approx(0.5 * 1.25 * 2)
    assert row.value_gained == pytest.approx(0.5 * 1.25 * 2 * 1000)
    assert row.ltv_after == pytest.approx(1400 + 1250 / 5)

    unscaled = ltv.friction_scenarios(lifetimes, ratings, ["open"], share=0.5, scale_to_base=False)
    assert unscaled.scenarios.loc["open", "ltv_after"] == pytest.approx(1400 + 1000 / 5)


def test_customer_low_on_two_points_counts_once(scenario_data):
    lifetimes, ratings = scenario_data
    result = ltv.friction_scenarios(lifetimes, ratings, ["open", "site"], share=1.0)
    combined = result.scenarios.loc["combined"]
    assert combined.customers_low == 2
    # both points single out L1 and L2 with the same gain: fixing both is worth one fix
    assert combined.value_gained == pytest.approx(result.scenarios.loc["open", "value_gained"])
    steps = result.waterfall[result.waterfall["kind"] == "step"]["value"]
    assert steps.sum() == pytest.approx(combined.ltv_after - result.baseline["ltv"])


def test_touchpoint_names_match_however_spelled(scenario_data):
    lifetimes, ratings = scenario_data
    plain = ltv.friction_scenarios(lifetimes, ratings, ["open"], share=0.5)
    spelled = ltv.friction_scenarios(lifetimes, ratings, ["ｏｐｅｎ ", "open"], share=0.5)  # full-width, trailing space
    assert spelled.scenarios.index.tolist() == ["ｏｐｅｎ ", "combined"]
    assert spelled.scenarios["ltv_after"].tolist() == plain.scenarios["ltv_after"].tolist()


def test_low_raters_better_than_others_gain_nothing(scenario_data):
    lifetimes, ratings = scenario_data
    flipped = ratings.assign(rating=6 - ratings["rating"])  # now R1, R2 are the low raters
    result = ltv.friction_scenarios(lifetimes, flipped, ["open"], share=1.0)
    assert result.groups.loc["open", "gain"] == 0
    assert result.scenarios.loc["open", "ltv_after"] == result.baseline["ltv"]


def test_roi_and_acquisition_by_hand(scenario_data):
    lifetimes, ratings = scenario_data
    result = ltv.friction_scenarios(lifetimes, ratings, ["open"], share=0.5)
    roi = ltv.improvement_roi(result, cost=1000.0, customers_per_year=10)
    row = roi.loc["open"]
    assert row.benefit == pytest.approx(250 * 10)  # LTV gain per customer x new customers per year
    assert row.roi == pytest.approx((2500 - 1000) / 1000)
    assert row.customers_kept == pytest.approx(1.25 / 5 * 10)
    assert row.retention_cost == pytest.approx(1000 / 2.5)
    assert row.acquisition_cost == pytest.approx(5 * 400)
    assert row.new_customers_for_budget == pytest.approx(0.5)
    assert row.acquisition_value == pytest.approx(0.5 * 1400)
    assert row.benefit_vs_acquisition == pytest.approx(2500 / 700)
    fixed_cpa = ltv.improvement_roi(result, {"open": 2000.0}, 10, acquisition_cost_per_customer=500.0)
    assert fixed_cpa.loc["open", "new_customers_for_budget"] == pytest.approx(4.0)
    assert fixed_cpa.loc["combined", "cost"] == 2000.0


@pytest.fixture(scope="module")
def generated():
    tables = sample.generate_sample(1500, seed=11)
    as_of = sample.AS_OF
    lifetimes = ltv.customer_lifetimes(tables["orders"], as_of)
    return lifetimes, tables["touchpoint_ratings"], as_of


def test_no_change_is_exactly_the_baseline(generated):
    lifetimes, ratings, as_of = generated
    overall = ltv.lifetime_ltv(lifetimes, discount_rate=0.03, margin=0.6).loc["all", "ltv"]
    none = ltv.friction_scenarios(lifetimes, ratings, [], as_of=as_of, discount_rate=0.03, margin=0.6)
    assert none.baseline["ltv"] == overall
    assert none.scenarios.loc["combined", "ltv_after"] == overall
    zero = ltv.friction_scenarios(
        lifetimes, ratings, list(sample.TOUCHPOINTS), share=0.0, as_of=as_of, discount_rate=0.03, margin=0.6
    )
    assert (zero.scenarios["ltv_after"] == overall).all()
    assert (zero.scenarios["value_gained"] == 0).all()


def test_more_improvement_never_lowers_ltv(generated):
    lifetimes, ratings, as_of = generated
    points = list(sample.TOUCHPOINTS)
    shares = [0.0, 0.1, 0.3, 0.5, 0.8, 1.0]
    by_share = [
        ltv.friction_scenarios(lifetimes, ratings, points, share=s, as_of=as_of).scenarios["ltv_after"]
        for s in shares
    ]
    for lower, higher in zip(by_share, by_share[1:], strict=False):
        assert (higher >= lower).all()
    # some touchpoint's low raters do better than its other raters on a component,
    # so the clipping is exercised
    groups = ltv.friction_scenarios(lifetimes, ratings, points, as_of=as_of).groups
    assert (groups["frequency_low"] > groups["frequency_reference"]).any()

    rng = np.random.default_rng(3)
    after = {}
    subsets = [()] + [tuple(sorted(rng.choice(len(points), size=k, replace=False))) for k in (1, 2, 3, 4, 5, 6, 9)]
    for subset in subsets:
        chosen = [points[i] for i in subset]
        after[subset] = ltv.friction_scenarios(
            lifetimes, ratings, chosen, share=0.5, as_of=as_of
        ).scenarios.loc["combined", "ltv_after"]
    for small, large in itertools.permutations(subsets, 2):
        if set(small) <= set(large):
            assert after[large] >= after[small]
    assert after[tuple(range(len(points)))] > after[()]

    full = ltv.friction_scenarios(lifetimes, ratings, points, share=0.5, as_of=as_of)
    assert full.waterfall["cumulative"].iloc[-2] == full.scenarios.loc["combined", "ltv_after"]
    assert (full.waterfall.loc[full.waterfall["kind"] == "step", "value"] >= 0).all()


def test_latest_rating_counts_like_the_touchpoints_module():
    from helpers import touchpoints

    ratings = pd.DataFrame(
        {
            "customer_id": ["A", "A", "A", "B", "B", "C", "C", "D"],
            "touchpoint": ["open", "open", "site", "open", "ｏｐｅｎ", "open", "open", "open"],
            "rating": [1, 5, 2, 4, 1, 2, 5, 3],
            "response_date": pd.to_datetime(
                ["2024-03-01", "2024-02-01", "2024-01-01", None, "2024-01-01", "2024-05-01", "2024-05-01", None]
            ),
        }
    )
    customers = pd.Index(["A", "B", "C", "X"])
    matrix, answered = ltv._rating_matrix(ratings, ["open", "site"], customers)
    respondents = int(answered.sum())
    # A: the March answer (1) is the latest; B: the undated answer counts as oldest;
    # C: same date, the row listed last wins; D never bought; X never answered
    expected = np.array([[1, 2], [1, np.nan], [5, np.nan], [np.nan, np.nan]])
    np.testing.assert_array_equal(matrix, expected)
    assert respondents == 3
    assert answered.tolist() == [True, True, True, False]  # X never answered
    reference = touchpoints.latest_ratings(ratings).set_index(["customer_id", "key"])["rating"]
    for i, customer in enumerate(["A", "B", "C"]):
        assert matrix[i, 0] == reference[(customer, "open")]


def test_friction_touchpoint_shows_the_planted_effect(generated):
    lifetimes, ratings, as_of = generated
    result = ltv.friction_scenarios(lifetimes, ratings, [sample.FRICTION_TOUCHPOINT], as_of=as_of)
    group = result.groups.loc[sample.FRICTION_TOUCHPOINT]
    assert group.lifetime_low < group.lifetime_reference
    assert group.frequency_low < group.frequency_reference
    assert result.scenarios.loc["combined", "ltv_after"] > result.baseline["ltv"]


# ---------------------------------------------------------------------------
# Predicted-CLV lists and report tables
# ---------------------------------------------------------------------------
@pytest.fixture
def customer_value():
    ids = pd.Index(["A", "B", "C", "D", "E"], name="customer_id")
    lifetimes = pd.DataFrame(
        {
            "n_orders": [1, 2, 3, 4, 5],
            "revenue": [100.0, 200.0, 300.0, 400.0, 500.0],
            "last_order": pd.to_datetime(["2025-01-01"] * 5),
        },
        index=ids,
    )
    predictions = pd.DataFrame(
        {"p_alive": [0.1, 0.9, 0.2, 0.3, 0.8], "expected_purchases": [0.1, 2, 0.3, 0.4, 3], "clv": [1.0, 50, 3, 4, 90]},
        index=pd.Index(["E", "D", "C", "B", "A"]),  # another order: joined by id
    )
    segments = pd.Series(pd.Categorical(["high", "low", "mid", "high", "no_answer"]), index=ids)
    return ltv.customer_value(predictions, lifetimes, segments)


def test_customer_value_joins_by_id(customer_value):
    assert customer_value.loc["A", "p_alive"] == 0.8 and customer_value.loc["E", "clv"] == 1.0
    assert customer_value.loc["C", "segment"] == "mid"


def test_churn_warning_list_by_hand(customer_value):
    # top 40% by spend: at or above the 60% quantile of 100..500, i.e. 340 -> D (400) and E (500);
    # of those, P(alive) below 0.5: E (0.1)
    warning = ltv.churn_warning_list(customer_value, 0.4, 0.5)
    assert warning.customers.index.tolist() == ["E"]
    assert warning.revenue_threshold == 340 and warning.high_value_customers == 2 and warning.max_p_alive == 0.5
    # everyone counts as high-value: B (0.3), C (0.2) and E (0.1) are below 0.5; highest spend first
    assert ltv.churn_warning_list(customer_value, 1.0, 0.5).customers.index.tolist() == ["E", "C", "B"]


def test_customers_display_is_pseudonymous_by_default(customer_value):
    shown = ltv_tables.customers_display(customer_value, lang="ja", key=b"k" * 32)
    assert shown.index.name == "顧客ID"
    assert shown.index.str.fullmatch(r"P-[0-9a-f]{16}").all()
    assert "予測CLV (円)" in shown.columns and shown.loc[shown.index[4], "生存確率"] == "10.0%"
    assert shown.loc[shown.index[1], "セグメント"] == "ロイヤリティ低"
    raw = ltv_tables.customers_display(customer_value, show_customer_ids=True, lang="en", formatted=False)
    assert raw.index.tolist() == ["A", "B", "C", "D", "E"]
    assert raw.loc["D", "Spend to date (JPY)"] == 400.0 and raw.loc["A", "Segment"] == "High loyalty"


def test_report_tables_label_rows_and_columns(scenario_data):
    lifetimes, ratings = scenario_data
    result = ltv.friction_scenarios(lifetimes, ratings, ["open", "site"], share=0.5)
    table = ltv_tables.scenario_display(result, "ja")
    assert table.index.tolist() == ["open", "site", "すべて改善"]
    assert table.loc["open", "LTV 改善前"] == "1,400円" and table.loc["open", "LTV 改善後"] == "1,650円"
    single = ltv_tables.scenario_display(ltv.friction_scenarios(lifetimes, ratings, ["open"]), "en")
    assert single.index.tolist() == ["open"]  # the combined row would only repeat it
    classic = ltv_tables.classic_display(ltv.classic_ltv(_orders([("A", "2025-06-01", 1234.0)]), "2025-12-31"), "en")
    assert classic.loc["All customers", "1-year LTV"] == "¥1,234"
    assert classic.loc["All customers", "Retention"] == MISSING  # nobody bought in the previous period


# ---------------------------------------------------------------------------
# Plots
# ---------------------------------------------------------------------------
def test_waterfall_bars_follow_the_steps(scenario_data):
    import matplotlib.pyplot as plt

    from helpers.plotting.ltv import plot_ltv_waterfall

    lifetimes, ratings = scenario_data
    result = ltv.friction_scenarios(lifetimes, ratings, ["open", "site"], share=0.5)
    ax = plot_ltv_waterfall(result, lang="en")
    bars = ax.patches
    # baseline, "open" (+250), "site" adds nothing and is hidden, after
    assert [round(b.get_height(), 6) for b in bars] == [1400.0, 250.0, 1650.0]
    assert bars[1].get_y() == pytest.approx(1400.0)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Baseline", "open", "After"]
    plt.close(ax.figure)


def test_waterfall_error_bars_are_the_combined_intervals(scenario_data):
    import matplotlib.pyplot as plt

    from helpers.plotting.ltv import plot_ltv_waterfall

    lifetimes, ratings = scenario_data
    result = ltv.friction_scenarios(lifetimes, ratings, ["open", "site"], share=0.5)
    intervals = pd.DataFrame(
        {"ltv_before_low": [1300.0], "ltv_before_high": [1450.0],
         "ltv_after_low": [1500.0], "ltv_after_high": [1900.0]},
        index=pd.Index([ltv.COMBINED], name="scenario"),
    )
    ax = plot_ltv_waterfall(result, lang="en", intervals=intervals)
    segments = ax.collections[0].get_segments()
    # one vertical bar on the baseline (x 0) and one on "after" (x 2), from low to high
    assert [(seg[0][0], *sorted((seg[0][1], seg[1][1]))) for seg in segments] == [
        (0, 1300.0, 1450.0), (2, 1500.0, 1900.0)
    ]
    assert ax.get_ylim()[1] > 1900.0  # the upper end stays in view
    plt.close(ax.figure)


def test_retention_plot_draws_each_group(km_orders):
    import matplotlib.pyplot as plt

    from helpers.plotting.ltv import plot_retention_curves

    lifetimes = ltv.customer_lifetimes(km_orders, "2024-01-31", lapse_days=10)
    segments = pd.Series(["high"] * 4 + ["low"] * 4, index=lifetimes.index)
    ax = plot_retention_curves(ltv.retention_curves(lifetimes, segments), lapse_days=10)
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels[:3] == ["全体", "ロイヤリティ高", "ロイヤリティ低"]
    assert ax.get_xlabel() == "初回購入からの年数"
    plt.close(ax.figure)
