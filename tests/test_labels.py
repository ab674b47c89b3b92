"""Display labels: module tables fall back to the shared ones."""

from __future__ import annotations

from helpers.labels import fan_stage_labels, label, liking_labels, lookup


def test_module_labels_fall_back_to_the_shared_ones():
    own = {"repeat_rate": ("リピート率", "Repeat rate")}
    assert lookup(own, "repeat_rate", "en") == "Repeat rate"
    assert lookup(own, "high", "ja") == "ロイヤリティ高"  # shared label
    assert lookup(own, "備考", "ja") == "備考"  # unknown keys unchanged


def test_labels_switch_language_and_keep_unknown_headers():
    assert label("order_date", "ja") == "注文日" and label("order_date", "en") == "Order date"
    assert label("顧客ランク", "en") == "顧客ランク"
    assert len(fan_stage_labels()) == 6 and len(liking_labels("en")) == 7


def test_subject_labels_win_over_shared_ones_and_fall_back_to_them():
    from helpers.labels import label

    assert label("customers", "ja", "ltv") == "顧客数" and label("customers", "ja") == "顧客"
    assert label("high", "en", "ltv") == "High loyalty"  # not in the ltv table: the shared label
    assert label("new_channel", "ja", "ltv") == "new_channel"


def test_unknown_subject_or_language_is_an_error():
    import pytest

    from helpers.labels import label

    with pytest.raises(ValueError, match="subject"):
        label("customers", "ja", "no_such_subject")
    with pytest.raises(ValueError, match="lang"):
        label("customers", "fr", "ltv")


def test_every_subject_label_has_japanese_and_english():
    from helpers.labels import subject_labels

    for subject, table in subject_labels().items():
        for key, pair in table.items():
            assert len(pair) == 2 and all(isinstance(t, str) for t in pair), (subject, key)
