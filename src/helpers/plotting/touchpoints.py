"""Plots of the touchpoint inventory: the swimlane, order mix, survey answers, ratings."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from helpers.labels import JOURNEY_STAGES_EN, check_lang, label
from helpers.plotting.common import new_axes, set_title, text_lookup, thousands_formatter
from helpers.plotting.style import PALETTE

_TEXT = {
    "swimlane_title": ("顧客接点の一覧: {persona}（{scenario}）", "Touchpoints: {persona} ({scenario})"),
    "orders": ("注文件数", "Orders"),
    "customers": ("顧客数", "Customers"),
    "revenue": ("売上（円）", "Revenue (JPY)"),
    "order_mix_title": ("{by}別の注文件数", "Orders by {by}"),
    "survey_title": ("アンケート回答数（月別）", "Survey answers per month"),
    "answers": ("回答数", "Answers"),
    "fan_survey": ("ファン調査", "Fan survey"),
    "nps_source": ("NPS（{source}）", "NPS ({source})"),
    "rated_title": ("接点別の評価者数", "Customers who rated each touchpoint"),
    "raters": ("評価した顧客数", "Customers who rated"),
    "mean": ("平均 {mean:.2f}", "mean {mean:.2f}"),
}


_text = text_lookup(_TEXT)


#: Characters a Japanese line may not start with (kinsoku).
_NO_LINE_START = "ー、。，．）」』】”’ぁぃぅぇぉっゃゅょァィゥェォッャュョ・"
#: A leading step number ("6. ") stays on the first line.
_STEP_PREFIX = re.compile(r"^\d+\.\s")


def _char_width(char: str) -> int:
    """Display width in half-width units: 2 for wide (Japanese) characters."""
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def wrap_text(text: str, width: int = 8, max_lines: int | None = None) -> str:
    """Break a label into lines of at most ``width`` full-width characters.

    Japanese has no spaces, so a line breaks where it is full; half-width
    characters (Latin letters, digits) count as half.  Within the last half
    of a line, a break is preferred right after a space, ``・``, ``、`` or
    ``/``, or between a Latin word and Japanese text, so words stay whole;
    otherwise a line that would leave one or two characters over is split
    in the middle, and no line starts with ``ー``, a small kana or a closing
    mark.  A leading step number (``"6. "``) does not count and stays on the
    first line.  Existing line breaks are kept.

    Parameters
    ----------
    text : str
        The label.
    width : int
        Full-width characters per line.
    max_lines : int, optional
        Keep at most this many lines (the last ends with ``…``).

    Returns
    -------
    str
    """
    limit = 2 * width
    lines: list[str] = []
    for paragraph in str(text).split("\n"):
        number = _STEP_PREFIX.match(paragraph)
        prefix = number.group(0) if number else ""
        rest = paragraph[len(prefix):]
        while sum(_char_width(c) for c in rest) > limit:
            lines.append(prefix + rest[: (cut := _break_at(rest, limit))].rstrip())
            prefix, rest = "", rest[cut:].lstrip()
        lines.append(prefix + rest)
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][:-1] + "…"
    return "\n".join(lines)


def _break_at(rest: str, limit: int) -> int:
    """Where to end the first line of ``rest`` (wider than ``limit`` half-width units)."""
    used, cut = 0, 0
    for i, char in enumerate(rest):
        used += _char_width(char)
        if used > limit:
            break
        cut = i + 1
    cut = max(cut, 1)
    for i in range(cut, max(cut // 2, 1) - 1, -1):
        before, after = rest[i - 1], rest[i]
        if before in " ・、/" or _char_width(before) != _char_width(after):
            return i
    if len(rest) - cut <= 2 and len(rest) > 3:
        return (len(rest) + 1) // 2  # balance instead of leaving one or two characters alone
    while 1 < cut < len(rest) and rest[cut] in _NO_LINE_START:
        cut -= 1
    return cut


def stage_label(stage: str, lang: str = "ja") -> str:
    """Display name of a journey stage (English for the standard stages when ``lang="en"``)."""
    return JOURNEY_STAGES_EN.get(stage, stage) if check_lang(lang) == "en" else stage


def plot_swimlane(
    lanes: pd.DataFrame,
    ax: Axes | None = None,
    lang: str = "ja",
    persona: str | None = None,
    scenario: str = "as_is",
    fontsize: float = 8.5,
    wrap: int = 6,
    title: str | None = None,
    **kwargs,
) -> Axes:
    """Swimlane of touchpoints: stages across, channels down, names in the cells.

    Parameters
    ----------
    lanes : pandas.DataFrame
        :func:`helpers.touchpoints.swimlane`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new A4-width figure when ``None``.
    lang : {"ja", "en"}
        Language of the labels.
    persona : str, optional
        Persona named in the title.
    scenario : str
        Scenario named in the title.
    fontsize : float
        Size of the cell text (8.5 pt on an 8-inch figure stays readable on A4).
    wrap : int
        Characters per line in a cell.

    title : str, optional
        Chart title instead of the default (``""`` for none).
    **kwargs
        Passed to the cell texts, ``Axes.text`` (e.g. ``color``, ``fontweight``).

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_lang(lang)
    n_rows, n_cols = lanes.shape
    ax = new_axes(ax, (min(8.0, 1.0 + 1.0 * max(n_cols, 1)), 0.9 + 0.55 * max(n_rows, 1)))
    for j in range(n_cols):
        if j % 2 == 0:
            ax.axvspan(j, j + 1, color="#EEF3F8", zorder=0)
    for i in range(n_rows + 1):
        ax.axhline(i, color="#B0B0B0", linewidth=0.6)
    for j in range(n_cols + 1):
        ax.axvline(j, color="#B0B0B0", linewidth=0.6)
    for i in range(len(lanes.index)):
        for j in range(len(lanes.columns)):
            cell = lanes.iat[i, j]
            if cell:
                text = "\n".join(wrap_text(line, wrap) for line in str(cell).split("\n"))
                ax.text(j + 0.5, i + 0.5, text, **{"ha": "center", "va": "center", "fontsize": fontsize,
                        "color": PALETTE[0], "linespacing": 1.15, **kwargs})
    ax.set_xlim(0, n_cols)
    ax.set_ylim(n_rows, 0)
    ax.set_xticks(np.arange(n_cols) + 0.5)
    ax.set_xticklabels([wrap_text(stage_label(s, lang), 6) for s in lanes.columns], fontsize=fontsize + 0.5)
    ax.xaxis.tick_top()
    ax.set_yticks(np.arange(n_rows) + 0.5)
    ax.set_yticklabels(list(lanes.index), fontsize=fontsize + 0.5)
    ax.tick_params(length=0)
    ax.grid(False)
    ax.set_xlabel("")
    ax.set_ylabel(label("channel", lang))
    if persona is not None:
        set_title(ax, title, _text("swimlane_title", lang, persona=persona, scenario=label(scenario, lang)), pad=8)
    return ax


def plot_order_mix(
    mix: pd.DataFrame, ax: Axes | None = None, lang: str = "ja", by: str = "channel",
    value: str = "orders", top_n: int = 10,
    title: str | None = None,
    **kwargs,
) -> Axes:
    """Horizontal bars of :func:`helpers.touchpoints.order_mix` (top ``top_n``).

    Parameters
    ----------
    mix : pandas.DataFrame
        :func:`helpers.touchpoints.order_mix`.
    ax : matplotlib.axes.Axes, optional
    lang : {"ja", "en"}
    by : str
        The column the mix is by (for the title).
    value : {"orders", "customers", "revenue"}
        Bar length.
    top_n : int
        Rows shown.

    title : str, optional
        Chart title instead of the default (``""`` for none).
    **kwargs
        Passed to the main artist, ``Axes.barh`` (e.g. ``color``, ``alpha``).

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_lang(lang)
    ax = new_axes(ax, (8, 0.4 * min(len(mix), top_n) + 1.3))
    shown = mix.head(top_n).iloc[::-1]
    ax.barh([wrap_text(str(i), 16, 2) for i in shown.index], shown[value], **{"color": PALETTE[0], **kwargs})
    for y, (v, share) in enumerate(zip(shown[value], shown["share"], strict=False)):
        ax.text(v, y, f" {v:,.0f} ({share:.0%})" if value == "orders" else f" {v:,.0f}", va="center", fontsize=9)
    ax.set_xlabel(_text(value, lang))
    ax.set_ylabel("")
    ax.grid(axis="y", visible=False)
    ax.set_xlim(0, shown[value].max() * 1.25 if len(shown) else 1)
    ax.xaxis.set_major_formatter(thousands_formatter())
    set_title(ax, title, _text("order_mix_title", lang, by=label(by, lang)))
    return ax


def plot_survey_responses(
    responses: pd.DataFrame,
    ax: Axes | None = None,
    lang: str = "ja",
    title: str | None = None,
    **kwargs,
) -> Axes:
    """Survey answers per period, one line per NPS source and the fan survey.

    Parameters
    ----------
    responses : pandas.DataFrame
        :func:`helpers.touchpoints.survey_responses`.
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
    ax = new_axes(ax, (8, 3.8))
    for i, column in enumerate(responses.columns):
        name = (
            _text("fan_survey", lang) if column == "fan_survey"
            else _text("nps_source", lang, source=column.split(":", 1)[1])
        )
        style = "--" if column == "fan_survey" else "-"
        ax.plot(
            responses.index,
            responses[column],
            style,
            **{"color": PALETTE[i % len(PALETTE)], "label": name, "linewidth": 1.4, **kwargs},
        )
    ax.set_ylabel(_text("answers", lang))
    ax.set_xlabel(label("month", lang))
    ax.set_ylim(bottom=0)
    set_title(ax, title, _text("survey_title", lang))
    if len(responses.columns):
        ax.legend(loc="upper left", fontsize=9, ncol=2)
    return ax


def plot_rating_counts(
    counts: pd.DataFrame,
    ax: Axes | None = None,
    lang: str = "ja",
    title: str | None = None,
    **kwargs,
) -> Axes:
    """Customers who rated each touchpoint, in journey order, with the mean rating.

    Parameters
    ----------
    counts : pandas.DataFrame
        :func:`helpers.touchpoints.rating_counts`.
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
    ax = new_axes(ax, (8, 0.4 * len(counts) + 1.3))
    shown = counts.iloc[::-1]
    ax.barh([wrap_text(str(i), 14, 2) for i in shown.index], shown["customers"], **{"color": PALETTE[2], **kwargs})
    for y, (n, mean) in enumerate(zip(shown["customers"], shown["mean_rating"], strict=False)):
        ax.text(n, y, f" {n:,.0f}（{_text('mean', lang, mean=mean)}）" if lang == "ja"
                else f" {n:,.0f} ({_text('mean', lang, mean=mean)})", va="center", fontsize=9)
    ax.set_xlim(0, counts["customers"].max() * 1.45 if len(counts) else 1)
    ax.set_xlabel(_text("raters", lang))
    ax.set_ylabel("")
    ax.grid(axis="y", visible=False)
    ax.xaxis.set_major_formatter(thousands_formatter())
    set_title(ax, title, _text("rated_title", lang))
    return ax
