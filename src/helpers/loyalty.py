"""Customer loyalty: NPS classes, loyalty segments and their NPS figures.

The loyalty segment of a customer comes from their latest NPS answer on or
before the reference date: high (9-10), mid (7-8), low (0-6), or no answer.
Several subjects build on these segments (friction, LTV, tracking), so the
names and signatures of :data:`SEGMENTS`, :func:`nps_class`,
:func:`latest_responses` and :func:`customer_segments` stay stable.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers import purchases as _purchases

#: Loyalty segments, in display order.
SEGMENTS: tuple[str, ...] = ("high", "mid", "low", "no_answer")

#: NPS answer classes, in display order.
NPS_CLASSES: tuple[str, ...] = ("promoter", "passive", "detractor")


def nps_class(score):
    """NPS class of 0-10 scores: promoter (9-10), passive (7-8), detractor (0-6).

    Parameters
    ----------
    score : int or pandas.Series
        Recommendation score(s) 0..10; missing values stay missing.

    Returns
    -------
    str or pandas.Series
        ``"promoter"``, ``"passive"`` or ``"detractor"``; for a Series an
        ordered Categorical with categories :data:`NPS_CLASSES`, same index.

    Raises
    ------
    ValueError
        If a score is outside 0..10.
    """
    if not isinstance(score, pd.Series):
        if score is None or pd.isna(score):
            raise ValueError("score is missing")
        if not 0 <= score <= 10:
            raise ValueError(f"NPS score must be 0..10, got {score!r}")
        return "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
    values = pd.to_numeric(score).astype("Float64")
    bad = values.notna() & ((values < 0) | (values > 10))
    if bad.any():
        raise ValueError(f"NPS score must be 0..10, got {values[bad].iloc[0]!r}")
    codes = np.select(
        [
            values.ge(9).fillna(False).to_numpy(bool),
            values.ge(7).fillna(False).to_numpy(bool),
            values.notna().to_numpy(bool),
        ],
        [0, 1, 2],
        default=-1,
    )
    return pd.Series(
        pd.Categorical.from_codes(codes, categories=list(NPS_CLASSES), ordered=True),
        index=score.index,
        name="nps_class",
    )


def latest_responses(nps: pd.DataFrame | None, as_of, latest_only: bool = True) -> pd.DataFrame:
    """NPS responses given on or before ``as_of``; by default the latest per customer.

    Parameters
    ----------
    nps : pandas.DataFrame or None
        ``customer_id``, ``response_date``, ``score`` (other columns are kept).
        ``None`` gives an empty frame.
    as_of : str or datetime-like
        Reference date; responses during that day count.
    latest_only : bool
        ``True``: one row per customer, their latest response (of several on
        the same date, the one listed last).  ``False``: every response.

    Returns
    -------
    pandas.DataFrame
        The selected responses sorted by ``customer_id`` and ``response_date``,
        with a fresh RangeIndex.
    """
    if nps is None:
        return pd.DataFrame(
            {
                "customer_id": pd.Series(dtype="object"),
                "response_date": pd.Series(dtype="datetime64[ns]"),
                "score": pd.Series(dtype="int64"),
            }
        )
    on_time = nps[(nps["response_date"] <= _purchases.end_of_day(as_of)).to_numpy()]
    # one hashing pass over the ids, then an integer sort (lexsort is stable: ties keep file order)
    codes, _ = _purchases.customer_codes(on_time["customer_id"].to_numpy(dtype=object), sort=True)
    order = np.lexsort((on_time["response_date"].to_numpy(), codes))
    if latest_only and len(order):
        sorted_codes = codes[order]
        order = order[np.r_[sorted_codes[1:] != sorted_codes[:-1], True]]
    return on_time.iloc[order].reset_index(drop=True)


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
    position = answered.get_indexer(customers["customer_id"])  # -1: no response
    codes = np.full(len(position), SEGMENTS.index("no_answer"))
    found = position >= 0
    codes[found] = segment_code[position[found]]
    return pd.Series(
        pd.Categorical.from_codes(codes, categories=list(SEGMENTS), ordered=True),
        index=pd.Index(customers["customer_id"].to_numpy(), name="customer_id"),
        name="segment",
    )


# ---------------------------------------------------------------------------
# NPS with a confidence interval
# ---------------------------------------------------------------------------
#: Interval methods of :func:`nps_interval`.
INTERVAL_METHODS: tuple[str, ...] = ("adjusted_wald", "wald")


def nps_interval(promoters, detractors, n, method: str = "adjusted_wald", confidence: float = 0.95):
    """Confidence interval of the NPS, in points (-100..100).

    The NPS is the difference of two shares of one multinomial sample, so its
    variance is ``(p + d - (p - d)**2) / n`` (p, d: shares of promoters and
    detractors).

    * ``"wald"``: that variance at the observed shares, centred on the NPS.
    * ``"adjusted_wald"`` (default): add 3 to n and 3/4 to the promoters and
      to the detractors, ``p_adj = (P + 3/4) / (n + 3)`` and likewise
      ``d_adj``; the interval is ``(p_adj - d_adj) ± z·sqrt((p_adj + d_adj -
      (p_adj - d_adj)**2) / (n + 3))``.  It keeps a sensible width for small
      samples and shares near 0 or 1 (Sauro & Lewis' adjustment for the NPS).

    Parameters
    ----------
    promoters, detractors, n : int or array-like
        Counts of promoters, detractors and all responses.
    method : {"adjusted_wald", "wald"}
        Interval method.
    confidence : float
        Confidence level, e.g. 0.95 (z = 1.96).

    Returns
    -------
    tuple of (numpy.ndarray or float, numpy.ndarray or float)
        Lower and upper bounds in NPS points, clipped to -100..100; NaN where
        n is 0.
    """
    from scipy.stats import norm

    if method not in INTERVAL_METHODS:
        raise ValueError(f"method must be one of {INTERVAL_METHODS}, got {method!r}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie between 0 and 1, got {confidence!r}")
    promoters = np.asarray(promoters, dtype=float)
    detractors = np.asarray(detractors, dtype=float)
    n = np.asarray(n, dtype=float)
    if method == "adjusted_wald":
        promoters, detractors, n = promoters + 0.75, detractors + 0.75, n + 3.0
    with np.errstate(invalid="ignore", divide="ignore"):
        p = promoters / n
        d = detractors / n
        centre = p - d
        margin = norm.ppf(0.5 + confidence / 2) * np.sqrt((p + d - centre**2) / n)
    empty = n == (3.0 if method == "adjusted_wald" else 0.0)
    low = np.where(empty, np.nan, np.clip(100 * (centre - margin), -100, 100))
    high = np.where(empty, np.nan, np.clip(100 * (centre + margin), -100, 100))
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


def nps_variance(promoters, detractors, n):
    """Plain variance of the NPS estimate, in points squared (NaN where n is 0).

    Parameters
    ----------
    promoters, detractors, n : int or array-like
        Counts of promoters, detractors and all responses.

    Returns
    -------
    numpy.ndarray or float
        ``10_000 · (p + d - (p - d)**2) / n``.
    """
    promoters, detractors, n = (np.asarray(x, dtype=float) for x in (promoters, detractors, n))
    with np.errstate(invalid="ignore", divide="ignore"):
        p, d = promoters / n, detractors / n
        variance = 10_000 * (p + d - (p - d) ** 2) / n
    return float(variance) if variance.ndim == 0 else variance


def nps_table(
    responses: pd.DataFrame,
    by=None,
    method: str = "adjusted_wald",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """NPS counts, shares and interval, overall or per group.

    Parameters
    ----------
    responses : pandas.DataFrame
        One row per counted response with ``score`` (e.g. from
        :func:`latest_responses`).
    by : str, pandas.Series or None
        Grouping: a column of ``responses`` or a Series aligned with it.
        Categorical groupings keep every category (empty ones get n = 0).
        ``None`` gives one row, ``"all"``.
    method, confidence
        Interval method and level, see :func:`nps_interval`.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``n``, ``promoters``, ``passives``,
        ``detractors``, ``promoter_share``, ``passive_share``,
        ``detractor_share`` (0..1), ``nps`` (points: %promoters −
        %detractors), ``nps_low``, ``nps_high`` (interval bounds, points).
    """
    classes = nps_class(responses["score"])
    counts = pd.DataFrame(
        {
            "promoters": (classes == "promoter").to_numpy(int),
            "passives": (classes == "passive").to_numpy(int),
            "detractors": (classes == "detractor").to_numpy(int),
        },
        index=responses.index,
    )
    if by is None:
        key = pd.Series("all", index=responses.index, name="group")
    elif isinstance(by, str):
        key = responses[by]
    else:
        key = by.reindex(responses.index) if isinstance(by, pd.Series) else pd.Series(by, index=responses.index)
    table = counts.groupby(key, observed=False, sort=True).sum()
    table.insert(0, "n", table.sum(axis=1))
    n = table["n"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        for cls in ("promoter", "passive", "detractor"):
            table[f"{cls}_share"] = table[f"{cls}s"].to_numpy(float) / np.where(n > 0, n, np.nan)
    table["nps"] = 100 * (table["promoter_share"] - table["detractor_share"])
    table["nps_low"], table["nps_high"] = nps_interval(
        table["promoters"].to_numpy(), table["detractors"].to_numpy(), n, method, confidence
    )
    return table


def nps_by_group(
    responses: pd.DataFrame,
    groups: pd.Series,
    method: str = "adjusted_wald",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """:func:`nps_table` per customer group.

    Parameters
    ----------
    responses : pandas.DataFrame
        Counted responses with ``customer_id`` and ``score``.
    groups : pandas.Series
        Group per customer indexed by ``customer_id`` (e.g. from
        :func:`customer_groups`); its categories, if any, give the row order.
        Responses of customers without a group are left out.
    method, confidence
        Interval, see :func:`nps_interval`.

    Returns
    -------
    pandas.DataFrame
        :func:`nps_table` columns, indexed by group (named like ``groups``).
    """
    key = responses["customer_id"].map(groups)
    if isinstance(groups.dtype, pd.CategoricalDtype):
        key = pd.Series(pd.Categorical(key, categories=groups.cat.categories), index=responses.index)
    known = key.notna()
    table = nps_table(responses[known], by=key[known], method=method, confidence=confidence)
    table.index.name = groups.name if groups.name is not None else "group"
    return table


def nps_trend(
    nps: pd.DataFrame,
    as_of,
    freq: str = "M",
    latest_only: bool = True,
    method: str = "adjusted_wald",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """NPS per month or quarter, with its interval.

    Parameters
    ----------
    nps : pandas.DataFrame
        NPS responses.
    as_of : str or datetime-like
        Responses after this date are ignored; the last period is the one
        holding ``as_of``.
    freq : {"M", "Q"}
        Month (``"M"``, also ``"month"``) or quarter (``"Q"``, ``"quarter"``).
    latest_only : bool
        ``True``: a customer counts once per period, with their latest
        response in that period.  ``False``: every response counts.
    method, confidence
        Interval, see :func:`nps_interval`.

    Returns
    -------
    pandas.DataFrame
        :func:`nps_table` columns indexed by ``period`` (pandas Period), every
        period from the first response to ``as_of`` (n = 0 where nobody
        answered).
    """
    freq = {"month": "M", "quarter": "Q"}.get(freq, freq)
    if freq not in ("M", "Q"):
        raise ValueError(f"freq must be 'M' (month) or 'Q' (quarter), got {freq!r}")
    responses = latest_responses(nps, as_of, latest_only=False)
    period = responses["response_date"].dt.to_period(freq)
    if latest_only:
        keep = ~pd.DataFrame({"c": responses["customer_id"], "p": period}).duplicated(keep="last")
        responses, period = responses[keep], period[keep]
    last = pd.Timestamp(as_of).to_period(freq)
    first = period.min() if len(period) else last
    periods = pd.period_range(first, last, freq=freq)
    key = pd.Series(pd.Categorical(period, categories=periods), index=responses.index, name="period")
    table = nps_table(responses, by=key, method=method, confidence=confidence)
    table.index = pd.PeriodIndex(table.index, freq=freq, name="period")
    return table


# ---------------------------------------------------------------------------
# Groups of customers and the comparison of their NPS
# ---------------------------------------------------------------------------
#: Groupings :func:`customer_groups` knows besides plain ``customers`` columns.
DERIVED_GROUPINGS: tuple[str, ...] = ("segment", "first_product", "subscription", "age_band")

_VALUE_LABELS: dict[str, tuple[str, str]] = {
    "unknown": ("不明", "Unknown"),
    "subscriber": ("定期購入あり", "Subscriber"),
    "non_subscriber": ("定期購入なし", "Non-subscriber"),
    "first_product": ("初回購入商品", "First product"),
    "subscription": ("定期購入", "Subscription"),
    "age_band": ("年代", "Age band"),
    "segment": ("ロイヤリティ", "Loyalty segment"),
    "group": ("グループ", "Group"),
}


def text(key: str, lang: str = "ja") -> str:
    """Label of ``key`` from this module's own labels, else :func:`helpers.labels.label`."""
    from helpers.labels import lookup

    return lookup(_VALUE_LABELS, key, lang)


def customer_groups(
    customers: pd.DataFrame,
    by: str,
    orders: pd.DataFrame | None = None,
    nps: pd.DataFrame | None = None,
    as_of=None,
    lang: str = "ja",
) -> pd.Series:
    """One display label per customer for comparing groups.

    Parameters
    ----------
    customers : pandas.DataFrame
        ``customer_id`` and the grouping column when ``by`` names one.
    by : str
        ``"segment"`` (loyalty segment, needs ``nps``), ``"first_product"``
        (product of the first order), ``"subscription"`` (ever bought on
        subscription), ``"age_band"`` (from ``birth_date`` at ``as_of``), or
        any other column of ``customers`` such as ``"acquisition_channel"``.
        Personal columns other than the birth date's age band are refused.
    orders : pandas.DataFrame, optional
        Needed for ``"first_product"`` and ``"subscription"``; orders after
        ``as_of`` are ignored.
    nps : pandas.DataFrame, optional
        For ``"segment"``.
    as_of : str or datetime-like
        Reference date (needed for segment, age band and order groupings).
    lang : {"ja", "en"}
        Language of the labels.

    Returns
    -------
    pandas.Series
        Indexed by ``customer_id``, named ``by``: an ordered Categorical of
        labels.  Segments keep their order; other groupings are ordered by
        size (largest first), with the unknown label last.
    """
    from helpers.labels import label
    from helpers.privacy import PERSONAL_COLUMNS, age_band

    ids = customers["customer_id"]
    index = pd.Index(ids.to_numpy(), name="customer_id")
    unknown = text("unknown", lang)
    if by == "segment":
        seg = customer_segments(customers, nps, as_of)
        names = [label(s, lang) for s in SEGMENTS]
        return pd.Series(seg.cat.rename_categories(names).array, index=index, name=by)
    if by == "age_band":
        values = age_band(customers["birth_date"], as_of) if "birth_date" in customers else None
    elif by in ("first_product", "subscription"):
        if orders is None:
            raise ValueError(f"grouping by {by!r} needs the orders table")
        column = "product" if by == "first_product" else "is_subscription"
        if column not in orders.columns:
            raise ValueError(f"grouping by {by!r} needs the orders column {column!r}")
        in_time = orders if as_of is None else orders[orders["order_date"] <= _purchases.end_of_day(as_of)]
        # one hashing pass over the order ids, then integer work
        codes, buyers = pd.factorize(in_time["customer_id"])
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
            values = pd.Series(np.where(ever, text("subscriber", lang), text("non_subscriber", lang)), index=buyers)
        values = values.reindex(ids.to_numpy())
    elif by in PERSONAL_COLUMNS:
        raise ValueError(f"{by!r} is personal data and cannot be a grouping")
    elif by in customers.columns:
        values = customers[by]
    else:
        raise ValueError(f"unknown grouping {by!r}: use a customers column or one of {DERIVED_GROUPINGS}")
    if values is None:
        raise ValueError(f"grouping by {by!r} needs a column the data do not have")
    # one hashing pass; the unknown label (missing values) goes last
    codes, uniques = pd.factorize(pd.Series(values.to_numpy()).astype("string"))
    names = [str(u) for u in uniques]
    if unknown in names:
        codes = np.where(codes == names.index(unknown), -1, codes)
    sizes = np.bincount(codes[codes >= 0], minlength=len(names))
    known = sorted((i for i in range(len(names)) if names[i] != unknown), key=lambda i: (-sizes[i], names[i]))
    rank = np.full(len(names) + 1, len(known))
    rank[known] = np.arange(len(known))
    categories = [names[i] for i in known] + ([unknown] if (codes < 0).any() else [])
    grouped = pd.Categorical.from_codes(rank[codes], categories=categories, ordered=True)
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
        ``product`` or ``is_subscription`` of orders) or holds no value.
    """
    from helpers.privacy import PERSONAL_COLUMNS

    if by == "segment":
        return True
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
    fallbacks: tuple[str, ...] = ("acquisition_channel", *DERIVED_GROUPINGS[1:]),
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


@dataclass(frozen=True)
class GroupTest:
    """Result of a test of NPS differences between groups.

    Attributes
    ----------
    method : str
        ``"z"`` (two groups: difference of NPS over the square root of the
        sum of their variances), ``"chi2"`` (k groups: chi-square test of
        independence on the groups × promoter/passive/detractor counts) or
        ``"none"`` (fewer than two groups with enough responses).
    statistic : float
        z or chi-square; NaN for ``"none"``.
    dof : int
        Degrees of freedom of the chi-square test (0 otherwise).
    p_value : float
        Two-sided p-value; NaN for ``"none"``.
    groups : tuple of str
        The groups that entered the test.
    difference : float
        First minus second group's NPS, points (z test only; else NaN).
    """

    method: str
    statistic: float
    dof: int
    p_value: float
    groups: tuple
    difference: float = float("nan")

    def significant(self, alpha: float = 0.05) -> bool:
        """Whether ``p_value < alpha``."""
        return bool(self.p_value < alpha)


def compare_nps(table: pd.DataFrame, min_n: int = 30) -> GroupTest:
    """Test whether the groups of an :func:`nps_table` differ.

    Groups with fewer than ``min_n`` responses are left out of the test
    (still shown in the table).  Two groups: z test on the NPS difference,
    ``z = (NPS1 - NPS2) / sqrt(var1 + var2)`` with the plain variance of
    :func:`nps_variance`.  Three or more: chi-square test of independence on
    the counts of promoters, passives and detractors (it asks whether the mix
    of the three classes differs, which is what moves the NPS).

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`nps_table` with a grouping.
    min_n : int
        Minimum responses for a group to be tested.

    Returns
    -------
    GroupTest
    """
    from scipy.stats import chi2_contingency, norm

    tested = table[table["n"] >= max(int(min_n), 1)]
    groups = tuple(str(g) for g in tested.index)
    if len(tested) < 2:
        return GroupTest("none", float("nan"), 0, float("nan"), groups)
    if len(tested) == 2:
        variance = nps_variance(tested["promoters"], tested["detractors"], tested["n"])
        difference = float(tested["nps"].iloc[0] - tested["nps"].iloc[1])
        spread = float(np.sqrt(variance.sum()))
        z = difference / spread if spread > 0 else 0.0
        return GroupTest("z", z, 0, float(2 * norm.sf(abs(z))), groups, difference)
    counts = tested[["promoters", "passives", "detractors"]].to_numpy()
    counts = counts[:, counts.sum(axis=0) > 0]
    if counts.shape[1] < 2:
        return GroupTest("chi2", 0.0, 0, 1.0, groups)
    result = chi2_contingency(counts, correction=False)
    return GroupTest("chi2", float(result.statistic), int(result.dof), float(result.pvalue), groups)


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


#: What each loyalty segment gets: (approach, actions, aim), Japanese and English.
SEGMENT_PLAYBOOK: dict[str, dict[str, tuple[str, str, str]]] = {
    "high": {
        "ja": (
            "専任担当者",
            "専任担当者が名前を名乗ってお礼の電話・手書きの手紙／新商品の先行案内とモニター依頼／"
            "紹介カード・レビュー投稿のお願い／ロールモデル・インタビューへの協力依頼",
            "推奨（口コミ・紹介）を生み、ロールモデルとして学ぶ",
        ),
        "en": (
            "A dedicated person",
            "Thank-you call or handwritten letter from a named contact / early access to new products and "
            "product testing / referral cards and review requests / invitation to a role-model interview",
            "Turn advocacy into referrals; learn from them as role models",
        ),
    },
    "mid": {
        "ja": (
            "複数スタッフ",
            "複数のスタッフが交代でフォローの電話・メッセージ／飲み方・使い方の個別提案／"
            "定期便のお届け間隔の見直し提案／購入回数に応じた感謝の特典",
            "小さな不満の芽を摘み、推奨者へ引き上げる",
        ),
        "en": (
            "Several staff members",
            "Follow-up calls or messages shared by several staff / personal usage tips / "
            "offer to adjust the delivery interval / thank-you gifts by number of purchases",
            "Remove small frictions and lift them to promoters",
        ),
    },
    "low": {
        "ja": (
            "テクノロジー（メール・チャット・LINE）",
            "LINE・メールで使い方のコツとFAQを自動配信／チャットで24時間問い合わせを受付／"
            "不満の理由を聞くアンケートと改善のご報告／マイページでスキップ・休止を簡単に",
            "低コストで不満を解消し、離反を防ぐ",
        ),
        "en": (
            "Technology (email, chat, LINE)",
            "Automated usage tips and FAQ by LINE and email / 24-hour chat support / "
            "survey on the reasons for dissatisfaction and a report on fixes / easy skip and pause on My Page",
            "Resolve dissatisfaction at low cost and prevent churn",
        ),
    },
    "no_answer": {
        "ja": (
            "アンケート依頼",
            "同梱はがき・メール・LINEでNPSアンケートをお願いする／購入から約30日後に配信／"
            "回答特典（サンプル等）を用意する",
            "声を聞いてセグメントを判定する",
        ),
        "en": (
            "Survey invitation",
            "Ask for the NPS survey by enclosed postcard, email and LINE / send about 30 days after purchase / "
            "offer a small thank-you (e.g. a sample)",
            "Hear their voice and find their segment",
        ),
    },
}


def segment_playbook(summary: pd.DataFrame | None = None, lang: str = "ja") -> pd.DataFrame:
    """The approach per loyalty segment, as a hand-over table.

    Parameters
    ----------
    summary : pandas.DataFrame, optional
        :func:`value_by_group` of the segments; adds ``customers`` and
        ``share`` columns.
    lang : {"ja", "en"}
        Language of the texts.

    Returns
    -------
    pandas.DataFrame
        Indexed by segment code (:data:`SEGMENTS`) with ``segment`` (label),
        optionally ``customers`` and ``share``, ``approach``, ``actions``,
        ``aim``.
    """
    from helpers.labels import check_lang, label

    check_lang(lang)
    rows = {s: SEGMENT_PLAYBOOK[s][lang] for s in SEGMENTS}
    table = pd.DataFrame.from_dict(rows, orient="index", columns=["approach", "actions", "aim"])
    table.insert(0, "segment", [label(s, lang) for s in SEGMENTS])
    if summary is not None:
        table.insert(1, "customers", summary["customers"].reindex(list(SEGMENTS)).to_numpy())
        table.insert(2, "share", summary["share"].reindex(list(SEGMENTS)).to_numpy())
    table.index.name = "segment_code"
    return table


def segment_list(
    segments: pd.Series,
    purchases: pd.DataFrame,
    nps: pd.DataFrame | None,
    as_of,
    show_customer_ids: bool = False,
    lang: str = "ja",
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
    lang : {"ja", "en"}
        Language of the segment and approach labels.

    Returns
    -------
    pandas.DataFrame
        Columns ``customer_id`` (display id), ``segment``, ``approach``,
        ``latest_score``, ``response_date``, ``n_orders``, ``revenue``,
        ``last_order``; sorted by segment, then revenue (highest first).
    """
    from helpers.labels import label
    from helpers.privacy import display_ids

    ids = segments.index
    latest = latest_responses(nps, as_of)
    answer_row = pd.Index(latest["customer_id"]).get_indexer(ids)  # -1: no answer
    facts = purchases.reindex(ids)
    codes = segments.cat.codes.to_numpy()
    revenue = facts["revenue"].fillna(0.0).round().astype(int).to_numpy()
    table = pd.DataFrame(
        {
            "customer_id": display_ids(pd.Series(ids, index=ids), show_customer_ids).to_numpy(),
            "segment": np.array([label(s, lang) for s in SEGMENTS], dtype=object)[codes],
            "approach": np.array([SEGMENT_PLAYBOOK[s][lang][0] for s in SEGMENTS], dtype=object)[codes],
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


# ---------------------------------------------------------------------------
# Fan survey: stage × liking
# ---------------------------------------------------------------------------
FAN_STAGE_CODES: tuple[int, ...] = (0, 1, 2, 3, 4, 5)
LIKING_CODES: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7)

#: Fan tiers from the two answers together, in display order.
FAN_TIERS: tuple[str, ...] = ("core_fan", "fan", "light", "non_fan")
FAN_TIER_LABELS: dict[str, tuple[str, str]] = {
    "core_fan": ("コアファン", "Core fans"),
    "fan": ("ファン", "Fans"),
    "light": ("ライト", "Light"),
    "non_fan": ("非ファン", "Non-fans"),
}


def fan_answers(
    fan_survey: pd.DataFrame,
    as_of,
    nps: pd.DataFrame | None = None,
    purchases: pd.DataFrame | None = None,
    latest_only: bool = True,
) -> pd.DataFrame:
    """Fan-survey answers with the same customer's NPS score and 1-year LTV.

    Parameters
    ----------
    fan_survey : pandas.DataFrame
        ``customer_id``, ``response_date``, ``fan_stage``, ``liking``.
    as_of : str or datetime-like
        Answers after this date are ignored.
    nps : pandas.DataFrame, optional
        NPS responses; each fan answer gets the score of the customer's NPS
        response closest in time to it (on or before ``as_of``) -- the same
        questionnaire when both are asked together.
    purchases : pandas.DataFrame, optional
        :func:`helpers.purchases.customer_purchases`; adds
        ``first_year_value`` where the first year is complete (NaN otherwise).
    latest_only : bool
        ``True``: the latest fan answer per customer; ``False``: every answer.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``response_date``, ``fan_stage``, ``liking`` and,
        when given, ``score`` and ``first_year_value``.
    """
    answers = latest_responses(fan_survey, as_of, latest_only=latest_only)
    answers = answers[["customer_id", "response_date", "fan_stage", "liking"]].astype(
        {"fan_stage": "int64", "liking": "int64"}
    )
    if nps is not None:
        scores = latest_responses(nps, as_of, latest_only=False)[["customer_id", "response_date", "score"]]
        left = answers.assign(_order=np.arange(len(answers))).sort_values("response_date", kind="stable")
        right = scores.rename(columns={"response_date": "_nps_date"}).sort_values("_nps_date", kind="stable")
        left["customer_id"] = left["customer_id"].astype(str)
        right["customer_id"] = right["customer_id"].astype(str)
        joined = pd.merge_asof(
            left, right, left_on="response_date", right_on="_nps_date", by="customer_id", direction="nearest"
        )
        answers = answers.assign(score=joined.sort_values("_order")["score"].astype("Float64").to_numpy())
    if purchases is not None:
        facts = purchases.reindex(answers["customer_id"])
        value = facts["first_year_value"].where(facts["first_year_complete"].eq(True))
        answers = answers.assign(first_year_value=value.to_numpy(dtype=float))
    return answers


def fan_matrix(answers: pd.DataFrame, stat: str = "count", value: str | None = None, min_n: int = 1) -> pd.DataFrame:
    """The fan stage (rows 0..5) × liking (columns 1..7) matrix.

    Parameters
    ----------
    answers : pandas.DataFrame
        :func:`fan_answers` output.
    stat : {"count", "share", "mean", "nps"}
        Cell content: number of answers, share of all answers, mean of
        ``value``, or NPS (points) of the ``score`` column.
    value : str, optional
        Column averaged by ``"mean"`` (e.g. ``"score"``, ``"first_year_value"``).
    min_n : int
        ``"mean"`` and ``"nps"`` cells with fewer non-missing values are NaN.

    Returns
    -------
    pandas.DataFrame
        Every stage and liking code, zero-filled counts, NaN for empty means.
    """
    grid = {"index": list(FAN_STAGE_CODES), "columns": list(LIKING_CODES)}
    keys = [answers["fan_stage"], answers["liking"]]
    if stat in ("count", "share"):
        counts = answers.groupby(keys).size().unstack().reindex(**grid).fillna(0).astype(int)
        if stat == "count":
            return counts.rename_axis(index="fan_stage", columns="liking")
        return (counts / max(len(answers), 1)).rename_axis(index="fan_stage", columns="liking")
    if stat == "mean":
        if value is None:
            raise ValueError("stat='mean' needs value=<column>")
        column = answers[value].astype(float)
        grouped = column.groupby(keys)
        result = grouped.mean().where(grouped.count() >= min_n)
    elif stat == "nps":
        score = answers["score"].astype("Float64")
        valid = score.notna()
        frame = pd.DataFrame(
            {
                "p": score.ge(9).fillna(False).astype(int),
                "d": score.lt(7).fillna(False).astype(int),
                "n": valid.astype(int),
            }
        )
        sums = frame.groupby(keys).sum()
        n = sums["n"].where(sums["n"] >= max(min_n, 1))
        result = 100 * (sums["p"] - sums["d"]) / n
    else:
        raise ValueError(f"stat must be count, share, mean or nps, got {stat!r}")
    return result.unstack().reindex(**grid).rename_axis(index="fan_stage", columns="liking")


def fan_tiers(
    answers: pd.DataFrame,
    core_min_stage: int = 4,
    core_min_liking: int = 6,
    fan_min_stage: int = 2,
    fan_min_liking: int = 5,
    non_fan_max_stage: int = 0,
) -> pd.Series:
    """Fan tier of each answer from fan stage and liking together.

    core_fan: stage >= ``core_min_stage`` and liking >= ``core_min_liking``;
    fan: otherwise stage >= ``fan_min_stage`` and liking >= ``fan_min_liking``;
    non_fan: otherwise stage <= ``non_fan_max_stage`` (by default the answer
    「ファンではない」; pass -1 to fold it into light); light: everyone else.

    Parameters
    ----------
    answers : pandas.DataFrame
        ``fan_stage`` and ``liking``.
    core_min_stage, core_min_liking, fan_min_stage, fan_min_liking, non_fan_max_stage : int
        Cut-offs.

    Returns
    -------
    pandas.Series
        Ordered Categorical with categories :data:`FAN_TIERS`, same index,
        named ``"fan_tier"``.
    """
    stage, liking = answers["fan_stage"].to_numpy(), answers["liking"].to_numpy()
    codes = np.select(
        [
            (stage >= core_min_stage) & (liking >= core_min_liking),
            (stage >= fan_min_stage) & (liking >= fan_min_liking),
            stage <= non_fan_max_stage,
        ],
        [0, 1, 3],
        default=2,
    )
    return pd.Series(
        pd.Categorical.from_codes(codes, categories=list(FAN_TIERS), ordered=True),
        index=answers.index,
        name="fan_tier",
    )


def fan_tier_summary(answers: pd.DataFrame, tiers: pd.Series) -> pd.DataFrame:
    """Size, share, NPS and 1-year LTV of each fan tier.

    Parameters
    ----------
    answers : pandas.DataFrame
        :func:`fan_answers` output (with ``score`` and ``first_year_value``
        when available).
    tiers : pandas.Series
        :func:`fan_tiers` of ``answers``.

    Returns
    -------
    pandas.DataFrame
        Indexed by tier code: ``customers``, ``share``, ``mean_score``,
        ``nps`` (points; NaN without scores), ``ltv_1y`` (mean over complete
        first years) and ``ltv_1y_customers``.
    """
    frame = pd.DataFrame(index=answers.index)
    frame["customers"] = 1
    score = answers["score"].astype(float) if "score" in answers else pd.Series(np.nan, index=answers.index)
    frame["score_sum"], frame["score_n"] = score.fillna(0.0), score.notna().astype(int)
    frame["p"], frame["d"] = (score >= 9).astype(int), (score < 7).astype(int)
    ltv = answers["first_year_value"] if "first_year_value" in answers else pd.Series(np.nan, index=answers.index)
    frame["ltv_sum"], frame["ltv_n"] = ltv.fillna(0.0), ltv.notna().astype(int)
    sums = frame.groupby(tiers, observed=False).sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        scored = sums["score_n"].where(sums["score_n"] > 0)
        return pd.DataFrame(
            {
                "customers": sums["customers"].astype(int),
                "share": sums["customers"] / max(len(answers), 1),
                "mean_score": sums["score_sum"] / scored,
                "nps": 100 * (sums["p"] - sums["d"]) / scored,
                "ltv_1y": sums["ltv_sum"] / sums["ltv_n"].where(sums["ltv_n"] > 0),
                "ltv_1y_customers": sums["ltv_n"].astype(int),
            }
        ).rename_axis("fan_tier")


# ---------------------------------------------------------------------------
# Expectation vs evaluation
# ---------------------------------------------------------------------------
#: Outcome of evaluation compared with expectation, in display order.
EXPECTATION_OUTCOMES: tuple[str, ...] = ("dissatisfied", "satisfied", "delighted")


def expectation_outcome(
    frame: pd.DataFrame, expectation: str = "expectation", evaluation: str = "evaluation"
) -> pd.Series:
    """Evaluation against expectation per row: 不満, 満足 or 感動.

    evaluation < expectation -> ``"dissatisfied"`` (complaint risk, 不満);
    equal -> ``"satisfied"`` (repeat, 満足); greater -> ``"delighted"``
    (word of mouth, 感動).  Rows missing either value stay missing.

    Parameters
    ----------
    frame : pandas.DataFrame
        A journey worksheet or survey with both columns.
    expectation, evaluation : str
        Column names.

    Returns
    -------
    pandas.Series
        Ordered Categorical with categories :data:`EXPECTATION_OUTCOMES`,
        same index, named ``"outcome"``.
    """
    gap = frame[evaluation].astype("Float64") - frame[expectation].astype("Float64")
    codes = np.select(
        [
            gap.lt(0).fillna(False).to_numpy(bool),
            gap.eq(0).fillna(False).to_numpy(bool),
            gap.gt(0).fillna(False).to_numpy(bool),
        ],
        [0, 1, 2],
        default=-1,
    )
    return pd.Series(
        pd.Categorical.from_codes(codes, categories=list(EXPECTATION_OUTCOMES), ordered=True),
        index=frame.index,
        name="outcome",
    )


def expectation_table(journey: pd.DataFrame, scenario: str | None = "as_is") -> pd.DataFrame:
    """Per worksheet touchpoint: expectation, evaluation, gap and outcome.

    Parameters
    ----------
    journey : pandas.DataFrame
        The journey worksheet (``persona``, ``scenario``, ``step``, ``stage``,
        ``touchpoint``, ``expectation``, ``evaluation``).
    scenario : str or None
        Keep one scenario (``"as_is"``/``"to_be"``); ``None`` keeps both.

    Returns
    -------
    pandas.DataFrame
        ``persona``, ``scenario``, ``step``, ``stage``, ``touchpoint``,
        ``expectation``, ``evaluation``, ``gap`` (evaluation − expectation)
        and ``outcome``, in worksheet order, rows with both values only.
    """
    rows = journey if scenario is None else journey[journey["scenario"] == scenario]
    rows = rows.dropna(subset=["expectation", "evaluation"]).sort_values(["persona", "scenario", "step"], kind="stable")
    table = rows[["persona", "scenario", "step", "stage", "touchpoint", "expectation", "evaluation"]].copy()
    table["gap"] = (table["evaluation"].astype("Float64") - table["expectation"].astype("Float64")).astype("Int64")
    table["outcome"] = expectation_outcome(table)
    return table.reset_index(drop=True)
