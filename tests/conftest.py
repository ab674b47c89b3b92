"""Shared fixtures: the project root, the bundled sample data, and tmp data dirs."""

from __future__ import annotations

import os
import shutil
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
    shutil.copytree(sample_dir, out, ignore=shutil.ignore_patterns("README*"))
    return out


@pytest.fixture(autouse=True, scope="session")
def _quiet_jupyter():
    os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")
    yield
