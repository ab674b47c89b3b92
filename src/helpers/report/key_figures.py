"""Key figures: the few numbers of a notebook that the executive summary, the deck
and the manifest show.

A notebook calls :func:`record` where a section shows a figure.  The figure
travels inside the executed notebook as a display output of its own MIME type
(invisible in JupyterLab and in the PDF); ``kando run`` collects them with
:func:`read_key_figures`, writes ``NN_name.key_figures.json`` beside the
executed notebook, and the summary, the deck and the manifest read them from
there, so a summary can never disagree with its section.

Importing this module is cheap: no pandas, no IPython until :func:`record`.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

#: MIME type of a recorded key figure inside a notebook.
KEY_FIGURE_MIME = "application/vnd.kando.key-figure+json"
#: Units a key figure may have (how the summary formats it).
UNITS = ("points", "pp", "percent", "yen", "count", "people", "years", "months", "days", "ratio", "number")
#: Suffix of the file written beside an executed notebook.
KEY_FIGURES_SUFFIX = ".key_figures.json"

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class KeyFigure:
    """One recorded figure.

    Attributes
    ----------
    name : str
        Stable snake_case code (``nps``).
    value : float or None
        ``None`` when the notebook could not compute it (see ``reason``).
    unit : str
        One of :data:`UNITS`.
    label : tuple of (str, str)
        What it is, in Japanese and English.
    low, high : float or None
        Interval bounds in the unit of ``value``.
    level : float
        Level of the interval.
    n : int or None
        Number of customers or answers behind it.
    p : float or None
        p-value of the test behind it.
    subject : str or None
        The data value it is about (a touchpoint, a persona), as written.
    reason : tuple of (str, str) or None
        Why it is missing.
    headline : bool
        The notebook's one-line takeaway (deck).
    notebook : str or None
        Stem of the notebook that recorded it (set when collected).
    anchor : str
        HTML id of the place it was recorded (the summary's page reference).
    """

    name: str
    value: float | None
    unit: str
    label: tuple[str, str]
    low: float | None = None
    high: float | None = None
    level: float = 0.95
    n: int | None = None
    p: float | None = None
    subject: str | None = None
    reason: tuple[str, str] | None = None
    headline: bool = False
    notebook: str | None = None
    anchor: str = field(default="")

    def text(self, lang: str) -> str:
        """The label in ``lang``."""
        return self.label[1] if lang == "en" else self.label[0]

    def why(self, lang: str) -> str | None:
        """The reason it is missing in ``lang``; ``None`` when it was computed."""
        if self.reason is None:
            return None
        return self.reason[1] if lang == "en" else self.reason[0]

    def to_json(self) -> dict:
        """A JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> KeyFigure:
        """Inverse of :meth:`to_json`."""
        data = dict(data)
        data["label"] = tuple(data["label"])
        if data.get("reason") is not None:
            data["reason"] = tuple(data["reason"])
        return cls(**data)


def _plain(value, what: str) -> float | int | None:
    """A JSON number from a Python or numpy scalar; ``None`` for missing values."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"key figure {what}: a number is needed, not {type(value).__name__} ({value!r})")
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _pair(value, what: str) -> tuple[str, str] | None:
    if value is None:
        return None
    if isinstance(value, str) or len(value) != 2 or not all(isinstance(v, str) for v in value):
        raise TypeError(f"key figure {what}: a (japanese, english) pair of texts is needed, not {value!r}")
    return (value[0], value[1])


def make_key_figure(
    name: str,
    value,
    *,
    unit: str,
    label: tuple[str, str],
    low=None,
    high=None,
    level: float = 0.95,
    n=None,
    p=None,
    subject: str | None = None,
    reason: tuple[str, str] | None = None,
    headline: bool = False,
) -> KeyFigure:
    """Check the arguments of :func:`record` and build the :class:`KeyFigure`.

    Raises
    ------
    ValueError
        For a name that is not snake_case, an unknown unit, or a missing
        value without a reason.
    TypeError
        For a value that is not a number or a label that is not a pair.
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"key figure name must be snake_case ASCII (like 'nps'), not {name!r}")
    if unit not in UNITS:
        raise ValueError(f"key figure {name}: unit must be one of {', '.join(UNITS)}, not {unit!r}")
    value = _plain(value, name)
    reason = _pair(reason, f"{name} reason")
    if value is None and reason is None:
        raise ValueError(f"key figure {name}: no value; give reason=(japanese, english) saying why")
    n = _plain(n, f"{name} n")
    return KeyFigure(
        name=name,
        value=value,
        unit=unit,
        label=_pair(label, f"{name} label"),
        low=_plain(low, f"{name} low"),
        high=_plain(high, f"{name} high"),
        level=float(level),
        n=int(n) if n is not None else None,
        p=_plain(p, f"{name} p"),
        subject=None if subject is None else str(subject),
        reason=reason,
        headline=bool(headline),
        anchor=f"kf-{name.replace('_', '-')}",
    )


def record(name: str, value, **details) -> None:
    """Record a key figure of the notebook (shown in the summary, deck and manifest).

    Parameters
    ----------
    name : str
        Stable snake_case code, unique in the workbook (``"nps"``).
    value : float, int or None
        The number; ``None`` when it could not be computed (give ``reason``).
    **details
        ``unit`` (one of :data:`UNITS`, required), ``label`` ((ja, en),
        required), ``low``, ``high``, ``level``, ``n``, ``p``, ``subject``,
        ``reason``, ``headline``: see :class:`KeyFigure`.

    Returns
    -------
    None
        (Nothing, so that a ``record(...)`` ending a cell prints nothing.)

    Examples
    --------
    >>> record("nps", 12.5, unit="points", low=8.1, high=16.9, n=900,
    ...        label=("NPS", "NPS"))  # doctest: +SKIP
    """
    from IPython.display import display

    figure = make_key_figure(name, value, **details)
    # empty text/plain: JupyterLab shows nothing; the report renderer turns it into an anchor
    display({KEY_FIGURE_MIME: figure.to_json(), "text/plain": ""}, raw=True)


def read_key_figures(notebook) -> list[KeyFigure]:
    """The key figures recorded in an executed notebook, in cell order.

    Parameters
    ----------
    notebook : nbformat.NotebookNode or str or pathlib.Path
        The executed notebook or its file.

    Returns
    -------
    list of KeyFigure
        ``notebook`` set to the notebook's stem when read from a file.
    """
    stem = None
    if isinstance(notebook, (str, Path)):
        import nbformat

        stem = Path(notebook).stem
        notebook = nbformat.read(str(notebook), as_version=4)
    figures = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            data = output.get("data", {})
            if KEY_FIGURE_MIME in data:
                payload = data[KEY_FIGURE_MIME]
                if isinstance(payload, str):
                    payload = json.loads(payload)
                figure = KeyFigure.from_json(payload)
                if stem is not None and figure.notebook is None:
                    figure = KeyFigure.from_json({**figure.to_json(), "notebook": stem})
                figures.append(figure)
    return figures


def with_notebook(figures: list[KeyFigure], stem: str) -> list[KeyFigure]:
    """The figures with ``notebook`` set to ``stem``."""
    return [KeyFigure.from_json({**f.to_json(), "notebook": stem}) for f in figures]


def key_figures_path(executed: str | Path) -> Path:
    """``NN_name.key_figures.json`` beside an executed notebook."""
    executed = Path(executed)
    return executed.with_name(executed.stem + KEY_FIGURES_SUFFIX)


def write_key_figures(figures: list[KeyFigure], executed: str | Path, pages: dict[str, int] | None = None) -> Path:
    """Write the figures of one notebook beside its executed file.

    Parameters
    ----------
    figures : list of KeyFigure
    executed : str or pathlib.Path
        The executed notebook.
    pages : dict of str to int, optional
        Anchor -> page of the combined PDF, when known.

    Returns
    -------
    pathlib.Path
    """
    path = key_figures_path(executed)
    rows = [{**f.to_json(), "page": (pages or {}).get(f.anchor)} for f in figures]
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def load_key_figures(path: str | Path) -> list[tuple[KeyFigure, int | None]]:
    """Read a ``.key_figures.json`` file: each figure with its page (or ``None``)."""
    rows = json.loads(Path(path).read_text(encoding="utf-8"))
    out = []
    for row in rows:
        page = row.pop("page", None)
        out.append((KeyFigure.from_json(row), page))
    return out
