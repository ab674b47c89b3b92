"""Report tables of :mod:`helpers.ltv`: classic and lifetime LTV, friction scenarios, ROI, customer lists."""

from __future__ import annotations

import pandas as pd

from helpers.labels import LANGS, check_lang, label
from helpers.ltv import FrictionScenarios
from helpers.privacy import display_ids
from helpers.tables.format import format_change, format_interval, format_table, format_values


def table_label(key: str, lang: str = "ja") -> str:
    """Display label of an LTV column or row key (``"all"``, ``"combined"``, segment codes).

    Parameters
    ----------
    key : str
        Column name or row key.
    lang : {"ja", "en"}
        Language.

    Returns
    -------
    str
        The label; unknown keys unchanged.
    """
    return label(key, lang, "ltv")


def _display(frame: pd.DataFrame, columns: dict[str, str], lang: str, index_label: str) -> pd.DataFrame:
    specs = {c: (kind, table_label(c, "ja"), table_label(c, "en")) for c, kind in columns.items()}
    shown = format_table(frame, specs, lang, keep_index=True)
    shown.index = pd.Index([table_label(str(key), lang) for key in frame.index], name=table_label(index_label, lang))
    return shown


def classic_display(classic: pd.DataFrame, lang: str = "ja") -> pd.DataFrame:
    """:func:`helpers.ltv.classic_ltv` with labelled, formatted columns for a report.

    Parameters
    ----------
    classic : pandas.DataFrame
        One row per group (``"all"`` first).
    lang : {"ja", "en"}
        Language.

    Returns
    -------
    pandas.DataFrame
        Text cells, groups as row labels.
    """
    columns = {"customers": "int", "aov": "yen", "frequency": "float2", "ltv_1y": "yen",
               "retention": "pct", "churn": "pct"}
    return _display(classic, columns, lang, "group")


def lifetime_display(table: pd.DataFrame, lang: str = "ja") -> pd.DataFrame:
    """:func:`helpers.ltv.lifetime_ltv` with labelled, formatted columns and the 95% ranges.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per group.
    lang : {"ja", "en"}
        Language.

    Returns
    -------
    pandas.DataFrame
        Text cells, groups as row labels.
    """
    shown = _display(table, {"customers": "int", "aov": "yen", "frequency": "float2",
                             "lifetime_years": "float2"}, lang, "group")
    shown[table_label("lifetime_range", lang)] = format_interval(
        table["lifetime_low"], table["lifetime_high"], "float2", lang).to_numpy()
    shown[table_label("ltv", lang)] = format_values(table["ltv"], "yen", lang).to_numpy()
    shown[table_label("ltv_range", lang)] = format_interval(table["ltv_low"], table["ltv_high"], "yen", lang).to_numpy()
    return shown


def _without_redundant_combined(table: pd.DataFrame) -> pd.DataFrame:
    """With one touchpoint, the combined row repeats it: leave it out."""
    return table.iloc[:1] if len(table) == 2 else table


def scenario_display(
    scenarios: FrictionScenarios, lang: str = "ja", intervals: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The before/after table of :func:`helpers.ltv.friction_scenarios` for a report.

    One row per touchpoint, then all fixed together when there are several.

    Parameters
    ----------
    scenarios : FrictionScenarios
        The scenarios.
    lang : {"ja", "en"}
        Language.
    intervals : pandas.DataFrame, optional
        :func:`helpers.ltv_intervals.scenario_intervals` indexed by
        ``scenario``: adds the 95% intervals of the LTV before, after and
        of the gain, each beside its value.

    Returns
    -------
    pandas.DataFrame
        Text cells, touchpoints as row labels.
    """
    table = _without_redundant_combined(scenarios.scenarios)
    shown = _display(table, {"customers_affected": "int", "customers_fixed": "int"}, lang, "touchpoint")
    shown[table_label("lifetime_change", lang)] = format_change(
        table["lifetime_before"], table["lifetime_after"], "float2", lang).to_numpy()
    shown[table_label("frequency_change", lang)] = format_change(
        table["frequency_before"], table["frequency_after"], "float2", lang).to_numpy()
    # yen columns and the interval columns of scenario_intervals that belong to them
    for column, bounds in (("ltv_before", "ltv_before"), ("ltv_after", "ltv_after"), ("ltv_delta", "ltv_gain")):
        shown[table_label(column, lang)] = format_values(table[column], "yen", lang).to_numpy()
        if intervals is not None:
            rows = intervals.reindex(table.index)
            shown[table_label(f"{column}_range", lang)] = format_interval(
                rows[f"{bounds}_low"], rows[f"{bounds}_high"], "yen", lang).to_numpy()
    return shown


def roi_display(roi: pd.DataFrame, lang: str = "ja") -> pd.DataFrame:
    """:func:`helpers.ltv.improvement_roi` for a report (the combined row only when several are fixed).

    Parameters
    ----------
    roi : pandas.DataFrame
        One row per scenario.
    lang : {"ja", "en"}
        Language.

    Returns
    -------
    pandas.DataFrame
        Text cells, touchpoints as row labels.
    """
    roi = _without_redundant_combined(roi)
    columns = {"cost": "yen", "benefit": "yen", "roi": "pct", "new_customers_for_budget": "int",
               "acquisition_value": "yen", "benefit_vs_acquisition": "float2"}
    return _display(roi, columns, lang, "touchpoint")


_CUSTOMER_LABELS: dict[str, tuple[str, str]] = {
    "segment": ("セグメント", "Segment"),
    "n_orders": ("購入回数", "Orders"),
    "revenue": ("累計購入額 (円)", "Spend to date (JPY)"),
    "last_order": ("最終購入日", "Last order"),
    "p_alive": ("生存確率", "P(alive)"),
    "expected_purchases": ("予測購入回数", "Expected purchases"),
    "clv": ("予測CLV (円)", "Predicted CLV (JPY)"),
}
_CUSTOMER_KINDS = {"n_orders": "int", "revenue": "yen", "p_alive": "pct", "expected_purchases": "float2", "clv": "yen"}


def customers_display(
    value: pd.DataFrame,
    show_customer_ids: bool = False,
    lang: str = "ja",
    formatted: bool = True,
    key: bytes | None = None,
) -> pd.DataFrame:
    """Customer rows (:func:`helpers.ltv.customer_value`) for a report or a CSV export.

    Parameters
    ----------
    value : pandas.DataFrame
        From :func:`helpers.ltv.customer_value` (or a selection of its rows).
    show_customer_ids : bool
        Real customer ids instead of pseudonyms
        (:func:`helpers.privacy.display_ids`).
    lang : {"ja", "en"}
        Language of the column labels and segment names.
    formatted : bool
        ``True``: text for a report table; ``False``: numbers and ISO dates,
        for a CSV file.
    key : bytes, optional
        The data folder's pseudonym key (``Dataset.pseudonym_key``); needed
        unless ``show_customer_ids``.

    Returns
    -------
    pandas.DataFrame
        Indexed by the displayed customer id, labelled columns.
    """
    ids = display_ids(pd.Series(value.index.astype(str), index=value.index), show_customer_ids, key)
    shown = pd.DataFrame(index=pd.Index(ids.to_numpy(), name=label("customer_id", lang)))
    position = LANGS.index(check_lang(lang))
    for column, pair in _CUSTOMER_LABELS.items():
        if column not in value.columns:
            continue
        values = value[column]
        if column == "segment":
            text = values.astype(object).map(lambda s: table_label(str(s), lang) if pd.notna(s) else "")
        elif column == "last_order":
            text = values.dt.strftime("%Y-%m-%d")
        elif formatted:
            text = format_values(values, _CUSTOMER_KINDS[column], lang)
        else:
            text = values.round(4) if column in ("p_alive", "expected_purchases") else values.round(0)
        shown[pair[position]] = text.to_numpy()
    return shown
