"""The journey map of one persona: the worksheet's lanes with the evidence behind each step.

A journey map (as UXPressia or Smaply draw it) shows, per step of a persona's
journey, what the customer does, where, what they think and feel, where it
hurts and what to change.  Here each step also carries what the data says:
the customers' rated emotion at its touchpoint (mean, interval, n), and for a
friction point its grade of evidence:

``assumption``
    A friction point of the worksheet only (no customer rated the touchpoint).
``rated``
    Customers rated the touchpoint, but their behaviour does not confirm it.
``confirmed``
    Low raters of the touchpoint behave measurably worse (effect, p).
``priced``
    Confirmed, and the LTV gain of fixing it is known (yen per customer).

Pure functions: DataFrames in, a DataFrame out, codes not words.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers import touchpoints
from helpers.friction import detect_friction

#: Grades of evidence of a friction point, weakest first.
EVIDENCE_GRADES = ("assumption", "rated", "confirmed", "priced")

#: Columns of :func:`journey_map_steps`.
JOURNEY_MAP_COLUMNS = (
    "step", "stage", "touchpoint", "channel", "action", "thought", "emotion", "improvement",
    "is_friction", "rated_emotion", "rated_low", "rated_high", "rated_n",
    "evidence", "effect", "effect_low", "effect_high", "p_value", "ltv_gain",
)


def journey_map_steps(
    journey: pd.DataFrame,
    persona: str,
    scenario: str = "as_is",
    *,
    rating_curve: pd.DataFrame | None = None,
    friction_points: pd.DataFrame | None = None,
    ltv_gains: pd.Series | None = None,
    threshold: float = 0,
    min_drop: float = 2,
) -> pd.DataFrame:
    """One row per step of a persona's journey with the lanes of the map and the evidence.

    Parameters
    ----------
    journey : pandas.DataFrame
        The ``journey`` table (the worksheet).
    persona : str
    scenario : {"as_is", "to_be"}
    rating_curve : pandas.DataFrame, optional
        :func:`helpers.emotion.rating_curve` (customers' emotion per
        touchpoint, on the worksheet's -5..+5 scale).
    friction_points : pandas.DataFrame, optional
        :func:`helpers.friction.friction_table` (behavioural evidence per
        touchpoint: ``effect``, ``effect_low``, ``effect_high``,
        ``p_value``, ``confirmed``).
    ltv_gains : pandas.Series, optional
        LTV gain per customer (yen) of fixing a touchpoint, indexed by
        touchpoint name (e.g. the rows of
        :func:`helpers.ltv.friction_scenarios` ``.scenarios["ltv_delta"]``).
    threshold, min_drop : float
        Friction rules of :func:`helpers.friction.detect_friction`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`JOURNEY_MAP_COLUMNS` in step order.  ``evidence`` is
        one of :data:`EVIDENCE_GRADES` for a friction point, else ``None``;
        rated columns are NaN (``rated_n`` 0) where no customer rated the
        touchpoint; ``effect*`` are in proportion points (-1..1).

    Raises
    ------
    ValueError
        When the persona has no steps in ``scenario``.
    """
    steps = detect_friction(journey, threshold, min_drop, scenario)
    steps = steps[steps["persona"].astype(str) == str(persona)].sort_values("step", kind="stable")
    if steps.empty:
        raise ValueError(f"no steps for persona {persona!r} in scenario {scenario!r}")
    source = journey[(journey["persona"].astype(str) == str(persona)) & (journey["scenario"] == scenario)]
    lanes = source.set_index("step").reindex(steps["step"].to_numpy())
    out = pd.DataFrame(
        {
            "step": steps["step"].astype(np.int64).to_numpy(),
            "stage": steps["stage"].astype(str).to_numpy(),
            "touchpoint": steps["touchpoint"].astype(str).to_numpy(),
            "emotion": steps["emotion"].astype("float64").to_numpy(),
            "is_friction": steps["is_friction"].astype(bool).to_numpy(),
        }
    )
    for lane in ("channel", "action", "thought", "improvement"):
        values = lanes[lane] if lane in lanes else pd.Series(None, index=lanes.index, dtype=object)
        out[lane] = values.astype(object).where(values.notna(), None).to_numpy()
    key = touchpoints.normalize_names(out["touchpoint"])

    rated = pd.DataFrame(index=key.unique())
    if rating_curve is not None and len(rating_curve):
        curve = rating_curve.assign(key=touchpoints.normalize_names(rating_curve["touchpoint"].astype(str)))
        rated = curve.drop_duplicates("key").set_index("key")[["emotion", "emotion_low", "emotion_high", "n"]]
    out["rated_emotion"] = key.map(rated.get("emotion", pd.Series(dtype="float64"))).astype("float64").to_numpy()
    out["rated_low"] = key.map(rated.get("emotion_low", pd.Series(dtype="float64"))).astype("float64").to_numpy()
    out["rated_high"] = key.map(rated.get("emotion_high", pd.Series(dtype="float64"))).astype("float64").to_numpy()
    out["rated_n"] = key.map(rated.get("n", pd.Series(dtype="float64"))).fillna(0).astype(np.int64).to_numpy()

    evidence_columns = ["effect", "effect_low", "effect_high", "p_value"]
    if friction_points is not None and len(friction_points):
        tested = friction_points.assign(key=touchpoints.normalize_names(friction_points["touchpoint"].astype(str)))
        tested = tested.drop_duplicates("key").set_index("key")
        for column in evidence_columns:
            out[column] = key.map(tested[column]).astype("float64").to_numpy()
        confirmed = key.map(tested["confirmed"]).eq("yes").to_numpy()
    else:
        for column in evidence_columns:
            out[column] = np.nan
        confirmed = np.zeros(len(out), dtype=bool)
    gains = pd.Series(dtype="float64")
    if ltv_gains is not None and len(ltv_gains):
        gains = pd.Series(ltv_gains.to_numpy(dtype="float64"), index=touchpoints.normalize_names(
            pd.Series(ltv_gains.index.astype(str))
        ))
        gains = gains[~gains.index.duplicated()]
    out["ltv_gain"] = key.map(gains).astype("float64").to_numpy()

    grade = np.select(
        [confirmed & out["ltv_gain"].notna().to_numpy(), confirmed, out["rated_n"].to_numpy() > 0],
        ["priced", "confirmed", "rated"],
        default="assumption",
    ).astype(object)
    out["evidence"] = pd.Series(grade, index=out.index, dtype=object).where(out["is_friction"], None)
    return out[list(JOURNEY_MAP_COLUMNS)]


def journey_maps(
    journey: pd.DataFrame,
    *,
    rating_curve: pd.DataFrame | None = None,
    friction_points: pd.DataFrame | None = None,
    ltv_gains: pd.Series | None = None,
    threshold: float = 0,
    min_drop: float = 2,
) -> dict[tuple[str, str], pd.DataFrame]:
    """:func:`journey_map_steps` for every persona and scenario of the worksheet.

    Returns
    -------
    dict of (persona, scenario) to pandas.DataFrame
        In the worksheet's persona order, as-is before to-be.
    """
    return {
        (persona, scenario): journey_map_steps(
            journey, persona, scenario, rating_curve=rating_curve, friction_points=friction_points,
            ltv_gains=ltv_gains, threshold=threshold, min_drop=min_drop,
        )
        for persona, scenario in touchpoints.curve_keys(touchpoints.journey_steps(journey, None))
    }
