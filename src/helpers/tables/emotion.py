"""Report tables of :mod:`helpers.emotion`: curve extremes, curves from ratings, segment gaps, expectations."""

from __future__ import annotations

import pandas as pd

from helpers.labels import label
from helpers.tables.format import format_interval, format_table

_EXTREMES = {"max": ("最高", "highest"), "min": ("最低", "lowest")}


def extremes_display(extremes: pd.DataFrame, lang: str = "ja") -> pd.DataFrame:
    """:func:`helpers.emotion.curve_extremes` as a report table.

    Parameters
    ----------
    extremes : pandas.DataFrame
        Highest and lowest step per persona and scenario.
    lang : {"ja", "en"}
        Language.

    Returns
    -------
    pandas.DataFrame
        Text cells.
    """
    i = 0 if lang == "ja" else 1
    shown = extremes.assign(
        extreme=[_EXTREMES[e][i] for e in extremes["extreme"]],
        scenario=[label(s, lang) for s in extremes["scenario"]],
    )
    columns = {
        "persona": "text",
        "scenario": "text",
        "extreme": ("text", "", "Point"),
        "step": ("int", "No.", "No."),
        "touchpoint": "text",
        "emotion": ("signed1", "感情", "Emotion"),
    }
    return format_table(shown, columns, lang)


def rating_curve_display(curve: pd.DataFrame, lang: str = "ja") -> pd.DataFrame:
    """:func:`helpers.emotion.rating_curve` (without segments) as a report table, with the 95% interval.

    Parameters
    ----------
    curve : pandas.DataFrame
        Mean rating and mapped emotion per touchpoint.
    lang : {"ja", "en"}
        Language.

    Returns
    -------
    pandas.DataFrame
        Text cells.
    """
    shown = curve.assign(interval=format_interval(curve["emotion_low"], curve["emotion_high"], "signed1", lang))
    columns = {
        "touchpoint": "text",
        "n": "int",
        "mean_rating": ("float2", "平均評価（1〜5）", "Mean rating (1-5)"),
        "emotion": ("signed1", "感情（換算）", "Emotion (mapped)"),
        "interval": ("text", "95%信頼区間", "95% CI"),
    }
    return format_table(shown, columns, lang)


def segment_gap_display(gaps: pd.DataFrame, group_a: str, group_b: str, lang: str = "ja") -> pd.DataFrame:
    """:func:`helpers.emotion.segment_gap` as a report table.

    Parameters
    ----------
    gaps : pandas.DataFrame
        Emotion per touchpoint of two groups and their gap.
    group_a, group_b : str
        The groups' codes (segment codes such as ``"high"``), labelled in ``lang``.
    lang : {"ja", "en"}
        Language.

    Returns
    -------
    pandas.DataFrame
        Text cells.
    """
    name_a, name_b = label(group_a, lang), label(group_b, lang)
    shown = gaps.assign(interval=format_interval(gaps["gap_low"], gaps["gap_high"], "signed1", lang))
    columns = {
        "touchpoint": "text",
        "emotion_a": ("signed1", name_a, name_a),
        "emotion_b": ("signed1", name_b, name_b),
        "n_a": ("int", f"n（{name_a}）", f"n ({name_a})"),
        "n_b": ("int", f"n（{name_b}）", f"n ({name_b})"),
        "gap": ("signed1", "差", "Gap"),
        "interval": ("text", "95%信頼区間", "95% CI"),
    }
    return format_table(shown, columns, lang)


_OUTCOMES = {
    "dissatisfied": ("不満（クレームの芽）", "below: complaint risk"),
    "satisfied": ("満足（リピート）", "met: repeat"),
    "delighted": ("感動（口コミ）", "exceeded: word of mouth"),
}


def expectation_display(table: pd.DataFrame, persona: str, lang: str = "ja") -> pd.DataFrame:
    """:func:`helpers.emotion.expectation_evaluation` of one persona as a report table.

    Parameters
    ----------
    table : pandas.DataFrame
        Steps with expectation, evaluation, gap and outcome code.
    persona : str
        Persona to show.
    lang : {"ja", "en"}
        Language.

    Returns
    -------
    pandas.DataFrame
        Text cells, the step number as the row label.
    """
    rows = table[table["persona"].astype(str) == persona]
    shown = rows.assign(outcome=[_OUTCOMES[o][0 if lang == "ja" else 1] for o in rows["outcome"]])
    columns = {
        "step": ("int", "No.", "No."),
        "touchpoint": "text",
        "expectation": "int",
        "evaluation": "int",
        "gap": ("signed1", "差", "Gap"),
        "outcome": ("text", "結果", "Outcome"),
    }
    return format_table(shown, columns, lang, index="step")
