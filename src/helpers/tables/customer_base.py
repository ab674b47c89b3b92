"""Report tables and CSV exports of the customer-base analysis (notebook 08).

Display tables go through :func:`helpers.tables.format_table`; exports keep
numbers as numbers (UTF-8 with BOM is the notebook's job) with the columns the
workbook documents.  Customer ids in exports are pseudonymous unless asked.
"""

from __future__ import annotations

import pandas as pd

from helpers import cohorts, cpm, deciles, privacy, product_paths, rfm
from helpers.labels import label, subject_labels
from helpers.tables.format import format_table

SUBJECT = "customer_base"  # its labels in helpers/texts/labels.yaml


def _labels() -> dict[str, tuple[str, str]]:
    return subject_labels()[SUBJECT]



def text(key: str, lang: str = "ja") -> str:
    """The label of ``key`` in this subject, else the shared one (:func:`helpers.labels.label`)."""
    return label(key, lang, SUBJECT)


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
        labels=_labels(),
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
    return format_table(shown, columns, lang, index="channel", labels=_labels())


def cpm_display(summary: pd.DataFrame, lang: str = "ja") -> pd.DataFrame:
    """:func:`helpers.cpm.cpm_summary` as a report table (class names in ``lang``)."""
    shown = summary.assign(**{"class": summary["class"].map(lambda c: label(c, lang))})
    return format_table(
        shown,
        {"class": "text", "customers": "int", "share": "pct", "revenue": "yen", "revenue_share": "pct"},
        lang,
        index="class",
        labels=_labels(),
    )


def decile_display(table: pd.DataFrame, lang: str = "ja") -> pd.DataFrame:
    """:func:`helpers.deciles.decile_table` as a report table."""
    return format_table(
        table,
        {"decile": "int", "customers": "int", "revenue": "yen", "revenue_share": "pct", "cumulative_share": "pct"},
        lang,
        index="decile",
        labels=_labels(),
    )


def conversion_display(conversion: pd.DataFrame, lang: str = "ja", top_n: int = 10) -> pd.DataFrame:
    """:func:`helpers.product_paths.first_product_conversion` (first ``top_n``) as a report table."""
    shown = conversion.head(top_n).reset_index().rename(columns={"customers": "first_buyers"})
    shown["first_product"] = _name(shown["first_product"], lang)
    shown["top_second_product"] = shown["top_second_product"].astype(object)
    return format_table(
        shown,
        {
            "first_product": "text",
            "first_buyers": "int",
            "f2_conversion": "pct",
            "median_days": "int",
            "same_product_share": "pct",
            "top_second_product": "text",
            "top_second_share": "pct",
        },
        lang,
        index="first_product",
        labels=_labels(),
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
        labels=_labels(),
    )


# ---------------------------------------------------------------------------- exports
def cohort_export(table: pd.DataFrame) -> pd.DataFrame:
    """``cohort_retention.csv``: :data:`helpers.cohorts.COHORT_COLUMNS`, cohort as ``YYYY-MM``."""
    return table.assign(cohort=table["cohort"].astype(str))[list(cohorts.COHORT_COLUMNS)]


def rfm_export(scores: pd.DataFrame, show_customer_ids: bool = False, key: bytes | None = None) -> pd.DataFrame:
    """``rfm.csv``: one row per customer, ``customer_id`` pseudonymous (with the data folder's ``key``)
    unless ``show_customer_ids``."""
    ids = privacy.display_ids(pd.Series(scores.index, index=scores.index), show_customer_ids, key)
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
