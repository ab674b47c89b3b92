"""Emotion curves: the rating mapping, extremes, t intervals and Welch gaps on hand-computed cases."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from helpers import emotion
from helpers.plotting import emotion as plot_emotion
from helpers.plotting import use_style


@pytest.fixture
def journey():
    rows = [
        # persona, scenario, step, stage, touchpoint, emotion, expectation, evaluation
        ("A", "as_is", 1, "認知", "広告", 2, 3, 3),
        ("A", "as_is", 2, "購入", "注文", 3, 4, 5),
        ("A", "as_is", 3, "受け取り・初回使用", "開封", -3, 4, 2),
        ("A", "as_is", 4, "継続・リピート", "LINE", 3, None, 4),
        ("A", "as_is", 5, "推奨・ファン化", "紹介", -3, 3, 3),
        ("A", "to_be", 1, "認知", "広告", 1, None, None),
    ]
    frame = pd.DataFrame(rows, columns=["persona", "scenario", "step", "stage", "touchpoint", "emotion",
                                        "expectation", "evaluation"])
    return frame.astype({"step": "Int64", "emotion": "Int64", "expectation": "Int64", "evaluation": "Int64",
                         "persona": "string", "scenario": "string", "stage": "string", "touchpoint": "string"})


def test_rating_to_emotion_is_linear_one_to_five_onto_minus_five_to_five():
    assert emotion.rating_to_emotion(1) == -5.0
    assert emotion.rating_to_emotion(3) == 0.0
    assert emotion.rating_to_emotion(5) == 5.0
    assert emotion.rating_to_emotion(4) == 2.5  # (4 - 3) * 2.5
    assert emotion.rating_to_emotion(np.array([2.0, 3.5])).tolist() == [-2.5, 1.25]
    assert emotion.rating_to_emotion(7, low=1, high=7) == 5.0
    with pytest.raises(ValueError):
        emotion.rating_to_emotion(3, low=5, high=1)


def test_curve_extremes_take_the_earliest_step_on_ties(journey):
    extremes = emotion.curve_extremes(emotion.emotion_curves(journey)).set_index(["scenario", "extreme"])
    # as-is: highest 3 at steps 2 and 4 -> step 2; lowest -3 at steps 3 and 5 -> step 3
    assert extremes.loc[("as_is", "max"), ["step", "touchpoint", "emotion"]].tolist() == [2, "注文", 3.0]
    assert extremes.loc[("as_is", "min"), ["step", "touchpoint", "emotion"]].tolist() == [3, "開封", -3.0]
    # a one-step curve is its own highest and lowest point
    assert extremes.loc[("to_be", "max"), "step"] == extremes.loc[("to_be", "min"), "step"] == 1


def test_rating_curve_mean_and_t_interval_hand_computed(journey):
    ratings = pd.DataFrame(
        {
            "customer_id": ["c1", "c2", "c3", "c4", "c5", "c5", "c6"],
            "touchpoint": ["開封"] * 6 + ["広告"],
            "rating": [1, 2, 3, 4, 1, 5, 4],
            # c5 answered twice: the later answer (5) counts
            "response_date": pd.to_datetime(["2025-01-01"] * 4 + ["2025-01-01", "2025-02-01", "2025-01-01"]),
        }
    )
    curve = emotion.rating_curve(ratings, journey).set_index("touchpoint")
    assert list(curve.index) == ["広告", "開封"]  # journey order, not data order
    row = curve.loc["開封"]
    # ratings 1..5: mean 3, sd sqrt(2.5); t(0.975, 4) = 2.776445 (table value)
    half = 2.776445 * math.sqrt(2.5) / math.sqrt(5)
    assert row["n"] == 5 and row["mean_rating"] == pytest.approx(3.0)
    assert row["sd_rating"] == pytest.approx(math.sqrt(2.5))
    assert row["rating_low"] == pytest.approx(3 - half, abs=1e-5)
    assert row["emotion"] == pytest.approx(0.0)
    assert row["emotion_high"] == pytest.approx(half * 2.5, abs=1e-5)
    assert row["sd_emotion"] == pytest.approx(math.sqrt(2.5) * 2.5)
    single = curve.loc["広告"]
    assert single["n"] == 1 and single["emotion"] == pytest.approx(2.5) and np.isnan(single["emotion_low"])


def test_segment_gap_matches_welch_t_test_on_the_raw_ratings():
    high = [5, 4, 4, 5, 3, 5, 4]
    low = [2, 3, 1, 4, 2, 3, 2, 1, 3]
    ratings = pd.DataFrame(
        {
            "customer_id": [f"h{i}" for i in range(len(high))] + [f"l{i}" for i in range(len(low))],
            "touchpoint": "開封",
            "rating": high + low,
        }
    )
    segments = pd.Series(
        pd.Categorical(["high"] * len(high) + ["low"] * len(low), categories=["high", "mid", "low", "no_answer"],
                       ordered=True),
        index=ratings["customer_id"],
    )
    curve = emotion.rating_curve(ratings, segments=segments)
    gaps = emotion.segment_gap(curve, "high", "low")
    row = gaps.iloc[0]
    # independent: scipy's Welch test on the emotion-scale values
    e_high, e_low = (np.array(high) - 3) * 2.5, (np.array(low) - 3) * 2.5
    welch = stats.ttest_ind(e_high, e_low, equal_var=False)
    assert row["gap"] == pytest.approx(e_high.mean() - e_low.mean())
    assert row["p_value"] == pytest.approx(welch.pvalue)
    ci = welch.confidence_interval(0.95)
    assert (row["gap_low"], row["gap_high"]) == (pytest.approx(ci.low), pytest.approx(ci.high))
    assert (row["n_a"], row["n_b"]) == (7, 9)
    assert emotion.largest_gap(gaps)["touchpoint"] == "開封"
    assert emotion.largest_gap(gaps.iloc[0:0]) is None


def test_expectation_evaluation_outcomes(journey):
    table = emotion.expectation_evaluation(journey)
    # step 4 lacks an expectation: left out
    assert table["step"].tolist() == [1, 2, 3, 5]
    assert table["gap"].tolist() == [0, 1, -2, 0]
    assert table["outcome"].tolist() == ["satisfied", "delighted", "dissatisfied", "satisfied"]
    no_columns = journey.drop(columns=["expectation", "evaluation"])
    assert emotion.expectation_evaluation(no_columns).empty


def test_emotion_curve_chart_marks_extremes_in_japanese(journey, missing_glyphs):
    use_style()
    ax = plot_emotion.plot_emotion_curve(emotion.emotion_curves(journey), "A")
    texts = [t.get_text() for t in ax.texts]
    assert "最低 -3" in texts and "最高 +3" in texts  # as-is extremes
    assert "認知" in texts  # stage band label
    assert ax.get_title() == "感情曲線: A"
    assert missing_glyphs(ax.figure) == []
    plt.close("all")
