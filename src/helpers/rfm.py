"""RFM scores: recency, frequency and monetary value in quintiles (1 = lowest, 5 = best).

Per buying customer up to ``as_of``:

* ``recency_days``: days from the last order to ``as_of`` (fewer is better);
* ``frequency``: number of orders;
* ``monetary``: revenue (sum of order amounts).

The rule for each score: with ``worse`` the number of customers whose value
is strictly worse (more days since the last order; fewer orders; less
revenue) and ``n`` the number of customers,

    score = floor(5 × worse / n) + 1.

So a score of 5 goes to customers better than at least 80% of all, and
customers with the same value always get the same score.  When many
customers tie (one-time buyers in ``frequency``) a tied block keeps one
score and some scores stay empty: the quintiles are not forced to hold 20%
each, unlike ``pandas.qcut`` on ranks that break ties arbitrarily.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers import purchases

#: Number of score levels (quintiles).
LEVELS = 5

#: Columns of :func:`rfm_scores` (and of ``rfm.csv`` after the id column).
RFM_COLUMNS: tuple[str, ...] = ("recency_days", "frequency", "monetary", "r", "f", "m", "rfm")


def quantile_score(values: np.ndarray, levels: int = LEVELS) -> np.ndarray:
    """``floor(levels × (number of strictly smaller values) / n) + 1`` for each value.

    Parameters
    ----------
    values : numpy.ndarray
        Values where larger is better.
    levels : int
        Number of score levels.

    Returns
    -------
    numpy.ndarray
        int64 scores 1..levels.
    """
    values = np.asarray(values, dtype="float64")
    smaller = np.searchsorted(np.sort(values), values, side="left")
    return (levels * smaller // max(len(values), 1) + 1).astype(np.int64)


def rfm_scores(
    orders: pd.DataFrame, as_of, levels: int = LEVELS, *, bought: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Recency, frequency, monetary and their scores for every buying customer.

    Parameters
    ----------
    orders : pandas.DataFrame
        ``customer_id``, ``order_date``, ``amount``; orders after ``as_of``
        are not counted.
    as_of : str or datetime-like
        Reference date.
    levels : int
        Number of score levels (5 = quintiles).
    bought : pandas.DataFrame, optional
        :func:`helpers.purchases.customer_purchases` of the same orders and
        ``as_of`` when the caller has it already (saves a pass over the orders).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``customer_id`` (sorted) with :data:`RFM_COLUMNS`;
        ``rfm`` is the three scores as a code such as ``"545"``.
    """
    bought = purchases.customer_purchases(orders, as_of) if bought is None else bought.sort_index()
    last_day = bought["last_order"].to_numpy().astype("datetime64[D]")
    recency = (np.datetime64(pd.Timestamp(as_of).date(), "D") - last_day).astype(np.int64)
    table = pd.DataFrame(
        {
            "recency_days": recency,
            "frequency": bought["n_orders"].to_numpy(dtype=np.int64),
            "monetary": bought["revenue"].to_numpy(dtype="float64"),
        },
        index=bought.index,
    )
    table["r"] = quantile_score(-recency, levels)
    table["f"] = quantile_score(table["frequency"].to_numpy(), levels)
    table["m"] = quantile_score(table["monetary"].to_numpy(), levels)
    table["rfm"] = table["r"].astype(str) + table["f"].astype(str) + table["m"].astype(str)
    return table


def rf_grid(scores: pd.DataFrame, levels: int = LEVELS) -> pd.DataFrame:
    """Customers and mean monetary value per recency × frequency score.

    Parameters
    ----------
    scores : pandas.DataFrame
        :func:`rfm_scores` output.
    levels : int
        Number of score levels.

    Returns
    -------
    pandas.DataFrame
        One row per ``r`` × ``f`` (1..levels each, all combinations):
        ``customers``, ``share`` (of all scored customers) and
        ``mean_monetary`` (NaN when empty).
    """
    grid = pd.MultiIndex.from_product([range(1, levels + 1)] * 2, names=["r", "f"])
    grouped = scores.groupby(["r", "f"])["monetary"]
    table = pd.DataFrame({"customers": grouped.size(), "mean_monetary": grouped.mean()}).reindex(grid)
    table["customers"] = table["customers"].fillna(0).astype(np.int64)
    table.insert(1, "share", table["customers"] / max(len(scores), 1))
    return table.reset_index()
