"""Plots of emotion curves: the worksheet's persona curves and the customers' rating curve."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from helpers.emotion import EMOTION_MAX, EMOTION_MIN, curve_extremes
from helpers.labels import check_lang, label
from helpers.plotting.common import new_axes, set_title, text_lookup
from helpers.plotting.style import PALETTE
from helpers.plotting.touchpoints import stage_label, wrap_text

_TEXT = {
    "curve_title": ("感情曲線: {persona}", "Emotion curve: {persona}"),
    "emotion": ("感情（-5〜+5）", "Emotion (-5 to +5)"),
    "max": ("最高", "High"),
    "min": ("最低", "Low"),
    "rating_title": ("顧客評価から見た感情曲線（平均と95%信頼区間）", "Emotion from customer ratings (mean, 95% CI)"),
    "rating_axis": ("感情（評価1〜5を換算）", "Emotion (ratings 1-5 mapped)"),
    "all": ("評価した顧客全体", "All raters"),
    "gap_title": ("{a} − {b} の差（95%信頼区間）", "{a} minus {b} (95% CI)"),
    "gap_axis": ("感情の差（ポイント）", "Difference in emotion (points)"),
    "largest": ("差が最大", "largest gap"),
    "ee_title": ("期待と評価: {persona}", "Expectation vs evaluation: {persona}"),
    "score": ("期待・評価（1〜5）", "Expectation / evaluation (1-5)"),
}

_SCENARIO_STYLE = {
    "as_is": dict(color=PALETTE[3], linestyle="-", marker="o"),
    "to_be": dict(color=PALETTE[0], linestyle="--", marker="s"),
}
_OUTCOME_COLOR = {"dissatisfied": PALETTE[3], "satisfied": "#7F7F7F", "delighted": PALETTE[2]}


_text = text_lookup(_TEXT)


def _signed(value: float) -> str:
    return f"{value:+.0f}" if float(value).is_integer() else f"{value:+.1f}"


def _stage_bands(ax: Axes, steps: pd.DataFrame, lang: str, y_text: float) -> None:
    """Shade alternate stages and name each at the top of the plot."""
    stage = steps["stage"].astype(str).to_numpy()
    x = steps["step"].to_numpy(dtype=float)
    starts = np.flatnonzero(np.r_[True, stage[1:] != stage[:-1]])
    ends = np.r_[starts[1:], len(stage)] - 1
    for i, (a, b) in enumerate(zip(starts, ends, strict=False)):
        left, right = x[a] - 0.5, x[b] + 0.5
        if i % 2 == 0:
            ax.axvspan(left, right, color="#EEF3F8", zorder=0, linewidth=0)
        ax.text(
            (left + right) / 2,
            y_text,
            wrap_text(stage_label(stage[a], lang), 5),
            ha="center",
            va="top",
            fontsize=8,
            color="#555555",
        )


def plot_emotion_curve(
    curves: pd.DataFrame,
    persona: str,
    ax: Axes | None = None,
    lang: str = "ja",
    scenarios: tuple[str, ...] = ("as_is", "to_be"),
    annotate_extremes: bool = True,
    title: str | None = None,
    **kwargs,
) -> Axes:
    """A persona's emotion curve, as-is and to-be, with stage bands and touchpoints.

    Parameters
    ----------
    curves : pandas.DataFrame
        :func:`helpers.emotion.emotion_curves` (both scenarios).
    persona : str
        Persona to draw.
    ax : matplotlib.axes.Axes, optional
    lang : {"ja", "en"}
    scenarios : tuple of str
        Scenarios drawn, the first gives the stage bands and touchpoint labels
        (a different to-be touchpoint at the same step is added below it).
    annotate_extremes : bool
        Mark each curve's highest and lowest point (earliest on ties).

    title : str, optional
        Chart title instead of the default (``""`` for none).
    **kwargs
        Passed to the main artist, ``Axes.plot`` (e.g. ``color``, ``alpha``).

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_lang(lang)
    mine = curves[curves["persona"].astype(str) == persona]
    present = [s for s in scenarios if (mine["scenario"] == s).any()]
    ax = new_axes(ax, (8, 4.8))
    if not present:
        set_title(ax, title, _text("curve_title", lang, persona=persona))
        return ax
    base = mine[mine["scenario"] == present[0]]
    _stage_bands(ax, base, lang, EMOTION_MAX + 1.9)
    ax.axhline(0, color="#333333", linewidth=0.9, zorder=1)
    for scenario in present:
        curve = mine[mine["scenario"] == scenario]
        style = _SCENARIO_STYLE.get(scenario, dict(color=PALETTE[4], linestyle=":", marker="^"))
        ax.plot(
            curve["step"],
            curve["emotion"],
            **{"label": label(scenario, lang), "linewidth": 1.8, "markersize": 5, "zorder": 3, **style, **kwargs},
        )
    if annotate_extremes:
        extremes = curve_extremes(mine[mine["scenario"].isin(present)])
        for row in extremes.itertuples(index=False):
            color = _SCENARIO_STYLE.get(row.scenario, {}).get("color", PALETTE[4])
            below = row.extreme == "min"
            ax.annotate(
                f"{_text(row.extreme, lang)} {_signed(row.emotion)}",
                (row.step, row.emotion),
                xytext=(0, -13 if below else 9),
                textcoords="offset points",
                ha="center",
                va="top" if below else "bottom",
                fontsize=8.5,
                color=color,
            )
    labels_by_step = base.set_index("step")["touchpoint"].astype(str)
    ticks = labels_by_step.index.to_numpy()
    tick_labels = []
    for step, name in labels_by_step.items():
        text = wrap_text(f"{step}. {name}", 6)
        for scenario in present[1:]:
            other = mine[(mine["scenario"] == scenario) & (mine["step"] == step)]["touchpoint"]
            if len(other) and str(other.iloc[0]) != name:
                text += "\n→" + wrap_text(str(other.iloc[0]), 6)
        tick_labels.append(text)
    ax.set_xticks(ticks)
    ax.set_xticklabels(tick_labels, fontsize=8)
    ax.set_xlim(ticks.min() - 0.5, ticks.max() + 0.5)
    ax.set_ylim(EMOTION_MIN - 0.8, EMOTION_MAX + 2.0)
    ax.set_yticks(range(EMOTION_MIN, EMOTION_MAX + 1))
    ax.set_ylabel(_text("emotion", lang))
    ax.set_xlabel("")
    ax.grid(axis="x", visible=False)
    set_title(ax, title, _text("curve_title", lang, persona=persona))
    ax.legend(loc="lower left", fontsize=9, ncol=len(present))
    return ax


def plot_rating_curve(
    curve: pd.DataFrame,
    ax: Axes | None = None,
    lang: str = "ja",
    segments: tuple | None = None,
    full_scale: bool = True,
    show_n: bool = True,
    title: str | None = None,
    **kwargs,
) -> Axes:
    """The customers' emotion curve: mean per touchpoint with its 95% interval and n.

    Parameters
    ----------
    curve : pandas.DataFrame
        :func:`helpers.emotion.rating_curve`, with or without ``segment``.
    ax : matplotlib.axes.Axes, optional
    lang : {"ja", "en"}
    segments : tuple, optional
        Segments drawn (all when ``None``), when ``curve`` has ``segment``.
    full_scale : bool
        Show the whole -5..+5 scale (comparable with the worksheet curves);
        ``False`` zooms in on the data.
    show_n : bool
        Write n next to each point.

    title : str, optional
        Chart title instead of the default (``""`` for none).
    **kwargs
        Passed to the main artist, ``Axes.errorbar`` (e.g. ``color``, ``alpha``).

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_lang(lang)
    ax = new_axes(ax, (8, 4.5))
    if "segment" in curve.columns:
        chosen = (
            list(segments)
            if segments is not None
            else [s for s in curve["segment"].cat.categories if (curve["segment"] == s).any()]
        )
        groups = [
            (s, curve[curve["segment"] == s], label(str(s), lang)) for s in chosen if (curve["segment"] == s).any()
        ]
    else:
        groups = [(None, curve, _text("all", lang))]
    order = curve.drop_duplicates("touchpoint").sort_values("order")
    position = {t: i for i, t in enumerate(order["touchpoint"])}
    width = 0.5
    offsets = np.linspace(-width / 2, width / 2, len(groups)) if len(groups) > 1 else [0.0]
    ax.axhline(0, color="#333333", linewidth=0.9)
    for k, (_, rows, name) in enumerate(groups):
        rows = rows.sort_values("order")
        x = rows["touchpoint"].map(position).to_numpy(dtype=float) + offsets[k]
        y = rows["emotion"].to_numpy()
        err = np.vstack([y - rows["emotion_low"].to_numpy(), rows["emotion_high"].to_numpy() - y])
        color = PALETTE[k % len(PALETTE)]
        ax.errorbar(
            x,
            y,
            **{
                "yerr": np.nan_to_num(err),
                "fmt": "-o",
                "color": color,
                "label": name,
                "markersize": 4,
                "capsize": 2.5,
                "linewidth": 1.4,
                "elinewidth": 1,
                **kwargs,
            },
        )
        if show_n:
            for xi, hi, n in zip(x, rows["emotion_high"].fillna(rows["emotion"]), rows["n"], strict=False):
                ax.text(xi, hi + 0.15, f"n={n:,}", ha="center", va="bottom", fontsize=7, color=color)
    ax.set_xticks(range(len(position)))
    ax.set_xticklabels([wrap_text(t, 5) for t in position], fontsize=8)
    if full_scale:
        ax.set_ylim(EMOTION_MIN - 0.3, EMOTION_MAX + 0.3)
    ax.set_xlim(-0.6, len(position) - 0.4)
    ax.set_ylabel(_text("rating_axis", lang))
    ax.set_xlabel("")
    ax.grid(axis="x", visible=False)
    set_title(ax, title, _text("rating_title", lang))
    if groups:
        ax.legend(loc="lower left", fontsize=9, ncol=len(groups))
    return ax


def plot_segment_gap(
    gaps: pd.DataFrame,
    ax: Axes | None = None,
    lang: str = "ja",
    group_a: str = "high",
    group_b: str = "low",
    title: str | None = None,
    **kwargs,
) -> Axes:
    """The difference between two groups at each touchpoint, with intervals; the largest highlighted.

    Parameters
    ----------
    gaps : pandas.DataFrame
        :func:`helpers.emotion.segment_gap`.
    ax : matplotlib.axes.Axes, optional
    lang : {"ja", "en"}
    group_a, group_b : str
        Segment codes (labels via :func:`helpers.labels.label`) for the title.

    title : str, optional
        Chart title instead of the default (``""`` for none).
    **kwargs
        Passed to the main artist, ``Axes.scatter`` (e.g. ``color``, ``alpha``).

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_lang(lang)
    ax = new_axes(ax, (8, 0.42 * len(gaps) + 1.3))
    rows = gaps.iloc[::-1].reset_index(drop=True)
    y = np.arange(len(rows))
    largest = rows["gap"].abs().idxmax() if rows["gap"].notna().any() else None
    colors = [PALETTE[3] if i == largest else PALETTE[0] for i in range(len(rows))]
    ax.axvline(0, color="#333333", linewidth=0.9)
    ax.hlines(y, rows["gap_low"], rows["gap_high"], colors=colors, linewidth=1.6)
    ax.scatter(rows["gap"], y, **{"color": colors, "zorder": 3, "s": 22, **kwargs})
    if largest is not None:
        ax.annotate(
            _text("largest", lang),
            (rows.loc[largest, "gap_high"], largest),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=8.5,
            color=PALETTE[3],
        )
    ax.set_yticks(y)
    ax.set_yticklabels([wrap_text(t, 10) for t in rows["touchpoint"]], fontsize=9)
    ax.set_xlabel(_text("gap_axis", lang))
    set_title(ax, title, _text("gap_title", lang, a=label(str(group_a), lang), b=label(str(group_b), lang)))
    return ax


def plot_expectation_evaluation(
    table: pd.DataFrame,
    persona: str,
    ax: Axes | None = None,
    lang: str = "ja",
    title: str | None = None,
    **kwargs,
) -> Axes:
    """Expectation (black bar) and evaluation (dot) at each step; colour by outcome.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`helpers.emotion.expectation_evaluation`.
    persona : str
        Persona to draw.
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
    rows = table[table["persona"].astype(str) == persona].drop_duplicates("step")
    ax = new_axes(ax, (8, 3.8))
    for outcome, color in _OUTCOME_COLOR.items():
        part = rows[rows["outcome"] == outcome]
        ax.vlines(part["step"], part["expectation"], part["evaluation"], colors=color, linewidth=2)
        ax.scatter(
            part["step"],
            part["evaluation"],
            **{"color": color, "s": 36, "zorder": 3, "label": label(outcome, lang), **kwargs},
        )
    ax.scatter(
        rows["step"],
        rows["expectation"],
        marker="_",
        color="#333333",
        s=260,
        linewidths=2,
        zorder=2,
        label=label("expectation", lang),
    )
    ax.set_xticks(rows["step"].to_numpy())
    ax.set_xticklabels(
        [wrap_text(f"{s}. {t}", 5) for s, t in zip(rows["step"], rows["touchpoint"], strict=False)], fontsize=8
    )
    ax.set_ylim(0.5, 5.5)
    ax.set_yticks(range(1, 6))
    ax.set_ylabel(_text("score", lang))
    ax.grid(axis="x", visible=False)
    set_title(ax, title, _text("ee_title", lang, persona=persona))
    ax.legend(loc="lower left", fontsize=8.5, ncol=4)
    return ax
