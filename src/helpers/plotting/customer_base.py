"""Charts of the customer-base analysis (08): cohorts, channel payback, segments, product paths, sBG.

Each ``plot_*(result, ax=None, title=None, *, lang="ja", **kwargs)`` draws
one analysis result on ``ax`` (a new figure when ``None``), passes
``kwargs`` to its main artist and returns the Axes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator, PercentFormatter

from helpers import cohorts
from helpers.labels import check_lang, label
from helpers.plotting.common import new_axes, set_title, text_lookup, thousands_formatter
from helpers.plotting.style import PALETTE

_TEXT = {
    "retention_title": (
        "獲得月別の継続率（その月に購入した顧客の割合）",
        "Retention by acquisition month (share buying that month)",
    ),
    "months_since": ("獲得月からの経過月数", "Months since acquisition"),
    "cohort": ("獲得月", "Acquisition month"),
    "ltv_title": ("獲得月別の累積売上（獲得顧客1人あたり）", "Cumulative revenue per acquired customer by cohort"),
    "yen_per_customer": ("円 / 獲得顧客", "JPY per acquired customer"),
    "average": ("全体（顧客数で加重）", "All cohorts (weighted)"),
    "payback_title": ("媒体別の累積粗利（顧客1人あたり）とCPO", "Cumulative margin per customer by channel vs CPO"),
    "months_after_first": ("初回購入からの月数", "Months after first purchase"),
    "margin_yen": ("累積粗利（円 / 顧客）", "Cumulative margin (JPY per customer)"),
    "cpo": ("CPO", "CPO"),
    "unknown": ("不明", "Unknown"),
    "rf_title": ("RFMスコア: 最新性 × 購入回数（顧客数）", "RFM scores: recency × frequency (customers)"),
    "r_score": ("R（最新性）スコア", "R (recency) score"),
    "f_score": ("F（購入回数）スコア", "F (frequency) score"),
    "cpm_title": ("CPM客層の顧客数と累計売上の構成比", "CPM classes: share of customers and of revenue"),
    "customers_share": ("顧客数の構成比", "Share of customers"),
    "revenue_share": ("累計売上の構成比", "Share of revenue"),
    "decile_title": ("デシル別の売上構成比と累積構成比", "Revenue share and cumulative share by decile"),
    "decile": ("デシル（1 = 売上上位10%）", "Decile (1 = top 10% by revenue)"),
    "cumulative": ("累積構成比", "Cumulative share"),
    "paths_title": (
        "初回購入商品 → 2回目購入商品（初回商品の購入者に占める割合）",
        "First → second product (share of first buyers)",
    ),
    "first_product": ("初回購入商品", "First product"),
    "second_product": ("2回目購入商品", "Second product"),
    "no_second": ("2回目なし", "No second order"),
    "sbg_title": ("定期便の継続率: 実績とsBGモデルの予測", "Subscription survival: observed and sBG projection"),
    "shipment": ("お届け回数", "Shipment number"),
    "survival": ("継続している割合", "Share still subscribed"),
    "observed": ("実績（Kaplan–Meier）", "Observed (Kaplan–Meier)"),
    "projected": ("sBGモデル", "sBG model"),
    "projection_zone": ("予測（実績のない範囲）", "Projection (beyond the data)"),
}

_text = text_lookup(_TEXT)


def _cohort_labels(index) -> list[str]:
    return [str(p) for p in index]


def plot_cohort_retention(
    table: pd.DataFrame,
    ax: Axes | None = None,
    title: str | None = None,
    *,
    lang: str = "ja",
    max_months: int = 24,
    **kwargs,
) -> Axes:
    """Retention heatmap: cohorts down, months since acquisition across.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`helpers.cohorts.cohort_retention` output.
    ax : matplotlib.axes.Axes, optional
    title : str, optional
        Default: a title in ``lang``.
    lang : {"ja", "en"}
    max_months : int
        Last month since acquisition shown (month 0, always 100%, is left out).
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.imshow` (e.g. ``cmap``).

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_lang(lang)
    matrix = cohorts.retention_matrix(table).loc[:, 1:max_months]
    ax = new_axes(ax, (8.2, max(3.0, 0.16 * len(matrix) + 1.4)))
    values = matrix.to_numpy(dtype="float64")
    highest = np.nanmax(values) if np.isfinite(values).any() else 0.0
    # a share: the scale starts at 0%, and when nobody came back it runs to 100% (not -10% to 10%)
    scale = {"cmap": "Blues", "vmin": 0.0, "vmax": highest if highest > 0 else 1.0}
    image = ax.imshow(values, aspect="auto", **{**scale, **kwargs})
    ax.figure.colorbar(image, ax=ax, format=PercentFormatter(1.0, decimals=0), fraction=0.04)
    ax.set_xticks(np.arange(0, matrix.shape[1], 3), [str(c) for c in matrix.columns[::3]])
    step = max(1, len(matrix) // 12)
    ax.set_yticks(np.arange(0, len(matrix), step), _cohort_labels(matrix.index[::step]))
    ax.set_xlabel(_text("months_since", lang))
    ax.set_ylabel(_text("cohort", lang))
    ax.grid(False)
    set_title(ax, title, _text("retention_title", lang))
    return ax


def plot_cohort_ltv(
    table: pd.DataFrame,
    ax: Axes | None = None,
    title: str | None = None,
    *,
    lang: str = "ja",
    every: int = 3,
    min_cohorts: int = 6,
    **kwargs,
) -> Axes:
    """Cumulative revenue per acquired customer by months since acquisition, one line per cohort.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`helpers.cohorts.cohort_retention` output.
    ax : matplotlib.axes.Axes, optional
    title : str, optional
    lang : {"ja", "en"}
    every : int
        Draw every ``every``-th cohort (with the customer-weighted average of
        all cohorts as a thick line).
    min_cohorts : int
        Draw the average only for months that at least this many cohorts
        reached (fewer make it jump).
    **kwargs
        Passed to the cohort lines' :meth:`~matplotlib.axes.Axes.plot`.

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_lang(lang)
    ax = new_axes(ax, (8.2, 4.4))
    matrix = cohorts.retention_matrix(table, "cumulative_revenue_per_customer")
    shown = matrix.iloc[::every]
    colours = [PALETTE[5], PALETTE[0]]
    for i, (cohort, row) in enumerate(shown.iterrows()):
        values = row.dropna()
        ax.plot(
            values.index,
            values.to_numpy(),
            **{"color": colours[i % 2], "alpha": 0.35 + 0.5 * i / max(len(shown), 1), "linewidth": 1, **kwargs},
        )
        ax.annotate(
            str(cohort),
            (values.index[-1], values.iloc[-1]),
            fontsize=7,
            color="0.35",
            xytext=(2, 0),
            textcoords="offset points",
            va="center",
        )
    pooled = cohorts.average_retention(table)
    pooled = pooled[pooled["cohorts"] >= min_cohorts]
    ax.plot(
        pooled.index,
        pooled["cumulative_revenue_per_customer"],
        color=PALETTE[3],
        linewidth=2.5,
        label=_text("average", lang),
    )
    ax.yaxis.set_major_formatter(thousands_formatter())
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(_text("months_since", lang))
    ax.set_ylabel(_text("yen_per_customer", lang))
    ax.legend(loc="upper left")
    set_title(ax, title, _text("ltv_title", lang))
    return ax


def plot_channel_payback(
    result, ax: Axes | None = None, title: str | None = None, *, lang: str = "ja", max_channels: int = 8, **kwargs
) -> Axes:
    """Cumulative margin per customer by month after the first order, per channel, with each CPO.

    Parameters
    ----------
    result : helpers.channel_ltv.ChannelLTV
        :func:`helpers.channel_ltv.channel_ltv` output.
    ax : matplotlib.axes.Axes, optional
    title : str, optional
    lang : {"ja", "en"}
    max_channels : int
        Largest channels drawn.
    **kwargs
        Passed to the curves' :meth:`~matplotlib.axes.Axes.plot`.

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_lang(lang)
    ax = new_axes(ax, (8.2, 4.6))
    table = result.table.head(max_channels)
    for i, row in enumerate(table.itertuples(index=False)):
        colour = PALETTE[i % len(PALETTE)]
        name = _text("unknown", lang) if pd.isna(row.channel) else str(row.channel)
        mask = result.curves["channel"].isna() if pd.isna(row.channel) else result.curves["channel"] == row.channel
        curve = result.curves[mask.fillna(False).to_numpy(dtype=bool)]
        ax.plot(curve["month"], curve["cumulative_margin"], **{"color": colour, "label": name, **kwargs})
        if not pd.isna(row.cpo):
            ax.axhline(row.cpo, color=colour, linestyle=":", linewidth=1)
            if not pd.isna(row.payback_month):  # mark the curve where it first reaches the CPO
                at = curve[curve["month"] == row.payback_month]["cumulative_margin"]
                ax.plot([row.payback_month], at.to_numpy()[:1], marker="o", color=colour)
    if not len(result.curves):  # no month with enough customers: the axis still shows the first year, not -0.04..0.04
        ax.set_xlim(1, 12)
    ax.yaxis.set_major_formatter(thousands_formatter())
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(_text("months_after_first", lang))
    ax.set_ylabel(_text("margin_yen", lang))
    ax.legend(loc="upper left", fontsize=8, ncols=2)
    set_title(ax, title, _text("payback_title", lang))
    return ax


def plot_rf_grid(
    grid: pd.DataFrame, ax: Axes | None = None, title: str | None = None, *, lang: str = "ja", **kwargs
) -> Axes:
    """Customers per recency × frequency score as an annotated heatmap.

    Parameters
    ----------
    grid : pandas.DataFrame
        :func:`helpers.rfm.rf_grid` output.
    ax : matplotlib.axes.Axes, optional
    title : str, optional
    lang : {"ja", "en"}
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.imshow`.

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_lang(lang)
    ax = new_axes(ax, (5.6, 4.4))
    matrix = grid.pivot(index="f", columns="r", values="customers").sort_index(ascending=False)
    ax.imshow(matrix.to_numpy(dtype="float64"), aspect="auto", **{"cmap": "Greens", **kwargs})
    peak = max(float(matrix.to_numpy().max()), 1.0)
    for (i, j), value in np.ndenumerate(matrix.to_numpy()):
        ax.text(
            j, i, f"{value:,}", ha="center", va="center", fontsize=8, color="white" if value > 0.6 * peak else "black"
        )
    ax.set_xticks(range(matrix.shape[1]), [str(c) for c in matrix.columns])
    ax.set_yticks(range(matrix.shape[0]), [str(c) for c in matrix.index])
    ax.set_xlabel(_text("r_score", lang))
    ax.set_ylabel(_text("f_score", lang))
    ax.grid(False)
    set_title(ax, title, _text("rf_title", lang))
    return ax


def plot_cpm_summary(
    summary: pd.DataFrame, ax: Axes | None = None, title: str | None = None, *, lang: str = "ja", **kwargs
) -> Axes:
    """Share of customers and of revenue per CPM class, as paired horizontal bars.

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`helpers.cpm.cpm_summary` output.
    ax : matplotlib.axes.Axes, optional
    title : str, optional
    lang : {"ja", "en"}
    **kwargs
        Passed to the customer bars' :meth:`~matplotlib.axes.Axes.barh`.

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_lang(lang)
    ax = new_axes(ax, (8.2, 4.6))
    y = np.arange(len(summary))[::-1]
    ax.barh(
        y + 0.2,
        summary["share"],
        height=0.4,
        **{"color": PALETTE[0], "label": _text("customers_share", lang), **kwargs},
    )
    ax.barh(y - 0.2, summary["revenue_share"], height=0.4, color=PALETTE[1], label=_text("revenue_share", lang))
    ax.set_yticks(y, [label(c, lang) for c in summary["class"]])
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.legend(loc="lower right")
    set_title(ax, title, _text("cpm_title", lang))
    return ax


def plot_deciles(
    table: pd.DataFrame, ax: Axes | None = None, title: str | None = None, *, lang: str = "ja", **kwargs
) -> Axes:
    """Revenue share per decile (bars) and the cumulative share (line).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`helpers.deciles.decile_table` output.
    ax : matplotlib.axes.Axes, optional
    title : str, optional
    lang : {"ja", "en"}
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.bar`.

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_lang(lang)
    ax = new_axes(ax, (8.2, 4.2))
    ax.bar(
        table["decile"],
        table["revenue_share"],
        **{"color": PALETTE[0], "label": _text("revenue_share", lang), **kwargs},
    )
    ax.plot(table["decile"], table["cumulative_share"], color=PALETTE[3], marker="o", label=_text("cumulative", lang))
    for x, share in zip(table["decile"], table["cumulative_share"], strict=True):
        ax.annotate(f"{share:.0%}", (x, share), xytext=(0, 5), textcoords="offset points", ha="center", fontsize=7)
    ax.set_xticks(table["decile"])
    ax.set_ylim(0, 1.08)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(_text("decile", lang))
    ax.legend(loc="center right")
    set_title(ax, title, _text("decile_title", lang))
    return ax


def plot_product_paths(
    paths: pd.DataFrame,
    ax: Axes | None = None,
    title: str | None = None,
    *,
    lang: str = "ja",
    max_products: int = 8,
    **kwargs,
) -> Axes:
    """The first → second product matrix (share of each first product's buyers) as a heatmap.

    Parameters
    ----------
    paths : pandas.DataFrame
        :func:`helpers.product_paths.product_paths` output.
    ax : matplotlib.axes.Axes, optional
    title : str, optional
    lang : {"ja", "en"}
    max_products : int
        First and second products shown (most buyers first); the
        "no second order" column is always shown.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.imshow`.

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_lang(lang)
    unknown, none = _text("unknown", lang), _text("no_second", lang)
    frame = paths.assign(
        first_product=paths["first_product"].fillna(unknown).astype(str),
        second_product=paths["second_product"].astype(object).where(paths["second_product"].notna(), none).astype(str),
    )
    firsts = frame.groupby("first_product", sort=False)["customers"].sum().nlargest(max_products).index
    seconds = frame[frame["second_product"] != none].groupby("second_product")["customers"].sum()
    seconds = list(seconds.nlargest(max_products).index) + [none]
    matrix = frame.pivot_table(
        index="first_product", columns="second_product", values="share_of_first", aggfunc="sum", fill_value=0.0
    ).reindex(index=firsts, columns=seconds, fill_value=0.0)
    ax = new_axes(ax, (8.6, max(3.2, 0.42 * len(firsts) + 2.4)))
    ax.imshow(matrix.to_numpy(dtype="float64"), aspect="auto", **{"cmap": "Oranges", "vmin": 0, **kwargs})
    for (i, j), value in np.ndenumerate(matrix.to_numpy()):
        if value > 0:
            ax.text(
                j, i, f"{value:.0%}", ha="center", va="center", fontsize=7, color="white" if value > 0.5 else "black"
            )
    ax.set_xticks(range(len(seconds)), seconds, rotation=35, ha="right", fontsize=7)
    ax.set_yticks(range(len(firsts)), list(firsts), fontsize=7)
    ax.set_xlabel(_text("second_product", lang))
    ax.set_ylabel(_text("first_product", lang))
    ax.grid(False)
    set_title(ax, title, _text("paths_title", lang))
    return ax


def plot_sbg_projection(
    projection: pd.DataFrame, ax: Axes | None = None, title: str | None = None, *, lang: str = "ja", **kwargs
) -> Axes:
    """Observed survival by shipment against the sBG curve, with the projected range shaded.

    Parameters
    ----------
    projection : pandas.DataFrame
        :func:`helpers.sbg.projection` output (``t`` = renewals; shipment
        ``t + 1``).
    ax : matplotlib.axes.Axes, optional
    title : str, optional
    lang : {"ja", "en"}
    **kwargs
        Passed to the model curve's :meth:`~matplotlib.axes.Axes.plot`.

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_lang(lang)
    ax = new_axes(ax, (8.2, 4.2))
    shipment = projection.index.to_numpy() + 1
    ax.plot(shipment, projection["projected"], **{"color": PALETTE[0], "label": _text("projected", lang), **kwargs})
    ax.plot(
        shipment, projection["observed"], linestyle="none", marker="o", color=PALETTE[3], label=_text("observed", lang)
    )
    beyond = shipment[projection["beyond_data"].to_numpy(dtype=bool)]
    if len(beyond):
        ax.axvspan(beyond.min() - 0.5, shipment.max() + 0.5, color="0.92", label=_text("projection_zone", lang))
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(_text("shipment", lang))
    ax.set_ylabel(_text("survival", lang))
    ax.legend(loc="upper right")
    set_title(ax, title, _text("sbg_title", lang))
    return ax
