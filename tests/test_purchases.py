"""Per-customer purchase facts on a hand-computed case."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers import purchases


@pytest.fixture
def orders():
    return pd.DataFrame(
        {
            "order_id": ["o1", "o2", "o3", "o4", "o5", "o6"],
            "customer_id": ["A", "A", "A", "B", "C", "C"],
            "order_date": pd.to_datetime(
                ["2024-01-01", "2024-01-04", "2024-12-31", "2024-06-01", "2024-03-01", "2026-01-05"]
            ),
            "amount": [1000.0, 2000.0, 4000.0, 500.0, 300.0, 999.0],
        }
    )


def test_order_sequence_numbers_and_gaps(orders):
    seq = purchases.order_sequence(orders.sample(frac=1, random_state=1))
    a = seq[seq.customer_id == "A"]
    assert a["order_number"].tolist() == [1, 2, 3]
    assert a["days_since_previous"].iloc[1:].tolist() == [3, 362]
    assert np.isnan(a["days_since_previous"].iloc[0])
    assert a["days_since_first"].tolist() == [0, 3, 365]


def test_customer_purchases_hand_computed(orders):
    result = purchases.customer_purchases(orders, as_of="2025-12-31")
    a = result.loc["A"]
    assert (a.n_orders, a.revenue, a.aov, bool(a.is_repeat)) == (3, 7000.0, 7000.0 / 3, True)
    # 2024-12-31 is day 365 after 2024-01-01 (leap year): outside the 365-day window
    assert a.first_year_value == 3000.0
    assert a.tenure_days == (pd.Timestamp("2025-12-31") - pd.Timestamp("2024-01-01")).days
    # C's 2026 order is after as_of and not counted
    assert result.loc["C", "n_orders"] == 1 and result.loc["C", "revenue"] == 300.0
    b = purchases.customer_purchases(orders, as_of="2025-05-31").loc["B"]
    assert b.tenure_days == 364 and not b.first_year_complete
    assert purchases.customer_purchases(orders, as_of="2025-06-01").loc["B", "first_year_complete"]


def test_repeat_funnel(orders):
    funnel = purchases.nth_purchase_conversion(orders, max_n=4)
    assert funnel["customers"].tolist() == [3, 2, 1, 0]
    assert np.isnan(funnel.loc[1, "conversion"])
    assert funnel.loc[2, "conversion"] == pytest.approx(2 / 3)
    assert funnel.loc[3, "conversion"] == pytest.approx(1 / 2)
    assert funnel.loc[4, "conversion"] == 0.0
