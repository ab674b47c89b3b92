"""Customer lifetime value (LTV): the classic formula, lifetime from retention,
and what fixing friction points is worth.

Three views of the same orders, from the simplest to the most useful:

1. **Classic LTV** (:func:`classic_ltv`): average order value x purchases per
   customer over one period (365 days by default), with the retention and
   churn rates of that period.  It values one year of a customer and says
   nothing about how many years a customer stays.
2. **Lifetime from retention** (:func:`customer_lifetimes`,
   :func:`retention_curve`, :func:`expected_lifetime`, :func:`lifetime_ltv`):
   a customer has lapsed after ``lapse_days`` without a purchase.  A
   Kaplan-Meier retention curve (scipy's :func:`scipy.stats.ecdf` on
   censored data) gives the expected lifetime as the area under the curve
   up to a horizon -- the length of the customer's emotion curve -- and
   ``LTV = average order value x purchases per year x expected lifetime
   (years) x gross margin``, optionally discounted.
3. **Recalculation after fixing friction points**
   (:func:`friction_scenarios`, :func:`improvement_roi`): a share of the low
   raters of a touchpoint is assumed to behave like the customers who rated
   it well; the LTV is recomputed, compared with the improvement's cost and
   with spending the same budget on acquiring new customers.

The predicted per-customer CLV (BG/NBD + Gamma-Gamma) lives in
:mod:`helpers.clv`; :func:`churn_warning_list` picks the valuable customers
whose predicted probability of being alive is low from its predictions.

Definitions used throughout
---------------------------
* Days are calendar days of the order dates; ``as_of`` counts as a whole day.
* A year is :data:`DAYS_PER_YEAR` days when converting days to years.
* Durations (:func:`customer_lifetimes`): from the first purchase to the
  lapse date (last purchase + ``lapse_days``) when that date is on or before
  ``as_of``; otherwise the customer is still active and the duration is
  censored at ``as_of`` (days from the first purchase to ``as_of``).
* Purchase frequency in the lifetime LTV is orders per customer-year of
  those durations (all orders up to ``as_of`` divided by the summed
  durations), so that frequency x expected lifetime estimates the orders of
  a lifetime.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from helpers import purchases as _purchases
from helpers import touchpoints as _touchpoints

#: Days per year when converting durations.
DAYS_PER_YEAR = 365.25
#: Length of the classic LTV period and of its retention windows.
PERIOD_DAYS = 365
#: A customer has lapsed after this many days without a purchase.
LAPSE_DAYS = 365
#: Horizon of the expected lifetime, in years.
HORIZON_YEARS = 5.0
#: How the retention curve is continued beyond the longest follow-up.
TAILS: tuple[str, ...] = ("exponential", "hold", "cap")
#: The exponential tail continues the decline of the curve's last this-many days.
TAIL_WINDOW_DAYS = 365
#: Ratings at or below this count as low.
LOW_RATING_MAX = 2
#: Acquiring a customer costs this many times keeping one (the "1:5 rule").
ACQUISITION_COST_RATIO = 5.0
#: Label of the overall row of the per-segment tables.
ALL = "all"
#: Label of the combined scenario (all chosen friction points fixed).
COMBINED = "combined"

def _segment_of(index: pd.Index, segments: pd.Series | None) -> pd.Series | None:
    """Segments aligned to ``index`` (categorical kept, missing where unknown)."""
    if segments is None:
        return None
    return segments.reindex(index)


def _group_order(segment: pd.Series | None) -> list:
    """Row order: the overall row, then the segment categories (or sorted values)."""
    if segment is None:
        return [ALL]
    if isinstance(segment.dtype, pd.CategoricalDtype):
        return [ALL, *segment.cat.categories]
    return [ALL, *sorted(segment.dropna().unique())]


# ---------------------------------------------------------------------------
# Classic LTV
# ---------------------------------------------------------------------------
def classic_ltv(
    orders: pd.DataFrame,
    as_of,
    segments: pd.Series | None = None,
    period_days: int = PERIOD_DAYS,
) -> pd.DataFrame:
    """Classic LTV: average order value x purchases per active customer in one period.

    The period is the ``period_days`` days ending at ``as_of`` (rolling, not
    calendar years: with ``as_of = 2025-12-31`` and 365 days it is
    2025-01-01 .. 2025-12-31).  Its parts:

    * average order value = revenue / orders in the period;
    * frequency = orders / customers who bought in the period;
    * LTV (``ltv_1y``) = average order value x frequency (= revenue per
      active customer);
    * retention = of the customers who bought in the previous
      ``period_days`` days, the share who bought again in the period;
      churn = 1 - retention.

    It falls short because it counts one period only: two customer groups
    with the same yearly spend get the same LTV even if one stays for a year
    and the other for five.  :func:`lifetime_ltv` adds how long customers stay.

    Parameters
    ----------
    orders : pandas.DataFrame
        ``customer_id``, ``order_date``, ``amount``.
    as_of : str or datetime-like
        End of the period (inclusive).  Later orders are ignored.
    segments : pandas.Series, optional
        Segment per customer, indexed by ``customer_id`` (e.g.
        :func:`helpers.segments.customer_segments`).  Adds one row per
        segment after the overall row.
    period_days : int
        Length of the period and of the previous period, in days.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``group`` (``"all"``, then the segments) with
        ``customers`` (bought in the period), ``orders``, ``revenue``,
        ``aov``, ``frequency``, ``ltv_1y``, ``previous_customers`` (bought in
        the previous period), ``retained``, ``retention`` and ``churn``.
        Ratios are NaN where their denominator is zero.
    """
    if period_days < 1:
        raise ValueError(f"period_days must be at least 1, got {period_days!r}")
    end = _purchases.end_of_day(as_of)
    current_start = end.normalize() - pd.Timedelta(days=period_days - 1)
    previous_start = current_start - pd.Timedelta(days=period_days)
    window = orders.loc[
        (orders["order_date"] >= previous_start) & (orders["order_date"] <= end),
        ["customer_id", "order_date", "amount"],
    ]
    in_current = (window["order_date"] >= current_start).to_numpy()
    codes, ids = _purchases.customer_codes(window["customer_id"])
    n = len(ids)
    current_orders = np.bincount(codes[in_current], minlength=n)
    per_customer = pd.DataFrame(
        {
            "active": current_orders > 0,
            "orders": current_orders,
            "revenue": np.bincount(
                codes[in_current], weights=window["amount"].to_numpy(dtype=float)[in_current], minlength=n
            ),
            "previous": np.bincount(codes[~in_current], minlength=n) > 0,
        },
        index=pd.Index(ids, name="customer_id"),
    )
    per_customer["retained"] = per_customer["active"] & per_customer["previous"]

    segment = _segment_of(per_customer.index, segments)
    totals = per_customer.sum().to_frame(ALL).T
    if segment is not None:
        by_segment = per_customer.groupby(segment.array, observed=False).sum()
        totals = pd.concat([totals, by_segment])
    totals = totals.reindex(_group_order(segment)).fillna(0)
    customers = totals["active"].astype(float).where(totals["active"] > 0)
    result = pd.DataFrame(
        {
            "customers": totals["active"].astype(np.int64),
            "orders": totals["orders"].astype(np.int64),
            "revenue": totals["revenue"].astype(float),
            "aov": totals["revenue"] / totals["orders"].where(totals["orders"] > 0),
            "frequency": totals["orders"] / customers,
            "ltv_1y": totals["revenue"] / customers,
            "previous_customers": totals["previous"].astype(np.int64),
            "retained": totals["retained"].astype(np.int64),
        },
        index=totals.index,
    )
    result["retention"] = result["retained"] / result["previous_customers"].where(
        result["previous_customers"] > 0
    )
    result["churn"] = 1.0 - result["retention"]
    result.index.name = "group"
    return result


# ---------------------------------------------------------------------------
# Lifetime from retention
# ---------------------------------------------------------------------------
def customer_lifetimes(orders: pd.DataFrame, as_of, lapse_days: int = LAPSE_DAYS) -> pd.DataFrame:
    """Per buying customer: how long they have stayed, and whether they have lapsed.

    A customer has lapsed once ``lapse_days`` have passed since their last
    purchase.  Exactly:

    * lapse date = last purchase date + ``lapse_days`` days;
    * if lapse date <= ``as_of``: ``lapsed = True`` and ``duration_days`` =
      lapse date - first purchase date;
    * otherwise: ``lapsed = False`` (censored) and ``duration_days`` =
      ``as_of`` - first purchase date (0 for a first purchase on ``as_of``).

    So every lapsed customer stayed at least ``lapse_days``: the retention
    curve is 1 up to that point by construction.

    Parameters
    ----------
    orders : pandas.DataFrame
        ``customer_id``, ``order_date``, ``amount``.  Orders after ``as_of``
        are ignored.
    as_of : str or datetime-like
        Reference date, the end of the observation.
    lapse_days : int
        Days without a purchase after which a customer counts as lapsed.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``customer_id`` (in order of first appearance in
        ``orders``): ``first_order``, ``last_order``, ``n_orders``,
        ``revenue`` (the same facts as
        :func:`helpers.purchases.customer_purchases`), ``duration_days``
        (int) and ``lapsed`` (bool).
    """
    if lapse_days < 1:
        raise ValueError(f"lapse_days must be at least 1, got {lapse_days!r}")
    as_of_day = pd.Timestamp(as_of).normalize()
    facts = _purchases.customer_purchases(orders, as_of_day, sort=False)
    if facts.empty:
        raise ValueError(f"no orders on or before {as_of_day.date()}")
    first_order = facts["first_order"].to_numpy(dtype="datetime64[ns]")
    last_order = facts["last_order"].to_numpy(dtype="datetime64[ns]")
    stayed_until_lapse = (
        last_order.astype("datetime64[D]") - first_order.astype("datetime64[D]")
    ).astype(np.int64) + lapse_days
    tenure_days = facts["tenure_days"].to_numpy(dtype=np.int64)
    # lapse date <= as_of  <=>  (lapse date - first) <= (as_of - first)
    lapsed = stayed_until_lapse <= tenure_days
    return pd.DataFrame(
        {
            "first_order": first_order,
            "last_order": last_order,
            "n_orders": facts["n_orders"].to_numpy(dtype=np.int64),
            "revenue": facts["revenue"].to_numpy(),
            "duration_days": np.where(lapsed, stayed_until_lapse, tenure_days),
            "lapsed": lapsed,
        },
        index=facts.index,
    )


def _kaplan_meier(duration_days: np.ndarray, lapsed: np.ndarray):
    """scipy's Kaplan-Meier estimate (``ecdf`` on right-censored data)."""
    from scipy import stats  # imported when used: it adds 0.4 s to every kernel start
    durations = duration_days.astype(float)
    data = stats.CensoredData(uncensored=durations[lapsed], right=durations[~lapsed])
    return stats.ecdf(data)


def retention_curve(lifetimes: pd.DataFrame, confidence_level: float | None = 0.95) -> pd.DataFrame:
    """Kaplan-Meier retention curve with its pointwise confidence band.

    Uses :func:`scipy.stats.ecdf` on :class:`scipy.stats.CensoredData`
    (lapsed customers are events, active ones are right-censored at
    ``as_of``).  The band is scipy's ``log-log`` interval, which stays within
    0..1; where it is undefined (retention exactly 1 or 0) it equals the
    curve.

    Parameters
    ----------
    lifetimes : pandas.DataFrame
        ``duration_days`` and ``lapsed`` per customer (:func:`customer_lifetimes`).
    confidence_level : float or None
        Level of the band; ``None`` skips it (``lower``/``upper`` are NaN).

    Returns
    -------
    pandas.DataFrame
        One row per distinct duration (starting at day 0): ``days``,
        ``retention`` (share still active from this day on), ``lower``,
        ``upper``, ``at_risk`` (customers followed at least this long),
        ``lapsed`` and ``censored`` (customers whose duration ends here).
        Read it as a step function: the value holds from ``days`` to the
        next row.  The last row is the longest follow-up.
    """
    durations = lifetimes["duration_days"].to_numpy(np.int64)
    lapsed = lifetimes["lapsed"].to_numpy(bool)
    if len(durations) == 0:
        raise ValueError("no customers to estimate a retention curve from")
    result = _kaplan_meier(durations, lapsed)
    days = result.sf.quantiles
    retention = result.sf.probabilities
    if confidence_level is None:
        lower = upper = np.full(len(days), np.nan)
    else:
        with warnings.catch_warnings():
            # scipy warns where the log-log interval is undefined (S = 0 or 1)
            warnings.simplefilter("ignore", RuntimeWarning)
            band = result.sf.confidence_interval(confidence_level, method="log-log")
        lower = np.where(np.isnan(band.low.probabilities), retention, band.low.probabilities)
        upper = np.where(np.isnan(band.high.probabilities), retention, band.high.probabilities)
    if days[0] > 0:
        days, retention = np.r_[0.0, days], np.r_[1.0, retention]
        lower, upper = np.r_[1.0 if confidence_level else np.nan, lower], np.r_[
            1.0 if confidence_level else np.nan, upper
        ]
    sorted_all = np.sort(durations)
    sorted_lapsed = np.sort(durations[lapsed])
    sorted_censored = np.sort(durations[~lapsed])

    def _count_at(sorted_values: np.ndarray) -> np.ndarray:
        return np.searchsorted(sorted_values, days, "right") - np.searchsorted(sorted_values, days, "left")

    return pd.DataFrame(
        {
            "days": days.astype(np.int64),
            "retention": retention,
            "lower": lower,
            "upper": upper,
            "at_risk": len(sorted_all) - np.searchsorted(sorted_all, days, "left"),
            "lapsed": _count_at(sorted_lapsed),
            "censored": _count_at(sorted_censored),
        }
    )


def retention_curves(
    lifetimes: pd.DataFrame, segments: pd.Series | None = None, confidence_level: float | None = 0.95
) -> pd.DataFrame:
    """:func:`retention_curve` for all customers and for each segment, stacked.

    Parameters
    ----------
    lifetimes : pandas.DataFrame
        From :func:`customer_lifetimes`.
    segments : pandas.Series, optional
        Segment per customer, indexed by ``customer_id``.
    confidence_level : float or None
        Level of the band.

    Returns
    -------
    pandas.DataFrame
        The curves' rows with a leading ``group`` column (``"all"``, then the
        segments that have customers).
    """
    segment = _segment_of(lifetimes.index, segments)
    curves = []
    for group in _group_order(segment):
        members = lifetimes if group == ALL else lifetimes[(segment == group).to_numpy()]
        if len(members) == 0:
            continue
        curves.append(retention_curve(members, confidence_level).assign(group=group))
    frame = pd.concat(curves, ignore_index=True)
    return frame[["group", *[c for c in frame.columns if c != "group"]]]


@dataclass(frozen=True)
class ExpectedLifetime:
    """Expected (restricted mean) lifetime read off a retention curve.

    Attributes
    ----------
    years : float
        Area under the retention curve from 0 to the horizon, in years
        (discounted when a discount rate was given).
    low_years, high_years : float
        The same area under the lower and upper edge of the confidence band:
        a deliberately wide range (wider than a confidence interval of the
        mean), NaN without a band.
    horizon_years : float
        Horizon integrated over (the longest follow-up when ``tail="cap"``
        and the horizon is longer).
    followup_years : float
        Longest observed duration: the curve is estimated up to here only.
    extrapolated_years : float
        Part of the horizon beyond the follow-up, covered by the tail.
    tail : str
        How the curve was continued beyond the follow-up.
    """

    years: float
    low_years: float
    high_years: float
    horizon_years: float
    followup_years: float
    extrapolated_years: float
    tail: str


def _discounted_length(start, length, rate_per_day: float):
    """Integral of exp(-rate * t) over [start, start + length] (length when rate is 0)."""
    start = np.asarray(start, dtype=float)
    length = np.asarray(length, dtype=float)
    if rate_per_day == 0:
        return length
    return np.exp(-rate_per_day * start) * -np.expm1(-rate_per_day * length) / rate_per_day


def _tail_hazard(days: np.ndarray, values: np.ndarray, window: float) -> float:
    """Constant daily hazard of the curve's decline over its last ``window`` days."""
    followup = days[-1]
    start = max(followup - window, 0.0)
    span = followup - start
    start_value = values[np.searchsorted(days, start, "right") - 1]
    end_value = values[-1]
    if span <= 0 or end_value <= 0 or start_value <= end_value:
        return 0.0
    return float(np.log(start_value / end_value) / span)


def _area(days: np.ndarray, values: np.ndarray, horizon: float, rate_per_day: float, tail: str, window: float) -> float:
    """Area (in days) under a step curve from 0 to ``horizon``, continued by ``tail``."""
    followup = float(days[-1])
    step_end = np.minimum(np.r_[days[1:], followup], horizon)
    step_start = np.minimum(days, horizon)
    area = float(np.sum(values * _discounted_length(step_start, step_end - step_start, rate_per_day)))
    if horizon > followup and tail != "cap" and values[-1] > 0:
        hazard = 0.0 if tail == "hold" else _tail_hazard(days, values, window)
        area += float(
            values[-1]
            * np.exp(-rate_per_day * followup)
            * _discounted_length(0.0, horizon - followup, hazard + rate_per_day)
        )
    return area


def _rate_per_day(discount_rate: float) -> float:
    if discount_rate < 0:
        raise ValueError(f"discount_rate must be >= 0, got {discount_rate!r}")
    return float(np.log1p(discount_rate) / DAYS_PER_YEAR)


def expected_lifetime(
    curve: pd.DataFrame,
    horizon_years: float = HORIZON_YEARS,
    discount_rate: float = 0.0,
    tail: str = "exponential",
    tail_window_days: int = TAIL_WINDOW_DAYS,
) -> ExpectedLifetime:
    """Expected lifetime: the area under the retention curve up to a horizon.

    This restricted mean lifetime is the "length of the emotion curve": the
    average number of years a new customer stays within the horizon.  The
    curve is observed only up to the longest follow-up (the last row of
    ``curve``); beyond it, up to the horizon, ``tail`` decides:

    * ``"exponential"`` (default): the curve keeps falling at the constant
      rate it fell over its last ``tail_window_days`` days (flat if it did
      not fall);
    * ``"hold"``: the curve stays at its last value (optimistic);
    * ``"cap"``: no extrapolation; the horizon is cut to the follow-up
      (``horizon_years`` of the result says so).

    Parameters
    ----------
    curve : pandas.DataFrame
        From :func:`retention_curve` (``days``, ``retention``, ``lower``,
        ``upper``).
    horizon_years : float
        Horizon of the mean, in years.
    discount_rate : float
        Yearly discount rate (0.05 = 5 %); the area is then
        ``integral S(t) / (1 + discount_rate) ** (t / 365.25) dt``, i.e.
        purchases spread evenly over the time a customer stays.
    tail : {"exponential", "hold", "cap"}
        Extrapolation beyond the follow-up.
    tail_window_days : int
        Window of the exponential tail's rate.

    Returns
    -------
    ExpectedLifetime
    """
    if tail not in TAILS:
        raise ValueError(f"tail must be one of {TAILS}, got {tail!r}")
    if horizon_years <= 0:
        raise ValueError(f"horizon_years must be > 0, got {horizon_years!r}")
    rate = _rate_per_day(discount_rate)
    days = curve["days"].to_numpy(float)
    followup = float(days[-1])
    horizon = horizon_years * DAYS_PER_YEAR
    if tail == "cap":
        horizon = min(horizon, followup)

    def area_of(column: str) -> float:
        values = curve[column].to_numpy(float)
        if np.isnan(values).any():
            return float("nan")
        return _area(days, values, horizon, rate, tail, tail_window_days) / DAYS_PER_YEAR

    return ExpectedLifetime(
        years=area_of("retention"),
        low_years=area_of("lower"),
        high_years=area_of("upper"),
        horizon_years=horizon / DAYS_PER_YEAR,
        followup_years=followup / DAYS_PER_YEAR,
        extrapolated_years=max(horizon - followup, 0.0) / DAYS_PER_YEAR,
        tail=tail,
    )


def _ltv_value(aov: float, frequency: float, lifetime_years: float, margin: float) -> float:
    """LTV per customer; the one place the product is formed, so that equal inputs give equal LTVs."""
    return aov * frequency * margin * lifetime_years


def _purchase_rates(n_orders: np.ndarray, revenue: np.ndarray, duration_days: np.ndarray) -> tuple[float, float]:
    """Average order value and orders per customer-year of the durations."""
    orders = float(np.sum(n_orders))
    exposure_years = float(np.sum(duration_days)) / DAYS_PER_YEAR
    aov = float(np.sum(revenue)) / orders if orders > 0 else float("nan")
    frequency = orders / exposure_years if exposure_years > 0 else float("nan")
    return aov, frequency


def _columns(lifetimes: pd.DataFrame) -> dict[str, np.ndarray]:
    """The columns of :func:`customer_lifetimes` the LTV needs, as arrays."""
    return {
        "n_orders": lifetimes["n_orders"].to_numpy(np.int64),
        "revenue": lifetimes["revenue"].to_numpy(float),
        "duration_days": lifetimes["duration_days"].to_numpy(np.int64),
        "lapsed": lifetimes["lapsed"].to_numpy(bool),
    }


def lifetime_ltv(
    lifetimes: pd.DataFrame,
    segments: pd.Series | None = None,
    *,
    horizon_years: float = HORIZON_YEARS,
    margin: float = 1.0,
    discount_rate: float = 0.0,
    tail: str = "exponential",
    confidence_level: float | None = 0.95,
) -> pd.DataFrame:
    """LTV from retention: average order value x frequency x expected lifetime x margin.

    Per group (all customers, then each segment):

    * ``aov`` = revenue / orders (all orders up to ``as_of``);
    * ``frequency`` = orders per customer-year: orders / summed
      ``duration_days`` in years (see the module notes);
    * ``lifetime_years`` = :func:`expected_lifetime` of the group's own
      Kaplan-Meier curve (undiscounted), with ``lifetime_low`` /
      ``lifetime_high`` from the band;
    * ``ltv`` = ``aov x frequency x margin x`` the (discounted when
      ``discount_rate > 0``) expected lifetime; ``ltv_low`` / ``ltv_high``
      likewise from the band.

    Parameters
    ----------
    lifetimes : pandas.DataFrame
        From :func:`customer_lifetimes`.
    segments : pandas.Series, optional
        Segment per customer, indexed by ``customer_id``.
    horizon_years, discount_rate, tail
        As for :func:`expected_lifetime`.
    margin : float
        Gross margin applied to revenue (1.0 = revenue LTV).
    confidence_level : float or None
        Level of the retention band.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``group`` with ``customers``, ``aov``, ``frequency``,
        ``lifetime_years``, ``lifetime_low``, ``lifetime_high``,
        ``discounted_lifetime_years``, ``ltv``, ``ltv_low``, ``ltv_high``,
        ``followup_years``.  Groups without customers have NaN values.
    """
    segment = _segment_of(lifetimes.index, segments)
    rows = {}
    for group in _group_order(segment):
        members = lifetimes if group == ALL else lifetimes[(segment == group).to_numpy()]
        if len(members) == 0:
            rows[group] = {"customers": 0}
            continue
        curve = retention_curve(members, confidence_level)
        plain = expected_lifetime(curve, horizon_years, 0.0, tail)
        valued = expected_lifetime(curve, horizon_years, discount_rate, tail)
        columns = _columns(members)
        aov, frequency = _purchase_rates(columns["n_orders"], columns["revenue"], columns["duration_days"])
        rows[group] = {
            "customers": len(members),
            "aov": aov,
            "frequency": frequency,
            "lifetime_years": plain.years,
            "lifetime_low": plain.low_years,
            "lifetime_high": plain.high_years,
            "discounted_lifetime_years": valued.years,
            "ltv": _ltv_value(aov, frequency, valued.years, margin),
            "ltv_low": _ltv_value(aov, frequency, valued.low_years, margin),
            "ltv_high": _ltv_value(aov, frequency, valued.high_years, margin),
            "followup_years": plain.followup_years,
        }
    columns = [
        "customers", "aov", "frequency", "lifetime_years", "lifetime_low", "lifetime_high",
        "discounted_lifetime_years", "ltv", "ltv_low", "ltv_high", "followup_years",
    ]
    result = pd.DataFrame.from_dict(rows, orient="index").reindex(columns=columns)
    result["customers"] = result["customers"].fillna(0).astype(np.int64)
    result.index.name = "group"
    return result


def annual_new_customers(lifetimes: pd.DataFrame, as_of, period_days: int = PERIOD_DAYS) -> float:
    """New customers per year: first purchases in the ``period_days`` ending at ``as_of``.

    Parameters
    ----------
    lifetimes : pandas.DataFrame
        From :func:`customer_lifetimes` (``first_order``).
    as_of : str or datetime-like
        End of the period.
    period_days : int
        Length of the period; the count is scaled to 365 days.

    Returns
    -------
    float
    """
    end = _purchases.end_of_day(as_of)
    start = end.normalize() - pd.Timedelta(days=period_days - 1)
    first = lifetimes["first_order"]
    return float(((first >= start) & (first <= end)).sum()) * PERIOD_DAYS / period_days


# ---------------------------------------------------------------------------
# Recalculation after fixing friction points
# ---------------------------------------------------------------------------
def confirmed_touchpoints(friction: pd.DataFrame) -> list[str]:
    """Touchpoints of the confirmed friction points, most urgent first, each once.

    Parameters
    ----------
    friction : pandas.DataFrame
        :func:`helpers.friction.friction_table` (``touchpoint``, ``rank``,
        ``confirmed``).

    Returns
    -------
    list of str
        Touchpoints whose friction point is confirmed (``"yes"``) by the
        behaviour of their low raters, in rank order.
    """
    confirmed = friction[friction["confirmed"] == "yes"].sort_values("rank", kind="stable")
    return list(dict.fromkeys(confirmed["touchpoint"].astype(str)))


def _rating_matrix(
    ratings: pd.DataFrame, touchpoints: Sequence[str], customers: pd.Index
) -> tuple[np.ndarray, np.ndarray]:
    """Latest ratings of ``customers`` (rows) for ``touchpoints`` (columns), and who answered.

    The selection is :func:`helpers.touchpoints.latest_ratings` (names matched
    after :func:`helpers.touchpoints.normalize_names`, the latest answer per
    customer and touchpoint).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Float ratings, NaN where not rated; and per customer whether they
        answered at all (any touchpoint).
    """
    keys = _touchpoints.normalize_names(pd.Series(list(touchpoints), dtype=object)).tolist()  # unique
    matrix = np.full((len(customers), len(keys)), np.nan)
    latest = _touchpoints.latest_ratings(ratings)
    customer_code, customer_ids = _purchases.customer_codes(latest["customer_id"])
    position = _purchases.id_positions(customers, customer_ids)
    answered = np.zeros(len(customers), dtype=bool)
    answered[position[position >= 0]] = True
    if not keys or latest.empty:
        return matrix, answered
    row = position[customer_code]
    column = _purchases.id_positions(keys, latest["key"])
    chosen = (row >= 0) & (column >= 0)  # raters who never bought are left out
    matrix[row[chosen], column[chosen]] = latest["rating"].to_numpy()[chosen]
    return matrix, answered


@dataclass(frozen=True)
class FrictionScenarios:
    """LTV before and after fixing friction points (:func:`friction_scenarios`).

    Attributes
    ----------
    baseline : pandas.Series
        All buying customers now: ``customers``, ``aov``, ``frequency``,
        ``lifetime_years``, ``ltv``.
    groups : pandas.DataFrame
        Per touchpoint, the low raters' and the reference customers'
        (rated above ``low_rating_max``) components: ``customers_low``,
        ``customers_reference``, ``aov_low``, ``frequency_low``,
        ``frequency_reference``, ``lifetime_low``, ``lifetime_reference``,
        ``ltv_low`` (per low rater), ``ltv_fixed`` (per low rater if fixed)
        and ``gain`` (``ltv_fixed - ltv_low``, never negative).
    scenarios : pandas.DataFrame
        One row per touchpoint fixed alone, then ``"combined"`` (all of them
        fixed together): ``customers_low`` (low raters of any of the
        scenario's touchpoints, each once), ``customers_affected`` (the same
        scaled to the base), ``customers_fixed`` (``share x`` affected),
        ``lifetime_before``, ``lifetime_after``, ``frequency_before``,
        ``frequency_after``, ``ltv_before``, ``ltv_after`` (per customer of
        the whole base), ``ltv_delta`` and ``value_gained`` (yen over the
        whole base).
    waterfall : pandas.DataFrame
        Baseline, one step per touchpoint in order of their gain, and the
        combined result: ``label``, ``kind`` (``"total"`` or ``"step"``),
        ``value`` (LTV per customer for totals, the increment for steps) and
        ``cumulative``.  The steps add up exactly to the combined gain.
    share : float
        Share of low raters assumed fixed.
    scale : float
        Customers each low rater stands for (customers / survey
        respondents, or 1 without scaling).
    ratings : numpy.ndarray or None
        The latest rating of each customer of ``lifetimes`` (rows) for each
        scenario touchpoint (columns, in the order of ``scenarios``), NaN
        where not rated.
    answered : numpy.ndarray or None
        Per customer, whether they answered the survey at all.
    """

    baseline: pd.Series
    groups: pd.DataFrame
    scenarios: pd.DataFrame
    waterfall: pd.DataFrame
    share: float
    scale: float
    ratings: np.ndarray | None = field(default=None, repr=False, compare=False)
    answered: np.ndarray | None = field(default=None, repr=False, compare=False)


def _group_values(
    columns: dict[str, np.ndarray], members: np.ndarray, horizon_years, discount_rate, tail
) -> dict[str, float]:
    """Aov, frequency and expected lifetime (plain and discounted) of the ``members`` mask; NaN if empty."""
    if not members.any():
        return dict.fromkeys(("aov", "frequency", "lifetime", "valued_lifetime"), float("nan"))
    durations = columns["duration_days"][members]
    aov, frequency = _purchase_rates(columns["n_orders"][members], columns["revenue"][members], durations)
    result = _kaplan_meier(durations, columns["lapsed"][members])
    days, retention = result.sf.quantiles, result.sf.probabilities
    if days[0] > 0:
        days, retention = np.r_[0.0, days], np.r_[1.0, retention]
    curve = pd.DataFrame({"days": days, "retention": retention, "lower": np.nan, "upper": np.nan})
    return {
        "aov": aov,
        "frequency": frequency,
        "lifetime": expected_lifetime(curve, horizon_years, 0.0, tail).years,
        "valued_lifetime": expected_lifetime(curve, horizon_years, discount_rate, tail).years,
    }


def friction_scenarios(
    lifetimes: pd.DataFrame,
    ratings: pd.DataFrame,
    touchpoints: Sequence[str],
    *,
    share: float = 0.5,
    low_rating_max: int = LOW_RATING_MAX,
    as_of=None,
    horizon_years: float = HORIZON_YEARS,
    margin: float = 1.0,
    discount_rate: float = 0.0,
    tail: str = "exponential",
    scale_to_base: bool = True,
) -> FrictionScenarios:
    """Recompute the LTV as if a share of each friction point's low raters behaved like the others.

    Construction (it guarantees the two properties below):

    1. The baseline is :func:`lifetime_ltv`'s overall LTV of all buying
       customers (``lifetimes``).
    2. For touchpoint *t*: the low raters (latest rating <=
       ``low_rating_max``) and the reference customers (rated above it) get
       their own average order value, frequency and Kaplan-Meier expected
       lifetime.  A fixed low rater keeps their own order value and takes
       the better of the two groups' frequency and of their lifetime
       (``max``: if the low raters are better on a component, fixing leaves
       it as it is).  Per fixed customer the gain is ``gain_t =
       aov_low x max(freq) x max(lifetime) x margin - ltv_low >= 0``.
    3. A customer who is a low rater of several chosen touchpoints is
       counted once, with the largest of their ``gain_t`` (being fixed makes
       them like the other customers, not better).
    4. ``value_gained = share x scale x`` the sum of those per-customer
       gains, and the LTV per customer after = baseline + ``value_gained /``
       customers.  With ``scale_to_base`` (default) the survey respondents
       stand for the whole base: ``scale`` = customers / respondents (buying
       customers with at least one rating); otherwise ``scale = 1`` and only
       the customers known to be low raters count.

    Properties: ``share = 0`` or no touchpoints gives exactly the baseline;
    the LTV after never falls when ``share`` grows or a touchpoint is added.

    The lifetime and frequency "after" columns are the baseline values plus
    the customer-weighted average change of each component; the LTV after is
    computed from the value changes (steps 2-4), so it is not exactly their
    product.

    Parameters
    ----------
    lifetimes : pandas.DataFrame
        From :func:`customer_lifetimes`; the customer base.
    ratings : pandas.DataFrame
        Touchpoint ratings (``customer_id``, ``touchpoint``, ``rating``,
        optional ``response_date``).  Raters who never bought are ignored.
    touchpoints : sequence of str
        Friction points to fix, e.g. the confirmed rows of
        :func:`helpers.friction.friction_table`.  May be empty.
    share : float
        Share (0..1) of the low raters assumed to behave like the others.
    low_rating_max : int
        Ratings at or below count as low.
    as_of : str or datetime-like, optional
        Ratings answered after it are ignored.
    horizon_years, margin, discount_rate, tail
        As for :func:`lifetime_ltv`.
    scale_to_base : bool
        Scale the respondents' low raters up to the whole customer base
        (the survey is a sample of it).

    Returns
    -------
    FrictionScenarios
    """
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"share must be between 0 and 1, got {share!r}")
    # one entry per touchpoint, however it is spelled (first spelling kept)
    names = pd.Series(list(touchpoints), dtype=object)
    touchpoints = names[~_touchpoints.normalize_names(names).duplicated().to_numpy()].tolist()
    n_customers = len(lifetimes)
    columns = _columns(lifetimes)
    base = _group_values(columns, np.ones(n_customers, dtype=bool), horizon_years, discount_rate, tail)
    base_ltv = _ltv_value(base["aov"], base["frequency"], base["valued_lifetime"], margin)
    baseline = pd.Series(
        {"customers": n_customers, "aov": base["aov"], "frequency": base["frequency"],
         "lifetime_years": base["lifetime"], "ltv": base_ltv}
    )
    base_lifetime, base_frequency = base["lifetime"], base["frequency"]

    if as_of is not None:
        ratings = _purchases.up_to(ratings, as_of, "response_date")
    ratings_array, answered = _rating_matrix(ratings, touchpoints, lifetimes.index)
    respondents = int(answered.sum())
    scale = n_customers / respondents if scale_to_base and respondents else 1.0
    low = ratings_array <= low_rating_max  # NaN compares False
    reference = ratings_array > low_rating_max

    group_rows = []
    for j, touchpoint in enumerate(touchpoints):
        lo = _group_values(columns, low[:, j], horizon_years, discount_rate, tail)
        ref = _group_values(columns, reference[:, j], horizon_years, discount_rate, tail)
        ltv_low = _ltv_value(lo["aov"], lo["frequency"], lo["valued_lifetime"], margin)
        # fixable only when both groups have every component (a group whose
        # customers all started on as_of has no frequency yet)
        fixable = bool(np.isfinite([*lo.values(), *ref.values()]).all())
        if fixable:
            ltv_fixed = _ltv_value(
                lo["aov"],
                max(lo["frequency"], ref["frequency"]),
                max(lo["valued_lifetime"], ref["valued_lifetime"]),
                margin,
            )
        else:
            ltv_fixed = ltv_low
        group_rows.append(
            {
                "touchpoint": touchpoint,
                "customers_low": int(low[:, j].sum()),
                "customers_reference": int(reference[:, j].sum()),
                "aov_low": lo["aov"],
                "frequency_low": lo["frequency"],
                "frequency_reference": ref["frequency"],
                "lifetime_low": lo["lifetime"],
                "lifetime_reference": ref["lifetime"],
                "ltv_low": ltv_low,
                "ltv_fixed": ltv_fixed,
                "gain": ltv_fixed - ltv_low if fixable else 0.0,
                "frequency_gain": max(ref["frequency"] - lo["frequency"], 0.0) if fixable else 0.0,
                "lifetime_gain": max(ref["lifetime"] - lo["lifetime"], 0.0) if fixable else 0.0,
            }
        )
    group_columns = [
        "touchpoint", "customers_low", "customers_reference", "aov_low", "frequency_low",
        "frequency_reference", "lifetime_low", "lifetime_reference", "ltv_low", "ltv_fixed",
        "gain", "frequency_gain", "lifetime_gain",
    ]
    groups = pd.DataFrame(group_rows, columns=group_columns).set_index("touchpoint")

    gains = groups["gain"].to_numpy(float)
    frequency_gains = groups["frequency_gain"].to_numpy(float)
    lifetime_gains = groups["lifetime_gain"].to_numpy(float)

    def best_fix(columns) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per customer: low on any of ``columns``, the largest gain and where it comes from (-1: none)."""
        any_low = np.zeros(n_customers, dtype=bool)
        best_gain = np.zeros(n_customers)
        best_at = np.full(n_customers, -1)
        for j in columns:
            gain_here = np.where(low[:, j], gains[j], 0.0)
            better = gain_here > best_gain  # ties keep the earlier touchpoint
            best_gain = np.maximum(best_gain, gain_here)
            best_at = np.where(better, j, best_at)
            any_low |= low[:, j]
        return any_low, best_gain, best_at

    def component_gain(values: np.ndarray, best_at: np.ndarray) -> float:
        return float(np.where(best_at >= 0, values[np.maximum(best_at, 0)], 0.0).sum()) if len(values) else 0.0

    def scenario(columns: list[int]) -> dict:
        any_low, best_gain, best_at = best_fix(columns)
        weight = share * scale
        value_gained = weight * float(best_gain.sum())
        return {
            "customers_low": int(any_low.sum()),
            "customers_affected": scale * float(any_low.sum()),
            "customers_fixed": weight * float(any_low.sum()),
            "lifetime_before": base_lifetime,
            "lifetime_after": base_lifetime + weight * component_gain(lifetime_gains, best_at) / n_customers,
            "frequency_before": base_frequency,
            "frequency_after": base_frequency + weight * component_gain(frequency_gains, best_at) / n_customers,
            "ltv_before": base_ltv,
            "ltv_after": base_ltv + value_gained / n_customers,
            "ltv_delta": value_gained / n_customers,
            "value_gained": value_gained,
        }

    rows = {touchpoint: scenario([j]) for j, touchpoint in enumerate(touchpoints)}
    rows[COMBINED] = scenario(list(range(len(touchpoints))))
    scenarios = pd.DataFrame.from_dict(rows, orient="index")
    scenarios.index.name = "scenario"

    # waterfall: add touchpoints in order of their own gain; each step is the
    # extra gain of fixing one more, so overlaps are not counted twice.  The
    # per-customer best gain is a maximum, so the last total equals the
    # combined scenario exactly, whatever the order.
    order = np.argsort(-scenarios["value_gained"].iloc[: len(touchpoints)].to_numpy(), kind="stable")
    best_gain = np.zeros(n_customers)
    cumulative = []
    for j in order:
        best_gain = np.maximum(best_gain, np.where(low[:, j], gains[j], 0.0))
        cumulative.append(base_ltv + share * scale * float(best_gain.sum()) / n_customers)
    step_values = np.diff(np.r_[base_ltv, cumulative])
    waterfall = pd.DataFrame(
        {
            "label": ["baseline", *[touchpoints[j] for j in order], "after"],
            "kind": ["total", *["step"] * len(order), "total"],
            "value": [base_ltv, *step_values, rows[COMBINED]["ltv_after"]],
            "cumulative": [base_ltv, *cumulative, rows[COMBINED]["ltv_after"]],
        }
    )
    return FrictionScenarios(baseline, groups, scenarios, waterfall, float(share), scale, ratings_array, answered)


def improvement_roi(
    scenarios: FrictionScenarios,
    cost: float | Mapping[str, float],
    customers_per_year: float,
    *,
    acquisition_cost_ratio: float = ACQUISITION_COST_RATIO,
    acquisition_cost_per_customer: float | None = None,
) -> pd.DataFrame:
    """Return on each improvement, and the same budget spent on new customers.

    Definitions (per scenario row of ``scenarios.scenarios``):

    * ``cost``: the improvement's one-off cost in yen (the combined
      scenario costs the sum of its touchpoints);
    * ``benefit`` = LTV gain per customer (``ltv_delta``) x
      ``customers_per_year``: what one year of new customers gains over
      their lifetime once the touchpoint is fixed (the share of low raters
      among new customers is assumed to stay as in the base);
    * ``roi`` = (benefit - cost) / cost;
    * ``customers_kept`` = customers per year whose behaviour the fix
      changes (``customers_fixed / customers x customers_per_year``);
      ``retention_cost`` = cost / customers_kept (yen per customer kept);
    * ``acquisition_cost`` = ``acquisition_cost_per_customer`` if given,
      else ``acquisition_cost_ratio x retention_cost`` (the "1:5 rule");
    * ``new_customers_for_budget`` = cost / acquisition_cost, and
      ``acquisition_value`` = that x the baseline LTV per customer;
    * ``benefit_vs_acquisition`` = benefit / acquisition_value (above 1: the
      fix is worth more than buying new customers with the same money).

    Parameters
    ----------
    scenarios : FrictionScenarios
        From :func:`friction_scenarios`.
    cost : float or mapping of str to float
        Cost per improvement in yen, one number for all or per touchpoint
        (must be > 0 for every touchpoint).
    customers_per_year : float
        New customers per year (e.g. :func:`annual_new_customers`).
    acquisition_cost_ratio : float
        Acquisition cost as a multiple of the retention cost.
    acquisition_cost_per_customer : float, optional
        Acquisition cost per new customer in yen; overrides the ratio.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``scenarios.scenarios`` with ``cost``, ``ltv_delta``,
        ``benefit``, ``roi``, ``customers_kept``, ``retention_cost``,
        ``acquisition_cost``, ``new_customers_for_budget``,
        ``acquisition_value``, ``benefit_vs_acquisition``.
    """
    table = scenarios.scenarios
    touchpoints = list(table.index[:-1])
    if isinstance(cost, Mapping):
        missing = [t for t in touchpoints if t not in cost]
        if missing:
            raise ValueError(f"no cost given for {missing}")
        per_point = {t: float(cost[t]) for t in touchpoints}
    else:
        per_point = dict.fromkeys(touchpoints, float(cost))
    if any(c <= 0 for c in per_point.values()):
        raise ValueError("every improvement cost must be > 0 yen")
    costs = pd.Series({**per_point, COMBINED: sum(per_point.values())}, dtype=float)
    if not touchpoints:
        costs[COMBINED] = float("nan")
    costs = costs.reindex(table.index)

    n_customers = float(scenarios.baseline["customers"])
    benefit = table["ltv_delta"] * customers_per_year
    kept = table["customers_fixed"] / n_customers * customers_per_year
    retention_cost = costs / kept.where(kept > 0)
    if acquisition_cost_per_customer is not None:
        acquisition_cost = pd.Series(float(acquisition_cost_per_customer), index=table.index)
    else:
        acquisition_cost = acquisition_cost_ratio * retention_cost
    new_customers = costs / acquisition_cost
    acquisition_value = new_customers * float(scenarios.baseline["ltv"])
    return pd.DataFrame(
        {
            "cost": costs,
            "ltv_delta": table["ltv_delta"],
            "benefit": benefit,
            "roi": (benefit - costs) / costs,
            "customers_kept": kept,
            "retention_cost": retention_cost,
            "acquisition_cost": acquisition_cost,
            "new_customers_for_budget": new_customers,
            "acquisition_value": acquisition_value,
            "benefit_vs_acquisition": benefit / acquisition_value.where(acquisition_value > 0),
        }
    )


# ---------------------------------------------------------------------------
# Predicted CLV per customer: who is worth most, who is slipping away
# ---------------------------------------------------------------------------
def customer_value(
    predictions: pd.DataFrame, lifetimes: pd.DataFrame, segments: pd.Series | None = None
) -> pd.DataFrame:
    """Per-customer predictions next to what each customer has bought so far.

    Parameters
    ----------
    predictions : pandas.DataFrame
        Indexed by customer id with ``p_alive``, ``expected_purchases`` and
        ``clv`` (:func:`helpers.clv.predict_customers`).
    lifetimes : pandas.DataFrame
        From :func:`customer_lifetimes` (``n_orders``, ``revenue``,
        ``last_order``).
    segments : pandas.Series, optional
        Segment per customer, indexed by ``customer_id``.

    Returns
    -------
    pandas.DataFrame
        Customers present in both, indexed by ``customer_id``: ``segment``
        (when given), ``n_orders``, ``revenue``, ``last_order``, ``p_alive``,
        ``expected_purchases``, ``clv``.
    """
    table = lifetimes[["n_orders", "revenue", "last_order"]].join(
        predictions[["p_alive", "expected_purchases", "clv"]], how="inner"
    )
    if segments is not None:
        table.insert(0, "segment", segments.reindex(table.index))
    table.index.name = "customer_id"
    return table


@dataclass(frozen=True)
class ChurnWarning:
    """The churn-warning list and the thresholds that made it (:func:`churn_warning_list`).

    Attributes
    ----------
    customers : pandas.DataFrame
        The selected rows of :func:`customer_value`, highest spend first.
    revenue_threshold : float
        Spend to date at or above which a customer counts as high-value.
    high_value_customers : int
        How many customers reach ``revenue_threshold``.
    max_p_alive : float
        The probability-alive threshold used.
    """

    customers: pd.DataFrame
    revenue_threshold: float
    high_value_customers: int
    max_p_alive: float


def churn_warning_list(value: pd.DataFrame, min_value_share: float = 0.2, max_p_alive: float = 0.5) -> ChurnWarning:
    """離脱予兆: valuable customers whose predicted probability of being alive is low.

    A customer is on the list when their spend so far (``revenue``) is in
    the top ``min_value_share`` of all customers (at or above the
    ``1 - min_value_share`` quantile) and their ``p_alive`` is below
    ``max_p_alive``.  Past spend rather than predicted CLV marks them as
    valuable, because a low ``p_alive`` already lowers their predicted CLV.

    Parameters
    ----------
    value : pandas.DataFrame
        From :func:`customer_value` (``revenue``, ``p_alive``).
    min_value_share : float
        Share (0..1] of customers counted as high-value.
    max_p_alive : float
        Probability-alive threshold.

    Returns
    -------
    ChurnWarning
        The list (highest spend first; ties: lower ``p_alive`` first, then
        customer id) with the spend threshold and the number of high-value
        customers, so that no caller recomputes them.
    """
    if not 0 < min_value_share <= 1:
        raise ValueError(f"min_value_share must be in (0, 1], got {min_value_share!r}")
    if value.empty:
        return ChurnWarning(value.copy(), float("nan"), 0, max_p_alive)
    threshold = value["revenue"].quantile(1 - min_value_share)
    high_value = value["revenue"] >= threshold
    chosen = value[high_value & (value["p_alive"] < max_p_alive)]
    customers = chosen.rename_axis("customer_id").reset_index().sort_values(
        ["revenue", "p_alive", "customer_id"], ascending=[False, True, True], kind="stable"
    ).set_index("customer_id")
    return ChurnWarning(customers, float(threshold), int(high_value.sum()), max_p_alive)
