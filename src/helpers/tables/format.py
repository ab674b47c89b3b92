"""The one formatter of report numbers and report tables.

Report tables are short (a few dozen rows shown), so values are formatted one
by one; analysis results stay numeric and only the displayed copy is text.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from helpers.labels import LANGS, check_lang, label

#: Shown for a missing value, in every table and language.
MISSING = "-"

#: Between the ends of an interval, per language (``"-1.2 〜 +0.4"``).
INTERVAL_SEPARATOR: dict[str, str] = {"ja": " 〜 ", "en": " to "}

#: Between a value before and after a change (``"1.20 → 1.35"``).
CHANGE_ARROW = " → "

#: Kinds of values :func:`format_value` knows.
KINDS: tuple[str, ...] = (
    "int", "yen", "pct", "pp", "signed", "signed1", "float1", "float2", "p", "date", "bool", "text",
)

#: A column spec of :func:`format_table`: a kind, or (kind, ja header, en header).
ColumnSpec = str | tuple[str, str, str]


def _is_missing(value) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, str):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def format_value(value, kind: str, lang: str = "ja") -> str:
    """One value as report text.

    Parameters
    ----------
    value : object
        A number, date, flag or text; ``None``/NaN/NaT/±inf are missing.
    kind : str
        One of :data:`KINDS` (see the module docstring for examples).
    lang : {"ja", "en"}
        Language (yen sign, yes/no words).

    Returns
    -------
    str
        The text; :data:`MISSING` for a missing value.

    Raises
    ------
    ValueError
        For an unknown ``kind`` or ``lang``.
    """
    check_lang(lang)
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; known kinds: {', '.join(KINDS)}")
    if _is_missing(value):
        return MISSING
    if kind == "text":
        return str(value)
    if kind == "date":
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    if kind == "bool":
        return label("yes" if bool(value) else "no", lang)
    number = float(value)
    if not math.isfinite(number):
        return MISSING
    if kind == "int":
        return f"{number:,.0f}"
    if kind == "yen":
        return f"{number:,.0f}円" if lang == "ja" else f"¥{number:,.0f}"
    if kind == "pct":
        return f"{number:.1%}"
    if kind == "pp":
        return f"{number * 100:+.1f}pt"
    if kind == "signed":
        return f"{number:+.0f}" if round(number) != 0 else "0"
    if kind == "signed1":
        return f"{number:+.1f}" if round(number, 1) != 0 else "0.0"
    if kind == "float1":
        return f"{number:,.1f}"
    if kind == "float2":
        return f"{number:,.2f}"
    return "<0.001" if number < 0.001 else f"{number:.3f}"  # kind == "p"


def format_values(values, kind: str, lang: str = "ja") -> pd.Series:
    """Values as report text (:func:`format_value` for each).

    Parameters
    ----------
    values : pandas.Series or array-like
        Values of one kind.
    kind : str
        One of :data:`KINDS`.
    lang : {"ja", "en"}
        Language.

    Returns
    -------
    pandas.Series
        Object dtype; the index of ``values`` when it is a Series.
    """
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    return pd.Series([format_value(v, kind, lang) for v in series], index=series.index, dtype=object)


def format_interval(low, high, kind: str, lang: str = "ja") -> pd.Series:
    """Intervals as report text, ``"low 〜 high"`` (``"low to high"`` in English).

    Parameters
    ----------
    low, high : pandas.Series or array-like
        Interval ends, aligned.
    kind : str
        Number format of both ends, one of :data:`KINDS`.
    lang : {"ja", "en"}
        Language of the separator.

    Returns
    -------
    pandas.Series
        Object dtype, index of ``low``; :data:`MISSING` when either end is missing.
    """
    lows, highs = format_values(low, kind, lang), format_values(high, kind, lang)
    text = lows + INTERVAL_SEPARATOR[lang] + highs.to_numpy()
    either_missing = (lows == MISSING).to_numpy() | (highs == MISSING).to_numpy()
    return text.where(~either_missing, MISSING)


def format_change(before, after, kind: str, lang: str = "ja") -> pd.Series:
    """Values before and after a change as report text, ``"1.20 → 1.35"``.

    Parameters
    ----------
    before, after : pandas.Series or array-like
        Aligned values.
    kind : str
        Number format of both, one of :data:`KINDS`.
    lang : {"ja", "en"}
        Language.

    Returns
    -------
    pandas.Series
        Object dtype, index of ``before``.
    """
    return format_values(before, kind, lang) + CHANGE_ARROW + format_values(after, kind, lang).to_numpy()


def p_text(p: float) -> str:
    """A p-value for a sentence: ``"p < 0.001"`` or ``"p = 0.012"`` (``"p = -"`` when missing).

    Parameters
    ----------
    p : float
        The p-value.

    Returns
    -------
    str
        The text.
    """
    if _is_missing(p):
        return f"p = {MISSING}"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _header(column: str, spec: ColumnSpec, lang: str, labels: Mapping[str, tuple[str, str]] | None) -> str:
    if not isinstance(spec, str):
        return spec[1 + LANGS.index(lang)]
    own = (labels or {}).get(column)
    return own[LANGS.index(lang)] if own else label(column, lang)


def format_table(
    frame: pd.DataFrame,
    columns: Mapping[str, ColumnSpec],
    lang: str = "ja",
    index: str | None = None,
    keep_index: bool = False,
    labels: Mapping[str, tuple[str, str]] | None = None,
) -> pd.DataFrame:
    """A report table: chosen columns in order, formatted, with ja/en headers.

    Parameters
    ----------
    frame : pandas.DataFrame
        Source table (numbers and codes; values to show in words are mapped
        to text by the caller before).
    columns : dict
        ``column -> kind`` or ``column -> (kind, ja header, en header)``, in
        display order.  With a bare kind the header comes from ``labels``,
        else from :func:`helpers.labels.label`.
    lang : {"ja", "en"}
        Language of headers and units.
    index : str, optional
        A column of ``columns`` shown as the row labels (a step number, a
        rank).  Without it rows are numbered from 1, unless ``keep_index``.
    keep_index : bool
        Keep ``frame``'s index as the row labels (its name labelled like a
        column header).
    labels : dict, optional
        A subject's own ``{key: (ja, en)}`` headers for bare-kind columns.

    Returns
    -------
    pandas.DataFrame
        Text cells.

    Raises
    ------
    ValueError
        For an unknown ``lang`` or kind, or two columns with the same header.
    """
    check_lang(lang)
    headers = {column: _header(column, spec, lang, labels) for column, spec in columns.items()}
    repeated = sorted({h for h in headers.values() if list(headers.values()).count(h) > 1})
    if repeated:
        # two columns under one header would silently become one
        raise ValueError(f"columns share a header in {lang!r}: {', '.join(repeated)}; give each its own")
    kinds = {column: spec if isinstance(spec, str) else spec[0] for column, spec in columns.items()}
    if keep_index:
        row_labels = frame.index.copy()  # naming it must not rename the caller's index
    else:
        row_labels = pd.RangeIndex(1, len(frame) + 1)
    shown = pd.DataFrame(
        {headers[column]: format_values(frame[column], kinds[column], lang).to_numpy() for column in columns},
        index=row_labels,
    )
    if keep_index:
        names = [None if name is None else _header(name, "text", lang, labels) for name in frame.index.names]
        shown.index.names = names
    if index is not None:
        shown = shown.set_index(headers[index])
    return shown
