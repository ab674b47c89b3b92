"""The journey workshop: edit a journey worksheet live, with ipywidgets.

Consultants run ``notebooks/workshop.ipynb`` with a client: load a journey
worksheet (the sample, a filled ``kando template`` file, or a blank one),
move each step's emotion slider, and watch the emotion curve (as-is and
to-be on one chart), the friction points (the detection of notebook 05) and
an LTV what-if (the calculation of notebook 06) update as they edit.  The
edited worksheet is saved back as ``.csv`` or ``.xlsx`` in the data
contract's format, so that the next ``kando run`` uses it.

Orchestration in three modules: :mod:`~helpers.workshop.worksheet` (file
I/O), :mod:`~helpers.workshop.app` (the widgets; reads table columns and
codes, never display headers) and :mod:`~helpers.workshop.render` (the HTML
tables).  Every number comes from :mod:`helpers.emotion`,
:mod:`helpers.friction` and :mod:`helpers.ltv`.
"""

from helpers.workshop.app import JourneyWorkshop, StepEditor
from helpers.workshop.render import friction_display, friction_html, whatif_html
from helpers.workshop.worksheet import (
    HEADER_STYLES,
    JOURNEY_COLUMNS,
    SHEET_NAME,
    SaveResult,
    WorksheetLoad,
    blank_worksheet,
    default_save_path,
    load_worksheet,
    save_worksheet,
    tidy_journey,
    worksheet_headers,
)

__all__ = [
    "HEADER_STYLES",
    "JOURNEY_COLUMNS",
    "JourneyWorkshop",
    "SHEET_NAME",
    "SaveResult",
    "StepEditor",
    "WorksheetLoad",
    "blank_worksheet",
    "default_save_path",
    "friction_display",
    "friction_html",
    "load_worksheet",
    "save_worksheet",
    "tidy_journey",
    "whatif_html",
    "worksheet_headers",
]
