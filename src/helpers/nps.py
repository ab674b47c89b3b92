"""NPS: answer classes, the latest answers, NPS with confidence intervals, trends and group tests.

NPS = share of promoters (9-10) minus share of detractors (0-6), in points
(-100..100).  Intervals are adjusted Wald (default) or Wald intervals of
that difference of two proportions of one multinomial sample.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers import purchases as _purchases

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
    on_time = _purchases.keep_rows(nps, (nps["response_date"] <= _purchases.end_of_day(as_of)).to_numpy())
    # one hashing pass over the ids, then an integer sort (lexsort is stable: ties keep file order)
    codes, _ = _purchases.customer_codes(on_time["customer_id"], sort=True)
    order = np.lexsort((on_time["response_date"].to_numpy(), codes))
    if latest_only and len(order):
        sorted_codes = codes[order]
        order = order[np.r_[sorted_codes[1:] != sorted_codes[:-1], True]]
    return on_time.iloc[order].reset_index(drop=True)


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
