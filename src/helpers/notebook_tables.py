"""Which tables each report notebook needs, read from the notebook itself.

Each report notebook declares its tables once, in its metadata::

    "metadata": {"kando": {"requires": ["customers", "orders", "nps"],
                           "uses": ["fan_survey", "journey"]}}

``requires`` are the tables without which the notebook cannot say anything;
``uses`` are read when present, and the sections built on them say why they
are left out when not.  That one declaration is read by ``kando validate``
(which notebooks the data supports), ``kando run`` (a notebook whose required
tables are absent is skipped, with the reason) and the notebook itself
(:func:`load_for_notebook` loads exactly those tables).

A table whose file has a header and no rows counts as absent.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from helpers import io, labels, schemas

#: Metadata key of the declaration inside a notebook.
METADATA_KEY = "kando"


@dataclass(frozen=True)
class TableNeeds:
    """The tables one notebook requires and uses when present.

    Attributes
    ----------
    notebook : str
        Notebook stem, e.g. ``"06_ltv"``.
    requires : tuple of str
        Tables the notebook cannot run without.
    uses : tuple of str
        Tables it reads when present.
    """

    notebook: str
    requires: tuple[str, ...]
    uses: tuple[str, ...]

    @property
    def tables(self) -> tuple[str, ...]:
        """Required tables, then the ones used when present."""
        return self.requires + self.uses

    def missing(self, present: Iterable[str]) -> tuple[str, ...]:
        """Required tables that are not in ``present``, in declaration order."""
        present = set(present)
        return tuple(t for t in self.requires if t not in present)

    def absent_optional(self, present: Iterable[str]) -> tuple[str, ...]:
        """Tables used when present that are not in ``present``."""
        present = set(present)
        return tuple(t for t in self.uses if t not in present)


def _check_tables(names, notebook: str, field: str) -> tuple[str, ...]:
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ValueError(f"{notebook}: metadata {METADATA_KEY}.{field} must be a list of table names")
    unknown = [n for n in names if n not in schemas.TABLES]
    if unknown:
        raise ValueError(
            f"{notebook}: metadata {METADATA_KEY}.{field} names unknown tables {unknown}; "
            f"known: {', '.join(schemas.TABLES)}"
        )
    return tuple(names)


def read_needs(notebook: str | Path | dict, name: str | None = None) -> TableNeeds:
    """The table declaration of a notebook.

    Parameters
    ----------
    notebook : str, pathlib.Path or dict
        Path of an ``.ipynb`` file, a notebook stem of the project's
        ``notebooks/`` folder (``"06_ltv"``), or the notebook's JSON.
    name : str, optional
        Stem to report; taken from the path when not given.

    Returns
    -------
    TableNeeds
        A notebook without a declaration requires the contract's required
        tables and uses every other table.

    Raises
    ------
    ValueError
        When the declaration names a table the data contract does not know.
    """
    if isinstance(notebook, dict):
        nb, stem = notebook, name or "notebook"
    else:
        path = notebook_path(notebook)
        nb, stem = json.loads(path.read_text(encoding="utf-8")), name or path.stem
    declared = nb.get("metadata", {}).get(METADATA_KEY)
    if declared is None:
        optional = tuple(t for t in schemas.TABLES if t not in schemas.REQUIRED_TABLES)
        return TableNeeds(stem, tuple(schemas.REQUIRED_TABLES), optional)
    requires = _check_tables(declared.get("requires", []), stem, "requires")
    uses = _check_tables(declared.get("uses", []), stem, "uses")
    return TableNeeds(stem, requires, tuple(t for t in uses if t not in requires))


def notebook_path(notebook: str | Path) -> Path:
    """Path of a notebook given as a path or as a stem of the project's ``notebooks/``."""
    path = Path(notebook)
    if path.suffix == ".ipynb":
        return io.resolve_path(path)
    return io.PROJECT_ROOT / "notebooks" / f"{path.name}.ipynb"


def present_tables(report: io.ValidationReport) -> set[str]:
    """Tables of a validated data directory that have a file with at least one row."""
    return {s.table for s in report.summaries if s.rows > 0}


@dataclass(frozen=True)
class Support:
    """Whether the data at hand supports one notebook.

    Attributes
    ----------
    needs : TableNeeds
    missing : tuple of str
        Required tables that are absent (or empty): the notebook is skipped.
    absent_optional : tuple of str
        Tables it uses when present that are absent: sections say why they are left out.
    """

    needs: TableNeeds
    missing: tuple[str, ...]
    absent_optional: tuple[str, ...]

    @property
    def supported(self) -> bool:
        """True when every required table is present."""
        return not self.missing


def support(needs: Iterable[TableNeeds], present: Iterable[str]) -> list[Support]:
    """For each notebook, which required and optional tables the data lacks.

    Parameters
    ----------
    needs : iterable of TableNeeds
    present : iterable of str
        Tables with rows, as from :func:`present_tables`.

    Returns
    -------
    list of Support
        In the order of ``needs``.
    """
    present = set(present)
    return [Support(n, n.missing(present), n.absent_optional(present)) for n in needs]


def _number(stem: str) -> str:
    return stem.split("_", 1)[0]


def _join(items: list[str], lang: str) -> str:
    if lang == "ja":
        return "・".join(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def skip_reasons(supports: Iterable[Support], lang: str = labels.DEFAULT_LANG) -> list[str]:
    """One sentence per set of absent tables, naming the notebooks skipped for it.

    Parameters
    ----------
    supports : iterable of Support
    lang : {"ja", "en"}

    Returns
    -------
    list of str
        e.g. ``"NPS responses not provided: 01 and 02 skipped"`` /
        ``"NPS回答がありません: 01・02 を省略"``; empty when nothing is skipped.
    """
    labels.check_lang(lang)
    groups: dict[tuple[str, ...], list[str]] = {}
    for s in supports:
        if s.missing:
            groups.setdefault(s.missing, []).append(_number(s.needs.notebook))
    out = []
    for missing, numbers in groups.items():
        tables = _join([labels.label(t, lang) for t in missing], lang)
        if lang == "ja":
            out.append(f"{tables}がありません: {_join(numbers, lang)} を省略")
        else:
            out.append(f"{tables} not provided: {_join(numbers, lang)} skipped")
    return out


def format_support(supports: Iterable[Support], lang: str = labels.DEFAULT_LANG) -> str:
    """Text for ``kando validate``: one line per notebook, run or skipped and why.

    Parameters
    ----------
    supports : iterable of Support
    lang : {"ja", "en"}

    Returns
    -------
    str
    """
    ja = labels.check_lang(lang) == "ja"
    out = ["このデータで実行できるノートブック:" if ja else "Notebooks this data supports:"]
    for s in supports:
        stem = s.needs.notebook
        if s.missing:
            names = _join([labels.label(t, lang) for t in s.missing], lang)
            why = f"省略（{names}がありません）" if ja else f"skipped ({names} not provided)"
            out.append(f"  ✗ {stem:<22} {why}")
            continue
        line = f"  ✓ {stem:<22} " + ("実行" if ja else "runs")
        if s.absent_optional:
            names = _join([labels.label(t, lang) for t in s.absent_optional], lang)
            line += f"（{names}を使う節は省略）" if ja else f" (sections on {names} left out)"
        out.append(line)
    return "\n".join(out)


def load_for_notebook(notebook: str | Path, data_dir: str | Path, as_of=None) -> io.Dataset:
    """Load and validate the tables a notebook declares.

    Parameters
    ----------
    notebook : str or pathlib.Path
        Notebook stem (``"06_ltv"``) or path.
    data_dir : str or pathlib.Path
        Relative paths resolve against the project root.
    as_of : str or datetime-like, optional
        Reference date.

    Returns
    -------
    helpers.io.Dataset
        Required and used tables; used tables that are absent or have no
        rows are ``None`` (``Dataset.notes`` says which).

    Raises
    ------
    helpers.io.MissingTableError
        Naming every required table that is absent or empty.
    helpers.io.DataValidationError
        When a file has problems.
    """
    needs = read_needs(notebook)
    ds = io.load_data(data_dir, as_of=as_of, tables=list(needs.tables))
    missing = needs.missing(t for t, frame in ds.tables.items() if frame is not None)
    if missing:
        files = ", ".join(f"{t}.csv" for t in missing)
        raise io.MissingTableError(
            f"{needs.notebook} には {'・'.join(labels.label(t, 'ja') for t in missing)}（{files} または .xlsx）が"
            f"必要ですが、{ds.data_dir} にありません（または行がありません） / {needs.notebook} needs {files} "
            f"(or .xlsx) with at least one row in {ds.data_dir}"
        )
    return ds
