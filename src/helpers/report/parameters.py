"""Report parameters: the notebooks' ``parameters`` cells, a YAML file, ``-p`` overrides.

The known parameters of a run are the union of the ``parameters`` cells of
the chosen notebooks (read with :func:`papermill.inspect_notebook`).  Values
come from a YAML file, then from ``-p NAME VALUE`` overrides (each value read
as a YAML scalar).  A name no chosen notebook declares is an error that lists
the known ones.  Each notebook receives only the parameters it declares.
"""

from __future__ import annotations

import ast
import datetime as _dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from helpers.report.errors import ReportUsageError


class UnknownParameterError(ReportUsageError):
    """A parameter that none of the chosen notebooks declares.

    Attributes
    ----------
    unknown : list of str
    known : list of str
    """

    def __init__(self, unknown: Iterable[str], known: Iterable[str]):
        self.unknown = sorted(unknown)
        self.known = sorted(known)
        super().__init__(
            f"不明なパラメータ / unknown parameter: {', '.join(self.unknown)}. "
            f"使えるパラメータ / known parameters: {', '.join(self.known) or '(なし / none)'}"
        )


@dataclass(frozen=True)
class NotebookParameter:
    """One line of a notebook's ``parameters`` cell.

    Attributes
    ----------
    name : str
    default : object
        The literal default (``ast.literal_eval`` of the cell text); the text
        itself when it is not a literal.
    type_name : str
        Type papermill inferred from the annotation or the value.
    help : str
        The trailing comment.
    """

    name: str
    default: object
    type_name: str
    help: str


def _literal(text: str) -> object:
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def _cell_parameters(source: str) -> dict[str, NotebookParameter]:
    """Top-level assignments of a parameters cell, read with ``ast``: name,
    literal default and the comment at the end of the line."""
    import io
    import tokenize

    tree = ast.parse(source)
    comments: dict[int, str] = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            comments[token.start[0]] = token.string.lstrip("#").strip()
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name, annotation = node.targets[0].id, None
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            name, annotation = node.target.id, ast.unparse(node.annotation)
        else:
            continue
        text = ast.get_source_segment(source, node.value) or ""
        found[name] = NotebookParameter(name, _literal(text), annotation or "None", comments.get(node.end_lineno, ""))
    return found


def notebook_parameters(path: str | Path) -> dict[str, NotebookParameter]:
    """The parameters a notebook declares in its ``parameters`` cell.

    Read with :func:`papermill.inspect_notebook`.  papermill skips a line
    with more than one ``=`` (for instance in its comment); such lines are
    read with ``ast`` instead, so every assignment of the cell is a known
    parameter.  :func:`papermill_unreadable` names them.

    Parameters
    ----------
    path : str or pathlib.Path
        The ``.ipynb`` file.

    Returns
    -------
    dict of str to NotebookParameter
        In the order of the cell; empty when the notebook has no such cell.
    """
    inspected = _inspect_quietly(path)
    from_papermill = {
        name: NotebookParameter(name, _literal(p["default"]), p["inferred_type_name"], p["help"])
        for name, p in inspected.items()
    }
    source = _parameters_cell_source(path)
    if source is None:
        return from_papermill
    try:
        from_ast = _cell_parameters(source)
    except SyntaxError:
        return from_papermill
    return {name: from_papermill.get(name, param) for name, param in from_ast.items()} | {
        name: param for name, param in from_papermill.items() if name not in from_ast
    }


def _inspect_quietly(path: str | Path) -> dict:
    """papermill.inspect_notebook without its "Unable to parse line" log lines
    (:func:`papermill_unreadable` reports those, naming the notebook)."""
    import logging

    import papermill

    log = logging.getLogger("papermill")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        return papermill.inspect_notebook(str(path))
    finally:
        log.setLevel(level)


def _parameters_cell_source(path: str | Path) -> str | None:
    from helpers.report.notebooks import read_notebook_json

    for cell in read_notebook_json(path).get("cells", []):
        if cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            source = cell.get("source", "")
            return "".join(source) if isinstance(source, list) else source
    return None


def papermill_unreadable(path: str | Path) -> list[str]:
    """Parameters papermill cannot read (``papermill --help-notebook`` omits them).

    papermill skips a line of the parameters cell holding more than one
    ``=``, as in ``x = "a"  # a=b``.  Listed so the notebook can be fixed.
    """
    declared = set(_inspect_quietly(path))
    source = _parameters_cell_source(path)
    if source is None:
        return []
    try:
        return [name for name in _cell_parameters(source) if name not in declared]
    except SyntaxError:
        return []


def known_parameters(declared: Mapping[str, Mapping[str, NotebookParameter]]) -> dict[str, NotebookParameter]:
    """Union of several notebooks' parameters; the first notebook's default wins.

    Parameters
    ----------
    declared : mapping of notebook name to its parameters
        In run order.

    Returns
    -------
    dict of str to NotebookParameter
    """
    known: dict[str, NotebookParameter] = {}
    for params in declared.values():
        for name, param in params.items():
            known.setdefault(name, param)
    return known


def _plain(value: object) -> object:
    """YAML dates become ISO strings: notebooks take dates as text."""
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    return value


def parse_override(text: str, default: object = None) -> object:
    """The value of ``-p NAME VALUE``, read as a YAML scalar.

    When the notebook's default is a string the text is kept as it is, so
    ``-p brand 2025`` or ``-p as_of 2025-06-30`` stay strings.

    Parameters
    ----------
    text : str
        Value as typed.
    default : object, optional
        The notebook's default.

    Returns
    -------
    object
    """
    import yaml

    if isinstance(default, str):
        return text
    value = yaml.safe_load(text) if text.strip() else ""
    if isinstance(value, (list, dict)):
        raise ReportUsageError(f"-p の値はスカラーにしてください / -p takes a scalar value, got {text!r}")
    return _plain(value)


def load_params_file(path: str | Path) -> dict[str, object]:
    """Parameters from a YAML file holding a mapping ``name: value``.

    Parameters
    ----------
    path : str or pathlib.Path

    Returns
    -------
    dict

    Raises
    ------
    ReportUsageError
        If the file does not hold a mapping or is not valid YAML.
    """
    import yaml

    path = Path(path)
    with path.open(encoding="utf-8") as handle:
        try:
            content = yaml.safe_load(handle)
        except yaml.YAMLError as error:
            raise ReportUsageError(f"{path}: YAML として読めません / not valid YAML: {error}") from error
    if content is None:
        return {}
    if not isinstance(content, dict):
        raise ReportUsageError(f"{path}: パラメータは 名前: 値 の形で書いてください / expected a mapping name: value")
    return {str(name): _plain(value) for name, value in content.items()}


def _coerce_to_default_type(value: object, default: object) -> object:
    """A YAML file value for a string parameter becomes a string (``brand: 2025``)."""
    if isinstance(default, str) and value is not None and not isinstance(value, str):
        return str(value)
    return value


def merge_parameters(
    known: Mapping[str, NotebookParameter],
    file_values: Mapping[str, object] | None = None,
    overrides: Iterable[tuple[str, str]] | Mapping[str, object] | None = None,
    file_known: Iterable[str] | None = None,
) -> dict[str, object]:
    """The parameters set for a run: file values, then overrides.

    Parameters
    ----------
    known : mapping of str to NotebookParameter
        Union of the chosen notebooks' parameters.
    file_values : mapping, optional
        From :func:`load_params_file`.
    overrides : iterable of (name, text) or mapping, optional
        ``-p`` pairs (text parsed with :func:`parse_override`), or a mapping of
        ready values (Python API).
    file_known : iterable of str, optional
        Names a parameter file may hold: those of every report notebook, so
        one file serves the whole workbook when only some notebooks run.
        Values for notebooks that do not run are left out.  ``known`` by
        default.

    Returns
    -------
    dict
        Only the parameters that were set; defaults are not included.

    Raises
    ------
    UnknownParameterError
        If an override is not in ``known``, or a file name not in
        ``file_known``.
    """
    values: dict[str, object] = {}
    file_values = dict(file_values or {})
    if isinstance(overrides, Mapping):
        override_values = {k: _plain(v) for k, v in overrides.items()}
    else:
        override_values = {}
        for name, text in overrides or ():
            default = known[name].default if name in known else None
            override_values[name] = parse_override(str(text), default)
    allowed_in_file = set(known) | set(file_known or ())
    unknown = (set(file_values) - allowed_in_file) | (set(override_values) - set(known))
    if unknown:
        raise UnknownParameterError(unknown, known)
    for name, value in file_values.items():
        if name in known:
            values[name] = _coerce_to_default_type(value, known[name].default)
    values.update(override_values)
    return values


def parameters_for(declared: Mapping[str, NotebookParameter], values: Mapping[str, object]) -> dict[str, object]:
    """The subset of ``values`` a notebook declares."""
    return {name: value for name, value in values.items() if name in declared}


def effective_parameters(
    declared: Mapping[str, NotebookParameter], injected: Mapping[str, object]
) -> dict[str, object]:
    """What a notebook runs with: its defaults, replaced by the injected values."""
    return {name: injected.get(name, param.default) for name, param in declared.items()}
