"""Plots of friction points and of where customers leave."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, PercentFormatter

from helpers.emotion import EMOTION_MAX, EMOTION_MIN
from helpers.labels import check_lang, label
from helpers.plotting.common import new_axes, set_title, text_lookup, thousands_formatter
from helpers.plotting.style import PALETTE
from helpers.plotting.touchpoints import wrap_text

_TEXT = {
    "curve_title": ("摩擦点: {persona}（{scenario}）", "Friction points: {persona} ({scenario})"),
    "emotion": ("感情（-5〜+5）", "Emotion (-5 to +5)"),
    "threshold": ("しきい値 {value:g}", "threshold {value:g}"),
    "friction": ("摩擦点", "friction point"),
    "severity": ("深刻度 {value:g}", "severity {value:g}"),
    "effects_title": ("低評価者とそれ以外の差: {metric}（95%信頼区間）", "Low raters minus others: {metric} (95% CI)"),
    "effect_axis": ("差（ポイント）", "Difference (percentage points)"),
    "confirmed": ("行動で確認", "confirmed by behaviour"),
    "not_confirmed": ("確認されず", "not confirmed"),
    "funnel_title": ("リピートの流れ: n回目の購入に進んだ顧客", "Repeat funnel: customers reaching the n-th purchase"),
    "purchase_n": ("{n}回目", "#{n}"),
    "customers": ("顧客数", "Customers"),
    "gaps_title": ("次の購入までの日数", "Days to the next purchase"),
    "days": ("日数", "Days"),
    "share": ("割合", "Share"),
    "from_n": ("{n}回目→{m}回目", "#{n} to #{m}"),
    "from_n_plus": ("{n}回目以降", "#{n} onwards"),
    "hazard_title": ("定期便の停止率（お届け回数別, 95%信頼区間）", "Subscription stop rate by shipment (95% CI)"),
    "shipment": ("お届け回数（この回の後に停止）", "Shipment number (stopped after it)"),
    "hazard": ("停止率", "Stop rate"),
    "f2_conversion": ("F2転換率（2回目購入）", "F2 conversion (2nd purchase)"),
    "retention": ("{days}日以内の2回目購入", "2nd purchase within {days} days"),
}


_text = text_lookup(_TEXT)


def metric_label(metric: str, lang: str = "ja") -> str:
    """Display name of a behavioural metric (``"f2_conversion"``, ``"retention_180d"``)."""
    if metric.startswith("retention_") and metric.endswith("d"):
        return _text("retention", lang, days=metric[len("retention_") : -1])
    return _text(metric, lang) if metric in _TEXT else metric


def plot_friction_curve(
    detected: pd.DataFrame,
    persona: str,
    scenario: str = "as_is",
    threshold: float = 0,
    ax: Axes | None = None,
    lang: str = "ja",
    title: str | None = None,
    **kwargs,
) -> Axes:
    """A curve with its friction points marked, the threshold line and each point's severity.

    Parameters
    ----------
    detected : pandas.DataFrame
        :func:`helpers.friction.detect_friction`.
    persona : str
        Persona to draw.
    scenario : str
        Scenario to draw.
    threshold : float
        The threshold used for detection (drawn as a line).
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
    curve = detected[(detected["persona"].astype(str) == persona) & (detected["scenario"] == scenario)]
    ax = new_axes(ax, (8, 4.4))
    if threshold != 0:
        ax.axhline(0, color="#333333", linewidth=0.8)
    ax.axhspan(EMOTION_MIN - 1.0, threshold, color=PALETTE[3], alpha=0.07, linewidth=0)
    ax.axhline(
        threshold, color=PALETTE[3], linewidth=1.1, linestyle="--", label=_text("threshold", lang, value=threshold)
    )
    ax.plot(
        curve["step"],
        curve["emotion"],
        "-o",
        **{"color": PALETTE[0], "markersize": 4, "linewidth": 1.6, "label": label(scenario, lang), **kwargs},
    )
    hits = curve[curve["is_friction"]]
    ax.scatter(
        hits["step"],
        hits["emotion"],
        s=110,
        facecolors="none",
        edgecolors=PALETTE[3],
        linewidths=1.8,
        zorder=4,
        label=_text("friction", lang),
    )
    for row in hits.itertuples(index=False):
        ax.annotate(
            _text("severity", lang, value=row.severity),
            (row.step, row.emotion),
            xytext=(0, -14),
            textcoords="offset points",
            ha="center",
            va="top",
            fontsize=8.5,
            color=PALETTE[3],
        )
    ax.set_xticks(curve["step"].to_numpy())
    ax.set_xticklabels(
        [wrap_text(f"{s}. {t}", 5) for s, t in zip(curve["step"], curve["touchpoint"], strict=False)], fontsize=8
    )
    ax.set_ylim(EMOTION_MIN - 1.0, EMOTION_MAX + 0.5)
    ax.set_yticks(range(EMOTION_MIN, EMOTION_MAX + 1))
    ax.set_ylabel(_text("emotion", lang))
    ax.grid(axis="x", visible=False)
    set_title(ax, title, _text("curve_title", lang, persona=persona, scenario=label(scenario, lang)))
    ax.legend(loc="upper right", fontsize=8.5, ncol=3)
    return ax


def plot_rating_effects(
    effects: pd.DataFrame,
    metric: str,
    ax: Axes | None = None,
    lang: str = "ja",
    title: str | None = None,
    **kwargs,
) -> Axes:
    """Forest plot: low raters minus others for each touchpoint, confirmed ones highlighted.

    Parameters
    ----------
    effects : pandas.DataFrame
        :func:`helpers.friction.rating_effects`.
    metric : str
        Metric to draw (``"f2_conversion"`` or ``"retention_<N>d"``).
    ax : matplotlib.axes.Axes, optional
    lang : {"ja", "en"}

    title : str, optional
        Chart title instead of the default (``""`` for none).
    **kwargs
        Passed to the main artist, ``Axes.scatter`` (e.g. ``color``, ``alpha``).

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_lang(lang)
    rows = effects[(effects["metric"] == metric) & effects["effect"].notna()].iloc[::-1].reset_index(drop=True)
    ax = new_axes(ax, (8, 0.42 * len(rows) + 1.4))
    y = np.arange(len(rows))
    confirmed = rows["confirmed"].eq("yes").to_numpy()
    colors = np.where(confirmed, PALETTE[3], PALETTE[0])
    ax.axvline(0, color="#333333", linewidth=0.9)
    ax.hlines(y, rows["effect_low"] * 100, rows["effect_high"] * 100, colors=colors, linewidth=1.6)
    for flag, name in ((True, "confirmed"), (False, "not_confirmed")):
        pick = confirmed == flag
        if pick.any():
            ax.scatter(
                rows["effect"][pick] * 100,
                y[pick],
                **{
                    "color": PALETTE[3] if flag else PALETTE[0],
                    "s": 24,
                    "zorder": 3,
                    "label": _text(name, lang),
                    **kwargs,
                },
            )
    ax.set_yticks(y)
    ax.set_yticklabels(
        [
            f"{wrap_text(t, 10)} (n={a:,}/{b:,})"
            for t, a, b in zip(rows["touchpoint"], rows["n_low"], rows["n_other"], strict=False)
        ],
        fontsize=8.5,
    )
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:+.0f}" if round(x) != 0 else "0"))
    ax.set_xlabel(_text("effect_axis", lang))
    set_title(ax, title, _text("effects_title", lang, metric=metric_label(metric, lang)))
    if len(rows):
        ax.legend(loc="best", fontsize=8.5)
    return ax


def plot_repeat_funnel(
    funnel: pd.DataFrame,
    ax: Axes | None = None,
    lang: str = "ja",
    title: str | None = None,
    **kwargs,
) -> Axes:
    """Customers reaching each purchase number, with the step conversion rates.

    Parameters
    ----------
    funnel : pandas.DataFrame
        :func:`helpers.friction.repeat_funnel`.
    ax : matplotlib.axes.Axes, optional
    lang : {"ja", "en"}

    title : str, optional
        Chart title instead of the default (``""`` for none).
    **kwargs
        Passed to the main artist, ``Axes.bar`` (e.g. ``color``, ``alpha``).

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_lang(lang)
    ax = new_axes(ax, (8, 3.8))
    x = np.arange(len(funnel))
    colors = [PALETTE[3] if n == 2 else PALETTE[0] for n in funnel.index]
    ax.bar(x, funnel["customers"], **{"color": colors, "width": 0.65, **kwargs})
    top = funnel["customers"].max() if len(funnel) else 1
    for xi, (customers, conversion) in enumerate(zip(funnel["customers"], funnel["conversion"], strict=False)):
        ax.text(xi, customers + top * 0.02, f"{customers:,}", ha="center", va="bottom", fontsize=9)
        if not np.isnan(conversion):
            ax.text(
                xi - 0.5,
                top * 1.12,
                f"→ {conversion:.0%}",
                ha="center",
                va="center",
                fontsize=9,
                color=PALETTE[3] if funnel.index[xi] == 2 else "#555555",
            )
    ax.set_xticks(x)
    ax.set_xticklabels([_text("purchase_n", lang, n=n) for n in funnel.index])
    ax.set_ylim(0, top * 1.22)
    ax.set_ylabel(_text("customers", lang))
    ax.yaxis.set_major_formatter(thousands_formatter())
    ax.grid(axis="x", visible=False)
    set_title(ax, title, _text("funnel_title", lang))
    return ax


def plot_next_purchase_gaps(
    gaps: pd.DataFrame, ax: Axes | None = None, lang: str = "ja", max_days: int = 365, bin_days: int = 7,
    title: str | None = None,
    **kwargs,
) -> Axes:
    """Distribution of the days to the next purchase, one line per transition.

    Parameters
    ----------
    gaps : pandas.DataFrame
        :func:`helpers.friction.next_purchase_gaps`.
    ax : matplotlib.axes.Axes, optional
    lang : {"ja", "en"}
    max_days : int
        Right end of the axis; longer gaps are counted in the last bin.
    bin_days : int
        Width of a bin in days.

    title : str, optional
        Chart title instead of the default (``""`` for none).
    **kwargs
        Passed to the main artist, ``Axes.step`` (e.g. ``color``, ``alpha``).

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_lang(lang)
    ax = new_axes(ax, (8, 3.8))
    bins = np.arange(0, max_days + bin_days, bin_days)
    last = int(gaps["from_n"].max()) if len(gaps) else 0
    for i, (from_n, days) in enumerate(gaps.groupby("from_n")["days"]):
        counts, _ = np.histogram(np.minimum(days.to_numpy(), bins[-1] - 0.5), bins=bins)
        share = counts / max(counts.sum(), 1)
        name = (
            _text("from_n_plus", lang, n=from_n)
            if from_n == last and last > 1
            else _text("from_n", lang, n=from_n, m=from_n + 1)
        )
        ax.step(
            bins[:-1],
            share,
            **{
                "where": "post",
                "color": PALETTE[i % len(PALETTE)],
                "linewidth": 1.4,
                "label": f"{name} (n={len(days):,})",
                **kwargs,
            },
        )
    ax.set_xlim(0, max_days)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(_text("days", lang))
    ax.set_ylabel(_text("share", lang))
    set_title(ax, title, _text("gaps_title", lang))
    if len(gaps):
        ax.legend(fontsize=9)
    return ax


def plot_stop_hazard(
    stops: pd.DataFrame,
    ax: Axes | None = None,
    lang: str = "ja",
    title: str | None = None,
    **kwargs,
) -> Axes:
    """Subscription stop rate after each shipment, the highest highlighted.

    Parameters
    ----------
    stops : pandas.DataFrame
        :func:`helpers.friction.subscription_stops`.
    ax : matplotlib.axes.Axes, optional
    lang : {"ja", "en"}

    title : str, optional
        Chart title instead of the default (``""`` for none).
    **kwargs
        Passed to the main artist, ``Axes.bar`` (e.g. ``color``, ``alpha``).

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_lang(lang)
    ax = new_axes(ax, (8, 3.8))
    hazard = stops["hazard"]
    peak = hazard.idxmax() if hazard.notna().any() else None
    colors = [PALETTE[3] if k == peak else PALETTE[0] for k in stops.index]
    x = stops.index.to_numpy()
    err = np.vstack([hazard - stops["hazard_low"], stops["hazard_high"] - hazard])
    ax.bar(x, hazard.fillna(0), **{"color": colors, "width": 0.7, **kwargs})
    ax.errorbar(x, hazard.fillna(0), yerr=np.nan_to_num(err), fmt="none", ecolor="#333333", elinewidth=0.9, capsize=2)
    for k, value, n in zip(x, hazard, stops["stopped"] + stops["continued"], strict=False):
        if not np.isnan(value):
            ax.text(k, -0.005, f"n={n:,}", ha="center", va="top", fontsize=7, color="#555555")
    ax.set_xticks(x)
    ax.set_ylim(
        -0.06 * max(float(np.nanmax(stops["hazard_high"].to_numpy())) if hazard.notna().any() else 1.0, 0.1), None
    )
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(_text("shipment", lang))
    ax.set_ylabel(_text("hazard", lang))
    ax.grid(axis="x", visible=False)
    set_title(ax, title, _text("hazard_title", lang))
    return ax
