"""A shop export as the client sent it goes all the way to a report: import -> validate -> run.

Issue 11's "done when": the folder exactly as exported, ``kando import`` with no
interaction, ``kando validate`` clean, and ``kando run`` rendering every notebook
the data supports while naming the ones it skips.
"""

from __future__ import annotations

import nbformat
import pytest
import shop_exports

from helpers import io
from helpers.importers.pipeline import run_import
from helpers.report.pipeline import run_workbook

pytestmark = pytest.mark.notebook


@pytest.mark.parametrize("platform", ["eccube", "rakuten"])
def test_a_shop_export_renders_a_report(platform, tmp_path):
    source = tmp_path / "as-exported"
    source.mkdir()
    truth = getattr(shop_exports, platform)(source)
    data = tmp_path / "data"
    run_import([source], data)

    # the orders counted are those of the hand-computed truth; validation is clean
    dataset = io.load_data(data, as_of="2025-12-31", use_cache=False)
    assert len(dataset.orders) == truth["orders"]
    assert io.validate_data_dir(data, as_of="2025-12-31").ok

    result = run_workbook(
        data_dir=data, out_dir=tmp_path / "reports", pdf=False, progress=False,
        overrides=[("as_of", "2025-12-31")],
    )
    failed = [(r.name, r.failure) for r in result.notebooks if not r.ok]
    assert failed == []
    ran = {r.name.split("_")[0] for r in result.notebooks}
    assert {"00", "06", "07", "08"} <= ran  # what orders and customers alone support
    skipped = {s.name.split("_")[0] for s in result.skipped}
    assert {"01", "02", "03", "04", "05"} <= skipped  # no surveys, no journey worksheet
    assert any("01" in reason and "02" in reason for reason in result.skip_reasons)
    # the narrative never prints a missing number (these exports hold no buyer in the last year)
    for notebook in result.notebooks:
        text = "\n".join(
            "".join(output.get("text", "")) + "".join(output.get("data", {}).get("text/markdown", ""))
            for cell in nbformat.read(notebook.executed, as_version=4).cells
            for output in cell.get("outputs", [])
        )
        assert "nan円" not in text and "nan JPY" not in text and "nan倍" not in text, notebook.name
