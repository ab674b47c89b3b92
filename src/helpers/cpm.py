"""CPM (Customer Portfolio Management, 顧客ポートフォリオ・マネジメント): ten customer classes.

A stage from tenure and cumulative revenue, times a status from the days
since the last order.  With ``tenure`` the days from the first to the last
order (在籍日数) and ``revenue`` the cumulative spend up to ``as_of``:

===========  ========================================================================
stage        rule (checked in this order)
===========  ========================================================================
shokai       初回: one order
yochiyochi   よちよち: two or more orders, ``tenure < tenure_days``
kotsukotsu   コツコツ: ``tenure >= tenure_days`` and ``revenue < amount``
ryuko        流行: ``tenure_days <= tenure < loyal_days`` and ``revenue >= amount``
yuryo        優良: ``tenure >= loyal_days`` and ``revenue >= amount``
===========  ========================================================================

Status: ``lapsed`` (離脱) when the last order lies ``lapse_days`` or more
before ``as_of``, else ``active`` (現役).  The class code joins them, e.g.
``"yuryo_active"``.  The ten classes cover every buying customer exactly
once.

Defaults (:data:`DEFAULT_THRESHOLDS`) follow LTV-Lab's CPM集計 (the FAQ page
"CPM集計とは？", faqhelp.ltv-lab.jp): 離脱 after 240 days without an order,
在籍 90 and 210 days, cumulative 70,000 yen.  LTV-Lab words コツコツ as
"70000円以下" and 流行/優良 as "70000円以上"; here exactly 70,000 yen counts
as 流行/優良 so that the classes do not overlap.  The thresholds are
parameters: CPM tools (LTV-Lab, 打出の小槌) let each shop set its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers import purchases

#: Stages in order of customer development.
STAGES: tuple[str, ...] = ("shokai", "yochiyochi", "kotsukotsu", "ryuko", "yuryo")
#: Statuses.
STATUSES: tuple[str, ...] = ("active", "lapsed")
#: The ten classes, active ones first, each in stage order.
CLASSES: tuple[str, ...] = tuple(f"{stage}_{status}" for status in STATUSES for stage in STAGES)


@dataclass(frozen=True)
class CPMThresholds:
    """Thresholds of the CPM classes.

    Attributes
    ----------
    lapse_days : int
        Days since the last order from which a customer counts as lapsed (離脱).
    tenure_days : int
        Tenure (first to last order) from which a repeat customer is past
        よちよち.
    loyal_days : int
        Tenure from which a high spender is 優良 rather than 流行.
    amount : float
        Cumulative revenue (yen) from which a customer is 流行 or 優良.
    """

    lapse_days: int = 240
    tenure_days: int = 90
    loyal_days: int = 210
    amount: float = 70_000

    def __post_init__(self):
        if not 0 < self.tenure_days <= self.loyal_days:
            raise ValueError(f"need 0 < tenure_days <= loyal_days, got {self.tenure_days}, {self.loyal_days}")
        if self.lapse_days <= 0 or self.amount <= 0:
            raise ValueError("lapse_days and amount must be positive")


#: LTV-Lab's defaults (see the module docstring).
DEFAULT_THRESHOLDS = CPMThresholds()

#: Columns of :func:`cpm_summary` (and of ``cpm_summary.csv``).
SUMMARY_COLUMNS: tuple[str, ...] = ("class", "customers", "revenue", "share")


def cpm_classes(
    orders: pd.DataFrame,
    as_of,
    thresholds: CPMThresholds = DEFAULT_THRESHOLDS,
    *,
    bought: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The CPM class of every buying customer.

    Parameters
    ----------
    orders : pandas.DataFrame
        ``customer_id``, ``order_date``, ``amount``; orders after ``as_of``
        are not counted.
    as_of : str or datetime-like
        Reference date.
    thresholds : CPMThresholds
        Class boundaries.
    bought : pandas.DataFrame, optional
        :func:`helpers.purchases.customer_purchases` of the same orders and
        ``as_of`` when the caller has it already (saves a pass over the orders).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``customer_id``: ``n_orders``, ``revenue``,
        ``tenure_days`` (first to last order), ``days_since_last``,
        ``stage``, ``status`` and ``cpm_class`` (Categorical over
        :data:`CLASSES`).
    """
    if bought is None:
        bought = purchases.customer_purchases(orders, as_of, sort=False)
    first = bought["first_order"].to_numpy().astype("datetime64[D]")
    last = bought["last_order"].to_numpy().astype("datetime64[D]")
    tenure = (last - first).astype(np.int64)
    since_last = (np.datetime64(pd.Timestamp(as_of).date(), "D") - last).astype(np.int64)
    n_orders = bought["n_orders"].to_numpy()
    revenue = bought["revenue"].to_numpy(dtype="float64")
    t = thresholds
    high = revenue >= t.amount
    stage = np.select(
        [n_orders == 1, tenure < t.tenure_days, ~high, tenure < t.loyal_days],
        [0, 1, 2, 3],
        default=4,
    )
    lapsed = since_last >= t.lapse_days
    class_code = lapsed * len(STAGES) + stage
    return pd.DataFrame(
        {
            "n_orders": n_orders,
            "revenue": revenue,
            "tenure_days": tenure,
            "days_since_last": since_last,
            "stage": pd.Categorical.from_codes(stage, STAGES),
            "status": pd.Categorical.from_codes(lapsed.astype(np.int64), STATUSES),
            "cpm_class": pd.Categorical.from_codes(class_code, CLASSES),
        },
        index=bought.index,
    )


def cpm_summary(classes: pd.DataFrame) -> pd.DataFrame:
    """Customers, revenue and share per CPM class (all ten, empty ones with 0).

    Parameters
    ----------
    classes : pandas.DataFrame
        :func:`cpm_classes` output.

    Returns
    -------
    pandas.DataFrame
        One row per class of :data:`CLASSES`: ``class``, ``customers``,
        ``revenue`` (cumulative, yen), ``share`` (of customers) and
        ``revenue_share``.
    """
    grouped = classes.groupby("cpm_class", observed=False)["revenue"]
    table = pd.DataFrame({"customers": grouped.size(), "revenue": grouped.sum()}).reindex(list(CLASSES), fill_value=0)
    table["share"] = table["customers"] / max(int(table["customers"].sum()), 1)
    total = table["revenue"].sum()
    table["revenue_share"] = table["revenue"] / total if total > 0 else np.nan
    return table.rename_axis("class").reset_index()
