"""Predicted customer lifetime value: BG/NBD purchases, Gamma-Gamma spend, CLV.

The models are the exact maximum-likelihood versions of

- BG/NBD (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way",
  Marketing Science 24(2)): how many repeat purchases a customer makes and
  whether they are still "alive";
- Gamma-Gamma (Fader, Hardie & Lee 2005, "RFM and CLV", Journal of Marketing
  Research 42(4); Hardie's note 025): how much a customer spends per
  repeat purchase;

with the API of the `lifetimes` package (column names as keyword arguments,
fitters whose ``fit()`` returns ``self``, fitted attributes ending in ``_``).
They are written here because `lifetimes` is archived (it needs setuptools
< 81) and `pymc-marketing` is heavy and needs a newer Python; the
benchmark ``benchmarks/bench_clv.py`` checks that both give the same numbers
as `lifetimes`.

Time units
----------
The summary counts purchase *days*: several orders of one customer on one
calendar day are one transaction (their amounts are summed).  ``recency`` and
``T`` are then expressed in the unit chosen with ``freq`` and
``freq_multiplier``: ``freq="W"`` means days / 7 exactly (so ``T`` = 38.86
weeks from 1997-01-01 to 1997-09-30), ``freq="D"`` means days.  A fitted
model works in the unit of the data it was fitted on: ``t`` arguments of the
prediction methods are in that unit too.  Unlike `lifetimes`, ``freq="W"``
does not merge purchases of the same calendar week.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import betaln, digamma, expit, gammaln, hyp2f1

from helpers import purchases as _purchases

#: Length of one base time unit in days.
FREQ_DAYS: dict[str, int] = {"D": 1, "W": 7}

#: Model time units per month used by :meth:`GammaGammaFitter.customer_lifetime_value`
#: (the factors of `lifetimes`, so that results can be compared with it).
PERIODS_PER_MONTH: dict[str, float] = {"D": 30.0, "W": 4.345, "M": 1.0}

_NS_PER_UNIT = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}
_SECONDS_PER_DAY = 86_400


class ConvergenceError(RuntimeError):
    """The likelihood optimiser stopped without reaching a maximum."""


# ---------------------------------------------------------------------------
# Customer summary from a transaction log
# ---------------------------------------------------------------------------


def _unit_days(freq: str, freq_multiplier: float) -> float:
    if freq not in FREQ_DAYS:
        raise ValueError(f"freq must be one of {sorted(FREQ_DAYS)}, got {freq!r}")
    if not freq_multiplier > 0:
        raise ValueError(f"freq_multiplier must be positive, got {freq_multiplier!r}")
    return FREQ_DAYS[freq] * float(freq_multiplier)


def _day_numbers(dates: pd.Series) -> np.ndarray:
    """Calendar day of each timestamp as an integer (days since 1970-01-01).

    Times of day are dropped (floor), so 23:59 and 00:00 of one date are the
    same day.  Time-zone aware stamps count in their own local time.
    """
    if not pd.api.types.is_datetime64_any_dtype(dates):
        dates = pd.to_datetime(dates)
    if isinstance(dates.dtype, pd.DatetimeTZDtype):
        dates = dates.dt.tz_localize(None)
    values = dates.to_numpy()
    if np.isnat(values).any():
        raise ValueError(f"{dates.name!r} has {int(np.isnat(values).sum())} missing dates")
    unit, count = np.datetime_data(values.dtype)
    if unit not in _NS_PER_UNIT:
        return values.astype("datetime64[D]").view(np.int64)
    ticks_per_day = _SECONDS_PER_DAY * _NS_PER_UNIT[unit] // count
    return values.view(np.int64) // ticks_per_day


def _day_number(timestamp) -> int:
    """Calendar day of one timestamp, as :func:`_day_numbers`."""
    ts = pd.Timestamp(timestamp)
    if ts is pd.NaT:
        raise ValueError("the period end must be a date, got NaT")
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    return int(np.datetime64(ts.date(), "D").view(np.int64))


def _factorize_ids(ids: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes 0..k-1 of the customer ids, in order of first appearance.

    Same result as ``pd.factorize(ids)``, by
    :func:`helpers.purchases.customer_codes`.
    """
    codes, uniques = _purchases.customer_codes(ids)
    if len(codes) and codes.min() < 0:
        raise ValueError(f"{ids.name!r} has {int((codes < 0).sum())} missing customer ids")
    return codes.astype(np.int64, copy=False), pd.Index(uniques, name=ids.name, dtype=ids.dtype)


@dataclass
class _PurchaseDays:
    """Per-customer facts of the purchase days in one period (arrays by code)."""

    n_days: np.ndarray  # distinct purchase days
    first_day: np.ndarray  # day number of the first purchase day (-1 without)
    last_day: np.ndarray  # day number of the last purchase day (-1 without)
    spend: np.ndarray  # total spend
    first_day_spend: np.ndarray  # spend on the first purchase day


def _purchase_days(codes: np.ndarray, day: np.ndarray, amount, n_customers: int) -> _PurchaseDays:
    """Distinct purchase days per customer from order-level arrays.

    Sorting one int64 key ``code * span + day`` puts each customer's orders
    together, in day order; a key equal to its left neighbour is a further
    order on the same day.  Amounts need no sort: the total and the first-day
    spend are weighted counts by customer.  ``day`` is overwritten.  Large
    temporaries are few and reused, because allocating fresh memory costs
    as much as the arithmetic at ten million rows.
    """
    n_orders = np.bincount(codes, minlength=n_customers)
    first_offset = np.full(n_customers, -1, dtype=np.int64)
    last_offset = np.full(n_customers, -1, dtype=np.int64)
    if len(codes) == 0:
        zeros = np.zeros(n_customers)
        return _PurchaseDays(n_orders, first_offset, last_offset, zeros, zeros.copy())
    day0 = int(day.min())
    span = int(day.max()) - day0 + 1
    offset = day
    offset -= day0
    keys = codes * span
    keys += offset
    keys.sort()
    # Each customer's orders fill keys[start:end], of length n_orders.
    buyers = np.flatnonzero(n_orders)
    end = np.cumsum(n_orders)[buyers]
    start = end - n_orders[buyers]
    first_offset[buyers] = keys[start] - buyers * span
    last_offset[buyers] = keys[end - 1] - buyers * span
    # A key equal to its left neighbour is a second order on the same day.
    same_day = np.flatnonzero(np.equal(keys[1:], keys[:-1])) + 1
    n_days = n_orders - np.bincount(keys[same_day] // span, minlength=n_customers)
    if amount is None:
        spend = first_day_spend = np.zeros(n_customers)
    else:
        spend = np.bincount(codes, weights=amount, minlength=n_customers)
        first_offset_of_order = np.take(first_offset, codes, out=keys)  # reuse the key buffer
        on_first_day = np.equal(offset, first_offset_of_order)
        first_day_spend = np.bincount(codes[on_first_day], weights=amount[on_first_day], minlength=n_customers)
    first_day = np.where(n_days > 0, first_offset + day0, -1)
    last_day = np.where(n_days > 0, last_offset + day0, -1)
    return _PurchaseDays(n_days, first_day, last_day, spend, first_day_spend)


def _order_arrays(
    transactions: pd.DataFrame,
    customer_id_col: str,
    datetime_col: str,
    monetary_value_col: str | None,
    observation_period_end,
):
    """Codes, day numbers and amounts of the orders on or before the period end."""
    missing = [c for c in (customer_id_col, datetime_col, monetary_value_col) if c and c not in transactions]
    if missing:
        raise KeyError(f"transactions has no column(s) {missing}")
    day = _day_numbers(transactions[datetime_col])
    if len(day) == 0:
        raise ValueError("transactions is empty")
    last_day = int(day.max())
    end_day = last_day if observation_period_end is None else _day_number(observation_period_end)
    ids = transactions[customer_id_col]
    amount = None
    if monetary_value_col:
        amount = np.asarray(transactions[monetary_value_col], dtype=np.float64)
        if not np.isfinite(amount.sum()):  # one pass without a temporary; count only on failure
            bad = int((~np.isfinite(amount)).sum())
            if bad:
                raise ValueError(f"{monetary_value_col!r} has {bad} missing or infinite values")
    if last_day > end_day:
        keep = day <= end_day
        day = day[keep]
        ids = ids[keep]
        amount = None if amount is None else amount[keep]
    if len(day) == 0:
        raise ValueError(f"no transactions on or before {pd.Timestamp(observation_period_end).date()}")
    codes, customers = _factorize_ids(ids)
    return codes, day, amount, customers, end_day


def _summary_columns(days: _PurchaseDays, end_day: int, unit_days: float) -> dict[str, np.ndarray]:
    frequency = days.n_days - 1
    columns = {
        "frequency": frequency,
        "recency": (days.last_day - days.first_day) / unit_days,
        "T": (end_day - days.first_day) / unit_days,
    }
    repeat_spend = days.spend - days.first_day_spend
    columns["monetary_value"] = np.divide(repeat_spend, frequency, out=np.zeros(len(frequency)), where=frequency > 0)
    return columns


def summary_from_transactions(
    transactions: pd.DataFrame,
    customer_id_col: str = "customer_id",
    datetime_col: str = "order_date",
    monetary_value_col: str | None = "amount",
    observation_period_end=None,
    freq: str = "W",
    freq_multiplier: float = 1,
) -> pd.DataFrame:
    """Frequency, recency, T and mean repeat spend of each customer.

    Orders of one customer on one calendar day are one transaction (their
    amounts are summed); the first transaction is not a repeat purchase.

    Parameters
    ----------
    transactions : pandas.DataFrame
        One row per order.
    customer_id_col, datetime_col : str
        Columns with the customer id and the order timestamp.
    monetary_value_col : str or None
        Column with the order amount; ``None`` leaves out ``monetary_value``.
    observation_period_end : str or datetime-like, optional
        Last day observed (inclusive); later orders are ignored.  Defaults
        to the day of the last order.
    freq : {"W", "D"}
        Time unit of ``recency`` and ``T``: weeks (days / 7 exactly) or days.
    freq_multiplier : float
        The unit is ``freq_multiplier`` times ``freq`` (``freq="D",
        freq_multiplier=7`` is the same as ``freq="W"``).

    Returns
    -------
    pandas.DataFrame
        Indexed by customer id (in order of first appearance in
        ``transactions``), with

        - ``frequency`` (int): number of repeat purchase days;
        - ``recency``: time from the first to the last purchase day;
        - ``T``: time from the first purchase day to the period end;
        - ``monetary_value``: mean spend per repeat purchase day (0 when
          ``frequency`` is 0).

    Raises
    ------
    ValueError
        On missing ids, dates or amounts, or when no order falls on or
        before the period end.

    Examples
    --------
    >>> orders = pd.DataFrame({
    ...     "customer_id": ["a", "a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-15", "2024-01-08"]),
    ...     "amount": [100.0, 50.0, 300.0, 80.0]})
    >>> summary_from_transactions(
    ...     orders, observation_period_end="2024-01-29", freq="D"
    ... )  # doctest: +NORMALIZE_WHITESPACE
                 frequency  recency     T  monetary_value
    customer_id
    a                    1     14.0  28.0           300.0
    b                    0      0.0  21.0             0.0
    """
    unit_days = _unit_days(freq, freq_multiplier)
    codes, day, amount, customers, end_day = _order_arrays(
        transactions, customer_id_col, datetime_col, monetary_value_col, observation_period_end
    )
    days = _purchase_days(codes, day, amount, len(customers))
    columns = _summary_columns(days, end_day, unit_days)
    if not monetary_value_col:
        del columns["monetary_value"]
    return pd.DataFrame(columns, index=customers)


def calibration_and_holdout_data(
    transactions: pd.DataFrame,
    calibration_period_end,
    observation_period_end=None,
    customer_id_col: str = "customer_id",
    datetime_col: str = "order_date",
    monetary_value_col: str | None = "amount",
    freq: str = "W",
    freq_multiplier: float = 1,
) -> pd.DataFrame:
    """Summary of a calibration period and the purchases of the holdout period.

    Parameters
    ----------
    transactions : pandas.DataFrame
        One row per order.
    calibration_period_end : str or datetime-like
        Last day of the calibration period (inclusive).
    observation_period_end : str or datetime-like, optional
        Last day of the holdout period (inclusive); defaults to the day of
        the last order.
    customer_id_col, datetime_col, monetary_value_col, freq, freq_multiplier
        As in :func:`summary_from_transactions`.

    Returns
    -------
    pandas.DataFrame
        One row per customer who bought in the calibration period (in order
        of first appearance), with ``frequency_cal``, ``recency_cal``,
        ``T_cal``, ``monetary_value_cal`` (as :func:`summary_from_transactions`
        up to ``calibration_period_end``), ``frequency_holdout`` (number of
        purchase days in the holdout period: every holdout purchase is a
        repeat purchase), ``monetary_value_holdout`` (mean spend per holdout
        purchase day, 0 without one) and ``duration_holdout`` (length of the
        holdout period in the time unit).
    """
    unit_days = _unit_days(freq, freq_multiplier)
    codes, day, amount, customers, end_day = _order_arrays(
        transactions, customer_id_col, datetime_col, monetary_value_col, observation_period_end
    )
    cal_end_day = _day_number(calibration_period_end)
    if cal_end_day >= end_day:
        raise ValueError("calibration_period_end must be before observation_period_end")
    in_cal = day <= cal_end_day
    cal = _purchase_days(codes[in_cal], day[in_cal], None if amount is None else amount[in_cal], len(customers))
    hold = _purchase_days(codes[~in_cal], day[~in_cal], None if amount is None else amount[~in_cal], len(customers))
    bought_in_cal = cal.n_days > 0
    if not bought_in_cal.any():
        raise ValueError(f"no transactions on or before {pd.Timestamp(calibration_period_end).date()}")
    columns = {f"{k}_cal": v for k, v in _summary_columns(cal, cal_end_day, unit_days).items()}
    columns["frequency_holdout"] = hold.n_days
    columns["monetary_value_holdout"] = np.divide(
        hold.spend, hold.n_days, out=np.zeros(len(customers)), where=hold.n_days > 0
    )
    if not monetary_value_col:
        del columns["monetary_value_cal"], columns["monetary_value_holdout"]
    frame = pd.DataFrame(columns, index=customers)[bought_in_cal]
    frame["duration_holdout"] = (end_day - cal_end_day) / unit_days
    return frame


# ---------------------------------------------------------------------------
# Shared fitting machinery
# ---------------------------------------------------------------------------


def _as_float_array(values, name: str) -> np.ndarray:
    array = np.atleast_1d(np.asarray(values, dtype=np.float64))
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} has missing or infinite values")
    return array


def _weights_array(weights, n: int) -> np.ndarray:
    if weights is None:
        return np.ones(n)
    w = _as_float_array(weights, "weights")
    if len(w) != n:
        raise ValueError("weights must have one value per customer")
    if (w < 0).any() or w.sum() <= 0:
        raise ValueError("weights must be non-negative with a positive sum")
    return w


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    """Dot product of two vectors without BLAS.

    ``a @ b`` hands vectors to multi-threaded OpenBLAS, whose threads wait on
    each other for milliseconds per call on a busy machine - longer than the
    arithmetic; the likelihoods take dozens of dot products per evaluation.
    """
    return float(np.einsum("i,i->", a, b))


def _minimize(objective, x0: np.ndarray, names: tuple[str, ...], maxiter: int):
    """L-BFGS-B on log-parameters with an analytic gradient and tight tolerances."""
    result = minimize(
        objective,
        x0,
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": maxiter, "maxfun": 4 * maxiter, "ftol": 1e-12, "gtol": 1e-10},
    )
    # L-BFGS-B may stop on a line-search failure once it is at the optimum to
    # machine precision; that is a converged fit, a large gradient is not.
    if not np.isfinite(result.fun) or np.max(np.abs(result.jac)) > 1e-5:
        raise ConvergenceError(
            f"fitting ({', '.join(names)}) did not converge: {result.message}; "
            "try other initial_params or a small penalizer_coef"
        )
    return result


def _initial_log_params(initial_params, names: tuple[str, ...], scales: np.ndarray) -> np.ndarray:
    if initial_params is None:
        return np.zeros(len(names))
    if isinstance(initial_params, dict):
        initial_params = [initial_params[n] for n in names]
    values = np.asarray(initial_params, dtype=np.float64)
    if values.shape != (len(names),) or (values <= 0).any():
        raise ValueError(f"initial_params must be {len(names)} positive values {names}")
    return np.log(values * scales)


# ---------------------------------------------------------------------------
# BG/NBD
# ---------------------------------------------------------------------------


def _check_frequency_recency_T(frequency, recency, T) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = _as_float_array(frequency, "frequency")
    t_x = _as_float_array(recency, "recency")
    big_t = _as_float_array(T, "T")
    if not len(x) == len(t_x) == len(big_t):
        raise ValueError("frequency, recency and T must have the same length")
    if (x < 0).any() or (x != np.round(x)).any():
        raise ValueError("frequency must be whole numbers >= 0")
    if (t_x < 0).any() or (t_x > big_t).any():
        raise ValueError("recency must be between 0 and T")
    if (t_x[x == 0] != 0).any():
        raise ValueError("recency must be 0 for customers with frequency 0")
    return x, t_x, big_t


def distinct_histories(frequency, recency, T) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The distinct (frequency, recency, T) of many customers, and each customer's row among them.

    Everything per customer in these models depends on the three values
    alone: computed once per distinct history and spread back with
    ``values[of_customer]``, a result is the same number for every customer,
    at a fraction of the cost (a million customers have a few hundred
    thousand histories).

    Parameters
    ----------
    frequency, recency, T : array-like
        One value per customer.

    Returns
    -------
    x, t_x, big_t : numpy.ndarray
        The distinct histories, in (frequency, recency, T) order.
    of_customer : numpy.ndarray
        Index of each customer's history.
    """
    columns = [np.asarray(v, dtype=np.float64).ravel() for v in (frequency, recency, T)]
    values, codes = zip(*(np.unique(column, return_inverse=True) for column in columns), strict=True)
    if len(values[0]) * len(values[1]) * len(values[2]) >= 2**62:  # too many to pack in one integer
        rows, of_customer = np.unique(np.column_stack(columns), axis=0, return_inverse=True)
        return rows[:, 0].copy(), rows[:, 1].copy(), rows[:, 2].copy(), of_customer.ravel()
    # one integer per history that sorts as the triple does (each code is below its column's count)
    packed = (codes[0].ravel() * len(values[1]) + codes[1].ravel()) * len(values[2]) + codes[2].ravel()
    rows, of_customer = np.unique(packed, return_inverse=True)
    rest, t_code = np.divmod(rows, len(values[2]))
    x_code, tx_code = np.divmod(rest, len(values[1]))
    return values[0][x_code], values[1][tx_code], values[2][t_code], of_customer.ravel()


def _bgnbd_log_likelihood(params, x, t_x, T) -> np.ndarray:
    """Log-likelihood of each customer (Fader, Hardie & Lee 2005, eq. 6).

    L = A1 (A2 + [x > 0] A3) with
    log A1 = log Γ(r+x) - log Γ(r) + r log α,
    log A2 = log B(a, b+x) - log B(a, b) - (r+x) log(α+T),
    log A3 = log B(a+1, b+x-1) - log B(a, b) - (r+x) log(α+t_x),
    added in log space (log-sum-exp) so that neither term underflows.
    """
    r, alpha, a, b = params
    repeat = x > 0
    common = betaln(a, b + x) - betaln(a, b)
    log_a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    log_a2 = common - (r + x) * np.log(alpha + T)
    log_a3 = np.full(len(x), -np.inf)
    xr = x[repeat]
    log_a3[repeat] = betaln(a + 1, b + xr - 1) - betaln(a, b) - (r + xr) * np.log(alpha + t_x[repeat])
    return log_a1 + np.logaddexp(log_a2, log_a3)


class _BgNbdObjective:
    """Mean negative BG/NBD log-likelihood and its gradient, for many customers.

    Of the likelihood's terms only log(1 + A3 / A2) needs a per-customer
    special function, and only for customers with repeat purchases; every
    other term depends on x alone or on T alone, so it is computed once per
    distinct value and summed with precomputed weights.  Writing
    δ = log A3 - log A2 and ω = expit(δ) (the weight of the "dropped out
    after the last purchase" branch), the derivatives are

    ∂/∂r = ψ(r+x) - ψ(r) + log α - log(α+T) - ω (log(α+t_x) - log(α+T))
    ∂/∂α = r/α - (r+x) [1/(α+T) + ω (1/(α+t_x) - 1/(α+T))]
    ∂/∂a = ψ(a+b) - ψ(a+b+x) + ω / a
    ∂/∂b = ψ(a+b) - ψ(a+b+x) - ψ(b) + ψ(b+x) - ω / (b+x-1).

    Parameters are optimised as logarithms, with an optional L2 penalty on
    the parameters themselves.
    """

    def __init__(self, x, t_x, T, weights, penalizer_coef):
        self.penalizer_coef = penalizer_coef
        self.total_w = weights.sum()
        # Customers with equal (x, t_x, T) are one row weighted by their count.
        self.x_values, x_code = np.unique(x, return_inverse=True)
        self.T_values, T_code = np.unique(T, return_inverse=True)
        tx_values, tx_code = np.unique(t_x, return_inverse=True)
        x_T, x_T_code = np.unique(x_code * len(self.T_values) + T_code, return_inverse=True)
        rows, row_code = np.unique(x_T_code * len(tx_values) + tx_code, return_inverse=True)
        self.n_rows = len(rows)
        w = np.bincount(row_code, weights=weights, minlength=len(rows))
        x_T_of_row, tx_of_row = np.divmod(rows, len(tx_values))
        x_of_row, T_of_row = np.divmod(x_T[x_T_of_row], len(self.T_values))
        x = self.x_values[x_of_row]
        self.w_by_x = np.bincount(x_of_row, weights=w, minlength=len(self.x_values))
        self.w_by_T = np.bincount(T_of_row, weights=w, minlength=len(self.T_values))
        self.wx_by_T = np.bincount(T_of_row, weights=w * x, minlength=len(self.T_values))
        self.sum_wx = _dot(w, x)
        repeat = x > 0
        self.rep_x = x[repeat]
        self.rep_w = w[repeat]
        self.rep_x_index = x_of_row[repeat]
        self.rep_T_index = T_of_row[repeat]
        self.tx_values, self.rep_tx_index = np.unique(tx_values[tx_of_row[repeat]], return_inverse=True)

    def log_likelihood(self, params) -> float:
        """Summed log-likelihood at ``params`` (in the objective's time scale)."""
        return self._evaluate(np.asarray(params, dtype=np.float64), gradient=False)[0]

    def __call__(self, log_params):
        params = np.exp(log_params)
        ll_sum, grad = self._evaluate(params, gradient=True)
        value = -ll_sum / self.total_w + self.penalizer_coef * _dot(params, params)
        return value, -grad / self.total_w * params + 2 * self.penalizer_coef * params * params

    def _evaluate(self, params, gradient: bool):
        r, alpha, a, b = params
        xv = self.x_values
        log_alpha_T = np.log(alpha + self.T_values)
        inv_alpha_T = 1 / (alpha + self.T_values)
        # log A1 + log A2 without the T term, and log A3 - log A2 without the time terms, per x
        log_beta_ratio = betaln(a, b + xv) - betaln(a, b)
        log_a1 = gammaln(r + xv) - gammaln(r) + r * np.log(alpha)
        with np.errstate(divide="ignore", invalid="ignore"):
            branch_ratio = np.log(a) - np.log(b + xv - 1)  # log B(a+1, b+x-1) - log B(a, b+x)
        ll_sum = _dot(self.w_by_x, log_a1 + log_beta_ratio) - _dot(r * self.w_by_T + self.wx_by_T, log_alpha_T)

        # customers with repeat purchases: the log(1 + A3/A2) term
        rx = r + self.rep_x
        d_log = np.log(alpha + self.tx_values)[self.rep_tx_index] - log_alpha_T[self.rep_T_index]
        d_inv = (1 / (alpha + self.tx_values))[self.rep_tx_index] - inv_alpha_T[self.rep_T_index]
        delta = branch_ratio[self.rep_x_index] - rx * d_log
        # log(1 + e^δ) and ω = e^δ / (1 + e^δ) from one exponential, without overflow
        e = np.exp(-np.abs(delta))
        ll_sum += _dot(self.rep_w, np.log1p(e)) + _dot(self.rep_w, np.maximum(delta, 0.0))
        if not gradient:
            return ll_sum, None
        w_omega = np.where(delta >= 0, 1.0, e)
        w_omega /= 1.0 + e
        w_omega *= self.rep_w

        psi_common = digamma(a + b) - digamma(a + b + xv)
        grad = np.array(
            [
                _dot(self.w_by_x, digamma(r + xv) - digamma(r) + np.log(alpha))
                - _dot(self.w_by_T, log_alpha_T)
                - _dot(w_omega, d_log),
                self.total_w * r / alpha
                - _dot(r * self.w_by_T + self.wx_by_T, inv_alpha_T)
                - _dot(w_omega, rx * d_inv),
                _dot(self.w_by_x, psi_common) + w_omega.sum() / a,
                _dot(self.w_by_x, psi_common - digamma(b) + digamma(b + xv)) - _dot(w_omega, 1 / (b + self.rep_x - 1)),
            ]
        )
        return ll_sum, grad


class _Fitter:
    """What the two fitters share: the penalty, the fitted-state check and the repr."""

    param_names: tuple[str, ...] = ()
    #: Format of the parameter values in the repr.
    _value_format = ".3f"

    def __init__(self, penalizer_coef: float = 0.0):
        if penalizer_coef < 0:
            raise ValueError("penalizer_coef must be >= 0")
        self.penalizer_coef = penalizer_coef

    def __repr__(self) -> str:
        name = type(self).__name__
        if not hasattr(self, "params_"):
            return f"<{name}: not fitted>"
        values = ", ".join(f"{k}: {v:{self._value_format}}" for k, v in self.params_.items())
        return f"<{name}: fitted with {self.n_customers_:.0f} customers, {values}>"

    def _params(self) -> tuple[float, ...]:
        if not hasattr(self, "params_"):
            raise RuntimeError("call fit() first")
        params = self.params_
        if tuple(params.index) == self.param_names:  # the usual order: no label lookup (called per prediction)
            return tuple(params.tolist())
        return tuple(params[list(self.param_names)])


class BetaGeoFitter(_Fitter):
    """BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005).

    While alive, a customer buys as a Poisson process with rate
    λ ~ Gamma(r, α); after each purchase they drop out with probability
    p ~ Beta(a, b).

    Parameters
    ----------
    penalizer_coef : float
        L2 penalty ``penalizer_coef * (r² + α² + a² + b²)`` added to the mean
        negative log-likelihood, with α in the internal time scale where the
        largest ``T`` is 10 (as in `lifetimes`).  0 gives the plain MLE.

    Attributes
    ----------
    params_ : pandas.Series
        ``r``, ``alpha``, ``a``, ``b``; ``alpha`` in the time unit of the data.
    log_likelihood_ : float
        Maximised log-likelihood (sum over customers, in the data's units).
    n_customers_ : float
        Number of customers fitted (sum of the weights).
    n_unique_rows_ : int
        Distinct (frequency, recency, T) rows the likelihood was evaluated on.
    optimize_result_ : scipy.optimize.OptimizeResult
        The optimiser's report.

    Examples
    --------
    >>> bgf = BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])  # doctest: +SKIP
    >>> bgf.conditional_probability_alive(summary["frequency"], summary["recency"], summary["T"])  # doctest: +SKIP
    """

    param_names = ("r", "alpha", "a", "b")

    def fit(self, frequency, recency, T, weights=None, initial_params=None, maxiter: int = 2000) -> BetaGeoFitter:
        """Fit the BG/NBD parameters by maximum likelihood.

        Parameters
        ----------
        frequency, recency, T : array-like
            Repeat purchases, time of the last purchase and age of each
            customer, as from :func:`summary_from_transactions`.
        weights : array-like, optional
            Number of customers each row stands for (default 1 each).
        initial_params : dict or sequence, optional
            Starting ``r, alpha, a, b`` (alpha in the data's time unit).  The
            default starts from 1 in the internal time scale.
        maxiter : int
            Iteration limit of the optimiser.

        Returns
        -------
        BetaGeoFitter
            ``self``, fitted.

        Raises
        ------
        ValueError
            On missing values, negative or fractional frequencies, or a
            recency outside 0..T (0 when frequency is 0).
        ConvergenceError
            When the optimiser does not reach a maximum.
        """
        x, t_x, big_t = _check_frequency_recency_T(frequency, recency, T)
        w = _weights_array(weights, len(x))
        if not (big_t[w > 0] > 0).any():
            raise ValueError("T must be positive for at least one customer")
        # Fit in a time scale where the longest T is 10, as lifetimes does: it
        # keeps alpha near 1 whatever the unit (days, weeks) of the data.
        scale = 10.0 / big_t[w > 0].max()
        scales = np.array([1.0, scale, 1.0, 1.0])
        x0 = _initial_log_params(initial_params, self.param_names, scales)
        objective = _BgNbdObjective(x, t_x * scale, big_t * scale, w, self.penalizer_coef)
        result = _minimize(objective, x0, self.param_names, maxiter)
        params = np.exp(result.x) / scales
        self.params_ = pd.Series(params, index=list(self.param_names), name="BG/NBD")
        # Scaling time by s multiplies each customer's likelihood by s^-x.
        self.log_likelihood_ = float(objective.log_likelihood(np.exp(result.x)) + np.log(scale) * objective.sum_wx)
        self.n_customers_ = float(w.sum())
        self.n_unique_rows_ = objective.n_rows
        self.optimize_result_ = result
        return self

    def log_likelihood(self, frequency, recency, T) -> np.ndarray:
        """Log-likelihood of each customer's (frequency, recency, T) under the fitted model.

        Parameters
        ----------
        frequency, recency, T : array-like
            As in :meth:`fit`.

        Returns
        -------
        numpy.ndarray
            One value per customer; their sum is ``log_likelihood_`` for the
            fitted data.
        """
        x, t_x, big_t = _check_frequency_recency_T(frequency, recency, T)
        return _bgnbd_log_likelihood(self._params(), x, t_x, big_t)

    def conditional_probability_alive(self, frequency, recency, T):
        """Probability that each customer is still alive at the end of observation.

        P(alive | x, t_x, T) = 1 / (1 + [x > 0] a / (b + x - 1) ((α + T) / (α + t_x))^(r + x)),
        so a customer without repeat purchases counts as alive (the model lets
        customers drop out only right after a purchase).

        Parameters
        ----------
        frequency, recency, T : array-like
            As in :meth:`fit`.

        Returns
        -------
        numpy.ndarray or pandas.Series
            Probabilities (a Series with ``frequency``'s index if it is one).
        """
        r, alpha, a, b = self._params()
        x, t_x, big_t = _check_frequency_recency_T(frequency, recency, T)
        repeat = x > 0
        log_odds_dead = np.full(len(x), -np.inf)
        xr = x[repeat]
        log_odds_dead[repeat] = (
            np.log(a) - np.log(b + xr - 1) + (r + xr) * (np.log(alpha + big_t[repeat]) - np.log(alpha + t_x[repeat]))
        )
        return _like(frequency, expit(-log_odds_dead), "p_alive")

    def conditional_expected_number_of_purchases_up_to_time(self, t, frequency, recency, T):
        """Expected purchases in the next ``t`` time units, given each customer's history.

        Fader et al. (2005), eq. 10:
        E[Y(t) | x, t_x, T] = (a + b + x - 1) / (a - 1)
        × [1 - ((α + T) / (α + T + t))^(r + x) ₂F₁(r + x, b + x; a + b + x - 1; t / (α + T + t))]
        / (1 + [x > 0] a / (b + x - 1) ((α + T) / (α + t_x))^(r + x)).

        Parameters
        ----------
        t : float or array-like
            Length of the coming period, in the time unit of the data.
        frequency, recency, T : array-like
            As in :meth:`fit`.

        Returns
        -------
        numpy.ndarray or pandas.Series
            Expected number of purchases per customer.
        """
        r, alpha, a, b = self._params()
        x, t_x, big_t = _check_frequency_recency_T(frequency, recency, T)
        t = np.asarray(t, dtype=np.float64)
        z = t / (alpha + big_t + t)
        hyp = _hyp2f1_power(r + x, b + x, a + b + x - 1, z, (r + x) * np.log((alpha + big_t) / (alpha + big_t + t)))
        numerator = (a + b + x - 1) / (a - 1) * (1 - hyp)
        repeat = x > 0
        odds_dead = np.zeros(len(x))
        odds_dead[repeat] = (
            a
            / (b + x[repeat] - 1)
            * np.exp((r + x[repeat]) * (np.log(alpha + big_t[repeat]) - np.log(alpha + t_x[repeat])))
        )
        return _like(frequency, numerator / (1 + odds_dead), "expected_purchases")

    def expected_number_of_purchases_up_to_time(self, t):
        """Expected purchases of a new customer in their first ``t`` time units.

        Fader et al. (2005), eq. 7:
        E[X(t)] = (a + b - 1) / (a - 1) [1 - (α / (α + t))^r ₂F₁(r, b; a + b - 1; t / (α + t))].

        Parameters
        ----------
        t : float or array-like
            Time since the first purchase, in the time unit of the data.

        Returns
        -------
        float or numpy.ndarray
            Expected number of repeat purchases.
        """
        r, alpha, a, b = self._params()
        t = np.asarray(t, dtype=np.float64)
        hyp = _hyp2f1_power(r, b, a + b - 1, t / (alpha + t), r * np.log(alpha / (alpha + t)))
        result = (a + b - 1) / (a - 1) * (1 - hyp)
        return float(result) if result.ndim == 0 else result


def _hyp2f1_power(a, b, c, z, log_power):
    """exp(log_power) * ₂F₁(a, b; c; z), by Euler's transformation where ₂F₁ overflows.

    Euler: ₂F₁(a, b; c; z) = (1 - z)^(c - a - b) ₂F₁(c - a, c - b; c; z); the
    large factor (1 - z)^(c - a - b) then cancels against ``log_power`` in
    log space.
    """
    a, b, c, z, log_power = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (a, b, c, z, log_power)))
    with np.errstate(over="ignore", invalid="ignore"):
        value = np.array(hyp2f1(a, b, c, z) * np.exp(log_power), dtype=np.float64)
    bad = ~np.isfinite(value)
    if bad.any():
        a, b, c, z, log_power = (v[bad] for v in (a, b, c, z, log_power))
        value[bad] = hyp2f1(c - a, c - b, c, z) * np.exp((c - a - b) * np.log1p(-z) + log_power)
    return value


def _like(template, values: np.ndarray, name: str):
    """``values`` shaped like ``template``: a Series with its index, a float for a scalar."""
    if isinstance(template, pd.Series):
        return pd.Series(values, index=template.index, name=name)
    if np.ndim(template) == 0:
        return float(values[0])
    return values


# ---------------------------------------------------------------------------
# Gamma-Gamma
# ---------------------------------------------------------------------------


def _check_frequency_monetary(frequency, monetary_value) -> tuple[np.ndarray, np.ndarray]:
    x = _as_float_array(frequency, "frequency")
    m = _as_float_array(monetary_value, "monetary_value")
    if len(x) != len(m):
        raise ValueError("frequency and monetary_value must have the same length")
    return x, m


def _gamma_gamma_log_likelihood(params, x, m) -> np.ndarray:
    """log f(m_x | p, q, γ, x) of Fader, Hardie & Lee (2005), for x >= 1 and m_x > 0."""
    p, q, v = params
    px = p * x
    return (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(v)
        + (px - 1) * np.log(m)
        + px * np.log(x)
        - (px + q) * np.log(v + x * m)
    )


class _GammaGammaObjective:
    """Mean negative Gamma-Gamma log-likelihood and its gradient, for many customers.

    Only log(v + x m) is per customer; the Γ terms depend on x alone and the
    log m terms not on the parameters, so they are summed once.  With
    L = log(v + x m):

    ∂/∂p = x [ψ(px+q) - ψ(px) + log m + log x - L]
    ∂/∂q = ψ(px+q) - ψ(q) + log v - L
    ∂/∂v = q / v - (px + q) / (v + x m).

    Parameters are optimised as logarithms; the L2 penalty applies to the
    parameters in the data's currency (``scales`` converts).
    """

    def __init__(self, x, m, weights, penalizer_coef, scales):
        self.penalizer_coef = penalizer_coef
        self.scales = scales
        self.total_w = weights.sum()
        self.x_values, x_code = np.unique(x, return_inverse=True)
        self.w_by_x = np.bincount(x_code, weights=weights, minlength=len(self.x_values))
        self.w = weights
        self.wx = weights * x
        self.xm = x * m
        log_m = np.log(m)
        self.sum_wx_log_m = _dot(self.wx, log_m)
        self.sum_w_log_m = _dot(weights, log_m)

    def log_likelihood(self, params) -> float:
        """Summed log-likelihood at ``params`` (in the objective's currency scale)."""
        return self._evaluate(np.asarray(params, dtype=np.float64), gradient=False)[0]

    def __call__(self, log_params):
        params = np.exp(log_params)
        ll_sum, grad = self._evaluate(params, gradient=True)
        natural = params / self.scales
        value = -ll_sum / self.total_w + self.penalizer_coef * _dot(natural, natural)
        return value, -grad / self.total_w * params + 2 * self.penalizer_coef * natural * natural

    def _evaluate(self, params, gradient: bool):
        p, q, v = params
        xv = self.x_values
        pxv = p * xv
        log_v_xm = np.log(v + self.xm)
        wx_l, w_l = _dot(self.wx, log_v_xm), _dot(self.w, log_v_xm)
        ll_sum = (
            _dot(self.w_by_x, gammaln(pxv + q) - gammaln(pxv) - gammaln(q) + q * np.log(v) + pxv * np.log(xv))
            + p * self.sum_wx_log_m
            - self.sum_w_log_m
            - p * wx_l
            - q * w_l
        )
        if not gradient:
            return ll_sum, None
        inv_v_xm = 1 / (v + self.xm)
        psi_pxq = digamma(pxv + q)
        grad = np.array(
            [
                _dot(self.w_by_x, xv * (psi_pxq - digamma(pxv) + np.log(xv))) + self.sum_wx_log_m - wx_l,
                _dot(self.w_by_x, psi_pxq - digamma(q) + np.log(v)) - w_l,
                self.total_w * q / v - p * _dot(self.wx, inv_v_xm) - q * _dot(self.w, inv_v_xm),
            ]
        )
        return ll_sum, grad


class GammaGammaFitter(_Fitter):
    """Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee 2005).

    Each transaction's value is Gamma(p, ν) with the customer's ν ~ Gamma(q, γ);
    ``v`` is the γ of the papers and of Hardie's note 025.  Spend is assumed
    independent of purchase frequency.

    Parameters
    ----------
    penalizer_coef : float
        L2 penalty ``penalizer_coef * (p² + q² + v²)`` added to the mean
        negative log-likelihood (as in `lifetimes`).  0 gives the plain MLE.

    Attributes
    ----------
    params_ : pandas.Series
        ``p``, ``q``, ``v`` (= γ, in the currency of ``monetary_value``).
    log_likelihood_ : float
        Maximised log-likelihood (sum over customers).
    n_customers_ : float
        Number of customers fitted (sum of the weights).
    optimize_result_ : scipy.optimize.OptimizeResult
        The optimiser's report.
    """

    param_names = ("p", "q", "v")
    _value_format = ".2f"

    def fit(
        self, frequency, monetary_value, weights=None, initial_params=None, maxiter: int = 2000
    ) -> GammaGammaFitter:
        """Fit p, q and v by maximum likelihood.

        Parameters
        ----------
        frequency : array-like
            Repeat purchases; only customers with ``frequency >= 1`` may be
            passed.
        monetary_value : array-like
            Mean spend of each customer's repeat purchases (> 0).
        weights : array-like, optional
            Number of customers each row stands for (default 1 each).
        initial_params : dict or sequence, optional
            Starting ``p, q, v``.  The default is ``1, 1, mean spend``.
        maxiter : int
            Iteration limit of the optimiser.

        Returns
        -------
        GammaGammaFitter
            ``self``, fitted.

        Raises
        ------
        ValueError
            When a customer has no repeat purchase or a non-positive spend.
        ConvergenceError
            When the optimiser does not reach a maximum.
        """
        x, m = _check_frequency_monetary(frequency, monetary_value)
        if (x < 1).any():
            raise ValueError(
                "GammaGammaFitter needs customers with at least one repeat purchase: "
                "pass summary[summary['frequency'] > 0]"
            )
        if (m <= 0).any():
            raise ValueError("monetary_value must be > 0 for every customer fitted")
        w = _weights_array(weights, len(x))
        # v is in currency units: fit with spend divided by its mean so that
        # yen and dollars start equally close.
        scale = 1.0 / np.average(m, weights=w)
        scales = np.array([1.0, 1.0, scale])
        x0 = _initial_log_params(initial_params, self.param_names, scales)
        objective = _GammaGammaObjective(x, m * scale, w, self.penalizer_coef, scales)
        result = _minimize(objective, x0, self.param_names, maxiter)
        params = np.exp(result.x) / scales
        self.params_ = pd.Series(params, index=list(self.param_names), name="Gamma-Gamma")
        # Scaling spend by s multiplies each customer's density of m by s^-1.
        self.log_likelihood_ = float(objective.log_likelihood(np.exp(result.x)) + np.log(scale) * w.sum())
        self.n_customers_ = float(w.sum())
        self.optimize_result_ = result
        return self

    def log_likelihood(self, frequency, monetary_value) -> np.ndarray:
        """Log-density of each customer's mean repeat spend under the fitted model.

        Parameters
        ----------
        frequency, monetary_value : array-like
            As in :meth:`fit` (``frequency >= 1``, ``monetary_value > 0``).

        Returns
        -------
        numpy.ndarray
            One value per customer; their sum is ``log_likelihood_`` for the
            fitted data.
        """
        x, m = _check_frequency_monetary(frequency, monetary_value)
        return _gamma_gamma_log_likelihood(self._params(), x, m)

    def conditional_expected_average_profit(self, frequency, monetary_value):
        """Expected mean spend per future transaction of each customer.

        E[M | x, m_x] = p (v + x m_x) / (p x + q - 1): a weighted mean of the
        population mean ``p v / (q - 1)`` and the customer's own ``m_x``.
        Customers with ``frequency`` 0 get the population mean.

        Parameters
        ----------
        frequency : array-like
            Repeat purchases (0 allowed).
        monetary_value : array-like
            Mean repeat spend (ignored where ``frequency`` is 0).

        Returns
        -------
        numpy.ndarray or pandas.Series
            Expected spend per transaction, in the currency of the data.
        """
        p, q, v = self._params()
        x, m = _check_frequency_monetary(frequency, monetary_value)
        values = p * (v + x * m) / (p * x + q - 1)
        return _like(frequency, values, "expected_average_spend")

    def customer_lifetime_value(
        self,
        transaction_prediction_model: BetaGeoFitter,
        frequency,
        recency,
        T,
        monetary_value,
        time: int = 12,
        discount_rate: float = 0.01,
        freq: str = "W",
        freq_multiplier: float = 1,
    ):
        """Discounted expected spend of each customer over the next ``time`` months.

        As `lifetimes` computes it: for each month k = 1..time, the expected
        purchases in that month (from the BG/NBD model) times the expected
        spend per purchase (:meth:`conditional_expected_average_profit`),
        divided by (1 + discount_rate)^k.

        Parameters
        ----------
        transaction_prediction_model : BetaGeoFitter
            Fitted purchase model.
        frequency, recency, T, monetary_value : array-like
            Customer summary in the time unit the purchase model was fitted in.
        time : int
            Horizon in months.
        discount_rate : float
            Discount rate per month (0.01 = 1 % a month).
        freq : {"W", "D", "M"}
            Time unit of ``recency``, ``T`` and the purchase model: a month is
            4.345 weeks or 30 days (the factors of `lifetimes`).
        freq_multiplier : float
            The unit is ``freq_multiplier`` times ``freq``, as in
            :func:`summary_from_transactions`.

        Returns
        -------
        numpy.ndarray or pandas.Series
            CLV per customer, in the currency of ``monetary_value``.
        """
        if freq not in PERIODS_PER_MONTH:
            raise ValueError(f"freq must be one of {sorted(PERIODS_PER_MONTH)}, got {freq!r}")
        per_month = PERIODS_PER_MONTH[freq] / freq_multiplier
        x, t_x, big_t = (np.atleast_1d(np.asarray(v, dtype=np.float64)) for v in (frequency, recency, T))
        spend = self.conditional_expected_average_profit(x, monetary_value)
        *history, of_customer = distinct_histories(x, t_x, big_t)
        cumulative = [np.zeros(len(spend))]
        for month in range(1, int(time) + 1):
            expected = transaction_prediction_model.conditional_expected_number_of_purchases_up_to_time(
                month * per_month, *history
            )
            cumulative.append(expected[of_customer])
        monthly = np.diff(np.vstack(cumulative), axis=0)
        discount = (1 + discount_rate) ** -np.arange(1, int(time) + 1)
        return _like(frequency, spend * np.einsum("k,kn->n", discount, monthly), "clv")


# ---------------------------------------------------------------------------
# Per-customer predictions and the holdout check
# ---------------------------------------------------------------------------


def predict_customers(
    summary: pd.DataFrame,
    purchase_model: BetaGeoFitter,
    spend_model: GammaGammaFitter,
    horizon: float | None = None,
    time: int = 12,
    discount_rate: float = 0.01,
    freq: str = "W",
    freq_multiplier: float = 1,
    frequency_col: str = "frequency",
    recency_col: str = "recency",
    T_col: str = "T",
    monetary_value_col: str = "monetary_value",
) -> pd.DataFrame:
    """Per-customer predictions of the fitted models, one row per customer.

    Parameters
    ----------
    summary : pandas.DataFrame
        As from :func:`summary_from_transactions` (same time unit as the
        models).
    purchase_model : BetaGeoFitter
        Fitted BG/NBD model.
    spend_model : GammaGammaFitter
        Fitted Gamma-Gamma model.
    horizon : float, optional
        Length of the coming period for ``expected_purchases``, in the time
        unit of the summary; defaults to the CLV horizon (``time`` months).
    time, discount_rate, freq, freq_multiplier
        As in :meth:`GammaGammaFitter.customer_lifetime_value`.
    frequency_col, recency_col, T_col, monetary_value_col : str
        Columns of ``summary``.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``summary``: ``p_alive``, ``expected_purchases`` (in the
        coming ``horizon``), ``expected_average_spend`` (per purchase) and
        ``clv`` (discounted, over ``time`` months).
    """
    if freq not in PERIODS_PER_MONTH:
        raise ValueError(f"freq must be one of {sorted(PERIODS_PER_MONTH)}, got {freq!r}")
    x, t_x, big_t = (summary[c] for c in (frequency_col, recency_col, T_col))
    m = summary[monetary_value_col]
    if horizon is None:
        horizon = time * PERIODS_PER_MONTH[freq] / freq_multiplier
    return pd.DataFrame(
        {
            "p_alive": np.asarray(purchase_model.conditional_probability_alive(x, t_x, big_t)),
            "expected_purchases": np.asarray(
                purchase_model.conditional_expected_number_of_purchases_up_to_time(horizon, x, t_x, big_t)
            ),
            "expected_average_spend": np.asarray(spend_model.conditional_expected_average_profit(x, m)),
            "clv": np.asarray(
                spend_model.customer_lifetime_value(
                    purchase_model,
                    x,
                    t_x,
                    big_t,
                    m,
                    time=time,
                    discount_rate=discount_rate,
                    freq=freq,
                    freq_multiplier=freq_multiplier,
                )
            ),
        },
        index=summary.index,
    )


def holdout_purchases_by_frequency(
    purchase_model: BetaGeoFitter, calibration_holdout: pd.DataFrame, n: int = 7
) -> pd.DataFrame:
    """Actual and predicted holdout purchases, grouped by calibration frequency.

    The check of Fader, Hardie & Lee (2005), figure 5: customers are grouped
    by their number of repeat purchases in the calibration period (0, 1, ...,
    ``n - 1`` and ``n`` or more), and the mean number of purchases they made
    in the holdout period is set against the model's conditional expectation.

    Parameters
    ----------
    purchase_model : BetaGeoFitter
        Model fitted on the calibration columns.
    calibration_holdout : pandas.DataFrame
        As from :func:`calibration_and_holdout_data`.
    n : int
        Frequencies ``n`` and above are pooled into one group.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``frequency_cal`` (0..n, the last meaning "n or more"),
        with ``label`` ("0", ..., "n+"), ``customers``, ``actual`` and
        ``predicted`` (mean holdout purchases per customer).
    """
    cal = calibration_holdout
    predicted = purchase_model.conditional_expected_number_of_purchases_up_to_time(
        cal["duration_holdout"].to_numpy(), cal["frequency_cal"], cal["recency_cal"], cal["T_cal"]
    )
    group = np.minimum(cal["frequency_cal"].to_numpy(dtype=np.int64), n)
    frame = pd.DataFrame(
        {
            "frequency_cal": group,
            "actual": cal["frequency_holdout"].to_numpy(dtype=np.float64),
            "predicted": np.asarray(predicted),
        }
    )
    table = frame.groupby("frequency_cal").agg(
        customers=("actual", "size"), actual=("actual", "mean"), predicted=("predicted", "mean")
    )
    table.insert(0, "label", [f"{k}+" if k == n else str(k) for k in table.index])
    return table


# ---------------------------------------------------------------------------
# Fitting on the data at hand: the model, or the reason there is none
# ---------------------------------------------------------------------------
#: Fewest customers for a BG/NBD fit (4 parameters), and fewest of them with a repeat purchase.
MIN_CUSTOMERS_BGNBD = 20
MIN_REPEAT_BUYERS_BGNBD = 5
#: Fewest repeat buyers with a positive spend for a Gamma-Gamma fit (3 parameters).
MIN_REPEAT_BUYERS_GAMMA_GAMMA = 10


@dataclass(frozen=True)
class ModelFit:
    """A fitted model, or the reason it could not be fitted.

    Attributes
    ----------
    model : BetaGeoFitter or GammaGammaFitter or None
        The fitted model; ``None`` when ``reason`` is set.
    reason : str or None
        ``None`` when fitted, else a code: ``"too_few_customers"`` (``n``
        customers, ``minimum`` needed), ``"too_few_repeat_buyers"`` (``n``
        customers bought again, ``minimum`` needed) or ``"fit_failed"`` (the
        optimiser did not converge; ``detail`` holds its message).
    n : int
        Customers (BG/NBD) or repeat buyers (BG/NBD's second check, and
        Gamma-Gamma) behind the decision.
    minimum : int
        The fewest needed.
    detail : str
        The fitter's message when ``reason == "fit_failed"``.
    """

    model: object | None
    reason: str | None
    n: int
    minimum: int
    detail: str = ""

    @property
    def ok(self) -> bool:
        """Whether a model was fitted."""
        return self.reason is None


def _fit_or_reason(fit, n: int, minimum: int) -> ModelFit:
    try:
        return ModelFit(fit(), None, n, minimum)
    except ConvergenceError as err:
        return ModelFit(None, "fit_failed", n, minimum, str(err))


def fit_purchase_model(
    summary: pd.DataFrame,
    min_customers: int = MIN_CUSTOMERS_BGNBD,
    min_repeat_buyers: int = MIN_REPEAT_BUYERS_BGNBD,
    frequency_col: str = "frequency",
    recency_col: str = "recency",
    T_col: str = "T",
) -> ModelFit:
    """Fit BG/NBD on a summary when the data allow it.

    Parameters
    ----------
    summary : pandas.DataFrame
        ``frequency``, ``recency`` and ``T`` per customer
        (:func:`summary_from_transactions`, or the ``_cal`` columns of
        :func:`calibration_and_holdout_data` renamed).
    min_customers : int
        Fewest customers to fit on.
    min_repeat_buyers : int
        Fewest customers with a repeat purchase: without repeat purchases
        the purchase rate cannot be told apart from dropping out.
    frequency_col, recency_col, T_col : str
        Columns of ``summary`` (``"frequency_cal"`` ... for a calibration frame).

    Returns
    -------
    ModelFit
    """
    n = len(summary)
    if n < min_customers:
        return ModelFit(None, "too_few_customers", n, min_customers)
    x, t_x, big_t = (summary[c] for c in (frequency_col, recency_col, T_col))
    repeaters = int((x > 0).sum())
    if repeaters < min_repeat_buyers:
        return ModelFit(None, "too_few_repeat_buyers", repeaters, min_repeat_buyers)
    return _fit_or_reason(lambda: BetaGeoFitter().fit(x, t_x, big_t), repeaters, min_repeat_buyers)


def fit_spend_model(summary: pd.DataFrame, min_repeat_buyers: int = MIN_REPEAT_BUYERS_GAMMA_GAMMA) -> ModelFit:
    """Fit Gamma-Gamma on the repeat buyers of a summary when there are enough.

    Parameters
    ----------
    summary : pandas.DataFrame
        ``frequency`` and ``monetary_value`` per customer
        (:func:`summary_from_transactions`); customers without a repeat
        purchase or with no spend (free samples only) are left out of the fit.
    min_repeat_buyers : int
        Fewest repeat buyers with a positive spend.

    Returns
    -------
    ModelFit
    """
    fitted = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    n = len(fitted)
    if n < min_repeat_buyers:
        return ModelFit(None, "too_few_repeat_buyers", n, min_repeat_buyers)
    return _fit_or_reason(
        lambda: GammaGammaFitter().fit(fitted["frequency"], fitted["monetary_value"]), n, min_repeat_buyers
    )


@dataclass(frozen=True)
class HoldoutCheck:
    """Data and model of the holdout check, or why it is skipped.

    Attributes
    ----------
    calibration : pandas.DataFrame or None
        :func:`calibration_and_holdout_data`; ``None`` when the history is
        shorter than the holdout.
    fit : ModelFit or None
        BG/NBD fitted on the calibration period (``None`` with ``calibration``).
    reason : str or None
        ``None`` when the check can be drawn, ``"history_shorter_than_holdout"``
        (``history_days`` <= ``holdout_days``), or the reason of ``fit``.
    history_days : int
        Days from the first order to the period end.
    holdout_days : int
        Length of the holdout period.
    """

    calibration: pd.DataFrame | None
    fit: ModelFit | None
    reason: str | None
    history_days: int
    holdout_days: int


def holdout_check(
    transactions: pd.DataFrame,
    holdout_days: int,
    observation_period_end,
    freq: str = "W",
    customer_id_col: str = "customer_id",
    datetime_col: str = "order_date",
) -> HoldoutCheck:
    """Split the history at ``holdout_days`` before its end and fit BG/NBD on the first part.

    Parameters
    ----------
    transactions : pandas.DataFrame
        One row per order.
    holdout_days : int
        Length of the holdout period, counted back from ``observation_period_end``.
    observation_period_end : str or datetime-like
        Last day observed.
    freq : {"W", "D"}
        Time unit of the models.
    customer_id_col, datetime_col : str
        Columns of ``transactions``.

    Returns
    -------
    HoldoutCheck
    """
    end = pd.Timestamp(observation_period_end).normalize()
    first = transactions[datetime_col].min()
    history_days = int((end - first.normalize()).days) if pd.notna(first) else 0
    if history_days <= holdout_days:
        return HoldoutCheck(None, None, "history_shorter_than_holdout", history_days, int(holdout_days))
    calibration = calibration_and_holdout_data(
        transactions, end - pd.Timedelta(days=holdout_days), end, freq=freq,
        customer_id_col=customer_id_col, datetime_col=datetime_col,
    )
    fit = fit_purchase_model(calibration, frequency_col="frequency_cal", recency_col="recency_cal", T_col="T_cal")
    return HoldoutCheck(calibration, fit, fit.reason, history_days, int(holdout_days))
