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



def test_explain_words_a_reason_in_both_languages_with_its_numbers():
    ja, en = narrative.explain("too_few_customers", what=("予測CLV", "Predicted CLV"), n=8, minimum=20)
    assert ja == "予測CLVは計算できません。対象の顧客が8人で、少なくとも20人必要です。"
    assert en == "Predicted CLV cannot be computed: 8 customers, at least 20 needed."
    with pytest.raises(ValueError, match="unknown reason"):
        narrative.explain("no_such_reason")


@pytest.mark.parametrize("reason", list(narrative.REASONS))
def test_each_reason_takes_the_same_numbers_in_both_languages(reason):
    import string

    ja, en = narrative.REASONS[reason]
    fields = [{name for _, name, _, _ in string.Formatter().parse(t) if name} for t in (ja, en)]
    assert fields[0] == fields[1]


def test_grouping_note_names_the_missing_column_and_the_fallback():
    from helpers.segments import GroupingChoice

    ja, en = narrative.grouping_note(GroupingChoice("first_product", "acquisition_channel", "grouping_absent", ()))
    assert ja == "お客様の表に「獲得チャネル」の列がないため、初回購入商品で比べます。"
    assert en == "The customers table has no “Acquisition channel” column, so the comparison is by First product."
