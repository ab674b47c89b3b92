"""Mantel-Haenszel stratified friction check against hand-computed examples."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers import confounding, friction, io, sample


def test_confounded_example_hand_computed():
    # Two strata (e.g. trial pack / full size) where low raters do 20 points worse in each,
    # but are concentrated in the stratum that converts more:
    #   stratum 1: low 2/10, others 12/30  -> 0.2 - 0.4 = -0.2, w = 10*30/40 = 7.5
    #   stratum 2: low 20/40, others 14/20 -> 0.5 - 0.7 = -0.2, w = 40*20/60 = 13.33
    # crude: 22/50 - 26/50 = -0.08; MH = -0.2 exactly.
    result = confounding.mantel_haenszel_difference([2, 20], [10, 40], [12, 14], [30, 20])
    assert result["difference"] == pytest.approx(-0.2)
    crude = confounding.mantel_haenszel_difference([22], [50], [26], [50])
    assert crude["difference"] == pytest.approx(-0.08)
    # variance by hand: sum w^2 (p1 q1/n1 + p0 q0/n0) / (sum w)^2
    w = np.array([7.5, 40 * 20 / 60])
    var = (w[0] ** 2 * (0.2 * 0.8 / 10 + 0.4 * 0.6 / 30) + w[1] ** 2 * (0.5 * 0.5 / 40 + 0.7 * 0.3 / 20)) / w.sum() ** 2
    assert result["se"] == pytest.approx(np.sqrt(var))
    assert result["low"] == pytest.approx(-0.2 - 1.959964 * np.sqrt(var), abs=1e-6)
    assert result["strata_used"] == 2 and result["n"] == 100


def test_weighted_mean_of_stratum_differences_and_empty_strata():
    x1, n1, x0, n0 = [3, 5, 0, 4], [7, 9, 0, 6], [6, 2, 5, 0], [11, 4, 8, 0]
    result = confounding.mantel_haenszel_difference(x1, n1, x0, n0)
    table = pd.DataFrame({"x1": x1, "n1": n1, "x0": x0, "n0": n0}).query("n1 > 0 and n0 > 0")
    w = table.n1 * table.n0 / (table.n1 + table.n0)
    expected = (w * (table.x1 / table.n1 - table.x0 / table.n0)).sum() / w.sum()
    assert result["difference"] == pytest.approx(expected)
    assert result["strata"] == 4 and result["strata_used"] == 2
    assert np.isnan(confounding.mantel_haenszel_difference([1], [2], [0], [0])["difference"])
    with pytest.raises(ValueError, match="between 0"):
        confounding.mantel_haenszel_difference([3], [2], [0], [1])


def test_sample_friction_effect_survives_stratification():
    data = io.load_data("data/sample", as_of=sample.AS_OF)
    check = confounding.confounding_check(data.touchpoint_ratings, data.orders, sample.AS_OF)
    rows = check[check["touchpoint"] == sample.FRICTION_TOUCHPOINT].set_index("stratification")
    effects = friction.rating_effects(data.touchpoint_ratings, data.orders, sample.AS_OF)
    f2 = effects[(effects["touchpoint"] == sample.FRICTION_TOUCHPOINT) & (effects["metric"] == "f2_conversion")].iloc[0]
    assert rows.loc["crude", "difference"] == pytest.approx(f2["x_low"] / f2["n_low"] - f2["x_other"] / f2["n_other"])
    # the planted effect belongs to the touchpoint, not to the product mix
    for stratification in ("first_product", "subscription"):
        assert rows.loc[stratification, "high"] < 0
        assert abs(rows.loc[stratification, "difference"] - rows.loc["crude", "difference"]) < 0.05
    products = data.orders.sort_values("order_date", kind="stable").groupby("customer_id")["product"].first()
    assert (
        rows.loc["first_product", "strata"]
        == products[
            products.index.isin(
                data.touchpoint_ratings.loc[
                    data.touchpoint_ratings.touchpoint == sample.FRICTION_TOUCHPOINT, "customer_id"
                ]
            )
        ].nunique()
    )
