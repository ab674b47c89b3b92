"""The journey map of a persona: one landscape page, stages across, lanes below.

Lanes: touchpoints and channels; actions; thoughts; the emotion curve of the
worksheet with the customers' rated emotion (mean, interval, n) on the same
axis; friction points marked by their grade of evidence; improvement ideas.
Fits up to 12 steps and 7 stages with Japanese text wrapped.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import FancyBboxPatch, Rectangle

from helpers.plotting.common import new_axes, text_lookup
from helpers.plotting.style import PALETTE
from helpers.plotting.touchpoints import wrap_text
from helpers.tables import format_value, p_text

#: Size of a journey map figure (inches): an A4 landscape page less its margins.
JOURNEY_MAP_FIGSIZE = (11.0, 7.1)

_TEXT = {
    "title": ("カスタマージャーニーマップ: {persona}（{scenario}）", "Customer journey map: {persona} ({scenario})"),
    "as_is": ("現状", "as-is"),
    "to_be": ("理想", "to-be"),
    "stage": ("ステージ", "Stage"),
    "touchpoint": ("接点・\nチャネル", "Touchpoint\n& channel"),
    "action": ("行動", "Actions"),
    "thought": ("思考", "Thoughts"),
    "emotion": ("感情", "Emotion"),
    "friction": ("摩擦点と\n根拠", "Friction &\nevidence"),
    "improvement": ("改善案", "Ideas"),
    "worksheet": ("ワークシートの感情", "Worksheet emotion"),
    "rated": ("顧客評価の感情（平均と{level:.0%}区間、n）", "Customer-rated emotion (mean, {level:.0%} interval, n)"),
    "grade_assumption": ("仮説のみ", "Assumption only"),
    "grade_rated": ("顧客が評価", "Rated by customers"),
    "grade_confirmed": ("行動で確認", "Confirmed in behaviour"),
    "grade_priced": ("金額換算済み", "Priced in yen"),
    "effect": ("差 {effect}", "diff. {effect}"),
    "ltv": ("LTV +{gain}", "LTV +{gain}"),
    "rated_value": ("評価 {value}", "rated {value}"),
    "n": ("n={n}", "n={n}"),
}
_text = text_lookup(_TEXT)

_GRADE_STYLE = {
    "assumption": ("#9aa5b1", "○"),
    "rated": (PALETTE[1] if len(PALETTE) > 1 else "#e69f00", "◐"),
    "confirmed": ("#d55e00", "●"),
    "priced": ("#b00020", "◆"),
}

# lanes from the top: (key, share of the height)
_LANES = (
    ("stage", 0.05),
    ("touchpoint", 0.09),
    ("action", 0.13),
    ("thought", 0.13),
    ("emotion", 0.26),
    ("friction", 0.15),
    ("improvement", 0.19),
)
_LABEL_WIDTH = 0.085
_FONT = 6.3


def _emotion(value: float) -> str:
    """A worksheet emotion (whole points): ``+2``, ``0``, ``-3``."""
    return f"{value:+.0f}" if round(value) else "0"


def _chars_per_line(column_inches: float, font_pt: float = _FONT) -> int:
    """Full-width characters that fit in a column (a little padding kept)."""
    return max(3, math.floor(column_inches * 72 / font_pt) - 2)


def _lines_fitting(height_inches: float, font_pt: float = _FONT) -> int:
    return max(1, math.floor(height_inches * 72 / (font_pt * 1.3)) - 1)


def plot_journey_map(
    steps: pd.DataFrame,
    ax: Axes | None = None,
    title: str | None = None,
    *,
    persona: str = "",
    scenario: str = "as_is",
    level: float = 0.95,
    lang: str = "ja",
    **kwargs,
) -> Axes:
    """Draw a persona's journey map on one Axes (a landscape page).

    Parameters
    ----------
    steps : pandas.DataFrame
        From :func:`helpers.journey_map.journey_map_steps`.
    ax : matplotlib.axes.Axes, optional
        Drawn on a new figure of :data:`JOURNEY_MAP_FIGSIZE` when ``None``.
    title : str, optional
        Defaults to "Customer journey map: persona (scenario)".
    persona : str
        Name shown in the title.
    scenario : {"as_is", "to_be"}
    level : float
        Level of the rated-emotion intervals (legend text).
    lang : {"ja", "en"}
    **kwargs
        Passed to the worksheet emotion line (``Axes.plot``).

    Returns
    -------
    matplotlib.axes.Axes
    """
    if ax is None:
        ax = new_axes(None, JOURNEY_MAP_FIGSIZE)
        ax.set_position([0.01, 0.01, 0.98, 0.94])  # the map is the whole page: no room for axis labels needed
    fig_w, fig_h = ax.figure.get_size_inches()
    bbox = ax.get_position()
    width_in, height_in = fig_w * bbox.width, fig_h * bbox.height
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_axis_off()
    n = len(steps)
    column = (1 - _LABEL_WIDTH) / max(n, 1)
    x = _LABEL_WIDTH + column * (np.arange(n) + 0.5)
    chars = _chars_per_line(column * width_in)

    tops, top, scale = {}, 0.985, 0.95
    for key, share in _LANES:
        tops[key] = (top, top - share * scale)
        top -= share * scale
    for i, (key, _) in enumerate(_LANES):
        hi, lo = tops[key]
        if i % 2 == 0:
            ax.add_patch(Rectangle((0, lo), 1, hi - lo, color="#f3f5f8", zorder=0, lw=0))
        ax.text(0.004, (hi + lo) / 2, _text(key, lang), ha="left", va="center", fontsize=7,
                color="#12355b")
    for i in range(n + 1):
        ax.plot([_LABEL_WIDTH + column * i] * 2, [tops["improvement"][1], tops["touchpoint"][0]],
                color="#d9dee5", lw=0.5, zorder=1)

    # stages: contiguous runs of steps share one band
    hi, lo = tops["stage"]
    stage = steps["stage"].astype(str).to_numpy()
    start = 0
    for i in range(1, n + 1):
        if i == n or stage[i] != stage[start]:
            left = _LABEL_WIDTH + column * start
            ax.add_patch(FancyBboxPatch((left + 0.002, lo + 0.004), column * (i - start) - 0.004, hi - lo - 0.008,
                                        boxstyle="round,pad=0,rounding_size=0.004", color=PALETTE[0], lw=0, zorder=2))
            ax.text(left + column * (i - start) / 2, (hi + lo) / 2,
                    wrap_text(stage[start], max(3, chars * (i - start)), max_lines=2),
                    ha="center", va="center", fontsize=7, color="white", zorder=3)
            start = i

    def lane_text(key: str, values: list[str], color: str = "#1f2933") -> None:
        hi, lo = tops[key]
        lines = _lines_fitting((hi - lo) * height_in)
        for xi, value in zip(x, values, strict=True):
            if value:
                ax.text(xi, hi - 0.006, wrap_text(value, chars, max_lines=lines), ha="center", va="top",
                        fontsize=_FONT, color=color, linespacing=1.25, zorder=3)

    def clean(series: pd.Series) -> list[str]:
        return ["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in series]

    touch = [
        f"{t}\n[{c}]" if c else t for t, c in zip(clean(steps["touchpoint"]), clean(steps["channel"]), strict=True)
    ]
    lane_text("touchpoint", [f"{s}. {t}" for s, t in zip(steps["step"], touch, strict=True)],
              color="#12355b")
    lane_text("action", clean(steps["action"]))
    quote = "「{}」" if lang == "ja" else "“{}”"
    lane_text("thought", [quote.format(t) if t else "" for t in clean(steps["thought"])], color="#3e4c59")
    lane_text("improvement", clean(steps["improvement"]), color="#0b6e4f")

    # emotion lane: worksheet curve and customer ratings on the same -5..+5 axis
    hi, lo = tops["emotion"]
    pad = (hi - lo) * 0.12

    def y_of(value):
        return lo + pad + (np.asarray(value, dtype="float64") + 5) / 10 * (hi - lo - 2 * pad)

    for tick in (-5, 0, 5):
        ax.plot([_LABEL_WIDTH, 1], [y_of(tick)] * 2, color="#9aa5b1" if tick == 0 else "#e4e7eb",
                lw=0.6, ls="--" if tick == 0 else "-", zorder=1)
        ax.text(_LABEL_WIDTH - 0.004, y_of(tick), _emotion(tick), ha="right", va="center",
                fontsize=6, color="#5b6573")
    line_style = {"color": PALETTE[0], "lw": 1.8, "marker": "o", "ms": 4, "zorder": 4, **kwargs}
    ax.plot(x, y_of(steps["emotion"]), label=_text("worksheet", lang), **line_style)
    for xi, value in zip(x, steps["emotion"], strict=True):
        ax.text(xi, y_of(value) + 0.012, _emotion(value), ha="center", va="bottom", fontsize=6, color=PALETTE[0],
                zorder=5)
    rated = steps["rated_n"].to_numpy() > 0
    if rated.any():
        color = PALETTE[1] if len(PALETTE) > 1 else "#e69f00"
        xr = x[rated] + column * 0.18
        mean = steps.loc[rated, "rated_emotion"].to_numpy()
        low = steps.loc[rated, "rated_low"].fillna(steps.loc[rated, "rated_emotion"]).to_numpy()
        high = steps.loc[rated, "rated_high"].fillna(steps.loc[rated, "rated_emotion"]).to_numpy()
        ax.errorbar(xr, y_of(mean), yerr=[y_of(mean) - y_of(low), y_of(high) - y_of(mean)], fmt="D", ms=3.5,
                    color=color, ecolor=color, elinewidth=1, capsize=1.5, zorder=5,
                    label=_text("rated", lang, level=level))
        for xi, m, count in zip(xr, mean, steps.loc[rated, "rated_n"], strict=True):
            label = f"{format_value(m, 'signed1', lang)}\n{_text('n', lang, n=format_value(count, 'int', lang))}"
            ax.text(xi + column * 0.06, y_of(m), label, ha="left", va="center", fontsize=5.2, color=color, zorder=5,
                    linespacing=1.1)
    ax.legend(loc="lower left", bbox_to_anchor=(_LABEL_WIDTH, lo), fontsize=6, frameon=False, ncol=2,
              borderaxespad=0.1, handlelength=1.6)

    # friction lane: one badge per friction point, by its grade of evidence
    hi, lo = tops["friction"]
    for xi, row in zip(x, steps.itertuples(index=False), strict=True):
        if not isinstance(row.evidence, str):
            continue
        color, mark = _GRADE_STYLE[row.evidence]
        lines = [f"{mark} {_text('grade_' + row.evidence, lang)}"]
        if row.evidence in ("confirmed", "priced") and not np.isnan(row.effect):
            lines.append(_text("effect", lang, effect=format_value(row.effect, "pp", lang)))
            if not np.isnan(row.p_value):
                lines.append(p_text(row.p_value))
        elif row.evidence == "rated" and not np.isnan(row.rated_emotion):
            lines.append(_text("rated_value", lang, value=format_value(row.rated_emotion, "signed1", lang)))
        if row.evidence == "priced":
            lines.append(_text("ltv", lang, gain=format_value(row.ltv_gain, "yen", lang)))
        ax.text(xi, hi - 0.01, "\n".join(wrap_text(s, chars) for s in lines), ha="center", va="top", fontsize=_FONT,
                color="white" if row.evidence != "assumption" else "#1f2933", linespacing=1.3,
                zorder=4, bbox={"boxstyle": "round,pad=0.35", "fc": color if row.evidence != "assumption" else "white",
                                "ec": color, "lw": 1})
        ax.plot([xi, xi], [hi, tops["emotion"][1]], color=color, lw=0.8, ls=":", zorder=2)

    # grade legend under the map
    legend_y = tops["improvement"][1] - 0.006
    ax.text(_LABEL_WIDTH, legend_y, "   ".join(
        f"{_GRADE_STYLE[g][1]} {_text('grade_' + g, lang)}" for g in ("assumption", "rated", "confirmed", "priced")
    ), ha="left", va="top", fontsize=6.5, color="#3e4c59")
    ax.set_title(
        title or _text("title", lang, persona=persona, scenario=_text(scenario, lang)),
        loc="left", fontsize=11, color="#12355b",
    )
    return ax
