"""helpers.plotting exports every plot_* function lazily, and the shared plot helpers."""

from __future__ import annotations

import ast
import subprocess
import sys
from importlib import import_module
from pathlib import Path

import matplotlib.pyplot as plt
import pytest

import helpers.plotting as plotting
from helpers.plotting.common import new_axes, text_lookup, thousands_formatter

PLOT_NAMES = [name for name in plotting.__all__ if name.startswith("plot_")]


def test_every_exported_plot_name_resolves_to_its_submodule_function():
    # the full list is checked against the package's source below; here: no name twice,
    # and one expectation-vs-evaluation chart (emotion), not two
    assert len(PLOT_NAMES) == len(set(PLOT_NAMES))
    assert [n for n in PLOT_NAMES if "expectation" in n] == ["plot_expectation_evaluation"]
    for name in PLOT_NAMES:
        value = getattr(plotting, name)
        assert callable(value), name
        defining = import_module(value.__module__)
        assert value.__module__.startswith("helpers.plotting.")
        assert getattr(defining, name) is value


def test_all_lists_every_public_plot_function_of_the_package():
    package_dir = Path(plotting.__file__).parent
    defined = {
        node.name
        for path in package_dir.glob("*.py")
        for node in ast.parse(path.read_text(encoding="utf-8")).body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("plot_")
    }
    assert defined == set(PLOT_NAMES)


def test_from_import_works_and_unknown_names_raise():
    from helpers.plotting import plot_emotion_curve, plot_stop_hazard

    assert plot_emotion_curve.__module__ == "helpers.plotting.emotion"
    assert plot_stop_hazard.__module__ == "helpers.plotting.friction"
    with pytest.raises(AttributeError, match="plot_nothing"):
        plotting.plot_nothing  # noqa: B018


def test_importing_the_package_imports_no_plot_submodule_nor_scipy():
    code = (
        "import sys, helpers.plotting as p\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('helpers.plotting.') or m.split('.')[0] == 'scipy')\n"
        "print(','.join(loaded))\n"
        "p.plot_swimlane\n"
        "print('helpers.plotting.touchpoints' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "helpers.plotting.style"
    assert out[1] == "True"


def test_new_axes_keeps_the_given_axes_or_makes_a_figure_of_the_size():
    fig, ax = plt.subplots()
    assert new_axes(ax, (3, 2)) is ax
    made = new_axes(None, (3, 2))
    assert tuple(made.figure.get_size_inches()) == (3.0, 2.0)
    plt.close(fig)
    plt.close(made.figure)


def test_text_lookup_picks_the_language_and_fills_values():
    text = text_lookup({"title": ("{n}回目", "#{n}")})
    assert text("title", "ja", n=2) == "2回目"
    assert text("title", "en", n=2) == "#2"
    with pytest.raises(ValueError):
        text("title", "fr", n=2)


def test_thousands_formatter():
    assert thousands_formatter()(1234567.4, 0) == "1,234,567"
    assert thousands_formatter()(999.5, 0) == "1,000"


@pytest.mark.parametrize("name", PLOT_NAMES)
def test_every_plot_takes_title_and_kwargs_for_its_main_artist(name):
    import inspect

    parameters = inspect.signature(getattr(plotting, name)).parameters
    assert "ax" in parameters and parameters["title"].default is None
    assert any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())


def test_title_and_kwargs_reach_the_chart():
    import pandas as pd

    from helpers.plotting.loyalty import plot_group_values
    from helpers.plotting.touchpoints import plot_rating_counts

    summary = pd.DataFrame({"ltv_1y": [100.0, 50.0]}, index=["high", "low"])
    ax = plot_group_values(summary, column="ltv_1y", title="題", alpha=0.25)
    assert ax.get_title() == "題"
    assert {patch.get_alpha() for patch in ax.patches} == {0.25}
    counts = pd.DataFrame({"customers": [3, 1], "mean_rating": [4.0, 2.0]}, index=["広告", "配送"])
    ax = plot_rating_counts(counts, title="", color="#123456")
    assert ax.get_title() == ""
    assert {patch.get_facecolor()[:3] for patch in ax.patches} == {(0x12 / 255, 0x34 / 255, 0x56 / 255)}
    plt.close("all")


def test_an_unknown_language_is_an_error_not_english():
    import pandas as pd

    from helpers.plotting.loyalty import plot_group_values
    from helpers.plotting.touchpoints import plot_rating_counts
    from helpers.tables.loyalty import result_table

    summary = pd.DataFrame({"ltv_1y": [100.0, 50.0]}, index=["high", "low"])
    counts = pd.DataFrame({"customers": [3, 1], "mean_rating": [4.0, 2.0]}, index=["広告", "配送"])
    for draw in (lambda: plot_group_values(summary, lang="fr"), lambda: plot_rating_counts(counts, lang="fr"),
                 lambda: result_table(summary, lang="fr")):
        with pytest.raises(ValueError, match="lang"):
            draw()
    plt.close("all")


def test_customer_base_plots_refuse_an_unknown_language():
    import pandas as pd

    from helpers.plotting import customer_base as charts

    cohort = pd.DataFrame(
        {
            "cohort": pd.PeriodIndex(["2024-01"] * 2, freq="M"),
            "months_since": [0, 1],
            "customers": [2, 2],
            "active": [2, 1],
            "retention": [1.0, 0.5],
            "revenue": [10.0, 5.0],
            "cumulative_revenue_per_customer": [5.0, 7.5],
        }
    )
    deciles = pd.DataFrame(
        {"decile": [1, 2], "customers": [1, 1], "revenue": [3.0, 1.0], "revenue_share": [0.75, 0.25],
         "cumulative_share": [0.75, 1.0]}
    )
    draws = (
        lambda: charts.plot_cohort_retention(cohort, lang="fr"),
        lambda: charts.plot_cohort_ltv(cohort, lang="fr"),
        lambda: charts.plot_deciles(deciles, lang="fr"),
    )
    for draw in draws:
        with pytest.raises(ValueError, match="lang"):
            draw()
    ax = charts.plot_deciles(deciles, title="", color="#123456")
    assert ax.get_title() == "" and ax.patches[0].get_facecolor()[:3] == (0x12 / 255, 0x34 / 255, 0x56 / 255)
    plt.close("all")


def test_cohort_retention_scale_is_a_share_from_zero_even_when_nobody_came_back():
    import pandas as pd

    from helpers.plotting import customer_base as charts

    def cohort(retention):
        months = range(len(retention))
        return pd.DataFrame(
            {
                "cohort": pd.PeriodIndex(["2024-01"] * len(retention), freq="M"),
                "months_since": list(months),
                "customers": [4] * len(retention),
                "active": [round(4 * r) for r in retention],
                "retention": retention,
                "revenue": [10.0] * len(retention),
                "cumulative_revenue_per_customer": [2.5] * len(retention),
            }
        )

    nobody = charts.plot_cohort_retention(cohort([1.0, 0.0, 0.0])).images[0]
    assert (nobody.norm.vmin, nobody.norm.vmax) == (0.0, 1.0)
    some = charts.plot_cohort_retention(cohort([1.0, 0.5, 0.25])).images[0]
    assert (some.norm.vmin, some.norm.vmax) == (0.0, 0.5)  # month 0 (100%) is not shown
    plt.close("all")
