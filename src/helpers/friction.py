"""Friction points: where the journey hurts, checked against what customers did next.

Detection on the worksheet's emotion curves
-------------------------------------------
A step is a friction point when

* its emotion is at or below ``threshold`` (default 0), or
* its emotion fell by at least ``min_drop`` (default 2) from the step before:
  ``drop = emotion(previous step) - emotion``.

The first step of a curve has no previous step: its drop is undefined (NaN)
and only the threshold rule applies; a one-step curve is its first step.
A plateau (several steps in a row at or below the threshold) yields one
friction point per step, because each step is a separate touchpoint that
needs its own fix; ``run`` numbers the consecutive friction steps of a curve
and ``run_length`` gives their count, so a plateau reads as one run.  The
steps after the first of a flat run have drop 0, so the entry step ranks
above them.

Severity::

    severity = max(0, threshold - emotion + 1) + max(0, drop)

The first term is the depth below the line (1 at the threshold, +1 for each
point below); the second the size of the fall (0 for the first step or a
rise).  Non-friction steps have severity 0.

Verification against behaviour
------------------------------
For each rated touchpoint, customers whose (latest) rating is at or below
``low_rating_max`` are compared with the other raters on

* ``f2_conversion``: made a second purchase by ``as_of`` (raters with at
  least one order);
* ``retention_<N>d``: made a second purchase within N days of the first
  purchase (only customers whose first purchase is at least N days before
  ``as_of``, so that everyone had the full N days).

The effect is ``rate(low raters) - rate(others)`` in proportion points, with
Newcombe's hybrid score interval (method 10 of Newcombe 1998: the Wilson
intervals of both rates combined), and a two-sided two-proportion z-test
with pooled variance; when an expected cell count of the 2x2 table is below
5, Fisher's exact test (scipy) replaces the z-test.  Several touchpoints
are tested at once, so by default the p-values are Holm-adjusted across the
tested touchpoints of a metric (``p_adjust="holm"``; ``None`` keeps them
raw): without it, one in twenty unrelated touchpoints would be "confirmed"
by chance.  The intervals are the per-touchpoint 95% intervals.
``confirmed`` is ``"yes"`` when the low raters do significantly worse
(effect < 0 and adjusted p < alpha), ``"no"`` when tested and not,
``"untested"`` when the touchpoint has no ratings or one of the groups is
empty.

Ranking
-------
Friction points are ranked by evidence first, then by severity:
confirmed ones (``"yes"``) first, then ``"untested"``, then those the data
tested and did not confirm (``"no"``); within each, higher severity first,
then the larger behavioural effect (more negative), then persona (worksheet
order), scenario and step.

Where customers leave
---------------------
The repeat funnel (:func:`repeat_funnel`), days to the next purchase
(:func:`next_purchase_gaps`) and the subscription stop hazard by shipment
number (:func:`subscription_stops`): a subscription customer "stopped" after
their last subscription shipment when that shipment lies ``grace_days`` or
more before ``as_of`` (no further shipment came in time); a later last
shipment is still open (censored), neither stopped nor continued.
:func:`where_customers_leave` computes all three with one pass over the
orders.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers import purchases, touchpoints

#: Metrics of the behavioural check.
F2_METRIC = "f2_conversion"
RETENTION_METRIC = "retention"

#: Evidence classes, in ranking order.
CONFIRMED_ORDER: tuple[str, ...] = ("yes", "untested", "no")

#: Columns of :func:`friction_table`, in order.
FRICTION_TABLE_COLUMNS: tuple[str, ...] = (
    "persona", "scenario", "step", "stage", "touchpoint", "emotion", "drop", "severity", "rank",
    "effect_metric", "effect", "effect_low", "effect_high", "p_value", "n_low", "n_other",
    "confirmed", "improvement",
)


def retention_metric(horizon_days: int) -> str:
    """Name of the retention metric for a horizon, e.g. ``"retention_180d"``."""
    return f"{RETENTION_METRIC}_{int(horizon_days)}d"


# ---------------------------------------------------------------------------
# Detection on the curves
# ---------------------------------------------------------------------------
def detect_friction(
    journey: pd.DataFrame, threshold: float = 0, min_drop: float = 2, scenario: str | None = "as_is"
) -> pd.DataFrame:
    """Every step of the worksheet's curves, with the friction rules applied.

    Parameters
    ----------
    journey : pandas.DataFrame
        The ``journey`` table.
    threshold : float
        A step at or below this emotion is a friction point.
    min_drop : float
        A step whose emotion fell by at least this much from the previous
        step is a friction point.
    scenario : {"as_is", "to_be"} or None
        Curves to examine (``None``: both).

    Returns
    -------
    pandas.DataFrame
        The steps (:func:`helpers.touchpoints.journey_steps` order) with
        ``emotion`` (float), ``drop`` (NaN at a curve's first step),
        ``below_threshold``, ``sharp_drop``, ``is_friction``, ``reason``
        (``"threshold"``, ``"drop"``, ``"both"`` or ``""``), ``severity``
        (module docstring; 0 for non-friction steps), ``run`` and
        ``run_length`` (consecutive friction steps of a curve; 0 for
        non-friction steps).
    """
    steps = touchpoints.journey_steps(journey, scenario)
    emotion = steps["emotion"].astype("float64")
    curve_keys = [steps["persona"], steps["scenario"]]
    first = steps["position"].eq(0)
    drop = (emotion.groupby(curve_keys, observed=True, sort=False).shift() - emotion).where(~first)
    below = emotion.le(threshold)
    sharp = drop.ge(min_drop).fillna(False).astype(bool)
    is_friction = below | sharp
    severity = np.maximum(0.0, threshold - emotion + 1) + np.maximum(0.0, drop.fillna(0.0))
    steps["emotion"] = emotion
    steps["drop"] = drop
    steps["below_threshold"] = below.to_numpy()
    steps["sharp_drop"] = sharp.to_numpy()
    steps["is_friction"] = is_friction.to_numpy()
    steps["reason"] = np.select([below & sharp, below, sharp], ["both", "threshold", "drop"], default="")
    steps["severity"] = severity.where(is_friction, 0.0)
    # a run starts at a friction step whose previous step (same curve) is not one
    previous_friction = is_friction.groupby(curve_keys, observed=True, sort=False).shift(fill_value=False)
    starts = is_friction & ~(previous_friction.astype(bool) & ~first)
    run = starts.astype(int).groupby(curve_keys, observed=True, sort=False).cumsum().where(is_friction, 0)
    steps["run"] = run.astype(np.int64)
    run_id = steps.groupby(["persona", "scenario", "run"], observed=True, sort=False)["run"].transform("size")
    steps["run_length"] = run_id.where(is_friction, 0).astype(np.int64)
    return steps


# ---------------------------------------------------------------------------
# Two proportions
# ---------------------------------------------------------------------------
def wilson_interval(x, n, alpha: float = 0.05):
    """Wilson score interval of a proportion ``x / n`` (NaN where n = 0).

    Parameters
    ----------
    x, n : array-like
        Successes and trials.
    alpha : float
        1 - confidence level.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Lower and upper ends.
    """
    from scipy import stats  # imported when used: it adds 0.4 s to every kernel start
    x, n = np.asarray(x, dtype=float), np.asarray(n, dtype=float)
    z = stats.norm.ppf(1 - alpha / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = x / n
        denominator = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denominator
        half = z / denominator * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return centre - half, centre + half


def compare_proportions(x_low, n_low, x_other, n_other, alpha: float = 0.05) -> pd.DataFrame:
    """Difference of two proportions with Newcombe's interval and a test.

    Parameters
    ----------
    x_low, n_low : array-like
        Successes and size of the first group (the low raters).
    x_other, n_other : array-like
        Successes and size of the second group.
    alpha : float
        1 - confidence level of the interval.

    Returns
    -------
    pandas.DataFrame
        One row per input element: ``rate_low``, ``rate_other``, ``effect``
        (``rate_low - rate_other``), ``effect_low``, ``effect_high``
        (Newcombe hybrid score interval), ``p_value`` (two-sided), ``test``
        (``"z"``: pooled two-proportion z-test, ``"fisher"``: Fisher's exact
        test when an expected count is below 5, ``""`` when a group is empty).
    """
    from scipy import stats  # imported when used: it adds 0.4 s to every kernel start
    x1, n1 = np.atleast_1d(np.asarray(x_low, dtype=float)), np.atleast_1d(np.asarray(n_low, dtype=float))
    x2, n2 = np.atleast_1d(np.asarray(x_other, dtype=float)), np.atleast_1d(np.asarray(n_other, dtype=float))
    testable = (n1 > 0) & (n2 > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        p1, p2 = x1 / n1, x2 / n2
        l1, u1 = wilson_interval(x1, n1, alpha)
        l2, u2 = wilson_interval(x2, n2, alpha)
        d = p1 - p2
        lower = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
        upper = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
        pooled = (x1 + x2) / (n1 + n2)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        z = np.where(se > 0, d / se, 0.0)
        p_value = 2 * stats.norm.sf(np.abs(z))
        # expected counts of the 2x2 table under independence
        expected = np.minimum.reduce(
            [n1 * pooled, n1 * (1 - pooled), n2 * pooled, n2 * (1 - pooled)]
        )
    small = testable & (expected < 5)
    for i in np.flatnonzero(small):  # a handful of touchpoints at most
        table = [[x1[i], n1[i] - x1[i]], [x2[i], n2[i] - x2[i]]]
        p_value[i] = stats.fisher_exact(np.asarray(table, dtype=np.int64)).pvalue
    test = np.where(testable, np.where(small, "fisher", "z"), "")
    nan = np.where(testable, 1.0, np.nan)
    return pd.DataFrame(
        {
            "rate_low": p1 * np.where(n1 > 0, 1.0, np.nan),
            "rate_other": p2 * np.where(n2 > 0, 1.0, np.nan),
            "effect": d * nan,
            "effect_low": lower * nan,
            "effect_high": upper * nan,
            "p_value": p_value * nan,
            "test": test,
        }
    )


# ---------------------------------------------------------------------------
# Per-customer facts after the first purchase
# ---------------------------------------------------------------------------

def _coded_orders(orders: pd.DataFrame, as_of) -> tuple[pd.DataFrame, pd.Index]:
    """Orders up to ``as_of`` with customer ids replaced by integer codes.

    Sorting and grouping integers is many times faster than strings on
    millions of orders; ``uniques[code]`` gives the id back.
    """
    kept = purchases.up_to(orders, as_of, "order_date")
    codes, uniques = purchases.customer_codes(kept["customer_id"])
    columns = {"customer_id": codes, "order_date": kept["order_date"].to_numpy(), "amount": kept["amount"].to_numpy()}
    if "is_subscription" in kept.columns:
        columns["is_subscription"] = kept["is_subscription"].fillna(False).to_numpy(dtype=bool)
    return pd.DataFrame(columns), pd.Index(uniques, dtype=object, name="customer_id")


def customer_outcomes(orders: pd.DataFrame, as_of, horizon_days: int = 180) -> pd.DataFrame:
    """What each buying customer did after the first purchase.

    Parameters
    ----------
    orders : pandas.DataFrame
        ``customer_id``, ``order_date``, ``amount``; orders after ``as_of``
        are ignored.
    as_of : str or datetime-like
        Reference date.
    horizon_days : int
        Retention horizon N (days after the first purchase).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``customer_id``: ``n_orders``, ``tenure_days`` (from
        :func:`helpers.purchases.customer_purchases`), ``second_purchase``
        (bool: two or more orders by ``as_of``), ``days_to_second`` (NaN
        without one), ``retention_eligible`` (``tenure_days >= horizon_days``)
        and ``retained`` (second purchase within ``horizon_days`` of the
        first; missing when not eligible).
    """
    coded, ids = _coded_orders(orders, as_of)
    facts = purchases.customer_purchases(coded, as_of)
    sequence = purchases.order_sequence(coded)
    second = sequence.loc[sequence["order_number"] == 2].set_index("customer_id")["days_since_first"]
    outcomes = pd.DataFrame(
        {
            "n_orders": facts["n_orders"].to_numpy(),
            "tenure_days": facts["tenure_days"].to_numpy(),
        },
        index=facts.index,
    )
    outcomes["second_purchase"] = outcomes["n_orders"] >= 2
    outcomes["days_to_second"] = second.reindex(outcomes.index).astype("float64")
    outcomes["retention_eligible"] = outcomes["tenure_days"] >= horizon_days
    retained = outcomes["days_to_second"].le(horizon_days)
    outcomes["retained"] = pd.array(retained.to_numpy(), dtype="boolean")
    outcomes.loc[~outcomes["retention_eligible"], "retained"] = pd.NA
    outcomes.index = ids[outcomes.index.to_numpy()]
    return outcomes


def rating_effects(
    ratings: pd.DataFrame,
    orders: pd.DataFrame,
    as_of,
    low_rating_max: int = 2,
    horizon_days: int = 180,
    alpha: float = 0.05,
    journey: pd.DataFrame | None = None,
    p_adjust: str | None = "holm",
    outcomes: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Did low raters of a touchpoint buy again less than the other raters?

    Parameters
    ----------
    ratings : pandas.DataFrame
        ``touchpoint_ratings``; each customer's latest rating per touchpoint
        counts.
    orders : pandas.DataFrame
        ``orders``.
    as_of : str or datetime-like
        Reference date.
    low_rating_max : int
        Ratings at or below this are "low".
    horizon_days : int
        Retention horizon N.
    alpha : float
        Significance level and 1 - confidence level of the intervals.
    journey : pandas.DataFrame, optional
        The worksheet, for the journey order of the rows.
    p_adjust : {"holm", None}
        Multiple-testing adjustment of the p-values across the tested
        touchpoints of each metric.
    outcomes : pandas.DataFrame, optional
        :func:`customer_outcomes` of ``orders``, ``as_of`` and ``horizon_days``
        when already computed.

    Returns
    -------
    pandas.DataFrame
        One row per touchpoint and metric (``"f2_conversion"``,
        ``"retention_<N>d"``): ``touchpoint``, ``key`` (normalised name),
        ``metric``, ``n_low``, ``x_low``, ``n_other``, ``x_other``, the
        columns of :func:`compare_proportions`, ``p_adjusted`` and
        ``confirmed``.  Raters without an order by ``as_of`` and ratings
        answered after ``as_of`` are left out.
    """
    if p_adjust not in ("holm", None):
        raise ValueError(f"p_adjust must be 'holm' or None, got {p_adjust!r}")
    ratings = purchases.up_to(ratings, as_of, "response_date")
    latest = touchpoints.latest_ratings(ratings)
    if outcomes is None:
        outcomes = customer_outcomes(orders, as_of, horizon_days)
    position = purchases.id_positions(outcomes.index, latest["customer_id"])
    bought = position >= 0
    latest, position = latest[bought], position[bought]
    low = (latest["rating"] <= low_rating_max).to_numpy()
    second = outcomes["second_purchase"].to_numpy()[position]
    eligible = outcomes["retention_eligible"].to_numpy()[position]
    retained = outcomes["retained"].fillna(False).to_numpy(dtype=bool)[position]
    key_codes, keys = purchases.customer_codes(latest["key"])  # any text: pd.factorize by Arrow's hash
    # codes are numbered in order of first appearance: the first row of each code gives its spelling
    first_rows = pd.Series(key_codes).drop_duplicates().index.to_numpy()
    spelling = np.asarray(latest["touchpoint"].iloc[first_rows], dtype=object)
    order = touchpoints.order_touchpoints(pd.Series(spelling, dtype=object), journey)

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(key_codes[mask], minlength=len(keys))

    rows = []
    for metric, included, success in (
        (F2_METRIC, np.ones(len(latest), dtype=bool), second),
        (retention_metric(horizon_days), eligible, retained),
    ):
        rows.append(
            pd.DataFrame(
                {
                    "key": np.asarray(keys, dtype=object),
                    "n_low": count(included & low),
                    "x_low": count(included & low & success),
                    "n_other": count(included & ~low),
                    "x_other": count(included & ~low & success),
                    "metric": metric,
                }
            )
        )
    table = pd.concat(rows, ignore_index=True)
    table["touchpoint"] = table["key"].map(dict(zip(keys, spelling, strict=False)))
    table["_order"] = table["touchpoint"].map({t: i for i, t in enumerate(order)})
    table["_metric"] = (table["metric"] != F2_METRIC).astype(int)
    table = table.sort_values(["_order", "_metric"], kind="stable").reset_index(drop=True)
    for column in ("n_low", "x_low", "n_other", "x_other"):
        table[column] = table[column].astype(np.int64)
    comparison = compare_proportions(table["x_low"], table["n_low"], table["x_other"], table["n_other"], alpha)
    table = pd.concat([table, comparison], axis=1)
    if p_adjust == "holm":
        table["p_adjusted"] = table.groupby("metric", sort=False)["p_value"].transform(holm_adjust)
    else:
        table["p_adjusted"] = table["p_value"]
    table["confirmed"] = _confirmed(table, alpha)
    columns = [
        "touchpoint", "key", "metric", "n_low", "x_low", "n_other", "x_other",
        *comparison.columns, "p_adjusted", "confirmed",
    ]
    return table[columns]


def holm_adjust(p_values) -> np.ndarray:
    """Holm's step-down adjusted p-values (NaN entries are left out and stay NaN).

    Parameters
    ----------
    p_values : array-like
        Raw p-values of one family of tests.

    Returns
    -------
    numpy.ndarray
        ``min(1, max over j <= i of (m - j + 1) p_(j))`` for the i-th
        smallest p-value, ``m`` the number of non-missing p-values.
    """
    p = np.asarray(p_values, dtype=float)
    adjusted = np.full(p.shape, np.nan)
    present = np.flatnonzero(~np.isnan(p))
    m = len(present)
    if m == 0:
        return adjusted
    order = present[np.argsort(p[present], kind="stable")]
    scaled = (m - np.arange(m)) * p[order]
    adjusted[order] = np.minimum(1.0, np.maximum.accumulate(scaled))
    return adjusted


def _confirmed(effects: pd.DataFrame, alpha: float) -> np.ndarray:
    tested = effects["test"].astype(str).ne("").to_numpy()
    worse = (effects["effect"].lt(0) & effects["p_adjusted"].lt(alpha)).to_numpy()
    return np.where(tested, np.where(worse, "yes", "no"), "untested")


# ---------------------------------------------------------------------------
# The friction table
# ---------------------------------------------------------------------------
def friction_table(
    journey: pd.DataFrame,
    ratings: pd.DataFrame | None = None,
    orders: pd.DataFrame | None = None,
    as_of=None,
    *,
    threshold: float = 0,
    min_drop: float = 2,
    low_rating_max: int = 2,
    horizon_days: int = 180,
    alpha: float = 0.05,
    scenario: str | None = "as_is",
    metric: str = F2_METRIC,
    p_adjust: str | None = "holm",
    effects: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The friction points of the worksheet, ranked, with their behavioural evidence.

    Parameters
    ----------
    journey : pandas.DataFrame
        The ``journey`` table.
    ratings, orders : pandas.DataFrame, optional
        ``touchpoint_ratings`` and ``orders``; without either, every friction
        point is ``"untested"``.
    as_of : str or datetime-like, optional
        Reference date; defaults to the last order date.
    threshold, min_drop : float
        Detection rules (:func:`detect_friction`).
    low_rating_max : int
        Ratings at or below this are "low".
    horizon_days : int
        Retention horizon N for ``metric="retention"``.
    alpha : float
        Significance level; intervals are ``1 - alpha``.
    scenario : {"as_is", "to_be"} or None
        Curves to examine (``None``: both).
    metric : {"f2_conversion", "retention"}
        Behaviour that confirms a friction point.
    p_adjust : {"holm", None}
        Multiple-testing adjustment (:func:`rating_effects`).
    effects : pandas.DataFrame, optional
        :func:`rating_effects` already computed with the same ratings,
        orders, ``as_of``, ``low_rating_max``, ``horizon_days``, ``alpha``
        and ``p_adjust`` (saves computing it twice in a notebook); it is used
        instead of ``ratings`` and ``orders``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`FRICTION_TABLE_COLUMNS`, one row per friction point,
        sorted by ``rank`` (1 = most urgent; module docstring).  ``effect``
        is ``rate(low raters) - rate(others)`` in proportion points with its
        interval ``effect_low``..``effect_high``; ``p_value`` is the
        (Holm-adjusted, unless ``p_adjust=None``) p-value the decision uses;
        ``confirmed`` is ``"yes"``, ``"no"`` or ``"untested"``.
    """
    if metric not in (F2_METRIC, RETENTION_METRIC):
        raise ValueError(f"metric must be {F2_METRIC!r} or {RETENTION_METRIC!r}, got {metric!r}")
    effect_metric = F2_METRIC if metric == F2_METRIC else retention_metric(horizon_days)
    steps = detect_friction(journey, threshold, min_drop, scenario)
    points = steps[steps["is_friction"]].copy()
    points["key"] = touchpoints.normalize_names(points["touchpoint"].astype(str))
    points["effect_metric"] = effect_metric
    evidence_columns = ["effect", "effect_low", "effect_high", "p_value", "n_low", "n_other", "confirmed"]
    have_data = ratings is not None and orders is not None and len(ratings) and len(orders)
    if (effects is not None or have_data) and len(points):
        if effects is None:
            as_of = orders["order_date"].max() if as_of is None else as_of
            effects = rating_effects(ratings, orders, as_of, low_rating_max, horizon_days, alpha, p_adjust=p_adjust)
        effects = effects[effects["metric"] == effect_metric].drop(columns="p_value")
        effects = effects.rename(columns={"p_adjusted": "p_value"}).set_index("key")[evidence_columns]
        points = points.join(effects, on="key")
    else:
        for column in evidence_columns:
            points[column] = np.nan
        points["confirmed"] = pd.Series(None, index=points.index, dtype=object)
    points["n_low"] = points["n_low"].fillna(0).astype(np.int64)
    points["n_other"] = points["n_other"].fillna(0).astype(np.int64)
    points["confirmed"] = points["confirmed"].fillna("untested").astype(object)
    points["_evidence"] = points["confirmed"].map({c: i for i, c in enumerate(CONFIRMED_ORDER)})
    points["_scenario"] = points["scenario"].map({"as_is": 0, "to_be": 1}).fillna(2)
    points["_effect"] = points["effect"].astype("float64").fillna(np.inf)
    points["_persona"] = points["persona"].cat.codes
    points = points.sort_values(
        ["_evidence", "severity", "_effect", "_persona", "_scenario", "step"],
        ascending=[True, False, True, True, True, True],
        kind="stable",
    )
    points["rank"] = np.arange(1, len(points) + 1, dtype=np.int64)
    points["persona"] = points["persona"].astype(str)
    points["step"] = points["step"].astype(np.int64)
    points["improvement"] = points["improvement"].astype(object).where(points["improvement"].notna(), None)
    return points[list(FRICTION_TABLE_COLUMNS)].reset_index(drop=True)


def friction_table_csv(table: pd.DataFrame) -> bytes:
    """The friction table as CSV bytes, UTF-8 with BOM (opens in Excel with Japanese intact).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`friction_table`.

    Returns
    -------
    bytes
        Header in English column names, one line per friction point.
    """
    return table.to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


# ---------------------------------------------------------------------------
# Where customers leave
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Departures:
    """Where customers leave (:func:`where_customers_leave`).

    Attributes
    ----------
    funnel : pandas.DataFrame
        :func:`repeat_funnel`.
    gaps : pandas.DataFrame
        :func:`next_purchase_gaps`.
    stops : pandas.DataFrame or None
        :func:`subscription_stops`; ``None`` when the orders have no
        ``is_subscription`` column or no subscription order.
    """

    funnel: pd.DataFrame
    gaps: pd.DataFrame
    stops: pd.DataFrame | None


def where_customers_leave(
    orders: pd.DataFrame,
    as_of=None,
    *,
    max_n: int = 6,
    max_from: int = 3,
    grace_days: int = 60,
    max_shipment: int = 12,
    alpha: float = 0.05,
) -> Departures:
    """The repeat funnel, the days to the next purchase and the subscription stops, in one pass.

    Same results as :func:`repeat_funnel`, :func:`next_purchase_gaps` and
    :func:`subscription_stops` with the same arguments; the orders are
    prepared and sequenced once (the expensive part on millions of orders).

    Parameters
    ----------
    orders : pandas.DataFrame
        ``orders``; orders after ``as_of`` are ignored.
    as_of : str or datetime-like, optional
        Reference date (the last order date when ``None``).
    max_n, max_from, grace_days, max_shipment, alpha
        As for the three functions.

    Returns
    -------
    Departures
    """
    as_of = orders["order_date"].max() if as_of is None else as_of
    coded, _ = _coded_orders(orders, as_of)
    sequence = purchases.order_sequence(coded)
    stops = None
    if "is_subscription" in coded.columns and coded["is_subscription"].any():
        stops = _stops(coded, as_of, grace_days, max_shipment, alpha)
    return Departures(_funnel(coded, max_n), _gaps(sequence, max_from), stops)


def repeat_funnel(orders: pd.DataFrame, as_of=None, max_n: int = 6) -> pd.DataFrame:
    """The repeat funnel (1st -> 2nd -> 3rd ... purchase) with the customers lost at each step.

    Parameters
    ----------
    orders : pandas.DataFrame
        ``orders``; orders after ``as_of`` are ignored.
    as_of : str or datetime-like, optional
        Reference date (all orders when ``None``).
    max_n : int
        Last purchase number shown.

    Returns
    -------
    pandas.DataFrame
        :func:`helpers.purchases.nth_purchase_conversion` (index ``n``,
        ``customers``, ``conversion``; n = 2 is F2) with ``lost``: customers
        who made the (n-1)-th purchase but not the n-th (NaN for n = 1).
    """
    as_of = orders["order_date"].max() if as_of is None else as_of
    return _funnel(_coded_orders(orders, as_of)[0], max_n)


def _funnel(coded: pd.DataFrame, max_n: int) -> pd.DataFrame:
    funnel = purchases.nth_purchase_conversion(coded, max_n)
    funnel["lost"] = (funnel["customers"].shift() - funnel["customers"]).astype("float64")
    return funnel


def next_purchase_gaps(orders: pd.DataFrame, as_of=None, max_from: int = 3) -> pd.DataFrame:
    """Days from each purchase to the next one.

    Parameters
    ----------
    orders : pandas.DataFrame
        ``orders``; orders after ``as_of`` are ignored.
    as_of : str or datetime-like, optional
        Reference date (all orders when ``None``).
    max_from : int
        Transitions from purchase ``max_from`` onwards are pooled.

    Returns
    -------
    pandas.DataFrame
        One row per repeat purchase: ``from_n`` (1 for the 1st -> 2nd
        purchase, ..., ``max_from`` for that one and all later) and ``days``.
    """
    as_of = orders["order_date"].max() if as_of is None else as_of
    return _gaps(purchases.order_sequence(_coded_orders(orders, as_of)[0]), max_from)


def _gaps(sequence: pd.DataFrame, max_from: int) -> pd.DataFrame:
    repeat = sequence[sequence["order_number"] >= 2]
    return pd.DataFrame(
        {
            "from_n": np.minimum(repeat["order_number"].to_numpy() - 1, max_from).astype(np.int64),
            "days": repeat["days_since_previous"].to_numpy(dtype="float64"),
        }
    )


def gap_summary(gaps: pd.DataFrame) -> pd.DataFrame:
    """Quantiles of :func:`next_purchase_gaps` per transition.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``from_n``: ``n``, ``p25``, ``median``, ``p75``, ``p90``,
        ``mean`` (days).
    """
    grouped = gaps.groupby("from_n")["days"]
    summary = grouped.quantile([0.25, 0.5, 0.75, 0.9]).unstack()
    summary.columns = ["p25", "median", "p75", "p90"]
    summary.insert(0, "n", grouped.size())
    summary["mean"] = grouped.mean()
    return summary


def subscription_stops(
    orders: pd.DataFrame, as_of=None, grace_days: int = 60, max_shipment: int = 12, alpha: float = 0.05
) -> pd.DataFrame:
    """When subscriptions stop: the stop hazard by shipment number.

    Subscription orders (``is_subscription``) of each customer are numbered
    1, 2, ... in date order.  After shipment k a customer either continued
    (there is a shipment k+1), stopped (shipment k is their last and lies at
    least ``grace_days`` before ``as_of``) or is still open (the last
    shipment is more recent: censored, not counted).

    Parameters
    ----------
    orders : pandas.DataFrame
        ``orders`` with ``is_subscription``; later orders than ``as_of`` ignored.
    as_of : str or datetime-like, optional
        Reference date (the last order date when ``None``).
    grace_days : int
        Days without a further shipment after which a subscription counts as
        stopped.
    max_shipment : int
        Last shipment number shown.
    alpha : float
        1 - confidence level of the Wilson interval of the hazard.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``shipment`` (1..max_shipment): ``reached`` (customers
        with at least k shipments), ``continued``, ``stopped``, ``open``,
        ``hazard`` (``stopped / (stopped + continued)``), ``hazard_low``,
        ``hazard_high``.

    Raises
    ------
    ValueError
        When the orders have no ``is_subscription`` column.
    """
    if "is_subscription" not in orders.columns:
        raise ValueError(
            "注文データに定期購入（is_subscription）の列がありません / the orders have no is_subscription column"
        )
    as_of = orders["order_date"].max() if as_of is None else as_of
    return _stops(_coded_orders(orders, as_of)[0], as_of, grace_days, max_shipment, alpha)


def _stops(coded: pd.DataFrame, as_of, grace_days: int, max_shipment: int, alpha: float) -> pd.DataFrame:
    subscription = coded[coded["is_subscription"]]
    grouped = subscription.groupby("customer_id", sort=False)["order_date"]
    shipments = grouped.size().to_numpy()
    last = grouped.max()
    cutoff = pd.Timestamp(as_of).normalize() - pd.Timedelta(days=grace_days)
    stopped_customer = (last.dt.normalize() <= cutoff).to_numpy()
    k = np.arange(1, max_shipment + 1)
    size = max(max_shipment + 2, int(shipments.max(initial=0)) + 2)
    ends = np.bincount(shipments, minlength=size)
    ends_stopped = np.bincount(shipments[stopped_customer], minlength=size)
    reached = ends[::-1].cumsum()[::-1]
    table = pd.DataFrame(
        {
            "reached": reached[k],
            "continued": reached[k + 1],
            "stopped": ends_stopped[k],
            "open": ends[k] - ends_stopped[k],
        },
        index=pd.Index(k, name="shipment"),
    )
    at_risk = table["stopped"] + table["continued"]
    with np.errstate(invalid="ignore", divide="ignore"):
        table["hazard"] = np.where(at_risk > 0, table["stopped"] / at_risk, np.nan)
    table["hazard_low"], table["hazard_high"] = wilson_interval(table["stopped"], at_risk, alpha)
    return table
