"""Report tables of loyalty results: NPS tables, segment values, the playbook, customer lists, fan tiers.

:func:`result_table` formats any result frame of :mod:`helpers.nps`,
:mod:`helpers.segments`, :mod:`helpers.fan_survey` and
:mod:`helpers.role_models` on the one formatter: the kind of each column
comes from the lists given and otherwise from its dtype.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from helpers.labels import LANGS, check_lang, label, texts
from helpers.segments import SEGMENTS
from helpers.tables.format import format_values


def value_label(value, lang: str = "ja", subject: str = "loyalty") -> str:
    """Label of a code shown as a value (segment, fan tier, ``"all"``, ``"unknown"``); other values as text.

    Parameters
    ----------
    value : object
        A code or a client's value (a channel name stays as it is).
    lang : {"ja", "en"}
        Language.
    subject : str
        Label subject tried first (:func:`helpers.labels.label`).

    Returns
    -------
    str
        The label.
    """
    return label(value, lang, subject) if isinstance(value, str) else str(value)


def _kind(values: pd.Series, column: str, lists: Mapping[str, Iterable[str]], decimals: Mapping[str, int]) -> str:
    for kind, columns in lists.items():
        if column in columns:
            return kind
    if column in decimals:
        return {0: "int", 1: "float1", 2: "float2"}[decimals[column]]
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_integer_dtype(dtype):
        return "int"
    if pd.api.types.is_float_dtype(dtype):
        return "float1"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "date"
    return "text"


def result_table(
    frame: pd.DataFrame,
    lang: str = "ja",
    percent: Iterable[str] = (),
    yen: Iterable[str] = (),
    integer: Iterable[str] = (),
    decimals: Mapping[str, int] | None = None,
    dates: Iterable[str] = (),
    column_labels: Mapping[str, tuple[str, str]] | None = None,
    value_labels: Iterable[str] = (),
    translate_index: bool = False,
    subject: str = "loyalty",
) -> pd.DataFrame:
    """A result frame as a report table: every column formatted, headers in ``lang``, index kept.

    Parameters
    ----------
    frame : pandas.DataFrame
        Result to show.
    lang : {"ja", "en"}
        Language of headers and units.
    percent, yen, integer, dates : iterable of str
        Columns shown as ``12.3%``, ``12,345円`` (``¥12,345``), ``1,234``, ``2025-01-31``.
        Other columns by dtype: integers ``1,234``, floats one decimal, flags yes/no.
    decimals : dict, optional
        ``{column: 0, 1 or 2}`` decimals of other numeric columns.
    column_labels : dict, optional
        ``{key: (ja, en)}`` headers that win over the subject's labels.
    value_labels : iterable of str
        Columns whose values are codes to label (segments, fan tiers).
    translate_index : bool
        Label the index values too.
    subject : str
        Label subject of headers and codes (:func:`helpers.labels.label`).

    Returns
    -------
    pandas.DataFrame
        Text cells; missing values as :data:`helpers.tables.MISSING`.
    """
    position = LANGS.index(check_lang(lang))
    lists = {"pct": set(percent), "yen": set(yen), "int": set(integer), "date": set(dates)}
    decimals = dict(decimals or {})
    coded = set(value_labels)

    def header(key) -> str:
        pair = (column_labels or {}).get(key)
        return pair[position] if pair else value_label(key, lang, subject)

    out = pd.DataFrame(index=frame.index.copy())
    for column in frame.columns:
        values = frame[column]
        if column in coded:
            values = values.map(lambda v: v if pd.isna(v) else value_label(v, lang, subject))
        out[column] = format_values(values, _kind(values, column, lists, decimals), lang).to_numpy()
    out = out.rename(columns={column: header(column) for column in frame.columns})
    if translate_index:
        out.index = [value_label(v, lang, subject) for v in frame.index]
    out.index.names = [None if name is None else header(name) for name in frame.index.names]
    return out


def segment_playbook(summary: pd.DataFrame | None = None, lang: str = "ja") -> pd.DataFrame:
    """The approach per loyalty segment, as a hand-over table (copy from ``texts/segment_playbook.yaml``).

    Parameters
    ----------
    summary : pandas.DataFrame, optional
        :func:`helpers.segments.value_by_group` of the segments; adds
        ``customers`` and ``share`` columns.
    lang : {"ja", "en"}
        Language of the texts.

    Returns
    -------
    pandas.DataFrame
        Indexed by segment code (:data:`helpers.segments.SEGMENTS`) with
        ``segment`` (label), optionally ``customers`` and ``share``,
        ``approach``, ``actions``, ``aim``.
    """
    check_lang(lang)
    copy = texts("segment_playbook")
    table = pd.DataFrame([copy[s][lang] for s in SEGMENTS], index=pd.Index(SEGMENTS, name="segment_code"))
    table = table[["approach", "actions", "aim"]]
    table.insert(0, "segment", [label(s, lang) for s in SEGMENTS])
    if summary is not None:
        table.insert(1, "customers", summary["customers"].reindex(list(SEGMENTS)).to_numpy())
        table.insert(2, "share", summary["share"].reindex(list(SEGMENTS)).to_numpy())
    return table


def segment_list_with_approach(listing: pd.DataFrame, lang: str = "ja") -> pd.DataFrame:
    """:func:`helpers.segments.segment_list` with the segment named and its approach, for export and display.

    Parameters
    ----------
    listing : pandas.DataFrame
        The customer list (``segment`` codes).
    lang : {"ja", "en"}
        Language of the segment names and approaches.

    Returns
    -------
    pandas.DataFrame
        Same rows; ``segment`` as a label and ``approach`` after it.
    """
    check_lang(lang)
    copy = texts("segment_playbook")
    codes = listing["segment"].astype(str)
    present = codes.unique()  # a few codes over a million rows: label each once
    shown = listing.assign(segment=codes.map({s: label(s, lang) for s in present}))
    approach = codes.map({s: copy[s][lang]["approach"] for s in present})
    shown.insert(shown.columns.get_loc("segment") + 1, "approach", approach)
    return shown
