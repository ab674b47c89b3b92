"""Charts for role-model customers: the qualification funnel and purchase timelines."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.labels import check_lang
from helpers.plotting.common import new_axes, set_title
from helpers.plotting.style import PALETTE
from helpers.privacy import display_ids
from helpers.tables.role_models import timeline_labels

GAP_COLOUR = "#E69F00"


def plot_role_model_funnel(funnel: pd.DataFrame, ax=None, lang: str = "ja", title: str | None = None, **kwargs):
    """Customers remaining after each role-model criterion, as horizontal bars.

    Parameters
    ----------
    funnel : pandas.DataFrame
        :func:`helpers.tables.role_models.funnel_with_criteria` output (the
        funnel with its steps named).
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
    ax = new_axes(ax, (8, 0.5 * len(funnel) + 1.2))
    y = np.arange(len(funnel))[::-1]
    counts = funnel["customers"].to_numpy(float)
    ax.barh(y, counts, **{"color": PALETTE[0], "height": 0.6, **kwargs})
    ax.set_xscale("log")
    for yi, count, share, rate in zip(y, counts, funnel["share_of_all"], funnel["step_rate"], strict=False):
        step = "" if np.isnan(rate) else (f"（前段の{rate:.0%}）" if lang == "ja" else f" ({rate:.0%} of previous)")
        shown = f"{count:,.0f}人 {share:.1%}{step}" if lang == "ja" else f"{count:,.0f} {share:.1%}{step}"
        ax.text(max(count, 1) * 1.08, yi, shown, va="center", fontsize=8)
    ax.set_yticks(y, funnel["criterion"])
    ax.set_xlim(0.8, max(counts.max(), 1) * 40)
    ax.set_xlabel("顧客数（対数目盛）" if lang == "ja" else "Customers (log scale)")
    set_title(ax, title, ("ロールモデル抽出の絞り込み" if lang == "ja" else "Role-model funnel"))
    ax.grid(axis="y", visible=False)
    return ax


def plot_purchase_timelines(
    timelines: pd.DataFrame,
    ax=None,
    lang: str = "ja",
    show_customer_ids: bool = False,
    annotate_first: int = 3,
    key: bytes | None = None,
    title: str | None = None,
    **kwargs,
):
    """One purchase timeline per customer (a row each), long gaps highlighted.

    Dots sit at days since the first purchase.  Above each row the first
    purchases are listed (初回購入 → +3日 → +21日 → …), each long gap is a
    shaded bar with its length, and the purchase that ends it is labelled.

    Parameters
    ----------
    timelines : pandas.DataFrame
        :func:`helpers.role_models.purchase_timelines` output (rows in display
        order; cut it to the customers to show).
    ax : matplotlib.axes.Axes, optional
    lang : {"ja", "en"}
    show_customer_ids : bool
        Real ids as row labels when ``True``, pseudonyms otherwise.
    annotate_first : int
        Purchases after the first whose labels are listed above each row.
    key : bytes, optional
        The data folder's pseudonym key (``Dataset.pseudonym_key``); needed
        unless ``show_customer_ids``.
    title : str, optional
        Chart title instead of the default (``""`` for none).
    **kwargs
        Passed to the main artist, ``Axes.scatter`` (e.g. ``color``, ``alpha``).

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_lang(lang)
    timelines = timelines.assign(label=timeline_labels(timelines, lang))
    customers = pd.unique(timelines["customer_id"])
    ax = new_axes(ax, (8.2, 0.55 * len(customers) + 1.3))
    row = pd.Series(np.arange(len(customers))[::-1], index=customers)
    y = timelines["customer_id"].map(row).to_numpy(float)
    x = timelines["days_since_first"].to_numpy(float)
    gap_after = timelines["long_gap_before"].to_numpy(bool)
    for yi in row.to_numpy():
        ax.axhline(yi, color="#DDDDDD", linewidth=0.8, zorder=0)
    previous_x = x - timelines["days_since_previous"].fillna(0).to_numpy(float)
    for yi, x0, x1 in zip(y[gap_after], previous_x[gap_after], x[gap_after], strict=False):
        ax.barh(yi, x1 - x0, left=x0, height=0.5, color=GAP_COLOUR, alpha=0.35, zorder=1)
        days = f"空白 {x1 - x0:,.0f}日" if lang == "ja" else f"gap {x1 - x0:,.0f} days"
        ax.text((x0 + x1) / 2, yi, days, ha="center", va="center", fontsize=7, zorder=3)
    ax.scatter(x, y, **{"s": 18, "color": PALETTE[0], "zorder": 2, **kwargs})
    ax.scatter(x[gap_after], y[gap_after], s=40, color=GAP_COLOUR, edgecolor="black", linewidth=0.5, zorder=3)
    for xi, yi, text in zip(x[gap_after], y[gap_after], timelines["label"].to_numpy()[gap_after], strict=False):
        ax.text(xi, yi + 0.22, text, ha="center", va="bottom", fontsize=7, color="#333333")
    # the first purchases are days apart: list their labels above the row instead of at the dots
    first = timelines[timelines["order_number"] <= annotate_first + 1]
    for customer, labels in first.groupby("customer_id", sort=False)["label"]:
        more = " → …" if (timelines["customer_id"] == customer).sum() > len(labels) else ""
        ax.text(0, row[customer] + 0.22, " → ".join(labels) + more, ha="left", va="bottom", fontsize=7, color="#333333")
    names = display_ids(pd.Series(customers), show_customer_ids, key)
    ax.set_yticks(row.to_numpy(), names.to_numpy(), fontsize=8)
    ax.set_ylim(-0.7, len(customers) - 0.3)
    ax.set_xlim(-20, max(np.nanmax(x) if len(x) else 0, 365) + 30)
    ax.set_xlabel("初回購入からの日数" if lang == "ja" else "Days since first purchase")
    set_title(ax, title, ("ロールモデルの購入タイムライン" if lang == "ja" else "Role-model purchase timelines"))
    ax.grid(axis="y", visible=False)
    return ax
