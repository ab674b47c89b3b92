"""LTV by acquisition channel against CPO, checked with plain pandas and Python on hand-made data."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from helpers import channel_ltv

AS_OF = pd.Timestamp("2025-06-30")
MARGIN = 0.5


@pytest.fixture
def data():
    customers = pd.DataFrame(
        {
            "customer_id": ["A", "B", "C", "D", "E", "F"],
            "acquisition_channel": pd.array(
                ["検索広告", "検索広告", "検索広告", "テレビ", None, "テレビ"], dtype="string"
            ),
        }
    )
    rows = [
        ("A", "2024-01-10", 5000),
        ("A", "2024-02-20", 4000),
        ("A", "2025-01-09", 9000),
        ("A", "2025-01-10", 7000),
        ("B", "2024-03-01", 3000),
        ("C", "2025-01-15", 6000),
        ("C", "2025-02-15", 6000),  # less than a year of history
        ("D", "2024-02-05", 12000),
        ("D", "2024-05-05", 12000),
        ("E", "2024-04-01", 2000),
    ]  # F never ordered
    orders = pd.DataFrame(rows, columns=["customer_id", "order_date", "amount"])
    orders["order_date"] = pd.to_datetime(orders["order_date"])
    orders["amount"] = orders["amount"].astype(float)
    orders.insert(0, "order_id", [f"o{i}" for i in range(len(orders))])
    ad_costs = pd.DataFrame(
        {
            "channel": ["検索広告", "検索広告", "テレビ"],
            "month": pd.to_datetime(["2024-01-01", "2024-03-01", "2024-02-01"]),
            "cost": [20000.0, 10000.0, 30000.0],
        }
    )
    return customers, orders, ad_costs


def independent_ltv(customers, orders, as_of, window=365):
    """1-year LTV per channel: plain pandas, one customer at a time."""
    firsts = orders.groupby("customer_id")["order_date"].min()
    rows = {}
    for customer, first in firsts.items():
        if (as_of.normalize() - first.normalize()).days < window:
            continue
        mine = orders[orders["customer_id"] == customer]
        value = mine.loc[(mine["order_date"] - first).dt.days < window, "amount"].sum()
        channel = customers.set_index("customer_id").loc[customer, "acquisition_channel"]
        rows.setdefault("?" if pd.isna(channel) else channel, []).append(value)
    return {k: float(np.mean(v)) for k, v in rows.items()}


def test_one_year_ltv_and_counts(data):
    customers, orders, _ = data
    result = channel_ltv.channel_ltv(orders, customers, AS_OF, gross_margin=MARGIN)
    table = result.table.assign(channel=result.table["channel"].fillna("?")).set_index("channel")
    assert list(result.table.columns) == list(channel_ltv.CHANNEL_COLUMNS)
    assert table["new_customers"].to_dict() == {"検索広告": 3, "テレビ": 1, "?": 1}  # F never ordered
    assert table["customers_1y"].to_dict() == {"検索広告": 2, "テレビ": 1, "?": 1}
    expected = independent_ltv(customers, orders, AS_OF)
    assert table["ltv_1y"].to_dict() == pytest.approx(expected)
    # A's order on 2025-01-09 is day 365 - outside the window; the one on 2025-01-10 too
    assert table.loc["検索広告", "ltv_1y"] == pytest.approx((9000 + 3000) / 2)
    assert table["ltv_1y_margin"].to_dict() == pytest.approx({k: v * MARGIN for k, v in expected.items()})
    assert result.table["channel"].isna().to_numpy()[-1]  # the missing channel comes last


def test_cpo_from_ad_costs_and_parameter(data):
    customers, orders, ad_costs = data
    cpo = channel_ltv.cpo_from_ad_costs(ad_costs, customers, orders, AS_OF)
    # 検索広告: months 2024-01 and 2024-03 cost 30,000; new customers then: A (Jan) and B (Mar)
    firsts = orders.groupby("customer_id")["order_date"].min().dt.to_period("M")
    channel = customers.set_index("customer_id")["acquisition_channel"]
    listed = set(zip(ad_costs["channel"], ad_costs["month"].dt.to_period("M"), strict=True))
    new = pd.Series([(channel[c], m) in listed for c, m in firsts.items()], index=firsts.index)
    expected_new = new[new].index.map(channel).value_counts().to_dict()
    assert cpo["new_customers"].to_dict() == expected_new == {"検索広告": 2, "テレビ": 1}
    assert cpo["cpo"].to_dict() == {"検索広告": 15000.0, "テレビ": 30000.0}

    result = channel_ltv.channel_ltv(orders, customers, AS_OF, gross_margin=MARGIN, cpo=8000, ad_costs=ad_costs)
    table = result.table.assign(channel=result.table["channel"].fillna("?")).set_index("channel")
    assert table["cpo"].to_dict() == {"検索広告": 15000.0, "テレビ": 30000.0, "?": 8000.0}
    assert table["cpo_source"].to_dict() == {"検索広告": "ad_costs", "テレビ": "ad_costs", "?": "parameter"}
    assert table.loc["検索広告", "ltv_to_cpo"] == pytest.approx(6000 / 15000)
    assert table.loc["テレビ", "margin_ltv_to_cpo"] == pytest.approx(12000 / 30000)

    per_channel = channel_ltv.channel_ltv(orders, customers, AS_OF, cpo={"テレビ": 5000})
    assert per_channel.table.set_index("channel")["cpo"].isna().sum() == 2  # only テレビ has one


def independent_payback(customers, orders, as_of, cpo, margin, max_months=36):
    """Per channel: first month m where the running sum of monthly margin per customer reaches the CPO.

    Month m's margin per customer is averaged over the customers observed at least m months.
    """
    month = 365.25 / 12
    firsts = orders.groupby("customer_id")["order_date"].min().dt.normalize()
    channel = customers.set_index("customer_id")["acquisition_channel"].fillna("?")
    result = {}
    for name in channel.unique():
        members = [c for c in firsts.index if channel[c] == name]
        cumulative = 0.0
        for m in range(1, max_months + 1):
            observed = [c for c in members if (as_of.normalize() - firsts[c]).days >= m * month]
            if not observed:
                break
            values = []
            for c in observed:
                mine = orders[orders["customer_id"] == c]
                days = (mine["order_date"].dt.normalize() - firsts[c]).dt.days
                values.append(mine.loc[(days >= (m - 1) * month) & (days < m * month), "amount"].sum() * margin)
            cumulative += np.mean(values)
            if cumulative >= cpo.get(name, math.inf):
                result[name] = m
                break
    return result


def test_payback_month(data):
    customers, orders, _ = data
    cpo = {"検索広告": 5000, "テレビ": 9000, "?": 100000}
    result = channel_ltv.channel_ltv(orders, customers, AS_OF, gross_margin=MARGIN, cpo=cpo, min_customers=1)
    table = result.table.assign(channel=result.table["channel"].fillna("?")).set_index("channel")
    expected = independent_payback(customers, orders, AS_OF, {"検索広告": 5000, "テレビ": 9000}, MARGIN)
    got = table["payback_month"].dropna().astype(int).to_dict()
    assert got == expected
    assert expected["テレビ"] == 3  # the 2nd order on day 90 falls in month 3 (days < 91.3): 12,000 margin
    assert np.isnan(table.loc["?", "payback_month"])  # CPO (given as "?" key) never reached


def test_needs_the_channel_column(data):
    customers, orders, _ = data
    with pytest.raises(ValueError, match="acquisition_channel"):
        channel_ltv.channel_ltv(orders, customers.drop(columns="acquisition_channel"), AS_OF)


def test_sample_planted_channel_effect(sample_dir):
    """data/sample/README.md, effect 7: only テレビ通販 does not pay back its CPO within a year."""
    from helpers import io

    ds = io.load_data(sample_dir, as_of="2025-12-31", tables=["customers", "orders", "ad_costs"])
    result = channel_ltv.channel_ltv(ds.orders, ds.customers, "2025-12-31", gross_margin=0.6, ad_costs=ds.ad_costs)
    table = result.table.set_index("channel")
    # CPO by plain pandas: cost over the listed months / customers whose first order fell in them
    first_month = ds.orders.groupby("customer_id")["order_date"].min().dt.to_period("M").rename("m")
    new = ds.customers.join(first_month, on="customer_id").groupby(["acquisition_channel", "m"]).size()
    costs = ds.ad_costs.assign(m=ds.ad_costs["month"].dt.to_period("M")).set_index(["channel", "m"])["cost"]
    cpo = costs.groupby(level=0).sum() / new.reindex(costs.index, fill_value=0).groupby(level=0).sum()
    assert table["cpo"].to_dict() == pytest.approx(cpo.to_dict())
    assert table["cpo_source"].eq("ad_costs").all()
    assert set(table.index[table["margin_ltv_to_cpo"] < 1]) == {"テレビ通販"}
    assert not table.loc["テレビ通販", "payback_month"] <= 12  # later, or not within the months observed
    assert table.drop(index="テレビ通販")["payback_month"].max() <= 12


def test_shared_purchases_table_gives_the_same_result(data):
    from helpers import purchases

    customers, orders, ad_costs = data
    for bought in (
        purchases.customer_purchases(orders, AS_OF),
        purchases.customer_purchases(orders, AS_OF, sort=False),
    ):
        shared = channel_ltv.channel_ltv(orders, customers, AS_OF, ad_costs=ad_costs, bought=bought)
        alone = channel_ltv.channel_ltv(orders, customers, AS_OF, ad_costs=ad_costs)
        pd.testing.assert_frame_equal(shared.table, alone.table)
        pd.testing.assert_frame_equal(shared.curves, alone.curves)


def test_payback_chart_without_enough_customers_in_any_month_shows_the_first_year(data):
    import matplotlib

    matplotlib.use("Agg")
    from helpers.plotting.customer_base import plot_channel_payback

    customers, orders, _ = data
    result = channel_ltv.channel_ltv(orders, customers, AS_OF, gross_margin=MARGIN, cpo={"検索広告": 5000},
                                     min_customers=1000)
    assert result.curves.empty
    ax = plot_channel_payback(result)
    assert ax.get_xlim() == (1.0, 12.0)
    matplotlib.pyplot.close(ax.figure)
