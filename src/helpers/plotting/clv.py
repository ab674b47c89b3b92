"""Plots of the predicted-CLV models: the holdout check and P(alive)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers import clv
from helpers.labels import check_lang, label
from helpers.plotting.common import new_axes, set_title
from helpers.plotting.style import PALETTE

#: Texts of these plots, key -> (ja, en); keys known to helpers.labels win.
_TEXTS: dict[str, tuple[str, str]] = {
    "holdout_title": ("ホールドアウト期間の購買回数：実績と予測", "Holdout-period purchases: actual vs predicted"),
    "frequency_cal": ("キャリブレーション期間のリピート購買回数", "Repeat purchases in the calibration period"),
    "mean_holdout_purchases": ("ホールドアウト期間の平均購買回数", "Mean purchases in the holdout period"),
    "actual": ("実績", "Actual"),
    "predicted": ("予測 (BG/NBD)", "Predicted (BG/NBD)"),
    "p_alive": ("生存確率 P(alive)", "Probability alive, P(alive)"),
    "p_alive_title": ("顧客の生存確率の分布", "Distribution of P(alive)"),
    "customers_n": ("顧客数", "Customers"),
}


def _text(key: str, lang: str) -> str:
    shared = label(key, lang)
    if shared != key:
        return shared
    return _TEXTS[key][0 if check_lang(lang) == "ja" else 1]


def plot_calibration_purchases_vs_holdout_purchases(
    model: clv.BetaGeoFitter,
    calibration_holdout: pd.DataFrame,
    ax=None,
    n: int = 7,
    lang: str = "ja",
    title: str | None = None,
    **kwargs,
):
    """Mean holdout purchases, actual and predicted, by calibration frequency.

    The validation chart of Fader, Hardie & Lee (2005), figure 5: customers
    are grouped by their repeat purchases in the calibration period (the
    last group pools ``n`` and more), and the mean number of purchases they
    made in the holdout period is drawn next to the model's conditional
    expectation.  Lines that lie on top of each other mean the model ranks
    and sizes customers well.

    Parameters
    ----------
    model : helpers.clv.BetaGeoFitter
        Model fitted on the calibration columns of ``calibration_holdout``.
    calibration_holdout : pandas.DataFrame
        As from :func:`helpers.clv.calibration_and_holdout_data`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when ``None``.
    n : int
        Calibration frequencies ``n`` and above form one group ("n+").
    lang : {"ja", "en"}
        Language of the labels.

    title : str, optional
        Chart title instead of the default (``""`` for none).
    **kwargs
        Passed to the main artist, ``Axes.plot`` (e.g. ``color``, ``alpha``).

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_lang(lang)
    table = clv.holdout_purchases_by_frequency(model, calibration_holdout, n=n)
    ax = new_axes(ax)
    positions = np.arange(len(table))
    ax.plot(
        positions,
        table["actual"],
        **{"marker": "o", "color": PALETTE[0], "label": _text("actual", lang), **kwargs},
    )
    ax.plot(
        positions, table["predicted"], marker="s", linestyle="--", color=PALETTE[1], label=_text("predicted", lang)
    )
    ax.set_xticks(positions)
    ax.set_xticklabels(table["label"])
    ax.set_xlabel(_text("frequency_cal", lang))
    ax.set_ylabel(_text("mean_holdout_purchases", lang))
    set_title(ax, title, _text("holdout_title", lang))
    ax.set_ylim(bottom=0)
    ax.legend()
    return ax


def plot_p_alive_distribution(
    predictions,
    ax=None,
    bins: int = 20,
    lang: str = "ja",
    title: str | None = None,
    **kwargs,
):
    """Histogram of the customers' probability of still being active.

    Parameters
    ----------
    predictions : pandas.DataFrame or array-like
        A frame with a ``p_alive`` column (as from
        :func:`helpers.clv.predict_customers`) or the probabilities themselves.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when ``None``.
    bins : int
        Number of equal-width bins between 0 and 1.
    lang : {"ja", "en"}
        Language of the labels.

    title : str, optional
        Chart title instead of the default (``""`` for none).
    **kwargs
        Passed to the main artist, ``Axes.hist`` (e.g. ``color``, ``alpha``).

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_lang(lang)
    values = predictions["p_alive"] if isinstance(predictions, pd.DataFrame) else predictions
    values = np.asarray(values, dtype=np.float64)
    ax = new_axes(ax)
    ax.hist(values, **{"bins": np.linspace(0, 1, bins + 1), "color": PALETTE[0], "edgecolor": "white", **kwargs})
    ax.set_xlim(0, 1)
    ax.set_xlabel(_text("p_alive", lang))
    ax.set_ylabel(_text("customers_n", lang))
    set_title(ax, title, _text("p_alive_title", lang))
    return ax
