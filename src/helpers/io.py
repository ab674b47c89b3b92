"""Reading and validating the tables of a data directory.

A data directory holds one file per table, named by its stem
(``orders.csv`` or ``orders.xlsx``).  CSV may be UTF-8, UTF-8 with BOM or
cp932 (Shift_JIS); the encoding is detected.  Japanese headers are mapped
through :func:`helpers.schemas.alias_table`.  Cells are parsed by column kind
(dates in ``2024-01-05``, ``2024/1/5``, ``20240105`` or ``2024年1月5日``;
amounts with ``¥``, ``円`` and thousands separators), then checked with the
pandera schema of the table, then across tables (customers known, no date
after ``as_of``).

Every problem of every file is collected, each with the file, the line as the
user sees it (header = line 1), the column, the value and the rule, in
Japanese with English alongside.  Nothing is dropped or coerced silently.
"""

from __future__ import annotations

import csv
import io as _io
import os
import re
import unicodedata
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from helpers import cache, io_engine, labels, schemas

# src/helpers/io.py -> the project root holds pyproject.toml two levels up.
_ROOT_CANDIDATE = Path(__file__).resolve().parents[2]
PROJECT_ROOT: Path = _ROOT_CANDIDATE if (_ROOT_CANDIDATE / "pyproject.toml").exists() else Path.cwd()

TABLE_SUFFIXES = (".csv", ".xlsx")


def resolve_path(path: str | Path) -> Path:
    """Absolute path, resolving a relative one against the project root.

    Notebooks pass ``data_dir="data/sample"``; resolving against the project
    root makes them run the same from JupyterLab, papermill in any working
    directory, and the CLI.

    Parameters
    ----------
    path : str or pathlib.Path
        Absolute, or relative to the project root.

    Returns
    -------
    pathlib.Path
    """
    path = Path(path).expanduser()
    return path if path.is_absolute() else (PROJECT_ROOT / path).resolve()


# ----------------------------------------------------------------------------
# Problems and reports
# ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file.

    Attributes
    ----------
    file : str
        File name (or the table's expected file name when it is missing).
    line : int or None
        Line as the user sees it in the file (header = 1; Excel row number).
    column : str or None
        Column header as written in the file.
    value : str or None
        The offending cell text.
    rule_ja, rule_en : str
        The rule broken, in Japanese and English.
    """

    file: str
    line: int | None
    column: str | None
    value: str | None
    rule_ja: str
    rule_en: str

    def format(self, lang: str = labels.DEFAULT_LANG) -> str:
        """One line: ``file:line 列 'col' 値 'v': rule (English rule)``."""
        where = self.file + (f":{self.line}" if self.line is not None else "")
        parts = [where]
        if self.column is not None:
            parts.append(f"列 '{self.column}'" if lang == "ja" else f"column '{self.column}'")
        if self.value is not None:
            parts.append(f"値 '{self.value}'" if lang == "ja" else f"value '{self.value}'")
        rule = f"{self.rule_ja} ({self.rule_en})" if lang == "ja" else f"{self.rule_en} ({self.rule_ja})"
        return " ".join(parts) + ": " + rule


@dataclass(frozen=True)
class TableSummary:
    """Rows, customers and date range of one loaded table."""

    table: str
    file: str
    rows: int
    customers: int | None
    first_date: pd.Timestamp | None
    last_date: pd.Timestamp | None


@dataclass
class ValidationReport:
    """Everything found while reading a data directory.

    Attributes
    ----------
    data_dir : pathlib.Path
    problems : list of Problem
        Errors; the data may not be used while there are any.
    notes : list of str
        Information that is not an error (a missing optional table, blank
        lines skipped).
    summaries : list of TableSummary
    """

    data_dir: Path
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    summaries: list[TableSummary] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when there is no problem."""
        return not self.problems

    def format(self, lang: str = labels.DEFAULT_LANG, show_all: bool = True) -> str:
        """Summary per table, then notes, then the problems, as text.

        ``show_all=False`` groups the problems by file, column and rule with
        the first few of each (:func:`helpers.problem_listing.format_problems`).
        """
        ja = labels.check_lang(lang) == "ja"
        out = [f"{'データ' if ja else 'Data'}: {self.data_dir}"]
        for s in self.summaries:
            period = (
                f"{s.first_date:%Y-%m-%d} .. {s.last_date:%Y-%m-%d}"
                if s.first_date is not None and not pd.isna(s.first_date)
                else "-"
            )
            customers = "-" if s.customers is None else f"{s.customers:,}"
            out.append(
                f"  {s.file:<24} {labels.label('rows', lang)} {s.rows:>9,}  "
                f"{labels.label('customers_n', lang)} {customers:>9}  "
                f"{labels.label('period', lang)} {period}"
            )
        for note in self.notes:
            out.append(("注記: " if ja else "Note: ") + note)
        if self.problems:
            head = f"問題 {len(self.problems):,} 件" if ja else f"{len(self.problems):,} problems"
            out.append(head + ":")
            if show_all:
                out.extend("  " + p.format(lang) for p in self.problems)
            else:
                from helpers.problem_listing import format_problems

                out.append(format_problems(self.problems, lang))
        else:
            out.append("問題はありません。" if ja else "No problems found.")
        return "\n".join(out)


class DataValidationError(ValueError):
    """Raised by :func:`load_data` when an input file has problems.

    Attributes
    ----------
    report : ValidationReport
    """

    def __init__(self, report: ValidationReport):
        self.report = report
        super().__init__(report.format("ja"))


class MissingTableError(FileNotFoundError):
    """Raised when a notebook needs a table whose file is not in the data directory."""


# ----------------------------------------------------------------------------
# Raw reading: files -> frames of strings, with the line of each row
# ----------------------------------------------------------------------------


@dataclass
class TableRead:
    """A table read from one file.

    Attributes
    ----------
    frame : pandas.DataFrame
        Parsed frame: contract columns typed, extra columns kept as text.
    lines : numpy.ndarray
        Line (CSV) or row (Excel) of each frame row as the user sees it.
    headers : dict of str to str
        Contract column -> header as written in the file.
    problems : list of Problem
    notes : list of str
    """

    frame: pd.DataFrame
    lines: np.ndarray
    headers: dict[str, str]
    problems: list[Problem]
    notes: list[str]


def _decode(data: bytes, name: str) -> tuple[str | None, str, list[Problem]]:
    """Text, encoding name and problems for the raw bytes of a CSV file."""
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    else:
        candidates = ["utf-8", "cp932"]
    first_error = None
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding, []
        except UnicodeDecodeError as err:
            first_error = first_error or err
    line = data[: first_error.start].count(b"\n") + 1
    bad = data[first_error.start : first_error.start + 4].hex(" ")
    problem = Problem(
        name,
        line,
        None,
        bad,
        "文字コードを判別できません（UTF-8、BOM付きUTF-8、Shift_JIS(cp932) に対応）",
        "cannot determine the encoding (UTF-8, UTF-8 with BOM or cp932 expected)",
    )
    return None, "", [problem]


def _record_start_lines(text: str, delimiter: str) -> np.ndarray:
    """Line on which each CSV record starts (fields may hold line breaks)."""
    reader = csv.reader(_io.StringIO(text), delimiter=delimiter)
    starts, previous_end = [], 0
    for _ in reader:
        starts.append(previous_end + 1)
        previous_end = reader.line_num
    return np.asarray(starts[1:], dtype=np.int64)


def _ragged_rows(text: str, delimiter: str, name: str) -> list[Problem]:
    """A problem for each CSV record whose field count differs from the header's."""
    reader = csv.reader(_io.StringIO(text), delimiter=delimiter)
    problems, width, previous_end = [], None, 0
    for record in reader:
        start, previous_end = previous_end + 1, reader.line_num
        if width is None:
            width = len(record)
        elif record and len(record) != width:
            problems.append(
                Problem(
                    name,
                    start,
                    None,
                    delimiter.join(record)[:60],
                    f"列数が見出し行と違います（{len(record)} 列、見出しは {width} 列）",
                    f"has {len(record)} fields, the header has {width}",
                )
            )
    return problems


def _read_csv(path: Path) -> tuple[pd.DataFrame | None, np.ndarray, list[Problem], list[str]]:
    data = path.read_bytes()
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    first_line = body[: body.find(b"\n")] if b"\n" in body else body
    try:
        first_text = first_line.decode("utf-8")
    except UnicodeDecodeError:
        first_text = None
    if first_text is not None:
        frame = io_engine.read_csv_text(path, _delimiter(first_text), body)
        if frame is not None:
            return frame, np.arange(len(frame), dtype=np.int64) + 2, [], []
    return _read_csv_with_pandas(path, data)


def _delimiter(first_line: str) -> str:
    return "\t" if "\t" in first_line and "," not in first_line else ","


def _read_csv_with_pandas(path: Path, data: bytes) -> tuple[pd.DataFrame | None, np.ndarray, list[Problem], list[str]]:
    """The reader for what the engine does not take: other encodings, ragged rows, quoted line breaks."""
    text, encoding, problems = _decode(data, path.name)
    if text is None:
        return None, np.empty(0, np.int64), problems, []
    delimiter = _delimiter(text.split("\n", 1)[0])
    notes = (
        []
        if encoding.startswith("utf-8")
        else [f"{path.name}: 文字コード cp932 (Shift_JIS) として読み込みました / read as cp932"]
    )
    if not encoding.startswith("utf-8"):
        frame = io_engine.read_csv_text(path, delimiter, text.encode("utf-8"))
        if frame is not None:
            return frame, np.arange(len(frame), dtype=np.int64) + 2, [], notes
    try:
        frame = pd.read_csv(
            _io.StringIO(text),
            dtype=str,
            sep=delimiter,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
        )
    except pd.errors.ParserError:
        return None, np.empty(0, np.int64), _ragged_rows(text, delimiter, path.name), []
    except pd.errors.EmptyDataError:
        problem = Problem(path.name, 1, None, None, "ファイルが空です", "the file is empty")
        return None, np.empty(0, np.int64), [problem], []
    body_lines = text.count("\n") + (0 if text.endswith("\n") else 1) - 1
    if '"' in text and body_lines != len(frame):
        lines = _record_start_lines(text, delimiter)
    else:
        lines = np.arange(len(frame), dtype=np.int64) + 2
    return frame, lines, [], notes


def _excel_cell_text(value: object) -> str:
    """Text of an Excel cell as the user would type it."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, pd.Timestamp) or hasattr(value, "strftime"):
        ts = pd.Timestamp(value)
        return f"{ts:%Y-%m-%d}" if ts == ts.normalize() else f"{ts:%Y-%m-%d %H:%M:%S}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_ZERO_PADDED_FORMAT = re.compile(r"0+")


def _excel_cell_value(cell) -> object:
    """A cell's value; a number shown with a zero-padded format (``0000000``) as the padded text."""
    value = cell.value
    number_format = getattr(cell, "number_format", None) or ""
    if (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and _ZERO_PADDED_FORMAT.fullmatch(number_format)
        and float(value).is_integer()
    ):
        return f"{int(value):0{len(number_format)}d}"
    return value


def _xlsx_sheets(path: Path) -> dict[str, pd.DataFrame]:
    """Every sheet of a workbook as a frame of cell values, without trailing empty rows.

    Read cell by cell (as pandas does) to see each cell's number format: an
    id column of numbers formatted ``0000000`` reads as ``"0001234"``, as the
    user sees it in Excel, not as ``1234``.
    """
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True, keep_links=False)
    try:
        sheets = {}
        for sheet in book.worksheets:
            rows = [[_excel_cell_value(cell) for cell in row] for row in sheet.iter_rows()]
            while rows and all(v is None or v == "" for v in rows[-1]):
                rows.pop()
            width = max((len(r) for r in rows), default=0)
            sheets[sheet.title] = pd.DataFrame([r + [None] * (width - len(r)) for r in rows], dtype=object)
    finally:
        book.close()
    return sheets


def _read_xlsx(path: Path, table: str) -> tuple[pd.DataFrame, np.ndarray, list[Problem], list[str]]:
    sheets = _xlsx_sheets(path)
    aliases = schemas.alias_table(table)
    required = set(schemas.TABLES[table].required)
    chosen = next(iter(sheets))
    for sheet_name, sheet in sheets.items():
        if len(sheet) and required <= {aliases.get(schemas.normalize_header(h)) for h in sheet.iloc[0]}:
            chosen = sheet_name
            break
    sheet = sheets[chosen]
    if sheet.empty:
        problem = Problem(path.name, 1, None, None, "シートが空です", "the sheet is empty")
        return pd.DataFrame(), np.empty(0, np.int64), [problem], []
    header = [_excel_cell_text(h) for h in sheet.iloc[0]]
    # header=None keeps every row, so Excel row = position + 1.
    body = sheet.iloc[1:]
    frame = pd.DataFrame({i: body[col].map(_excel_cell_text).astype(object) for i, col in enumerate(sheet.columns)})
    frame.columns = header
    lines = np.arange(len(frame), dtype=np.int64) + 2
    unnamed = [i for i, h in enumerate(header) if h == ""]
    if unnamed:
        empty = frame.iloc[:, unnamed].eq("").all(axis=0)
        frame = frame.drop(columns=frame.columns[[unnamed[i] for i in np.flatnonzero(empty.to_numpy())]])
    notes = [f"{path.name}: シート「{chosen}」を読み込みました / read sheet '{chosen}'"] if len(sheets) > 1 else []
    return frame.reset_index(drop=True), lines, [], notes


# ----------------------------------------------------------------------------
# Parsing cells by column kind
# ----------------------------------------------------------------------------

_DATE_PATTERNS = (
    r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?:[ T](?P<t>\d{1,2}:\d{2}(?::\d{2})?))?$",
    r"^(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日$",
    r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$",
)
_MONTH_PATTERNS = (
    r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})$",
    r"^(?P<y>\d{4})年(?P<m>\d{1,2})月$",
    r"^(?P<y>\d{4})(?P<m>\d{2})$",
)
_TRUE = {"1", "true", "t", "yes", "y", "はい", "○", "〇", "定期"}
_FALSE = {"0", "false", "f", "no", "n", "いいえ", "×", "通常"}
_SCENARIOS = {
    "as_is": "as_is",
    "as-is": "as_is",
    "asis": "as_is",
    "as is": "as_is",
    "現状": "as_is",
    "to_be": "to_be",
    "to-be": "to_be",
    "tobe": "to_be",
    "to be": "to_be",
    "理想": "to_be",
}


def _normalize_text(raw: pd.Series) -> pd.Series:
    """NFKC-normalised, trimmed text (full-width digits become ASCII)."""
    out = raw.astype(str)
    wide = ~out.str.isascii()
    if wide.any():
        out = out.copy()
        out[wide] = out[wide].map(lambda s: unicodedata.normalize("NFKC", s).replace("−", "-"))
    return out.str.strip()


def _parse_dates(text: pd.Series) -> pd.Series:
    result = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    todo = text != ""
    for pattern in _DATE_PATTERNS:
        parts = text[todo].str.extract(pattern)
        hit = parts["y"].notna()
        if not hit.any():
            continue
        parts = parts[hit]
        iso = parts["y"] + "-" + parts["m"].str.zfill(2) + "-" + parts["d"].str.zfill(2)
        if "t" in parts:
            time = parts["t"].fillna("00:00")
            time = time.where(time.str.count(":") == 2, time + ":00")
            iso = iso + " " + time.str.zfill(8)
        else:
            iso = iso + " 00:00:00"
        parsed = pd.to_datetime(iso, format="%Y-%m-%d %H:%M:%S", errors="coerce")
        # years pandas cannot hold in nanoseconds (0001-01-01) are unreadable, not a crash
        parsed = parsed.where((parsed >= pd.Timestamp.min) & (parsed <= pd.Timestamp.max))
        result[parts.index] = parsed.astype("datetime64[ns]")
        todo[parts.index] = False
    return result


def _parse_months(text: pd.Series) -> pd.Series:
    """First day of the month of ``2024-01``, ``2024/1``, ``2024年1月``, ``202401`` or a full date."""
    result = _parse_dates(text).dt.to_period("M").dt.to_timestamp().astype("datetime64[ns]")
    todo = (text != "") & result.isna()
    for pattern in _MONTH_PATTERNS:
        parts = text[todo].str.extract(pattern)
        hit = parts["y"].notna()
        if not hit.any():
            continue
        parts = parts[hit]
        iso = parts["y"] + "-" + parts["m"].str.zfill(2) + "-01"
        result[parts.index] = pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce")
        todo[parts.index] = False
    return result


def _parse_numbers(text: pd.Series, integer: bool) -> tuple[pd.Series, pd.Series]:
    values = pd.to_numeric(text.where(text != ""), errors="coerce")
    bad = (text != "") & values.isna()
    if integer:
        fractional = values.notna() & (values % 1 != 0)
        bad |= fractional
        values = values.where(~fractional)
        values = values.round().astype("Int64")
    return values, bad


def _parse_codes(text: pd.Series, answers: dict[int, str]) -> tuple[pd.Series, pd.Series]:
    by_label = {unicodedata.normalize("NFKC", v): k for k, v in answers.items()}
    codes = text.map(by_label)
    numbers, bad = _parse_numbers(text.where(codes.isna(), ""), integer=True)
    values = numbers.astype("Float64").fillna(codes.astype("Float64")).astype("Int64")
    return values, bad & codes.isna()


_RULES = {
    "date": (
        "日付として読めません（2024-01-05、2024/1/5、20240105、2024年1月5日 の形式）",
        "not a date (use 2024-01-05, 2024/1/5, 20240105 or 2024年1月5日)",
    ),
    "month": (
        "年月として読めません（2024-01、2024/1、2024年1月、202401 または日付の形式）",
        "not a month (use 2024-01, 2024/1, 2024年1月, 202401 or a date)",
    ),
    "amount": (
        "金額として読めません（数字、¥・円・桁区切りカンマは可）",
        "not an amount (digits; ¥, 円 and thousands separators allowed)",
    ),
    "int": ("整数ではありません", "not a whole number"),
    "bool": (
        "真偽値として読めません（1/0、はい/いいえ、TRUE/FALSE）",
        "not a yes/no value (1/0, はい/いいえ, TRUE/FALSE)",
    ),
    "scenario": ("シナリオは as_is（現状）か to_be（理想）です", "scenario must be as_is or to_be"),
    "fan_stage": ("ファン段階は 0〜5 の番号か回答文です", "fan stage must be a code 0-5 or the answer text"),
    "liking": ("好意度は 1〜7 の番号か回答文です", "liking must be a code 1-7 or the answer text"),
}


def _slow_parse(raw: pd.Series, kind: str) -> tuple[pd.Series, pd.Series]:
    """Parse the cells the fast path could not: Japanese spellings, ¥, full-width digits."""
    text = _normalize_text(raw)
    if kind == "date":
        values = _parse_dates(text)
        return values, (text != "") & values.isna()
    if kind == "month":
        values = _parse_months(text)
        return values, (text != "") & values.isna()
    if kind == "amount":
        cleaned = text.str.replace(r"^(?:¥|\\|JPY)\s*|\s*円$|,", "", regex=True)
        values, bad = _parse_numbers(cleaned, integer=False)
        return values.astype("float64"), bad
    if kind == "int":
        return _parse_numbers(text, integer=True)
    if kind == "bool":
        lowered = text.str.lower()
        values = pd.Series(pd.NA, index=raw.index, dtype="boolean")
        values[lowered.isin(_TRUE)] = True
        values[lowered.isin(_FALSE)] = False
        return values, (text != "") & values.isna()
    if kind == "scenario":
        values = text.str.lower().map(_SCENARIOS).astype("string")
        return values, (text != "") & values.isna()
    if kind == "fan_stage":
        return _parse_codes(text, labels.FAN_STAGES)
    if kind == "liking":
        return _parse_codes(text, labels.LIKING_LEVELS)
    raise ValueError(f"unknown column kind {kind!r}")


def parse_column(raw: pd.Series, kind: str) -> tuple[pd.Series, pd.Series]:
    """Parse the text cells of one column.

    Clean cells (``2024-01-05``, ``1980``) are parsed by the columnar engine
    (:func:`helpers.io_engine.parse_clean`); only the rest go through the
    slower normalisation of Japanese spellings here.

    Parameters
    ----------
    raw : pandas.Series
        Cell texts as read from the file (``""`` for blank).
    kind : str
        Column kind from :class:`helpers.schemas.ColumnSpec`.

    Returns
    -------
    values : pandas.Series
        Typed values (missing where blank or unreadable).
    unreadable : pandas.Series of bool
        Where a non-blank cell could not be read as ``kind``.
    """
    values, rest = io_engine.parse_clean(io_engine.arrow_text(raw), kind)
    values.index = raw.index
    unreadable = pd.Series(False, index=raw.index)
    if rest.any():
        slow_values, slow_bad = _slow_parse(raw[rest].astype(object), kind)
        values[rest] = slow_values.astype(schemas.dtype_of(kind))
        unreadable[rest] = slow_bad.to_numpy()
    return values, unreadable


# ----------------------------------------------------------------------------
# One table
# ----------------------------------------------------------------------------


def find_table_file(data_dir: str | Path, table: str) -> Path | None:
    """The file holding ``table`` in ``data_dir`` (``.csv`` or ``.xlsx``), or None."""
    data_dir = resolve_path(data_dir)
    found = [data_dir / f"{table}{s}" for s in TABLE_SUFFIXES if (data_dir / f"{table}{s}").exists()]
    return found[0] if found else None


def _map_headers(frame: pd.DataFrame, table: str, name: str) -> tuple[pd.DataFrame, dict[str, str], list[Problem]]:
    aliases = schemas.alias_table(table)
    renames, headers, problems = {}, {}, []
    for header in frame.columns:
        column = aliases.get(schemas.normalize_header(header))
        if column is None:
            continue
        if column in headers:
            renames[header] = f"{header} (duplicate {len(renames)})"
            problems.append(
                Problem(
                    name,
                    1,
                    str(header),
                    None,
                    f"列「{headers[column]}」と同じ項目 {column} を指しています（重複列）",
                    f"duplicates column '{headers[column]}' (both mean {column})",
                )
            )
            continue
        renames[header], headers[column] = column, str(header)
    for column in schemas.TABLES[table].required:
        if column not in headers:
            problems.append(
                Problem(
                    name,
                    1,
                    column,
                    None,
                    f"必須列「{labels.label(column, 'ja')}」({column}) がありません",
                    f"required column '{column}' is missing",
                )
            )
    return frame.rename(columns=renames), headers, problems


def _may_break_schema(frame: pd.DataFrame, table: str, columns: list[str]) -> bool:
    """Whether any column may fail the pandera schema (the engine's quick, conservative test)."""
    spec = schemas.TABLES[table]
    return any(
        io_engine.may_break_schema(
            frame[c],
            spec.columns[c].required,
            spec.columns[c].low,
            spec.columns[c].high,
            spec.columns[c].unique,
            list(labels.SCENARIOS) if spec.columns[c].kind == "scenario" else None,
        )
        for c in columns
    )


def _schema_problems(frame, table, lines, headers, name, unreadable) -> list[Problem]:
    columns = [c for c in schemas.TABLES[table].columns if c in frame.columns]
    if not _may_break_schema(frame, table, columns):
        return []  # pandera would find nothing: spare its import and per-check passes
    import pandera.pandas as pa

    try:
        schemas.pandera_schema(table, columns).validate(frame, lazy=True)
        return []
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
    problems = []
    for case in cases.itertuples(index=False):
        column, check, position = case.column, str(case.check), case.index
        if position is None or pd.isna(position):
            rule_ja, rule_en = schemas.describe_check(check, table, column)
            problems.append(Problem(name, None, headers.get(column, column), None, rule_ja, rule_en))
            continue
        position = int(position)
        if check == "not_nullable" and unreadable.get(column, (False,) * len(frame))[position]:
            continue  # already reported as unreadable
        rule_ja, rule_en = schemas.describe_check(check, table, column)
        value = frame[column].iloc[position]
        problems.append(
            Problem(
                name,
                int(lines[position]),
                headers.get(column, column),
                "" if pd.isna(value) else _cell_text(value),
                rule_ja,
                rule_en,
            )
        )
    return problems


def _cell_text(value) -> str:
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_table(path: str | Path, table: str) -> TableRead:
    """Read, parse and check one table file.

    Parameters
    ----------
    path : str or pathlib.Path
        ``.csv`` (UTF-8, UTF-8 with BOM or cp932) or ``.xlsx`` file.
    table : str
        Table of the data contract the file holds, e.g. ``"orders"``.

    Returns
    -------
    TableRead
        The parsed frame (contract columns typed, extra columns as text, one
        row per non-blank input row) with every problem found in the file.
    """
    path = resolve_path(path)
    spec = schemas.TABLES[table]
    if path.suffix.lower() == ".xlsx":
        raw, lines, problems, notes = _read_xlsx(path, table)
    else:
        raw, lines, problems, notes = _read_csv(path)
    if raw is None or problems:
        return TableRead(schemas.empty_frame(table), np.empty(0, np.int64), {}, problems, notes)

    blank = raw.eq("").all(axis=1).to_numpy()
    if blank.any():
        notes.append(
            f"{path.name}: 空行 {int(blank.sum())} 行を読み飛ばしました / skipped {int(blank.sum())} blank lines"
        )
        raw, lines = raw.loc[~blank].reset_index(drop=True), lines[~blank]

    raw, headers, problems = _map_headers(raw, table, path.name)
    frame = raw.copy()
    unreadable = {}
    for column, header in headers.items():
        kind = spec.columns[column].kind
        values, bad = parse_column(raw[column], kind)
        frame[column] = values
        unreadable[column] = bad.to_numpy()
        rule_ja, rule_en = _RULES.get(kind, ("", ""))
        for position in np.flatnonzero(bad.to_numpy()):
            problems.append(
                Problem(path.name, int(lines[position]), header, str(raw[column].iloc[position]), rule_ja, rule_en)
            )
    problems += _schema_problems(frame, table, lines, headers, path.name, unreadable)
    problems.sort(key=lambda p: (p.line or 0, p.column or ""))
    return TableRead(frame, lines, headers, problems, notes)


# ----------------------------------------------------------------------------
# A data directory
# ----------------------------------------------------------------------------


@dataclass
class Dataset:
    """The validated tables of a data directory.

    Tables whose file is absent are ``None``.  Use :meth:`require` in a
    notebook for the tables it cannot do without.
    """

    data_dir: Path
    as_of: pd.Timestamp
    tables: dict[str, pd.DataFrame | None]
    files: dict[str, Path]
    notes: list[str] = field(default_factory=list)

    def __getattr__(self, name: str):
        if name in schemas.TABLES:
            return self.tables.get(name)
        raise AttributeError(name)

    @property
    def empty_tables(self) -> list[str]:
        """Tables whose file has a header and no rows, loaded as ``None`` (absent)."""
        return [t for t in self.files if self.tables.get(t) is None]

    @property
    def pseudonym_key(self) -> bytes:
        """The data folder's secret key for pseudonymous ids (:func:`helpers.privacy.data_key`)."""
        from helpers import privacy

        return privacy.data_key(self.data_dir)

    def require(self, table: str) -> pd.DataFrame:
        """The table, or a clear error naming the file that was looked for."""
        frame = self.tables.get(table)
        if frame is None:
            raise MissingTableError(
                f"{table} の表が必要ですが、{self.data_dir / (table + '.csv')}"
                f"（または .xlsx）が見つかりません / this notebook needs {table}.csv or "
                f"{table}.xlsx in {self.data_dir}"
            )
        return frame


def _summary(table: str, path: Path, frame: pd.DataFrame) -> TableSummary:
    spec = schemas.TABLES[table]
    date_col = spec.date_column if spec.date_column in frame.columns else None
    dates = frame[date_col].dropna() if date_col else pd.Series(dtype="datetime64[ns]")
    return TableSummary(
        table,
        path.name,
        len(frame),
        io_engine.count_distinct(frame["customer_id"]) if "customer_id" in frame.columns else None,
        dates.min() if len(dates) else None,
        dates.max() if len(dates) else None,
    )


def _cross_table_problems(reads: dict[str, tuple[Path, TableRead]], as_of: pd.Timestamp) -> list[Problem]:
    problems = []
    customers = reads.get("customers")
    known = customers[1].frame["customer_id"] if customers and "customer_id" in customers[1].frame else None
    checked = [
        table
        for table, (_, read) in reads.items()
        if schemas.TABLES[table].refers_to_customers and known is not None and "customer_id" in read.frame
    ]

    def unknown_ids(table: str) -> np.ndarray:
        return io_engine.unknown_positions(reads[table][1].frame["customer_id"], known)

    with ThreadPoolExecutor(max_workers=max(1, min(len(checked), os.cpu_count() or 1))) as pool:  # Arrow: no GIL
        unknown = dict(zip(checked, pool.map(unknown_ids, checked), strict=True))
    for table, (path, read) in reads.items():
        spec, frame = schemas.TABLES[table], read.frame
        if table in unknown:
            for position in unknown[table]:
                problems.append(
                    Problem(
                        path.name,
                        int(read.lines[position]),
                        read.headers["customer_id"],
                        str(frame["customer_id"].iloc[position]),
                        "customers に存在しない顧客IDです",
                        "customer_id is not in customers",
                    )
                )
        for column in spec.date_columns_not_after_as_of:
            if column not in read.headers:
                continue
            late = (frame[column] > as_of).fillna(False).to_numpy()
            for position in np.flatnonzero(late):
                problems.append(
                    Problem(
                        path.name,
                        int(read.lines[position]),
                        read.headers[column],
                        f"{frame[column].iloc[position]:%Y-%m-%d}",
                        f"基準日 as_of ({as_of:%Y-%m-%d}) より後の日付です",
                        f"date is after as_of ({as_of:%Y-%m-%d})",
                    )
                )
    return problems


_NO_CUSTOMERS_NOTE = "customers がないため顧客IDの照合を省きました / customer ids not checked: no customers table"


def _read_directory(
    data_dir, as_of, tables, table_notes: dict[str, list[str]] | None = None
) -> tuple[ValidationReport, dict[str, tuple[Path, TableRead]], pd.Timestamp]:
    """Read and check the tables; ``table_notes``, when given, receives the notes of each table."""
    data_dir = resolve_path(data_dir)
    as_of = _resolve_as_of(as_of)
    report = ValidationReport(data_dir)
    if not data_dir.is_dir():
        raise FileNotFoundError(f"データフォルダがありません / data directory not found: {data_dir}")
    wanted = list(schemas.TABLES) if tables is None else list(tables)
    reads = {}
    table_notes = {} if table_notes is None else table_notes
    found = {table: find_table_file(data_dir, table) for table in wanted}
    # The files are read at once, each on its own thread (Arrow's kernels release the GIL), when
    # memory allows; their problems and notes are then taken in table order, so the report is the same.
    with ThreadPoolExecutor(max_workers=_reading_threads([p for p in found.values() if p])) as pool:
        pending = {table: pool.submit(_read_and_summarise, path, table) for table, path in found.items() if path}
        for table in wanted:
            first_note = len(report.notes)
            _take_read(data_dir, table, found[table], pending.get(table), report, reads)
            table_notes[table] = report.notes[first_note:]
    if "customers" not in reads and any(schemas.TABLES[t].refers_to_customers for t in reads):
        report.notes.append(_NO_CUSTOMERS_NOTE)
    report.problems += _cross_table_problems(reads, as_of)
    report.problems.sort(key=lambda p: (p.file, p.line or 0, p.column or ""))
    return report, reads, as_of


#: Peak memory of reading a table file, per byte of the file (measured: 3.1 one at a time, 4.5 two at once).
_READ_BYTES_PER_FILE_BYTE = 5


def _reading_threads(paths: list[Path]) -> int:
    """Table files read at once: one per core while the files fit in 80 % of the free memory, else one."""
    import psutil

    cores = max(1, min(len(paths), os.cpu_count() or 1))
    needed = _READ_BYTES_PER_FILE_BYTE * sum(path.stat().st_size for path in paths)
    return cores if needed < 0.8 * psutil.virtual_memory().available else 1


def _read_and_summarise(path: Path, table: str) -> tuple[TableRead, TableSummary]:
    read = read_table(path, table)
    return read, _summary(table, path, read.frame)


def _take_read(data_dir: Path, table: str, path: Path | None, pending, report: ValidationReport, reads) -> None:
    """Put one table's read into ``reads``, its problems and notes into ``report``."""
    if path is None:
        if table in schemas.REQUIRED_TABLES:
            report.problems.append(
                Problem(
                    f"{table}.csv",
                    None,
                    None,
                    None,
                    f"必須の表 {table}.csv（または .xlsx）がありません",
                    f"required table {table}.csv (or .xlsx) is missing",
                )
            )
        else:
            report.notes.append(
                f"{table}.csv（または .xlsx）がありません（任意の表） / optional table {table} is absent"
            )
        return
    others = [data_dir / f"{table}{s}" for s in TABLE_SUFFIXES if (data_dir / f"{table}{s}").exists()]
    if len(others) > 1:
        report.notes.append(
            f"{table}: {', '.join(p.name for p in others)} のうち {path.name} を使います / using {path.name}"
        )
    read, summary = pending.result()
    reads[table] = (path, read)
    report.problems += read.problems
    report.notes += read.notes
    if not read.problems and read.frame.empty and table not in schemas.REQUIRED_TABLES:
        report.notes.append(
            f"{path.name} は見出しだけで行がないため、ないものとして扱います / "
            f"{path.name} has a header but no rows: treated as absent"
        )
    report.summaries.append(summary)


def _resolve_as_of(as_of) -> pd.Timestamp:
    return pd.Timestamp(as_of) if as_of is not None else pd.Timestamp.today().normalize()


def validate_data_dir(
    data_dir: str | Path, as_of=None, tables=None, *, fill_cache: bool = False, cache_dir: str | Path | None = None
) -> ValidationReport:
    """Check every table file of a data directory.

    Parameters
    ----------
    data_dir : str or pathlib.Path
        Directory, relative paths resolved against the project root.
    as_of : str or datetime-like, optional
        Reference date; dates after it are errors.  Defaults to today.
    tables : list of str, optional
        Tables to check; all of the contract by default.
    fill_cache : bool
        When every table was checked and none has a problem, store the typed
        tables in the validated-data cache (:mod:`helpers.cache`), so that
        :func:`load_data` reads them instead of validating again.
    cache_dir : str or pathlib.Path, optional
        Cache folder; ``<data_dir>/.kando/cache`` by default.

    Returns
    -------
    ValidationReport

    Raises
    ------
    FileNotFoundError
        When ``data_dir`` is not a directory.
    """
    table_notes: dict[str, list[str]] = {}
    report, reads, as_of = _read_directory(data_dir, as_of, tables, table_notes)
    if fill_cache and tables is None and report.ok:
        _store_in_cache(report.data_dir, as_of, reads, table_notes, cache_dir, report)
    return report


def _store_in_cache(data_dir: Path, as_of: pd.Timestamp, reads, table_notes, cache_dir, report) -> None:
    try:
        root = cache.cache_root(data_dir, cache_dir)
        key = cache.cache_key(data_dir, as_of, root)
        frames = {t: read.frame for t, (_, read) in reads.items()}
        files = {t: p.name for t, (p, _) in reads.items()}
        cache.store(root, key, frames, files, table_notes, _report_json(report))
    except OSError as err:  # a read-only data folder: the run goes on, validating per notebook
        warnings.warn(
            f"検証済みデータのキャッシュを書けません / cannot write the validated-data cache: {err}", stacklevel=3
        )


def _report_json(report: ValidationReport) -> dict:
    """The notes and summaries of a clean report as JSON-ready values."""

    def day(value):
        return None if value is None or pd.isna(value) else pd.Timestamp(value).isoformat()

    return {
        "notes": list(report.notes),
        "summaries": [
            [s.table, s.file, s.rows, s.customers, day(s.first_date), day(s.last_date)] for s in report.summaries
        ],
    }


def _report_from_json(data_dir: Path, stored: dict) -> ValidationReport:
    def day(value):
        return None if value is None else pd.Timestamp(value).as_unit("ns")

    summaries = [
        TableSummary(table, file, rows, customers, day(first), day(last))
        for table, file, rows, customers, first, last in stored["summaries"]
    ]
    return ValidationReport(data_dir, [], list(stored["notes"]), summaries)


def checked_report(
    data_dir: str | Path, as_of=None, *, use_cache: bool | None = None, cache_dir: str | Path | None = None
) -> ValidationReport:
    """The validation report of a whole data directory, from the cache when it holds this data.

    What :func:`validate_data_dir` returns, without reading the files again
    when ``kando run`` (or a notebook) has validated this exact data and
    ``as_of``; otherwise the directory is validated and, when clean, the
    cache filled.

    Parameters
    ----------
    data_dir : str or pathlib.Path
        Directory, relative paths resolved against the project root.
    as_of : str or datetime-like, optional
        Reference date.  Defaults to today.
    use_cache : bool, optional
        ``False`` always validates; by default as :func:`load_data`.
    cache_dir : str or pathlib.Path, optional
        Cache folder, as for :func:`load_data`.

    Returns
    -------
    ValidationReport
    """
    data_path = resolve_path(data_dir)
    if not ((cache.enabled() if use_cache is None else use_cache) and data_path.is_dir()):
        return validate_data_dir(data_path, as_of)
    root = cache.cache_root(data_path, cache_dir)
    try:
        stored = cache.load_report(root, cache.cache_key(data_path, _resolve_as_of(as_of), root))
    except OSError:
        stored = None
    if stored is not None:
        return _report_from_json(data_path, stored)
    return validate_data_dir(data_path, as_of, fill_cache=True, cache_dir=cache_dir)


def _dataset(data_dir: Path, as_of, frames: dict, files: dict, notes: list[str]) -> Dataset:
    """The Dataset of loaded tables: an optional table with a header and no rows counts as absent."""
    frames = {t: None if frame.empty and t not in schemas.REQUIRED_TABLES else frame for t, frame in frames.items()}
    return Dataset(data_dir, as_of, frames, files, notes)


def _notes_for(wanted: list[str], present: list[str], table_notes: dict[str, list[str]]) -> list[str]:
    """The notes a check of just the ``wanted`` tables gives, from the notes of each table."""
    notes = [note for table in wanted for note in table_notes.get(table, [])]
    if "customers" not in present and any(schemas.TABLES[t].refers_to_customers for t in present):
        notes.append(_NO_CUSTOMERS_NOTE)
    return notes


def _load_from_cache(data_dir: Path, as_of: pd.Timestamp, wanted: list[str], cache_dir) -> Dataset | None:
    """The tables from the cache; on a miss, validate the whole directory and fill it.

    None when the directory has a problem somewhere: the caller then checks
    just the tables asked for, as without a cache.
    """
    root = cache.cache_root(data_dir, cache_dir)
    try:
        key = cache.cache_key(data_dir, as_of, root)
    except OSError:
        return None
    hit = cache.load(root, key, wanted)
    if hit is None:
        table_notes: dict[str, list[str]] = {}
        report, reads, _ = _read_directory(data_dir, as_of, None, table_notes)
        if not report.ok:
            return None
        _store_in_cache(data_dir, as_of, reads, table_notes, cache_dir, report)
        frames = {t: reads[t][1].frame for t in wanted if t in reads}
        files = {t: reads[t][0].name for t in frames}
    else:
        frames, files, table_notes = hit
    notes = _notes_for(wanted, list(frames), table_notes)
    return _dataset(data_dir, as_of, frames, {t: data_dir / name for t, name in files.items()}, notes)


def load_data(
    data_dir: str | Path,
    as_of=None,
    tables=None,
    *,
    use_cache: bool | None = None,
    cache_dir: str | Path | None = None,
) -> Dataset:
    """Load and validate the tables of a data directory.

    With the cache on (the default), the typed tables come from the
    validated-data cache (:mod:`helpers.cache`) when it holds this exact
    data and ``as_of``; otherwise the whole directory is validated once and
    the cache filled, so the next notebook reads Parquet.  Any change to an
    input file invalidates the cache.

    Parameters
    ----------
    data_dir : str or pathlib.Path
        Directory, relative paths resolved against the project root.
    as_of : str or datetime-like, optional
        Reference date; dates after it are errors.  Defaults to today.
    tables : list of str, optional
        Tables to load; all of the contract by default.  ``customers`` and
        ``orders`` must exist when asked for.
    use_cache : bool, optional
        ``False`` validates the files directly; by default the cache is used
        unless the ``KANDO_CACHE`` environment variable is ``0``/``off``.
    cache_dir : str or pathlib.Path, optional
        Cache folder; ``KANDO_CACHE_DIR`` or ``<data_dir>/.kando/cache`` by default.

    Returns
    -------
    Dataset
        An optional table whose file has a header and no rows is ``None``,
        as if absent; ``notes`` says so.

    Raises
    ------
    DataValidationError
        If any file has a problem; ``err.report`` lists all of them.
    """
    data_path = resolve_path(data_dir)
    wanted = list(schemas.TABLES) if tables is None else list(tables)
    if (cache.enabled() if use_cache is None else use_cache) and data_path.is_dir():
        dataset = _load_from_cache(data_path, _resolve_as_of(as_of), wanted, cache_dir)
        if dataset is not None:
            return dataset
    report, reads, as_of = _read_directory(data_dir, as_of, tables)
    if not report.ok:
        raise DataValidationError(report)
    frames = {t: read.frame for t, (_, read) in reads.items()}
    return _dataset(report.data_dir, as_of, frames, {t: p for t, (p, _) in reads.items()}, list(report.notes))
