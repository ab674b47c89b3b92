"""Plots of the voice of the customer: key-driver quadrants and the comment sentiment curve."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from helpers.plotting.common import new_axes, text_lookup

_TEXT = {
    "importance": ("重要度（R²の寄与の割合）", "Importance (share of R²)"),
    "performance": ("平均評価（1〜5）", "Mean rating (1-5)"),
    "drivers_title": ("重要度 × 評価", "Importance × performance"),
    "fix": ("優先して改善", "Fix first"),
    "keep": ("強みを維持", "Keep it up"),
    "watch": ("様子を見る", "Monitor"),
    "over": ("過剰の可能性", "Possible overkill"),
    "touchpoint": ("タッチポイント", "Touchpoint"),
    "emotion": ("感情（-5〜+5）", "Emotion (-5 to +5)"),
    "sentiment_title": ("感情曲線: ワークシート・評価・コメント", "Emotion curve: worksheet, ratings, comments"),
    "worksheet": ("ワークシート（現状）", "Worksheet (as-is)"),
    "ratings": ("評価から", "From ratings"),
    "comments": ("コメントの感情から", "From comment sentiment"),
}
text = text_lookup(_TEXT)


def plot_key_driver_quadrants(
    result, ax: Axes | None = None, title: str | None = None, lang: str = "ja", **kwargs
) -> Axes:
    """Importance (y, with its interval) against mean rating (x), split at the averages.

    Parameters
    ----------
    result : helpers.key_drivers.KeyDrivers
    ax : matplotlib.axes.Axes, optional
    title : str, optional
    lang : {"ja", "en"}
    **kwargs
        Passed to the scatter.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = new_axes(ax, (7.5, 5.0))
    table = result.table
    x, y = table["mean_rating"].to_numpy(float), table["importance"].to_numpy(float)
    errors = np.vstack([np.clip(y - table["ci_low"], 0, None), np.clip(table["ci_high"] - y, 0, None)])
    ax.errorbar(x, y, yerr=errors, fmt="none", ecolor="0.7", elinewidth=1, zorder=1)
    ax.scatter(x, y, **{"s": 50, "color": "C0", "zorder": 2, **kwargs})
    x_mid, y_mid = np.nanmean(x), 1 / max(len(table), 1)
    # name the touchpoints that matter; the crowd near 0 is in the table beside the chart
    for name, xi, yi in zip(table["touchpoint"], x, y, strict=True):
        if yi >= y_mid:
            ax.annotate(str(name), (xi, yi), textcoords="offset points", xytext=(6, 4), fontsize=9)
    ax.axvline(x_mid, color="0.5", linestyle=":", linewidth=1)
    ax.axhline(y_mid, color="0.5", linestyle=":", linewidth=1)
    top = float(np.nanmax(np.r_[table["ci_high"].to_numpy(float), y])) if len(table) else 1.0
    ax.set_ylim(-0.12 * top, 1.08 * top)
    corners = [
        (0.02, 0.98, "fix", "left"),
        (0.98, 0.98, "keep", "right"),
        (0.02, 0.02, "watch", "left"),
        (0.98, 0.02, "over", "right"),
    ]
    for cx, cy, key, align in corners:
        ax.text(
            cx,
            cy,
            text(key, lang),
            transform=ax.transAxes,
            ha=align,
            va="top" if cy > 0.5 else "bottom",
            color="0.4",
            fontsize=9,
        )
    ax.set_xlabel(text("performance", lang))
    ax.set_ylabel(text("importance", lang))
    ax.set_title(title if title is not None else text("drivers_title", lang))
    return ax


def plot_sentiment_curve(
    sentiment: pd.DataFrame,
    rating_curve: pd.DataFrame | None = None,
    worksheet_curve: pd.DataFrame | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    lang: str = "ja",
    **kwargs,
) -> Axes:
    """Comment sentiment per touchpoint (scaled to -5..+5) beside the rating and worksheet curves.

    Parameters
    ----------
    sentiment : pandas.DataFrame
        :func:`helpers.comments.sentiment_by_touchpoint`, in journey order
        (``touchpoint``, ``sentiment``, ``low``, ``high`` on -1..+1).
    rating_curve : pandas.DataFrame, optional
        ``touchpoint`` and ``emotion`` (-5..+5), e.g. from
        :func:`helpers.emotion.rating_curve`.
    worksheet_curve : pandas.DataFrame, optional
        ``touchpoint`` and ``emotion`` of the worksheet.
    ax, title, lang
    **kwargs
        Passed to the sentiment line.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = new_axes(ax, (9.0, 4.5))
    names = list(sentiment["touchpoint"])
    position = np.arange(len(names))
    for curve, key, style in ((worksheet_curve, "worksheet", "s--"), (rating_curve, "ratings", "o-")):
        if curve is not None and len(curve):
            values = curve.groupby("touchpoint")["emotion"].mean().reindex(names)
            ax.plot(position, values.to_numpy(float), style, label=text(key, lang), alpha=0.8)
    scaled = sentiment["sentiment"].to_numpy(float) * 5
    ax.fill_between(
        position, sentiment["low"].to_numpy(float) * 5, sentiment["high"].to_numpy(float) * 5, alpha=0.15, color="C3"
    )
    ax.plot(position, scaled, **{"marker": "D", "color": "C3", "label": text("comments", lang), **kwargs})
    ax.axhline(0, color="0.6", linewidth=0.8)
    ax.set_xticks(position)
    ax.set_xticklabels(names, rotation=30, ha="right")
    ax.set_ylim(-5.5, 5.5)
    ax.set_ylabel(text("emotion", lang))
    ax.legend(loc="lower left", fontsize=8)
    ax.set_title(title if title is not None else text("sentiment_title", lang))
    return ax
