"""Chart for monthly improvement tracking: a metric per group with streak markers."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from helpers.labels import check_lang
from helpers.plotting.common import new_axes, set_title
from helpers.plotting.style import PALETTE
from helpers.tables.loyalty import value_label
from helpers.tables.tracking import metric_label


def plot_monthly_tracking(
    streaks: pd.DataFrame,
    ax=None,
    lang: str = "ja",
    metric: str = "revenue",
    min_broken_streak: int = 2,
    title: str | None = None,
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

    title : str, optional
        Chart title instead of the default (``""`` for none).
    **kwargs
        Passed to the main artist, ``Axes.plot`` (e.g. ``color``, ``alpha``).

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
        ax.plot(
            x,
            values,
            **{
                "marker": "o",
                "markersize": 3,
                "color": colour,
                "label": value_label(group, lang, "groupings"),
                **kwargs,
            },
        )
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
    default_title = ("月次推移：" if lang == "ja" else "Monthly: ") + metric_label(metric, lang)
    set_title(ax, title, default_title)
    return ax
