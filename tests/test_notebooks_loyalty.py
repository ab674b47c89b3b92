"""The loyalty, role-model and monthly-tracking notebooks run headless with papermill.

Each runs once with its defaults from the repository root and once with
changed parameters from ``notebooks/``; the tests look for the figures the
helpers compute in the executed notebook's narrative and exports.
"""

from __future__ import annotations

import pandas as pd
import pytest

from helpers import io, privacy, tracking
from helpers import role_models as journey
from helpers.labels import label
from helpers.nps import compare_nps, latest_responses, nps_by_group, nps_table
from helpers.purchases import customer_purchases
from helpers.segments import customer_groups, customer_segments, value_by_group

pytest.importorskip("papermill")

AS_OF = "2025-12-31"


@pytest.fixture(scope="module")
def sample(sample_dir):
    return io.load_data(sample_dir, as_of=AS_OF, tables=["customers", "orders", "nps", "fan_survey"])


@pytest.mark.notebook
def test_loyalty_defaults_from_repo_root(tmp_path, sample, sample_dir, project_root, run_notebook, outputs_of):
    out_dir = tmp_path / "out"
    text, bad, images = outputs_of(run_notebook("01_loyalty", tmp_path, project_root, output_dir=str(out_dir)))
    assert bad == []
    assert images == 8  # breakdown, trend, groups, segment values, 3 fan heatmaps, expectation

    overall = nps_table(latest_responses(sample.nps, AS_OF)).iloc[0]
    assert f"**{overall.n:,.0f}件**" in text and f"**NPSは{overall.nps:+.1f}**" in text
    assert f"{overall.nps_low:+.1f}〜{overall.nps_high:+.1f}、調整Wald法" in text
    segments = customer_segments(sample.customers, sample.nps, AS_OF)
    value = value_by_group(segments, customer_purchases(sample.orders, AS_OF))
    assert f"1年LTVは**{value.loc['high', 'ltv_1y']:,.0f}円**" in text
    assert "専任担当者" in text and "複数スタッフ" in text and "カイ二乗検定" in text
    assert "コアファン" in text and "開封・初回使用" in text

    exported = pd.read_csv(out_dir / "loyalty_segments.csv", encoding="utf-8-sig")
    assert len(exported) == len(sample.customers)
    key = privacy.data_key(sample_dir)  # the data folder's key, made by the notebook's run
    assert set(exported["顧客ID"]) == set(privacy.pseudonymize(sample.customers["customer_id"], key))
    assert exported["セグメント"].value_counts()["ロイヤリティ高"] == value.loc["high", "customers"]
    assert not {"氏名", "メールアドレス", "電話番号", "生年月日"} & set(exported.columns)


@pytest.mark.notebook
def test_loyalty_changed_parameters_from_notebooks_dir(tmp_path, sample, project_root, run_notebook, outputs_of):
    out_dir = tmp_path / "export"
    notebook = run_notebook(
        "01_loyalty", tmp_path, project_root / "notebooks", output_dir=str(out_dir), lang="en",
        nps_compare_by="subscription", interval_method="wald", trend_freq="Q", latest_only=False,
        show_customer_ids=True, core_fan_min_stage=3,
    )
    text, bad, _ = outputs_of(notebook)
    assert bad == []
    every = nps_table(latest_responses(sample.nps, AS_OF, latest_only=False), method="wald")
    assert f"**NPS {every.iloc[0].nps:+.1f}**" in text and ", Wald)" in text
    groups = customer_groups(sample.customers, "subscription", orders=sample.orders, as_of=AS_OF)
    test = compare_nps(
        nps_by_group(latest_responses(sample.nps, AS_OF, latest_only=False), groups, method="wald"),
        min_n=30,
    )
    assert test.method == "z" and f"z = {test.statistic:.2f}" in text
    assert "Dedicated person" not in text and "A dedicated person" in text  # playbook in English
    exported = pd.read_csv(out_dir / "loyalty_segments.csv", encoding="utf-8-sig")
    assert set(exported["Customer ID"]) == set(sample.customers["customer_id"])  # real ids when asked


@pytest.mark.notebook
def test_role_models_defaults_from_repo_root(tmp_path, sample, project_root, run_notebook, outputs_of):
    out_dir = tmp_path / "out"
    text, bad, images = outputs_of(run_notebook("02_role_models", tmp_path, project_root, output_dir=str(out_dir)))
    assert bad == []
    assert images == 2  # funnel, timelines

    candidates = journey.role_model_candidates(sample.customers, sample.orders, sample.nps, AS_OF)
    ids = journey.role_model_ids(candidates)
    gaps = journey.purchase_gaps(journey.purchase_timelines(sample.orders, ids, AS_OF))
    assert f"ロールモデルは**{len(ids):,.0f}人**" in text
    assert f"**{gaps['customer_id'].nunique():,.0f}人**" in text and gaps["customer_id"].nunique() > 0
    assert f"長い空白は{len(gaps):,.0f}件" in text
    first = gaps.iloc[0]
    question = (
        f"{first.before_date.year}年{first.before_date.month}月〜{first.after_date.year}年{first.after_date.month}月"
        "の間、ご購入がなかった理由は？"
    )
    assert question in text
    people = sample.customers.set_index("customer_id").loc[ids]
    for birth_date in people["birth_date"].dropna().dt.strftime("%Y-%m-%d"):
        assert birth_date not in text  # personal data never reaches the report
    for name in people["name"].dropna():
        assert name not in text

    invite = pd.read_csv(out_dir / "role_model_interviews.csv", encoding="utf-8-sig")
    assert len(invite) == len(ids)
    assert invite["顧客ID"].str.startswith("P-").all() and invite["年代"].str.endswith("代").all()
    assert not {"生年月日", "birth_date", "氏名"} & set(invite.columns)
    kit = pd.read_csv(out_dir / "role_model_questions.csv", encoding="utf-8-sig")
    assert len(kit) == 3 * len(ids) + 2 * len(gaps)


@pytest.mark.notebook
def test_role_models_changed_parameters_from_notebooks_dir(tmp_path, sample, project_root, run_notebook, outputs_of):
    out_dir = tmp_path / "export"
    notebook = run_notebook(
        "02_role_models", tmp_path, project_root / "notebooks", output_dir=str(out_dir), lang="en",
        role_model_min_ltv_1y=30000, long_gap_days=120, max_timelines=5, show_customer_ids=True,
    )
    text, bad, _ = outputs_of(notebook)
    assert bad == []
    criteria = journey.RoleModelCriteria(min_ltv_1y=30000)
    ids = journey.role_model_ids(
        journey.role_model_candidates(sample.customers, sample.orders, sample.nps, AS_OF, criteria)
    )
    gaps = journey.purchase_gaps(journey.purchase_timelines(sample.orders, ids, AS_OF, long_gap_days=120))
    assert f"**{len(ids):,.0f}** meet every criterion" in text
    assert f"There are {len(gaps):,.0f} long gaps" in text
    invite = pd.read_csv(out_dir / "role_model_interviews.csv", encoding="utf-8-sig")
    assert set(invite["Customer ID"]) == set(ids)


@pytest.mark.notebook
def test_tracking_defaults_from_repo_root(tmp_path, sample, project_root, run_notebook, outputs_of):
    out_dir = tmp_path / "out"
    text, bad, images = outputs_of(run_notebook("07_monthly_tracking", tmp_path, project_root, output_dir=str(out_dir)))
    assert bad == []
    assert images == 1

    groups = customer_groups(sample.customers, "segment", nps=sample.nps, as_of=AS_OF)
    streaks = tracking.improvement_streaks(tracking.monthly_metric(sample.orders, groups, "revenue", AS_OF))
    summary = tracking.streak_summary(tracking.recent_months(streaks, 12))
    improved = streaks[(streaks["month"] == streaks["month"].max()) & streaks["improved"]]
    assert f"{len(groups.cat.categories)}グループのうち{len(improved)}グループで前月より改善" in text
    if summary["reached_cool"].any():
        assert "4か月連続の改善（1クール）に達したのは" in text
    else:
        best = summary["longest_streak"].idxmax()
        named = label(best, "ja", "groupings")  # the notebook names the segment codes
        assert f"最も長く続いたのは{named}の{summary.loc[best, 'longest_streak']}か月" in text
    exported = pd.read_csv(out_dir / "monthly_tracking_revenue.csv", encoding="utf-8-sig")
    assert len(exported) == len(streaks)


@pytest.mark.notebook
def test_tracking_changed_parameters_from_notebooks_dir(tmp_path, sample, project_root, run_notebook, outputs_of):
    out_dir = tmp_path / "export"
    notebook = run_notebook(
        "07_monthly_tracking", tmp_path, project_root / "notebooks", output_dir=str(out_dir), lang="en",
        tracking_group_by="acquisition_channel", tracking_metric="active_customers", cool_months=3,
        tracking_months=24,
    )
    text, bad, _ = outputs_of(notebook)
    assert bad == []
    groups = customer_groups(sample.customers, "acquisition_channel", as_of=AS_OF)
    streaks = tracking.improvement_streaks(
        tracking.monthly_metric(sample.orders, groups, "active_customers", AS_OF), run_length=3
    )
    summary = tracking.streak_summary(tracking.recent_months(streaks, 24), run_length=3)
    for group, row in summary[summary["reached_cool"]].iterrows():
        assert f"{group} ({row.cools}, last in {row.last_cool_month})" in text
    assert (out_dir / "monthly_tracking_active_customers.csv").exists()
