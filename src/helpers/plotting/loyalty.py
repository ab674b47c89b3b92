"""Charts and report tables for customer loyalty: NPS, segments, fan survey.

Every ``plot_*`` takes a result of :mod:`helpers.loyalty`, draws on ``ax``
(a new figure when ``None``) and returns the Axes.  :func:`format_table`
turns result frames into narrow report tables with Japanese headers.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from helpers.labels import check_lang, fan_stage_labels, label, liking_labels
from helpers.loyalty import EXPECTATION_OUTCOMES, FAN_TIER_LABELS, NPS_CLASSES, text
from helpers.plotting.common import new_axes
from helpers.plotting.style import PALETTE

#: Colours of the NPS classes and expectation outcomes (Okabe-Ito).
CLASS_COLOURS = {"promoter": "#009E73", "passive": "#BBBBBB", "detractor": "#D55E00"}
OUTCOME_COLOURS = {"dissatisfied": "#D55E00", "satisfied": "#0072B2", "delighted": "#009E73"}

#: Headers of the loyalty tables: key -> (ja, en).
COLUMN_LABELS: dict[str, tuple[str, str]] = {
    "n": ("回答数", "n"),
    "promoters": ("推奨者数", "Promoters"),
    "passives": ("中立者数", "Passives"),
    "detractors": ("批判者数", "Detractors"),
    "promoter_share": ("推奨者", "Promoters"),
    "passive_share": ("中立者", "Passives"),
    "detractor_share": ("批判者", "Detractors"),
    "nps": ("NPS", "NPS"),
    "nps_low": ("95%区間 下限", "95% CI low"),
    "nps_high": ("95%区間 上限", "95% CI high"),
    "period": ("期間", "Period"),
    "customers": ("顧客数", "Customers"),
    "share": ("構成比", "Share"),
    "buyers": ("購入顧客数", "Buyers"),
    "repeat_rate": ("リピート率", "Repeat rate"),
    "aov": ("平均注文単価", "Avg. order value"),
    "orders_per_customer": ("1人あたり注文数", "Orders per customer"),
    "ltv_1y": ("1年LTV", "1-year LTV"),
    "ltv_1y_customers": ("1年LTV対象", "1-year LTV base"),
    "segment": ("セグメント", "Segment"),
    "approach": ("対応体制", "Approach"),
    "actions": ("具体的な施策", "Actions"),
    "aim": ("ねらい", "Aim"),
    "latest_score": ("最新の推奨度", "Latest score"),
    "response_date": ("回答日", "Response date"),
    "n_orders": ("購入回数", "Orders"),
    "revenue": ("累計購入額", "Revenue"),
    "last_order": ("最終購入日", "Last order"),
    "fan_tier": ("ファン層", "Fan tier"),
    "mean_score": ("平均推奨度", "Mean score"),
    "gap": ("差（評価−期待）", "Gap (eval − exp.)"),
    "outcome": ("判定", "Outcome"),
}


def column_label(key, lang: str = "ja") -> str:
    """Header for ``key``: this module's labels, then :mod:`helpers.loyalty`'s, then helpers.labels."""
    pair = COLUMN_LABELS.get(key)
    if pair:
        return pair[0 if check_lang(lang) == "ja" else 1]
    return text(key, lang) if isinstance(key, str) else str(key)


def format_table(
    frame: pd.DataFrame,
    lang: str = "ja",
    percent=(),
    yen=(),
    integer=(),
    decimals: dict | None = None,
    dates=(),
    column_labels: dict | None = None,
    value_labels=(),
    translate_index: bool = False,
) -> pd.DataFrame:
    """A result frame as a report table: formatted numbers, headers in ``lang``.

    Parameters
    ----------
    frame : pandas.DataFrame
        Result to show (index kept).
    lang : {"ja", "en"}
        Language of headers and units.
    percent, yen, integer, dates : iterable of str
        Columns shown as ``12.3%``, ``12,345円`` (``¥12,345`` in English),
        ``1,234`` and ``2025-01-31``.
    decimals : dict, optional
        ``{column: digits}`` for other numeric columns (default 1).
    column_labels : dict, optional
        Extra ``{key: (ja, en)}`` headers, taking precedence.
    value_labels : iterable of str
        Columns whose values are label keys (e.g. segment codes) to translate.
    translate_index : bool
        Translate the index values too (segment codes, fan tiers).

    Returns
    -------
    pandas.DataFrame
        Strings; missing values shown as ``-``.
    """
    check_lang(lang)
    decimals = decimals or {}
    out = pd.DataFrame(index=frame.index)
    for col in frame.columns:
        values = frame[col]
        if col in percent:
            shown = values.map(lambda v: "-" if pd.isna(v) else f"{v:.1%}")
        elif col in yen:
            shown = values.map(
                lambda v: "-" if pd.isna(v) else (f"{v:,.0f}円" if lang == "ja" else f"¥{v:,.0f}")
            )
        elif col in integer:
            shown = values.map(lambda v: "-" if pd.isna(v) else f"{v:,.0f}")
        elif col in dates:
            shown = pd.to_datetime(values).dt.strftime("%Y-%m-%d").fillna("-")
        elif col in value_labels:
            shown = values.map(lambda v: "-" if pd.isna(v) else _value_label(v, lang))
        elif pd.api.types.is_bool_dtype(values.dtype):
            shown = values.map(lambda v: "-" if pd.isna(v) else label("yes" if v else "no", lang))
        elif pd.api.types.is_integer_dtype(values.dtype):
            shown = values.map(lambda v: "-" if pd.isna(v) else f"{v:,}")
        elif pd.api.types.is_float_dtype(values.dtype):
            digits = decimals.get(col, 1)
            shown = values.map(lambda v, d=digits: "-" if pd.isna(v) else f"{v:,.{d}f}")
        else:
            shown = values.astype(object).where(values.notna(), "-").astype(str)
        out[col] = shown.to_numpy()
    def header(key):
        pair = (column_labels or {}).get(key)
        return pair[0 if lang == "ja" else 1] if pair else column_label(key, lang)

    out = out.rename(columns={col: header(col) for col in frame.columns})
    if translate_index:
        out.index = [_value_label(v, lang) for v in frame.index]
    out.index.names = [None if name is None else header(name) for name in frame.index.names]
    return out


def _value_label(value, lang: str) -> str:
    if value in FAN_TIER_LABELS:
        return FAN_TIER_LABELS[value][0 if lang == "ja" else 1]
    if value == "all":
        return "全体" if lang == "ja" else "All"
    return column_label(value, lang)


def format_p(p_value: float) -> str:
    """A p-value for a narrative: ``p = 0.357``, ``p < 0.001``, or ``p = -`` when missing."""
    if p_value is None or np.isnan(p_value):
        return "p = -"
    return "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}"


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


def plot_nps_breakdown(table: pd.DataFrame, ax=None, lang: str = "ja", **kwargs):
    """Stacked shares of promoters, passives and detractors, with NPS and n.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`helpers.loyalty.nps_table` or ``nps_by_group`` output; one bar
        per row (first row on top).
    ax : matplotlib.axes.Axes, optional
    lang : {"ja", "en"}
    **kwargs
        ``title``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    shown = table[table["n"] > 0]
    ax = new_axes(ax, (8, 0.55 * len(shown) + 1.4))
    y = np.arange(len(shown))[::-1]
    left = np.zeros(len(shown))
    for cls in NPS_CLASSES:
        share = shown[f"{cls}_share"].to_numpy(float)
        ax.barh(y, share, left=left, color=CLASS_COLOURS[cls], label=label(cls, lang), height=0.6)
        for yi, li, si in zip(y, left, share, strict=False):
            if si >= 0.06:
                ax.text(li + si / 2, yi, f"{si:.0%}", ha="center", va="center", fontsize=8)
        left += share
    for yi, nps, n in zip(y, shown["nps"], shown["n"], strict=False):
        ax.text(1.01, yi, f"NPS {nps:+.1f}（n={n:,}）" if lang == "ja" else f"NPS {nps:+.1f} (n={n:,})",
                va="center", fontsize=8)
    names = [wrap_label(_value_label(str(i), lang), 14) for i in shown.index]
    ax.set_yticks(y, names)
    ax.set_xlim(0, 1)
    ax.set_xticks(np.linspace(0, 1, 6), [f"{v:.0%}" for v in np.linspace(0, 1, 6)])
    ax.set_xlabel(column_label("share", lang))
    ax.set_title(kwargs.get("title", "NPS回答の内訳" if lang == "ja" else "NPS answer mix"))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25 if len(shown) < 4 else -0.12), ncol=3, fontsize=8)
    ax.grid(axis="y", visible=False)
    return ax


def plot_nps_trend(trend: pd.DataFrame, ax=None, lang: str = "ja", **kwargs):
    """NPS per period with its confidence interval (band) and the number of answers.

    Parameters
    ----------
    trend : pandas.DataFrame
        :func:`helpers.loyalty.nps_trend` output.
    ax : matplotlib.axes.Axes, optional
    lang : {"ja", "en"}
    **kwargs
        ``title``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = new_axes(ax, (8, 4))
    x = np.arange(len(trend))
    ax.fill_between(x, trend["nps_low"], trend["nps_high"], color=PALETTE[0], alpha=0.18, linewidth=0,
                    label="95%信頼区間" if lang == "ja" else "95% interval")
    ax.plot(x, trend["nps"], marker="o", color=PALETTE[0], label="NPS")
    ax.axhline(0, color="#555555", linewidth=0.8)
    step = max(1, int(np.ceil(len(x) / 12)))
    ax.set_xticks(x[::step], [str(p) for p in trend.index[::step]], rotation=45, ha="right")
    ax.set_ylim(-100, 100)
    ax.set_ylabel("NPS")
    for xi, n in zip(x[::step], trend["n"].to_numpy()[::step], strict=False):
        ax.text(xi, -96, f"n={n:,}", ha="center", va="bottom", fontsize=7, color="#555555")
    ax.set_title(kwargs.get("title", "NPSの推移" if lang == "ja" else "NPS over time"))
    ax.legend(loc="upper left", fontsize=8)
    return ax


def plot_nps_by_group(table: pd.DataFrame, ax=None, lang: str = "ja", **kwargs):
    """NPS per group as points with interval bars, n beside each.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`helpers.loyalty.nps_by_group` output.
    ax : matplotlib.axes.Axes, optional
    lang : {"ja", "en"}
    **kwargs
        ``title``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    shown = table[table["n"] > 0]
    ax = new_axes(ax, (8, 0.45 * len(shown) + 1.5))
    y = np.arange(len(shown))[::-1]
    # The adjusted-Wald interval of a small group need not contain its NPS:
    # draw the interval around its own centre and the point on its own.
    half = (shown["nps_high"] - shown["nps_low"]) / 2
    ax.errorbar(shown["nps_low"] + half, y, xerr=half, fmt="none", ecolor=PALETTE[0], capsize=3)
    ax.plot(shown["nps"], y, "o", color=PALETTE[0])
    for yi, high, n in zip(y, shown["nps_high"], shown["n"], strict=False):
        ax.text(min(high + 2, 98), yi, f"n={n:,}", va="center", fontsize=8, color="#555555")
    ax.axvline(0, color="#555555", linewidth=0.8)
    ax.set_yticks(y, [wrap_label(str(g), 14) for g in shown.index])
    ax.set_xlim(-100, 100)
    ax.set_xlabel("NPS（95%信頼区間）" if lang == "ja" else "NPS (95% interval)")
    ax.set_title(kwargs.get("title", "グループ別NPS" if lang == "ja" else "NPS by group"))
    ax.grid(axis="y", visible=False)
    return ax


def plot_group_values(summary: pd.DataFrame, ax=None, lang: str = "ja", column: str = "ltv_1y", **kwargs):
    """One bar per group for a value of :func:`helpers.loyalty.value_by_group`.

    Parameters
    ----------
    summary : pandas.DataFrame
        ``value_by_group`` (or ``fan_tier_summary``) output; the index holds
        segment or tier codes or plain group names.
    ax : matplotlib.axes.Axes, optional
    lang : {"ja", "en"}
    column : str
        Column to draw (``"ltv_1y"``, ``"repeat_rate"``, ``"aov"``, ...).
    **kwargs
        ``title``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = new_axes(ax, (7, 3.8))
    values = summary[column].to_numpy(float)
    names = [_value_label(g, lang) for g in summary.index]
    x = np.arange(len(values))
    ax.bar(x, np.nan_to_num(values), color=[PALETTE[i % len(PALETTE)] for i in x])
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
    ax.set_title(kwargs.get("title", column_label(column, lang)))
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
    **kwargs,
):
    """Heatmap of fan stage (rows) × liking (columns) with the answer texts as labels.

    Parameters
    ----------
    matrix : pandas.DataFrame
        :func:`helpers.loyalty.fan_matrix` output (6 × 7).
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
    **kwargs
        ``title``, ``vmin``, ``vmax``, ``colorbar_label``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = new_axes(ax, (8.2, 5.6))
    values = matrix.to_numpy(float)
    masked = np.ma.masked_invalid(values)
    image = ax.imshow(masked, cmap=cmap, aspect="auto", vmin=kwargs.get("vmin"), vmax=kwargs.get("vmax"))
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
    ax.set_title(kwargs.get("title", ""))
    ax.grid(False)
    colorbar = ax.figure.colorbar(image, ax=ax, shrink=0.8)
    colorbar.set_label(kwargs.get("colorbar_label", ""))
    return ax


def plot_expectation_gap(table: pd.DataFrame, ax=None, lang: str = "ja", **kwargs):
    """Expectation and evaluation per touchpoint, coloured by outcome (不満・満足・感動).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`helpers.loyalty.expectation_table` output for one persona and
        scenario (or several: rows are drawn in table order).
    ax : matplotlib.axes.Axes, optional
    lang : {"ja", "en"}
    **kwargs
        ``title``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = new_axes(ax, (8, 0.4 * len(table) + 1.4))
    y = np.arange(len(table))[::-1]
    expectation = table["expectation"].astype(float).to_numpy()
    evaluation = table["evaluation"].astype(float).to_numpy()
    outcome = table["outcome"].astype(str).to_numpy()
    for yi, e, v, o in zip(y, expectation, evaluation, outcome, strict=False):
        ax.plot([e, v], [yi, yi], color=OUTCOME_COLOURS.get(o, "#999999"), linewidth=2, zorder=1)
    ax.scatter(expectation, y, marker="|", s=200, color="#333333", zorder=2, label=label("expectation", lang))
    for key in EXPECTATION_OUTCOMES:
        pick = outcome == key
        ax.scatter(evaluation[pick], y[pick], s=60, color=OUTCOME_COLOURS[key], zorder=3,
                   label=f"{label('evaluation', lang)}：{label(key, lang)}")
    ax.set_yticks(y, [f"{s}. {t}" for s, t in zip(table["step"], table["touchpoint"], strict=False)])
    ax.set_xlim(0.5, 5.5)
    ax.set_xticks(range(1, 6))
    ax.set_xlabel("期待・評価（1〜5）" if lang == "ja" else "Expectation / evaluation (1-5)")
    ax.set_title(kwargs.get("title", ""))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12 - 0.6 / max(len(table), 1)), ncol=4, fontsize=8)
    ax.grid(axis="y", visible=False)
    return ax
