"""Report table of :mod:`helpers.tracking`: months × groups with the change and the improvement streak."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.labels import check_lang, label
from helpers.tables.format import format_values
from helpers.tables.loyalty import value_label


def metric_label(metric: str, lang: str = "ja") -> str:
    """Display name of a metric of :data:`helpers.tracking.METRICS`.

    Parameters
    ----------
    metric : str
        Metric code.
    lang : {"ja", "en"}
        Language.

    Returns
    -------
    str
        The name.
    """
    return label(metric, lang, "metrics")


def format_change_table(streaks: pd.DataFrame, lang: str = "ja", metric: str = "revenue") -> pd.DataFrame:
    """Months × groups table of the value, its change and the running streak.

    Each cell reads e.g. ``512,300（+4.1%・3か月連続）``: the value, the
    month-over-month change (signed: ▲/▼ would read as minus/plus in
    Japanese) and the streak of improving months when there is one; ★ marks
    a completed クール.

    Parameters
    ----------
    streaks : pandas.DataFrame
        :func:`helpers.tracking.improvement_streaks` output (cut to the
        months to show).
    lang : {"ja", "en"}
        Language.
    metric : str
        Metric code, for the number format.

    Returns
    -------
    pandas.DataFrame
        Strings, indexed by month (newest first), one column per group.
    """
    check_lang(lang)
    if metric == "repeat_rate":
        shown = format_values(streaks["value"], "pct", lang)
        change = format_values(streaks["change"], "pp", lang)
    else:
        shown = format_values(streaks["value"], "int", lang)
        change = format_values(streaks["change_rate"] * 100, "signed1", lang) + "%"
    has_change = (streaks["change_rate" if metric != "repeat_rate" else "change"].notna()).to_numpy()
    change = change.where(has_change, "")
    streak = streaks["streak"].map(lambda n: "" if n < 2 else (f"・{n}か月連続" if lang == "ja" else f", {n} in a row"))
    star = np.where(streaks["cool_completed"], "★", "")
    detail = change + streak
    text = shown + np.where(detail != "", "（" + detail + "）" if lang == "ja" else " (" + detail + ")", "") + star
    table = pd.DataFrame({"month": streaks["month"].astype(str), "group": streaks["group"], "text": text})
    wide = table.pivot(index="month", columns="group", values="text")
    groups = list(pd.unique(streaks["group"]))
    wide = wide[groups].sort_index(ascending=False)
    wide.columns = [value_label(g, lang, "groupings") for g in groups]
    wide.index.name = label("month", lang)
    return wide
