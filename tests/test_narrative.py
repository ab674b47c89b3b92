"""The notebooks' computed narrative picks the report language."""

from __future__ import annotations

import pytest

from helpers import narrative


@pytest.mark.parametrize("lang, expected", [("ja", "NPSは-12です。"), ("en", "NPS is -12.")])
def test_say_shows_the_text_of_the_report_language(monkeypatch, lang, expected):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj.data))
    narrative.narrator(lang)("NPSは-12です。", "NPS is -12.")
    assert shown == [expected]


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="lang"):
        narrative.narrator("fr")

