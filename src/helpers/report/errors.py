"""Errors of a report run that are the user's to fix (exit code 2 in ``kando run``)."""

from __future__ import annotations


class ReportUsageError(ValueError):
    """A request the run cannot carry out: an unknown notebook or parameter, a bad parameter file."""
