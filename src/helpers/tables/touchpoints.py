"""Report tables of :mod:`helpers.touchpoints`: worksheet steps, order mix, surveys, ratings, coverage."""

from __future__ import annotations

import pandas as pd

from helpers.labels import label
from helpers.tables.format import format_table


def steps_display(steps: pd.DataFrame, persona: str, lang: str = "ja", scenario: str | None = None) -> pd.DataFrame:
    """A persona's steps (:func:`helpers.touchpoints.journey_steps`; one ``scenario`` or all) as a report table.

    Parameters
    ----------
    steps : pandas.DataFrame
        Worksheet steps.
    persona : str
        Persona to show.
    lang : {"ja", "en"}
        Language of the headers.
    scenario : str, optional
        ``"as_is"`` or ``"to_be"``; all rows when ``None``.

    Returns
    -------
    pandas.DataFrame
        Step number as the row label; stage, touchpoint, channel, action, thought.
    """
    rows = steps[steps["persona"].astype(str) == persona]
    if scenario is not None:
        rows = rows[rows["scenario"] == scenario]
    columns = {"step": ("int", "No.", "No."), "stage": "text", "touchpoint": "text", "channel": "text",
               "action": "text", "thought": "text"}
    return format_table(rows, columns, lang, index="step")


def order_mix_display(mix: pd.DataFrame, by: str, lang: str = "ja", top_n: int = 10) -> pd.DataFrame:
    """:func:`helpers.touchpoints.order_mix` (top ``top_n`` rows) as a report table.

    Parameters
    ----------
    mix : pandas.DataFrame
        Orders, share, customers and revenue per value of ``by``.
    by : str
        The column the mix is by (``"channel"``, ``"product"``).
    lang : {"ja", "en"}
        Language of the headers.
    top_n : int
        Rows shown.

    Returns
    -------
    pandas.DataFrame
        Text cells, rows numbered from 1.
    """
    shown = mix.head(top_n).rename_axis(by).reset_index()
    columns = {
        by: "text",
        "orders": ("int", "注文件数", "Orders"),
        "share": "pct",
        "customers": ("int", "顧客数", "Customers"),
        "revenue": ("yen", "売上", "Revenue"),
    }
    return format_table(shown, columns, lang)


def survey_totals_display(totals: pd.DataFrame, lang: str = "ja") -> pd.DataFrame:
    """:func:`helpers.touchpoints.survey_totals` as a report table.

    Parameters
    ----------
    totals : pandas.DataFrame
        ``survey`` (code), ``source``, ``responses``.
    lang : {"ja", "en"}
        Language.

    Returns
    -------
    pandas.DataFrame
        Text cells.
    """
    names = {"nps": "NPS", "fan_survey": label("fan_survey", lang)}
    shown = totals.assign(survey=totals["survey"].map(names))
    columns = {"survey": ("text", "調査", "Survey"), "source": "text", "responses": ("int", "回答数", "Answers")}
    return format_table(shown, columns, lang)


def rating_counts_display(counts: pd.DataFrame, lang: str = "ja") -> pd.DataFrame:
    """:func:`helpers.touchpoints.rating_counts` as a report table.

    Parameters
    ----------
    counts : pandas.DataFrame
        Indexed by touchpoint: customers, ratings, mean_rating.
    lang : {"ja", "en"}
        Language.

    Returns
    -------
    pandas.DataFrame
        Text cells.
    """
    columns = {
        "touchpoint": "text",
        "customers": ("int", "評価した顧客数", "Customers"),
        "ratings": ("int", "回答数", "Answers"),
        "mean_rating": ("float2", "平均評価（1〜5）", "Mean rating (1-5)"),
    }
    return format_table(counts.reset_index(), columns, lang)


def coverage_display(coverage: pd.DataFrame, lang: str = "ja") -> pd.DataFrame:
    """:func:`helpers.touchpoints.touchpoint_coverage` as a report table (status and level in words).

    Parameters
    ----------
    coverage : pandas.DataFrame
        Coverage rows with ``status`` and ``level`` codes.
    lang : {"ja", "en"}
        Language.

    Returns
    -------
    pandas.DataFrame
        Text cells.
    """
    shown = coverage.assign(
        status=[label(s, lang, "coverage") for s in coverage["status"]],
        level=[label(s, lang, "coverage") for s in coverage["level"]],
    )
    columns = {
        "name": ("text", "名前", "Name"),
        "level": ("text", "種類", "Level"),
        "worksheet_steps": ("int", "ワークシートの行", "Worksheet rows"),
        "rated_customers": ("int", "評価した顧客", "Raters"),
        "orders": "int",
        "survey_responses": ("int", "NPS回答", "NPS answers"),
        "status": ("text", "判定", "Status"),
    }
    return format_table(shown, columns, lang)
