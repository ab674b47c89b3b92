"""Emotion curves: the worksheet's persona curves and the curve of customer ratings.

Two curves describe the same journey:

* the worksheet's: per persona and scenario (as-is, to-be), the emotion
  -5..+5 the team assigns to each step;
* the customers': the mean rating 1..5 of each touchpoint, mapped linearly
  onto the same -5..+5 scale, ``e = (r - 3) * 2.5``, with a 95% interval.

Intervals of a mean rating are Student-t intervals,
``mean +/- t(1 - alpha/2, n - 1) * sd / sqrt(n)``, computed on the rating
scale and mapped to the emotion scale with the same linear map (a linear map
carries the interval over exactly).  Each customer counts once per
touchpoint, with their latest rating (:func:`helpers.touchpoints.latest_ratings`).
Differences between two groups of customers (e.g. promoters and detractors)
use Welch's t interval and test, which do not assume equal variances.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers import touchpoints

#: Emotion scale of the worksheet.
EMOTION_MIN, EMOTION_MAX = -5, 5
#: Rating scale of ``touchpoint_ratings``.
RATING_MIN, RATING_MAX = 1, 5

#: Outcome of evaluation against expectation, by the sign of the gap.
EXPECTATION_OUTCOMES: tuple[str, ...] = ("dissatisfied", "satisfied", "delighted")


def rating_to_emotion(rating, low: float = RATING_MIN, high: float = RATING_MAX):
    """Map ratings linearly onto the emotion scale -5..+5.

    ``low`` maps to -5, ``high`` to +5 and the midpoint to 0; for the 1..5
    scale, ``e = (r - 3) * 2.5``.

    Parameters
    ----------
    rating : float, array-like or pandas object
        Ratings (or means or interval ends of ratings).
    low, high : float
        Ends of the rating scale.

    Returns
    -------
    Same type as ``rating``, on the emotion scale.

    Examples
    --------
    >>> rating_to_emotion(4.0)
    2.5
    """
    if high <= low:
        raise ValueError(f"rating scale must have high > low, got {low}..{high}")
    mid = (low + high) / 2
    return (rating - mid) * ((EMOTION_MAX - EMOTION_MIN) / (high - low))


def emotion_curves(journey: pd.DataFrame, scenario: str | None = None) -> pd.DataFrame:
    """The worksheet's emotion curves, one per persona and scenario.

    Parameters
    ----------
    journey : pandas.DataFrame
        The ``journey`` table.
    scenario : {"as_is", "to_be"} or None
        One scenario, or both (``None``).

    Returns
    -------
    pandas.DataFrame
        :func:`helpers.touchpoints.journey_steps` (sorted by persona,
        scenario and step, with ``position``) with ``emotion`` as float.
    """
    curves = touchpoints.journey_steps(journey, scenario)
    curves["emotion"] = curves["emotion"].astype("float64")
    return curves


def curve_extremes(curves: pd.DataFrame) -> pd.DataFrame:
    """Highest and lowest point of each curve.

    When several steps share the highest (or lowest) emotion, the earliest
    step is reported.

    Parameters
    ----------
    curves : pandas.DataFrame
        :func:`emotion_curves`.

    Returns
    -------
    pandas.DataFrame
        One row per persona, scenario and extreme (``"max"``, ``"min"``)
        with ``step``, ``stage``, ``touchpoint`` and ``emotion``.
    """
    columns = ["persona", "scenario", "extreme", "step", "stage", "touchpoint", "emotion"]
    if curves.empty:
        return pd.DataFrame(columns=columns)
    keys = ["persona", "scenario"]
    ordered = curves.sort_values(keys + ["step"], kind="stable")
    parts = []
    for extreme, ascending in (("max", False), ("min", True)):
        best = ordered.sort_values("emotion", ascending=ascending, kind="stable")
        best = best.drop_duplicates(keys, keep="first").assign(extreme=extreme)
        parts.append(best)
    result = pd.concat(parts).sort_values(keys + ["extreme"], ascending=[True, True, True], kind="stable")
    return result[columns].reset_index(drop=True)


def _t_interval(mean, sd, n, alpha: float):
    """Student-t interval of a mean (NaN where n < 2)."""
    from scipy import stats  # imported when used: it adds 0.4 s to every kernel start
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = stats.t.ppf(1 - alpha / 2, n - 1) * np.asarray(sd, dtype=float) / np.sqrt(n)
    half = np.where(n >= 2, half, np.nan)
    return mean - half, mean + half


def rating_curve(
    ratings: pd.DataFrame,
    journey: pd.DataFrame | None = None,
    segments: pd.Series | None = None,
    alpha: float = 0.05,
    rating_scale: tuple[float, float] = (RATING_MIN, RATING_MAX),
) -> pd.DataFrame:
    """The customers' emotion curve: mean rating per touchpoint, on the -5..+5 scale.

    Parameters
    ----------
    ratings : pandas.DataFrame
        ``touchpoint_ratings``; each customer's latest rating per touchpoint
        counts.
    journey : pandas.DataFrame, optional
        The worksheet, for the journey order (others follow by first appearance).
    segments : pandas.Series, optional
        Group of each customer (indexed by ``customer_id``, e.g.
        :func:`helpers.segments.customer_segments`); the curve is computed per
        group.  Customers without a group are left out.
    alpha : float
        1 - confidence level of the intervals (0.05 for 95%).
    rating_scale : (float, float)
        Ends of the rating scale, for :func:`rating_to_emotion`.

    Returns
    -------
    pandas.DataFrame
        One row per (segment and) touchpoint in journey order: ``segment``
        (when ``segments`` is given), ``touchpoint``, ``order`` (0-based place
        in the journey), ``n``, ``mean_rating``, ``sd_rating``, ``rating_low``,
        ``rating_high``, ``emotion``, ``emotion_low``, ``emotion_high``,
        ``sd_emotion``.  Intervals are NaN where ``n < 2``.
    """
    latest = touchpoints.latest_ratings(ratings)
    keys = ["key"]
    if segments is not None:
        group = latest["customer_id"].map(segments)
        latest = latest.assign(segment=group).dropna(subset=["segment"])
        keys = ["segment", "key"]
    grouped = latest.groupby(keys, sort=False, observed=True)
    curve = pd.DataFrame(
        {
            "touchpoint": grouped["touchpoint"].first(),
            "n": grouped.size(),
            "mean_rating": grouped["rating"].mean(),
            "sd_rating": grouped["rating"].std(ddof=1),
        }
    ).reset_index()
    order = touchpoints.order_touchpoints(latest["touchpoint"], journey)
    curve["order"] = curve["touchpoint"].map({t: i for i, t in enumerate(order)}).astype(np.int64)
    curve["rating_low"], curve["rating_high"] = _t_interval(curve["mean_rating"], curve["sd_rating"], curve["n"], alpha)
    low, high = rating_scale
    for source, target in (("mean_rating", "emotion"), ("rating_low", "emotion_low"), ("rating_high", "emotion_high")):
        curve[target] = rating_to_emotion(curve[source], low, high)
    # the map multiplies by a constant, so the sd scales by it
    curve["sd_emotion"] = curve["sd_rating"] * ((EMOTION_MAX - EMOTION_MIN) / (high - low))
    sort = ["order"]
    if segments is not None:
        categories = (
            list(segments.cat.categories) if isinstance(segments.dtype, pd.CategoricalDtype)
            else sorted(pd.unique(segments.dropna()), key=str)
        )
        curve["segment"] = pd.Categorical(curve["segment"], categories=categories, ordered=True)
        sort = ["segment", "order"]
    columns = (["segment"] if segments is not None else []) + [
        "touchpoint", "order", "n", "mean_rating", "sd_rating", "rating_low", "rating_high",
        "emotion", "emotion_low", "emotion_high", "sd_emotion",
    ]
    curve["n"] = curve["n"].astype(np.int64)
    return curve.sort_values(sort, kind="stable")[columns].reset_index(drop=True)


def segment_gap(curve: pd.DataFrame, group_a, group_b, alpha: float = 0.05) -> pd.DataFrame:
    """Difference of the mean emotion of two customer groups at each touchpoint.

    Welch's t interval and test from the groups' mean, standard deviation and
    n: ``gap = mean_a - mean_b`` with standard error
    ``sqrt(sd_a^2/n_a + sd_b^2/n_b)`` and Welch-Satterthwaite degrees of
    freedom.  The gap is in emotion points (ratings mapped with
    :func:`rating_to_emotion`).

    Parameters
    ----------
    curve : pandas.DataFrame
        :func:`rating_curve` computed with ``segments``.
    group_a, group_b
        Two values of ``curve["segment"]`` (e.g. ``"high"`` and ``"low"``).
    alpha : float
        1 - confidence level.

    Returns
    -------
    pandas.DataFrame
        Per touchpoint rated by both groups, in journey order: ``touchpoint``,
        ``emotion_a``, ``emotion_b``, ``n_a``, ``n_b``, ``gap``, ``gap_low``,
        ``gap_high``, ``p_value``.  NaN intervals where a group has n < 2.
    """
    from scipy import stats  # imported when used: it adds 0.4 s to every kernel start
    a = curve[curve["segment"] == group_a].set_index("touchpoint")
    b = curve[curve["segment"] == group_b].set_index("touchpoint")
    both = a.add_suffix("_a").join(b.add_suffix("_b"), how="inner").sort_values("order_a", kind="stable")
    var_a = both["sd_emotion_a"] ** 2 / both["n_a"]
    var_b = both["sd_emotion_b"] ** 2 / both["n_b"]
    gap = both["emotion_a"] - both["emotion_b"]
    se = np.sqrt(var_a + var_b)
    with np.errstate(invalid="ignore", divide="ignore"):
        dof = (var_a + var_b) ** 2 / (var_a**2 / (both["n_a"] - 1) + var_b**2 / (both["n_b"] - 1))
        half = stats.t.ppf(1 - alpha / 2, dof) * se
        p_value = 2 * stats.t.sf(np.abs(gap / se), dof)
    valid = (both["n_a"] >= 2) & (both["n_b"] >= 2)
    return pd.DataFrame(
        {
            "touchpoint": both.index.to_numpy(),
            "emotion_a": both["emotion_a"].to_numpy(),
            "emotion_b": both["emotion_b"].to_numpy(),
            "n_a": both["n_a"].to_numpy(),
            "n_b": both["n_b"].to_numpy(),
            "gap": gap.to_numpy(),
            "gap_low": np.where(valid, gap - half, np.nan),
            "gap_high": np.where(valid, gap + half, np.nan),
            "p_value": np.where(valid, p_value, np.nan),
        }
    )


def largest_gap(gaps: pd.DataFrame) -> pd.Series | None:
    """The row of :func:`segment_gap` with the largest absolute gap (earliest on ties).

    Returns
    -------
    pandas.Series or None
        ``None`` when there is no gap to compare.
    """
    usable = gaps.dropna(subset=["gap"])
    if usable.empty:
        return None
    return usable.loc[usable["gap"].abs().idxmax()]


def expectation_outcome(
    frame: pd.DataFrame, expectation: str = "expectation", evaluation: str = "evaluation"
) -> pd.Series:
    """Evaluation against expectation per row: dissatisfied (不満), satisfied (満足) or delighted (感動).

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


def expectation_evaluation(journey: pd.DataFrame, scenario: str | None = "as_is") -> pd.DataFrame:
    """Expectation against evaluation (1..5) at each step where both are given.

    ``gap = evaluation - expectation``; the outcome (:func:`expectation_outcome`)
    is ``"dissatisfied"`` (below expectation: risk of complaints),
    ``"satisfied"`` (met: repeat) or ``"delighted"`` (exceeded: word of mouth).
    This is the one implementation; the loyalty notebook uses it too.

    Parameters
    ----------
    journey : pandas.DataFrame
        The ``journey`` table (``expectation``, ``evaluation`` optional).
    scenario : {"as_is", "to_be"} or None
        Scenario to keep (``None``: both).

    Returns
    -------
    pandas.DataFrame
        ``persona``, ``scenario``, ``step``, ``stage``, ``touchpoint``,
        ``expectation``, ``evaluation``, ``gap``, ``outcome``; empty when the
        worksheet gives no pair.
    """
    steps = touchpoints.journey_steps(journey, scenario)
    given = steps.dropna(subset=["expectation", "evaluation"]).copy()
    given["expectation"] = given["expectation"].astype(np.int64)
    given["evaluation"] = given["evaluation"].astype(np.int64)
    given["gap"] = given["evaluation"] - given["expectation"]
    given["outcome"] = expectation_outcome(given)
    columns = ["persona", "scenario", "step", "stage", "touchpoint", "expectation", "evaluation", "gap", "outcome"]
    return given[columns].reset_index(drop=True)
