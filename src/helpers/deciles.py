"""Decile analysis (デシル分析): buying customers in ten equal-count layers by revenue.

Customers with at least one order up to ``as_of`` are ranked by their revenue
up to ``as_of``, highest first, ties broken by ``customer_id`` (ascending),
and cut into ten layers of equal count: decile 1 is the top 10%.  When the
number of customers ``n`` is not a multiple of ten, the first ``n mod 10``
deciles hold one customer more - the rule of SQL's ``NTILE(10)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers import purchases

#: Number of layers.
DECILES = 10

#: Columns of :func:`decile_table` (and of ``decile.csv``).
DECILE_COLUMNS: tuple[str, ...] = ("decile", "customers", "revenue", "revenue_share", "cumulative_share")


def customer_deciles(
    orders: pd.DataFrame, as_of, layers: int = DECILES, *, bought: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The revenue and decile of every buying customer.

    Parameters
    ----------
    orders : pandas.DataFrame
        ``customer_id``, ``order_date``, ``amount``; orders after ``as_of``
        are not counted.
    as_of : str or datetime-like
        Reference date.
    layers : int
        Number of layers (10 = deciles).
    bought : pandas.DataFrame, optional
        :func:`helpers.purchases.customer_purchases` of the same orders and
        ``as_of`` when the caller has it already (saves a pass over the orders).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``customer_id`` in rank order: ``revenue`` and ``decile``
        (1 = highest revenue).
    """
    # id order: the tie-break
    bought = purchases.customer_purchases(orders, as_of, sort=True) if bought is None else bought.sort_index()
    revenue = bought["revenue"].to_numpy(dtype="float64")
    rank = np.argsort(-revenue, kind="stable")
    sizes = len(rank) // layers + (np.arange(layers) < len(rank) % layers)
    decile = np.repeat(np.arange(1, layers + 1), sizes)
    return pd.DataFrame({"revenue": revenue[rank], "decile": decile.astype(np.int64)}, index=bought.index[rank])


def decile_table(deciles: pd.DataFrame, layers: int = DECILES) -> pd.DataFrame:
    """Customers and revenue per decile, with revenue shares.

    Parameters
    ----------
    deciles : pandas.DataFrame
        :func:`customer_deciles` output.
    layers : int
        Number of layers.

    Returns
    -------
    pandas.DataFrame
        One row per decile 1..layers with :data:`DECILE_COLUMNS`:
        ``revenue_share`` of all revenue and ``cumulative_share`` of deciles
        1..d.
    """
    grouped = deciles.groupby("decile")["revenue"]
    table = pd.DataFrame({"customers": grouped.size(), "revenue": grouped.sum()}).reindex(
        range(1, layers + 1), fill_value=0
    )
    total = table["revenue"].sum()
    table["revenue_share"] = table["revenue"] / total if total > 0 else np.nan
    table["cumulative_share"] = table["revenue_share"].cumsum()
    return table.rename_axis("decile").reset_index()
