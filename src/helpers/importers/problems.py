"""Problems found while importing, collected by file row and turned into lines at the end.

Rows are known by their position in the file's body; the line a user sees is
only worked out for the rows that have a problem (it needs a second pass over
the file when quoted fields span lines).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from helpers.importers import raw
from helpers.io import Problem


class ImportProblems(ValueError):
    """The export has problems; ``problems`` lists every one (nothing is written)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problems")


@dataclass
class ProblemSink:
    """Problems of one import: per file, body rows with their column, value and rule."""

    exports: list[raw.ExportFile]
    pending: list[tuple[int, np.ndarray, str | None, list[str], str, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def add_rows(self, files: np.ndarray, rows: np.ndarray, column: str | None, values, rule_ja: str, rule_en: str):
        """Record a problem for each (file index, body row) with the cell ``values``."""
        files, rows = np.asarray(files), np.asarray(rows)
        values = list(values)
        for f in np.unique(files):
            hit = files == f
            self.pending.append((int(f), rows[hit], column, [values[i] for i in np.flatnonzero(hit)], rule_ja, rule_en))

    def resolve(self) -> list[Problem]:
        """Every problem, sorted by file and line."""
        out = list(self.problems)
        for f, rows, column, values, rule_ja, rule_en in self.pending:
            export = self.exports[f]
            lines = raw.line_numbers(export, rows)
            out += [
                Problem(export.path.name, int(line), column, str(value), rule_ja, rule_en)
                for line, value in zip(lines, values, strict=True)
            ]
        return sorted(out, key=lambda p: (p.file, p.line or 0, p.column or ""))
