"""The synthetic sample generator: contract, determinism and the planted effects.

Each planted effect is measured here with plain pandas, independently of the
generator's internals, on the default 2,000-customer sample that
``data/sample`` holds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from helpers import io, labels, schemas
from helpers import sample as sm

AS_OF = pd.Timestamp(sm.AS_OF)


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return sm.generate_sample()


@pytest.fixture(scope="module")
def order_counts(tables) -> pd.Series:
    """Orders per customer, 0 for none, indexed by customer id."""
    counts = tables["orders"].groupby("customer_id").size()
    return counts.reindex(tables["customers"]["customer_id"], fill_value=0)


# ---------------------------------------------------------------------------
# Determinism and output files
# ---------------------------------------------------------------------------
def test_same_seed_gives_identical_frames():
    first, second = sm.generate_sample(300, seed=7), sm.generate_sample(300, seed=7)
    assert list(first) == list(sm.TABLES)
    for name in sm.TABLES:
        pd.testing.assert_frame_equal(first[name], second[name])


def test_different_seed_gives_different_data():
    first, second = sm.generate_sample(300, seed=7), sm.generate_sample(300, seed=8)
    assert not first["orders"].equals(second["orders"])
    assert not first["customers"].equals(second["customers"])
    # the worksheet is written by hand and does not depend on the seed
    pd.testing.assert_frame_equal(first["journey"], second["journey"])


def test_write_sample_is_byte_identical_and_plain(tmp_path):
    first = sm.write_sample(tmp_path / "a", n_customers=300, seed=3)
    second = sm.write_sample(tmp_path / "b", n_customers=300, seed=3)
    assert sorted(first) == sorted(sm.TABLES)
    for name in sm.TABLES:
        assert first[name].name == f"{name}.csv"
        assert first[name].read_bytes() == second[name].read_bytes()
    orders = first["orders"].read_text(encoding="utf-8").splitlines()
    assert orders[0] == "order_id,customer_id,order_date,amount,product,channel,is_subscription"
    # ISO date and a whole-yen amount, e.g. O0000001,C000001,2023-01-01,1980,...
    assert all(
        pd.Series(orders[1:]).str.match(r"^O\d{7},C\d{6},\d{4}-\d{2}-\d{2},\d+,[^,]+,[^,]+,(True|False)$")
    )


def test_written_files_load_back_unchanged(tmp_path):
    sm.write_sample(tmp_path, n_customers=300, seed=5)
    report = io.validate_data_dir(tmp_path, as_of=sm.AS_OF)
    assert report.ok, report.format("en")
    loaded = io.load_data(tmp_path, as_of=sm.AS_OF)
    for name, frame in sm.generate_sample(300, seed=5).items():
        pd.testing.assert_frame_equal(loaded.require(name).reset_index(drop=True), frame, check_names=False)


def test_rejects_bad_customer_count():
    with pytest.raises(ValueError):
        sm.generate_sample(0)
    with pytest.raises(ValueError):
        sm.generate_sample(2.5)


# ---------------------------------------------------------------------------
# Contract
# ---------------------------------------------------------------------------
def test_contract_columns_and_dtypes(tables):
    for name, frame in tables.items():
        spec = schemas.TABLES[name]
        assert set(spec.required) <= set(frame.columns), name
        assert set(frame.columns) <= set(spec.columns), name
        for column in frame.columns:
            assert str(frame[column].dtype) == schemas.dtype_of(spec.columns[column].kind), (name, column)
        for column in spec.required:
            assert frame[column].notna().all(), (name, column)


def test_ids_and_ranges(tables):
    customers, orders = tables["customers"], tables["orders"]
    assert len(customers) == sm.DEFAULT_CUSTOMERS
    assert customers["customer_id"].is_unique and orders["order_id"].is_unique
    assert customers["customer_id"].str.fullmatch(r"C\d{6}").all()
    assert orders["order_id"].str.fullmatch(r"O\d{7}").all()
    assert orders["customer_id"].isin(customers["customer_id"]).all()
    assert orders["amount"].between(1980, 12_000).all()
    assert (orders["amount"] % 1 == 0).all()
    assert tables["nps"]["score"].between(0, 10).all()
    assert tables["fan_survey"]["fan_stage"].between(0, 5).all()
    assert tables["fan_survey"]["liking"].between(1, 7).all()
    assert tables["touchpoint_ratings"]["rating"].between(1, 5).all()
    journey = tables["journey"]
    assert journey["emotion"].between(-5, 5).all()
    assert journey["expectation"].between(1, 5).all() and journey["evaluation"].between(1, 5).all()


def test_history_spans_three_years_and_nothing_after_as_of(tables):
    dated = {
        "orders": "order_date",
        "nps": "response_date",
        "fan_survey": "response_date",
        "touchpoint_ratings": "response_date",
    }
    for name, column in dated.items():
        dates = tables[name][column]
        assert dates.max() <= AS_OF, name
        assert dates.min() >= pd.Timestamp(sm.HISTORY_START), name
    assert tables["customers"]["birth_date"].max() < AS_OF
    orders = tables["orders"]["order_date"]
    assert orders.min() <= pd.Timestamp(sm.HISTORY_START) + pd.Timedelta(days=14)
    assert orders.max() >= AS_OF - pd.Timedelta(days=7)


def test_as_of_moves_the_whole_history():
    orders = sm.generate_sample(300, seed=1, as_of="2024-06-30")["orders"]["order_date"]
    assert orders.max() <= pd.Timestamp("2024-06-30")
    assert orders.min() >= pd.Timestamp("2021-07-01")


# ---------------------------------------------------------------------------
# Planted effects
# ---------------------------------------------------------------------------
def test_repeat_buying_is_heterogeneous(tables, order_counts):
    orders = tables["orders"]
    repeat_share = (order_counts >= 2).mean()
    assert 0.35 <= repeat_share <= 0.6
    assert order_counts.max() >= 20
    assert order_counts.std() / order_counts.mean() > 1  # over-dispersed, not Poisson-like
    spend = orders.groupby("customer_id")["amount"].mean()
    assert spend.quantile(0.9) - spend.quantile(0.1) >= 3000
    assert set(orders["product"]) <= set(sm.PRODUCTS) | set(sm.SUBSCRIPTION_PLANS)
    assert set(orders["channel"]) == set(sm.ORDER_CHANNELS)


def _second_order_rate_by_low_rating(tables, order_counts) -> pd.DataFrame:
    """F2 conversion of low (1-2) and other raters, per touchpoint."""
    ratings = tables["touchpoint_ratings"]
    converted = (order_counts >= 2).reindex(ratings["customer_id"]).to_numpy()
    frame = ratings.assign(low=ratings["rating"] <= sm.FRICTION_LOW_RATING_MAX, converted=converted)
    return frame.groupby(["touchpoint", "low"])["converted"].agg(["mean", "size"]).unstack("low")


def test_friction_touchpoint_low_ratings_halve_second_purchase(tables, order_counts):
    rates = _second_order_rate_by_low_rating(tables, order_counts)
    low, others = rates.loc[sm.FRICTION_TOUCHPOINT, ("mean", True)], rates.loc[sm.FRICTION_TOUCHPOINT, ("mean", False)]
    assert low <= 0.32
    assert others >= 0.45
    assert others - low >= 0.2


def test_other_touchpoints_are_unrelated_to_second_purchase(tables, order_counts):
    rates = _second_order_rate_by_low_rating(tables, order_counts)
    mean, size = rates["mean"], rates["size"]
    pooled = (mean[True] * size[True] + mean[False] * size[False]) / (size[True] + size[False])
    se = np.sqrt(pooled * (1 - pooled) * (1 / size[True] + 1 / size[False]))
    z = (mean[False] - mean[True]) / se
    assert z[sm.FRICTION_TOUCHPOINT] > 6
    # pure sampling noise elsewhere: with 8 touchpoints, |z| >= 2.6 somewhere
    # happens for about 1 seed in 10, not for the default one
    assert z.drop(sm.FRICTION_TOUCHPOINT).abs().max() < 2.6


def test_touchpoint_ratings_shape(tables):
    ratings = tables["touchpoint_ratings"]
    assert not ratings.duplicated(["customer_id", "touchpoint"]).any()
    assert set(ratings["touchpoint"]) == set(sm.TOUCHPOINTS)
    assert ratings["touchpoint"].value_counts().min() >= 100
    share_answering = ratings["customer_id"].nunique() / sm.DEFAULT_CUSTOMERS
    assert 0.3 <= share_answering <= 0.7


def test_subscription_stops_spike_after_third_shipment(tables):
    orders = tables["orders"]
    shipments = orders[orders["is_subscription"]].sort_values(["customer_id", "order_date"])
    number = shipments.groupby("customer_id").cumcount() + 1
    last = number.groupby(shipments["customer_id"]).transform("max")
    # only shipments old enough for the next one to have come by as_of
    observed = shipments["order_date"] <= AS_OF - pd.Timedelta(days=40)
    stopped = (number == last)[observed]
    hazard = stopped.groupby(number[observed].clip(upper=4)).mean()
    spike = hazard[sm.SUBSCRIPTION_STOP_SPIKE_SHIPMENT]
    assert spike >= 0.35
    assert spike >= 3 * hazard[2]
    assert spike >= 3 * hazard[4]  # 4th and later shipments pooled
    gaps = shipments.groupby("customer_id")["order_date"].diff().dt.days.dropna()
    assert gaps.between(28, 32).all()
    assert orders.groupby("customer_id")["is_subscription"].nunique().max() == 1


def _latest_nps(tables) -> pd.Series:
    return tables["nps"].sort_values("response_date").groupby("customer_id")["score"].last()


def test_nps_rises_with_repeat_purchase(tables, order_counts):
    nps = tables["nps"]
    answered = nps["customer_id"].nunique()
    assert 0.2 * sm.DEFAULT_CUSTOMERS <= answered <= 0.6 * sm.DEFAULT_CUSTOMERS
    assert nps.groupby("customer_id").size().max() >= 2
    latest = _latest_nps(tables).astype(float)
    counts = order_counts.reindex(latest.index)
    assert stats.spearmanr(counts, latest).statistic >= 0.5
    by_band = latest.groupby(pd.cut(counts, [0, 1, 3, 8, np.inf])).mean()
    assert by_band.is_monotonic_increasing
    assert by_band.iloc[-1] - by_band.iloc[0] >= 3


def test_fan_survey_follows_nps(tables):
    both = tables["fan_survey"].merge(tables["nps"], on=["customer_id", "response_date"])
    assert len(both) == len(tables["fan_survey"])  # asked alongside an NPS answer
    score = both["score"].astype(float)
    assert stats.spearmanr(score, both["fan_stage"].astype(float)).statistic >= 0.6
    assert stats.spearmanr(score, both["liking"].astype(float)).statistic >= 0.6
    assert set(both["fan_stage"]) == set(labels.FAN_STAGES)


def test_loyal_role_models_some_with_a_long_gap(tables, order_counts):
    orders = tables["orders"].sort_values(["customer_id", "order_date"])
    first = orders.groupby("customer_id")["order_date"].min()
    in_first_year = orders["order_date"] < orders["customer_id"].map(first) + pd.Timedelta(days=365)
    ltv_1y = orders[in_first_year].groupby("customer_id")["amount"].sum()
    longest_gap = orders.groupby("customer_id")["order_date"].diff().dt.days.groupby(orders["customer_id"]).max()
    customers = tables["customers"].set_index("customer_id")
    latest = _latest_nps(tables)
    role_model = (
        (latest >= sm.ROLE_MODEL_MIN_NPS)
        & (order_counts.reindex(latest.index) >= sm.ROLE_MODEL_MIN_ORDERS)
        & (first.reindex(latest.index) <= AS_OF - pd.Timedelta(days=sm.ROLE_MODEL_MIN_TENURE_DAYS))
        & (ltv_1y.reindex(latest.index, fill_value=0) >= sm.ROLE_MODEL_MIN_LTV_1Y)
        & customers["birth_date"].reindex(latest.index).notna()
    )
    with_gap = role_model & (longest_gap.reindex(latest.index) >= sm.LONG_GAP_DAYS)
    assert role_model.sum() >= 20
    assert with_gap.sum() >= 10


# ---------------------------------------------------------------------------
# Personal data
# ---------------------------------------------------------------------------
def test_personal_data_present_with_some_missing(tables):
    customers = tables["customers"]
    for column in ("name", "email", "phone", "birth_date"):
        assert 0.05 <= customers[column].isna().mean() <= 0.15, column
    email = customers["email"].dropna()
    assert email.str.fullmatch(r"[a-z]+\.[a-z]+\d+@example\.(jp|com)").all()
    assert customers["phone"].dropna().str.fullmatch(r"0[789]0-\d{4}-\d{4}").all()
    assert customers["name"].dropna().str.contains("\u3000").all()
    age = (AS_OF - customers["birth_date"].dropna()).dt.days / 365.25
    assert age.between(20, 90).all()
    for column in ("gender", "prefecture", "acquisition_channel"):
        assert customers[column].notna().all(), column
    assert customers["prefecture"].nunique() >= 40


# ---------------------------------------------------------------------------
# Journey worksheet
# ---------------------------------------------------------------------------
def test_journey_personas_scenarios_and_stages(tables):
    journey = tables["journey"]
    assert set(journey["persona"]) == set(sm.PERSONAS)
    stage_order = {stage: i for i, stage in enumerate(labels.JOURNEY_STAGES)}
    for (persona, scenario), steps in journey.groupby(["persona", "scenario"]):
        assert 8 <= len(steps) <= 10, (persona, scenario)
        assert steps["step"].tolist() == list(range(1, len(steps) + 1))
        order = steps["stage"].map(stage_order)
        assert order.notna().all() and order.is_monotonic_increasing
        assert set(steps["stage"]) == set(labels.JOURNEY_STAGES)
    assert journey.groupby("persona")["scenario"].nunique().eq(2).all()
    assert set(journey["channel"]) <= set(labels.CHANNELS)
    touchpoints = set(journey["touchpoint"])
    assert touchpoints - set(sm.TOUCHPOINTS) == set(sm.WORKSHEET_ONLY_TOUCHPOINTS)
    assert len(touchpoints & set(sm.TOUCHPOINTS)) >= 7


def test_journey_as_is_dips_at_the_friction_touchpoint(tables):
    journey = tables["journey"]
    for persona in sm.PERSONAS:
        as_is = journey[(journey["persona"] == persona) & (journey["scenario"] == "as_is")].reset_index(drop=True)
        to_be = journey[(journey["persona"] == persona) & (journey["scenario"] == "to_be")].reset_index(drop=True)
        at = as_is.index[as_is["touchpoint"] == sm.FRICTION_TOUCHPOINT][0]
        emotion = as_is["emotion"]
        assert emotion[at] <= 0
        assert (emotion.drop(at) > emotion[at]).all()  # the single lowest point
        assert emotion[at - 1] - emotion[at] >= 2
        assert as_is.loc[at, "evaluation"] < as_is.loc[at, "expectation"]
        assert isinstance(as_is.loc[at, "improvement"], str) and as_is.loc[at, "improvement"]
        assert to_be.loc[to_be["touchpoint"] == sm.FRICTION_TOUCHPOINT, "emotion"].iloc[0] > emotion[at]
        # every as-is dip below zero carries an improvement idea
        assert as_is.loc[emotion < 0, "improvement"].notna().all()
