"""Executing one notebook with papermill, and reading what went wrong in it.

Each execution starts its own ``python3`` kernel.  A failing cell does not
raise: the result names the cell (its index in the source notebook and the
first line of its source), the exception, and the executed notebook that
papermill saved with the error in place.  Outputs a client report should not
show (stderr, warnings, reprs such as ``<Figure size ...>``) are listed as
issues.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

#: Kernel every report notebook runs on.
KERNEL_NAME = "python3"

#: Tag papermill gives the cell holding the injected parameters.
INJECTED_TAG = "injected-parameters"
#: Tag of the markers papermill adds to a notebook that failed.
ERROR_MARKER_TAG = "papermill-error-cell-tag"

#: Plain-text reprs that leak into a report when a cell ends with a plot call.
STRAY_REPR = re.compile(r"^\s*[\[(]?\s*(?:<(?:Figure|Axes|AxesSubplot|matplotlib\.|seaborn\.)|Text\()")


@dataclass(frozen=True)
class CellFailure:
    """Where and how a notebook failed.

    Attributes
    ----------
    cell_index : int or None
        Index of the failing cell in the source notebook (0-based), ``None``
        when the kernel failed outside a cell.
    execution_count : int or None
        The ``In [n]`` number of the cell.
    first_line : str
        First non-blank line of the cell's source.
    exception : str
        ``ExceptionName: message``.
    executed_path : pathlib.Path or None
        The executed notebook with the error in place; None when the kernel
        died before any of it could be written.
    stage : {"execute", "render"}
        Whether running the notebook or rendering its PDF failed.
    """

    cell_index: int | None
    execution_count: int | None
    first_line: str
    exception: str
    executed_path: Path | None
    stage: str = "execute"

    def format(self, notebook: str, lang: str = "ja") -> str:
        """Message naming the notebook, the cell, the exception and the saved file."""
        if self.stage == "render":
            where = "PDF 作成" if lang == "ja" else "PDF rendering"
        elif self.cell_index is None:
            where = "カーネル" if lang == "ja" else "kernel"
        elif lang == "ja":
            where = f"セル {self.cell_index}（In [{self.execution_count}]）"
        else:
            where = f"cell {self.cell_index} (In [{self.execution_count}])"
        head = "失敗" if lang == "ja" else "FAILED"
        saved = "エラー付きの実行済みノートブック" if lang == "ja" else "executed notebook with the error"
        lines = [f"{head}: {notebook} {where}: {self.exception}"]
        if self.first_line:
            lines.append(f"    > {self.first_line}")
        if self.executed_path is not None:
            lines.append(f"    {saved}: {self.executed_path}")
        return "\n".join(lines)


@dataclass(frozen=True)
class OutputIssue:
    """An output that should not reach a report.

    Attributes
    ----------
    cell_index : int
        Index of the cell in the source notebook (0-based).
    kind : str
        ``"stderr"`` (warnings, logging) or ``"repr"`` (a stray object repr).
    text : str
        First line of the output.
    """

    cell_index: int
    kind: str
    text: str

    def format(self, notebook: str, lang: str = "ja") -> str:
        """One warning line naming the notebook and the cell."""
        kind = {"stderr": "stderr/警告" if lang == "ja" else "stderr/warning",
                "repr": "不要な出力" if lang == "ja" else "stray repr"}[self.kind]
        cell = "セル" if lang == "ja" else "cell"
        head = "注意" if lang == "ja" else "WARNING"
        return f"{head}: {notebook} {cell} {self.cell_index}: {kind}: {self.text}"


@dataclass
class Execution:
    """Outcome of :func:`execute_notebook`.

    Attributes
    ----------
    notebook : nbformat.NotebookNode or None
        The executed notebook (``None`` if papermill could not even start).
    failure : CellFailure or None
    seconds : float
    issues : list of OutputIssue
    kernel_cpu : float
        CPU seconds the kernel used (0 where the platform cannot tell).
    """

    notebook: object
    failure: CellFailure | None
    seconds: float
    issues: list[OutputIssue] = field(default_factory=list)
    kernel_cpu: float = 0.0


def _children_cpu() -> float:
    """CPU seconds of the finished child processes (the kernels) of this process."""
    try:
        import resource
    except ImportError:  # not on POSIX
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _source(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def source_cell_index(notebook, executed_index: int) -> int:
    """Index in the source notebook of a cell of the executed notebook.

    papermill inserts the injected-parameters cell and, on failure, error
    markers; they are not counted.
    """
    added = sum(
        1
        for cell in notebook.cells[:executed_index]
        if {INJECTED_TAG, ERROR_MARKER_TAG} & set(cell.get("metadata", {}).get("tags", []))
    )
    return executed_index - added


def is_stray_output(output) -> str | None:
    """The kind of issue an output is (``"stderr"``, ``"repr"``), or ``None``."""
    kind = output.get("output_type")
    if kind == "stream":
        return "stderr" if output.get("name") == "stderr" else None
    if kind in ("execute_result", "display_data"):
        data = output.get("data", {})
        if set(data) == {"text/plain"} and STRAY_REPR.search(_source({"source": data["text/plain"]})):
            return "repr"
    return None


def output_issues(notebook) -> list[OutputIssue]:
    """stderr outputs and stray reprs of an executed notebook, in cell order."""
    issues = []
    for index, cell in enumerate(notebook.cells):
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            kind = is_stray_output(output)
            if kind is None:
                continue
            text = output.get("text") if kind == "stderr" else output["data"]["text/plain"]
            issues.append(OutputIssue(source_cell_index(notebook, index), kind, _first_line(_source({"source": text}))))
    return issues


def _failure_from_error(error, notebook, executed_path: Path) -> CellFailure:
    index = None
    if notebook is not None and error.cell_index is not None:
        # papermill raised with the index from before it inserted its error markers
        original = [c for c in notebook.cells if ERROR_MARKER_TAG not in c.get("metadata", {}).get("tags", [])]
        index = error.cell_index - sum(
            1 for c in original[: error.cell_index] if INJECTED_TAG in c.get("metadata", {}).get("tags", [])
        )
    message = f"{error.ename}: {error.evalue}" if error.evalue else error.ename
    return CellFailure(index, error.exec_count, _first_line(error.source or ""), message, executed_path)


def kernel_environment() -> dict[str, str]:
    """Environment variables the kernels get.

    - ``PYTHONPATH`` includes the folder holding ``helpers`` (a kernel finds
      the package even before it is pip-installed);
    - ``PYTHONHASHSEED=0`` makes set and dict-of-str ordering reproducible;
    - ``MPLBACKEND`` is the inline backend, so that figures are embedded even
      when the caller set a non-interactive backend such as Agg.
    """
    import helpers

    package_parent = str(Path(helpers.__file__).resolve().parents[1])
    paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    if package_parent not in paths:
        paths.insert(0, package_parent)
    return {
        "PYTHONPATH": os.pathsep.join(paths),
        "PYTHONHASHSEED": "0",
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",  # silences a debugger warning on kernel start
    }


@contextmanager
def _kernel_launch_settings():
    """Environment for the kernel, and a kernel-manager config using IPC sockets.

    Kernels inherit the environment of the process that starts them, so it
    is set for the duration of the run and restored after.  On POSIX the
    kernel talks over Unix sockets in a private temporary folder instead of
    unencrypted TCP (no "running over TCP without encryption" warning, no
    port races between parallel kernels).
    """
    from traitlets.config import Config

    from helpers.report.environment import environment

    config = Config()
    folder = None
    if os.name == "posix":
        folder = tempfile.mkdtemp(prefix="kando-kernel-")
        config.KernelManager.transport = "ipc"
        config.KernelManager.ip = str(Path(folder) / "k")
    try:
        with environment(kernel_environment()):
            yield config
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


def execute_notebook(source: Path, executed_path: Path, parameters: dict, cwd: Path | None = None) -> Execution:
    """Execute a notebook with papermill on the ``python3`` kernel.

    Parameters
    ----------
    source : pathlib.Path
        The notebook to run.
    executed_path : pathlib.Path
        Where papermill writes the executed notebook (also on failure).
    parameters : dict
        Values injected after the ``parameters`` cell.
    cwd : pathlib.Path, optional
        Working directory of the kernel; the notebook's folder by default,
        as in JupyterLab.

    Returns
    -------
    Execution
    """
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from helpers.report import kernel_forks, kernel_manager

    start, cpu_start = time.perf_counter(), _children_cpu()
    executed_path.unlink(missing_ok=True)  # a previous run's notebook is not this run's
    kernel_forks.FINISHED_CPU.clear()
    notebook, failure = None, None
    try:
        with _kernel_launch_settings() as config:
            notebook = papermill.execute_notebook(
                str(source),
                str(executed_path),
                parameters=parameters,
                kernel_name=KERNEL_NAME,
                progress_bar=False,
                cwd=str(cwd or source.parent),
                config=config,
                # written once at the end (and on a failing cell), not twice per cell:
                # re-encoding every figure each time cost 1.7 s of CPU for 06 at 1M customers
                request_save_on_cell_execute=False,
                kernel_manager_class=kernel_manager.kernel_manager_class(),
            )
    except PapermillExecutionError as error:
        notebook = nbformat.read(str(executed_path), as_version=4)
        failure = _failure_from_error(error, notebook, executed_path)
    except Exception as error:  # a dead kernel or a start timeout: no cell to blame
        # the notebook is written at the end, so a kernel that died mid-run leaves none
        written = executed_path if executed_path.exists() else None
        if written is not None:
            notebook = nbformat.read(str(written), as_version=4)
        failure = CellFailure(None, None, "", f"{type(error).__name__}: {error}".strip(), written)
    seconds = time.perf_counter() - start
    issues = output_issues(notebook) if notebook is not None else []
    kernel_cpu = _children_cpu() - cpu_start + sum(kernel_forks.FINISHED_CPU.values())
    return Execution(notebook, failure, seconds, issues, kernel_cpu)
