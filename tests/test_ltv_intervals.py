"""Intervals on money: the scenario bootstrap recomputes friction_scenarios exactly, is seeded and
brackets the estimate; CLV intervals from the observed information."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers import clv, io, ltv, ltv_intervals, sample


@pytest.fixture(scope="module")
def data():
    return io.load_data("data/sample", as_of=sample.AS_OF)


@pytest.fixture(scope="module")
def lifetimes(data):
    return ltv.customer_lifetimes(data.orders, sample.AS_OF)


CHOSEN = [sample.FRICTION_TOUCHPOINT, "配送"]


def test_resample_arithmetic_reproduces_friction_scenarios(data, lifetimes):
    # every customer drawn once: the weighted recomputation must give friction_scenarios' numbers
    matrix, respondent = ltv._rating_matrix(data.touchpoint_ratings, CHOSEN, lifetimes.index)
    cells = ltv_intervals._cells(lifetimes, matrix, respondent, 2)
    n_cells = len(cells.day)
    weight = np.bincount(cells.of_customer, minlength=n_cells).astype(float)
    orders = np.bincount(cells.of_customer, weights=lifetimes["n_orders"].to_numpy(float), minlength=n_cells)
    revenue = np.bincount(cells.of_customer, weights=lifetimes["revenue"].to_numpy(float), minlength=n_cells)
    before, gains = ltv_intervals._scenario_gains(
        cells, weight, orders, revenue, [[0], [1], [0, 1]], (5.0, 0.05, "exponential", 0.6, 0.3, True)
    )
    expected = ltv.friction_scenarios(
        lifetimes, data.touchpoint_ratings, CHOSEN, share=0.3, margin=0.6, discount_rate=0.05
    ).scenarios
    np.testing.assert_allclose(gains, expected["ltv_delta"].to_numpy(), rtol=1e-10)
    # the baseline from the same weighted sums, and before + gain = the LTV after
    np.testing.assert_allclose(before, expected["ltv_before"].to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(before + gains, expected["ltv_after"].to_numpy(), rtol=1e-10)
    # independently: aov = revenue / orders, frequency = orders / customer-years, lifetime_ltv's lifetime
    lifetime = ltv.lifetime_ltv(lifetimes, margin=0.6, discount_rate=0.05, horizon_years=5.0).loc["all"]
    aov = lifetimes["revenue"].sum() / lifetimes["n_orders"].sum()
    frequency = lifetimes["n_orders"].sum() / (lifetimes["duration_days"].sum() / ltv.DAYS_PER_YEAR)
    assert before == pytest.approx(aov * frequency * 0.6 * lifetime["discounted_lifetime_years"], rel=1e-10)


def test_intervals_are_seeded_and_contain_the_estimate(data, lifetimes):
    kwargs = dict(as_of=sample.AS_OF, resamples=60, seed=3)
    one = ltv_intervals.scenario_intervals(lifetimes, data.touchpoint_ratings, CHOSEN, 1_000_000, 800.0, **kwargs)
    two = ltv_intervals.scenario_intervals(lifetimes, data.touchpoint_ratings, CHOSEN, 1_000_000, 800.0, **kwargs)
    pd.testing.assert_frame_equal(one, two)
    assert list(one.columns[:1]) == ["scenario"] and set(ltv_intervals.SCENARIO_COLUMNS) <= set(one.columns)
    row = one.set_index("scenario").loc[sample.FRICTION_TOUCHPOINT]
    for name in ("ltv_gain", "value_gained", "benefit", "roi", "ltv_before", "ltv_after"):
        assert row[f"{name}_low"] <= row[name] <= row[f"{name}_high"], name
    # point numbers are friction_scenarios' own; the baseline interval is one for every scenario
    scenarios = ltv.friction_scenarios(lifetimes, data.touchpoint_ratings, CHOSEN, as_of=sample.AS_OF).scenarios
    np.testing.assert_array_equal(one["ltv_before"], scenarios["ltv_before"])
    np.testing.assert_array_equal(one["ltv_after"], scenarios["ltv_after"])
    assert one["ltv_before_low"].nunique() == 1 and one["ltv_before_high"].nunique() == 1
    assert (one["ltv_after_low"] >= one["ltv_before_low"]).all()  # each resample: after = its baseline + gain >= 0
    assert row["ltv_gain_low"] > 0  # the planted friction is worth fixing beyond resampling noise
    # ROI follows from the gain: (gain x customers per year - cost) / cost at both ends
    assert row["roi_low"] == pytest.approx((row["ltv_gain_low"] * 800.0 - 1_000_000) / 1_000_000)
    other = ltv_intervals.scenario_intervals(
        lifetimes, data.touchpoint_ratings, CHOSEN, 1_000_000, 800.0, as_of=sample.AS_OF, resamples=60, seed=4
    )
    assert not np.allclose(other["ltv_gain_low"], one["ltv_gain_low"])


def test_clv_intervals_bracket_the_prediction(data):
    summary = clv.summary_from_transactions(data.orders, observation_period_end=sample.AS_OF, freq="W")
    bgf = clv.BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
    repeaters = summary[summary["frequency"] > 0]
    ggf = clv.GammaGammaFitter().fit(repeaters["frequency"], repeaters["monetary_value"])
    top = clv.predict_customers(summary, bgf, ggf).nlargest(5, "clv").index
    result = ltv_intervals.clv_intervals(summary, bgf, ggf, top, draws=80, seed=1)
    table = result.table
    assert (table["clv_low"] <= table["clv"]).all() and (table["clv"] <= table["clv_high"]).all()
    assert (table["clv_high"] > table["clv_low"]).all()
    again = ltv_intervals.clv_intervals(summary, bgf, ggf, top, draws=80, seed=1)
    pd.testing.assert_frame_equal(table, again.table)
    # the observed information: its inverse's diagonal is positive, and with 4x the data
    # (every customer counted four times) the variances shrink 4-fold
    assert (np.diag(result.purchase_cov) > 0).all()
    big = pd.concat([summary] * 4)
    big.index = range(len(big))
    quad = ltv_intervals._log_parameter_covariance(
        lambda p: float(
            ltv_intervals._with_params(bgf, p).log_likelihood(big["frequency"], big["recency"], big["T"]).sum()
        ),
        bgf.params_.to_numpy(float),
    )
    np.testing.assert_allclose(np.diag(quad) * 4, np.diag(result.purchase_cov), rtol=1e-3)


def test_scenario_table_shows_the_intervals_of_every_yen_column(data, lifetimes):
    from helpers.tables import ltv as ltv_tables

    scenarios = ltv.friction_scenarios(lifetimes, data.touchpoint_ratings, CHOSEN, as_of=sample.AS_OF)
    intervals = ltv_intervals.scenario_intervals(
        lifetimes, data.touchpoint_ratings, CHOSEN, 1_000_000, 800.0, as_of=sample.AS_OF, resamples=30, seed=5
    ).set_index("scenario")
    plain = ltv_tables.scenario_display(scenarios, "en")
    shown = ltv_tables.scenario_display(scenarios, "en", intervals)
    pd.testing.assert_frame_equal(shown[plain.columns], plain)  # the point numbers are unchanged
    new = [c for c in shown.columns if c not in plain.columns]
    assert new == ["LTV before 95% interval", "LTV after 95% interval", "LTV gain 95% interval"]
    row = intervals.loc[ltv.COMBINED]
    low, high = round(row["ltv_after_low"]), round(row["ltv_after_high"])
    assert shown["LTV after 95% interval"].iloc[-1] == f"¥{low:,} to ¥{high:,}"


def test_packed_unique_rows_equal_numpy_row_unique():
    from helpers.ltv_intervals import _unique_rows

    rng = np.random.default_rng(11)
    key = np.column_stack(
        [rng.integers(0, 3**5, 5000), rng.integers(0, 2, 5000), rng.integers(0, 900, 5000), rng.integers(0, 2, 5000)]
    )
    for rows in (key, key[:0], np.column_stack([key[:, 0], key[:, 1], key[:, 2] - 500, key[:, 3]])):  # negative days
        packed = _unique_rows(rows)
        expected = np.unique(rows, axis=0, return_index=True, return_inverse=True)
        for got, want in zip(packed, expected, strict=True):
            np.testing.assert_array_equal(np.ravel(got), np.ravel(want))


def test_intervals_take_the_rating_matrix_of_the_scenarios_they_are_given(data, lifetimes):
    kwargs = {"share": 0.4, "resamples": 30, "seed": 11, "as_of": sample.AS_OF}
    scenarios = ltv.friction_scenarios(lifetimes, data.touchpoint_ratings, CHOSEN, share=0.4, as_of=sample.AS_OF)
    assert scenarios.ratings.shape == (len(lifetimes), len(CHOSEN)) and scenarios.answered.dtype == bool
    given = ltv_intervals.scenario_intervals(
        lifetimes, data.touchpoint_ratings, CHOSEN, 1_000_000, 800.0, scenarios=scenarios, **kwargs
    )
    from dataclasses import replace

    without = replace(scenarios, ratings=None, answered=None)  # selected again from the ratings
    again = ltv_intervals.scenario_intervals(
        lifetimes, data.touchpoint_ratings, CHOSEN, 1_000_000, 800.0, scenarios=without, **kwargs
    )
    pd.testing.assert_frame_equal(given, again)
    assert given["ltv_gain_low"].notna().all()
