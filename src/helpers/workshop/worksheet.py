"""Journey worksheet I/O for the workshop: load, tidy, blank, save (``.csv`` / ``.xlsx``)."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pandas as pd

from helpers import io, labels, schemas, template

#: Columns of the journey table, in the worksheet template's order.
JOURNEY_COLUMNS: tuple[str, ...] = template.JOURNEY_COLUMNS

#: Header styles a worksheet can be saved with.
HEADER_STYLES: tuple[str, ...] = ("snake", "ja")

#: Sheet name of a saved ``.xlsx`` worksheet (the template's sheet).
SHEET_NAME = template.DATA_SHEET["ja"]


# ----------------------------------------------------------------------------
# Worksheets: load, blank, save
# ----------------------------------------------------------------------------


@dataclass
class WorksheetLoad:
    """A journey worksheet read for the workshop.

    Attributes
    ----------
    path : pathlib.Path or None
        The file read (None for a blank worksheet).
    frame : pandas.DataFrame
        The journey rows, contract columns typed (empty when there are
        problems).
    problems : list of helpers.io.Problem
        Everything wrong with the file, as :func:`helpers.io.read_table`
        reports it.
    notes : list of str
        Information that is not an error (sheet read, blank lines skipped).
    """

    path: Path | None
    frame: pd.DataFrame
    problems: list[io.Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the worksheet can be edited (no problem, at least one row)."""
        return not self.problems and len(self.frame) > 0

    def format(self, lang: str = labels.DEFAULT_LANG) -> str:
        """The problems and notes as text, one per line."""
        ja = labels.check_lang(lang) == "ja"
        lines = list(self.notes)
        if self.problems:
            head = f"問題 {len(self.problems):,} 件" if ja else f"{len(self.problems):,} problems"
            lines.append(head + ":")
            lines.extend("  " + p.format(lang) for p in self.problems)
        elif len(self.frame) == 0:
            lines.append("ワークシートに行がありません" if ja else "the worksheet has no rows")
        return "\n".join(lines)


def tidy_journey(frame: pd.DataFrame) -> pd.DataFrame:
    """Journey rows in canonical form: every contract column, typed, sorted.

    All contract columns are present (optional ones missing from ``frame``
    are added blank), in the worksheet template's order, with the contract's
    dtypes; columns the contract does not know follow, unchanged.  Personas
    keep the order in which they first appear; within a persona ``as_is``
    comes before ``to_be``, then steps ascend.  The index is 0..n-1.

    Parameters
    ----------
    frame : pandas.DataFrame
        Journey rows with at least the required columns.

    Returns
    -------
    pandas.DataFrame
    """
    spec = schemas.TABLES["journey"]
    extra = [c for c in frame.columns if c not in spec.columns]
    out = (
        frame.reindex(columns=[*JOURNEY_COLUMNS, *extra])
        .reset_index(drop=True)
        .astype({c: schemas.dtype_of(spec.columns[c].kind) for c in JOURNEY_COLUMNS})
    )
    persona_order = {p: i for i, p in enumerate(pd.unique(out["persona"]))}
    keys = pd.DataFrame(
        {
            "persona": out["persona"].map(persona_order).astype("int64"),
            "scenario": out["scenario"].map({s: i for i, s in enumerate(labels.SCENARIOS)}),
            "step": out["step"],
        }
    )
    order = keys.sort_values(["persona", "scenario", "step"], kind="stable").index
    return out.loc[order].reset_index(drop=True)


def load_worksheet(path: str | Path) -> WorksheetLoad:
    """Read a journey worksheet (``.csv`` or ``.xlsx``) for the workshop.

    The file goes through :func:`helpers.io.read_table`, so it is validated
    exactly as ``kando validate`` and the notebooks validate it: Japanese
    template headers, ``現状``/``理想`` scenarios and full-width digits are
    accepted, and every problem is reported with its line.

    Parameters
    ----------
    path : str or pathlib.Path
        Worksheet file; relative paths resolve against the project root.

    Returns
    -------
    WorksheetLoad
    """
    path = io.resolve_path(path)
    if not path.is_file():
        problem = io.Problem(
            path.name,
            None,
            None,
            None,
            f"ファイルが見つかりません: {path}",
            f"file not found: {path}",
        )
        return WorksheetLoad(path, schemas.empty_frame("journey"), [problem])
    if path.suffix.lower() not in io.TABLE_SUFFIXES:
        problem = io.Problem(
            path.name,
            None,
            None,
            None,
            "読み込めるのは .csv か .xlsx のファイルです",
            "only .csv and .xlsx files can be read",
        )
        return WorksheetLoad(path, schemas.empty_frame("journey"), [problem])
    read = io.read_table(path, "journey")
    frame = tidy_journey(read.frame) if not read.problems else read.frame
    return WorksheetLoad(path, frame, list(read.problems), list(read.notes))


def blank_worksheet(persona: str, stages: tuple[str, ...] = labels.JOURNEY_STAGES) -> pd.DataFrame:
    """A journey to fill in: one as-is step per stage, emotion 0.

    Each step's touchpoint starts as its stage name, to be renamed in the
    workshop; expectation and evaluation start blank.

    Parameters
    ----------
    persona : str
        Name of the persona.
    stages : tuple of str
        Stages in time order, one step each (the template's stage list).

    Returns
    -------
    pandas.DataFrame
        Journey rows in the contract's dtypes.
    """
    if not str(persona).strip():
        raise ValueError("persona must not be blank / ペルソナ名が空です")
    n = len(stages)
    frame = pd.DataFrame(
        {
            "persona": [str(persona).strip()] * n,
            "scenario": ["as_is"] * n,
            "step": range(1, n + 1),
            "stage": list(stages),
            "touchpoint": list(stages),
            "emotion": [0] * n,
            "expectation": pd.array([pd.NA] * n, dtype="Int64"),
            "evaluation": pd.array([pd.NA] * n, dtype="Int64"),
        }
    )
    return tidy_journey(frame)


def worksheet_headers(frame: pd.DataFrame, style: str = "snake") -> dict[str, str]:
    """Header written for each column of ``frame``.

    Parameters
    ----------
    frame : pandas.DataFrame
        Journey rows.
    style : {"snake", "ja"}
        ``"snake"``: the contract's snake_case names; ``"ja"``: the Japanese
        labels of :mod:`helpers.labels` (the template's headers), which
        :func:`helpers.io.read_table` maps back.  Extra columns keep their
        own header in both styles.

    Returns
    -------
    dict
        Column -> header.
    """
    if style not in HEADER_STYLES:
        raise ValueError(f"style must be one of {HEADER_STYLES}, got {style!r}")
    if style == "snake":
        return {c: c for c in frame.columns}
    return {c: labels.label(c, "ja") if c in JOURNEY_COLUMNS else c for c in frame.columns}


def _write(rows: pd.DataFrame, path: Path, headers: str) -> None:
    """Write tidy journey rows; ``.xlsx`` with Japanese headers fills the template."""
    out = rows.rename(columns=worksheet_headers(rows, headers))
    if path.suffix.lower() == ".csv":
        # UTF-8 with BOM, so that Excel opens the Japanese text correctly.
        out.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")
    elif headers == "snake":
        out.to_excel(path, sheet_name=SHEET_NAME, index=False, engine="openpyxl")
    else:
        # the template keeps its drop-downs, limits and instructions sheet
        template.write_template(path, lang="ja", overwrite=True)
        book = openpyxl.load_workbook(path)
        sheet = book[template.DATA_SHEET["ja"]]
        for position, header in enumerate(out.columns[len(JOURNEY_COLUMNS) :], start=len(JOURNEY_COLUMNS) + 1):
            sheet.cell(row=1, column=position, value=header)
        values = out.astype(object).where(out.notna(), None).to_numpy()
        for row_number, row in enumerate(values, start=2):
            for position, value in enumerate(row, start=1):
                if value is not None:
                    sheet.cell(row=row_number, column=position, value=value)
        book.save(path)


@dataclass
class SaveResult:
    """What :func:`save_worksheet` did.

    Attributes
    ----------
    path : pathlib.Path
        The file written to (or that would have been).
    saved : bool
        Whether the file was written.
    overwritten : bool
        Whether an existing file was replaced.
    problems : list of helpers.io.Problem
        Why the rows were not saved (the written file would not load back).
    message_ja, message_en : str
        A sentence for the user.
    """

    path: Path
    saved: bool
    overwritten: bool = False
    problems: list[io.Problem] = field(default_factory=list)
    message_ja: str = ""
    message_en: str = ""


def save_worksheet(
    frame: pd.DataFrame,
    path: str | Path,
    *,
    headers: str = "snake",
    overwrite: bool = False,
) -> SaveResult:
    """Write journey rows as a worksheet that loads back identically.

    The rows are written to a temporary file beside ``path`` and read back
    with :func:`helpers.io.read_table`; only when that gives no problem is
    the file moved into place.  An existing file is replaced only with
    ``overwrite=True``.

    Parameters
    ----------
    frame : pandas.DataFrame
        Journey rows.
    path : str or pathlib.Path
        Target ``.csv`` (UTF-8 with BOM) or ``.xlsx`` (sheet 「ジャーニー」).
    headers : {"snake", "ja"}
        Header style, see :func:`worksheet_headers`.  An ``.xlsx`` with
        Japanese headers is written into :func:`helpers.template.write_template`'s
        workbook, so it keeps the template's drop-downs and instructions.
    overwrite : bool
        Replace an existing file.

    Returns
    -------
    SaveResult
    """
    path = io.resolve_path(path)
    if path.suffix.lower() not in io.TABLE_SUFFIXES:
        return SaveResult(
            path,
            False,
            message_ja=f"保存先は .csv か .xlsx にしてください: {path.name}",
            message_en=f"save as .csv or .xlsx: {path.name}",
        )
    exists = path.exists()
    if exists and not overwrite:
        return SaveResult(
            path,
            False,
            message_ja=f"{path} は既にあります。上書きする場合は「上書きする」にチェックしてから保存してください。",
            message_en=f"{path} exists; tick 'overwrite' to replace it.",
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = tidy_journey(frame)
    handle, tmp_name = tempfile.mkstemp(prefix=".journey-", suffix=path.suffix, dir=path.parent)
    os.close(handle)
    tmp = Path(tmp_name)
    try:
        _write(rows, tmp, headers)
        check = io.read_table(tmp, "journey")
        if check.problems:
            problems = [io.Problem(path.name, p.line, p.column, p.value, p.rule_ja, p.rule_en) for p in check.problems]
            return SaveResult(
                path,
                False,
                problems=problems,
                message_ja=f"保存できません（問題 {len(problems)} 件）。修正してからもう一度保存してください。",
                message_en=f"not saved ({len(problems)} problems); fix them and save again.",
            )
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    verb_ja = "上書き保存しました" if exists else "保存しました"
    return SaveResult(
        path,
        True,
        overwritten=exists,
        message_ja=f"{path} に{verb_ja}（{len(rows)} 行）。",
        message_en=f"{'overwrote' if exists else 'saved'} {path} ({len(rows)} rows).",
    )


def default_save_path(worksheet: str | Path | None, data_dir: str | Path, output_dir: str | Path) -> Path:
    """Where the workshop offers to save the edited worksheet.

    The loaded file itself (so that the next ``kando run`` on its folder uses
    the edit), or ``<data_dir>/journey.xlsx`` for a blank start; but never
    inside the bundled ``data/sample`` (generated, never hand-edited): there
    ``<output_dir>/journey.csv`` instead.

    Parameters
    ----------
    worksheet : str, pathlib.Path or None
        The loaded worksheet, None for a blank start.
    data_dir, output_dir : str or pathlib.Path
        The notebook's folders (relative to the project root).

    Returns
    -------
    pathlib.Path
    """
    target = io.resolve_path(worksheet) if worksheet else io.resolve_path(data_dir) / "journey.xlsx"
    sample_dir = io.PROJECT_ROOT / "data" / "sample"
    if target.parent == sample_dir:
        return io.resolve_path(output_dir) / "journey.csv"
    return target
