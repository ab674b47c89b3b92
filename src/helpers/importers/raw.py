"""Reading raw shop exports: encoding, headers, and the columns a mapping needs.

Exports arrive as the shop system writes them: cp932 (with its extension
characters such as 髙, 﨑, ～) or UTF-8 with or without a BOM, quoted or not,
CRLF or LF, sometimes with the same header twice.  Only the header is read to
recognise a file; the body is read with pyarrow, and only the columns the
mapping uses, so a 70-column export costs what its dozen used columns cost.
"""

from __future__ import annotations

import csv
import io as _io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from helpers.io import Problem

_SNIFF_BYTES = 1 << 20
#: File name endings read as exports.
EXPORT_SUFFIXES = (".csv", ".tsv", ".txt")


def normalize_header(header: str) -> str:
    """A header as compared with a mapping: NFKC, trimmed, case-folded."""
    return unicodedata.normalize("NFKC", header).strip().casefold()


@dataclass(frozen=True)
class ExportFile:
    """The header of one export file and how to read its body.

    Attributes
    ----------
    path : pathlib.Path
    encoding : str
        ``"utf-8"``, ``"utf-8-sig"`` or ``"cp932"``.
    delimiter : str
    headers : tuple of str
        Header cells as written (trimmed).
    names : tuple of str
        Unique column names: a repeated header gets ``#2``, ``#3``; a blank one ``#<position>``.
    """

    path: Path
    encoding: str
    delimiter: str
    headers: tuple[str, ...]
    names: tuple[str, ...]

    def lookup(self) -> dict[str, str]:
        """Normalised name -> unique column name."""
        return {normalize_header(n): n for n in self.names}

    def find(self, header: str) -> str | None:
        """The column named ``header`` (compared normalised), or None."""
        return self.lookup().get(normalize_header(header))


def _unique_names(headers: list[str]) -> tuple[str, ...]:
    seen: dict[str, int] = {}
    names = []
    for position, header in enumerate(headers, start=1):
        if header == "":
            names.append(f"#{position}")
            continue
        key = normalize_header(header)
        seen[key] = seen.get(key, 0) + 1
        names.append(header if seen[key] == 1 else f"{header}#{seen[key]}")
    return tuple(names)


def sniff(path: str | Path) -> ExportFile:
    """Encoding, delimiter and header of an export file (reads its first megabyte).

    Raises
    ------
    ValueError
        When the file is empty.
    """
    path = Path(path)
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    if head.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    else:
        # a multi-byte character may be cut at the end of the sample
        cut = head if len(head) < _SNIFF_BYTES else head[: head.rfind(b"\n") + 1 or len(head)]
        try:
            cut.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            encoding = "cp932"
    text = head.decode(encoding, errors="replace")
    first_line = text.split("\n", 1)[0]
    if not first_line.strip():
        raise ValueError(f"{path.name}: 見出し行がありません / no header line")
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    header = next(csv.reader(_io.StringIO(text), delimiter=delimiter))
    headers = [unicodedata.normalize("NFC", h).strip().lstrip("\ufeff") for h in header]
    return ExportFile(path, encoding, delimiter, tuple(headers), _unique_names(headers))


def read_columns(export: ExportFile, columns: list[str]) -> tuple[pd.DataFrame, list[Problem]]:
    """The named columns of the body, as text (``""`` for blank), with problems for broken rows.

    Parameters
    ----------
    export : ExportFile
        From :func:`sniff`.
    columns : list of str
        Unique column names (``export.names``) to read.

    Returns
    -------
    frame : pandas.DataFrame
        One row per record, columns as pyarrow-backed strings, plus
        ``_row`` (0-based record number after the header).
    problems : list of Problem
        Records whose field count differs from the header's (they are not read).
    """
    bad_rows: list = []

    def on_invalid(row) -> str:
        bad_rows.append(row)
        return "skip"

    columns = list(dict.fromkeys(columns))
    as_bytes = not export.encoding.startswith("utf-8")
    try:
        table = _read_table(export, columns, as_bytes, on_invalid)
    except pa.ArrowInvalid as err:
        if as_bytes or "UTF8" not in str(err).upper():
            raise
        # UTF-8 in the first megabyte, something else further on: read it as cp932
        bad_rows.clear()
        export = ExportFile(export.path, "cp932", export.delimiter, export.headers, export.names)
        table = _read_table(export, columns, True, on_invalid)
    if as_bytes or export.encoding == "cp932":
        table = pa.table({c: _decode_cp932(table[c]) for c in columns})
    frame = table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)
    problems = []
    if bad_rows:
        problems = _ragged_problems(export)
        if problems:
            frame["_row"] = _kept_rows(export, len(frame))
            return frame, problems
    frame["_row"] = np.arange(len(frame), dtype=np.int64)
    return frame, problems


def _read_table(export: ExportFile, columns: list[str], as_bytes: bool, on_invalid) -> pa.Table:
    # cp932 is read as bytes: its delimiters, quotes and line ends are ASCII and
    # no trail byte is one of them, so only the cells that are used get decoded.
    kind = pa.binary() if as_bytes else pa.string()
    return pacsv.read_csv(
        export.path,
        read_options=pacsv.ReadOptions(column_names=list(export.names), skip_rows=1, block_size=1 << 24),
        parse_options=pacsv.ParseOptions(
            delimiter=export.delimiter, newlines_in_values=True, invalid_row_handler=on_invalid
        ),
        convert_options=pacsv.ConvertOptions(
            include_columns=columns,
            column_types={c: kind for c in columns},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )


def _decode_cp932(column: pa.ChunkedArray) -> pa.Array:
    """cp932 bytes to text: ASCII-only columns as they are, others by decoding each distinct value once."""
    column = column.combine_chunks()
    as_text = column.view(pa.string())
    if pc.all(pc.string_is_ascii(as_text)).as_py() in (True, None):
        return as_text
    encoded = pc.dictionary_encode(column)
    words = pa.array([b.decode("cp932") for b in encoded.dictionary.to_pylist()], pa.string())
    return words.take(encoded.indices)


def _records(export: ExportFile):
    """(first line, fields) of each body record, read with the csv module (slow path)."""
    with export.path.open(encoding=export.encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=export.delimiter)
        previous_end = 0
        for number, record in enumerate(reader):
            start, previous_end = previous_end + 1, reader.line_num
            if number:
                yield start, record


def _ragged_problems(export: ExportFile) -> list[Problem]:
    width = len(export.names)
    return [
        Problem(
            export.path.name,
            start,
            None,
            export.delimiter.join(record)[:60],
            f"列数が見出し行と違います（{len(record)} 列、見出しは {width} 列）",
            f"has {len(record)} fields, the header has {width}",
        )
        for start, record in _records(export)
        if record and len(record) != width
    ]


def _kept_rows(export: ExportFile, n: int) -> np.ndarray:
    width = len(export.names)
    kept = [i for i, (_, record) in enumerate(_records(export)) if not record or len(record) == width]
    return np.asarray(kept[:n], dtype=np.int64)


def line_numbers(export: ExportFile, rows: np.ndarray) -> np.ndarray:
    """The line on which each body record of ``rows`` (0-based) starts, as the user sees it (header = 1).

    Record ``i`` is on line ``i + 2`` unless a quoted field spans lines; a
    file with quotes is read once more with the csv module to find out.
    Only called for rows that have a problem.
    """
    rows = np.asarray(rows, dtype=np.int64)
    with export.path.open("rb") as handle:
        quoted = any(b'"' in block for block in iter(lambda: handle.read(1 << 24), b""))
    if not quoted:
        return rows + 2
    starts = np.fromiter((start for start, _ in _records(export)), dtype=np.int64)
    return starts[rows]


def list_exports(sources: list[str | Path]) -> list[Path]:
    """The export files among ``sources`` (files, or folders whose files are taken in name order)."""
    found: list[Path] = []
    for source in map(Path, sources):
        if source.is_dir():
            found += sorted(p for p in source.iterdir() if p.is_file() and p.suffix.lower() in EXPORT_SUFFIXES)
        else:
            found.append(source)
    return found
