"""Table declarations of the report notebooks: read once, used by validate, run and the notebooks."""

from __future__ import annotations

import json
import re

import pytest

from helpers import io, notebook_tables, schemas
from helpers.cli import main
from helpers.report import notebooks as nb_files

ORDERS = "order_id,customer_id,order_date,amount\nO1,C1,2024-01-01,1000\nO2,C2,2024-02-01,2000\n"
CUSTOMERS = "customer_id\nC1\nC2\n"


def _write(folder, **tables):
    for name, text in tables.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def _code(path) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")


@pytest.mark.parametrize("path", nb_files.discover_notebooks(), ids=lambda p: p.stem)
def test_every_report_notebook_declares_the_tables_its_code_reads(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert notebook_tables.METADATA_KEY in nb["metadata"], f"{path.name} has no table declaration"
    needs = notebook_tables.read_needs(path)
    assert "customers" in needs.requires
    assert not set(needs.requires) & set(nb["metadata"]["kando"]["uses"])
    code = _code(path)
    read = set(re.findall(r'ds\.require\("(\w+)"\)', code)) | set(re.findall(r"\bds\.(\w+)\b", code))
    read &= set(schemas.TABLES)
    assert read <= set(needs.tables), f"{path.name} reads {sorted(read - set(needs.tables))} without declaring them"
    if "load_data(" in code:
        pytest.fail(f"{path.name} loads tables itself instead of through its declaration")


def test_ltv_needs_only_orders_for_its_classic_parts():
    needs = notebook_tables.read_needs("06_ltv")
    assert needs.requires == ("customers", "orders")
    assert {"journey", "touchpoint_ratings"} <= set(needs.uses)


def test_unknown_table_in_a_declaration_is_an_error():
    nb = {"metadata": {"kando": {"requires": ["customers", "order"], "uses": []}}}
    with pytest.raises(ValueError, match=r"unknown tables \['order'\]"):
        notebook_tables.read_needs(nb, name="99_x")


def test_skip_reasons_group_notebooks_by_what_is_missing():
    needs = [
        notebook_tables.TableNeeds("01_loyalty", ("customers", "orders", "nps"), ()),
        notebook_tables.TableNeeds("02_role_models", ("customers", "orders", "nps"), ()),
        notebook_tables.TableNeeds("04_emotion_curve", ("customers", "journey"), ("nps",)),
        notebook_tables.TableNeeds("06_ltv", ("customers", "orders"), ("nps",)),
    ]
    supports = notebook_tables.support(needs, {"customers", "orders"})
    assert [s.supported for s in supports] == [False, False, False, True]
    assert supports[3].absent_optional == ("nps",)
    assert notebook_tables.skip_reasons(supports, "en") == [
        "NPS responses not provided: 01 and 02 skipped",
        "Journey worksheet not provided: 04 skipped",
    ]
    assert notebook_tables.skip_reasons(supports, "ja")[0] == "NPS回答がありません: 01・02 を省略"


def test_empty_optional_table_counts_as_absent_with_a_note(tmp_path):
    _write(tmp_path, customers=CUSTOMERS, orders=ORDERS, nps="customer_id,response_date,score\n")
    report = io.validate_data_dir(tmp_path, as_of="2025-12-31")
    assert report.ok
    assert any("nps.csv" in n and "no rows" in n for n in report.notes)
    assert notebook_tables.present_tables(report) == {"customers", "orders"}
    ds = io.load_data(tmp_path, as_of="2025-12-31")
    assert ds.nps is None
    assert any("nps.csv" in n for n in ds.notes)


def test_load_for_notebook_names_every_missing_required_table(tmp_path):
    _write(tmp_path, customers=CUSTOMERS, orders=ORDERS)
    ds = notebook_tables.load_for_notebook("06_ltv", tmp_path, as_of="2025-12-31")
    assert len(ds.orders) == 2 and ds.journey is None and ds.touchpoint_ratings is None
    with pytest.raises(io.MissingTableError, match="nps.csv"):
        notebook_tables.load_for_notebook("02_role_models", tmp_path, as_of="2025-12-31")


def test_validate_lists_the_notebooks_the_data_supports(tmp_path, capsys):
    _write(tmp_path, customers=CUSTOMERS, orders=ORDERS)
    assert main(["validate", str(tmp_path), "--as-of", "2025-12-31", "--lang", "en", "--notebooks", "02,06"]) == 0
    out = capsys.readouterr().out
    assert "✗ 02_role_models         skipped (NPS responses not provided)" in out
    assert re.search(r"✓ 06_ltv\s+runs", out)
    assert "04_emotion_curve" not in out


def test_readme_table_of_needs_matches_the_declarations(project_root):
    readme = (project_root / "README.md").read_text(encoding="utf-8")
    rows = dict(
        (m.group(1), (m.group(2), m.group(3)))
        for m in re.finditer(r"^\| `(\d\d_\w+)` \| ([a-z_, ]+) \| ([a-z_, —]+) \|$", readme, re.MULTILINE)
    )

    def listed(needs):
        return ", ".join(needs) or "—"

    expected = {
        p.stem: (listed(n.requires), listed(n.uses))
        for p in nb_files.discover_notebooks()
        for n in [notebook_tables.read_needs(p)]
    }
    lines = "\n".join(f"| `{k}` | {r} | {u} |" for k, (r, u) in expected.items())
    assert rows == expected, "README's table of needs differs from the notebooks; it should read:\n" + lines
