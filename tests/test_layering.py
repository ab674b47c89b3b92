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
    "helpers.purchases",
    "helpers.loyalty",
    "helpers.journey",
    "helpers.touchpoints",
    "helpers.emotion",
    "helpers.friction",
    "helpers.journey_map",
    "helpers.ltv",
    "helpers.clv",
    "helpers.tracking",
]

FORBIDDEN = ("matplotlib", "ipywidgets", "IPython", "helpers.report", "helpers.plotting", "helpers.workshop")


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
