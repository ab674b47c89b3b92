"""Tests of helpers.role_models: role-model criteria at their edges, timelines, gaps, interview kit."""

from __future__ import annotations

import hashlib
import hmac

import pandas as pd
import pytest

from helpers import role_models
from helpers.tables import role_models as role_model_tables

AS_OF = "2025-12-31"


def _orders(rows):
    frame = pd.DataFrame(rows, columns=["customer_id", "order_date", "amount", "product"])
    frame.insert(0, "order_id", [f"o{i}" for i in range(len(frame))])
    return frame.assign(order_date=pd.to_datetime(frame["order_date"]))


@pytest.fixture
def edge_shop():
    """Six customers; E1 meets every criterion exactly at its edge, each other one misses one."""
    customers = pd.DataFrame(
        {
            "customer_id": ["E1", "E2", "E3", "E4", "E5", "E6"],
            "birth_date": pd.to_datetime(
                ["1980-05-01", "1981-01-01", "1982-01-01", None, "1984-01-01", "1985-01-01"]
            ),
            "gender": ["女性", "男性", "女性", "女性", "男性", "女性"],
            "name": ["佐藤 花子", "田中 一郎", "鈴木 恵", "高橋 恵", "伊藤 健", "渡辺 愛"],
        }
    )
    orders = _orders(
        [
            # E1: first purchase exactly 365 days before as_of, first-year value exactly 50,000
            ("E1", "2024-12-31", 20000, "青汁 60包"),
            ("E1", "2025-03-01", 20000, "美容セット"),
            ("E1", "2025-06-01", 10000, "青汁 30包"),
            # E2: 364 days of tenure
            ("E2", "2025-01-01", 20000, "青汁"),
            ("E2", "2025-02-01", 20000, "青汁"),
            ("E2", "2025-03-01", 10000, "青汁"),
            # E3: 49,999 yen
            ("E3", "2024-01-01", 20000, "青汁"),
            ("E3", "2024-02-01", 20000, "青汁"),
            ("E3", "2024-03-01", 9999, "青汁"),
            # E4: no birth date
            ("E4", "2024-01-01", 30000, "青汁"),
            ("E4", "2024-02-01", 20000, "青汁"),
            ("E4", "2024-03-01", 5000, "青汁"),
            # E5: NPS 8
            ("E5", "2024-01-01", 30000, "青汁"),
            ("E5", "2024-02-01", 30000, "青汁"),
            ("E5", "2024-03-01", 30000, "青汁"),
            # E6: two purchases only
            ("E6", "2024-01-01", 30000, "青汁"),
            ("E6", "2024-02-01", 30000, "青汁"),
        ]
    )
    nps = pd.DataFrame(
        {
            "customer_id": ["E1", "E2", "E3", "E4", "E5", "E6", "E5"],
            "response_date": pd.to_datetime(["2025-07-01"] * 6 + ["2024-06-01"]),
            "score": [9, 10, 10, 9, 8, 10, 10],  # E5 was a promoter once; the latest answer counts
        }
    )
    return customers, orders, nps


def test_criteria_edges_and_funnel(edge_shop):
    customers, orders, nps = edge_shop
    candidates = role_models.role_model_candidates(customers, orders, nps, AS_OF)
    e1 = candidates.loc["E1"]
    assert (e1.tenure_days, e1.first_year_value, e1.n_orders, e1.latest_score) == (365, 50000.0, 3, 9)
    assert list(candidates.index[candidates["role_model"]]) == ["E1"]
    assert not candidates.loc["E2", "pass_tenure"] and candidates.loc["E2", "tenure_days"] == 364
    assert not candidates.loc["E3", "pass_ltv_1y"] and candidates.loc["E3", "first_year_value"] == 49999
    assert not candidates.loc["E4", "pass_birth_date"]
    assert not candidates.loc["E5", "pass_nps"]
    assert not candidates.loc["E6", "pass_orders"]
    funnel = role_models.role_model_funnel(candidates)
    assert list(funnel.index) == ["all", "nps", "tenure", "ltv_1y", "orders", "birth_date"]
    assert list(funnel["customers"]) == [6, 5, 4, 3, 2, 1]
    assert funnel.loc["tenure", "step_rate"] == pytest.approx(4 / 5)
    assert funnel.loc["birth_date", "share_of_all"] == pytest.approx(1 / 6)
    assert "criterion" not in funnel.columns  # codes only; named for display:
    named = role_model_tables.funnel_with_criteria(funnel, role_models.RoleModelCriteria())
    assert named.loc["ltv_1y", "criterion"] == "1年LTV 50,000円以上"


def test_criteria_are_parameters(edge_shop):
    customers, orders, nps = edge_shop
    loose = role_models.RoleModelCriteria(
        min_nps=8, min_tenure_days=364, min_ltv_1y=49_999, min_orders=2, require_birth_date=False
    )
    candidates = role_models.role_model_candidates(customers, orders, nps, AS_OF, loose)
    assert candidates["role_model"].all()
    assert list(role_models.role_model_funnel(candidates)["customers"]) == [6] * 6
    assert role_model_tables.criterion_labels(loose, "en")["orders"] == "2+ purchases"
    # highest first-year value first, ties by id
    assert list(role_models.role_model_ids(candidates)) == ["E5", "E6", "E4", "E1", "E2", "E3"]


@pytest.fixture
def gap_orders():
    return _orders(
        [
            ("R1", "2024-01-10", 3000, "青汁 30包"),
            ("R1", "2024-01-13", 4000, "美容液"),
            ("R1", "2024-01-31", 3000, "青汁 30包"),
            ("R1", "2024-03-15", 5000, "美容セット"),  # then 210 days without a purchase
            ("R1", "2024-10-11", 6000, "青汁 60包"),
            ("R2", "2024-05-01", 1000, "お試し"),
            ("R2", "2024-10-28", 2000, "青汁 30包"),  # exactly 180 days later
            ("R3", "2024-02-01", 1000, "お試し"),
            ("R3", "2024-07-29", 2000, "青汁 30包"),  # 179 days
            ("R1", "2026-02-01", 9999, "after as_of"),
        ]
    )


def test_purchase_timelines(gap_orders):
    timelines = role_models.purchase_timelines(gap_orders, ["R1", "R3"], AS_OF)
    assert list(timelines["customer_id"]) == ["R1"] * 5 + ["R3"] * 2  # requested order, nothing after as_of
    r1 = timelines[timelines["customer_id"] == "R1"]
    assert list(role_model_tables.timeline_labels(r1)) == ["初回購入", "+3日", "+21日", "+65日", "+275日"]
    assert list(r1["days_since_previous"].iloc[1:]) == [3, 18, 44, 210]
    assert list(r1["long_gap_before"]) == [False, False, False, False, True]
    assert list(role_model_tables.timeline_labels(r1, "en")[:2]) == ["1st purchase", "+3 days"]


def test_purchase_gaps_threshold_is_inclusive(gap_orders):
    timelines = role_models.purchase_timelines(gap_orders, ["R1", "R2", "R3"], AS_OF, long_gap_days=180)
    gaps = role_models.purchase_gaps(timelines)
    assert list(gaps["customer_id"]) == ["R1", "R2"]
    assert list(gaps["gap_days"]) == [210, 180]
    first = gaps.iloc[0]
    assert (first.before_date, first.before_amount, first.before_product) == (
        pd.Timestamp("2024-03-15"), 5000.0, "美容セット"
    )
    assert (first.after_date, first.after_amount, first.after_product) == (
        pd.Timestamp("2024-10-11"), 6000.0, "青汁 60包"
    )
    assert first.before_order_number == 4
    looser = role_models.purchase_gaps(role_models.purchase_timelines(gap_orders, ["R3"], AS_OF, long_gap_days=179))
    assert list(looser["gap_days"]) == [179]


def test_interview_questions(gap_orders):
    gaps = role_models.purchase_gaps(role_models.purchase_timelines(gap_orders, ["R1", "R3"], AS_OF))
    kit = role_model_tables.interview_questions(["R3", "R1"], gaps)
    r1 = kit[kit["customer_id"] == "R1"]
    assert list(r1["question_no"]) == [1, 2, 3, 4, 5]
    assert r1["question"].tolist() == [
        "何が決め手となってご購入いただいているのですか？",
        "実際に使用してみていかがですか？",
        "2024年3月〜2024年10月の間、ご購入がなかった理由は？",
        "2024年10月にご購入を再開されたきっかけは何でしたか？",
        "ご自身用ですか、それともギフト（贈り物）としてご購入ですか？",
    ]
    assert list(r1["topic"])[3] == "再開のきっかけ"
    assert kit["customer_id"].iloc[0] == "R3" and (kit["customer_id"] == "R3").sum() == 3  # no gap: 3 questions
    english = role_model_tables.interview_questions(["R1"], gaps, lang="en")
    assert english["question"].iloc[2] == "Between Mar 2024 and Oct 2024 you did not buy from us. Why was that?"


def test_interview_list_has_age_band_not_personal_data(edge_shop):
    customers, orders, nps = edge_shop
    candidates = role_models.role_model_candidates(customers, orders, nps, AS_OF)
    gaps = role_models.purchase_gaps(role_models.purchase_timelines(orders, ["E1"], AS_OF, long_gap_days=61))
    key = b"k" * 32
    listing = role_models.interview_list(candidates, customers, gaps, AS_OF, key=key)
    assert len(listing) == 1
    row = listing.iloc[0]
    assert row.customer_id == "P-" + hmac.new(key, b"E1", hashlib.sha256).hexdigest()[:16]
    assert row.age_band == "40代" and row.gender == "女性"
    assert (row.latest_score, row.n_orders, row.first_year_value) == (9, 3, 50000)
    assert (row.long_gaps, row.longest_gap_days) == (1, 92)  # 2025-03-01 -> 2025-06-01; the 60-day gap is short
    assert not set(listing.columns) & {"birth_date", "name", "email", "phone"}
    shown = role_models.interview_list(candidates, customers, gaps, AS_OF, show_customer_ids=True)
    assert shown["customer_id"].iloc[0] == "E1"


def test_sample_role_models_include_planted_long_gaps(sample_dir):
    from helpers import io, sample

    ds = io.load_data(sample_dir, as_of=sample.AS_OF, tables=["customers", "orders", "nps"])
    criteria = role_models.RoleModelCriteria(
        min_nps=sample.ROLE_MODEL_MIN_NPS, min_tenure_days=sample.ROLE_MODEL_MIN_TENURE_DAYS,
        min_ltv_1y=sample.ROLE_MODEL_MIN_LTV_1Y, min_orders=sample.ROLE_MODEL_MIN_ORDERS,
    )
    candidates = role_models.role_model_candidates(ds.customers, ds.orders, ds.nps, sample.AS_OF, criteria)
    funnel = role_models.role_model_funnel(candidates)
    assert funnel["customers"].is_monotonic_decreasing
    ids = role_models.role_model_ids(candidates)
    assert len(ids) >= 10
    timelines = role_models.purchase_timelines(ds.orders, ids, sample.AS_OF, long_gap_days=sample.LONG_GAP_DAYS)
    gaps = role_models.purchase_gaps(timelines)
    assert gaps["customer_id"].nunique() >= 5  # loyal customers who paused and came back
    assert (gaps["gap_days"] >= sample.LONG_GAP_DAYS).all()
    assert gaps["customer_id"].isin(ids).all()


def test_role_model_charts_render_japanese(gap_orders, edge_shop):
    import warnings

    import matplotlib.pyplot as plt

    from helpers.plotting import use_style
    from helpers.plotting.role_models import plot_purchase_timelines, plot_role_model_funnel

    use_style()
    customers, orders, nps = edge_shop
    funnel = role_models.role_model_funnel(role_models.role_model_candidates(customers, orders, nps, AS_OF))
    criteria = role_models.RoleModelCriteria()
    timelines = role_models.purchase_timelines(gap_orders, ["R1", "R2"], AS_OF)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ax_funnel = plot_role_model_funnel(role_model_tables.funnel_with_criteria(funnel, criteria))
        ax_timeline = plot_purchase_timelines(timelines, key=b"k" * 32)
        ax_english = plot_role_model_funnel(
            role_model_tables.funnel_with_criteria(funnel, criteria, "en"),
            lang="en",
        )
        for ax in (ax_funnel, ax_timeline, ax_english):
            ax.figure.canvas.draw()
    assert [t.get_text() for t in ax_funnel.get_yticklabels()][0] == "全顧客"
    texts = [t.get_text() for t in ax_timeline.texts]
    assert "空白 210日" in texts and "空白 180日" in texts
    assert "初回購入 → +3日 → +21日 → +65日 → …" in texts
    assert all(t.get_text().startswith("P-") for t in ax_timeline.get_yticklabels())
    plt.close("all")
