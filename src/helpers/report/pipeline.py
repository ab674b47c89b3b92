"""Run the workbook: validate the data, execute the notebooks, render the reports.

:func:`run_workbook` is the Python API behind ``kando run``.  A run writes
into ``reports/<brand>-<YYYYMMDD-HHMMSS>/`` (or ``out_dir``):

- ``NN_name.ipynb``: each executed notebook (with the error in place when it
  failed);
- ``NN_name.pdf``: one report per notebook;
- ``combined.pdf``: cover, contents with page numbers, every report;
- ``manifest.json``: inputs' SHA-256, parameters, versions, git commit, timings,
  the notebooks skipped because a table they require is absent, and the
  validation's notes (an absent or empty optional table, ...);
- ``outputs/``: files the notebooks export, when they take an ``output_dir``
  parameter and the run does not set it.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import multiprocessing
import os
import re
import sys
import threading
import time
from collections.abc import Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path

from helpers.report import notebooks as nb_files
from helpers.report import parameters as params_mod
from helpers.report.errors import ReportUsageError
from helpers.report.execute import CellFailure, OutputIssue

#: File name of the combined report inside a run folder.
COMBINED_PDF = "combined.pdf"
#: File name of the manifest inside a run folder.
MANIFEST = "manifest.json"
#: Parameter through which notebooks take the folder for their exports.
OUTPUT_DIR_PARAMETER = "output_dir"
#: Brand used when neither the parameters nor the notebooks name one.
FALLBACK_BRAND = "kando"


@dataclass
class NotebookResult:
    """What one notebook of a run produced.

    Attributes
    ----------
    name : str
        Notebook stem (``01_loyalty``).
    source : pathlib.Path
    title : str
        First markdown heading.
    executed : pathlib.Path
        The executed notebook.
    pdf : pathlib.Path or None
        Its report; ``None`` with ``--no-pdf`` or when it failed.
    parameters : dict
        Values injected into the notebook.
    effective_parameters : dict
        Its defaults with the injected values applied.
    failure : CellFailure or None
    issues : list of OutputIssue
        stderr and stray reprs, left out of the PDF.
    personal_data : dict
        Personal columns whose values were found in the report text (the
        PDF is then not written).
    seconds : dict
        ``execute``, ``render`` and ``total`` wall times; ``kernel_cpu`` and
        ``render_cpu``, CPU seconds of the kernel and of the rendering.
    """

    name: str
    source: Path
    title: str
    executed: Path
    pdf: Path | None = None
    parameters: dict = field(default_factory=dict)
    effective_parameters: dict = field(default_factory=dict)
    failure: CellFailure | None = None
    issues: list[OutputIssue] = field(default_factory=list)
    personal_data: dict = field(default_factory=dict)
    seconds: dict = field(default_factory=dict)
    body_html: str | None = field(default=None, repr=False)
    layout: bytes | None = field(default=None, repr=False)  # the PDF without page numbers
    key_figures: list = field(default_factory=list)  # helpers.report.key_figures.KeyFigure, in cell order
    anchors: dict = field(default_factory=dict)  # key-figure anchor -> page within this notebook's PDF
    figure_pages: dict = field(default_factory=dict)  # key-figure anchor -> page of the combined PDF

    @property
    def ok(self) -> bool:
        """True when the notebook ran and its report holds no personal data."""
        return self.failure is None and not self.personal_data

    def error_message(self, lang: str = "ja") -> str | None:
        """Message naming the notebook and what went wrong; ``None`` when ok."""
        if self.failure is not None:
            return self.failure.format(self.source.name, lang)
        if self.personal_data:
            columns = ", ".join(f"{c} ({n})" for c, n in sorted(self.personal_data.items()))
            if lang == "ja":
                return (
                    f"失敗: {self.source.name}: レポートに個人情報が含まれています: {columns}。"
                    f"PDF は作成していません。実行済みノートブック: {self.executed}"
                )
            return (
                f"FAILED: {self.source.name}: the report shows personal data: {columns}. "
                f"No PDF written. Executed notebook: {self.executed}"
            )
        return None


@dataclass(frozen=True)
class SkippedNotebook:
    """A notebook left out of a run because a table it requires is absent.

    Attributes
    ----------
    name : str
        Notebook stem.
    source : pathlib.Path
    title : str
    missing : tuple of str
        The required tables that are absent or have no rows.
    """

    name: str
    source: Path
    title: str
    missing: tuple[str, ...]


@dataclass
class RunResult:
    """Everything a run wrote.

    Attributes
    ----------
    out_dir : pathlib.Path
    notebooks : list of NotebookResult
        In run order.
    combined_pdf : pathlib.Path or None
    manifest : pathlib.Path
    parameters : dict
        Values set for the run (file, keywords, overrides), data_dir absolute.
    changed_parameters : dict
        Those that differ from the notebooks' defaults.
    seconds : float
        Wall time of the whole run.
    skipped : list of SkippedNotebook
        Notebooks not run because a table they require is absent.
    skip_reasons : list of str
        ``"NPS回答がありません: 01・02 を省略"`` style, in the run's language.
    deck : pathlib.Path or None
        ``deck.pptx`` with ``pptx=True``.
    deck_error : str or None
        Why the deck was not written (personal data found).
    """

    out_dir: Path
    notebooks: list[NotebookResult]
    combined_pdf: Path | None
    manifest: Path
    parameters: dict
    changed_parameters: dict
    seconds: float
    skipped: list[SkippedNotebook] = field(default_factory=list)
    skip_reasons: list[str] = field(default_factory=list)
    deck: Path | None = None
    deck_error: str | None = None

    @property
    def ok(self) -> bool:
        """True when every notebook succeeded (and the deck, when asked for, was written)."""
        return all(r.ok for r in self.notebooks) and self.deck_error is None

    @property
    def failures(self) -> list[NotebookResult]:
        """The notebooks that failed."""
        return [r for r in self.notebooks if not r.ok]

    @property
    def exit_code(self) -> int:
        """0 when every notebook succeeded, 1 otherwise."""
        return 0 if self.ok else 1


@dataclass(frozen=True)
class _Task:
    source: Path
    executed: Path
    pdf: Path | None
    parameters: dict
    brand: str
    title: str
    lang: str
    keep_freed_memory: bool = False


def block_slow_optional_imports() -> None:
    """Keep ``rfc3987_syntax`` from loading in this process.

    jsonschema (under nbformat) imports it, when installed, for an IRI format
    check notebooks never use; it builds a grammar at import and costs about
    2.5 s per process.  Blocking it makes jsonschema skip that one check.
    """
    if "rfc3987_syntax" not in sys.modules:
        sys.modules["rfc3987_syntax"] = None


#: The C allocator's settings that keep freed memory for reuse (see :func:`kernel_environment`).
KEEP_FREED_MEMORY = {
    "MALLOC_MMAP_THRESHOLD_": str(4 * 1024**3),  # large arrays from the heap, not a fresh mapping each
    "MALLOC_TRIM_THRESHOLD_": str(16 * 1024**3),  # freed memory stays with the process
    "NUMPY_MADVISE_HUGEPAGE": "0",  # no huge-page compaction on every new array
}
#: A kernel's peak with :data:`KEEP_FREED_MEMORY`, relative to its lean peak (measured: +14 % at 1M customers).
KEEP_FREED_MEMORY_PEAK = 1.25


def kernel_environment(keep_freed_memory: bool = False) -> None:
    """Set what the kernels this process starts inherit: one BLAS thread, the system allocator for Arrow.

    The notebooks run side by side, one per core: a BLAS that also starts a
    thread per core in every kernel only makes them wait for each other
    (measured at 1M customers: key drivers 38 s instead of 17 s).  It also
    keeps the numbers independent of the machine: a threaded matrix product
    adds in an order that depends on the number of cores.  Arrow's own
    allocator keeps freed memory for reuse; the system one gives it back,
    which lowers a kernel's peak by 6-13 % at the same speed (05 and 06 at 1M
    customers).  A setting the user made is kept.

    With ``keep_freed_memory`` (when the memory has room for it: see
    :func:`keep_freed_memory`) the C allocator keeps what a kernel frees
    instead of giving it back and faulting it in again, zeroed, for the next
    array: at 1M customers 06, 05 and 01 take 8 % less time (the kernel
    time spent on page faults falls from 7.3 s to 4.2 s) for a 14 % higher
    peak.  Results are the same to the bit; only where memory comes from
    changes.
    """
    for variable, value in _kernel_settings(keep_freed_memory).items():
        os.environ.setdefault(variable, value)


def _kernel_settings(keep_freed_memory: bool) -> dict[str, str]:
    settings = dict.fromkeys(("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"), "1")
    settings["ARROW_DEFAULT_MEMORY_POOL"] = "system"
    if keep_freed_memory:
        settings.update(KEEP_FREED_MEMORY)
    return settings


#: Set to ``0`` to start every kernel afresh instead of forking it (:mod:`helpers.report.kernel_forks`).
KERNEL_FORKS_ENV = "KANDO_KERNEL_FORKS"


@contextlib.contextmanager
def _kernel_fork_server(keep_freed_memory: bool):
    """A fork server whose kernels get the environment of this run's kernels (None when forks are off).

    Interpreter-wide settings (the allocator, BLAS threads, the hash seed)
    are read when a process starts, so the server starts with them.  Not on
    platforms without ``fork``, nor when :data:`KERNEL_FORKS_ENV` is ``0``.
    """
    if not hasattr(os, "fork") or os.environ.get(KERNEL_FORKS_ENV) == "0":
        yield None
        return
    from helpers.report import execute, kernel_forks

    env = {**_kernel_settings(keep_freed_memory), **os.environ, **execute.kernel_environment()}
    with kernel_forks.fork_server(env) as path:
        yield path


def _fork_server_for(tasks: list):
    """The fork server of ``tasks``: the one running for this run (see :func:`run_workbook`), else a new one."""
    from helpers.report import kernel_forks

    if not tasks or os.environ.get(kernel_forks.SOCKET_ENV):
        return contextlib.nullcontext()
    return _kernel_fork_server(tasks[0].keep_freed_memory)


def _run_task(task: _Task) -> NotebookResult:
    """Execute one notebook and render its PDF (runs in a worker process)."""
    from helpers.report import execute, render

    block_slow_optional_imports()
    kernel_environment(task.keep_freed_memory)
    start = time.perf_counter()
    task.executed.parent.mkdir(parents=True, exist_ok=True)
    if task.pdf is not None:
        task.pdf.unlink(missing_ok=True)  # never leave a previous run's report beside a failure
    run = execute.execute_notebook(task.source, task.executed, task.parameters)
    result = NotebookResult(
        name=task.source.stem,
        source=task.source,
        title=task.title,
        executed=task.executed,
        parameters=dict(task.parameters),
        failure=run.failure,
        issues=run.issues,
        seconds={"execute": round(run.seconds, 3), "kernel_cpu": round(run.kernel_cpu, 3)},
    )
    if run.notebook is not None:
        from helpers.report.key_figures import read_key_figures, with_notebook, write_key_figures

        result.key_figures = with_notebook(read_key_figures(run.notebook), result.name)
        write_key_figures(result.key_figures, task.executed)
    if run.failure is None:
        render_start, render_cpu = time.perf_counter(), time.process_time()
        result.title = nb_files.notebook_title(run.notebook, task.lang)
        try:
            if task.pdf is not None:  # the HTML serves the PDFs, and the personal-data check of them, only
                result.body_html = render.notebook_body_html(run.notebook)
                section = render.Section(result.name, result.title, result.body_html)
                result.layout, result.anchors = render.render_document(
                    render.section_html(section, task.brand, task.lang), task.brand
                )
                result.pdf = render.write_numbered(result.layout, task.pdf, f"{task.brand} — {result.title}")
        except Exception as error:  # one report that cannot be drawn does not stop the others
            result.body_html = result.layout = result.pdf = None
            result.failure = CellFailure(None, None, "", f"{type(error).__name__}: {error}", task.executed, "render")
        result.seconds["render"] = round(time.perf_counter() - render_start, 3)
        result.seconds["render_cpu"] = round(time.process_time() - render_cpu, 3)
    result.seconds["total"] = round(time.perf_counter() - start, 3)
    return result


#: Peak memory of the heaviest notebook kernel per validated input row
#: (06_ltv at 1M customers: 2.7 GB for 8.4M rows of all tables).
KERNEL_BYTES_PER_ROW = 330


def default_jobs(rows: int | None = None) -> int:
    """Parallel notebook runs by default: one per CPU, as memory allows.

    The kernels are CPU-bound (one BLAS thread each): a run per core is as
    fast as one more, which only makes them compete (measured on 2 cores: the
    sample workbook with PDFs 22.2 s with 2 jobs, 23.0 s with 3; 1M customers
    without PDFs 58.6 s and 59.7 s).  With ``rows`` (all input rows), no more
    kernels run at once than fit in 80 % of the memory available now at
    :data:`KERNEL_BYTES_PER_ROW` each: ten million customers run one notebook
    at a time rather than run out of memory.

    Parameters
    ----------
    rows : int, optional
        Rows of the validated tables, summed.

    Returns
    -------
    int
        At least 1.
    """
    jobs = max(1, os.cpu_count() or 1)
    if rows:
        jobs = min(jobs, _kernels_that_fit(rows))
    return max(1, jobs)


def _kernels_that_fit(rows: int, peak_factor: float = 1.0) -> int:
    """Kernels of ``KERNEL_BYTES_PER_ROW x peak_factor`` per input row that fit in 80 % of the free memory."""
    import psutil

    return int(0.8 * psutil.virtual_memory().available // (rows * KERNEL_BYTES_PER_ROW * peak_factor))


def keep_freed_memory(rows: int | None, jobs: int) -> bool:
    """Whether ``jobs`` kernels fit in memory even with the allocator keeping what they free.

    True when ``jobs`` kernels of :data:`KERNEL_BYTES_PER_ROW` per row, times
    :data:`KEEP_FREED_MEMORY_PEAK`, fit in 80 % of the memory available now;
    the sample and a million customers on a laptop do, ten million customers
    on 24 GB do not (they run lean, one notebook at a time).

    Parameters
    ----------
    rows : int or None
        Rows of the validated tables, summed (None: unknown, no).
    jobs : int
        Kernels running at once.

    Returns
    -------
    bool
    """
    return bool(rows) and _kernels_that_fit(rows, KEEP_FREED_MEMORY_PEAK) >= jobs


_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def run_folder_name(brand: str, when: _dt.datetime) -> str:
    """``<brand>-<YYYYMMDD-HHMMSS>``, the brand made safe as a file name."""
    safe = _UNSAFE.sub("_", str(brand)).strip("._") or FALLBACK_BRAND
    return f"{safe}-{when:%Y%m%d-%H%M%S}"


def _new_run_dir(root: Path, brand: str, when: _dt.datetime) -> Path:
    base = root / "reports" / run_folder_name(brand, when)
    candidate, n = base, 1
    while candidate.exists():
        n += 1
        candidate = base.with_name(f"{base.name}-{n}")
    return candidate


def _emit(message: str, stream) -> None:
    from tqdm import tqdm

    tqdm.write(message, file=stream)


def _period(validation) -> tuple:
    """First and last order date, from the validation summaries."""
    for summary in validation.summaries:
        if summary.table == "orders":
            return summary.first_date, summary.last_date
    return None, None


def _changed(values: Mapping, known: Mapping, root: Path) -> dict:
    from helpers import io
    from helpers.report.manifest import display_path

    changed = {}
    for name, value in values.items():
        default = known[name].default if name in known else None
        if name == "data_dir":
            if default is None or io.resolve_path(str(default)) != Path(str(value)):
                changed[name] = display_path(value, root)
        elif value != default:
            changed[name] = value
    return changed


def _personal_index(data_dir: Path, as_of) -> object:
    from helpers import io
    from helpers.report.privacy_guard import PersonalDataIndex

    if io.find_table_file(data_dir, "customers") is None:
        return PersonalDataIndex()
    dataset = io.load_data(data_dir, as_of=as_of, tables=["customers"])
    return PersonalDataIndex.from_customers(dataset.customers)


def _input_files(data_dir: Path, params_file: Path | None, sources: list[Path]) -> list[Path]:
    from helpers import io

    data_files = [p for p in data_dir.iterdir() if p.is_file() and p.suffix.lower() in io.TABLE_SUFFIXES]
    return data_files + ([params_file] if params_file else []) + list(sources)


def _data_hashes(plan) -> dict[Path, str]:
    """SHA-256 of the data files, as the cache keyed its entry by them (none without a cache)."""
    if plan.cache_root is None:
        return {}
    from helpers import cache

    files = cache.input_files(plan.config.data_path)
    by_name = cache.file_hashes(files, plan.cache_root)
    return {path: by_name[path.name] for path in files}


def run_workbook(
    data_dir: str | Path | None = None,
    params: Mapping | str | Path | None = None,
    notebooks: str | list[str] | None = None,
    out_dir: str | Path | None = None,
    pdf: bool = True,
    jobs: int | None = None,
    lang: str | None = None,
    notebooks_dir: str | Path | None = None,
    overrides: list[tuple[str, str]] | None = None,
    progress: bool = True,
    stream=None,
    cache_dir: str | Path | None = None,
    pptx: bool = False,
) -> RunResult:
    """Validate the data, execute the report notebooks and render the reports.

    Four steps: :func:`resolve_config` (notebooks and parameter values) ->
    :func:`plan_run` (validate, run folder, tasks) -> :func:`execute_plan`
    (notebooks, PDFs, combined PDF) -> :func:`build_manifest`.

    Parameters
    ----------
    data_dir : str or pathlib.Path, optional
        Data directory (relative paths against the project root); the
        notebooks' ``data_dir`` default when omitted.
    params : mapping, or str / pathlib.Path of a YAML file, optional
        Parameter values.
    notebooks : str or list of str, optional
        Which notebooks (``"01,04"``, ``["ltv"]``); all report notebooks by
        default.
    out_dir : str or pathlib.Path, optional
        Output folder; ``reports/<brand>-<YYYYMMDD-HHMMSS>/`` by default.
    pdf : bool
        Render the PDFs (per notebook and combined).
    jobs : int, optional
        Notebooks run at the same time; the number of CPUs by default.
    lang : {"ja", "en"}, optional
        Sets the ``lang`` parameter and the language of the cover and of the
        messages.
    notebooks_dir : str or pathlib.Path, optional
        Where the notebooks are; ``notebooks/`` of the project root by default.
    overrides : list of (name, text), optional
        ``-p NAME VALUE`` pairs, applied last; values read as YAML scalars.
    progress : bool
        Show a progress bar and per-notebook lines.
    stream : file-like, optional
        Where messages go (``sys.stdout`` by default).
    cache_dir : str or pathlib.Path, optional
        Folder of the validated-data cache (:mod:`helpers.cache`);
        ``<data_dir>/.kando/cache`` by default.  The data is validated once
        here and the notebooks load the typed tables from the cache; a run
        on data the cache already holds (same files, ``as_of`` and rules)
        takes the stored validation report instead of reading them again.
    pptx : bool
        Also write ``deck.pptx`` (cover, summary, journey maps, one slide per section).

    Returns
    -------
    RunResult
        ``result.ok`` is False when a notebook failed; the other reports are
        still written.

    Raises
    ------
    helpers.io.DataValidationError
        When the data has problems; ``err.report`` lists them and nothing ran.
    UnknownParameterError
        For a parameter none of the chosen notebooks declares (a
        ReportUsageError).
    ReportUsageError
        For an unknown notebook name, an empty notebooks folder or a bad
        parameter file.
    FileNotFoundError
        When the data directory does not exist.
    """
    started = time.perf_counter()
    run_date = _dt.datetime.now().replace(microsecond=0)
    stream = stream or sys.stdout
    block_slow_optional_imports()
    config = resolve_config(data_dir, params, notebooks, lang, notebooks_dir, overrides, progress, stream)
    with contextlib.ExitStack() as server:
        # the kernels' fork server starts now: its imports (about 1 s) overlap the validation
        early = server.enter_context(_kernel_fork_server(keep_freed_memory=True))
        plan = plan_run(config, out_dir, pdf, run_date, cache_dir=cache_dir)
        if progress:
            for reason in plan.skip_reasons[config.lang]:
                _emit(("省略: " if config.lang == "ja" else "Skipped: ") + reason, stream)
        rows = sum(summary.rows for summary in plan.validation.summaries)
        jobs = max(1, min(jobs or default_jobs(rows), len(plan.tasks)))
        if keep_freed_memory(rows, jobs):
            plan = replace(plan, tasks=[replace(task, keep_freed_memory=True) for task in plan.tasks])
        elif early is not None and plan.tasks:  # data this large runs lean: an allocator that gives memory back
            server.close()
            server.enter_context(_kernel_fork_server(keep_freed_memory=False))
        results, combined, combined_seconds = execute_plan(plan, jobs, pdf, progress, stream, fork_server=server)
    deck, deck_seconds, deck_error = publish_extras(plan, results, pptx, progress, stream)
    removed = _remove_cache_copies(plan.out_dir, plan.cache_root, config.lang, stream)
    total = time.perf_counter() - started
    manifest = build_manifest(
        config, plan, results, combined, jobs, combined_seconds, total, removed,
        deck=deck, deck_error=deck_error, deck_seconds=deck_seconds,
    )
    from helpers.report.manifest import write_manifest

    manifest_path = write_manifest(manifest, plan.out_dir / MANIFEST)
    return RunResult(
        plan.out_dir, results, combined, manifest_path, config.values, plan.changed, round(total, 3),
        plan.skipped, plan.skip_reasons[config.lang], deck=deck, deck_error=deck_error,
    )


@dataclass(frozen=True)
class RunConfig:
    """What a run was asked for, resolved: notebooks, their parameters and the values set.

    Attributes
    ----------
    available : list of pathlib.Path
        Every report notebook of the folder.
    chosen : list of pathlib.Path
        The notebooks to run, in order.
    declared : dict
        ``notebook stem -> {name: Parameter}`` of the chosen notebooks.
    known : dict
        The parameters the chosen notebooks declare, merged.
    params_file : pathlib.Path or None
        The YAML parameter file, if one was given.
    values : dict
        Values set for the run (file, keywords, overrides); ``data_dir`` absolute.
    data_path : pathlib.Path
        The data directory.
    as_of : str or None
        Reference date.
    brand : str
        Brand on the cover and pages.
    lang : str
        Language of the reports and messages.
    """

    available: list
    chosen: list
    declared: dict
    known: dict
    params_file: Path | None
    values: dict
    data_path: Path
    as_of: str | None
    brand: str
    lang: str


@dataclass(frozen=True)
class RunPlan:
    """The validated data and the tasks of a run (:func:`plan_run`).

    Attributes
    ----------
    config : RunConfig
        What the run was asked for.
    validation : helpers.io.ValidationReport
        The data's validation (no problems).
    validate_seconds : float
        Time the validation took.
    out_dir : pathlib.Path
        The run folder (created).
    changed : dict
        Parameters that differ from the notebooks' defaults.
    tasks : list
        One task per chosen notebook whose required tables are present, in run order.
    run_date : datetime.datetime
        When the run started.
    skipped : list of SkippedNotebook
        Chosen notebooks left out because a table they require is absent.
    skip_reasons : dict
        ``{"ja": [...], "en": [...]}``: one sentence per set of absent tables.
    cache_root : pathlib.Path or None
        The validated-data cache the notebooks load from (None: cache off).
    """

    config: RunConfig
    validation: object
    validate_seconds: float
    out_dir: Path
    changed: dict
    tasks: list
    run_date: _dt.datetime
    skipped: list = field(default_factory=list)
    skip_reasons: dict = field(default_factory=lambda: {"ja": [], "en": []})
    cache_root: Path | None = None


def resolve_config(
    data_dir=None, params=None, notebooks=None, lang=None, notebooks_dir=None, overrides=None,
    progress: bool = True, stream=None,
) -> RunConfig:
    """Step 1 of :func:`run_workbook`: the notebooks, their parameters and the values to set.

    Parameters are those of :func:`run_workbook`.

    Returns
    -------
    RunConfig
        The resolved run.

    Raises
    ------
    ReportUsageError
        For an unknown notebook or parameter, an empty folder or a bad parameter file.
    """
    from helpers import io

    stream = stream or sys.stdout
    folder = nb_files.resolve_notebooks_dir(notebooks_dir)
    available = nb_files.discover_notebooks(folder)
    if not available:
        raise ReportUsageError(f"レポート用ノートブックがありません / no report notebooks (NN_*.ipynb) in {folder}")
    chosen = nb_files.select_notebooks(available, notebooks)

    declared = {p.stem: params_mod.notebook_parameters(p) for p in chosen}
    if progress:
        for path in chosen:
            missed = params_mod.papermill_unreadable(path)
            if missed:
                _emit(
                    f"注意 / WARNING: {path.name}: papermill cannot read the parameters {', '.join(missed)} "
                    "(a line with more than one '='); they are used, but `papermill --help-notebook` omits them",
                    stream,
                )
    known = params_mod.known_parameters(declared)
    params_file = None
    if isinstance(params, (str, Path)):
        params_file = io.resolve_path(params)
        file_values = params_mod.load_params_file(params_file)
    else:
        file_values = dict(params or {})
    keyword_values = {}
    if data_dir is not None and "data_dir" in known:
        keyword_values["data_dir"] = str(data_dir)
    if lang is not None and "lang" in known:
        keyword_values["lang"] = lang
    others = [p for p in available if p not in chosen] if file_values else []
    workbook_names = set(known).union(*(params_mod.notebook_parameters(p) for p in others))
    values = params_mod.merge_parameters(known, {**file_values, **keyword_values}, overrides, workbook_names)

    data_default = known["data_dir"].default if "data_dir" in known else "data/sample"
    data_path = io.resolve_path(str(values.get("data_dir", data_dir if data_dir is not None else data_default)))
    if "data_dir" in known:
        values["data_dir"] = str(data_path)
    as_of = values.get("as_of", known["as_of"].default if "as_of" in known else None)
    brand = str(values.get("brand", known["brand"].default if "brand" in known else FALLBACK_BRAND))
    lang = lang or str(values.get("lang", known["lang"].default if "lang" in known else "ja"))
    return RunConfig(available, chosen, declared, known, params_file, values, data_path, as_of, brand, lang)


def plan_run(
    config: RunConfig, out_dir=None, pdf: bool = True, run_date: _dt.datetime | None = None, cache_dir=None
) -> RunPlan:
    """Step 2 of :func:`run_workbook`: validate the data, make the run folder and one task per notebook.

    Data the validated-data cache already holds is not validated again: its
    stored report is the validation (:func:`helpers.io.checked_report`).

    A notebook whose required tables (its metadata's declaration, read by
    :mod:`helpers.notebook_tables`) are absent or empty gets no task; the
    plan lists it as skipped, with the reason.

    Parameters
    ----------
    config : RunConfig
        From :func:`resolve_config`.
    out_dir : str or pathlib.Path, optional
        Output folder; ``reports/<brand>-<YYYYMMDD-HHMMSS>/`` by default.
    pdf : bool
        Whether the tasks render PDFs.
    run_date : datetime.datetime, optional
        When the run started (now by default).
    cache_dir : str or pathlib.Path, optional
        Folder of the validated-data cache; ``<data_dir>/.kando/cache`` by default.

    Returns
    -------
    RunPlan
        The plan.

    Raises
    ------
    helpers.io.DataValidationError
        When the data has problems; nothing is created.
    """
    from helpers import io, notebook_tables

    run_date = run_date or _dt.datetime.now().replace(microsecond=0)
    out = io.resolve_path(out_dir) if out_dir is not None else _new_run_dir(io.PROJECT_ROOT, config.brand, run_date)
    cache_root = _cache_root(config.data_path, cache_dir, out)
    validate_start = time.perf_counter()
    # data validated before (same files, as_of and rules: the cache key) is not read again
    validation = io.checked_report(
        config.data_path, as_of=config.as_of, use_cache=cache_root is not None, cache_dir=cache_root
    )
    validate_seconds = time.perf_counter() - validate_start
    # Arrow's allocator keeps what validation freed (gigabytes at 10M customers): give it back
    # before the kernels start, which need it more than this process
    import pyarrow

    pyarrow.default_memory_pool().release_unused()
    if not validation.ok:
        raise io.DataValidationError(validation)
    supports = notebook_tables.support(
        [notebook_tables.read_needs(p) for p in config.chosen], notebook_tables.present_tables(validation)
    )
    skipped = [
        SkippedNotebook(p.stem, p, nb_files.notebook_title(p), s.missing)
        for p, s in zip(config.chosen, supports, strict=True)
        if not s.supported
    ]
    skip_reasons = {lang: notebook_tables.skip_reasons(supports, lang) for lang in ("ja", "en")}
    runnable = [p for p, s in zip(config.chosen, supports, strict=True) if s.supported]

    out.mkdir(parents=True, exist_ok=True)
    values, known = config.values, config.known
    changed = _changed(values, known, io.PROJECT_ROOT)
    if OUTPUT_DIR_PARAMETER in known and OUTPUT_DIR_PARAMETER not in values:
        # the notebooks' exports (CSV files) go with this run's reports, not into a shared folder
        values[OUTPUT_DIR_PARAMETER] = str(out / "outputs")
    tasks = [
        _Task(
            source=p,
            executed=out / p.name,
            pdf=(out / f"{p.stem}.pdf") if pdf else None,
            parameters=params_mod.parameters_for(config.declared[p.stem], values),
            brand=config.brand,
            title=nb_files.notebook_title(p, config.lang),
            lang=config.lang,
        )
        for p in runnable
    ]
    return RunPlan(
        config, validation, validate_seconds, out, changed, tasks, run_date, skipped, skip_reasons, cache_root
    )


def execute_plan(
    plan: RunPlan, jobs: int, pdf: bool = True, progress: bool = True, stream=None, fork_server=None
):
    """Step 3 of :func:`run_workbook`: run the notebooks, then the combined PDF of those that succeeded.

    Parameters
    ----------
    plan : RunPlan
        From :func:`plan_run`.
    jobs : int
        Notebooks run at the same time.
    pdf : bool
        Render the PDFs.
    progress : bool
        Show a progress bar and per-notebook lines.
    stream : file-like, optional
        Where messages go.
    fork_server : contextlib.ExitStack, optional
        Holds the kernels' fork server the caller started; it is stopped
        once the notebooks have run.  Without it, one is started for them.

    Returns
    -------
    tuple
        ``(results, combined_pdf or None, seconds the combined PDF took)``.
    """
    from helpers.report import render

    config, out = plan.config, plan.out_dir
    stream = stream or sys.stdout
    with _cache_for_kernels(plan.cache_root), fork_server or _fork_server_for(plan.tasks):
        results = _execute_all(plan.tasks, jobs, config.data_path, config.as_of, pdf, config.lang, progress, stream)
    for result in results:
        result.effective_parameters = params_mod.effective_parameters(config.declared[result.name], result.parameters)

    combined, combined_seconds = None, 0.0
    (out / COMBINED_PDF).unlink(missing_ok=True)
    done = [r for r in results if r.ok]
    if pdf and done:
        combine_start = time.perf_counter()
        cover = render.Cover(
            config.brand, _period(plan.validation), plan.run_date, config.as_of, plan.changed,
            {name: p.help for name, p in config.known.items()}, skipped=plan.skip_reasons[config.lang],
        )
        parts = [(render.Section(r.name, r.title, r.body_html), r.layout) for r in done]
        parts.append(_appendix_part(config.values, config.known, plan.changed, config.brand, config.lang))
        summary = _summary_input(results, config.data_path)
        reasons = getattr(plan, "skip_reasons", None) or {}
        summary.skipped = list(zip(reasons.get("ja", []), reasons.get("en", []), strict=False))
        anchors = {r.name: r.anchors for r in done}
        combined = render.write_combined(
            parts, cover, config.brand, out / COMBINED_PDF, config.lang, summary, anchors
        )
        for result in results:
            result.figure_pages = {
                f.anchor: summary.pages.get(f"{result.name}#{f.anchor}") for f in result.key_figures
            }
        combined_seconds = time.perf_counter() - combine_start
        if progress:
            label = "統合レポート" if config.lang == "ja" else "combined report"
            _emit(f"{label}: {combined.name} ({combined_seconds:.1f} s)", stream)
    return results, combined, combined_seconds


def build_manifest(
    config: RunConfig,
    plan: RunPlan,
    results,
    combined,
    jobs: int,
    combined_seconds: float,
    total: float,
    cache_copies_removed=(),
    deck: Path | None = None,
    deck_error: str | None = None,
    deck_seconds: float = 0.0,
) -> dict:
    """Step 4 of :func:`run_workbook`: the manifest (inputs' hashes, parameters, versions, timings).

    Parameters
    ----------
    config : RunConfig
        What the run was asked for.
    plan : RunPlan
        What it planned.
    results : list of NotebookResult
        What each notebook did.
    combined : pathlib.Path or None
        The combined PDF.
    jobs : int
        Notebooks run at the same time.
    combined_seconds, total : float
        Timings.
    cache_copies_removed : sequence of pathlib.Path
        Copies of the validated-data cache the privacy scan removed from the run folder.
    deck, deck_error, deck_seconds
        From :func:`publish_extras`.

    Returns
    -------
    dict
        JSON-ready manifest.
    """
    from helpers import io
    from helpers.report.manifest import display_path, git_state, input_hashes, package_versions

    key_figures = [
        {**f.to_json(), "page": r.figure_pages.get(f.anchor)} for r in results for f in r.key_figures
    ]
    root = io.PROJECT_ROOT
    params_file = config.params_file
    return {
        "kando_manifest": 1,
        "created": plan.run_date.isoformat(),
        "brand": config.brand,
        "lang": config.lang,
        "data_dir": display_path(config.data_path, root),
        "as_of": config.as_of,
        "data_period": [str(d.date()) if d is not None else None for d in _period(plan.validation)],
        "params_file": display_path(params_file, root) if params_file else None,
        "parameters": {
            "set": config.values,
            "changed_from_defaults": plan.changed,
            "defaults": {name: p.default for name, p in config.known.items()},
        },
        "inputs": input_hashes(_input_files(config.data_path, params_file, config.chosen), root, _data_hashes(plan)),
        "notebooks": [
            {
                "name": r.name,
                "title": r.title,
                "source": display_path(r.source, root),
                "executed": r.executed.name,
                "pdf": r.pdf.name if r.pdf else None,
                "status": "ok" if r.ok else "failed",
                "error": r.error_message("en"),
                "parameters": r.effective_parameters,
                "injected_parameters": r.parameters,
                "issues": [{"cell": i.cell_index, "kind": i.kind, "text": i.text} for i in r.issues],
                "seconds": r.seconds,
            }
            for r in results
        ],
        "skipped": [
            {
                "name": s.name,
                "title": s.title,
                "source": display_path(s.source, root),
                "missing_tables": list(s.missing),
            }
            for s in plan.skipped
        ],
        "skip_reasons": plan.skip_reasons,
        "data_notes": list(plan.validation.notes),
        "combined_pdf": combined.name if combined else None,
        "cache_copies_removed": [display_path(p, root) for p in cache_copies_removed],
        "deck": deck.name if deck else None,
        "deck_error": deck_error,
        "key_figures": key_figures,
        "versions": package_versions(),
        "git": git_state(root),
        "jobs": jobs,
        "timings": {
            "validate": round(plan.validate_seconds, 3),
            "notebooks": {r.name: r.seconds for r in results},
            "combined_pdf": round(combined_seconds, 3),
            "deck": round(deck_seconds, 3),
            "total": round(total, 3),
        },
    }


def _cache_root(data_path: Path, cache_dir, out: Path) -> Path | None:
    """The run's validated-data cache folder, or None when the cache is off."""
    from helpers import cache

    if not cache.enabled():
        return None
    root = cache.cache_root(data_path, cache_dir)
    if root.resolve() == out.resolve() or out.resolve() in root.resolve().parents:
        raise cache.CacheLocationError(
            f"キャッシュをレポートの出力先に置けません / the cache may not be inside the report folder: {root}"
        )
    return root


@contextlib.contextmanager
def _cache_for_kernels(cache_root: Path | None):
    """Point the notebooks' kernels (child processes) at the run's cache folder."""
    from helpers import cache
    from helpers.report.environment import environment

    values = {cache.CACHE_ENABLED_ENV: "0"} if cache_root is None else {cache.CACHE_DIR_ENV: str(cache_root)}
    with environment(values):
        yield


def _remove_cache_copies(out: Path, cache_root: Path | None, lang: str, stream) -> list[Path]:
    """The privacy scan of the run folder for the cache: copies are removed and reported."""
    import shutil

    from helpers.report.privacy_guard import cache_copies

    found = cache_copies(out, cache_root)
    for path in found:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
        if lang == "ja":
            _emit(f"注意: 検証済みデータのキャッシュ（個人データを含む）の複製を削除しました: {path}", stream)
        else:
            _emit(f"WARNING: removed a copy of the validated-data cache (personal data) from the report: {path}",
                  stream)
    return found


def publish_extras(plan: RunPlan, results, pptx: bool = False, progress: bool = True, stream=None) -> tuple:
    """After :func:`execute_plan`: each notebook's key figures beside it, and the deck when asked for.

    Returns
    -------
    tuple
        ``(deck path or None, seconds it took, reason it was not written or None)``.
    """
    from helpers.report.key_figures import write_key_figures

    for result in results:
        if result.executed.exists():
            write_key_figures(result.key_figures, result.executed, result.figure_pages)
    if not pptx:
        return None, 0.0, None
    config, stream = plan.config, stream or sys.stdout
    start = time.perf_counter()
    deck, error = _write_deck(
        plan.out_dir, results, config.brand, plan.validation, plan.run_date, config.as_of, config.values,
        config.data_path, config.lang,
    )
    seconds = time.perf_counter() - start
    if progress:
        label = "スライド" if config.lang == "ja" else "slides"
        _emit(error or f"{label}: {deck.name} ({seconds:.1f} s)", stream)
    return deck, seconds, error


def _write_deck(out: Path, results, brand, validation, run_date, as_of, values, data_path, lang):
    """Write ``deck.pptx``; remove it again when the personal-data scan finds anything.

    Returns
    -------
    (pathlib.Path or None, str or None)
        The deck, or the reason it was not written.
    """
    import nbformat

    from helpers.report import render
    from helpers.report.deck import DECK_FILE, DeckSection, deck_text, key_chart, write_deck

    start, end = _period(validation)
    facts = [
        (render.ui_text("period", lang), render.ui_text("range", lang).format(
            start=render.format_date(start, lang), end=render.format_date(end, lang))),
        (render.ui_text("as_of", lang), render.format_date(as_of, lang)),
        (render.ui_text("run_date", lang), render.format_date(run_date, lang, with_time=True)),
    ]
    done = [r for r in results if r.ok]
    sections = [
        DeckSection(r.title, key_chart(nbformat.read(str(r.executed), as_version=4)), r.key_figures) for r in done
    ]
    maps_dir = Path(str(values.get(OUTPUT_DIR_PARAMETER, out / "outputs")))
    maps = sorted(maps_dir.glob("journey_map_*.png")) if maps_dir.is_dir() else []
    figures = [f for r in done for f in r.key_figures]
    pages = {f"{r.name}#{anchor}": page for r in done for anchor, page in r.figure_pages.items()}
    path = write_deck(out / DECK_FILE, brand, facts, figures, maps, sections, lang, pages)
    found = _personal_index(data_path, as_of).find(deck_text(path))
    if found:
        path.unlink()
        columns = ", ".join(f"{c} ({n})" for c, n in sorted(found.items()))
        return None, f"FAILED: {DECK_FILE}: the slides show personal data: {columns}. No deck written."
    return path, None


def _appendix_part(values: dict, known: Mapping, changed: dict, brand: str, lang: str):
    """The appendix (every parameter, its meaning and value) as a (Section, PDF) part."""
    from helpers.report import render
    from helpers.report.appendix import appendix_html

    descriptions = {name: p.help for name, p in known.items()}
    shown = {name: values.get(name, known[name].default) for name in known}
    body = appendix_html(shown, descriptions, changed, lang)
    section = render.Section("appendix", render.ui_text("appendix", lang), body)
    return section, render.render_pdf(render.section_html(section, brand, lang), brand)


def _summary_input(results: list[NotebookResult], data_path: Path):
    """What the summary pages show: the recorded key figures, missing tables, failed notebooks."""
    from helpers import io
    from helpers.report.summary import TABLE_NAMES, SummaryInput

    missing = [(t, t) for t in TABLE_NAMES if io.find_table_file(data_path, t) is None]
    return SummaryInput(
        figures=[f for r in results if r.ok for f in r.key_figures],
        missing_tables=missing,
        failed=[r.title for r in results if not r.ok],
    )


def _preload_renderer() -> None:
    import nbconvert  # noqa: F401
    import weasyprint  # noqa: F401


def _expected_cost(task: _Task) -> float:
    """Running cost of a notebook: the kernel CPU seconds it took at 1M customers.

    The figure is measured and kept in the notebook's metadata
    (``kando.cpu_seconds_1m``); the runs are started longest first, so that no
    long notebook starts last and runs alone.  A notebook without it counts
    its code cells.
    """
    import nbformat

    notebook = nbformat.read(str(task.source), as_version=4)
    measured = notebook.metadata.get("kando", {}).get("cpu_seconds_1m")
    return float(measured) if measured is not None else sum(cell.cell_type == "code" for cell in notebook.cells)


def _execute_all(tasks, jobs, data_path, as_of, pdf, lang, progress, stream) -> list[NotebookResult]:
    """Run the tasks (in a process pool when ``jobs > 1``) with a progress bar."""
    from tqdm import tqdm

    results: dict[Path, NotebookResult] = {}
    bar = tqdm(total=len(tasks), desc="notebooks", unit="nb", disable=not progress, file=sys.stderr, leave=False)
    personal = None

    def finish(result: NotebookResult) -> None:
        nonlocal personal
        if pdf and result.failure is None and result.body_html is not None:
            if personal is None:
                personal = _personal_index(data_path, as_of)
            from helpers.report.render import visible_text

            result.personal_data = personal.find(result.title + "\n" + visible_text(result.body_html))
            if result.personal_data and result.pdf is not None:
                result.pdf.unlink(missing_ok=True)
                result.pdf = None
        results[result.source] = result
        bar.update(1)
        if progress:
            for issue in result.issues:
                _emit(issue.format(result.source.name, lang), stream)
            status = "ok" if result.ok else ("失敗" if lang == "ja" else "FAILED")
            _emit(f"{result.source.name:<32} {result.seconds['total']:6.1f} s  {status}", stream)
        message = result.error_message(lang)
        if message:
            _emit(message, stream)

    if pdf and jobs > 1:
        # the combined PDF needs these at the end; load them while the workers run
        threading.Thread(target=_preload_renderer, daemon=True).start()

    def crashed(task: _Task, error: BaseException) -> NotebookResult:
        return NotebookResult(
            task.source.stem,
            task.source,
            task.title,
            task.executed,
            parameters=dict(task.parameters),
            failure=CellFailure(None, None, "", f"{type(error).__name__}: {error}", task.executed),
            seconds={"total": 0.0},
        )

    try:
        if jobs == 1:
            for task in tasks:
                try:
                    result = _run_task(task)
                except Exception as error:
                    result = crashed(task, error)
                finish(result)
        else:
            context = multiprocessing.get_context("spawn")  # no fork of a threaded parent
            with ProcessPoolExecutor(
                max_workers=jobs, mp_context=context, initializer=block_slow_optional_imports
            ) as pool:
                # longest first, so that no long notebook starts last and runs alone
                by_cost = sorted(tasks, key=_expected_cost, reverse=True)
                pending: dict[Future, _Task] = {pool.submit(_run_task, t): t for t in by_cost}
                personal = _personal_index(data_path, as_of) if pdf else None  # while the kernels work
                while pending:
                    finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for future in finished:
                        task = pending.pop(future)
                        try:
                            result = future.result()
                        except Exception as error:  # the worker itself died
                            result = crashed(task, error)
                        finish(result)
    finally:
        bar.close()
    return [results[t.source] for t in tasks]
