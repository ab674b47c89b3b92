"""order_items: products per order in 03's product table and 02's purchase timelines."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import SAMPLE_AS_OF, notebook_outputs

from helpers import purchases, touchpoints


@pytest.fixture
def items_and_orders():
    orders = pd.DataFrame(
        {"order_id": ["1", "2", "3", "4"], "customer_id": ["a", "a", "b", "c"], "amount": [3000, 1000, 1500, 500.0]}
    )
    items = pd.DataFrame(
        {
            "order_id": ["1", "1", "1", "2", "3", "9"],
            "product": ["青汁", "黒酢", "青汁", "青汁", "黒酢", "青汁"],
            "quantity": [1, 2, 1, 1, 3, 1],
            "price": [1000, 500, 1000, 1000, 500, 99.0],
        }
    )
    return items, orders


def test_product_mix_counts_orders_customers_and_item_revenue(items_and_orders):
    items, orders = items_and_orders
    mix = touchpoints.product_mix(items, orders)
    # 青汁: orders 1 (twice) and 2, customer a; 黒酢: orders 1 and 3, customers a and b; order 9 is not an order
    assert mix.loc["青汁", ["orders", "customers", "revenue"]].tolist() == [2, 1, 3000]
    assert mix.loc["黒酢", ["orders", "customers", "revenue"]].tolist() == [2, 2, 1000 + 1500]
    assert mix.loc["青汁", "share"] == pytest.approx(2 / 4)


def test_order_products_lists_each_product_once_in_item_order(items_and_orders):
    items, _ = items_and_orders
    products = purchases.order_products(items)
    assert products.loc["1"] == "青汁 / 黒酢" and products.loc["3"] == "黒酢"


@pytest.mark.notebook
def test_notebooks_use_the_order_lines(sample_copy, tmp_path, run_notebook):
    orders = pd.read_csv(sample_copy / "orders.csv", dtype=str)
    extra = "おまけサンプル"
    items = pd.concat(
        [
            pd.DataFrame(
                {"order_id": orders["order_id"], "product": orders["product"], "quantity": 1, "price": orders["amount"]}
            ),
            pd.DataFrame({"order_id": orders["order_id"], "product": extra, "quantity": 1, "price": 0}),
        ]
    )
    items.to_csv(sample_copy / "order_items.csv", index=False)
    nb03 = run_notebook("03_touchpoints", tmp_path, tmp_path, data_dir=str(sample_copy), as_of=SAMPLE_AS_OF)
    text, bad, _ = notebook_outputs(nb03)
    assert not bad
    # every order holds the extra, so it is the most ordered product, with every order and customer
    assert f"注文が最も多いのは「{extra}」（{len(orders):,}件、{orders['customer_id'].nunique():,}人）" in text
    nb02 = run_notebook("02_role_models", tmp_path, tmp_path, data_dir=str(sample_copy), as_of=SAMPLE_AS_OF)
    text, bad, _ = notebook_outputs(nb02)
    assert not bad and f" / {extra}" in text
