"""Charts of customer loyalty: NPS, segments, fan survey.

Every ``plot_*`` takes a result of :mod:`helpers.nps`, :mod:`helpers.segments`
or :mod:`helpers.fan_survey`, draws on ``ax`` (a new figure when ``None``) and
returns the Axes.  Report tables are in :mod:`helpers.tables.loyalty`.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from helpers.labels import check_lang, fan_stage_labels, label, liking_labels
from helpers.nps import NPS_CLASSES
from helpers.plotting.common import new_axes, set_title
from helpers.plotting.style import PALETTE
from helpers.tables.loyalty import value_label

#: Colours of the NPS classes (Okabe-Ito).
CLASS_COLOURS = {"promoter": "#009E73", "passive": "#BBBBBB", "detractor": "#D55E00"}

def column_label(key, lang: str = "ja") -> str:
    """Axis or legend label of a loyalty column or code (:func:`helpers.labels.label`, subject ``"loyalty"``)."""
    return value_label(key, lang)


def wrap_label(label_text: str, width: int) -> str:
    """Wrap a (Japanese) label to lines of at most ``width`` characters.

    Breaks after 「、」 or a space where possible, otherwise mid-word.
    """
    pieces = re.findall(r"[^、 ]+[、 ]?", label_text) or [label_text]
    lines, line = [], ""
    for piece in pieces:
        if len(piece) > width:
            if line:
                lines.append(line)
                line = ""
            # equal-length chunks read better than a full line and a stub
            size = -(-len(piece) // -(-len(piece) // width))
            while len(piece) > width:
                lines.append(piece[:size])
                piece = piece[size:]
        if len(line) + len(piece) > width and line:
            lines.append(line)
            line = piece
        else:
            line += piece
    if line:
        lines.append(line)
    return "\n".join(s.rstrip() for s in lines)


def plot_nps_breakdown(table: pd.DataFrame, ax=None, lang: str = "ja", title: str | None = None, **kwargs):
    """Stacked shares of promoters, passives and detractors, with NPS and n.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`helpers.nps.nps_table` or ``nps_by_group`` output; one bar
        per row (first row on top).
    ax : matplotlib.axes.Axes, optional
    lang : {"ja", "en"}

    title : str, optional
        Chart title instead of the default (``""`` for none).
    **kwargs
        Passed to the main artist, ``Axes.barh`` (e.g. ``color``, ``alpha``).

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_lang(lang)
    shown = table[table["n"] > 0]
    ax = new_axes(ax, (8, 0.55 * len(shown) + 1.4))
    y = np.arange(len(shown))[::-1]
    left = np.zeros(len(shown))
    for cls in NPS_CLASSES:
        share = shown[f"{cls}_share"].to_numpy(float)
        ax.barh(
            y,
            share,
            **{"left": left, "color": CLASS_COLOURS[cls], "label": label(cls, lang), "height": 0.6, **kwargs},
        )
        for yi, li, si in zip(y, left, share, strict=False):
            if si >= 0.06:
                ax.text(li + si / 2, yi, f"{si:.0%}", ha="center", va="center", fontsize=8)
        left += share
    for yi, nps, n in zip(y, shown["nps"], shown["n"], strict=False):
        ax.text(1.01, yi, f"NPS {nps:+.1f}（n={n:,}）" if lang == "ja" else f"NPS {nps:+.1f} (n={n:,})",
                va="center", fontsize=8)
    names = [wrap_label(value_label(str(i), lang), 14) for i in shown.index]
    ax.set_yticks(y, names)
    ax.set_xlim(0, 1)
    ax.set_xticks(np.linspace(0, 1, 6), [f"{v:.0%}" for v in np.linspace(0, 1, 6)])
    ax.set_xlabel(column_label("share", lang))
    set_title(ax, title, ("NPS回答の内訳" if lang == "ja" else "NPS answer mix"))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25 if len(shown) < 4 else -0.12), ncol=3, fontsize=8)
    ax.grid(axis="y", visible=False)
    return ax


def plot_nps_trend(trend: pd.DataFrame, ax=None, lang: str = "ja", title: str | None = None, **kwargs):
    """NPS per period with its confidence interval (band) and the number of answers.

    Parameters
    ----------
    trend : pandas.DataFrame
        :func:`helpers.nps.nps_trend` output.
    ax : matplotlib.axes.Axes, optional
    lang : {"ja", "en"}

    title : str, optional
        Chart title instead of the default (``""`` for none).
    **kwargs
        Passed to the main artist, ``Axes.plot`` (e.g. ``color``, ``alpha``).

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_lang(lang)
    ax = new_axes(ax, (8, 4))
    x = np.arange(len(trend))
    ax.fill_between(x, trend["nps_low"], trend["nps_high"], color=PALETTE[0], alpha=0.18, linewidth=0,
                    label="95%信頼区間" if lang == "ja" else "95% interval")
    ax.plot(x, trend["nps"], **{"marker": "o", "color": PALETTE[0], "label": "NPS", **kwargs})
    ax.axhline(0, color="#555555", linewidth=0.8)
    step = max(1, int(np.ceil(len(x) / 12)))
    ax.set_xticks(x[::step], [str(p) for p in trend.index[::step]], rotation=45, ha="right")
    ax.set_ylim(-100, 100)
    ax.set_ylabel("NPS")
    for xi, n in zip(x[::step], trend["n"].to_numpy()[::step], strict=False):
        ax.text(xi, -96, f"n={n:,}", ha="center", va="bottom", fontsize=7, color="#555555")
    set_title(ax, title, ("NPSの推移" if lang == "ja" else "NPS over time"))
    ax.legend(loc="upper left", fontsize=8)
    return ax


def plot_nps_by_group(table: pd.DataFrame, ax=None, lang: str = "ja", title: str | None = None, **kwargs):
    """NPS per group as points with interval bars, n beside each.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`helpers.nps.nps_by_group` output.
    ax : matplotlib.axes.Axes, optional
    lang : {"ja", "en"}

    title : str, optional
        Chart title instead of the default (``""`` for none).
    **kwargs
        Passed to the main artist, ``Axes.errorbar`` (e.g. ``color``, ``alpha``).

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_lang(lang)
    shown = table[table["n"] > 0]
    ax = new_axes(ax, (8, 0.45 * len(shown) + 1.5))
    y = np.arange(len(shown))[::-1]
    ax.errorbar(
        shown["nps"],
        y,
        **{
            "xerr": [shown["nps"] - shown["nps_low"], shown["nps_high"] - shown["nps"]],
            "fmt": "o",
            "color": PALETTE[0],
            "ecolor": PALETTE[0],
            "capsize": 3,
            **kwargs,
        },
    )
    for yi, high, n in zip(y, shown["nps_high"], shown["n"], strict=False):
        ax.text(min(high + 2, 98), yi, f"n={n:,}", va="center", fontsize=8, color="#555555")
    ax.axvline(0, color="#555555", linewidth=0.8)
    ax.set_yticks(y, [wrap_label(value_label(g, lang, "groupings"), 14) for g in shown.index])
    ax.set_xlim(-100, 100)
    ax.set_xlabel("NPS（95%信頼区間）" if lang == "ja" else "NPS (95% interval)")
    set_title(ax, title, ("グループ別NPS" if lang == "ja" else "NPS by group"))
    ax.grid(axis="y", visible=False)
    return ax


def plot_group_values(
    summary: pd.DataFrame,
    ax=None,
    lang: str = "ja",
    column: str = "ltv_1y",
    title: str | None = None,
    **kwargs,
):
    """One bar per group for a value of :func:`helpers.segments.value_by_group`.

    Parameters
    ----------
    summary : pandas.DataFrame
        ``value_by_group`` (or ``fan_tier_summary``) output; the index holds
        segment or tier codes or plain group names.
    ax : matplotlib.axes.Axes, optional
    lang : {"ja", "en"}
    column : str
        Column to draw (``"ltv_1y"``, ``"repeat_rate"``, ``"aov"``, ...).

    title : str, optional
        Chart title instead of the default (``""`` for none).
    **kwargs
        Passed to the main artist, ``Axes.bar`` (e.g. ``color``, ``alpha``).

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_lang(lang)
    ax = new_axes(ax, (7, 3.8))
    values = summary[column].to_numpy(float)
    names = [value_label(g, lang) for g in summary.index]
    x = np.arange(len(values))
    ax.bar(x, np.nan_to_num(values), **{"color": [PALETTE[i % len(PALETTE)] for i in x], **kwargs})
    is_share = column in ("repeat_rate", "share")
    for xi, v in zip(x, values, strict=False):
        if not np.isnan(v):
            shown = f"{v:.0%}" if is_share else (f"{v:,.0f}円" if lang == "ja" and column in ("ltv_1y", "aov")
                                                   else f"{v:,.1f}")
            ax.text(xi, v, shown, ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x, [wrap_label(n, 8) for n in names], fontsize=8)
    ticks = ax.get_yticks()
    ax.set_yticks(ticks, [f"{t:.0%}" if is_share else f"{t:,.0f}" for t in ticks])
    ax.set_ylim(0, np.nanmax(values) * 1.12 if np.isfinite(values).any() and np.nanmax(values) > 0 else 1)
    ax.set_ylabel(column_label(column, lang) + ("（円）" if column in ("ltv_1y", "aov") and lang == "ja" else ""))
    set_title(ax, title, column_label(column, lang))
    ax.grid(axis="x", visible=False)
    return ax


def plot_fan_matrix(
    matrix: pd.DataFrame,
    ax=None,
    lang: str = "ja",
    fmt: str = "{:,.0f}",
    cmap: str = "Blues",
    stage_width: int = 13,
    liking_width: int = 5,
    annotations: pd.DataFrame | None = None,
    colorbar_label: str = "",
    title: str | None = None,
    **kwargs,
):
    """Heatmap of fan stage (rows) × liking (columns) with the answer texts as labels.

    Parameters
    ----------
    matrix : pandas.DataFrame
        :func:`helpers.fan_survey.fan_matrix` output (6 × 7).
    ax : matplotlib.axes.Axes, optional
    lang : {"ja", "en"}
    fmt : str
        Format of the cell annotations (e.g. ``"{:.0%}"`` for shares).
    cmap : str
        Colour map (``"RdYlGn"`` suits NPS).
    stage_width, liking_width : int
        Characters per line of the wrapped row and column labels.
    annotations : pandas.DataFrame, optional
        Cell texts (same shape) instead of ``fmt`` of the colour values, e.g.
        counts while the colour shows shares.
    colorbar_label : str
        Label of the colour bar.

    title : str, optional
        Chart title instead of the default (``""`` for none).
    **kwargs
        Passed to the main artist, ``Axes.imshow`` (e.g. ``vmin``, ``vmax``).

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_lang(lang)
    ax = new_axes(ax, (8.2, 5.6))
    values = matrix.to_numpy(float)
    masked = np.ma.masked_invalid(values)
    image = ax.imshow(masked, **{"cmap": cmap, "aspect": "auto", **kwargs})
    colours = image.cmap(image.norm(np.nan_to_num(values)))
    for (i, j), v in np.ndenumerate(values):
        if np.isnan(v):
            ax.text(j, i, "-", ha="center", va="center", fontsize=8, color="#999999")
            continue
        luminance = colours[i, j, :3] @ np.array([0.299, 0.587, 0.114])
        shown = fmt.format(v) if annotations is None else str(annotations.iat[i, j])
        ax.text(j, i, shown, ha="center", va="center", fontsize=7 if "\n" in shown else 8,
                color="white" if luminance < 0.5 else "black")
    stages, likings = fan_stage_labels(lang), liking_labels(lang)
    width = 1.6 if lang == "en" else 1
    ax.set_yticks(np.arange(len(matrix.index)),
                  [f"{s}: " + wrap_label(stages[s], int(stage_width * width)) for s in matrix.index], fontsize=7)
    ax.set_xticks(np.arange(len(matrix.columns)),
                  [f"{k}\n" + wrap_label(likings[k], int(liking_width * width)) for k in matrix.columns], fontsize=7)
    ax.set_ylabel(label("fan_stage", lang))
    ax.set_xlabel(label("liking", lang))
    set_title(ax, title, "")
    ax.grid(False)
    colorbar = ax.figure.colorbar(image, ax=ax, shrink=0.8)
    colorbar.set_label(colorbar_label)
    return ax
