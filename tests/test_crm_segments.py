"""RFM scores, CPM classes and deciles, each against an independent computation on hand-made data."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from helpers import cpm, deciles, rfm, segments
from helpers.labels import label

AS_OF = pd.Timestamp("2025-12-31")


def make_orders(rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["customer_id", "order_date", "amount"])
    frame["order_date"] = pd.to_datetime(frame["order_date"])
    frame["amount"] = frame["amount"].astype(float)
    frame.insert(0, "order_id", [f"o{i:03d}" for i in range(len(frame))])
    return frame


@pytest.fixture
def random_orders() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 400
    customers = rng.integers(0, 57, n)
    days = rng.integers(0, 700, n)
    amounts = rng.choice([1980, 3980, 7480, 12000], n)
    rows = [
        (f"C{c:03d}", AS_OF - pd.Timedelta(days=int(d)), a) for c, d, a in zip(customers, days, amounts, strict=True)
    ]
    return make_orders(rows)


# ---------------------------------------------------------------------------- RFM
def test_rfm_scores_match_the_documented_rule(random_orders):
    scores = rfm.rfm_scores(random_orders, AS_OF)
    per = random_orders.groupby("customer_id").agg(
        last=("order_date", "max"), frequency=("order_id", "size"), monetary=("amount", "sum")
    )
    per["recency_days"] = (AS_OF - per["last"]).dt.days
    n = len(per)

    def score(values, larger_is_better=True):
        v = values.to_numpy() if larger_is_better else -values.to_numpy()
        return pd.Series([5 * int((v < x).sum()) // n + 1 for x in v], index=values.index)

    assert scores["recency_days"].to_dict() == per["recency_days"].to_dict()
    assert scores["frequency"].to_dict() == per["frequency"].to_dict()
    assert scores["r"].to_dict() == score(per["recency_days"], larger_is_better=False).to_dict()
    assert scores["f"].to_dict() == score(per["frequency"]).to_dict()
    assert scores["m"].to_dict() == score(per["monetary"]).to_dict()
    assert (scores["rfm"] == scores["r"].astype(str) + scores["f"].astype(str) + scores["m"].astype(str)).all()


def test_rfm_ties_share_a_score():
    # 8 one-time buyers and 2 repeat buyers: all one-timers tie at F = 1, the repeaters are better than 80%
    rows = [(f"C{i}", "2025-06-01", 1000) for i in range(8)] + [("R1", "2025-01-01", 1), ("R1", "2025-02-01", 1)]
    rows += [("R2", "2025-01-01", 1), ("R2", "2025-03-01", 1), ("R2", "2025-04-01", 1)]
    scores = rfm.rfm_scores(make_orders(rows), AS_OF)
    assert scores.loc[[f"C{i}" for i in range(8)], "f"].eq(1).all()
    assert scores.loc["R1", "f"] == 5 and scores.loc["R2", "f"] == 5  # 8 of 10 are strictly worse: 5*8//10+1
    grid = rfm.rf_grid(scores)
    assert len(grid) == 25 and grid["customers"].sum() == 10


# ---------------------------------------------------------------------------- CPM
def classify(n_orders, tenure, revenue, since_last, t=cpm.DEFAULT_THRESHOLDS) -> str:
    """LTV-Lab's CPM rules written out one customer at a time."""
    if n_orders == 1:
        stage = "shokai"
    elif tenure < t.tenure_days:
        stage = "yochiyochi"
    elif revenue < t.amount:
        stage = "kotsukotsu"
    elif tenure < t.loyal_days:
        stage = "ryuko"
    else:
        stage = "yuryo"
    return f"{stage}_{'lapsed' if since_last >= t.lapse_days else 'active'}"


def test_cpm_boundaries():
    last = AS_OF - pd.Timedelta(days=10)
    rows = [
        ("first", last, 5000),
        ("first_lapsed", AS_OF - pd.Timedelta(days=240), 5000),  # exactly 240 days: lapsed
        ("first_just_active", AS_OF - pd.Timedelta(days=239), 5000),
        ("yochi", last - pd.Timedelta(days=89), 50000),
        ("yochi", last, 50000),  # tenure 89
        ("kotsu", last - pd.Timedelta(days=90), 30000),
        ("kotsu", last, 39999),  # tenure 90, 69,999 yen
        ("ryuko", last - pd.Timedelta(days=90), 30000),
        ("ryuko", last, 40000),  # exactly 70,000 yen
        ("ryuko_209", last - pd.Timedelta(days=209), 70000),
        ("ryuko_209", last, 1),
        ("yuryo", last - pd.Timedelta(days=210), 70000),
        ("yuryo", last, 0),
        ("yuryo_lapsed", AS_OF - pd.Timedelta(days=700), 80000),
        ("yuryo_lapsed", AS_OF - pd.Timedelta(days=300), 1),
    ]
    classes = cpm.cpm_classes(make_orders(rows), AS_OF)["cpm_class"].astype(str).to_dict()
    assert classes == {
        "first": "shokai_active",
        "first_lapsed": "shokai_lapsed",
        "first_just_active": "shokai_active",
        "yochi": "yochiyochi_active",
        "kotsu": "kotsukotsu_active",
        "ryuko": "ryuko_active",
        "ryuko_209": "ryuko_active",
        "yuryo": "yuryo_active",
        "yuryo_lapsed": "yuryo_lapsed",
    }


def test_cpm_against_row_by_row_rules_and_summary(random_orders):
    thresholds = cpm.CPMThresholds(lapse_days=180, tenure_days=60, loyal_days=300, amount=15000)
    got = cpm.cpm_classes(random_orders, AS_OF, thresholds)
    per = random_orders.groupby("customer_id").agg(
        first=("order_date", "min"), last=("order_date", "max"), n=("order_id", "size"), revenue=("amount", "sum")
    )
    expected = {
        c: classify(r.n, (r.last - r.first).days, r.revenue, (AS_OF - r.last).days, thresholds)
        for c, r in per.iterrows()
    }
    assert got["cpm_class"].astype(str).to_dict() == expected
    summary = cpm.cpm_summary(got)
    assert list(summary["class"]) == list(cpm.CLASSES)
    counts = pd.Series(expected).value_counts()
    assert (
        summary.set_index("class")["customers"].to_dict() == counts.reindex(list(cpm.CLASSES), fill_value=0).to_dict()
    )
    revenue = per["revenue"].groupby(pd.Series(expected)).sum()
    assert summary.set_index("class")["revenue"].to_dict() == pytest.approx(
        revenue.reindex(list(cpm.CLASSES), fill_value=0).to_dict()
    )
    assert summary["share"].sum() == pytest.approx(1.0)


def test_cpm_thresholds_are_checked():
    with pytest.raises(ValueError):
        cpm.CPMThresholds(tenure_days=300, loyal_days=200)


# ---------------------------------------------------------------------------- deciles
def test_deciles_match_sql_ntile(random_orders):
    got = deciles.customer_deciles(random_orders, AS_OF)
    expected = duckdb.sql(
        """
        SELECT customer_id, sum(amount) AS revenue,
               ntile(10) OVER (ORDER BY sum(amount) DESC, customer_id) AS decile
        FROM random_orders GROUP BY customer_id ORDER BY revenue DESC, customer_id
        """
    ).df()
    assert got.index.tolist() == expected["customer_id"].tolist()
    assert got["decile"].tolist() == expected["decile"].tolist()
    table = deciles.decile_table(got)
    assert list(table.columns) == list(deciles.DECILE_COLUMNS)
    by_sql = expected.groupby("decile")["revenue"].agg(["size", "sum"])
    assert table["customers"].tolist() == by_sql["size"].tolist()  # 57 customers: 6,6,6,6,6,6,6,5,5,5
    assert table["customers"].tolist() == [6] * 7 + [5] * 3
    assert table["revenue_share"].tolist() == pytest.approx((by_sql["sum"] / by_sql["sum"].sum()).tolist())
    assert table["cumulative_share"].iloc[-1] == pytest.approx(1.0)


def test_decile_ties_broken_by_customer_id():
    rows = [(f"C{i:02d}", "2025-05-01", 1000) for i in range(20)]
    got = deciles.customer_deciles(make_orders(rows[::-1]), AS_OF)
    assert got.index.tolist() == [f"C{i:02d}" for i in range(20)]
    assert got["decile"].tolist() == list(np.repeat(np.arange(1, 11), 2))


# ---------------------------------------------------------------------------- groups for 07
def test_decile_and_cpm_groups_for_tracking(random_orders):
    customers = pd.DataFrame({"customer_id": sorted(random_orders["customer_id"].unique()) + ["never"]})
    groups = segments.customer_groups(customers, "decile", orders=random_orders, as_of=AS_OF)
    layer = deciles.customer_deciles(random_orders, AS_OF)["decile"]
    assert list(groups.cat.categories) == [f"decile_{n}" for n in range(1, 11)] + ["no_purchase"]
    assert groups["never"] == "no_purchase"
    bought = groups.drop("never")
    assert (bought.astype(str) == "decile_" + layer.reindex(bought.index).astype(str)).all()
    cpm_groups = segments.customer_groups(customers, "cpm", orders=random_orders, as_of=AS_OF)
    classes = cpm.cpm_classes(random_orders, AS_OF)["cpm_class"]
    bought = cpm_groups.drop("never")
    assert (bought.astype(str) == classes.reindex(bought.index).astype(str)).all()
    assert cpm_groups.cat.categories[-1] == "no_purchase"
    # the high-value layer first: 優良 before 流行 before コツコツ ..., active before lapsed
    order = list(cpm_groups.cat.categories)
    assert all(
        order.index(a) < order.index(b)
        for a, b in [("yuryo_active", "kotsukotsu_active"), ("shokai_active", "yuryo_lapsed")]
        if a in order and b in order
    )
    assert (
        label("decile_1", "ja", "groupings") == "デシル1"
        and label("yuryo_active", "en", "groupings") == "Loyal, active"
    )


def test_shared_purchases_table_gives_the_same_results(random_orders):
    from helpers import purchases

    unsorted = purchases.customer_purchases(random_orders, AS_OF, sort=False)  # any row order will do
    pd.testing.assert_frame_equal(
        rfm.rfm_scores(random_orders, AS_OF, bought=unsorted), rfm.rfm_scores(random_orders, AS_OF)
    )
    pd.testing.assert_frame_equal(
        cpm.cpm_classes(random_orders, AS_OF, bought=unsorted), cpm.cpm_classes(random_orders, AS_OF)
    )
    pd.testing.assert_frame_equal(
        deciles.customer_deciles(random_orders, AS_OF, bought=unsorted), deciles.customer_deciles(random_orders, AS_OF)
    )
