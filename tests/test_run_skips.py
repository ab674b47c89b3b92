"""``kando run`` skips a notebook whose required tables are absent, and says so everywhere."""

from __future__ import annotations

import contextlib
import io as _io
import json

import nbformat
import pytest

from helpers.cli import main

CUSTOMERS = "customer_id\nC001\nC002\n"
ORDERS = "order_id,customer_id,order_date,amount\nO1,C001,2025-01-05,3000\nO2,C002,2025-02-05,2000\n"
EMPTY_NPS = "customer_id,response_date,score\n"  # a header and no rows: counts as absent


def _notebook(path, requires, code, title):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["kando"] = {"requires": requires, "uses": []}
    nb.cells.append(nbformat.v4.new_markdown_cell(f"# {title}"))
    nb.cells.append(
        nbformat.v4.new_code_cell(
            'data_dir = "data/sample"  # データ\nlang = "ja"  # 言語', metadata={"tags": ["parameters"]}
        )
    )
    nb.cells.append(nbformat.v4.new_code_cell(code))
    nbformat.write(nb, str(path))


@pytest.fixture(scope="module")
def skip_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("skips")
    notebooks, data = root / "notebooks", root / "data"
    notebooks.mkdir()
    data.mkdir()
    (data / "customers.csv").write_text(CUSTOMERS, encoding="utf-8")
    (data / "orders.csv").write_text(ORDERS, encoding="utf-8")
    (data / "nps.csv").write_text(EMPTY_NPS, encoding="utf-8")
    _notebook(notebooks / "01_nps.ipynb", ["customers", "orders", "nps"], "print('NPS')", "NPSの分析")
    _notebook(notebooks / "02_journey.ipynb", ["customers", "journey"], "print('journey')", "ジャーニー")
    _notebook(notebooks / "03_orders.ipynb", ["customers", "orders"], "print('注文は2件')", "注文の分析")
    out = root / "out"
    stdout = _io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(_io.StringIO()):
        code = main(
            ["run", "--data", str(data), "--notebooks-dir", str(notebooks), "--out", str(out), "--jobs", "1"]
        )
    return {"code": code, "out": out, "stdout": stdout.getvalue()}


@pytest.mark.notebook
def test_only_the_supported_notebook_runs(skip_run):
    out = skip_run["out"]
    assert skip_run["code"] == 0
    assert (out / "03_orders.ipynb").exists() and (out / "03_orders.pdf").exists()
    assert not (out / "01_nps.ipynb").exists() and not (out / "02_journey.ipynb").exists()


@pytest.mark.notebook
def test_skips_are_listed_in_the_manifest(skip_run):
    manifest = json.loads((skip_run["out"] / "manifest.json").read_text(encoding="utf-8"))
    assert [(s["name"], s["missing_tables"]) for s in manifest["skipped"]] == [
        ("01_nps", ["nps"]),
        ("02_journey", ["journey"]),
    ]
    assert manifest["skip_reasons"]["en"] == [
        "NPS responses not provided: 01 skipped",
        "Journey worksheet not provided: 02 skipped",
    ]
    assert [n["name"] for n in manifest["notebooks"]] == ["03_orders"]
    assert any("nps.csv" in note and "no rows" in note for note in manifest["data_notes"])


@pytest.mark.notebook
def test_skips_are_listed_in_the_run_summary(skip_run):
    assert "省略: NPS回答がありません: 01 を省略" in skip_run["stdout"]
    assert "省略: ジャーニーワークシートがありません: 02 を省略" in skip_run["stdout"]


@pytest.mark.notebook
def test_skips_are_listed_on_the_cover(skip_run):
    from pypdf import PdfReader

    cover = PdfReader(str(skip_run["out"] / "combined.pdf")).pages[0].extract_text()
    flat = "".join(cover.split())
    assert "データがないため省略したレポート" in flat
    assert "NPS回答がありません:01を省略" in flat
    assert "ジャーニーワークシートがありません:02を省略" in flat
