"""Ids stay text: zero-padded numeric ids (``0001234``) keep their zeros in every table, chart and export."""

from __future__ import annotations

import shutil

import openpyxl
import pandas as pd
import pytest

from helpers import io, role_models, segments
from helpers.purchases import customer_purchases
from helpers.tables import ltv as ltv_tables

AS_OF = "2025-12-31"
PADDED = ["0001234", "0000042", "0100000"]


def _write(folder, name, text):
    (folder / name).write_text(text, encoding="utf-8")


@pytest.fixture
def padded_dir(tmp_path):
    _write(tmp_path, "customers.csv", "customer_id,birth_date\n" + "".join(f"{c},1980-01-01\n" for c in PADDED))
    _write(
        tmp_path,
        "orders.csv",
        "order_id,customer_id,order_date,amount\n"
        "0000001,0001234,2024-01-05,5000\n0000002,0001234,2024-06-05,5000\n"
        "0000003,0000042,2024-02-01,3000\n0000004,0100000,2025-03-01,2000\n",
    )
    _write(tmp_path, "nps.csv", "customer_id,response_date,score\n0001234,2025-01-01,10\n0000042,2025-01-01,3\n")
    return tmp_path


def test_csv_ids_keep_their_zeros_in_every_table(padded_dir):
    ds = io.load_data(padded_dir, as_of=AS_OF)
    assert ds.customers["customer_id"].tolist() == PADDED
    assert ds.orders["order_id"].tolist() == ["0000001", "0000002", "0000003", "0000004"]
    assert ds.orders["customer_id"].tolist() == ["0001234", "0001234", "0000042", "0100000"]
    assert ds.nps["customer_id"].tolist() == ["0001234", "0000042"]


def test_xlsx_ids_read_as_the_user_sees_them(padded_dir):
    (padded_dir / "customers.csv").unlink()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["顧客ID", "生年月日"])
    sheet.append([1234, "1980-01-01"])  # a number shown as 0001234 by its cell format
    sheet["A2"].number_format = "0000000"
    sheet.append(["0000042", "1980-01-01"])  # text
    sheet.append([100000, "1980-01-01"])
    sheet["A4"].number_format = "0000000"
    book.save(padded_dir / "customers.xlsx")
    report = io.validate_data_dir(padded_dir, as_of=AS_OF)
    assert report.ok, report.format("en")
    assert io.load_data(padded_dir, as_of=AS_OF).customers["customer_id"].tolist() == PADDED


def test_exports_keep_the_zeros(padded_dir, tmp_path_factory):
    ds = io.load_data(padded_dir, as_of=AS_OF)
    out = tmp_path_factory.mktemp("exports")
    purchases = customer_purchases(ds.orders, AS_OF)
    segment_of = segments.customer_segments(ds.customers, ds.nps, AS_OF)
    segments.segment_list(segment_of, purchases, ds.nps, AS_OF, show_customer_ids=True).to_csv(
        out / "segments.csv", index=False, encoding="utf-8-sig"
    )
    criteria = role_models.RoleModelCriteria(min_nps=9, min_tenure_days=0, min_ltv_1y=0, min_orders=2)
    candidates = role_models.role_model_candidates(ds.customers, ds.orders, ds.nps, AS_OF, criteria)
    gaps = role_models.purchase_gaps(role_models.purchase_timelines(ds.orders, ["0001234"], AS_OF, long_gap_days=90))
    role_models.interview_list(candidates, ds.customers, gaps, AS_OF, show_customer_ids=True).to_csv(
        out / "interviews.csv", index=False, encoding="utf-8-sig"
    )
    value = pd.DataFrame({"revenue": [10000.0, 3000.0], "n_orders": [2, 1]}, index=pd.Index(["0001234", "0000042"]))
    churn = ltv_tables.customers_display(value, show_customer_ids=True, formatted=False)
    churn.to_csv(out / "churn.csv", encoding="utf-8-sig")

    def first_column(name):
        return pd.read_csv(out / name, dtype=str, encoding="utf-8-sig").iloc[:, 0].tolist()

    assert sorted(first_column("segments.csv")) == sorted(PADDED)
    assert first_column("interviews.csv") == ["0001234"]
    assert first_column("churn.csv") == ["0001234", "0000042"]


def test_charts_label_rows_with_the_padded_ids(padded_dir):
    import matplotlib.pyplot as plt

    from helpers.plotting.role_models import plot_purchase_timelines

    ds = io.load_data(padded_dir, as_of=AS_OF)
    timelines = role_models.purchase_timelines(ds.orders, ["0001234", "0000042"], AS_OF)
    ax = plot_purchase_timelines(timelines, show_customer_ids=True)
    assert sorted(t.get_text() for t in ax.get_yticklabels()) == ["0000042", "0001234"]
    plt.close("all")


@pytest.fixture(scope="module")
def padded_sample(tmp_path_factory, sample_dir):
    """The sample with numeric zero-padded ids: C000123 -> 0000123, O0000001 -> 00000001."""
    out = tmp_path_factory.mktemp("padded_sample")
    for path in sample_dir.glob("*.csv"):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        for column in ("customer_id", "order_id"):
            if column in frame:
                frame[column] = "0" + frame[column].str[1:]
        frame.to_csv(out / path.name, index=False)
    shutil.copy(sample_dir / "README.md", out / "README.md")
    return out


@pytest.mark.notebook
def test_role_model_notebook_exports_padded_ids(padded_sample, tmp_path, project_root, run_notebook, outputs_of):
    out_dir = tmp_path / "out"
    notebook = run_notebook(
        "02_role_models", tmp_path, project_root, data_dir=str(padded_sample), output_dir=str(out_dir),
        show_customer_ids=True,
    )
    text, bad, _ = outputs_of(notebook)
    assert bad == []
    ds = io.load_data(padded_sample, as_of=AS_OF, tables=["customers", "orders", "nps"])
    ids = role_models.role_model_ids(role_models.role_model_candidates(ds.customers, ds.orders, ds.nps, AS_OF))
    assert len(ids) > 0 and all(i.startswith("0") for i in ids)
    invite = pd.read_csv(out_dir / "role_model_interviews.csv", dtype=str, encoding="utf-8-sig")
    assert sorted(invite.iloc[:, 0]) == sorted(ids)
    kit = pd.read_csv(out_dir / "role_model_questions.csv", dtype=str, encoding="utf-8-sig")
    assert set(kit.iloc[:, 0]) == set(ids)
    shown = [i for i in ids if i in text]
    assert shown, "the report tables show the padded ids"
