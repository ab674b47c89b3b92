"""Loyalty segments and other customer groups, and what each group is worth.

The loyalty segment of a customer comes from their latest NPS answer on or
before the reference date: high (9-10), mid (7-8), low (0-6), or no answer.
Several subjects build on these segments (friction, LTV, tracking), so the
names and signatures of :data:`SEGMENTS` and :func:`customer_segments` stay
stable.  Everything here returns codes; :mod:`helpers.labels` names them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers import purchases as _purchases
from helpers.nps import latest_responses

#: Loyalty segments, in display order.
SEGMENTS: tuple[str, ...] = ("high", "mid", "low", "no_answer")


def customer_segments(customers: pd.DataFrame, nps: pd.DataFrame | None, as_of, latest_only: bool = True) -> pd.Series:
    """Loyalty segment of every customer from their NPS answers.

    Parameters
    ----------
    customers : pandas.DataFrame
        ``customer_id`` (every customer gets a segment).
    nps : pandas.DataFrame or None
        NPS responses; ``None`` puts everyone in ``"no_answer"``.
    as_of : str or datetime-like
        Responses after this date are ignored.
    latest_only : bool
        ``True`` (default): the segment comes from the latest response on or
        before ``as_of``.  ``False``: from the mean score of all responses on
        or before ``as_of`` (mean >= 9 high, >= 7 mid, otherwise low).

    Returns
    -------
    pandas.Series
        Indexed by ``customer_id`` (in the order of ``customers``), name
        ``"segment"``: ordered Categorical with categories :data:`SEGMENTS`
        -- high = score 9-10, mid = 7-8, low = 0-6, no_answer = no response on
        or before ``as_of``.
    """
    responses = latest_responses(nps, as_of, latest_only=latest_only)
    if latest_only:
        score = responses["score"].to_numpy(dtype=float)
        answered = pd.Index(responses["customer_id"])
    else:
        mean = responses.groupby("customer_id", sort=False)["score"].mean()
        score, answered = mean.to_numpy(dtype=float), mean.index
    segment_code = np.select([score >= 9, score >= 7], [0, 1], default=2)
    position = _purchases.id_positions(answered, customers["customer_id"])  # -1: no response
    codes = np.full(len(position), SEGMENTS.index("no_answer"))
    found = position >= 0
    codes[found] = segment_code[position[found]]
    return pd.Series(
        pd.Categorical.from_codes(codes, categories=list(SEGMENTS), ordered=True),
        index=pd.Index(customers["customer_id"].to_numpy(), name="customer_id"),
        name="segment",
    )


# ---------------------------------------------------------------------------
# Groups of customers and the comparison of their NPS
# ---------------------------------------------------------------------------
#: Groupings :func:`customer_groups` knows besides plain ``customers`` columns.
DERIVED_GROUPINGS: tuple[str, ...] = ("segment", "first_product", "subscription", "age_band", "decile", "cpm")

#: Code of a customer whose group is not known (a missing value), always the last group.
UNKNOWN = "unknown"
#: Code of a customer without an order up to ``as_of`` in the decile and CPM groupings (last).
NO_PURCHASE = "no_purchase"


def customer_groups(
    customers: pd.DataFrame,
    by: str,
    orders: pd.DataFrame | None = None,
    nps: pd.DataFrame | None = None,
    as_of=None,
) -> pd.Series:
    """One group per customer for comparing groups.

    Parameters
    ----------
    customers : pandas.DataFrame
        ``customer_id`` and the grouping column when ``by`` names one.
    by : str
        ``"segment"`` (loyalty segment, needs ``nps``), ``"first_product"``
        (product of the first order), ``"subscription"`` (ever bought on
        subscription), ``"age_band"`` (from ``birth_date`` at ``as_of``),
        ``"decile"`` (revenue decile at ``as_of``, :mod:`helpers.deciles`),
        ``"cpm"`` (CPM class at ``as_of`` with the default thresholds,
        :mod:`helpers.cpm`), or any other column of ``customers`` such as
        ``"acquisition_channel"``.  Personal columns other than the birth
        date's age band are refused.
    orders : pandas.DataFrame, optional
        Needed for ``"first_product"``, ``"subscription"``, ``"decile"`` and
        ``"cpm"``; orders after ``as_of`` are ignored.
    nps : pandas.DataFrame, optional
        For ``"segment"``.
    as_of : str or datetime-like
        Reference date (needed for segment, age band and order groupings).

    Returns
    -------
    pandas.Series
        Indexed by ``customer_id``, named ``by``: an ordered Categorical of
        codes -- segment codes (:data:`SEGMENTS`), ``"subscriber"`` /
        ``"non_subscriber"``, ``"decile_1"`` .. ``"decile_10"``, CPM class
        codes (:data:`helpers.cpm.CLASSES`), or the values of the column --
        and :data:`UNKNOWN` for a missing value (:data:`NO_PURCHASE` for
        deciles and CPM classes).  Segments keep their order, deciles run
        from decile 1 and CPM classes from the high-value layer (優良, 流行,
        コツコツ, よちよち, 初回; active before lapsed): the layers Seed 000
        starts from; other groupings are ordered by size (largest first),
        unknown last.
        :func:`helpers.labels.label` names the codes.
    """
    from helpers.privacy import PERSONAL_COLUMNS, age_band

    ids = customers["customer_id"]
    index = pd.Index(ids.to_numpy(), name="customer_id")
    unknown = UNKNOWN
    if by == "segment":
        seg = customer_segments(customers, nps, as_of)
        return pd.Series(seg.array, index=index, name=by)
    if by in ("decile", "cpm"):
        if orders is None:
            raise ValueError(f"grouping by {by!r} needs the orders table")
        return _layer_groups(ids, index, by, orders, as_of)
    if by == "age_band":
        values = age_band(customers["birth_date"], as_of) if "birth_date" in customers else None
    elif by in ("first_product", "subscription"):
        if orders is None:
            raise ValueError(f"grouping by {by!r} needs the orders table")
        column = "product" if by == "first_product" else "is_subscription"
        if column not in orders.columns:
            raise ValueError(f"grouping by {by!r} needs the orders column {column!r}")
        in_time = orders if as_of is None else _purchases.up_to(orders, as_of, "order_date")
        # one hashing pass over the order ids, then integer work
        codes, buyers = _purchases.customer_codes(in_time["customer_id"].array)
        if by == "first_product":
            # first order per customer; same-day orders in file order
            order = np.lexsort((in_time["order_date"].to_numpy(), codes))
            first_row = order[np.r_[True, codes[order][1:] != codes[order][:-1]]]
            per_buyer = in_time[column].to_numpy(object)[first_row]
            per_buyer_codes = codes[first_row]
            values = pd.Series(per_buyer, index=buyers[per_buyer_codes])
        else:
            subscribed = in_time[column].fillna(False).to_numpy(bool)
            ever = np.bincount(codes, weights=subscribed, minlength=len(buyers)) > 0
            values = pd.Series(np.where(ever, "subscriber", "non_subscriber"), index=buyers)
        values = values.reindex(ids.to_numpy())
    elif by in PERSONAL_COLUMNS:
        raise ValueError(f"{by!r} is personal data and cannot be a grouping")
    elif by in customers.columns:
        values = customers[by]
    else:
        raise ValueError(f"unknown grouping {by!r}: use a customers column or one of {DERIVED_GROUPINGS}")
    if values is None:
        raise ValueError(f"grouping by {by!r} needs a column the data do not have")
    # one hashing pass; missing values (code -1) are the unknown group, last
    codes, uniques = pd.factorize(pd.Series(values.to_numpy()).astype("string"))
    names = [str(u) for u in uniques]
    sizes = np.bincount(codes[codes >= 0], minlength=len(names))
    known = sorted((i for i in range(len(names)) if names[i] != unknown), key=lambda i: (-sizes[i], names[i]))
    rank = np.full(len(names) + 1, len(known))
    rank[known] = np.arange(len(known))
    categories = [names[i] for i in known] + ([unknown] if (codes < 0).any() else [])
    grouped = pd.Categorical.from_codes(rank[codes], categories=categories, ordered=True)
    return pd.Series(grouped, index=index, name=by)


def _layer_groups(ids: pd.Series, index: pd.Index, by: str, orders: pd.DataFrame, as_of) -> pd.Series:
    """Decile or CPM class code per customer as an ordered Categorical, high-value layer first."""
    from helpers import cpm, deciles

    as_of = orders["order_date"].max() if as_of is None else as_of
    if by == "decile":
        order = [f"decile_{n}" for n in range(1, deciles.DECILES + 1)]
        layer = "decile_" + deciles.customer_deciles(orders, as_of)["decile"].astype(str)
    else:
        order = [f"{stage}_{status}" for status in cpm.STATUSES for stage in reversed(cpm.STAGES)]
        layer = cpm.cpm_classes(orders, as_of)["cpm_class"].astype(str)
    categories = order + [NO_PURCHASE]
    codes = pd.Categorical(layer.reindex(ids.to_numpy()).fillna(NO_PURCHASE), categories=categories).codes
    used = np.unique(codes)
    grouped = pd.Categorical.from_codes(np.searchsorted(used, codes), [categories[i] for i in used], ordered=True)
    return pd.Series(grouped, index=index, name=by)

def grouping_available(by: str, customers: pd.DataFrame, orders: pd.DataFrame | None = None) -> bool:
    """Whether :func:`customer_groups` can group by ``by`` on these tables.

    Parameters
    ----------
    by : str
        As for :func:`customer_groups`.
    customers, orders : pandas.DataFrame
        The tables the grouping is taken from.

    Returns
    -------
    bool
        False when the column behind ``by`` is absent (``acquisition_channel``
        or another customers column, ``birth_date`` for ``"age_band"``,
        ``product`` or ``is_subscription`` of orders, any order for
        ``"decile"`` and ``"cpm"``) or holds no value.
    """
    from helpers.privacy import PERSONAL_COLUMNS

    if by == "segment":
        return True
    if by in ("decile", "cpm"):
        return orders is not None and len(orders) > 0
    if by in PERSONAL_COLUMNS:
        return False
    table, column = {
        "age_band": (customers, "birth_date"),
        "first_product": (orders, "product"),
        "subscription": (orders, "is_subscription"),
    }.get(by, (customers, by))
    return table is not None and column in table.columns and bool(table[column].notna().any())


@dataclass(frozen=True)
class GroupingChoice:
    """The grouping used for a comparison, and why when it is not the one asked for.

    Attributes
    ----------
    by : str or None
        Grouping to use; ``None`` when none is available.
    requested : str
        Grouping asked for.
    reason : str or None
        ``None`` (as asked), ``"grouping_absent"`` (``by`` is a fallback) or
        ``"no_grouping"`` (neither the request nor a fallback is available).
    tried : tuple of str
        Fallbacks looked at, in order.
    """

    by: str | None
    requested: str
    reason: str | None
    tried: tuple[str, ...]


def choose_grouping(
    requested: str,
    customers: pd.DataFrame,
    orders: pd.DataFrame | None = None,
    fallbacks: tuple[str, ...] = ("acquisition_channel", "first_product", "subscription", "age_band"),
) -> GroupingChoice:
    """The requested grouping when the data have it, else the first fallback they have.

    Parameters
    ----------
    requested : str
        Grouping asked for (a notebook parameter).
    customers, orders : pandas.DataFrame
        The tables the grouping is taken from.
    fallbacks : tuple of str
        Groupings to try in order when ``requested`` is not available.

    Returns
    -------
    GroupingChoice
    """
    if grouping_available(requested, customers, orders):
        return GroupingChoice(requested, requested, None, ())
    tried = tuple(f for f in fallbacks if f != requested)
    for fallback in tried:
        if grouping_available(fallback, customers, orders):
            return GroupingChoice(fallback, requested, "grouping_absent", tried)
    return GroupingChoice(None, requested, "no_grouping", tried)


# ---------------------------------------------------------------------------
# Loyalty segments: value and the approach each gets
# ---------------------------------------------------------------------------
def value_by_group(groups: pd.Series, purchases: pd.DataFrame) -> pd.DataFrame:
    """Customers, repeat buying, order value and 1-year LTV per group.

    Parameters
    ----------
    groups : pandas.Series
        Group per customer, indexed by ``customer_id`` (e.g. from
        :func:`customer_segments`).  Categorical groups keep every category.
    purchases : pandas.DataFrame
        :func:`helpers.purchases.customer_purchases` output (indexed by
        ``customer_id``).

    Returns
    -------
    pandas.DataFrame
        One row per group: ``customers`` (all in the group), ``share`` (of
        all customers), ``buyers`` (with at least one order), ``repeat_rate``
        (share of buyers with two or more orders), ``aov`` (the group's
        revenue / its orders), ``orders_per_customer`` (orders / buyers),
        ``ltv_1y`` (mean first-year spend of the customers whose first year
        is complete by ``as_of``; the others are left out so that recent
        customers do not pull it down) and ``ltv_1y_customers`` (how many
        such customers).
    """
    facts = purchases.reindex(groups.index)
    bought = facts["n_orders"].fillna(0).gt(0)
    complete = facts["first_year_complete"].eq(True).fillna(False).astype(bool)
    frame = pd.DataFrame(
        {
            "customers": 1,
            "buyers": bought.astype(int),
            "repeaters": facts["is_repeat"].eq(True).fillna(False).astype(int),
            "orders": facts["n_orders"].fillna(0),
            "revenue": facts["revenue"].fillna(0.0),
            "ltv_sum": facts["first_year_value"].where(complete, 0.0).fillna(0.0),
            "ltv_customers": complete.astype(int),
        },
        index=groups.index,
    )
    sums = frame.groupby(groups, observed=False, sort=True).sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        buyers = sums["buyers"].where(sums["buyers"] > 0)
        table = pd.DataFrame(
            {
                "customers": sums["customers"].astype(int),
                "share": sums["customers"] / max(len(groups), 1),
                "buyers": sums["buyers"].astype(int),
                "repeat_rate": sums["repeaters"] / buyers,
                "aov": sums["revenue"] / sums["orders"].where(sums["orders"] > 0),
                "orders_per_customer": sums["orders"] / buyers,
                "ltv_1y": sums["ltv_sum"] / sums["ltv_customers"].where(sums["ltv_customers"] > 0),
                "ltv_1y_customers": sums["ltv_customers"].astype(int),
            }
        )
    table.index.name = groups.name
    return table


def segment_list(
    segments: pd.Series,
    purchases: pd.DataFrame,
    nps: pd.DataFrame | None,
    as_of,
    show_customer_ids: bool = False,
    key: bytes | None = None,
) -> pd.DataFrame:
    """The customer list per segment, for export (no personal data).

    Parameters
    ----------
    segments : pandas.Series
        :func:`customer_segments` output.
    purchases : pandas.DataFrame
        :func:`helpers.purchases.customer_purchases` output.
    nps : pandas.DataFrame or None
        NPS responses (for the latest score and its date).
    as_of : str or datetime-like
        Reference date.
    show_customer_ids : bool
        Real ids when ``True``, pseudonyms otherwise.
    key : bytes, optional
        The data folder's pseudonym key (``Dataset.pseudonym_key``); needed
        unless ``show_customer_ids``.

    Returns
    -------
    pandas.DataFrame
        Columns ``customer_id`` (display id), ``segment`` (code),
        ``latest_score``, ``response_date``, ``n_orders``, ``revenue``,
        ``last_order``; sorted by segment, then revenue (highest first).
    """
    from helpers.privacy import display_ids

    ids = segments.index
    latest = latest_responses(nps, as_of)
    answer_row = _purchases.id_positions(latest["customer_id"], ids)  # -1: no answer
    facts = purchases.reindex(ids)
    codes = segments.cat.codes.to_numpy()
    revenue = facts["revenue"].fillna(0.0).round().astype(int).to_numpy()
    table = pd.DataFrame(
        {
            "customer_id": display_ids(pd.Series(ids, index=ids), show_customer_ids, key).to_numpy(),
            "segment": np.array(SEGMENTS, dtype=object)[codes],
            "latest_score": latest["score"].astype("Int64").array.take(answer_row, allow_fill=True),
            "response_date": latest["response_date"].array.take(answer_row, allow_fill=True),
            "n_orders": facts["n_orders"].fillna(0).astype(int).to_numpy(),
            "revenue": revenue,
            "last_order": facts["last_order"].to_numpy(),
        }
    )
    # by segment, then revenue (highest first); ties keep the order of ``customers``
    order = np.lexsort((-revenue, codes))
    return table.take(order).reset_index(drop=True)
