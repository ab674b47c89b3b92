"""The columnar engine behind :mod:`helpers.io`: CSV cells read and parsed in Arrow.

Reading millions of cells as Python strings and parsing them in pandas is the
slow part of validation.  Here pyarrow's multi-threaded CSV reader reads every
cell as text, and Arrow compute kernels parse the common clean spellings
(``2024-01-05``, ``1980``, ``TRUE``) and find the blanks, the ranges broken,
the duplicates and the unknown customers, without a Python call per cell.

The engine only *claims* what it can read exactly as :mod:`helpers.io`'s
pandas rules would: every other cell (``2024年1月5日``, ``¥1,980``, a
full-width digit, a typo) is handed back to those rules, so values, problems,
messages and line numbers are the same whichever way a cell went.  A file the
reader cannot take as it is (not UTF-8, ragged rows, blank lines, line breaks
inside quotes, duplicate or empty headers) goes the pandas way whole.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from helpers import schemas

#: pandas' text dtype for columns read from a file (what ``read_csv(dtype=str)`` gives).
RAW_TEXT_DTYPE = pd.StringDtype("pyarrow", na_value=np.nan)
#: The dtype of a parsed text column (blank cells missing as ``pd.NA``).
TEXT_DTYPE = pd.StringDtype("pyarrow")

# Whole numbers of up to 15 digits are exact in float64, whichever parser reads them.
_WHOLE_NUMBER = r"^-?[0-9]{1,15}$"
# Years 1900-2099 only: far dates (and their nanosecond overflow) take the pandas way.
_ISO_DATE = r"^(?:19|20)[0-9]{2}-[0-9]{2}-[0-9]{2}$"
# Every character Python's str.isspace() accepts: a blank-looking cell starts with one.
_MAYBE_SPACE = (
    "^[\\s\\x{1c}-\\x{1f}\\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}]"
)
_BOOL_SPELLINGS = {"True": True, "False": False, "TRUE": True, "FALSE": False, "true": True, "false": False,
                   "1": True, "0": False}


def read_csv_text(path: Path, delimiter: str, data: bytes) -> pd.DataFrame | None:
    """Every cell of a UTF-8 CSV file as text, or None when the file needs the pandas reader.

    Parameters
    ----------
    path : pathlib.Path
        The file (for nothing but its name in errors).
    delimiter : str
        ``","`` or ``"\\t"``.
    data : bytes
        UTF-8 bytes of the file, BOM removed.

    Returns
    -------
    pandas.DataFrame or None
        One text column (:data:`RAW_TEXT_DTYPE`) per header, one row per line
        after the header, so row ``i`` is on line ``i + 2``.  None when the
        file is not plain UTF-8 CSV of one record per line with distinct,
        non-empty headers: the caller then reads it with pandas.
    """
    first_end = data.find(b"\n")
    header_bytes = data if first_end < 0 else data[: first_end + 1]
    if not header_bytes.strip() or b'"' in header_bytes:
        return None
    parse = pa_csv.ParseOptions(delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False)
    try:
        names = pa_csv.read_csv(pa.py_buffer(header_bytes), parse_options=parse).column_names
    except pa.ArrowInvalid:
        return None
    if len(set(names)) != len(names) or any(name == "" for name in names):
        return None
    convert = pa_csv.ConvertOptions(
        column_types={name: pa.string() for name in names},
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
        null_values=[],
    )
    try:
        table = pa_csv.read_csv(pa.py_buffer(data), parse_options=parse, convert_options=convert)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        # a shape Arrow's reader refuses (ragged rows, odd quoting): None hands the
        # file to the pandas reader, which reports each problem with its line
        return None
    body_lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1) - 1
    if table.num_rows != body_lines:
        return None  # quoted line breaks: the pandas reader finds each record's line
    return pd.DataFrame(
        {name: pd.array(column, dtype=RAW_TEXT_DTYPE) for name, column in zip(names, table.columns, strict=True)},
        copy=False,
    )


def arrow_text(raw: pd.Series) -> pa.ChunkedArray:
    """The cells of a column as an Arrow string array (zero-copy for Arrow-backed text)."""
    if isinstance(raw.dtype, pd.StringDtype) and raw.dtype.storage == "pyarrow":
        return pa.chunked_array(raw.array._pa_array).cast(pa.large_string())
    return pa.chunked_array([pa.array(raw.astype(object).to_numpy(), type=pa.large_string(), from_pandas=True)])


def parse_clean(cells: pa.ChunkedArray, kind: str) -> tuple[pd.Series, np.ndarray]:
    """Parse the cells of ``kind`` the engine can read exactly.

    Parameters
    ----------
    cells : pyarrow.ChunkedArray
        Cell texts (``""`` for blank).
    kind : str
        Column kind from :class:`helpers.schemas.ColumnSpec`.

    Returns
    -------
    values : pandas.Series
        Typed values of the claimed cells, missing elsewhere, in the dtype of
        :func:`helpers.schemas.dtype_of`.
    rest : numpy.ndarray of bool
        Non-blank cells the engine did not claim: the caller parses them
        with the pandas rules.
    """
    blank = pc.equal(cells, "")
    if kind == "text":
        maybe_space = pc.match_substring_regex(cells, _MAYBE_SPACE)
        values = pc.if_else(blank, pa.scalar(None, pa.large_string()), cells)
        values = pd.Series(pd.array(values, dtype=TEXT_DTYPE))
        spaced = np.flatnonzero(_numpy_bool(maybe_space))
        if len(spaced):
            only_space = np.array([str(s).strip() == "" for s in values.iloc[spaced]], dtype=bool)
            values.iloc[spaced[only_space]] = pd.NA
        return values, np.zeros(len(cells), dtype=bool)
    if kind == "date":
        looks = pc.match_substring_regex(cells, _ISO_DATE)
        stamps = pc.strptime(pc.if_else(looks, cells, pa.scalar(None, pa.large_string())), format="%Y-%m-%d",
                             unit="s", error_is_null=True)
        # strptime rolls 2024-02-30 over to March: only dates that print back as written are claimed
        claimed = pc.equal(stamps.cast(pa.date32()).cast(pa.large_string()), cells)
        stamps = pc.if_else(claimed, stamps, pa.scalar(None, stamps.type))
        values = pd.Series(stamps.cast(pa.timestamp("ns")).to_numpy(zero_copy_only=False), dtype="datetime64[ns]")
    elif kind in ("amount", "int", "fan_stage", "liking"):
        claimed = pc.match_substring_regex(cells, _WHOLE_NUMBER)
        numbers = pc.cast(pc.if_else(claimed, cells, pa.scalar("0", pa.large_string())), pa.int64())
        whole = numbers.to_numpy()
        if kind == "amount":
            values = pd.Series(np.where(_numpy_bool(claimed), whole.astype("float64"), np.nan))
        else:
            values = pd.Series(pd.arrays.IntegerArray(whole, ~_numpy_bool(claimed)))
    elif kind == "bool":
        spellings = pa.array(list(_BOOL_SPELLINGS), type=pa.large_string())
        truth = pa.array(list(_BOOL_SPELLINGS.values()), type=pa.bool_())
        position = pc.index_in(cells, value_set=spellings)
        claimed = pc.is_valid(position)
        picked = truth.take(pc.fill_null(position, 0).combine_chunks()).to_numpy(zero_copy_only=False)
        values = pd.Series(pd.arrays.BooleanArray(picked, ~_numpy_bool(claimed)))
    else:  # scenario, month and any kind without a clean spelling: all by the pandas rules
        claimed = pc.is_null(cells)
        values = pd.Series(index=range(len(cells)), dtype=schemas.dtype_of(kind))
    rest = ~_numpy_bool(claimed) & ~_numpy_bool(blank)
    return values, rest


def _numpy_bool(mask: pa.ChunkedArray) -> np.ndarray:
    """A boolean Arrow array as numpy, nulls as False."""
    return pc.fill_null(mask, False).to_numpy(zero_copy_only=False).astype(bool, copy=False)


def arrow_values(values: pd.Series) -> pa.ChunkedArray:
    """A parsed column as Arrow, for the engine's checks (zero-copy where pandas holds Arrow)."""
    array = values.array
    if hasattr(array, "__arrow_array__"):
        out = array.__arrow_array__()
    else:
        out = pa.array(values.to_numpy(), from_pandas=True)
    return out if isinstance(out, pa.ChunkedArray) else pa.chunked_array([out])


def may_break_schema(values: pd.Series, required: bool, low, high, unique: bool, allowed=None) -> bool:
    """Whether a parsed column may fail its schema checks (a cheap, conservative test).

    False means the column certainly passes: not null where required, within
    ``low .. high``, unique, in ``allowed``.  True means the exact checks must
    run to say which cells fail.
    """
    cells = arrow_values(values)
    if required and cells.null_count:
        return True
    if low is not None and len(cells) and pc.any(pc.less(cells, low)).as_py():
        return True
    if high is not None and len(cells) and pc.any(pc.greater(cells, high)).as_py():
        return True
    if allowed is not None and len(cells) and pc.any(pc.invert(pc.is_in(cells, value_set=pa.array(allowed)))).as_py():
        return True
    return unique and pc.count_distinct(cells, mode="all").as_py() != len(cells)


def unknown_positions(ids: pd.Series, known: pd.Series) -> np.ndarray:
    """Positions of the non-missing ``ids`` that are not among ``known``."""
    cells = arrow_values(ids)
    found = pc.is_in(cells, value_set=arrow_values(known).combine_chunks())
    return np.flatnonzero(~_numpy_bool(found) & _numpy_bool(pc.is_valid(cells)))


def count_distinct(values: pd.Series) -> int:
    """Distinct non-missing values of a column."""
    return int(pc.count_distinct(arrow_values(values), mode="only_valid").as_py())
