"""Compare two ``kando run`` folders: every notebook output and every exported file, timestamps aside.

Usage::

    python benchmarks/compare_runs.py BEFORE_DIR AFTER_DIR

Outputs are compared as saved (text, HTML, PNG bytes, Markdown) without the
execution counts and cell metadata (timings); the files under ``outputs/``
byte for byte.  Exit code 1 when anything differs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _outputs(path: Path) -> list[tuple[int, str]]:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    found = []
    for index, cell in enumerate(notebook["cells"]):
        for output in cell.get("outputs", []):
            kept = {k: v for k, v in output.items() if k not in ("execution_count", "metadata")}
            found.append((index, json.dumps(kept, sort_keys=True)))
    return found


def compare(before: Path, after: Path) -> int:
    """Print one line per notebook and exported file; return the number that differ."""
    differ = 0
    for path in sorted(before.glob("*.ipynb")):
        other = after / path.name
        same = other.exists() and _outputs(path) == _outputs(other)
        differ += not same
        print(f"{'same' if same else 'DIFFERENT':<10} {path.name}")
    exports = before / "outputs"
    for path in sorted(p for p in exports.rglob("*") if p.is_file()) if exports.is_dir() else []:
        other = after / "outputs" / path.relative_to(exports)
        same = other.exists() and path.read_bytes() == other.read_bytes()
        differ += not same
        print(f"{'same' if same else 'DIFFERENT':<10} {path.relative_to(before)}")
    print(f"{differ} differences")
    return differ


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(1 if compare(Path(sys.argv[1]), Path(sys.argv[2])) else 0)
