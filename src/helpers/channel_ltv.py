"""LTV by acquisition channel against the cost per order (CPO): which channel pays back, and when.

Per ``acquisition_channel`` of the customers:

* ``new_customers``: customers of the channel with at least one order up to
  ``as_of``;
* ``customers_1y``: those whose first order lies at least ``window_days``
  (365) days before ``as_of``; only they count for the 1-year LTV;
* ``ltv_1y``: mean revenue in the first 365 days after the first order
  (days 0..364, as :func:`helpers.purchases.customer_purchases`);
* ``ltv_1y_margin = ltv_1y × gross_margin``.

The CPO (獲得単価, cost per new customer's first order) comes from the
optional ``ad_costs`` table - a channel's cost over the months it lists,
divided by the channel's new customers whose first order fell in those
months - or from a parameter (one yen amount for every channel, or one per
channel).  Then ``ltv_to_cpo = ltv_1y / cpo``, ``margin_ltv_to_cpo =
ltv_1y_margin / cpo``, and ``payback_month``: the first month after the first
order in which the cumulative margin per customer reaches the CPO.

Month ``m`` covers days ``[(m-1) × 30.4375, m × 30.4375)`` after the first
order.  Its revenue per customer is averaged over the customers observed for
at least ``m`` months, and the cumulative value is the running sum of these
monthly values: every month rests on all customers who could have bought in
it, so the curve never falls when older customers dominate the later months
(as an average of cumulative spend over a shrinking group would).  Months
with fewer than ``min_customers`` customers observed are left out; the
payback month is NaN when the CPO is not reached within the months kept (or
``max_months``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers import cohorts, purchases

#: Days in an average calendar month (the unit of payback months).
DAYS_PER_MONTH = 365.25 / 12

#: Columns of :attr:`ChannelLTV.table` (and of ``channel_ltv.csv``).
CHANNEL_COLUMNS: tuple[str, ...] = (
    "channel",
    "new_customers",
    "customers_1y",
    "ltv_1y",
    "ltv_1y_margin",
    "cpo",
    "cpo_source",
    "ltv_to_cpo",
    "margin_ltv_to_cpo",
    "payback_month",
)


@dataclass(frozen=True)
class ChannelLTV:
    """LTV by acquisition channel (:func:`channel_ltv`).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per channel (largest first, missing channel last) with
        :data:`CHANNEL_COLUMNS`; ``channel`` is ``<NA>`` for customers
        without one.  ``cpo_source`` is ``"ad_costs"``, ``"parameter"`` or
        ``<NA>`` (no CPO).
    curves : pandas.DataFrame
        Cumulative value per customer by month after the first order:
        ``channel``, ``month`` (1..), ``customers`` (observed at least that
        long; months with fewer than ``min_customers`` left out),
        ``cumulative_revenue``, ``cumulative_margin`` (per customer, running
        sums of the monthly values).
    gross_margin : float
        The margin used.
    """

    table: pd.DataFrame
    curves: pd.DataFrame
    gross_margin: float


def cpo_from_ad_costs(ad_costs: pd.DataFrame, customers: pd.DataFrame, orders: pd.DataFrame, as_of) -> pd.DataFrame:
    """CPO per channel from the ``ad_costs`` table.

    Parameters
    ----------
    ad_costs : pandas.DataFrame
        ``channel``, ``month`` (any date in the month), ``cost`` (yen).
    customers : pandas.DataFrame
        ``customer_id``, ``acquisition_channel``.
    orders : pandas.DataFrame
        ``customer_id``, ``order_date``; orders after ``as_of`` ignored.
    as_of : str or datetime-like
        Reference date.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``channel``: ``cost`` (sum over the listed months),
        ``new_customers`` (first order in a listed month of the channel) and
        ``cpo`` (cost / new customers; NaN without new customers).
    """
    bought = purchases.customer_purchases(orders, as_of, sort=False)
    channel_of = customers.set_index("customer_id")["acquisition_channel"].reindex(bought.index)
    return _cpo_table(ad_costs, channel_of, bought)


def _cpo_table(ad_costs: pd.DataFrame, channel_of: pd.Series, bought: pd.DataFrame) -> pd.DataFrame:
    first_month = cohorts.month_number(bought["first_order"].to_numpy())
    costs = ad_costs.assign(_month=cohorts.month_number(ad_costs["month"].to_numpy()))
    listed = costs[["channel", "_month"]].drop_duplicates()
    new = pd.DataFrame({"channel": channel_of.to_numpy(), "_month": first_month})
    new = new.merge(listed, on=["channel", "_month"], how="inner")
    table = pd.DataFrame(
        {
            "cost": costs.groupby("channel")["cost"].sum(),
            "new_customers": new.groupby("channel").size(),
        }
    )
    table["new_customers"] = table["new_customers"].fillna(0).astype(np.int64)
    table["cpo"] = (table["cost"] / table["new_customers"]).where(table["new_customers"] > 0)
    table.index.name = "channel"
    return table


def channel_ltv(
    orders: pd.DataFrame,
    customers: pd.DataFrame,
    as_of,
    gross_margin: float = 0.6,
    cpo: float | Mapping[str, float] | pd.Series | None = None,
    ad_costs: pd.DataFrame | None = None,
    window_days: int = purchases.FIRST_YEAR_DAYS,
    max_months: int = 36,
    min_customers: int = 30,
    *,
    bought: pd.DataFrame | None = None,
) -> ChannelLTV:
    """1-year LTV per acquisition channel, against the CPO, with payback months.

    Parameters
    ----------
    orders : pandas.DataFrame
        ``customer_id``, ``order_date``, ``amount``.
    customers : pandas.DataFrame
        ``customer_id``, ``acquisition_channel``.
    as_of : str or datetime-like
        Reference date.
    gross_margin : float
        Gross margin as a share of revenue (0..1).
    cpo : float, mapping or Series, optional
        CPO in yen when there is no ``ad_costs`` table: one amount for all
        channels or one per channel.  Ignored for channels ``ad_costs``
        covers.
    ad_costs : pandas.DataFrame, optional
        ``channel``, ``month``, ``cost`` (:func:`cpo_from_ad_costs`).
    window_days : int
        Length of the LTV window.
    max_months : int
        Last month of the payback curves.
    min_customers : int
        Fewest customers observed for a month to count in the payback curve.
    bought : pandas.DataFrame, optional
        :func:`helpers.purchases.customer_purchases` of the same orders,
        ``as_of`` and ``window_days`` when the caller has it already.

    Returns
    -------
    ChannelLTV

    Raises
    ------
    ValueError
        When ``customers`` has no ``acquisition_channel`` column or the
        margin is not in 0..1.
    """
    if "acquisition_channel" not in customers.columns:
        raise ValueError("customers have no acquisition_channel column")
    if not 0 <= gross_margin <= 1:
        raise ValueError(f"gross_margin must be between 0 and 1, got {gross_margin!r}")
    if bought is None:
        bought = purchases.customer_purchases(orders, as_of, window_days)
    channel_of = customers.set_index("customer_id")["acquisition_channel"].reindex(bought.index)
    channel_code, channels = pd.factorize(channel_of.to_numpy(dtype=object), use_na_sentinel=True)
    has_unknown = (channel_code < 0).any()
    n_groups = len(channels) + has_unknown
    group = np.where(channel_code < 0, len(channels), channel_code)
    complete = bought["first_year_complete"].to_numpy(dtype=bool)
    new_customers = np.bincount(group, minlength=n_groups)
    customers_1y = np.bincount(group[complete], minlength=n_groups)
    value_1y = np.bincount(group[complete], weights=bought["first_year_value"].to_numpy()[complete], minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        ltv_1y = np.where(customers_1y > 0, value_1y / customers_1y, np.nan)
    names = pd.array(list(channels) + ([pd.NA] if has_unknown else []), dtype="string")
    table = pd.DataFrame(
        {"channel": names, "new_customers": new_customers, "customers_1y": customers_1y, "ltv_1y": ltv_1y}
    )
    table["ltv_1y_margin"] = table["ltv_1y"] * gross_margin
    cpo_value, cpo_source = _cpos(table["channel"], cpo, ad_costs, channel_of, bought)
    table["cpo"] = cpo_value
    table["cpo_source"] = pd.array(cpo_source, dtype="string")
    with np.errstate(invalid="ignore", divide="ignore"):
        table["ltv_to_cpo"] = (table["ltv_1y"] / table["cpo"]).where(table["cpo"] > 0)
        table["margin_ltv_to_cpo"] = (table["ltv_1y_margin"] / table["cpo"]).where(table["cpo"] > 0)
    curves = _payback_curves(orders, bought, group, names, as_of, gross_margin, max_months)
    curves = curves[curves["customers"] >= max(min_customers, 1)].reset_index(drop=True)
    table["payback_month"] = _payback_month(curves, table)
    order = np.lexsort((np.arange(len(table)), -table["new_customers"].to_numpy(), table["channel"].isna().to_numpy()))
    table = table.iloc[order].reset_index(drop=True)
    return ChannelLTV(table[list(CHANNEL_COLUMNS)], curves, gross_margin)


def _cpos(channels: pd.Series, cpo, ad_costs, channel_of, bought) -> tuple[np.ndarray, list]:
    values = np.full(len(channels), np.nan)
    source: list = [pd.NA] * len(channels)
    if cpo is not None:
        by_channel = cpo if isinstance(cpo, (Mapping, pd.Series)) else None
        for i, name in enumerate(channels):
            amount = cpo if by_channel is None else (by_channel.get(name) if not pd.isna(name) else None)
            if amount is not None and not pd.isna(amount):
                values[i], source[i] = float(amount), "parameter"
    if ad_costs is not None and len(ad_costs):
        from_costs = _cpo_table(ad_costs, channel_of, bought)["cpo"]
        for i, name in enumerate(channels):
            if not pd.isna(name) and name in from_costs.index and not pd.isna(from_costs[name]):
                values[i], source[i] = float(from_costs[name]), "ad_costs"
    return values, source


def _payback_curves(orders, bought, group, names, as_of, gross_margin, max_months) -> pd.DataFrame:
    """Cumulative revenue per customer by month after the first order, per channel."""
    kept = (orders["order_date"] <= purchases.end_of_day(as_of)).to_numpy()
    ids = purchases.keep_rows(orders["customer_id"].array, kept)
    # integer codes in id order match the rows of customer_purchases(sort=True); hashing the ids again is slower
    position, coded_ids = purchases.customer_codes(ids, sort=True)
    if len(coded_ids) != len(bought) or not (bought.index.to_numpy(dtype=object) == coded_ids).all():
        position = purchases.id_positions(bought.index, ids)
    day = orders["order_date"].to_numpy()[kept].astype("datetime64[D]").astype(np.int64)
    first_day = bought["first_order"].to_numpy().astype("datetime64[D]").astype(np.int64)
    month_of_order = np.minimum(((day - first_day[position]) // DAYS_PER_MONTH).astype(np.int64), max_months)
    observed = np.minimum((bought["tenure_days"].to_numpy() // DAYS_PER_MONTH).astype(np.int64), max_months)
    n_groups = len(names)
    width = max_months + 1
    # spend[g, j, k]: revenue in month index j of customers of group g observed k full months
    cell = (group[position] * width + month_of_order) * width + observed[position]
    spend = np.bincount(cell, weights=orders["amount"].to_numpy(dtype="float64")[kept], minlength=n_groups * width**2)
    spend = spend.reshape(n_groups, width, width)
    counts = np.bincount(group * width + observed, minlength=n_groups * width).reshape(n_groups, width)
    months = np.arange(1, max_months + 1)
    # customers observed at least m months, and their revenue in month m (index m - 1)
    at_least = counts[:, ::-1].cumsum(axis=1)[:, ::-1][:, months]
    spend_by_observed = spend[:, :, ::-1].cumsum(axis=2)[:, :, ::-1]  # [g, j, k]: observed >= k
    in_month = spend_by_observed[:, months - 1, months]
    with np.errstate(invalid="ignore", divide="ignore"):
        per_customer = np.cumsum(np.where(at_least > 0, in_month / np.maximum(at_least, 1), 0.0), axis=1)
    per_customer = np.where(at_least > 0, per_customer, np.nan)
    curves = pd.DataFrame(
        {
            "channel": pd.array(np.repeat(np.asarray(names, dtype=object), len(months)), dtype="string"),
            "month": np.tile(months, n_groups),
            "customers": at_least.ravel(),
            "cumulative_revenue": per_customer.ravel(),
        }
    )
    curves["cumulative_margin"] = curves["cumulative_revenue"] * gross_margin
    return curves[curves["customers"] > 0].reset_index(drop=True)


def _payback_month(curves: pd.DataFrame, table: pd.DataFrame) -> np.ndarray:
    key = table["channel"].fillna("\0").to_numpy(dtype=object)
    cpo = pd.Series(table["cpo"].to_numpy(), index=key)
    curve_key = curves["channel"].fillna("\0").to_numpy(dtype=object)
    reached = curves["cumulative_margin"].to_numpy() >= cpo.reindex(curve_key).to_numpy()
    first = pd.Series(curves["month"].to_numpy()[reached], index=curve_key[reached]).groupby(level=0).min()
    return first.reindex(key).to_numpy(dtype="float64")
