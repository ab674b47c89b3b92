"""Role-model presentation: funnel step names, timeline point labels, the interview kit and column headers.

The interview questions are package data (``texts/interview_questions.yaml``).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from helpers.labels import check_lang, label, texts
from helpers.role_models import RoleModelCriteria

#: Order of the topics in the kit; the gap questions go between experience and gift.
_TOPIC_BLOCK = {"reason": 0, "experience": 1, "gap": 2, "restart": 2, "gift": 3}
_STANDARD_TOPICS = ("reason", "experience", "gift")


def column_label(key: str, lang: str = "ja") -> str:
    """Header of a role-model column (:func:`helpers.labels.label`, subject ``"role_models"``).

    Parameters
    ----------
    key : str
        Column name.
    lang : {"ja", "en"}
        Language.

    Returns
    -------
    str
        The header; unknown keys unchanged.
    """
    return label(key, lang, "role_models")


def criterion_labels(criteria: RoleModelCriteria, lang: str = "ja") -> dict[str, str]:
    """Readable name of each funnel step, with its cut-off.

    Parameters
    ----------
    criteria : RoleModelCriteria
        The cut-offs.
    lang : {"ja", "en"}
        Language.

    Returns
    -------
    dict
        ``{"all": ..., "nps": ..., ...}`` in funnel order.
    """
    c = criteria
    if check_lang(lang) == "ja":
        return {
            "all": "全顧客",
            "nps": f"NPS {c.min_nps}以上（最新回答）",
            "tenure": f"初回購入から{c.min_tenure_days:,}日以上",
            "ltv_1y": f"1年LTV {c.min_ltv_1y:,.0f}円以上",
            "orders": f"購入{c.min_orders}回以上",
            "birth_date": "生年月日の登録あり" if c.require_birth_date else "生年月日（条件なし）",
        }
    return {
        "all": "All customers",
        "nps": f"NPS {c.min_nps}+ (latest answer)",
        "tenure": f"{c.min_tenure_days:,}+ days since first purchase",
        "ltv_1y": f"1-year LTV ¥{c.min_ltv_1y:,.0f}+",
        "orders": f"{c.min_orders}+ purchases",
        "birth_date": "Birth date on file" if c.require_birth_date else "Birth date (not required)",
    }


def funnel_with_criteria(funnel: pd.DataFrame, criteria: RoleModelCriteria, lang: str = "ja") -> pd.DataFrame:
    """:func:`helpers.role_models.role_model_funnel` with a ``criterion`` column naming each step.

    Parameters
    ----------
    funnel : pandas.DataFrame
        Indexed by step code.
    criteria : RoleModelCriteria
        The cut-offs the funnel used.
    lang : {"ja", "en"}
        Language.

    Returns
    -------
    pandas.DataFrame
        ``criterion`` first, then the funnel's columns; same index.
    """
    names = criterion_labels(criteria, lang)
    return funnel.assign(criterion=[names[step] for step in funnel.index])[["criterion", *funnel.columns]]


def timeline_labels(timelines: pd.DataFrame, lang: str = "ja") -> pd.Series:
    """Point labels of :func:`helpers.role_models.purchase_timelines`: 「初回購入」, then 「+21日」.

    Parameters
    ----------
    timelines : pandas.DataFrame
        ``order_number`` and ``days_since_first``.
    lang : {"ja", "en"}
        Language.

    Returns
    -------
    pandas.Series
        One label per purchase, same index.
    """
    first, unit = ("初回購入", "日") if check_lang(lang) == "ja" else ("1st purchase", " days")
    after = "+" + timelines["days_since_first"].astype(int).astype(str) + unit
    return pd.Series(np.where(timelines["order_number"].eq(1), first, after), index=timelines.index, name="label")


def _year_month(dates: pd.Series, lang: str) -> pd.Series:
    """``2024年3月`` / ``Mar 2024`` strings, vectorised."""
    dates = pd.to_datetime(dates)
    if lang == "ja":
        return dates.dt.year.astype(str) + "年" + dates.dt.month.astype(str) + "月"
    return dates.dt.strftime("%b %Y")


def _fill(template: str, values: dict[str, pd.Series]) -> pd.Series:
    """``template`` with ``{name}`` replaced row by row from ``values`` (aligned Series), vectorised."""
    pieces = re.split(r"\{(\w+)\}", template)  # text, name, text, name, ..., text
    text = pd.Series(pieces[0], index=next(iter(values.values())).index, dtype=object)
    for name, literal in zip(pieces[1::2], pieces[2::2], strict=True):
        text = text + values[name].astype(str) + literal
    return text


def interview_questions(role_models, gaps: pd.DataFrame, lang: str = "ja") -> pd.DataFrame:
    """The interview kit: standard questions plus two per long gap.

    For each gap: 「2024年3月〜2024年10月の間、ご購入がなかった理由は？」 (the
    months of the purchases on each side) and what brought them back
    (再開のきっかけ).  The wording is ``texts/interview_questions.yaml``.

    Parameters
    ----------
    role_models : sequence of str
        Customer ids, in the order the kit lists them.
    gaps : pandas.DataFrame
        :func:`helpers.role_models.purchase_gaps` output.
    lang : {"ja", "en"}
        Language.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``question_no`` (1.. per customer), ``topic``,
        ``question``.
    """
    lang = check_lang(lang)
    copy = texts("interview_questions")
    ids = pd.Index(role_models)
    standard = pd.DataFrame(
        [(key, copy[key][lang]["topic"], copy[key][lang]["question"]) for key in _STANDARD_TOPICS],
        columns=["key", "topic", "question"],
    )
    repeated = standard.loc[np.tile(np.arange(len(standard)), len(ids))].reset_index(drop=True)
    repeated.insert(0, "customer_id", np.repeat(ids.to_numpy(), len(standard)))
    repeated["gap_no"] = 0
    mine = gaps[gaps["customer_id"].isin(ids)].reset_index(drop=True)
    start, stop = _year_month(mine["before_date"], lang), _year_month(mine["after_date"], lang)
    gap_no = mine.groupby("customer_id", sort=False).cumcount() + 1
    per_gap = [
        pd.DataFrame({"customer_id": mine["customer_id"], "key": key, "topic": copy[key][lang]["topic"],
                      "question": _fill(copy[key][lang]["question"], {"start": start, "stop": stop}),
                      "gap_no": gap_no})
        for key in ("gap", "restart")
    ]
    kit = pd.concat([repeated, *per_gap], ignore_index=True)
    rank = pd.Series(np.arange(len(ids)), index=ids.astype(str))
    kit["_rank"] = kit["customer_id"].astype(str).map(rank)
    # reason, experience, then (blank period, restart) per gap, then gift
    kit["_block"] = kit["key"].map(_TOPIC_BLOCK)
    kit["_within_gap"] = (kit["key"] == "restart").astype(int)
    kit = kit.sort_values(["_rank", "_block", "gap_no", "_within_gap"], kind="stable")
    kit["question_no"] = kit.groupby("_rank").cumcount() + 1
    return kit[["customer_id", "question_no", "topic", "question"]].reset_index(drop=True)
