"""The layering of DESIGN.md: analysis modules bring no presentation, widget or report code with them.

Each module is imported in a fresh interpreter, so what another test imported
earlier cannot hide a dependency.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# Data-in and analysis layers (DESIGN.md, "The house"). A new analysis module belongs here.
ANALYSIS_MODULES = [
    "helpers.io",
    "helpers.schemas",
    "helpers.labels",
    "helpers.privacy",
    "helpers.notebook_tables",
    "helpers.importers",
    "helpers.problem_listing",
    "helpers.purchases",
    "helpers.nps",
    "helpers.segments",
    "helpers.fan_survey",
    "helpers.role_models",
    "helpers.touchpoints",
    "helpers.emotion",
    "helpers.friction",
    "helpers.journey_map",
    "helpers.ltv",
    "helpers.clv",
    "helpers.tracking",
    "helpers.cohorts",
    "helpers.channel_ltv",
    "helpers.rfm",
    "helpers.cpm",
    "helpers.deciles",
    "helpers.product_paths",
    "helpers.sbg",
    "helpers.bootstrap",
    "helpers.key_drivers",
    "helpers.confounding",
    "helpers.ltv_intervals",
    "helpers.comments",
]

FORBIDDEN = (
    "matplotlib", "ipywidgets", "IPython", "helpers.report", "helpers.plotting", "helpers.tables", "helpers.workshop",
)
# Data-in modules may take a language (labels are their subject); analysis modules may not.
DATA_IN_MODULES = (
    "helpers.io", "helpers.schemas", "helpers.labels", "helpers.privacy", "helpers.notebook_tables",
    "helpers.importers", "helpers.problem_listing",
)


def loaded_modules(module: str) -> list[str]:
    code = f"import json, sys, importlib; importlib.import_module({module!r}); print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


@pytest.mark.parametrize("module", ANALYSIS_MODULES)
def test_analysis_module_loads_no_presentation_code(module):
    loaded = loaded_modules(module)
    offending = sorted(m for m in loaded if any(m == f or m.startswith(f + ".") for f in FORBIDDEN))
    assert offending == [], f"{module} imports presentation/report code: {offending}"


def test_the_check_sees_a_presentation_import():
    # The same check on a presentation module must find matplotlib, or the test above proves nothing.
    assert any(m.startswith("matplotlib") for m in loaded_modules("helpers.plotting.style"))


@pytest.mark.parametrize("module", [m for m in ANALYSIS_MODULES if m not in DATA_IN_MODULES])
def test_analysis_functions_take_no_language(module):
    # codes in, codes out: display text is presentation's job (helpers.tables, helpers.plotting)
    import importlib
    import inspect

    loaded = importlib.import_module(module)
    with_lang = [
        name for name, function in inspect.getmembers(loaded, inspect.isfunction)
        if function.__module__ == module and "lang" in inspect.signature(function).parameters
    ]
    assert with_lang == [], f"{module} functions take lang: {with_lang}"
