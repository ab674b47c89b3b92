"""The one report formatter: each kind of value, intervals, missing values, tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers import tables
from helpers.tables import MISSING, format_interval, format_table, format_value, format_values


@pytest.mark.parametrize(
    ("value", "kind", "lang", "expected"),
    [
        (1234.4, "int", "ja", "1,234"),
        (1234567, "yen", "ja", "1,234,567円"),
        (1234567, "yen", "en", "¥1,234,567"),
        (0.1234, "pct", "ja", "12.3%"),
        (0.1234, "pp", "ja", "+12.3pt"),
        (-0.05, "pp", "en", "-5.0pt"),
        (2.0, "signed", "ja", "+2"),
        (-0.2, "signed", "ja", "0"),
        (1.25, "signed1", "ja", "+1.2"),
        (-0.04, "signed1", "ja", "0.0"),
        (-1.26, "signed1", "ja", "-1.3"),
        (1234.56, "float1", "ja", "1,234.6"),
        (1.234, "float2", "ja", "1.23"),
        (0.0004, "p", "ja", "<0.001"),
        (0.0123, "p", "ja", "0.012"),
        (pd.Timestamp("2025-01-31 13:00"), "date", "ja", "2025-01-31"),
        (True, "bool", "ja", "あり"),
        (False, "bool", "en", "no"),
        ("名前", "text", "ja", "名前"),
    ],
)
def test_each_kind(value, kind, lang, expected):
    assert format_value(value, kind, lang) == expected


@pytest.mark.parametrize("kind", tables.KINDS)
@pytest.mark.parametrize("missing", [None, np.nan, pd.NA, pd.NaT])
def test_one_missing_mark_for_every_kind(kind, missing):
    assert format_value(missing, kind) == MISSING


def test_infinite_numbers_are_missing():
    assert format_values(pd.Series([np.inf, -np.inf, 1.0]), "float1").tolist() == [MISSING, MISSING, "1.0"]


def test_unknown_kind_and_lang_are_errors():
    with pytest.raises(ValueError, match="unknown kind"):
        format_value(1, "money")
    with pytest.raises(ValueError, match="lang"):
        format_value(1, "yen", "fr")


def test_interval_has_one_separator_per_language_and_missing_when_an_end_is():
    low, high = pd.Series([-0.012, 0.1, np.nan]), pd.Series([0.034, np.nan, 0.2])
    assert format_interval(low, high, "pp").tolist() == ["-1.2pt 〜 +3.4pt", MISSING, MISSING]
    assert format_interval(low.head(1), high.head(1), "pp", "en").tolist() == ["-1.2pt to +3.4pt"]


def test_values_keep_the_index():
    values = pd.Series([1.0, 2.0], index=["a", "b"])
    assert format_values(values, "int").index.tolist() == ["a", "b"]


def test_table_headers_kinds_and_row_labels():
    frame = pd.DataFrame({"step": [3, 1], "touchpoint": ["広告", None], "share": [0.5, 0.25], "x": [1.0, 2.0]})
    columns = {"step": ("int", "No.", "No."), "touchpoint": "text", "share": "pct", "x": "float1"}
    ja = format_table(frame, columns, "ja", index="step")
    assert list(ja.columns) == ["タッチポイント", "構成比", "x"]
    assert ja.index.name == "No." and ja.index.tolist() == ["3", "1"]
    assert ja.loc["1"].tolist() == [MISSING, "25.0%", "2.0"]
    en = format_table(frame, columns, "en", labels={"x": ("エックス", "Ex")})
    assert list(en.columns) == ["No.", "Touchpoint", "Share", "Ex"]
    assert en.index.tolist() == [1, 2]


def test_table_keeps_the_index_when_asked():
    frame = pd.DataFrame({"customers": [10, 20]}, index=pd.Index(["a", "b"], name="channel"))
    shown = format_table(frame, {"customers": "int"}, "ja", keep_index=True)
    assert shown.index.tolist() == ["a", "b"] and shown.index.name == "チャネル"
    assert shown["顧客"].tolist() == ["10", "20"]


def test_table_leaves_the_source_frame_alone():
    frame = pd.DataFrame({"customers": [10]}, index=pd.Index(["a"], name="channel"))
    format_table(frame, {"customers": "int"}, "ja", keep_index=True)
    assert frame.index.name == "channel"


def test_export_csv_writes_utf8_with_bom_iso_dates_and_headers(tmp_path):
    from helpers.tables.export import export_csv

    frame = pd.DataFrame({"customer_id": ["P-1"], "last_order": [pd.Timestamp("2025-01-31")]})
    path = export_csv(frame, tmp_path / "out", "x.csv", headers={"customer_id": "顧客ID"})
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8-sig").splitlines() == ["顧客ID,last_order", "P-1,2025-01-31"]
    pandas_own = tmp_path / "pandas.csv"
    frame.rename(columns={"customer_id": "顧客ID"}).to_csv(
        pandas_own, index=False, encoding="utf-8-sig", date_format="%Y-%m-%d"
    )
    assert raw == pandas_own.read_bytes()
    packed = export_csv(frame, tmp_path / "out", "x.csv.gz")  # compressed as its name says, as pandas does
    assert packed.read_bytes()[:2] == b"\x1f\x8b"


def test_two_columns_under_one_header_are_an_error_not_a_silent_drop():
    frame = pd.DataFrame({"low": [1.0], "high": [2.0]})
    with pytest.raises(ValueError, match="header"):
        format_table(frame, {"low": ("float1", "区間", "CI"), "high": ("float1", "区間", "CI")}, "ja")
