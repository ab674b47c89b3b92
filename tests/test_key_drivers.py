"""Key drivers: LMG relative importance against hand-checkable cases and an independent implementation."""

from __future__ import annotations

from itertools import permutations

import numpy as np
import pandas as pd
import pytest

from helpers import friction, io, key_drivers, sample


def _r2(X: np.ndarray, y: np.ndarray) -> float:
    """R² of an OLS fit with intercept, by least squares on the raw data."""
    design = np.column_stack([np.ones(len(y)), X]) if X.shape[1] else np.ones((len(y), 1))
    beta, *_ = np.linalg.lstsq(design, y, rcond=None)
    residual = y - design @ beta
    return 1 - residual @ residual / ((y - y.mean()) @ (y - y.mean()))


def _lmg_by_orderings(X: np.ndarray, y: np.ndarray, controls: int = 0) -> np.ndarray:
    """LMG the textbook way: average R² increment of each predictor over all orderings."""
    players = X.shape[1] - controls
    values = np.zeros(players)
    orders = list(permutations(range(players)))
    for order in orders:
        chosen = list(range(controls))
        before = _r2(X[:, chosen], y)
        for j in order:
            chosen.append(controls + j)
            after = _r2(X[:, chosen], y)
            values[j] += after - before
            before = after
    return values / len(orders)


def test_uncorrelated_predictors_get_their_own_squared_correlation():
    # x1, x2 exactly uncorrelated and centred: R²(S) adds up, so phi_j = r_j².
    x1 = np.array([1.0, -1.0, 1.0, -1.0, 1.0, -1.0, 1.0, -1.0])
    x2 = np.array([1.0, 1.0, -1.0, -1.0, 1.0, 1.0, -1.0, -1.0])
    noise = np.array([1.0, 1.0, 1.0, 1.0, -1.0, -1.0, -1.0, -1.0])  # orthogonal to both
    y = 2 * x1 + 1 * x2 + 1 * noise
    # var(y) = 4 + 1 + 1 = 6: r1² = 4/6, r2² = 1/6, R² = 5/6
    cov = np.cov(np.column_stack([x1, x2, y]), rowvar=False, bias=True)
    values, full, base = key_drivers.shapley_r2(cov)
    np.testing.assert_allclose(values, [4 / 6, 1 / 6], atol=1e-9)
    assert full == pytest.approx(5 / 6)
    assert base == 0


def test_two_correlated_predictors_split_the_overlap_evenly():
    # Hand formula for p = 2: phi_1 = (R²_12 + r1² - r2²) / 2.
    rng = np.random.default_rng(1)
    x1 = rng.normal(size=400)
    x2 = 0.6 * x1 + rng.normal(size=400)
    y = x1 + 0.5 * x2 + rng.normal(size=400)
    r1 = np.corrcoef(x1, y)[0, 1] ** 2
    r2 = np.corrcoef(x2, y)[0, 1] ** 2
    r12 = _r2(np.column_stack([x1, x2]), y)
    values, full, _ = key_drivers.shapley_r2(np.cov(np.column_stack([x1, x2, y]), rowvar=False))
    np.testing.assert_allclose(values, [(r12 + r1 - r2) / 2, (r12 + r2 - r1) / 2], rtol=1e-8)
    assert full == pytest.approx(r12)


def test_matches_an_independent_implementation_with_controls():
    rng = np.random.default_rng(7)
    n = 300
    control = (rng.random(n) < 0.3).astype(float)
    X = rng.normal(size=(n, 4)) + control[:, None]
    X[:, 1] += 0.5 * X[:, 0]
    y = 0.8 * X[:, 0] + 0.3 * X[:, 2] + control + rng.normal(size=n)
    data = np.column_stack([control, X])
    expected = _lmg_by_orderings(data, y, controls=1)
    values, full, base = key_drivers.shapley_r2(np.cov(np.column_stack([data, y]), rowvar=False), controls=1)
    np.testing.assert_allclose(values, expected, atol=1e-9)
    assert values.sum() == pytest.approx(full - base)
    assert base == pytest.approx(_r2(control[:, None], y))


def _ratings_frame(matrix: np.ndarray, names) -> pd.DataFrame:
    index = pd.Index([f"C{i}" for i in range(len(matrix))], name="customer_id")
    return pd.DataFrame(matrix, index=index, columns=names)


def test_missing_ratings_are_controls_and_shares_add_up_to_one():
    rng = np.random.default_rng(3)
    n = 400
    a = rng.integers(1, 6, n).astype(float)
    b = rng.integers(1, 6, n).astype(float)
    rated_b = rng.random(n) < 0.5
    y = a + 3 * rated_b + rng.normal(size=n)  # who rated b matters, b's rating does not
    b[~rated_b] = np.nan
    result = key_drivers.key_drivers(
        _ratings_frame(np.column_stack([a, b]), ["A", "B"]),
        pd.Series(y, index=[f"C{i}" for i in range(n)]),
        resamples=0,
    )
    table = result.table.set_index("touchpoint")
    assert table["importance"].sum() == pytest.approx(1.0)
    assert table.loc["A", "importance"] > 0.95  # the indicator's R² is not credited to B
    assert table.loc["B", "n"] == rated_b.sum()
    assert table.loc["A", "mean_rating"] == pytest.approx(a.mean())
    # independent: indicator as control, B's missing ratings filled with B's mean
    filled = np.where(np.isnan(b), np.nanmean(b), b)
    expected = _lmg_by_orderings(np.column_stack([(~rated_b).astype(float), a, filled]), y, controls=1)
    np.testing.assert_allclose(table.loc[["A", "B"], "r2_part"], expected, atol=1e-9)


def test_bootstrap_is_reproducible_and_needs_enough_customers():
    rng = np.random.default_rng(5)
    m = _ratings_frame(rng.integers(1, 6, (200, 3)).astype(float), ["A", "B", "C"])
    y = pd.Series(m["A"].to_numpy() + rng.normal(size=200), index=m.index)
    one = key_drivers.key_drivers(m, y, resamples=40, seed=11, batch=7)
    two = key_drivers.key_drivers(m, y, resamples=40, seed=11, batch=7)
    pd.testing.assert_frame_equal(one.table, two.table)
    top = one.table.iloc[0]
    assert top["touchpoint"] == "A" and top["ci_low"] <= top["importance"] <= top["ci_high"]
    with pytest.raises(ValueError, match="only 2 customers"):
        key_drivers.key_drivers(m.iloc[:2], y, resamples=0)


@pytest.fixture(scope="module")
def sample_data():
    return io.load_data("data/sample", as_of=sample.AS_OF)


def test_planted_friction_touchpoint_is_the_top_driver_of_f2(sample_data):
    matrix = key_drivers.rating_matrix(sample_data.touchpoint_ratings, sample.AS_OF)
    outcome = key_drivers.f2_outcome(friction.customer_outcomes(sample_data.orders, sample.AS_OF))
    result = key_drivers.key_drivers(matrix, outcome, name="f2", resamples=50)
    top = result.table.iloc[0]
    assert top["touchpoint"] == sample.FRICTION_TOUCHPOINT
    assert top["ci_low"] > result.table["importance"].iloc[1:].max()  # clearly ahead of every other
    export = key_drivers.key_drivers_table([result])
    assert list(export.columns) == list(key_drivers.TABLE_COLUMNS)
    # n counts the raters among the buying customers, as plain pandas does
    ratings = sample_data.touchpoint_ratings
    raters = ratings.loc[ratings["touchpoint"] == sample.FRICTION_TOUCHPOINT, "customer_id"].nunique()
    assert top["n"] == raters


def test_weighted_covariances_equal_numpy_cov():
    from helpers.key_drivers import _moments, _weighted_covariances

    rng = np.random.default_rng(5)
    data = np.column_stack([rng.normal(size=400), rng.integers(1, 6, 400), rng.integers(0, 2, 400)]).astype(float)
    weights = rng.multinomial(400, np.full(400, 1 / 400), size=3).astype(float)
    covariances = _weighted_covariances(_moments(data), weights)
    for b in range(3):
        np.testing.assert_allclose(covariances[b], np.cov(data.T, aweights=weights[b], bias=True), atol=1e-12)


@pytest.mark.parametrize("as_of", [sample.AS_OF, "2024-06-30"])  # a cut-off that leaves orders out
def test_f2_from_orders_equals_the_outcomes_route(sample_data, as_of):
    orders = sample_data.orders
    expected = key_drivers.f2_outcome(friction.customer_outcomes(orders, as_of))
    got = key_drivers.f2_from_orders(orders, as_of)
    assert got.name == "f2" and got.index.name == "customer_id"
    assert got.index.is_unique and set(got.index) == set(expected.index)
    np.testing.assert_array_equal(got.reindex(expected.index).to_numpy(), expected.to_numpy())
    assert 0 < got.mean() < 1
    matrix = key_drivers.rating_matrix(sample_data.touchpoint_ratings, as_of)
    a = key_drivers.key_drivers(matrix, got, name="f2", resamples=20)
    b = key_drivers.key_drivers(matrix, expected, name="f2", resamples=20)
    pd.testing.assert_frame_equal(a.table, b.table)  # the customers' order does not matter
