"""Tests of helpers.tracking on hand-computed months and streaks."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from helpers import tracking
from helpers.segments import customer_groups


@pytest.fixture
def shop():
    orders = pd.DataFrame(
        {
            "order_id": ["o1", "o2", "o3", "o4", "o5", "o6"],
            "customer_id": ["A", "A", "A", "B", "C", "X"],
            "order_date": pd.to_datetime(
                ["2025-01-05", "2025-01-20", "2025-03-01", "2025-02-10", "2025-03-15", "2025-02-01"]
            ),
            "amount": [100.0, 50.0, 200.0, 300.0, 400.0, 999.0],
        }
    )
    groups = pd.Series(
        pd.Categorical(["g1", "g2", "g1"], categories=["g1", "g2", "g3"]),
        index=pd.Index(["A", "B", "C"], name="customer_id"),
        name="segment",
    )
    return orders, groups


def test_monthly_metrics_by_hand(shop):
    orders, groups = shop
    metric = lambda name: tracking.monthly_metric(orders, groups, name, as_of="2025-03-31")  # noqa: E731
    revenue = metric("revenue")
    assert [str(m) for m in revenue.index] == ["2025-01", "2025-02", "2025-03"]
    assert list(revenue.columns) == ["g1", "g2", "g3"]
    assert revenue["g1"].tolist() == [150.0, 0.0, 600.0]  # X has no group: left out
    assert revenue["g2"].tolist() == [0.0, 300.0, 0.0]
    assert revenue["g3"].tolist() == [0.0, 0.0, 0.0]
    assert metric("orders")["g1"].tolist() == [2, 0, 2]
    assert metric("active_customers")["g1"].tolist() == [1, 0, 2]
    aov = metric("aov")["g1"]
    assert aov.iloc[0] == 75.0 and math.isnan(aov.iloc[1]) and aov.iloc[2] == 300.0
    repeat = metric("repeat_rate")
    # January: A buys twice in their first month -> not yet returning; March: A returns, C is new
    assert repeat["g1"].iloc[0] == 0.0 and repeat["g1"].iloc[2] == 0.5
    assert repeat["g2"].iloc[1] == 0.0


def test_partial_month_is_left_out(shop):
    orders, groups = shop
    partial = tracking.monthly_metric(orders, groups, "revenue", as_of="2025-03-15")
    assert str(partial.index[-1]) == "2025-02"
    kept = tracking.monthly_metric(orders, groups, "revenue", as_of="2025-03-15", complete_months_only=False)
    assert str(kept.index[-1]) == "2025-03" and kept["g1"].iloc[-1] == 600.0
    with pytest.raises(ValueError):
        tracking.monthly_metric(orders, groups, "profit")


def _monthly(values, start="2024-01"):
    months = pd.period_range(start, periods=len(values), freq="M", name="month")
    return pd.DataFrame({"g": values}, index=months)


def test_streaks_cool_and_break():
    streaks = tracking.improvement_streaks(_monthly([1, 2, 3, 4, 5, 4, 5, 6, 7, 8, 9, 9]), run_length=4)
    assert streaks["streak"].tolist() == [0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 5, 0]
    assert streaks.index[streaks["cool_completed"]].tolist() == [4, 9]
    assert streaks["broken_streak"].tolist() == [0] * 5 + [4] + [0] * 5 + [5]  # a flat month breaks a streak
    assert streaks["change"].iloc[5] == -1 and streaks["change_rate"].iloc[5] == pytest.approx(-0.2)
    three = tracking.improvement_streaks(_monthly([1, 2, 3, 4, 5, 6, 7]), run_length=3)
    assert three.index[three["cool_completed"]].tolist() == [3, 6]


def test_lower_is_better():
    streaks = tracking.improvement_streaks(_monthly([5, 4, 3, 2, 1]), run_length=4, higher_is_better=False)
    assert streaks["streak"].tolist() == [0, 1, 2, 3, 4] and streaks["cool_completed"].iloc[-1]


def test_streak_summary():
    monthly = _monthly([1, 2, 3, 4, 5, 4, 5, 6, 7, 8, 9]).assign(h=[3, 2, 1, 1, 1, 1, 1, 1, 1, 1, 2])
    summary = tracking.streak_summary(tracking.improvement_streaks(monthly, run_length=4), run_length=4)
    g, h = summary.loc["g"], summary.loc["h"]
    assert (g.current_streak, g.longest_streak, g.cools, g.reached_cool) == (5, 5, 2, True)
    assert str(g.last_cool_month) == "2024-10" and str(g.last_break_month) == "2024-06"
    assert g.last_broken_streak == 4
    assert (h.current_streak, h.longest_streak, h.cools, h.reached_cool) == (1, 1, 0, False)
    assert pd.isna(h.last_break_month) and h.last_broken_streak == 0
    recent = tracking.recent_months(tracking.improvement_streaks(monthly), 3)
    assert [str(m) for m in pd.unique(recent["month"])] == ["2024-09", "2024-10", "2024-11"]


def test_change_table_and_chart_render_japanese():
    import warnings

    import matplotlib.pyplot as plt

    from helpers.plotting import use_style
    from helpers.plotting.tracking import plot_monthly_tracking
    from helpers.tables.tracking import format_change_table

    use_style()
    monthly = _monthly([100.0, 110.0, 121.0, 133.1, 146.41, 140.0])
    monthly.columns = ["high"]  # a segment code, named in the table and the chart
    streaks = tracking.improvement_streaks(monthly, run_length=4)
    table = format_change_table(streaks, metric="revenue")
    # signed change, never ▲/▼ (Japanese readers take ▲ for minus)
    assert table.loc["2024-05", "ロイヤリティ高"] == "146（+10.0%・4か月連続）★"
    assert table.loc["2024-06", "ロイヤリティ高"] == "140（-4.4%）"
    assert table.index[0] == "2024-06"  # newest first
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ax = plot_monthly_tracking(streaks, metric="revenue")
        ax.figure.canvas.draw()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["ロイヤリティ高", "クール達成", "連続改善の途切れ"]
    assert ax.get_ylabel() == "売上（円）"
    plt.close("all")


def test_groups_from_loyalty_segments(shop):

    orders, _ = shop
    customers = pd.DataFrame({"customer_id": ["A", "B", "C", "X"]})
    nps = pd.DataFrame(
        {"customer_id": ["A", "B"], "response_date": pd.to_datetime(["2025-01-31", "2025-02-28"]), "score": [10, 3]}
    )
    groups = customer_groups(customers, "segment", nps=nps, as_of="2025-03-31")
    revenue = tracking.monthly_metric(orders, groups, "revenue", as_of="2025-03-31")
    assert list(revenue.columns) == ["high", "mid", "low", "no_answer"]
    assert revenue.sum().tolist() == [350.0, 0.0, 300.0, 1399.0]
    assert np.isclose(revenue.to_numpy().sum(), orders["amount"].sum())
