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
