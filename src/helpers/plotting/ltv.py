"""Plots of the LTV analysis: retention curves, LTV by segment, the improvement waterfall."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import PercentFormatter

from helpers.labels import check_lang
from helpers.ltv import COMBINED, DAYS_PER_YEAR, FrictionScenarios
from helpers.plotting.common import new_axes, set_title, text_lookup, thousands_formatter
from helpers.plotting.style import PALETTE
from helpers.tables.ltv import table_label

_TEXT = {
    "curve_title": ("継続率曲線 (Kaplan–Meier, 95%信頼帯)", "Retention curve (Kaplan–Meier, 95% band)"),
    "years_since_first": ("初回購入からの年数", "Years since first purchase"),
    "still_active": ("継続している顧客の割合", "Share of customers still active"),
    "lapse": ("離脱の判定 ({days}日購入なし)", "Lapse rule ({days} days without purchase)"),
    "segment_title": ("セグメント別LTV: 1年LTVと継続期間を含むLTV", "LTV by segment: 1-year vs lifetime"),
    "yen": ("円 / 顧客", "JPY per customer"),
    "classic": ("1年LTV (従来式)", "1-year LTV (classic)"),
    "lifetime": ("LTV (継続期間を含む)", "LTV (with lifetime)"),
    "waterfall_title": (
        "フリクション改善によるLTVの変化 (顧客1人あたり)", "LTV change from fixing friction points (per customer)"
    ),
    "axis_from": ("※縦軸は{bottom:,.0f}円から", "Note: axis starts at {bottom:,.0f} JPY"),
}


_text = text_lookup(_TEXT)


def plot_retention_curves(
    curves: pd.DataFrame,
    ax: Axes | None = None,
    *,
    groups=None,
    band: bool = True,
    lapse_days: int | None = None,
    lang: str = "ja",
    title: str | None = None,
    **kwargs,
) -> Axes:
    """Kaplan-Meier retention curves as steps, with their confidence bands.

    Parameters
    ----------
    curves : pandas.DataFrame
        From :func:`helpers.ltv.retention_curves` (``group``, ``days``,
        ``retention``, ``lower``, ``upper``) or one curve of
        :func:`helpers.ltv.retention_curve` (no ``group`` column).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when ``None``.
    groups : sequence, optional
        Groups to draw, in order (all by default).
    band : bool
        Shade the confidence band.
    lapse_days : int, optional
        Mark the lapse rule (the curve is 1 before it by construction).
    lang : {"ja", "en"}
        Language of the labels.

    title : str, optional
        Chart title instead of the default (``""`` for none).
    **kwargs
        Passed to the main artist, ``Axes.step`` (e.g. ``color``, ``alpha``).

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_lang(lang)
    ax = new_axes(ax, (8, 4.5))
    if "group" not in curves.columns:
        curves = curves.assign(group="all")
    wanted = list(dict.fromkeys(curves["group"])) if groups is None else list(groups)
    for i, group in enumerate(wanted):
        curve = curves[curves["group"] == group]
        if curve.empty:
            continue
        colour = PALETTE[i % len(PALETTE)]
        years = curve["days"].to_numpy(float) / DAYS_PER_YEAR
        ax.step(
            years,
            curve["retention"],
            **{"where": "post", "color": colour, "label": table_label(str(group), lang), **kwargs},
        )
        if band and curve["lower"].notna().all():
            ax.fill_between(years, curve["lower"], curve["upper"], step="post", color=colour, alpha=0.18, linewidth=0)
    if lapse_days is not None:
        ax.axvline(lapse_days / DAYS_PER_YEAR, color="0.5", linestyle=":", linewidth=1,
                   label=_text("lapse", lang, days=lapse_days))
    ax.set_ylim(0, 1.02)
    ax.set_xlim(left=0)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel(_text("years_since_first", lang))
    ax.set_ylabel(_text("still_active", lang))
    set_title(ax, title, _text("curve_title", lang))
    ax.legend(loc="best", fontsize="small")
    return ax


def plot_ltv_by_segment(
    classic: pd.DataFrame, lifetime: pd.DataFrame, ax: Axes | None = None, *, lang: str = "ja",
    title: str | None = None,
    **kwargs,
) -> Axes:
    """The classic 1-year LTV next to the LTV with lifetime, per group.

    Parameters
    ----------
    classic : pandas.DataFrame
        From :func:`helpers.ltv.classic_ltv` (``ltv_1y``).
    lifetime : pandas.DataFrame
        From :func:`helpers.ltv.lifetime_ltv` (``ltv``, ``ltv_low``,
        ``ltv_high``); error bars show its band.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.
    lang : {"ja", "en"}
        Language of the labels.

    title : str, optional
        Chart title instead of the default (``""`` for none).
    intervals : pandas.DataFrame, optional
        :func:`helpers.ltv_intervals.scenario_intervals` indexed by
        ``scenario``: the combined row's ``ltv_before_low/high`` and
        ``ltv_after_low/high`` become error bars on the baseline and "after" bars.
    **kwargs
        Passed to the main artist, ``Axes.bar`` (e.g. ``color``, ``alpha``).

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_lang(lang)
    ax = new_axes(ax, (8, 4.5))
    groups = [g for g in lifetime.index if g in classic.index]
    x = np.arange(len(groups))
    width = 0.38
    one_year = classic.loc[groups, "ltv_1y"].to_numpy(float)
    with_life = lifetime.loc[groups, "ltv"].to_numpy(float)
    error = np.vstack(
        [with_life - lifetime.loc[groups, "ltv_low"].to_numpy(float),
         lifetime.loc[groups, "ltv_high"].to_numpy(float) - with_life]
    )
    ax.bar(x - width / 2, one_year, width, color=PALETTE[5], label=_text("classic", lang))
    ax.bar(
        x + width / 2,
        with_life,
        width,
        **{
            "color": PALETTE[0],
            "label": _text("lifetime", lang),
            "yerr": np.nan_to_num(error),
            "ecolor": "0.3",
            "capsize": 3,
            **kwargs,
        },
    )
    for xs, values in ((x - width / 2, one_year), (x + width / 2, with_life)):
        for xi, value in zip(xs, values, strict=False):
            if np.isfinite(value):
                ax.annotate(f"{value:,.0f}", (xi, value), xytext=(0, 2), textcoords="offset points",
                            ha="center", va="bottom", fontsize="x-small")
    ax.set_xticks(x, [table_label(str(g), lang) for g in groups])
    ax.yaxis.set_major_formatter(thousands_formatter())
    ax.set_ylabel(_text("yen", lang))
    set_title(ax, title, _text("segment_title", lang))
    ax.legend(loc="upper right", fontsize="small")
    return ax


def plot_ltv_waterfall(
    scenarios: FrictionScenarios | pd.DataFrame,
    ax: Axes | None = None,
    *,
    hide_zero_steps: bool = True,
    zoom: bool = True,
    lang: str = "ja",
    title: str | None = None,
    intervals: pd.DataFrame | None = None,
    **kwargs,
) -> Axes:
    """Waterfall from the baseline LTV to the LTV with all chosen friction points fixed.

    Parameters
    ----------
    scenarios : FrictionScenarios or pandas.DataFrame
        The result of :func:`helpers.ltv.friction_scenarios` or its
        ``waterfall`` frame.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.
    hide_zero_steps : bool
        Leave out touchpoints whose fix adds nothing.
    zoom : bool
        Start the value axis just below the baseline so that the steps are
        visible (a note under the chart says where it starts); ``False``
        starts it at 0.
    lang : {"ja", "en"}
        Language of the labels.

    title : str, optional
        Chart title instead of the default (``""`` for none).
    intervals : pandas.DataFrame, optional
        :func:`helpers.ltv_intervals.scenario_intervals` indexed by
        ``scenario``: the combined row's ``ltv_before_low/high`` and
        ``ltv_after_low/high`` become error bars on the baseline and "after" bars.
    **kwargs
        Passed to the main artist, ``Axes.bar`` (e.g. ``color``, ``alpha``).

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_lang(lang)
    ax = new_axes(ax, (8, 4.5))
    frame = scenarios.waterfall if isinstance(scenarios, FrictionScenarios) else scenarios
    if hide_zero_steps:
        frame = frame[(frame["kind"] == "total") | (frame["value"] > 0)]
    frame = frame.reset_index(drop=True)
    totals = frame["kind"].eq("total").to_numpy()
    tops = frame["cumulative"].to_numpy(float)
    bottoms = np.where(totals, 0.0, tops - frame["value"].to_numpy(float))
    heights = tops - bottoms
    colours = [PALETTE[0] if total else PALETTE[2] for total in totals]
    x = np.arange(len(frame))
    ax.bar(x, heights, **{"bottom": bottoms, "color": colours, "width": 0.6, **kwargs})
    for xi, total, value, top in zip(x, totals, frame["value"], tops, strict=False):
        text = f"{value:,.0f}" if total else f"+{value:,.0f}"
        ax.annotate(text, (xi, top), xytext=(0, 2), textcoords="offset points",
                    ha="center", va="bottom", fontsize="x-small")
    lowest, highest = tops[0], tops[-1]
    if intervals is not None and COMBINED in intervals.index:
        row = intervals.loc[COMBINED]
        ends = np.array(
            [[row["ltv_before_low"], row["ltv_before_high"]], [row["ltv_after_low"], row["ltv_after_high"]]]
        )
        if np.isfinite(ends).all():
            centre = tops[[0, -1]]
            ax.errorbar(x[[0, -1]], centre, yerr=np.abs(ends - centre[:, None]).T, fmt="none",
                        ecolor="black", elinewidth=1, capsize=4)
            lowest, highest = min(lowest, ends.min()), max(highest, ends.max())
    labels = [table_label(str(label), lang) for label in frame["label"]]
    ax.set_xticks(x, labels, rotation=20 if len(x) > 4 else 0, ha="right" if len(x) > 4 else "center")
    baseline, after = tops[0], tops[-1]
    if zoom and after > baseline > 0:
        bottom = max(0.0, min(baseline - 1.5 * (after - baseline), lowest - 0.1 * (highest - lowest)))
        bottom = float(np.floor(bottom / 1000) * 1000)
        ax.set_ylim(bottom, max(after, highest) + 0.12 * (max(after, highest) - bottom))
        if bottom > 0:
            ax.set_xlabel(_text("axis_from", lang, bottom=bottom), loc="left", fontsize="x-small")
    ax.yaxis.set_major_formatter(thousands_formatter())
    ax.set_ylabel(_text("yen", lang))
    set_title(ax, title, _text("waterfall_title", lang))
    return ax
