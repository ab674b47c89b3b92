"""The LTV notebook runs headless with papermill, with default and changed parameters."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers import io, ltv, privacy
from helpers.segments import customer_segments

pytest.importorskip("papermill")

AS_OF = "2025-12-31"


@pytest.fixture(scope="module")
def sample_tables(sample_dir):
    return io.load_data(sample_dir, as_of=AS_OF, tables=["customers", "orders", "nps"])


@pytest.mark.notebook
def test_defaults_from_repo_root(tmp_path, sample_tables, sample_dir, project_root, run_notebook, outputs_of):
    out_dir = tmp_path / "out"
    notebook = run_notebook("06_ltv", tmp_path, project_root, output_dir=str(out_dir))
    text, bad, images = outputs_of(notebook)
    assert bad == []
    # retention curves, LTV by segment, waterfall, holdout check, P(alive); 4 journey maps (2 personas x 2 scenarios)
    assert images == 5 + 4
    for n in (1, 2):
        for scenario in ("as_is", "to_be"):
            assert (out_dir / f"journey_map_{n}_{scenario}.png").exists()
            assert (out_dir / f"journey_map_{n}_{scenario}.svg").exists()

    segments = customer_segments(sample_tables.customers, sample_tables.nps, AS_OF)
    classic = ltv.classic_ltv(sample_tables.orders, AS_OF, segments)
    lifetimes = ltv.customer_lifetimes(sample_tables.orders, AS_OF)
    lifetime = ltv.lifetime_ltv(lifetimes, segments)
    assert f"1年LTVは**{classic.loc['all', 'ltv_1y']:,.0f}円**" in text
    assert f"LTVは**{lifetime.loc['all', 'ltv']:,.0f}円**" in text
    assert "開封・初回使用" in text  # the planted friction point is confirmed and fixed
    assert "ロイヤリティ高" in text

    exported = pd.read_csv(out_dir / "ltv_churn_warning.csv", encoding="utf-8-sig")
    assert len(exported) > 0
    ids = exported.iloc[:, 0].astype(str)
    pseudonyms = privacy.pseudonymize(sample_tables.customers["customer_id"], privacy.data_key(sample_dir))
    assert ids.isin(pseudonyms).all()  # pseudonymous by default, under the data folder's key
    assert f"**{len(exported):,.0f}人**が離脱予兆" in text

    # every yen figure of the scenarios has its interval, exported with the estimate
    scenarios = pd.read_csv(out_dir / "ltv_scenarios.csv", encoding="utf-8-sig").set_index("scenario")
    required = ["ltv_gain", "ltv_gain_low", "ltv_gain_high", "roi", "roi_low", "roi_high",
                "ltv_before", "ltv_before_low", "ltv_before_high", "ltv_after", "ltv_after_low", "ltv_after_high"]
    assert set(required) <= set(scenarios.columns)
    ratings = io.load_data(project_root / "data" / "sample", as_of=AS_OF, tables=["customers", "touchpoint_ratings"])
    fixed = ltv.friction_scenarios(lifetimes, ratings.touchpoint_ratings, ["開封・初回使用"], as_of=AS_OF)
    assert scenarios.loc["combined", "ltv_gain"] == pytest.approx(fixed.scenarios.loc["combined", "ltv_delta"])
    for column in ("ltv_before", "ltv_after"):
        assert scenarios.loc["combined", column] == pytest.approx(fixed.scenarios.loc["combined", column])
    for name in ("ltv_gain", "value_gained", "benefit", "roi", "ltv_before", "ltv_after"):
        assert (scenarios[f"{name}_low"] <= scenarios[name]).all() and (
            scenarios[name] <= scenarios[f"{name}_high"]
        ).all()
    assert "予測CLV 95%区間" in text
    # the scenario table shows the intervals of the LTV before and after, under their own headers
    low, high = scenarios.loc["combined", ["ltv_after_low", "ltv_after_high"]]
    assert "LTV 改善後 95%区間" in text and f"{low:,.0f}円 〜 {high:,.0f}円" in text


@pytest.mark.notebook
def test_changed_parameters_from_notebooks_dir(tmp_path, sample_tables, project_root, run_notebook, outputs_of):
    out_dir = tmp_path / "export"
    notebook = run_notebook(
        "06_ltv",
        tmp_path,
        project_root / "notebooks",
        lang="en",
        show_customer_ids=True,
        output_dir=str(out_dir),
        lapse_days=180,
        lifetime_tail="cap",
        discount_rate=0.05,
        gross_margin=0.6,
        friction_touchpoints=["開封・初回使用", "配送"],
        fix_share=1.0,
        clv_freq="D",
        holdout_days=120,
        top_n=5,
    )
    text, bad, _ = outputs_of(notebook)
    assert bad == []
    lifetimes = ltv.customer_lifetimes(sample_tables.orders, AS_OF, lapse_days=180)
    segments = customer_segments(sample_tables.customers, sample_tables.nps, AS_OF)
    lifetime = ltv.lifetime_ltv(lifetimes, segments, margin=0.6, discount_rate=0.05, tail="cap")
    assert f"the LTV is **{lifetime.loc['all', 'ltv']:,.0f} JPY**" in text
    assert "Touchpoints fixed: 開封・初回使用, 配送" in text
    assert "All fixed" in text and "Lifetime (before→after)" in text
    exported = pd.read_csv(out_dir / "ltv_churn_warning.csv", encoding="utf-8-sig")
    assert exported.iloc[:, 0].astype(str).str.fullmatch(r"C\d+").all()  # real ids when asked
