"""Purchase histories per customer: order sequence, gaps and first-year value.

These are the facts about buying that several subjects share: the loyalty
segments' repeat rate, the role models' 1-year LTV, the friction notebook's
second-purchase conversion, the LTV components.  Computing them once here
keeps every notebook's numbers the same.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Days in the "1-year LTV" window counted from the first purchase.
FIRST_YEAR_DAYS = 365


def order_sequence(orders: pd.DataFrame) -> pd.DataFrame:
    """Orders in time order per customer, numbered, with the gap to the previous one.

    Parameters
    ----------
    orders : pandas.DataFrame
        ``customer_id``, ``order_date``, ``amount``; orders at the same
        moment keep their input order.

    Returns
    -------
    pandas.DataFrame
        The orders sorted by customer and date with ``order_number`` (1 for
        the first purchase), ``days_since_previous`` (NaN for the first) and
        ``days_since_first``.
    """
    # Sorting on integer codes is far faster than on string ids; lexsort is
    # stable, so orders at the same moment keep their input order.
    codes, _ = pd.factorize(orders["customer_id"].to_numpy(dtype=object), sort=True)
    order = np.lexsort((orders["order_date"].to_numpy(), codes))
    seq = orders.iloc[order].reset_index(drop=True)
    codes = codes[order]
    new_customer = np.r_[True, codes[1:] != codes[:-1]][: len(codes)]
    starts = np.flatnonzero(new_customer)
    run = np.cumsum(new_customer) - 1
    seq["order_number"] = np.arange(len(seq)) - starts[run] + 1
    day = seq["order_date"].dt.normalize().to_numpy()
    previous = np.r_[day[:1], day[:-1]]
    gap = pd.Series((day - previous) / np.timedelta64(1, "D"), index=seq.index)
    seq["days_since_previous"] = gap.where(~new_customer)
    seq["days_since_first"] = (day - day[starts[run]]) / np.timedelta64(1, "D")
    return seq


def customer_purchases(
    orders: pd.DataFrame, as_of, first_year_days: int = FIRST_YEAR_DAYS
) -> pd.DataFrame:
    """One row per buying customer: counts, spend, dates and first-year value.

    Parameters
    ----------
    orders : pandas.DataFrame
        ``customer_id``, ``order_date``, ``amount``.  Orders after ``as_of``
        are not counted.
    as_of : str or datetime-like
        Reference date (the end of the observation).
    first_year_days : int
        Length of the first-year window: purchases on days
        ``0 .. first_year_days - 1`` after the first purchase count.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``customer_id`` with ``first_order``, ``last_order``,
        ``n_orders``, ``revenue``, ``aov`` (average order value),
        ``is_repeat`` (two or more orders), ``tenure_days`` (days from the
        first purchase to ``as_of``), ``first_year_value`` (spend in the
        first-year window) and ``first_year_complete`` (the window has ended
        by ``as_of``, i.e. ``tenure_days >= first_year_days``).
    """
    as_of = pd.Timestamp(as_of)
    seq = order_sequence(orders[orders["order_date"] <= as_of + pd.Timedelta(days=1) - pd.Timedelta("1ns")])
    if seq.empty:
        empty = pd.DataFrame(columns=["first_order", "last_order", "n_orders", "revenue", "aov", "is_repeat",
                                      "tenure_days", "first_year_value", "first_year_complete"])
        return empty.rename_axis("customer_id")
    new_customer = seq["order_number"].to_numpy() == 1
    starts = np.flatnonzero(new_customer)
    ends = np.r_[starts[1:], len(seq)] - 1
    dates = seq["order_date"].to_numpy()
    amounts = seq["amount"].to_numpy(dtype="float64")
    in_first_year = seq["days_since_first"].to_numpy() < first_year_days
    result = pd.DataFrame(
        {
            "first_order": dates[starts],
            "last_order": dates[ends],
            "n_orders": ends - starts + 1,
            "revenue": np.add.reduceat(amounts, starts),
            "first_year_value": np.add.reduceat(np.where(in_first_year, amounts, 0.0), starts),
        },
        index=pd.Index(seq["customer_id"].to_numpy()[starts], name="customer_id"),
    )
    result["aov"] = result["revenue"] / result["n_orders"]
    result["is_repeat"] = result["n_orders"] >= 2
    result["tenure_days"] = (as_of.normalize() - result["first_order"].dt.normalize()).dt.days
    result["first_year_complete"] = result["tenure_days"] >= first_year_days
    result.index.name = "customer_id"
    return result


def nth_purchase_conversion(orders: pd.DataFrame, max_n: int = 6) -> pd.DataFrame:
    """The repeat funnel: how many customers made a k-th purchase, and the step rate.

    Parameters
    ----------
    orders : pandas.DataFrame
        ``customer_id``, ``order_date``.
    max_n : int
        Last purchase number shown.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``n`` (1..max_n) with ``customers`` (made at least n
        purchases) and ``conversion`` (share of those with n-1 purchases who
        made an n-th; NaN for n = 1).  n = 2 is the F2 conversion (F2転換率).
    """
    counts = orders.groupby("customer_id").size().to_numpy()
    n = np.arange(1, max_n + 1)
    reached = (counts[:, None] >= n[None, :]).sum(axis=0)
    previous = np.concatenate([[np.nan], reached[:-1]])
    with np.errstate(invalid="ignore", divide="ignore"):
        conversion = np.where(previous > 0, reached / previous, np.nan)
    return pd.DataFrame({"customers": reached, "conversion": conversion}, index=pd.Index(n, name="n"))
