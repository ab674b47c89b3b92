"""Monthly improvement tracking: a metric per customer group, its change and streaks.

Improvement work runs in cycles; four consecutive months of month-over-month
improvement make one クール (the length is a parameter).  This module computes
the monthly metric per group, the change from the previous month, the length
of the improvement streak in each month, where a クール was completed and
where a streak broke.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers import purchases

#: Metrics :func:`monthly_metric` computes.
METRICS: tuple[str, ...] = ("revenue", "orders", "active_customers", "aov", "repeat_rate")

#: Default number of consecutive improving months that make one クール.
DEFAULT_RUN_LENGTH = 4

def monthly_metric(
    orders: pd.DataFrame,
    groups: pd.Series,
    metric: str = "revenue",
    as_of=None,
    complete_months_only: bool = True,
) -> pd.DataFrame:
    """A metric per calendar month and customer group.

    Metrics (per month and group):

    * ``revenue``: sum of order amounts;
    * ``orders``: number of orders;
    * ``active_customers``: customers with at least one order in the month;
    * ``aov``: revenue / orders;
    * ``repeat_rate``: share of the month's active customers whose first
      order was in an earlier month (returning customers).  A customer who
      buys twice in their first month is not yet a returning customer.

    Parameters
    ----------
    orders : pandas.DataFrame
        ``customer_id``, ``order_date``, ``amount``.
    groups : pandas.Series
        Group per customer indexed by ``customer_id`` (e.g. loyalty segment at
        ``as_of`` from :func:`helpers.segments.customer_groups`).  The group is
        fixed over the months: it describes who the customers are now.
        Orders of customers without a group are left out.
    metric : str
        One of :data:`METRICS`.
    as_of : str or datetime-like, optional
        Orders after this date are left out; default: the last order date.
    complete_months_only : bool
        Leave out the month of ``as_of`` if ``as_of`` is not its last day (a
        partial month would look like a drop).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``month`` (monthly Period, every month from the first order
        to the last counted month), one column per group (categories of
        ``groups`` when Categorical).  Counts are 0 in months without orders;
        ratios are NaN there.
    """
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}, got {metric!r}")
    as_of = orders["order_date"].max() if as_of is None else pd.Timestamp(as_of)
    end = as_of.normalize() + pd.Timedelta(days=1)
    last_month = as_of.to_period("M")
    if complete_months_only and (as_of.normalize() + pd.Timedelta(days=1)).month == as_of.month:
        last_month -= 1
    counted = orders[orders["order_date"] < end]
    # one hashing pass over the customer ids; the rest is integer work
    codes, buyers = purchases.customer_codes(counted["customer_id"].array)
    month_no = counted["order_date"].dt.year.to_numpy() * 12 + counted["order_date"].dt.month.to_numpy() - 1
    first_month_no = np.full(len(buyers), np.iinfo(np.int64).max)
    np.minimum.at(first_month_no, codes, month_no)
    group_of_buyer = groups.array.take(purchases.id_positions(groups.index, buyers), allow_fill=True)
    frame = pd.DataFrame(
        {
            "month_no": month_no,
            "group": pd.Series(group_of_buyer).take(codes).to_numpy(),
            "code": codes,
            "amount": counted["amount"].to_numpy(dtype=float),
            "returning": month_no > first_month_no[codes],
        }
    )
    last_no = last_month.year * 12 + last_month.month - 1
    frame = frame[frame["group"].notna().to_numpy() & (frame["month_no"].to_numpy() <= last_no)]
    keys = ["month_no", "group"]
    if metric in ("revenue", "orders", "aov"):
        sums = frame.groupby(keys, observed=True)["amount"].agg(["sum", "size"])
        values = {"revenue": sums["sum"], "orders": sums["size"], "aov": sums["sum"] / sums["size"]}[metric]
    else:
        active = frame.drop_duplicates(["month_no", "code"])
        counts = active.groupby(keys, observed=True)["returning"].agg(["size", "mean"])
        values = counts["size"] if metric == "active_customers" else counts["mean"]
    table = values.unstack("group")
    first_no = int(frame["month_no"].min()) if len(frame) else last_no
    columns = groups.cat.categories if isinstance(groups.dtype, pd.CategoricalDtype) else table.columns
    table = table.reindex(index=np.arange(first_no, last_no + 1), columns=columns)
    # monthly Period ordinals count months from January 1970
    table.index = pd.PeriodIndex.from_ordinals(table.index.to_numpy() - 1970 * 12, freq="M").rename("month")
    if metric in ("revenue", "orders", "active_customers"):
        table = table.fillna(0)
    table.columns = pd.Index(list(table.columns), name=groups.name)
    return table.astype(float)


def improvement_streaks(
    monthly: pd.DataFrame, run_length: int = DEFAULT_RUN_LENGTH, higher_is_better: bool = True
) -> pd.DataFrame:
    """Month-over-month change and improvement streaks per group.

    Parameters
    ----------
    monthly : pandas.DataFrame
        :func:`monthly_metric` output (months × groups).
    run_length : int
        Consecutive improving months that make one クール.
    higher_is_better : bool
        Whether a rise counts as an improvement.

    Returns
    -------
    pandas.DataFrame
        One row per group and month (groups in column order, months in time
        order): ``group``, ``month``, ``value``, ``change`` (vs the previous
        month), ``change_rate`` (change / previous value), ``improved``,
        ``streak`` (consecutive improving months ending in this month),
        ``cool_completed`` (this month completes a クール: the streak reached
        a multiple of ``run_length``) and ``broken_streak`` (the length of
        the streak that ended in this month, 0 if none ended).
    """
    if run_length < 1:
        raise ValueError(f"run_length must be at least 1, got {run_length!r}")
    long = monthly.stack(future_stack=True).rename("value").reset_index()
    long.columns = ["month", "group", "value"]
    order = {g: i for i, g in enumerate(monthly.columns)}
    long["_g"] = long["group"].map(order)
    long = long.sort_values(["_g", "month"], kind="stable").reset_index(drop=True)
    by_group = long.groupby("_g", sort=False)
    previous = by_group["value"].shift()
    long["change"] = long["value"] - previous
    with np.errstate(invalid="ignore", divide="ignore"):
        long["change_rate"] = (long["change"] / previous.abs()).where(previous != 0)
    direction = 1 if higher_is_better else -1
    improved = (direction * long["change"]).gt(0).fillna(False).astype(bool)
    long["improved"] = improved
    run_id = (~improved).groupby(long["_g"]).cumsum()
    long["streak"] = improved.astype(int).groupby([long["_g"], run_id]).cumsum()
    long["cool_completed"] = (long["streak"] > 0) & (long["streak"] % run_length == 0)
    previous_streak = long.groupby("_g", sort=False)["streak"].shift().fillna(0).astype(int)
    long["broken_streak"] = np.where(~improved & (previous_streak > 0), previous_streak, 0)
    return long.drop(columns="_g")


def streak_summary(streaks: pd.DataFrame, run_length: int = DEFAULT_RUN_LENGTH) -> pd.DataFrame:
    """Per group: latest value and change, current and longest streak, クール and breaks.

    Parameters
    ----------
    streaks : pandas.DataFrame
        :func:`improvement_streaks` output (possibly cut to recent months).
    run_length : int
        Months per クール (as used for ``streaks``).

    Returns
    -------
    pandas.DataFrame
        Indexed by group: ``latest_value``, ``latest_change_rate``,
        ``current_streak``, ``longest_streak``, ``cools`` (クール completed),
        ``reached_cool`` (at least one), ``last_cool_month``,
        ``last_break_month`` and ``last_broken_streak`` (its length).
    """
    groups = pd.unique(streaks["group"])
    grouped = streaks.groupby("group", sort=False, observed=True)
    last = grouped.tail(1).set_index("group")
    cools = streaks[streaks["cool_completed"]].groupby("group", sort=False, observed=True)["month"]
    breaks = streaks[streaks["broken_streak"] > 0].groupby("group", sort=False, observed=True)
    table = pd.DataFrame(
        {
            "latest_value": last["value"],
            "latest_change_rate": last["change_rate"],
            "current_streak": last["streak"],
            "longest_streak": grouped["streak"].max(),
            "cools": cools.size(),
            "last_cool_month": cools.max(),
            "last_break_month": breaks["month"].max(),
        }
    ).reindex(groups)
    last_break = streaks[streaks["broken_streak"] > 0].groupby("group", sort=False, observed=True).tail(1)
    table["last_broken_streak"] = last_break.set_index("group")["broken_streak"].reindex(groups).fillna(0).astype(int)
    table["cools"] = table["cools"].fillna(0).astype(int)
    table["reached_cool"] = table["cools"] > 0
    table.index.name = "group"
    columns = [
        "latest_value", "latest_change_rate", "current_streak", "longest_streak",
        "cools", "reached_cool", "last_cool_month", "last_break_month", "last_broken_streak",
    ]
    return table[columns]


def recent_months(streaks: pd.DataFrame, months: int) -> pd.DataFrame:
    """The last ``months`` months of :func:`improvement_streaks` (all groups)."""
    last = streaks["month"].max()
    return streaks[streaks["month"] > last - months].reset_index(drop=True)
