"""Shared fixtures: the project root, the bundled sample data, and tmp data dirs."""

from __future__ import annotations

import io
import json
import os
import shutil
import warnings
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

from helpers.io import PROJECT_ROOT  # noqa: E402

SAMPLE_DIR = PROJECT_ROOT / "data" / "sample"
SAMPLE_AS_OF = "2025-12-31"


@pytest.fixture(scope="session")
def project_root() -> Path:
    return PROJECT_ROOT


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """The committed sample data directory."""
    assert (SAMPLE_DIR / "orders.csv").exists(), "data/sample is missing: run `make sample`"
    return SAMPLE_DIR


@pytest.fixture
def sample_copy(tmp_path, sample_dir) -> Path:
    """A writable copy of the sample data, for tests that break it."""
    out = tmp_path / "data"
    shutil.copytree(sample_dir, out, ignore=shutil.ignore_patterns("README*", ".kando"))
    return out


@pytest.fixture(autouse=True, scope="session")
def _quiet_jupyter():
    os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")
    yield


@pytest.fixture(scope="session")
def run_notebook():
    """Run ``notebooks/<name>.ipynb`` with papermill; call as ``run_notebook(name, out_dir, cwd, **parameters)``.

    The executed notebook is written to ``out_dir/<name>.ipynb`` and returned
    as parsed JSON.
    """
    papermill = pytest.importorskip("papermill")

    def run(name: str, out_dir: Path, cwd: Path, **parameters) -> dict:
        output = Path(out_dir) / f"{name}.ipynb"
        papermill.execute_notebook(
            str(PROJECT_ROOT / "notebooks" / f"{name}.ipynb"), str(output), parameters=parameters,
            kernel_name="python3", cwd=str(cwd), progress_bar=False,
        )
        return json.loads(output.read_text(encoding="utf-8"))

    return run


def notebook_outputs(notebook: dict) -> tuple[str, list, int]:
    """Text of an executed notebook's outputs, its error/stderr outputs, and its number of PNG images."""
    texts, bad, images = [], [], 0
    for cell in notebook["cells"]:
        for out in cell.get("outputs", []):
            if out["output_type"] == "error" or (out["output_type"] == "stream" and out["name"] == "stderr"):
                bad.append(out)
            if out["output_type"] == "stream":
                texts.append("".join(out["text"]))
            data = out.get("data", {})
            images += "image/png" in data
            for key in ("text/markdown", "text/html", "text/plain"):
                if key in data:
                    texts.append("".join(data[key]))
    return "\n".join(texts), bad, images


@pytest.fixture(scope="session")
def outputs_of():
    """:func:`notebook_outputs` as a fixture (test modules do not import conftest)."""
    return notebook_outputs


def _missing_glyph_warnings(fig) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png")
    return [str(w.message) for w in caught if "missing from" in str(w.message)]


@pytest.fixture(scope="session")
def missing_glyphs():
    """``missing_glyphs(fig)``: matplotlib's "Glyph ... missing from font" warnings when ``fig`` is drawn."""
    return _missing_glyph_warnings
