"""Fan survey: fan stage × liking, the matrix of answers and the fan tiers.

Two questions (data contract): the fan stage, code 0..5, and liking, code
1..7.  Answers are joined with the same customer's NPS score and 1-year LTV.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.nps import latest_responses

# ---------------------------------------------------------------------------
# Fan survey: stage × liking
# ---------------------------------------------------------------------------
FAN_STAGE_CODES: tuple[int, ...] = (0, 1, 2, 3, 4, 5)
LIKING_CODES: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7)

#: Fan tiers from the two answers together, in display order.
FAN_TIERS: tuple[str, ...] = ("core_fan", "fan", "light", "non_fan")


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
