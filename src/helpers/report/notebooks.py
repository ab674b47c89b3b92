"""The report notebooks of a workbook: which exist, which were asked for, their titles.

Report notebooks are ``notebooks/NN_name.ipynb`` (two digits, an underscore),
run in name order.  Other notebooks in the folder, such as the workshop
notebook, are not reports.  New notebooks are picked up by their name alone.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from helpers.report.errors import ReportUsageError

#: Glob of report notebooks inside the notebooks directory.
REPORT_NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_MARKDOWN_INLINE = re.compile(r"(\*\*|__|\*|_|`)")


def default_notebooks_dir() -> Path:
    """``notebooks/`` of the project root."""
    from helpers import io

    return io.PROJECT_ROOT / "notebooks"


def discover_notebooks(notebooks_dir: str | Path | None = None) -> list[Path]:
    """All report notebooks of a folder, in name order.

    Parameters
    ----------
    notebooks_dir : str or pathlib.Path, optional
        Folder to look in; ``notebooks/`` of the project root by default.
        Relative paths are resolved against the project root.

    Returns
    -------
    list of pathlib.Path
        Absolute paths of ``NN_*.ipynb`` files, sorted by name.
    """
    folder = resolve_notebooks_dir(notebooks_dir)
    return sorted((p for p in folder.glob(REPORT_NOTEBOOK_GLOB) if p.is_file()), key=lambda p: p.name)


def resolve_notebooks_dir(notebooks_dir: str | Path | None) -> Path:
    """Absolute notebooks folder (project root's ``notebooks/`` when ``None``)."""
    if notebooks_dir is None:
        return default_notebooks_dir()
    from helpers import io

    return io.resolve_path(notebooks_dir)


def _keys(path: Path) -> set[str]:
    """Names a user may use for a notebook: ``01``, ``1``, ``01_loyalty``, ``loyalty``."""
    stem = path.stem
    prefix, _, rest = stem.partition("_")
    return {prefix, str(int(prefix)), stem, path.name, rest}


def select_notebooks(available: list[Path], wanted: str | list[str] | None) -> list[Path]:
    """The notebooks named in ``wanted``, in name order.

    Parameters
    ----------
    available : list of pathlib.Path
        Report notebooks, as from :func:`discover_notebooks`.
    wanted : str or list of str or None
        ``"01,04"``, ``["01", "ltv"]``, ... (number, stem, file name, or the
        part after the number); ``None`` or empty selects all.

    Returns
    -------
    list of pathlib.Path

    Raises
    ------
    ReportUsageError
        If a name matches no notebook; the message lists the available ones.
    """
    if wanted is None:
        return list(available)
    if isinstance(wanted, str):
        wanted = [wanted]
    names = [w.strip() for item in wanted for w in str(item).split(",") if w.strip()]
    if not names:
        return list(available)
    chosen: set[Path] = set()
    unknown = []
    for name in names:
        matches = [p for p in available if name in _keys(p)]
        if not matches:
            unknown.append(name)
        chosen.update(matches)
    if unknown:
        listing = ", ".join(p.stem for p in available) or "(なし / none)"
        raise ReportUsageError(
            f"ノートブックが見つかりません / no such notebook: {', '.join(unknown)}. "
            f"選べるもの / available: {listing}"
        )
    return [p for p in available if p in chosen]


def read_notebook_json(path: str | Path) -> dict:
    """The notebook file as plain JSON (no validation, fast)."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _source_text(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


#: Tag of a markdown cell written in one language; a report in the other language leaves it out.
LANG_TAGS = {"ja": "lang-ja", "en": "lang-en"}


def cell_language(cell: dict) -> str | None:
    """``"ja"`` or ``"en"`` for a cell tagged ``lang-ja`` / ``lang-en``; ``None`` for a cell of both."""
    tags = set(cell.get("metadata", {}).get("tags", []))
    for lang, tag in LANG_TAGS.items():
        if tag in tags:
            return lang
    return None


def notebook_title(notebook: str | Path | dict, lang: str = "ja") -> str:
    """The notebook's first markdown heading in ``lang``, without markdown marks.

    Parameters
    ----------
    notebook : str, pathlib.Path or dict
        Path of an ``.ipynb`` file, or its JSON / NotebookNode.
    lang : {"ja", "en"}
        Cells tagged for the other language are skipped.

    Returns
    -------
    str
        The heading text; the file stem when there is no heading.
    """
    nb = notebook if isinstance(notebook, dict) else read_notebook_json(notebook)
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown" or cell_language(cell) not in (None, lang):
            continue
        match = _HEADING.search(_source_text(cell))
        if match:
            return _MARKDOWN_INLINE.sub("", match.group(1)).strip()
    if isinstance(notebook, (str, Path)):
        return Path(notebook).stem
    return str(nb.get("metadata", {}).get("papermill", {}).get("input_path", "notebook"))
