"""Report tables and CSV exports of the customer-base analysis (notebook 08).

Display tables go through :func:`helpers.tables.format_table`; exports keep
numbers as numbers (UTF-8 with BOM is the notebook's job) with the columns the
workbook documents.  Customer ids in exports are pseudonymous unless asked.
"""

from __future__ import annotations

import pandas as pd

from helpers import cohorts, cpm, deciles, privacy, product_paths, rfm
from helpers.labels import LANGS, check_lang, label
from helpers.tables.format import format_table

_TEXT: dict[str, tuple[str, str]] = {
    "unknown": ("不明", "Unknown"),
    "no_second": ("2回目なし", "No second order"),
    "channel": ("獲得チャネル", "Acquisition channel"),
    "new_customers": ("新規顧客数", "New customers"),
    "customers_1y": ("1年経過した顧客", "Customers with 1 year"),
    "ltv_1y": ("1年LTV（売上）", "1-year LTV (revenue)"),
    "ltv_1y_margin": ("1年LTV（粗利）", "1-year LTV (margin)"),
    "cpo": ("CPO", "CPO"),
    "cpo_source": ("CPOの出所", "CPO from"),
    "ltv_to_cpo": ("LTV÷CPO", "LTV / CPO"),
    "margin_ltv_to_cpo": ("粗利LTV÷CPO", "Margin LTV / CPO"),
    "payback_month": ("回収月（初回から）", "Payback month"),
    "ad_costs": ("広告費の表", "ad costs table"),
    "parameter": ("設定値", "parameter"),
    "class": ("CPM客層", "CPM class"),
    "customers": ("顧客数", "Customers"),
    "revenue": ("累計売上", "Revenue"),
    "share": ("顧客構成比", "Share of customers"),
    "revenue_share": ("売上構成比", "Share of revenue"),
    "decile": ("デシル", "Decile"),
    "cumulative_share": ("累積構成比", "Cumulative share"),
    "first_product": ("初回購入商品", "First product"),
    "second_buyers": ("2回目購入者", "Second buyers"),
    "f2_conversion": ("F2転換率", "F2 conversion"),
    "median_days": ("2回目までの日数（中央値）", "Median days to 2nd"),
    "top_second_product": ("次に多い商品（別の商品）", "Leads to (other product)"),
    "top_second_share": ("その割合", "Its share"),
    "same_product_share": ("同じ商品の再購入", "Same product again"),
    "months_since": ("経過月", "Month"),
    "retention": ("継続率", "Retention"),
    "cumulative_revenue_per_customer": ("累積売上／獲得顧客", "Cumulative revenue per customer"),
    "cohorts": ("獲得月の数", "Cohorts"),
    "shipment": ("お届け回数", "Shipment"),
    "observed": ("実績の継続率", "Observed"),
    "projected": ("予測の継続率", "Projected"),
    "retention_rate": ("前回からの継続率", "Retention from previous"),
}


def text(key: str, lang: str = "ja") -> str:
    """This module's label of ``key``, else :func:`helpers.labels.label`."""
    pair = _TEXT.get(key)
    return label(key, lang) if pair is None else pair[LANGS.index(check_lang(lang))]


def _name(values: pd.Series, lang: str, missing: str = "unknown") -> pd.Series:
    """Data values as shown: missing ones as 不明 / Unknown (or ``missing``'s label)."""
    return values.astype(object).where(values.notna(), text(missing, lang)).astype(str)


# ---------------------------------------------------------------------------- display tables
def cohort_average_display(table: pd.DataFrame, months=(1, 2, 3, 6, 12, 24), lang: str = "ja") -> pd.DataFrame:
    """Pooled retention and cumulative revenue per customer at selected months since acquisition."""
    pooled = cohorts.average_retention(table)
    pooled = pooled.loc[[m for m in months if m in pooled.index]].reset_index()
    return format_table(
        pooled,
        {
            "months_since": "int",
            "cohorts": "int",
            "customers": "int",
            "retention": "pct",
            "cumulative_revenue_per_customer": "yen",
        },
        lang,
        index="months_since",
        labels=_TEXT,
    )


def channel_display(table: pd.DataFrame, lang: str = "ja") -> pd.DataFrame:
    """:attr:`helpers.channel_ltv.ChannelLTV.table` as a report table."""
    shown = table.assign(
        channel=_name(table["channel"], lang),
        cpo_source=table["cpo_source"].map(lambda s: text(s, lang) if isinstance(s, str) else None),
    )
    columns = {
        "channel": "text",
        "new_customers": "int",
        "customers_1y": "int",
        "ltv_1y": "yen",
        "ltv_1y_margin": "yen",
    }
    if table["cpo"].notna().any():
        columns |= {
            "cpo": "yen",
            "ltv_to_cpo": "float2",
            "margin_ltv_to_cpo": "float2",
            "payback_month": "int",
            "cpo_source": "text",
        }
    return format_table(shown, columns, lang, index="channel", labels=_TEXT)


def cpm_display(summary: pd.DataFrame, lang: str = "ja") -> pd.DataFrame:
    """:func:`helpers.cpm.cpm_summary` as a report table (class names in ``lang``)."""
    shown = summary.assign(**{"class": summary["class"].map(lambda c: label(c, lang))})
    return format_table(
        shown,
        {"class": "text", "customers": "int", "share": "pct", "revenue": "yen", "revenue_share": "pct"},
        lang,
        index="class",
        labels=_TEXT,
    )


def decile_display(table: pd.DataFrame, lang: str = "ja") -> pd.DataFrame:
    """:func:`helpers.deciles.decile_table` as a report table."""
    return format_table(
        table,
        {"decile": "int", "customers": "int", "revenue": "yen", "revenue_share": "pct", "cumulative_share": "pct"},
        lang,
        index="decile",
        labels=_TEXT,
    )


def conversion_display(conversion: pd.DataFrame, lang: str = "ja", top_n: int = 10) -> pd.DataFrame:
    """:func:`helpers.product_paths.first_product_conversion` (first ``top_n``) as a report table."""
    shown = conversion.head(top_n).reset_index()
    shown["first_product"] = _name(shown["first_product"], lang)
    shown["top_second_product"] = shown["top_second_product"].astype(object)
    return format_table(
        shown,
        {
            "first_product": "text",
            "customers": "int",
            "f2_conversion": "pct",
            "median_days": "int",
            "same_product_share": "pct",
            "top_second_product": "text",
            "top_second_share": "pct",
        },
        lang,
        index="first_product",
        labels={**_TEXT, "customers": ("初回購入者", "First buyers")},
    )


def sbg_display(projection: pd.DataFrame, shipments=(2, 3, 4, 6, 9, 12, 18, 24, 36), lang: str = "ja") -> pd.DataFrame:
    """Observed and projected survival at selected shipment numbers."""
    shown = projection.reset_index().assign(shipment=lambda t: t["t"] + 1)
    shown = shown[shown["shipment"].isin(shipments)]
    return format_table(
        shown,
        {"shipment": "int", "observed": "pct", "projected": "pct", "retention_rate": "pct"},
        lang,
        index="shipment",
        labels=_TEXT,
    )


# ---------------------------------------------------------------------------- exports
def cohort_export(table: pd.DataFrame) -> pd.DataFrame:
    """``cohort_retention.csv``: :data:`helpers.cohorts.COHORT_COLUMNS`, cohort as ``YYYY-MM``."""
    return table.assign(cohort=table["cohort"].astype(str))[list(cohorts.COHORT_COLUMNS)]


def rfm_export(scores: pd.DataFrame, show_customer_ids: bool = False) -> pd.DataFrame:
    """``rfm.csv``: one row per customer, ``customer_id`` pseudonymous unless ``show_customer_ids``."""
    ids = privacy.display_ids(pd.Series(scores.index, index=scores.index), show_customer_ids)
    return scores.reset_index(drop=True).assign(customer_id=ids.to_numpy())[["customer_id", *rfm.RFM_COLUMNS]]


def cpm_export(summary: pd.DataFrame, lang: str = "ja") -> pd.DataFrame:
    """``cpm_summary.csv``: ``class`` (name in ``lang``), ``customers``, ``revenue``, ``share``."""
    return summary.assign(**{"class": summary["class"].map(lambda c: label(c, lang))})[list(cpm.SUMMARY_COLUMNS)]


def decile_export(table: pd.DataFrame) -> pd.DataFrame:
    """``decile.csv``: :data:`helpers.deciles.DECILE_COLUMNS`."""
    return table[list(deciles.DECILE_COLUMNS)]


def paths_export(paths: pd.DataFrame) -> pd.DataFrame:
    """``product_paths.csv``: :data:`helpers.product_paths.PATH_COLUMNS`; an empty second product = no second order."""
    return paths[list(product_paths.PATH_COLUMNS)]
