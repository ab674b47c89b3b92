"""Kando (感動) workbook helpers: data loading, analysis, plots and reports.

Import the subject modules directly, e.g. ``from helpers import io, nps``.
"""

__version__ = "0.1.0"
