"""Report tables of :mod:`helpers.friction`: friction points, rating effects, repeat funnel, gaps, stops."""

from __future__ import annotations

import pandas as pd

from helpers.labels import label
from helpers.tables.format import format_interval, format_table, format_values


def _confirmed(codes: pd.Series, lang: str) -> list[str]:
    return [label(c, lang, "confirmed") for c in codes]


#: Columns of :func:`friction_display`: column -> (kind, ja header, en header).
FRICTION_COLUMNS: dict[str, tuple[str, str, str]] = {
    "rank": ("int", "順位", "Rank"),
    "persona": ("text", "ペルソナ", "Persona"),
    "step": ("int", "No.", "No."),
    "touchpoint": ("text", "タッチポイント", "Touchpoint"),
    "emotion": ("signed1", "感情", "Emotion"),
    "severity": ("float1", "深刻度", "Severity"),
    "effect": ("pp", "低評価者の差", "Low raters' gap"),
    "confirmed": ("text", "行動で確認", "Confirmed"),
}


def friction_display(
    table: pd.DataFrame, lang: str = "ja", top_n: int | None = None, rank_as_index: bool = False
) -> pd.DataFrame:
    """:func:`helpers.friction.friction_table` (first ``top_n`` ranks) as a report table of eight columns.

    Parameters
    ----------
    table : pandas.DataFrame
        Ranked friction points.
    lang : {"ja", "en"}
        Language.
    top_n : int, optional
        Ranks shown (all when ``None``).
    rank_as_index : bool
        The rank labels the rows instead of being a column (rows are
        numbered 1.. otherwise).

    Returns
    -------
    pandas.DataFrame
        Text cells.
    """
    rows = table if top_n is None else table.head(top_n)
    shown = rows.assign(confirmed=_confirmed(rows["confirmed"], lang))
    return format_table(shown, FRICTION_COLUMNS, lang, index="rank" if rank_as_index else None)


def effects_display(
    effects: pd.DataFrame, metric: str, lang: str = "ja", p_adjust: str | None = "holm"
) -> pd.DataFrame:
    """:func:`helpers.friction.rating_effects` for one metric as a report table.

    Parameters
    ----------
    effects : pandas.DataFrame
        Effects of low ratings, all metrics.
    metric : str
        The metric to show.
    lang : {"ja", "en"}
        Language.
    p_adjust : str, optional
        The p-value adjustment used there (``"holm"`` or ``None``), for the header.

    Returns
    -------
    pandas.DataFrame
        Text cells.
    """
    rows = effects[effects["metric"] == metric]
    shown = rows.assign(
        confirmed=_confirmed(rows["confirmed"], lang),
        interval=format_interval(rows["effect_low"], rows["effect_high"], "pp", lang).to_numpy(),
        groups=(format_values(rows["n_low"], "int") + " / " + format_values(rows["n_other"], "int")).to_numpy(),
    )
    columns = {
        "touchpoint": "text",
        "groups": ("text", "n（低評価/他）", "n (low/others)"),
        "rate_low": ("pct", "低評価者", "Low raters"),
        "rate_other": ("pct", "それ以外", "Others"),
        "effect": ("pp", "差", "Difference"),
        "interval": ("text", "95%信頼区間", "95% CI"),
        "p_adjusted": ("p", "p値（Holm補正）", "p (Holm)") if p_adjust == "holm" else ("p", "p値", "p"),
        "confirmed": ("text", "確認", "Confirmed"),
    }
    return format_table(shown, columns, lang)


def funnel_display(funnel: pd.DataFrame, lang: str = "ja") -> pd.DataFrame:
    """:func:`helpers.friction.repeat_funnel` as a report table.

    Parameters
    ----------
    funnel : pandas.DataFrame
        Indexed by purchase number ``n``: customers, conversion, lost.
    lang : {"ja", "en"}
        Language.

    Returns
    -------
    pandas.DataFrame
        Text cells.
    """
    shown = funnel.reset_index()
    shown["step"] = [("1回目" if lang == "ja" else "#1") if n == 1 else
                     (f"{n - 1}回目→{n}回目" if lang == "ja" else f"#{n - 1} to #{n}") for n in shown["n"]]
    columns = {
        "step": ("text", "購入", "Purchase"),
        "customers": ("int", "顧客数", "Customers"),
        "conversion": ("pct", "転換率", "Conversion"),
        "lost": ("int", "離れた顧客", "Lost"),
    }
    return format_table(shown, columns, lang)


def gap_summary_display(summary: pd.DataFrame, lang: str = "ja") -> pd.DataFrame:
    """:func:`helpers.friction.gap_summary` as a report table.

    Parameters
    ----------
    summary : pandas.DataFrame
        Indexed by ``from_n``: n and the day quantiles.
    lang : {"ja", "en"}
        Language.

    Returns
    -------
    pandas.DataFrame
        Text cells.
    """
    last = summary.index.max() if len(summary) else 0
    shown = summary.reset_index()
    shown["transition"] = [
        (f"{n}回目以降" if lang == "ja" else f"#{n} onwards") if n == last and last > 1
        else (f"{n}回目→{n + 1}回目" if lang == "ja" else f"#{n} to #{n + 1}")
        for n in shown["from_n"]
    ]
    columns = {
        "transition": ("text", "購入", "Purchase"),
        "n": ("int", "件数", "n"),
        "p25": ("int", "25%点（日）", "25th pct (days)"),
        "median": ("int", "中央値（日）", "Median (days)"),
        "p75": ("int", "75%点（日）", "75th pct (days)"),
        "p90": ("int", "90%点（日）", "90th pct (days)"),
    }
    return format_table(shown, columns, lang)


def stops_display(stops: pd.DataFrame, lang: str = "ja") -> pd.DataFrame:
    """:func:`helpers.friction.subscription_stops` as a report table.

    Parameters
    ----------
    stops : pandas.DataFrame
        Indexed by shipment: reached, continued, stopped, open, hazard and its interval.
    lang : {"ja", "en"}
        Language.

    Returns
    -------
    pandas.DataFrame
        Text cells, the shipment number as the row label.
    """
    shown = stops.reset_index().assign(
        interval=lambda t: format_interval(t["hazard_low"], t["hazard_high"], "pct", lang)
    )
    columns = {
        "shipment": ("int", "お届け回数", "Shipment"),
        "reached": ("int", "到達顧客", "Reached"),
        "continued": ("int", "継続", "Continued"),
        "stopped": ("int", "停止", "Stopped"),
        "open": ("int", "判定待ち", "Open"),
        "hazard": ("pct", "停止率", "Stop rate"),
        "interval": ("text", "95%信頼区間", "95% CI"),
    }
    return format_table(shown, columns, lang, index="shipment")
