"""Reports: run the workbook's notebooks with papermill and render Japanese PDFs.

``kando run`` (see :func:`add_run_arguments`, :func:`run_command`) and
:func:`run_workbook` validate the data, execute every report notebook
(``notebooks/NN_*.ipynb``, in name order) with its parameters, and write the
executed notebooks, one PDF per notebook, a combined PDF with a cover and
contents, and ``manifest.json``.

Importing this package is cheap (papermill, nbconvert and WeasyPrint load
when a run starts), so ``helpers.cli`` can build its parser quickly.

Modules: :mod:`~helpers.report.notebooks` (which notebooks),
:mod:`~helpers.report.parameters`, :mod:`~helpers.report.execute`,
:mod:`~helpers.report.render`, :mod:`~helpers.report.privacy_guard`,
:mod:`~helpers.report.manifest`, :mod:`~helpers.report.pipeline`,
:mod:`~helpers.report.command`, :mod:`~helpers.report.overview`.
"""

from helpers.report.command import add_run_arguments, run_command
from helpers.report.errors import ReportUsageError
from helpers.report.execute import CellFailure, OutputIssue
from helpers.report.notebooks import discover_notebooks, notebook_title, select_notebooks
from helpers.report.parameters import UnknownParameterError, load_params_file, notebook_parameters
from helpers.report.pipeline import COMBINED_PDF, MANIFEST, NotebookResult, RunResult, run_workbook

__all__ = [
    "COMBINED_PDF",
    "MANIFEST",
    "CellFailure",
    "NotebookResult",
    "OutputIssue",
    "ReportUsageError",
    "RunResult",
    "UnknownParameterError",
    "add_run_arguments",
    "discover_notebooks",
    "load_params_file",
    "notebook_parameters",
    "notebook_title",
    "run_command",
    "run_workbook",
    "select_notebooks",
]
