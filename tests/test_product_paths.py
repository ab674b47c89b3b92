"""Product paths against plain pandas and DuckDB on hand-made orders and order items."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from helpers import product_paths

AS_OF = "2025-12-31"
AS_TEXT = {"first_product": "string", "second_product": "string"}


@pytest.fixture
def orders() -> pd.DataFrame:
    rows = [
        # same day: the order id decides which is first (o02 before o10)
        ("o10", "A", "2025-01-05", "本品30包"),
        ("o02", "A", "2025-01-05", "お試し"),
        ("o20", "A", "2025-02-01", "本品60包"),
        ("o03", "B", "2025-01-10", "お試し"),
        ("o04", "B", "2025-01-25", "本品30包"),
        ("o05", "C", "2025-02-01", "お試し"),
        ("o06", "D", "2025-03-01", "お試し"),
        ("o07", "D", "2025-04-30", "本品30包"),
        ("o08", "D", "2025-05-01", "x"),
        ("o09", "E", "2025-03-03", "本品30包"),
        ("o11", "E", "2025-03-13", "本品30包"),
        ("o12", "F", "2025-04-01", None),
        ("o13", "F", "2026-01-05", "お試し"),  # after as_of: ignored
    ]
    frame = pd.DataFrame(rows, columns=["order_id", "customer_id", "order_date", "product"])
    frame["order_date"] = pd.to_datetime(frame["order_date"])
    frame["product"] = frame["product"].astype("string")
    frame["amount"] = 1000.0
    return frame


def independent_firsts(orders: pd.DataFrame) -> pd.DataFrame:
    kept = orders[orders["order_date"] <= AS_OF].sort_values(["customer_id", "order_date", "order_id"])
    kept = kept.assign(n=kept.groupby("customer_id").cumcount())
    first = kept[kept["n"] == 0].set_index("customer_id")
    second = kept[kept["n"] == 1].set_index("customer_id")
    return pd.DataFrame(
        {
            "first_product": first["product"],
            "second_product": second["product"].reindex(first.index),
            "days_to_second": (second["order_date"].reindex(first.index) - first["order_date"]).dt.days,
        }
    )


def test_first_two_orders(orders):
    got = product_paths.first_two_orders(orders, AS_OF).sort_index().astype(AS_TEXT)
    expected = independent_firsts(orders)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False, check_names=False)
    assert got.loc["A", "first_product"] == "お試し" and got.loc["A", "days_to_second"] == 0


def test_paths_and_conversion(orders):
    firsts = product_paths.first_two_orders(orders, AS_OF)
    paths = product_paths.product_paths(firsts)
    assert list(paths.columns) == list(product_paths.PATH_COLUMNS)
    expected = independent_firsts(orders)
    counts = expected.groupby(["first_product", "second_product"], dropna=False).size()
    got = paths.set_index(["first_product", "second_product"])["customers"]
    assert got.sort_index().to_dict() == counts.sort_index().to_dict()
    trial = paths[paths["first_product"] == "お試し"].set_index("second_product", drop=False)
    # お試し first: A (same day 本品30包), B (本品30包, 15 days), D (本品30包, 60 days), C (none)
    assert trial.iloc[0]["second_product"] == "本品30包"
    assert trial.iloc[0]["customers"] == 3 and trial.iloc[0]["share_of_first"] == pytest.approx(0.75)
    assert trial.iloc[0]["median_days"] == 15
    assert paths.groupby("first_product", dropna=False)["share_of_first"].sum().to_numpy() == pytest.approx(1.0)

    conversion = product_paths.first_product_conversion(firsts)
    assert conversion.index[0] == "お試し"  # most first buyers
    assert conversion.loc["お試し", "f2_conversion"] == pytest.approx(3 / 4)
    assert conversion.loc["お試し", "top_second_product"] == "本品30包"
    assert conversion.loc["本品30包", "same_product_share"] == 1.0  # E bought it again
    assert pd.isna(conversion.loc["本品30包", "top_second_product"])  # no *other* product follows it
    by_pandas = expected.assign(repeat=expected["second_product"].notna()).groupby("first_product", dropna=False)
    assert conversion["f2_conversion"].to_dict() == pytest.approx(by_pandas["repeat"].mean().to_dict(), nan_ok=True)


def test_order_items_main_line_matches_sql(orders):
    items = pd.DataFrame(
        {
            "order_id": ["o02", "o02", "o03", "o03", "o04", "o05"],
            "product": ["お試し", "おまけ", "B1", "A1", "本品60包", "お試し"],
            "quantity": [1, 3, 1, 2, None, 1],
            "price": [1980, 1000, 500, 250, 7480, 1980],
        }
    )
    items["quantity"] = items["quantity"].astype("Int64")
    got = product_paths.order_products(orders, items)
    expected = (
        duckdb.sql(
            """
        SELECT order_id, product FROM (
            SELECT order_id, product, row_number() OVER (
                PARTITION BY order_id ORDER BY coalesce(price, 0) * coalesce(quantity, 1) DESC, product) AS r
            FROM items WHERE product IS NOT NULL) WHERE r = 1
        """
        )
        .df()
        .set_index("order_id")["product"]
    )
    from_items = orders["order_id"].map(expected)
    expected_products = from_items.fillna(orders["product"]).astype("string")
    assert got.fillna("∅").tolist() == expected_products.fillna("∅").tolist()
    # o02: おまけ 3 x 1,000 beats お試し 1,980; o03: a tie of 500 goes to A1 (name order)
    assert dict(zip(orders["order_id"], got, strict=True))["o02"] == "おまけ"
    assert dict(zip(orders["order_id"], got, strict=True))["o03"] == "A1"
    assert product_paths.has_products(orders.drop(columns="product"), items)
    assert not product_paths.has_products(orders.drop(columns="product"))


def test_products_from_items_only(orders):
    items = orders[["order_id", "product"]].dropna()
    firsts = product_paths.first_two_orders(orders.drop(columns="product"), AS_OF, order_items=items)
    expected = product_paths.first_two_orders(orders, AS_OF)
    pd.testing.assert_frame_equal(firsts.astype(AS_TEXT), expected.astype(AS_TEXT))
    assert np.isnan(firsts.loc["C", "days_to_second"])
