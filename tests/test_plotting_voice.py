"""Voice-of-customer plots: the quadrant chart names the touchpoints that matter; the sentiment curve
draws one point per touchpoint on the -5..+5 scale; Japanese renders."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from helpers.key_drivers import KeyDrivers
from helpers.plotting import plot_key_driver_quadrants, plot_sentiment_curve, use_style


def _drivers() -> KeyDrivers:
    table = pd.DataFrame(
        {
            "touchpoint": ["開封・初回使用", "配送", "注文フォーム"],
            "n": [900, 910, 880],
            "importance": [0.8, 0.15, 0.05],
            "ci_low": [0.6, 0.05, 0.0],
            "ci_high": [0.9, 0.3, 0.2],
            "mean_rating": [3.3, 3.9, 3.6],
            "r2_part": [0.03, 0.006, 0.002],
        }
    )
    return KeyDrivers("f2", table, 957, 0.1, 0.038, 0.02, 0.06, 100, 0.95)


def test_quadrant_chart_names_touchpoints_above_the_average_share(missing_glyphs):
    use_style()
    ax = plot_key_driver_quadrants(_drivers(), title="F2")
    names = {t.get_text() for t in ax.texts}
    assert {"開封・初回使用", "優先して改善", "強みを維持"} <= names
    assert "注文フォーム" not in names  # below 1/3: in the table, not on the chart
    assert ax.get_title() == "F2"
    assert missing_glyphs(ax.figure) == []
    plt.close(ax.figure)


def test_sentiment_curve_scales_to_the_emotion_axis(missing_glyphs):
    use_style()
    sentiment = pd.DataFrame(
        {
            "touchpoint": ["配送", "開封・初回使用"],
            "n": [10, 12],
            "sentiment": [0.6, -0.2],
            "low": [0.4, -0.5],
            "high": [0.8, 0.1],
        }
    )
    rating = pd.DataFrame({"touchpoint": ["配送", "開封・初回使用"], "emotion": [2.0, -1.0]})
    ax = plot_sentiment_curve(sentiment, rating, lang="en")
    comment_line = [line for line in ax.get_lines() if line.get_label() == "From comment sentiment"][0]
    np.testing.assert_allclose(comment_line.get_ydata(), [3.0, -1.0])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["配送", "開封・初回使用"]
    assert missing_glyphs(ax.figure) == []
    plt.close(ax.figure)


def test_scenario_interval_table_keeps_each_interval_beside_its_figure():
    from helpers.tables import voice as voice_tables

    table = pd.DataFrame(
        {
            "scenario": ["combined"],
            "ltv_gain": [1826.0],
            "ltv_gain_low": [630.0],
            "ltv_gain_high": [2888.0],
            "value_gained": [3651761.0],
            "value_gained_low": [1259411.0],
            "value_gained_high": [5775812.0],
            "benefit": [1433316.0],
            "benefit_low": [494319.0],
            "benefit_high": [2267006.0],
            "cost": [1e6],
            "roi": [0.433],
            "roi_low": [-0.506],
            "roi_high": [1.267],
        }
    )
    shown = voice_tables.scenario_intervals_display(table, {"combined": "すべて改善"}, "ja")
    assert shown.shape[1] == 9 and shown.columns.is_unique
    row = shown.iloc[0].tolist()
    assert row[1] == "1,826円" and row[2] == "630円 〜 2,888円"
    assert row[4] == "1,259,411円 〜 5,775,812円" and row[6] == "494,319円 〜 2,267,006円"
