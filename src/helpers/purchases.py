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
        ``customer_id``, ``order_date``, ``amount`` (``order_id`` breaks ties).

    Returns
    -------
    pandas.DataFrame
        The orders sorted by customer and date with ``order_number`` (1 for
        the first purchase), ``days_since_previous`` (NaN for the first) and
        ``days_since_first``.
    """
    keys = ["customer_id", "order_date"] + (["order_id"] if "order_id" in orders.columns else [])
    seq = orders.sort_values(keys, kind="stable").reset_index(drop=True)
    new_customer = seq["customer_id"].ne(seq["customer_id"].shift())
    seq["order_number"] = seq.groupby("customer_id", sort=False).cumcount() + 1
    day = seq["order_date"].dt.normalize()
    previous = day.shift().where(~new_customer)
    seq["days_since_previous"] = (day - previous).dt.days
    first = day.where(new_customer).ffill()
    seq["days_since_first"] = (day - first).dt.days
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
    grouped = seq.groupby("customer_id", sort=True)
    result = pd.DataFrame(
        {
            "first_order": grouped["order_date"].min(),
            "last_order": grouped["order_date"].max(),
            "n_orders": grouped.size(),
            "revenue": grouped["amount"].sum(),
        }
    )
    result["aov"] = result["revenue"] / result["n_orders"]
    result["is_repeat"] = result["n_orders"] >= 2
    result["tenure_days"] = (as_of.normalize() - result["first_order"].dt.normalize()).dt.days
    in_first_year = seq["days_since_first"] < first_year_days
    result["first_year_value"] = (
        seq["amount"].where(in_first_year, 0.0).groupby(seq["customer_id"]).sum()
    )
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
