"""Intervals on money: the LTV gain of fixing friction points, its ROI, and predicted CLV per customer.

Scenarios (:func:`scenario_intervals`)
--------------------------------------
The point estimates are those of :func:`helpers.ltv.friction_scenarios` and
:func:`helpers.ltv.improvement_roi`.  Their intervals come from the
bootstrap over customers (:mod:`helpers.bootstrap`): each resample draws the
buying customers with replacement and recomputes, exactly as
``friction_scenarios`` does, every group's average order value, frequency
and Kaplan-Meier expected lifetime, the per-touchpoint gains, each
customer's best gain and the scaling to the whole base.  What stays fixed:
the chosen touchpoints, ``share``, the improvement costs and the number of
new customers per year (inputs, not estimates).

Resampling is vectorised over customers: customers with the same
(touchpoint pattern, respondent, duration, lapsed) form one cell, a
resample is one multinomial count vector over customers, and every sum the
estimator needs is a weighted ``bincount`` over cells.

Per-customer CLV (:func:`clv_intervals`)
----------------------------------------
Parameter uncertainty of the BG/NBD and Gamma-Gamma fits, from the observed
information matrix: the Hessian of the log-likelihood in the
log-parameters (central differences) gives the asymptotic normal
distribution of the estimates; ``draws`` parameter sets drawn from it
(seeded) each give a CLV per customer, and the percentile interval of those
is the customer's interval.  Draws with Gamma-Gamma ``q <= 1`` (no finite
mean spend) are discarded and counted.  The interval covers the models'
parameters, not the customer's own randomness.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers import bootstrap, clv, ltv, purchases

#: Columns of :func:`scenario_intervals` (the ``ltv_scenarios.csv`` export), after ``scenario``.
SCENARIO_COLUMNS: tuple[str, ...] = (
    "ltv_gain",
    "ltv_gain_low",
    "ltv_gain_high",
    "value_gained",
    "value_gained_low",
    "value_gained_high",
    "benefit",
    "benefit_low",
    "benefit_high",
    "cost",
    "roi",
    "roi_low",
    "roi_high",
    "ltv_before",
    "ltv_before_low",
    "ltv_before_high",
    "ltv_after",
    "ltv_after_low",
    "ltv_after_high",
)


@dataclass(frozen=True)
class _Cells:
    """Customers grouped into cells of equal (pattern, respondent, duration, lapsed)."""

    of_customer: np.ndarray  # cell code per customer
    status: np.ndarray  # (cells, touchpoints): 0 not rated, 1 low, 2 reference
    respondent: np.ndarray  # (cells,) bool
    day: np.ndarray  # (cells,) duration in days
    lapsed: np.ndarray  # (cells,) bool


def _cells(lifetimes: pd.DataFrame, matrix: np.ndarray, respondent: np.ndarray, low_rating_max: int) -> _Cells:
    # respondents: buying customers with an answer on any touchpoint, as friction_scenarios counts them
    status = np.where(np.isnan(matrix), 0, np.where(matrix <= low_rating_max, 1, 2)).astype(np.int64)
    pattern = (
        status @ (3 ** np.arange(status.shape[1], dtype=np.int64))
        if status.shape[1]
        else np.zeros(len(status), np.int64)
    )
    day = lifetimes["duration_days"].to_numpy(np.int64)
    lapsed = lifetimes["lapsed"].to_numpy(bool)
    key = np.column_stack([pattern, respondent, day, lapsed])
    unique, first, of_customer = _unique_rows(key)
    return _Cells(
        of_customer=of_customer.ravel(),
        status=status[first],
        respondent=unique[:, 1].astype(bool),
        day=unique[:, 2],
        lapsed=unique[:, 3].astype(bool),
    )


def _unique_rows(key: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``np.unique(key, axis=0, return_index=True, return_inverse=True)`` for (pattern, flag, day, flag) rows.

    The rows are packed into one integer that sorts as they do: a 1-d unique
    is many times faster on a million customers.  Keys too wide to pack
    (negative days, very many touchpoints) take numpy's row-wise unique.
    """
    pattern, flag, day, last = key.T
    days = int(day.max()) + 1 if len(day) else 1
    if len(key) == 0 or (key < 0).any() or (int(pattern.max()) + 1) * 4 * days >= 2**62:
        return np.unique(key, axis=0, return_index=True, return_inverse=True)
    packed, first, inverse = np.unique(((pattern * 2 + flag) * days + day) * 2 + last, return_index=True,
                                       return_inverse=True)
    rest, unique_last = np.divmod(packed, 2)
    rest, unique_day = np.divmod(rest, days)
    unique_pattern, unique_flag = np.divmod(rest, 2)
    return np.column_stack([unique_pattern, unique_flag, unique_day, unique_last]), first, inverse


def _lifetimes_of(day, lapsed_weight, weight, horizon_years, discount_rate, tail) -> tuple[float, float]:
    """Kaplan-Meier expected lifetime (plain, discounted) from weighted counts per duration day."""
    present = weight > 0
    if not present.any():
        return float("nan"), float("nan")
    days, events, totals = day[present], lapsed_weight[present], weight[present]
    at_risk = totals[::-1].cumsum()[::-1]
    retention = np.cumprod(1.0 - events / at_risk)
    if days[0] > 0:
        days, retention = np.r_[0, days], np.r_[1.0, retention]
    curve = pd.DataFrame({"days": days, "retention": retention, "lower": np.nan, "upper": np.nan})
    plain = ltv.expected_lifetime(curve, horizon_years, 0.0, tail).years
    valued = ltv.expected_lifetime(curve, horizon_years, discount_rate, tail).years
    return plain, valued


def _scenario_gains(cells: _Cells, weight, orders, revenue, n_scenarios_columns, settings) -> tuple[float, np.ndarray]:
    """Baseline LTV and LTV gain per customer of the base for each scenario, from weighted sums per cell."""
    horizon_years, discount_rate, tail, margin, share, scale_to_base = settings
    days, day_code = np.unique(cells.day, return_inverse=True)

    def group(mask: np.ndarray) -> dict[str, float]:
        w = weight[mask]
        total = w.sum()
        if total <= 0:
            return dict.fromkeys(("aov", "frequency", "valued"), float("nan"))
        n_orders, exposure = orders[mask].sum(), (w * cells.day[mask]).sum() / ltv.DAYS_PER_YEAR
        per_day = np.bincount(day_code[mask], weights=w, minlength=len(days))
        lapsed = np.bincount(day_code[mask], weights=w * cells.lapsed[mask], minlength=len(days))
        _, valued = _lifetimes_of(days, lapsed, per_day, horizon_years, discount_rate, tail)
        return {
            "aov": revenue[mask].sum() / n_orders if n_orders > 0 else float("nan"),
            "frequency": n_orders / exposure if exposure > 0 else float("nan"),
            "valued": valued,
        }

    base = group(np.ones(len(weight), dtype=bool))
    baseline = base["aov"] * base["frequency"] * margin * base["valued"]
    n_points = cells.status.shape[1]
    gains = np.zeros(n_points)
    for j in range(n_points):
        lo, ref = group(cells.status[:, j] == 1), group(cells.status[:, j] == 2)
        if np.isfinite([*lo.values(), *ref.values()]).all():
            before = lo["aov"] * lo["frequency"] * margin * lo["valued"]
            after = lo["aov"] * max(lo["frequency"], ref["frequency"]) * margin * max(lo["valued"], ref["valued"])
            gains[j] = after - before
    n_customers = weight.sum()
    respondents = weight[cells.respondent].sum()
    scale = n_customers / respondents if scale_to_base and respondents else 1.0
    result = []
    for columns in n_scenarios_columns:
        best = np.zeros(len(weight))
        for j in columns:
            best = np.maximum(best, np.where(cells.status[:, j] == 1, gains[j], 0.0))
        result.append(share * scale * float(weight @ best) / n_customers)
    return baseline, np.array(result)


def scenario_intervals(
    lifetimes: pd.DataFrame,
    ratings: pd.DataFrame,
    touchpoint_names: Sequence[str],
    cost: float | Mapping[str, float],
    customers_per_year: float,
    *,
    share: float = 0.5,
    low_rating_max: int = ltv.LOW_RATING_MAX,
    as_of=None,
    horizon_years: float = ltv.HORIZON_YEARS,
    margin: float = 1.0,
    discount_rate: float = 0.0,
    tail: str = "exponential",
    scale_to_base: bool = True,
    resamples: int = bootstrap.RESAMPLES,
    seed: int = bootstrap.SEED,
    level: float = 0.95,
    scenarios: ltv.FrictionScenarios | None = None,
) -> pd.DataFrame:
    """LTV gain, value gained, benefit and ROI of each friction scenario with bootstrap intervals.

    Parameters
    ----------
    lifetimes, ratings, touchpoint_names, share, low_rating_max, as_of,
    horizon_years, margin, discount_rate, tail, scale_to_base
        As for :func:`helpers.ltv.friction_scenarios`.
    cost, customers_per_year
        As for :func:`helpers.ltv.improvement_roi`.
    resamples : int
        Bootstrap resamples of the customers (0: no intervals).
    seed : int
        Seed of the resampling.
    level : float
        Level of the percentile intervals.
    scenarios : helpers.ltv.FrictionScenarios, optional
        The point estimates when already computed with the same arguments.

    Returns
    -------
    pandas.DataFrame
        One row per scenario (each touchpoint alone, then ``"combined"``),
        column ``scenario`` then :data:`SCENARIO_COLUMNS`: ``ltv_gain`` (yen
        per customer of the base), ``value_gained`` (yen over the base),
        ``benefit`` (yen, one year of new customers), ``cost`` and ``roi``,
        ``ltv_before`` and ``ltv_after`` (yen per customer, as in
        ``friction_scenarios``), each estimate with ``_low`` / ``_high``.
        Every interval comes from the same resamples: a resample's LTV
        after is its own baseline plus its own gain.
    """
    if scenarios is None:
        scenarios = ltv.friction_scenarios(
            lifetimes,
            ratings,
            touchpoint_names,
            share=share,
            low_rating_max=low_rating_max,
            as_of=as_of,
            horizon_years=horizon_years,
            margin=margin,
            discount_rate=discount_rate,
            tail=tail,
            scale_to_base=scale_to_base,
        )
    roi = ltv.improvement_roi(scenarios, cost, customers_per_year) if len(scenarios.scenarios) > 1 else None
    table = scenarios.scenarios
    chosen = list(table.index[:-1])
    n = len(lifetimes)
    estimate = pd.DataFrame(
        {
            "scenario": table.index.astype(str),
            "ltv_gain": table["ltv_delta"].to_numpy(float),
            "value_gained": table["value_gained"].to_numpy(float),
            "benefit": table["ltv_delta"].to_numpy(float) * customers_per_year,
            "cost": roi["cost"].to_numpy(float) if roi is not None else np.full(len(table), np.nan),
        }
    )
    estimate["roi"] = (estimate["benefit"] - estimate["cost"]) / estimate["cost"]
    boot = np.full((max(resamples, 0), len(table)), np.nan)
    boot_before = np.full(max(resamples, 0), np.nan)
    if resamples > 0 and chosen:
        if scenarios.ratings is not None and len(scenarios.ratings) == n:
            matrix, respondent = scenarios.ratings, scenarios.answered  # the same selection, made once
        else:
            if as_of is not None:
                ratings = purchases.up_to(ratings, as_of, "response_date")
            matrix, respondent = ltv._rating_matrix(ratings, chosen, lifetimes.index)
        cells = _cells(lifetimes, matrix, respondent, low_rating_max)
        n_orders = lifetimes["n_orders"].to_numpy(float)
        revenue = lifetimes["revenue"].to_numpy(float)
        columns = [[j] for j in range(len(chosen))] + [list(range(len(chosen)))]
        settings = (horizon_years, discount_rate, tail, margin, share, scale_to_base)
        n_cells = len(cells.day)
        rng = np.random.default_rng(seed)
        for b in range(resamples):
            counts = bootstrap.resample_counts(rng, np.ones(n, dtype=np.int64), 1)[0]
            weight = np.bincount(cells.of_customer, weights=counts, minlength=n_cells)
            orders = np.bincount(cells.of_customer, weights=counts * n_orders, minlength=n_cells)
            spend = np.bincount(cells.of_customer, weights=counts * revenue, minlength=n_cells)
            boot_before[b], boot[b] = _scenario_gains(cells, weight, orders, spend, columns, settings)
    low, high = bootstrap.percentile_interval(boot, level) if resamples > 0 else (np.nan, np.nan)
    estimate["ltv_before"] = table["ltv_before"].to_numpy(float)
    estimate["ltv_after"] = table["ltv_after"].to_numpy(float)
    if resamples > 0:
        before_low, before_high = bootstrap.percentile_interval(boot_before, level)
        after_low, after_high = bootstrap.percentile_interval(boot_before[:, None] + boot, level)
    else:
        before_low = before_high = after_low = after_high = np.nan
    estimate["ltv_before_low"], estimate["ltv_before_high"] = before_low, before_high
    estimate["ltv_after_low"], estimate["ltv_after_high"] = after_low, after_high
    estimate["ltv_gain_low"], estimate["ltv_gain_high"] = low, high
    estimate["value_gained_low"], estimate["value_gained_high"] = (
        estimate["ltv_gain_low"] * n,
        estimate["ltv_gain_high"] * n,
    )
    estimate["benefit_low"] = estimate["ltv_gain_low"] * customers_per_year
    estimate["benefit_high"] = estimate["ltv_gain_high"] * customers_per_year
    estimate["roi_low"] = (estimate["benefit_low"] - estimate["cost"]) / estimate["cost"]
    estimate["roi_high"] = (estimate["benefit_high"] - estimate["cost"]) / estimate["cost"]
    return estimate[["scenario", *SCENARIO_COLUMNS]]


def _with_params(model, values: np.ndarray):
    """A copy of a fitted model with other parameter values."""
    other = copy.copy(model)
    other.params_ = pd.Series(values, index=model.params_.index, name=model.params_.name)
    return other


def _log_parameter_covariance(log_likelihood, params: np.ndarray, step: float = 1e-4) -> np.ndarray:
    """Inverse of the observed information in the log-parameters (central differences)."""
    theta = np.log(params)
    k = len(theta)

    def f(shift: np.ndarray) -> float:
        return log_likelihood(np.exp(theta + shift))

    hessian = np.zeros((k, k))
    center = f(np.zeros(k))
    for i in range(k):
        e_i = np.eye(k)[i] * step
        hessian[i, i] = (f(e_i) - 2 * center + f(-e_i)) / step**2
        for j in range(i):
            e_j = np.eye(k)[j] * step
            value = (f(e_i + e_j) - f(e_i - e_j) - f(-e_i + e_j) + f(-e_i - e_j)) / (4 * step**2)
            hessian[i, j] = hessian[j, i] = value
    information = -hessian
    eigen = np.linalg.eigvalsh(information)
    if not (eigen > 0).all():
        raise ValueError("the observed information matrix is not positive definite: the fit is not at a maximum")
    return np.linalg.inv(information)


@dataclass(frozen=True)
class ClvIntervals:
    """Predicted CLV per customer with intervals from parameter uncertainty (:func:`clv_intervals`).

    Attributes
    ----------
    table : pandas.DataFrame
        Indexed like the customers asked for: ``clv``, ``clv_low``, ``clv_high``.
    draws : int
        Parameter draws used (after discarding those without a finite mean spend).
    discarded : int
        Draws discarded (Gamma-Gamma ``q <= 1``).
    purchase_cov, spend_cov : numpy.ndarray
        Covariance of the log-parameters of each model.
    """

    table: pd.DataFrame
    draws: int
    discarded: int
    purchase_cov: np.ndarray
    spend_cov: np.ndarray


def clv_intervals(
    summary: pd.DataFrame,
    purchase_model: clv.BetaGeoFitter,
    spend_model: clv.GammaGammaFitter,
    customers: pd.Index,
    *,
    draws: int = bootstrap.RESAMPLES,
    seed: int = bootstrap.SEED,
    level: float = 0.95,
    time: int = 12,
    discount_rate: float = 0.01,
    freq: str = "W",
) -> ClvIntervals:
    """CLV of some customers with intervals from the fits' observed information.

    Parameters
    ----------
    summary : pandas.DataFrame
        The summary both models were fitted on (:func:`helpers.clv.summary_from_transactions`;
        the spend model on its rows with ``frequency > 0``), unweighted.
    purchase_model, spend_model
        The fitted models.
    customers : pandas.Index
        Customers of ``summary`` to give intervals for (e.g. the top list).
    draws : int
        Parameter draws.
    seed : int
    level : float
    time, discount_rate, freq
        As for :func:`helpers.clv.predict_customers`.

    Returns
    -------
    ClvIntervals
    """
    x, t_x, big_t = (summary[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    repeat = x > 0
    m = summary["monetary_value"].to_numpy(float)

    # Each distinct (x, t_x, T) is evaluated once and spread back to its customers before the
    # sum: the same terms added in the same order as per customer, at a fraction of the cost.
    *distinct, of_customer = clv.distinct_histories(x, t_x, big_t)
    purchase_cov = _log_parameter_covariance(
        lambda p: float(_with_params(purchase_model, p).log_likelihood(*distinct)[of_customer].sum()),
        purchase_model.params_.to_numpy(float),
    )
    spend_cov = _log_parameter_covariance(
        lambda p: float(_with_params(spend_model, p).log_likelihood(x[repeat], m[repeat]).sum()),
        spend_model.params_.to_numpy(float),
    )
    rng = np.random.default_rng(seed)
    purchase_draws = np.exp(
        rng.multivariate_normal(np.log(purchase_model.params_.to_numpy(float)), purchase_cov, draws)
    )
    spend_draws = np.exp(rng.multivariate_normal(np.log(spend_model.params_.to_numpy(float)), spend_cov, draws))
    usable = spend_draws[:, 1] > 1
    chosen = summary.loc[customers]
    estimate = clv.predict_customers(
        chosen, purchase_model, spend_model, time=time, discount_rate=discount_rate, freq=freq
    )
    values = np.full((int(usable.sum()), len(chosen)), np.nan)
    history = [chosen[c].to_numpy(float) for c in ("frequency", "recency", "T", "monetary_value")]
    for row, k in enumerate(np.flatnonzero(usable)):
        # the CLV column of clv.predict_customers, without the columns not needed here
        values[row] = _with_params(spend_model, spend_draws[k]).customer_lifetime_value(
            _with_params(purchase_model, purchase_draws[k]), *history, time=time, discount_rate=discount_rate, freq=freq
        )
    low, high = bootstrap.percentile_interval(values, level) if len(values) else (np.nan, np.nan)
    table = pd.DataFrame({"clv": estimate["clv"].to_numpy(), "clv_low": low, "clv_high": high}, index=chosen.index)
    return ClvIntervals(table, int(usable.sum()), int((~usable).sum()), purchase_cov, spend_cov)
