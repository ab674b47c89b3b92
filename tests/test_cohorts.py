"""Acquisition cohorts against hand-computed values and an independent DuckDB query."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from helpers import cohorts

AS_OF = "2024-04-30"


@pytest.fixture
def orders() -> pd.DataFrame:
    rows = [
        ("o1", "A", "2024-01-05", 1000),
        ("o2", "A", "2024-01-20", 500),
        ("o3", "A", "2024-03-02", 2000),
        ("o4", "B", "2024-01-31", 3000),
        ("o5", "B", "2024-02-01", 1000),
        ("o6", "C", "2024-02-10", 1500),
        ("o7", "D", "2024-02-28", 800),
        ("o8", "D", "2024-04-30 18:00", 700),
        ("o9", "D", "2024-05-01", 900),
    ]
    frame = pd.DataFrame(rows, columns=["order_id", "customer_id", "order_date", "amount"])
    frame["order_date"] = pd.to_datetime(frame["order_date"], format="ISO8601")
    frame["amount"] = frame["amount"].astype(float)
    return frame


def test_hand_computed_cohorts(orders):
    table = cohorts.cohort_retention(orders, AS_OF)
    assert list(table.columns) == list(cohorts.COHORT_COLUMNS)
    jan = table[table["cohort"] == pd.Period("2024-01", "M")].set_index("months_since")
    feb = table[table["cohort"] == pd.Period("2024-02", "M")].set_index("months_since")
    # January: A and B; B buys in February, A in March, nobody in April
    assert jan["customers"].tolist() == [2, 2, 2, 2]
    assert jan["active"].tolist() == [2, 1, 1, 0]
    assert jan["retention"].tolist() == [1.0, 0.5, 0.5, 0.0]
    assert jan["revenue"].tolist() == [4500, 1000, 2000, 0]
    assert jan["cumulative_revenue_per_customer"].tolist() == [2250, 2750, 3750, 3750]
    # February: C and D; D's April order counts (timed on the as_of day), the May one does not
    assert feb.index.tolist() == [0, 1, 2]
    assert feb["active"].tolist() == [2, 0, 1]
    assert feb["revenue"].tolist() == [2300, 0, 700]
    assert len(table) == 7  # no March or April cohort


def test_matches_independent_sql(orders):
    table = cohorts.cohort_retention(orders, AS_OF)
    expected = duckdb.sql(
        """
        WITH o AS (
            SELECT customer_id, amount, date_trunc('month', order_date) AS m
            FROM orders WHERE order_date < DATE '2024-05-01'
        ), f AS (SELECT customer_id, min(m) AS cohort FROM o GROUP BY customer_id),
        sizes AS (SELECT cohort, count(*) AS customers FROM f GROUP BY cohort)
        SELECT strftime(f.cohort, '%Y-%m') AS cohort, date_diff('month', f.cohort, o.m) AS months_since,
               any_value(sizes.customers) AS customers, count(DISTINCT o.customer_id) AS active,
               sum(o.amount) AS revenue
        FROM o JOIN f USING (customer_id) JOIN sizes USING (cohort)
        GROUP BY ALL ORDER BY cohort, months_since
        """
    ).df()
    got = table[table["active"] > 0].assign(cohort=lambda t: t["cohort"].astype(str)).reset_index(drop=True)
    pd.testing.assert_frame_equal(
        got[["cohort", "months_since", "customers", "active", "revenue"]],
        expected,
        check_dtype=False,
    )


def test_average_pools_cohorts_that_reached_the_month(orders):
    table = cohorts.cohort_retention(orders, AS_OF)
    pooled = cohorts.average_retention(table)
    assert pooled.loc[3, "cohorts"] == 1 and pooled.loc[3, "retention"] == 0.0
    assert pooled.loc[2, "retention"] == pytest.approx(2 / 4)
    assert pooled.loc[2, "cumulative_revenue_per_customer"] == pytest.approx((7500 + 3000) / 4)


def test_no_orders_gives_empty_table(orders):
    assert cohorts.cohort_retention(orders, "2023-12-31").empty


def test_sample_totals(sample_dir):
    from helpers import io

    ds = io.load_data(sample_dir, as_of="2025-12-31", tables=["customers", "orders"])
    table = cohorts.cohort_retention(ds.orders, "2025-12-31")
    month0 = table[table["months_since"] == 0]
    assert month0["customers"].sum() == ds.orders["customer_id"].nunique()
    assert table["revenue"].sum() == pytest.approx(ds.orders["amount"].sum())
    active_pairs = ds.orders.assign(m=ds.orders["order_date"].dt.to_period("M"))[["customer_id", "m"]].drop_duplicates()
    assert table["active"].sum() == len(active_pairs)
    assert np.all(table["retention"].between(0, 1))
