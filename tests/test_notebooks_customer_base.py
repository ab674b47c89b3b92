"""Notebook 08 (顧客基盤分析) runs headless on the sample and on orders-only data; its exports."""

from __future__ import annotations

import nbformat
import pandas as pd
import pytest

from helpers import cohorts, io, privacy
from helpers.report.key_figures import read_key_figures

pytest.importorskip("papermill")

AS_OF = "2025-12-31"
EXPORT_COLUMNS = {
    "cohort_retention.csv": list(cohorts.COHORT_COLUMNS),
    "channel_ltv.csv": [
        "channel", "new_customers", "customers_1y", "ltv_1y", "ltv_1y_margin", "cpo", "cpo_source",
        "ltv_to_cpo", "margin_ltv_to_cpo", "payback_month",
    ],
    "rfm.csv": ["customer_id", "recency_days", "frequency", "monetary", "r", "f", "m", "rfm"],
    "cpm_summary.csv": ["class", "customers", "revenue", "share"],
    "decile.csv": ["decile", "customers", "revenue", "revenue_share", "cumulative_share"],
    "product_paths.csv": ["first_product", "second_product", "customers", "share_of_first", "median_days"],
}


def read(path) -> pd.DataFrame:
    assert path.read_bytes()[:3] == b"\xef\xbb\xbf"  # UTF-8 with BOM for Excel
    return pd.read_csv(path, encoding="utf-8-sig")


@pytest.mark.notebook
def test_sample_run_and_exports(tmp_path, sample_dir, project_root, run_notebook, outputs_of):
    out = tmp_path / "out"
    notebook = run_notebook("08_customer_base", tmp_path, project_root, output_dir=str(out))
    text, bad, images = outputs_of(notebook)
    assert bad == []
    assert images == 8  # heatmap, LTV curves, payback, RF grid, CPM, deciles, product paths, sBG
    assert "省略" not in text  # every section runs on the sample
    ds = io.load_data(sample_dir, as_of=AS_OF, tables=["customers", "orders"])
    orders = ds.orders
    exported = {name: read(out / name) for name in EXPORT_COLUMNS}
    for name, columns in EXPORT_COLUMNS.items():
        assert list(exported[name].columns) == columns, name

    # independent checks of the exported numbers (plain pandas on the raw orders)
    cohort = exported["cohort_retention.csv"]
    firsts = orders.groupby("customer_id")["order_date"].min().dt.strftime("%Y-%m")
    sizes = cohort[cohort["months_since"] == 0].set_index("cohort")["customers"]
    assert sizes.to_dict() == firsts.value_counts().to_dict()
    assert cohort["revenue"].sum() == pytest.approx(orders["amount"].sum())
    decile = exported["decile.csv"]
    revenue = orders.groupby("customer_id")["amount"].sum().sort_values(ascending=False)
    assert decile["customers"].tolist() == [200] * 10
    assert decile.loc[0, "revenue"] == pytest.approx(revenue.iloc[:200].sum())
    assert decile["cumulative_share"].iloc[-1] == pytest.approx(1.0)
    rfm = exported["rfm.csv"]
    assert len(rfm) == orders["customer_id"].nunique()
    pseudonyms = privacy.pseudonymize(ds.customers["customer_id"], privacy.data_key(sample_dir))
    assert rfm["customer_id"].isin(pseudonyms).all()  # pseudonymous, under the data folder's key
    assert not rfm["customer_id"].isin(ds.customers["customer_id"]).any()
    cpm = exported["cpm_summary.csv"]
    assert len(cpm) == 10 and cpm["customers"].sum() == orders["customer_id"].nunique()
    assert cpm["class"].iloc[0] == "初回現役客"
    paths = exported["product_paths.csv"]
    in_order = orders.sort_values(["customer_id", "order_date", "order_id"])
    first_product = in_order.groupby("customer_id")["product"].first()
    assert paths.groupby("first_product")["customers"].sum().to_dict() == first_product.value_counts().to_dict()
    channel = exported["channel_ltv.csv"].set_index("channel")
    assert channel["cpo_source"].eq("ad_costs").all()
    assert f"**{channel.index[channel['margin_ltv_to_cpo'] < 1][0]}**" in text  # the planted TV shopping
    # computed sentences carry the numbers
    assert f"上位10%（デシル1）のお客様が累計売上の**{decile.loc[0, 'revenue_share']:.1%}**" in text
    assert "sBG" in text or "定期便のお客様" in text
    # key figures: top-decile share (the headline) and pooled 12-month retention, recomputed from the exports
    figures = {f.name: f for f in read_key_figures(nbformat.from_dict(notebook))}
    assert [f.name for f in figures.values() if f.headline] == ["o8_top_decile_share"]
    top = figures["o8_top_decile_share"]
    assert top.value == pytest.approx(revenue.iloc[:200].sum() / revenue.sum()) and top.n == len(revenue)
    month_12 = cohort[cohort["months_since"] == 12]
    retention = figures["o8_retention_12m"]
    assert retention.value == pytest.approx(month_12["active"].sum() / month_12["customers"].sum())
    assert retention.n == month_12["customers"].sum()
    assert 0 < figures["o8_sbg_retention"].value < 1 and figures["o8_sbg_retention"].n > 0


@pytest.mark.notebook
def test_orders_only_data_says_why_sections_are_skipped(tmp_path, sample_dir, project_root, run_notebook, outputs_of):
    data = tmp_path / "data"
    data.mkdir()
    customers = pd.read_csv(sample_dir / "customers.csv", dtype=str)
    customers[["customer_id"]].to_csv(data / "customers.csv", index=False)
    orders = pd.read_csv(sample_dir / "orders.csv", dtype=str)
    orders[["order_id", "customer_id", "order_date", "amount"]].to_csv(data / "orders.csv", index=False)
    out = tmp_path / "out"
    notebook = run_notebook("08_customer_base", tmp_path, project_root, data_dir=str(data), output_dir=str(out))
    text, bad, images = outputs_of(notebook)
    assert bad == []
    assert "獲得チャネルの列がない" in text
    assert "商品の列がなく" in text
    assert "定期便の注文がない" in text
    figures = {f.name: f for f in read_key_figures(nbformat.from_dict(notebook))}
    subscription = figures["o8_sbg_retention"]
    assert subscription.value is None and subscription.why("ja") == "定期便の注文がありません。"
    assert images == 5  # cohort heatmap and curves, RF grid, CPM, deciles
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["cohort_retention.csv", "rfm.csv", "cpm_summary.csv", "decile.csv"]
    )


@pytest.mark.notebook
def test_english_with_cpo_parameter_and_real_ids(tmp_path, sample_copy, project_root, run_notebook, outputs_of):
    (sample_copy / "ad_costs.csv").unlink()
    orders = pd.read_csv(sample_copy / "orders.csv", dtype=str)
    orders[["order_id", "product"]].to_csv(sample_copy / "order_items.csv", index=False)  # products as order lines
    orders.drop(columns="product").to_csv(sample_copy / "orders.csv", index=False)
    out = tmp_path / "out"
    notebook = run_notebook(
        "08_customer_base", tmp_path, project_root / "notebooks", data_dir=str(sample_copy), output_dir=str(out),
        lang="en", show_customer_ids=True, cpo_yen=9000, cpm_amount_yen=50000, sbg_horizon=48,
    )
    text, bad, _ = outputs_of(notebook)
    assert bad == []
    assert "retention after 1 month(s) is" in text
    channel = read(out / "channel_ltv.csv")
    assert channel["cpo"].eq(9000).all() and channel["cpo_source"].eq("parameter").all()
    rfm = read(out / "rfm.csv")
    assert rfm["customer_id"].str.fullmatch(r"C\d+").all()
    assert "shipment 48" in text
    paths = read(out / "product_paths.csv")  # from order_items, as from orders.product
    in_order = orders.sort_values(["customer_id", "order_date", "order_id"])
    first_product = in_order.groupby("customer_id")["product"].first()
    assert paths.groupby("first_product")["customers"].sum().to_dict() == first_product.value_counts().to_dict()
    assert "Loyal active customers number" in text


@pytest.mark.notebook
def test_tracking_follows_cpm_classes(tmp_path, project_root, run_notebook, outputs_of):
    out = tmp_path / "out"
    notebook = run_notebook(
        "07_monthly_tracking", tmp_path, project_root, output_dir=str(out), tracking_group_by="cpm"
    )
    text, bad, _ = outputs_of(notebook)
    assert bad == []
    streaks = read(out / "monthly_tracking_revenue.csv")
    assert "優良現役客" in set(streaks["group"])
