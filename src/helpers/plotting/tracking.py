"""Chart for monthly improvement tracking: a metric per group with streak markers."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from helpers.labels import check_lang
from helpers.plotting.common import new_axes
from helpers.plotting.style import PALETTE
from helpers.tracking import metric_label


def plot_monthly_tracking(
    streaks: pd.DataFrame,
    ax=None,
    lang: str = "ja",
    metric: str = "revenue",
    min_broken_streak: int = 2,
    **kwargs,
):
    """The metric per group by month; ★ where a クール completed, × where a streak broke.

    Parameters
    ----------
    streaks : pandas.DataFrame
        :func:`helpers.tracking.improvement_streaks` output (cut to the
        months to show).
    ax : matplotlib.axes.Axes, optional
    lang : {"ja", "en"}
    metric : str
        Metric name (for the axis label and number format).
    min_broken_streak : int
        Mark breaks of streaks at least this long.
    **kwargs
        ``title``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_lang(lang)
    ax = new_axes(ax, (8.2, 4.4))
    months = pd.PeriodIndex(sorted(pd.unique(streaks["month"])), freq="M")
    position = pd.Series(np.arange(len(months)), index=months)
    cool_label = "クール達成" if lang == "ja" else "Cycle completed"
    break_label = "連続改善の途切れ" if lang == "ja" else "Streak broken"
    for i, (group, rows) in enumerate(streaks.groupby("group", sort=False, observed=True)):
        colour = PALETTE[i % len(PALETTE)]
        x = position.reindex(pd.PeriodIndex(rows["month"], freq="M")).to_numpy()
        values = rows["value"].to_numpy(float)
        ax.plot(x, values, marker="o", markersize=3, color=colour, label=str(group))
        cool = rows["cool_completed"].to_numpy(bool)
        ax.scatter(x[cool], values[cool], marker="*", s=180, color=colour, edgecolor="black", zorder=4)
        broke = rows["broken_streak"].to_numpy() >= min_broken_streak
        ax.scatter(x[broke], values[broke], marker="X", s=70, color=colour, edgecolor="black", zorder=4)
    step = max(1, int(np.ceil(len(months) / 12)))
    ax.set_xticks(np.arange(len(months))[::step], [str(m) for m in months[::step]], rotation=45, ha="right")
    if metric == "repeat_rate":
        ticks = ax.get_yticks()
        ax.set_yticks(ticks, [f"{t:.0%}" for t in ticks])
    else:
        ticks = ax.get_yticks()
        ax.set_yticks(ticks, [f"{t:,.0f}" for t in ticks])
    ax.set_ylabel(metric_label(metric, lang))
    handles, names = ax.get_legend_handles_labels()
    handles += [
        Line2D([], [], marker="*", markersize=12, color="white", markeredgecolor="black", linestyle=""),
        Line2D([], [], marker="X", markersize=8, color="white", markeredgecolor="black", linestyle=""),
    ]
    names += [cool_label, break_label]
    ax.legend(handles, names, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    ax.set_title(kwargs.get("title", ("月次推移：" if lang == "ja" else "Monthly: ") + metric_label(metric, lang)))
    return ax


def format_change_table(streaks: pd.DataFrame, lang: str = "ja", metric: str = "revenue") -> pd.DataFrame:
    """Months × groups table of the value, its change and the running streak.

    Each cell reads e.g. ``512,300（+4.1%・3か月連続）``: the value, the
    month-over-month change (``+`` up, ``−`` down: never ▲/▼, which Japanese
    business documents read as minus) and the streak of improving months
    when there is one; ★ marks a completed クール.

    Parameters
    ----------
    streaks : pandas.DataFrame
        :func:`helpers.tracking.improvement_streaks` output (cut to the
        months to show).
    lang : {"ja", "en"}
    metric : str
        Metric name, for the number format.

    Returns
    -------
    pandas.DataFrame
        Strings, indexed by month (newest first), one column per group.
    """
    check_lang(lang)
    value = streaks["value"]
    if metric == "repeat_rate":
        shown = value.map(lambda v: "-" if pd.isna(v) else f"{v:.1%}")
        change = streaks["change"].map(
            lambda c: "" if pd.isna(c) else f"{'+' if c > 0 else '−' if c < 0 else '±'}{abs(c) * 100:.1f}pt"
        )
    else:
        shown = value.map(lambda v: "-" if pd.isna(v) else f"{v:,.0f}")
        change = streaks["change_rate"].map(
            lambda c: "" if pd.isna(c) else f"{'+' if c > 0 else '−' if c < 0 else '±'}{abs(c):.1%}"
        )
    streak = streaks["streak"].map(lambda n: "" if n < 2 else (f"・{n}か月連続" if lang == "ja" else f", {n} in a row"))
    star = np.where(streaks["cool_completed"], "★", "")
    detail = change + streak
    text = shown + np.where(detail != "", "（" + detail + "）" if lang == "ja" else " (" + detail + ")", "") + star
    table = pd.DataFrame({"month": streaks["month"].astype(str), "group": streaks["group"], "text": text})
    wide = table.pivot(index="month", columns="group", values="text")
    wide = wide[list(pd.unique(streaks["group"]))].sort_index(ascending=False)
    wide.index.name = "月" if lang == "ja" else "Month"
    wide.columns.name = None
    return wide
