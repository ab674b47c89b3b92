"""Friction points: detection on hand-made curves, the statistics on hand-computed cases, the sample's plant."""

from __future__ import annotations

import io
import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from helpers import friction, sample
from helpers import io as kando_io
from helpers.plotting import friction as plot_friction
from helpers.plotting import use_style


def curves(spec: dict[tuple[str, str], list[int]]) -> pd.DataFrame:
    """A journey table from {(persona, scenario): [emotion per step]}; touchpoints named T<step>."""
    rows = [
        (persona, scenario, step, "購入", f"{persona}{step}", value, f"改善{persona}{step}")
        for (persona, scenario), values in spec.items()
        for step, value in enumerate(values, start=1)
    ]
    frame = pd.DataFrame(rows, columns=["persona", "scenario", "step", "stage", "touchpoint", "emotion", "improvement"])
    return frame.astype({"step": "Int64", "emotion": "Int64", "persona": "string", "scenario": "string",
                         "stage": "string", "touchpoint": "string", "improvement": "string"})


def detected(spec, **kwargs) -> pd.DataFrame:
    return friction.detect_friction(curves(spec), **kwargs).set_index(["persona", "scenario", "step"])


# ---------------------------------------------------------------------------
# Detection
# ---------------------------------------------------------------------------
def test_drop_and_threshold_rules_with_a_plateau():
    steps = detected({("A", "as_is"): [2, -1, -1, -1, 3]}).loc[("A", "as_is")]
    assert np.isnan(steps.loc[1, "drop"])
    assert steps["drop"].iloc[1:].tolist() == [3, 0, 0, -4]
    assert steps["is_friction"].tolist() == [False, True, True, True, False]
    assert steps["reason"].tolist() == ["", "both", "threshold", "threshold", ""]
    # severity = max(0, 0 - (-1) + 1) + max(0, drop): 2 + 3 at the entry, 2 on the plateau
    assert steps["severity"].tolist() == [0, 5, 2, 2, 0]
    # the plateau is one run of three friction points, each counted
    assert steps["run"].tolist() == [0, 1, 1, 1, 0]
    assert steps["run_length"].tolist() == [0, 3, 3, 3, 0]


def test_first_step_has_no_drop_only_the_threshold_rule():
    steps = detected({("A", "as_is"): [-2, 0, 5, 2]}).loc[("A", "as_is")]
    assert np.isnan(steps.loc[1, "drop"]) and steps.loc[1, "reason"] == "threshold"
    assert steps.loc[1, "severity"] == 3  # 0 - (-2) + 1, no drop term
    assert steps.loc[2, "reason"] == "threshold" and steps.loc[2, "severity"] == 1  # a rise adds nothing
    # a fall of 3 above the threshold is a friction point by the drop rule alone
    assert steps.loc[4, "reason"] == "drop" and steps.loc[4, "severity"] == 3
    assert steps["run"].tolist() == [1, 1, 0, 2]


def test_one_step_curves():
    steps = detected({("A", "as_is"): [0], ("B", "as_is"): [1], ("C", "as_is"): [5]}, min_drop=1)
    assert steps["is_friction"].tolist() == [True, False, False]
    assert steps.loc[("A", "as_is", 1), "severity"] == 1
    assert steps["drop"].isna().all()


def test_parameters_change_detection():
    spec = {("A", "as_is"): [3, 1, 0, -2]}
    default = detected(spec)["is_friction"].tolist()
    assert default == [False, True, True, True]  # 3 -> 1 is a drop of 2
    stricter = detected(spec, threshold=-2, min_drop=3)["is_friction"].tolist()
    assert stricter == [False, False, False, True]
    assert detected(spec, threshold=-2, min_drop=3).loc[("A", "as_is", 4), "severity"] == 1 + 2


def test_scenario_selection():
    spec = {("A", "as_is"): [1, -1], ("A", "to_be"): [2, 2]}
    assert set(detected(spec).index.get_level_values("scenario")) == {"as_is"}
    both = detected(spec, scenario=None)
    assert set(both.index.get_level_values("scenario")) == {"as_is", "to_be"}
    assert both.loc[("A", "to_be"), "is_friction"].tolist() == [False, False]


def test_friction_table_without_data_ranks_by_severity_then_persona_then_step():
    journey = curves({("B", "as_is"): [1, -1, 2, 0], ("A", "as_is"): [-1, 3, 1]})
    table = friction.friction_table(journey)
    assert list(table.columns) == list(friction.FRICTION_TABLE_COLUMNS)
    # B2: 2 + drop 2 = 4; B4: 1 + drop 2 = 3; A1: 2 (first step, no drop); A3: 0 + drop 2 = 2
    order = list(zip(table["persona"], table["step"], table["severity"], strict=False))
    # ties at severity 2 (A1 and A3): same persona, so step order; persona B comes first in the sheet
    assert order == [("B", 2, 4.0), ("B", 4, 3.0), ("A", 1, 2.0), ("A", 3, 2.0)]
    assert table["rank"].tolist() == [1, 2, 3, 4]
    assert (table["confirmed"] == "untested").all() and table["effect"].isna().all()
    assert table["n_low"].tolist() == [0, 0, 0, 0]
    assert table.loc[0, "improvement"] == "改善B2"


def test_ties_across_personas_follow_the_worksheet_order():
    journey = curves({("Z", "as_is"): [0], ("A", "as_is"): [0]})
    table = friction.friction_table(journey)
    assert table["persona"].tolist() == ["Z", "A"]  # same severity: Z was written first


def test_friction_table_rejects_an_unknown_metric():
    with pytest.raises(ValueError, match="metric"):
        friction.friction_table(curves({("A", "as_is"): [0]}), metric="ltv")


# ---------------------------------------------------------------------------
# Statistics
# ---------------------------------------------------------------------------
def test_newcombe_interval_matches_the_published_examples():
    # Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10
    result = friction.compare_proportions([56, 9, 5], [70, 10, 56], [48, 3, 0], [80, 10, 29])
    assert result["effect"].round(4).tolist() == [0.2, 0.6, round(5 / 56, 4)]
    assert result["effect_low"].round(4).tolist() == [0.0524, 0.1705, -0.0381]
    assert result["effect_high"].round(4).tolist() == [0.3339, 0.8090, 0.1926]


def test_two_proportion_test_hand_computed_and_against_scipy():
    # 56/70 vs 48/80: pooled p = 104/150, z = 0.2 / sqrt(p(1-p)(1/70 + 1/80))
    pooled = 104 / 150
    z = 0.2 / math.sqrt(pooled * (1 - pooled) * (1 / 70 + 1 / 80))
    expected_p = math.erfc(z / math.sqrt(2))
    result = friction.compare_proportions(56, 70, 48, 80).iloc[0]
    assert result["test"] == "z"
    assert result["p_value"] == pytest.approx(expected_p, rel=1e-9)
    chi2 = stats.chi2_contingency([[56, 14], [48, 32]], correction=False)
    assert result["p_value"] == pytest.approx(chi2.pvalue, rel=1e-9)


def test_fisher_exact_for_small_counts_and_empty_groups():
    small = friction.compare_proportions(9, 10, 3, 10).iloc[0]
    assert small["test"] == "fisher"
    assert small["p_value"] == pytest.approx(stats.fisher_exact([[9, 1], [3, 7]]).pvalue)
    empty = friction.compare_proportions(0, 0, 3, 10).iloc[0]
    assert empty["test"] == "" and np.isnan(empty["effect"]) and np.isnan(empty["p_value"])


def test_holm_adjustment_hand_computed():
    adjusted = friction.holm_adjust([0.01, 0.04, 0.03, np.nan])
    # sorted 0.01, 0.03, 0.04 times 3, 2, 1 -> 0.03, 0.06, 0.04 -> running max 0.03, 0.06, 0.06
    assert adjusted[:3] == pytest.approx([0.03, 0.06, 0.06])
    assert np.isnan(adjusted[3])
    assert friction.holm_adjust([0.9, 0.8]) == pytest.approx([1.0, 1.0])


@pytest.fixture
def small_case():
    """Six customers, hand-made, as_of 2025-12-31, horizon 180 days."""
    orders = pd.DataFrame(
        {
            "order_id": [f"o{i}" for i in range(9)],
            "customer_id": ["c1", "c1", "c2", "c3", "c3", "c4", "c5", "c5", "c6"],
            "order_date": pd.to_datetime(
                ["2025-01-01", "2025-03-01",  # c1: 2nd after 59 days
                 "2025-01-01",  # c2: one order
                 "2025-01-01", "2025-12-01",  # c3: 2nd after 334 days
                 "2025-11-01",  # c4: recent, not eligible for 180-day retention
                 "2025-02-01", "2025-02-10",  # c5: 2nd after 9 days
                 "2026-01-05"]  # c6: after as_of, ignored
            ),
            "amount": 1000.0,
        }
    )
    ratings = pd.DataFrame(
        {
            "customer_id": ["c1", "c2", "c3", "c4", "c5", "c6", "c9"],
            "touchpoint": "開封",
            "rating": [1, 2, 5, 1, 4, 1, 1],  # c6 has no order by as_of, c9 none at all
        }
    )
    return orders, ratings


def test_customer_outcomes_hand_computed(small_case):
    orders, _ = small_case
    outcomes = friction.customer_outcomes(orders, "2025-12-31", horizon_days=180)
    assert sorted(outcomes.index) == ["c1", "c2", "c3", "c4", "c5"]
    assert outcomes.loc["c1", ["second_purchase", "days_to_second"]].tolist() == [True, 59.0]
    assert outcomes.loc["c3", "days_to_second"] == 334.0
    assert bool(outcomes.loc["c3", "retained"]) is False  # came back, but after 180 days
    assert outcomes.loc["c4", "retention_eligible"] == False  # noqa: E712 (numpy bool)
    assert pd.isna(outcomes.loc["c4", "retained"])
    assert bool(outcomes.loc["c5", "retained"]) is True
    assert np.isnan(outcomes.loc["c2", "days_to_second"])


def test_rating_effects_two_by_two_counts(small_case):
    orders, ratings = small_case
    effects = friction.rating_effects(ratings, orders, "2025-12-31", low_rating_max=2, horizon_days=180)
    f2 = effects[effects["metric"] == "f2_conversion"].iloc[0]
    # low raters with orders: c1 (2nd), c2 (none), c4 (none) -> 1 of 3; others: c3, c5 -> 2 of 2
    assert (f2.n_low, f2.x_low, f2.n_other, f2.x_other) == (3, 1, 2, 2)
    assert f2.effect == pytest.approx(1 / 3 - 1)
    assert f2.test == "fisher" and f2.p_value == pytest.approx(stats.fisher_exact([[1, 2], [2, 0]]).pvalue)
    retention = effects[effects["metric"] == "retention_180d"].iloc[0]
    # eligible: c1, c2 (low), c3, c5 (others); c4 is too recent
    assert (retention.n_low, retention.x_low, retention.n_other, retention.x_other) == (2, 1, 2, 1)
    assert retention.effect == pytest.approx(0.0)
    assert set(effects["confirmed"]) == {"no"}


def test_rating_effects_ignore_ratings_after_as_of(small_case):
    orders, ratings = small_case
    dated = ratings.assign(response_date=pd.to_datetime(["2025-02-01"] * 6 + ["2026-02-01"]))
    dated.loc[0, "response_date"] = pd.Timestamp("2026-01-02")  # c1's rating comes too late
    effects = friction.rating_effects(dated, orders, "2025-12-31")
    f2 = effects[effects["metric"] == "f2_conversion"].iloc[0]
    assert (f2.n_low, f2.x_low) == (2, 0)


def test_friction_table_joins_evidence_by_touchpoint_name(small_case):
    orders, ratings = small_case
    journey = curves({("A", "as_is"): [2, -2]})
    journey.loc[1, "touchpoint"] = "開封"
    table = friction.friction_table(journey, ratings, orders, "2025-12-31", p_adjust=None)
    row = table.iloc[0]
    assert (row.touchpoint, row.n_low, row.n_other, row.effect_metric) == ("開封", 3, 2, "f2_conversion")
    assert row.confirmed == "no"
    retention = friction.friction_table(journey, ratings, orders, "2025-12-31", metric="retention").iloc[0]
    assert (retention.effect_metric, retention.n_low) == ("retention_180d", 2)


def test_friction_csv_has_a_bom_and_round_trips():
    table = friction.friction_table(curves({("健康志向の佐藤さん", "as_is"): [1, -3]}))
    data = friction.friction_table_csv(table)
    assert data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert list(back.columns) == list(friction.FRICTION_TABLE_COLUMNS)
    assert back.loc[0, "persona"] == "健康志向の佐藤さん" and back.loc[0, "confirmed"] == "untested"


# ---------------------------------------------------------------------------
# Where customers leave
# ---------------------------------------------------------------------------
def test_repeat_funnel_and_gaps(small_case):
    orders, _ = small_case
    funnel = friction.repeat_funnel(orders, "2025-12-31", max_n=3)
    assert funnel["customers"].tolist() == [5, 3, 0]
    assert funnel.loc[2, "conversion"] == pytest.approx(3 / 5)
    assert funnel["lost"].tolist()[1:] == [2, 3]
    gaps = friction.next_purchase_gaps(orders, "2025-12-31")
    assert sorted(gaps["days"].tolist()) == [9.0, 59.0, 334.0]
    summary = friction.gap_summary(gaps)
    assert summary.loc[1, "n"] == 3 and summary.loc[1, "median"] == 59.0


def test_subscription_stops_hand_counted():
    def shipments(customer, first, count):
        return pd.DataFrame({"customer_id": customer,
                             "order_date": pd.date_range(first, periods=count, freq="30D"),
                             "amount": 3000.0, "is_subscription": True})

    orders = pd.concat(
        [
            shipments("a", "2025-01-01", 3),  # last 2025-03-02: stopped after 3
            shipments("b", "2025-01-01", 1),  # stopped after 1
            shipments("c", "2025-10-01", 3),  # last 2025-11-30: within 60 days of as_of -> open at 3
            shipments("d", "2025-01-01", 5),  # last 2025-05-01: stopped after 5
            pd.DataFrame({"customer_id": ["e"], "order_date": pd.to_datetime(["2025-01-01"]), "amount": 1.0,
                          "is_subscription": False}),  # one-off orders are not shipments
        ],
        ignore_index=True,
    ).assign(order_id=lambda t: [f"o{i}" for i in range(len(t))])
    stops = friction.subscription_stops(orders, "2025-12-31", grace_days=60, max_shipment=5)
    assert stops["reached"].tolist() == [4, 3, 3, 1, 1]
    assert stops["stopped"].tolist() == [1, 0, 1, 0, 1]
    assert stops["open"].tolist() == [0, 0, 1, 0, 0]
    assert stops["continued"].tolist() == [3, 3, 1, 1, 0]
    assert stops["hazard"].tolist() == pytest.approx([1 / 4, 0.0, 1 / 2, 0.0, 1.0])
    with pytest.raises(ValueError, match="is_subscription"):
        friction.subscription_stops(orders.drop(columns="is_subscription"), "2025-12-31")


# ---------------------------------------------------------------------------
# The sample's planted friction
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sample_data(sample_dir):
    tables = ["customers", "orders", "journey", "touchpoint_ratings"]
    return kando_io.load_data(sample_dir, as_of=sample.AS_OF, tables=tables)


def test_sample_friction_point_is_found_confirmed_and_ranked_first(sample_data):
    table = friction.friction_table(
        sample_data.journey, sample_data.touchpoint_ratings, sample_data.orders, sample.AS_OF,
        low_rating_max=sample.FRICTION_LOW_RATING_MAX,
    )
    top = table.iloc[0]
    assert (top["rank"], top["touchpoint"], top["confirmed"]) == (1, sample.FRICTION_TOUCHPOINT, "yes")
    assert top["effect_high"] < 0 and top["p_value"] < 0.05
    # planted: about half the F2 conversion for low raters
    effects = friction.rating_effects(sample_data.touchpoint_ratings, sample_data.orders, sample.AS_OF)
    f2 = effects[effects["metric"] == "f2_conversion"]
    planted = f2[f2["touchpoint"] == sample.FRICTION_TOUCHPOINT].iloc[0]
    assert planted["rate_low"] / planted["rate_other"] < 0.7
    # the other touchpoints' ratings are unrelated to behaviour: none confirmed after Holm
    others = f2[f2["touchpoint"] != sample.FRICTION_TOUCHPOINT]
    assert (others["confirmed"] != "yes").all()


def test_sample_subscription_stops_spike_at_the_planted_shipment(sample_data):
    stops = friction.subscription_stops(sample_data.orders, sample.AS_OF)
    assert stops["hazard"].idxmax() == sample.SUBSCRIPTION_STOP_SPIKE_SHIPMENT


def test_friction_charts_render_japanese(sample_data, missing_glyphs):
    use_style()
    found = friction.detect_friction(sample_data.journey)
    ax = plot_friction.plot_friction_curve(found, sample.PERSONAS[0])
    assert "深刻度 10" in [t.get_text() for t in ax.texts]
    stops = friction.subscription_stops(sample_data.orders, sample.AS_OF)
    ax2 = plot_friction.plot_stop_hazard(stops)
    assert ax2.get_xlabel() == "お届け回数（この回の後に停止）"
    for figure in (ax.figure, ax2.figure):
        assert missing_glyphs(figure) == []
    plt.close("all")


def test_one_pass_results_equal_the_separate_functions(sample_data):
    orders = sample_data.orders
    departures = friction.where_customers_leave(orders, sample.AS_OF, max_n=5, grace_days=45, max_shipment=8)
    pd.testing.assert_frame_equal(departures.funnel, friction.repeat_funnel(orders, sample.AS_OF, max_n=5))
    pd.testing.assert_frame_equal(departures.gaps, friction.next_purchase_gaps(orders, sample.AS_OF))
    pd.testing.assert_frame_equal(
        departures.stops, friction.subscription_stops(orders, sample.AS_OF, grace_days=45, max_shipment=8)
    )
    assert friction.where_customers_leave(orders.drop(columns="is_subscription"), sample.AS_OF).stops is None


def test_friction_table_with_precomputed_effects_is_the_same(sample_data):
    args = (sample_data.journey, sample_data.touchpoint_ratings, sample_data.orders, sample.AS_OF)
    effects = friction.rating_effects(*args[1:], horizon_days=120)
    given = friction.friction_table(*args, horizon_days=120, metric="retention", effects=effects)
    pd.testing.assert_frame_equal(given, friction.friction_table(*args, horizon_days=120, metric="retention"))
