"""Acquisition cohorts: retention and cumulative revenue by month of the first order.

A customer's cohort is the calendar month of their first order;
``months_since`` counts calendar months from the cohort month to the month of
an order (0 = the acquisition month itself).  Per cohort and
``months_since``:

* ``customers``: the cohort's size (customers whose first order fell in it);
* ``active``: distinct customers of the cohort with at least one order in
  that month;
* ``retention = active / customers`` (1 in month 0 by construction);
* ``revenue``: the cohort's order amounts in that month;
* ``cumulative_revenue_per_customer``: revenue of months ``0..months_since``
  divided by the cohort's size (the cohort's cumulative LTV per acquired
  customer, 獲得顧客1人あたり累積売上).

Every cohort has a row for each month from its own up to the month of
``as_of``; months without orders have ``active = 0``.  The month of
``as_of`` counts only the days up to ``as_of``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers import purchases

#: Columns of :func:`cohort_retention` (and of ``cohort_retention.csv``).
COHORT_COLUMNS: tuple[str, ...] = (
    "cohort",
    "months_since",
    "customers",
    "active",
    "retention",
    "revenue",
    "cumulative_revenue_per_customer",
)


def month_number(dates: pd.Series | np.ndarray) -> np.ndarray:
    """Calendar months since January 1970 (``year * 12 + month - 1 - 1970 * 12``) of datetimes."""
    return np.asarray(dates, dtype="datetime64[M]").astype(np.int64)


def cohort_retention(orders: pd.DataFrame, as_of) -> pd.DataFrame:
    """Retention and revenue per acquisition cohort and month since acquisition.

    Parameters
    ----------
    orders : pandas.DataFrame
        ``customer_id``, ``order_date``, ``amount``.  Orders after ``as_of``
        are not counted.
    as_of : str or datetime-like
        Reference date; the last month shown is its month.

    Returns
    -------
    pandas.DataFrame
        One row per cohort and ``months_since`` (cohorts in time order), with
        the columns of :data:`COHORT_COLUMNS`; ``cohort`` is a monthly
        :class:`pandas.Period`.  Empty when no order lies on or before
        ``as_of``.
    """
    kept = (orders["order_date"] <= purchases.end_of_day(as_of)).to_numpy()
    if not kept.any():
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in COHORT_COLUMNS})
    codes, ids = purchases.customer_codes(purchases.keep_rows(orders["customer_id"].array, kept))
    month = month_number(orders["order_date"].to_numpy()[kept])
    amount = orders["amount"].to_numpy(dtype="float64")[kept]
    first = np.full(len(ids), np.iinfo(np.int64).max)
    np.minimum.at(first, codes, month)
    first_cohort = int(first.min())
    last_month = int(month_number(np.array([pd.Timestamp(as_of)], dtype="datetime64[ns]"))[0])
    n_months = last_month - first_cohort + 1
    cohort = first[codes] - first_cohort
    since = month - first[codes]
    cell = cohort * n_months + since
    size = n_months * n_months
    # distinct (customer, month) pairs: active customers of each cell
    pair = codes.astype(np.int64) * n_months + (month - first_cohort)
    _, first_of_pair = np.unique(pair, return_index=True)
    active = np.bincount(cell[first_of_pair], minlength=size).reshape(n_months, n_months)
    revenue = np.bincount(cell, weights=amount, minlength=size).reshape(n_months, n_months)
    customers = np.bincount(first - first_cohort, minlength=n_months)
    cohorts_i, since_i = np.divmod(np.arange(size), n_months)
    shown = (cohorts_i + since_i < n_months) & (customers[cohorts_i] > 0)
    cumulative = np.cumsum(revenue, axis=1).ravel()
    table = pd.DataFrame(
        {
            "cohort": pd.PeriodIndex.from_ordinals(cohorts_i[shown] + first_cohort, freq="M"),
            "months_since": since_i[shown],
            "customers": customers[cohorts_i[shown]],
            "active": active.ravel()[shown],
            "revenue": revenue.ravel()[shown],
        }
    )
    table.insert(4, "retention", table["active"] / table["customers"])
    table["cumulative_revenue_per_customer"] = cumulative[shown] / table["customers"].to_numpy()
    return table.reset_index(drop=True)


def retention_matrix(table: pd.DataFrame, value: str = "retention") -> pd.DataFrame:
    """:func:`cohort_retention` as a cohort × ``months_since`` matrix of one column.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`cohort_retention` output.
    value : str
        Column to spread, e.g. ``"retention"`` or
        ``"cumulative_revenue_per_customer"``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``cohort``, one column per ``months_since``; NaN where a
        cohort has not reached that month yet.
    """
    return table.pivot(index="cohort", columns="months_since", values=value)


def average_retention(table: pd.DataFrame) -> pd.DataFrame:
    """Customer-weighted retention and cumulative revenue per month since acquisition.

    Each month pools the cohorts that have reached it, so later months rest
    on fewer, older cohorts.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`cohort_retention` output.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``months_since``: ``cohorts``, ``customers``, ``active``,
        ``retention`` (pooled active / pooled customers) and
        ``cumulative_revenue_per_customer`` (customer-weighted mean).
    """
    weighted = table.assign(_cum=table["cumulative_revenue_per_customer"] * table["customers"])
    pooled = weighted.groupby("months_since").agg(
        cohorts=("cohort", "size"), customers=("customers", "sum"), active=("active", "sum"), _cum=("_cum", "sum")
    )
    pooled["retention"] = pooled["active"] / pooled["customers"]
    pooled["cumulative_revenue_per_customer"] = pooled.pop("_cum") / pooled["customers"]
    return pooled
