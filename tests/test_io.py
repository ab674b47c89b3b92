"""Loading and validating tables: encodings, xlsx, aliases, and every class of bad input."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import Workbook

from helpers import io

CUSTOMERS = "customer_id,name\nC1,山田 太郎\nC2,佐藤 花子\nC3,鈴木 一郎\n"


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def problems_at(report_or_read):
    """(line, column, value) of every problem."""
    return [(p.line, p.column, p.value) for p in report_or_read.problems]


@pytest.fixture
def data_dir(tmp_path):
    write(tmp_path / "customers.csv", CUSTOMERS)
    return tmp_path


JA_ORDERS = '注文番号,顧客ID,購入日,購入金額,商品\nO1,C1,2024/1/5,"¥1,980",青汁\nO2,C2,2024年1月6日,3000円,酵素\n'


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_csv_encodings_with_japanese_headers(tmp_path, encoding):
    # cp932 has no U+00A5; Japanese files write the full-width yen sign instead.
    text = JA_ORDERS.replace("¥", "￥") if encoding == "cp932" else JA_ORDERS
    path = write(tmp_path / "orders.csv", text, encoding)
    read = io.read_table(path, "orders")
    assert read.problems == []
    frame = read.frame
    assert list(frame.columns[:4]) == ["order_id", "customer_id", "order_date", "amount"]
    assert frame["amount"].tolist() == [1980.0, 3000.0]
    assert frame["order_date"].tolist() == [pd.Timestamp("2024-01-05"), pd.Timestamp("2024-01-06")]
    assert frame["product"].tolist() == ["青汁", "酵素"]
    assert read.headers["order_date"] == "購入日"


def test_undecodable_bytes_are_reported_with_line(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_bytes(b"order_id,customer_id,order_date,amount\nO1,C1,2024-01-01,1\n" + b"O2,\x81\x20,2024-01-01,1\n")
    read = io.read_table(path, "orders")
    assert [(p.line, p.rule_en.split(" (")[0]) for p in read.problems] == [(3, "cannot determine the encoding")]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2024-01-05", "2024-01-05"),
        ("2024/1/5", "2024-01-05"),
        ("20240105", "2024-01-05"),
        ("2024年1月5日", "2024-01-05"),
        ("２０２４年１月５日", "2024-01-05"),
        ("2024-01-05 13:45", "2024-01-05 13:45:00"),
    ],
)
def test_date_formats(text, expected):
    values, bad = io.parse_column(pd.Series([text]), "date")
    assert not bad.iloc[0]
    assert values.iloc[0] == pd.Timestamp(expected)


@pytest.mark.parametrize("text", ["2024-02-30", "5/1/2024", "yesterday", "2024-1"])
def test_bad_dates_are_unreadable(text):
    values, bad = io.parse_column(pd.Series([text]), "date")
    assert bad.iloc[0] and pd.isna(values.iloc[0])


@pytest.mark.parametrize(
    "text, expected",
    [("1980", 1980.0), ("1,980", 1980.0), ("¥1,980", 1980.0), ("￥12,000", 12000.0), ("3000円", 3000.0), ("0", 0.0)],
)
def test_amount_formats(text, expected):
    values, bad = io.parse_column(pd.Series([text]), "amount")
    assert not bad.iloc[0] and values.iloc[0] == expected


def test_codes_accept_answer_text_and_numbers():
    values, bad = io.parse_column(
        pd.Series(["ファンではない", "3", "もはや人生の一部、未来を共に創っていきたい", "たぶん"]), "fan_stage"
    )
    assert values.iloc[:3].tolist() == [0, 3, 5]
    assert bad.tolist() == [False, False, False, True]
    values, bad = io.parse_column(pd.Series(["大好き", "7"]), "liking")
    assert values.tolist() == [6, 7] and not bad.any()


def test_xlsx_with_japanese_headers_and_excel_types(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "注文"
    ws.append(["注文ID", "顧客ID", "注文日", "金額", "備考"])
    ws.append(["O1", "C1", pd.Timestamp("2024-03-01").to_pydatetime(), 4980, "初回"])
    ws.append(["O2", "C2", "2024/3/2", "¥2,000", None])
    wb.save(tmp_path / "orders.xlsx")
    read = io.read_table(tmp_path / "orders.xlsx", "orders")
    assert read.problems == []
    assert read.frame["order_date"].tolist() == [pd.Timestamp("2024-03-01"), pd.Timestamp("2024-03-02")]
    assert read.frame["amount"].tolist() == [4980.0, 2000.0]
    assert "備考" in read.frame.columns  # extra columns are kept


def test_xlsx_problems_use_excel_row_numbers(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["顧客ID", "回答日", "推奨度"])
    ws.append(["C1", "2024-01-01", 9])
    ws.append([None, None, None])  # a blank row keeps its row number
    ws.append(["C2", "2024-01-02", 11])
    wb.save(tmp_path / "nps.xlsx")
    read = io.read_table(tmp_path / "nps.xlsx", "nps")
    assert problems_at(read) == [(4, "推奨度", "11")]


def test_every_bad_row_is_reported_with_line_and_column(tmp_path):
    text = (
        "order_id,customer_id,order_date,amount\n"
        "O1,C1,2024-01-05,1000\n"
        "O2,C1,2024-13-01,1000\n"  # line 3: bad date
        "O3,C2,2024-01-07,-5\n"  # line 4: negative amount
        "O4,,2024-01-08,abc\n"  # line 5: missing id, bad amount
        "O1,C3,2024-01-09,100\n"  # line 6: duplicate order id (with line 2)
    )
    read = io.read_table(write(tmp_path / "orders.csv", text), "orders")
    assert sorted(problems_at(read)) == [
        (2, "order_id", "O1"),
        (3, "order_date", "2024-13-01"),
        (4, "amount", "-5"),
        (5, "amount", "abc"),
        (5, "customer_id", ""),
        (6, "order_id", "O1"),
    ]
    assert all(p.file == "orders.csv" and p.rule_ja and p.rule_en for p in read.problems)


def test_line_numbers_survive_quoted_line_breaks_and_blank_lines(tmp_path):
    text = (
        "customer_id,response_date,score,comment\n"
        'C1,2024-01-01,9,"とても\n良い"\n'  # lines 2-3
        "\n"  # line 4 blank
        "C2,2024-01-02,12,\n"  # line 5
    )
    read = io.read_table(write(tmp_path / "nps.csv", text), "nps")
    assert problems_at(read) == [(5, "score", "12")]
    assert any("blank" in n for n in read.notes)
    assert read.frame["comment"].iloc[0] == "とても\n良い"


def test_ragged_rows_are_all_reported(tmp_path):
    text = "customer_id,touchpoint,rating\nC1,配送,3\nC1,配送,3,extra\nC2,配送\n"
    read = io.read_table(write(tmp_path / "touchpoint_ratings.csv", text), "touchpoint_ratings")
    assert [p.line for p in read.problems] == [3, 4]


def test_missing_required_column_and_duplicate_header(tmp_path):
    text = "顧客ID,customer_id,回答日\nC1,C1,2024-01-01\n"
    read = io.read_table(write(tmp_path / "nps.csv", text), "nps")
    assert {(p.line, p.column) for p in read.problems} == {(1, "customer_id"), (1, "score")}


def test_journey_accepts_japanese_scenarios_and_checks_ranges(tmp_path):
    text = (
        "ペルソナ,シナリオ,ステップ,ステージ,タッチポイント,感情スコア,期待,評価\n"
        "A,現状,1,認知,広告,2,3,3\n"
        "A,理想,1,認知,広告,+4,3,4\n"
        "A,未来,2,購入,決済,-6,6,\n"
    )
    read = io.read_table(write(tmp_path / "journey.csv", text), "journey")
    assert read.frame["scenario"].iloc[:2].tolist() == ["as_is", "to_be"]
    assert read.frame["emotion"].iloc[1] == 4
    assert sorted(problems_at(read)) == [(4, "シナリオ", "未来"), (4, "感情スコア", "-6"), (4, "期待", "6")]


def test_foreign_keys_and_dates_after_as_of(data_dir):
    write(
        data_dir / "orders.csv",
        "order_id,customer_id,order_date,amount\nO1,C1,2024-01-01,1\nO2,C9,2024-01-02,1\nO3,C2,2026-01-01,1\n",
    )
    write(data_dir / "nps.csv", "customer_id,response_date,score\nC8,2024-01-01,9\n")
    report = io.validate_data_dir(data_dir, as_of="2025-12-31")
    assert [(p.file, p.line, p.column, p.value) for p in report.problems] == [
        ("nps.csv", 2, "customer_id", "C8"),
        ("orders.csv", 3, "customer_id", "C9"),
        ("orders.csv", 4, "order_date", "2026-01-01"),
    ]
    assert not report.ok
    with pytest.raises(io.DataValidationError) as err:
        io.load_data(data_dir, as_of="2025-12-31")
    assert err.value.report.problems == report.problems


def test_missing_optional_table_is_a_note_and_require_names_the_file(data_dir):
    write(data_dir / "orders.csv", "order_id,customer_id,order_date,amount\nO1,C1,2024-01-01,1\n")
    report = io.validate_data_dir(data_dir, as_of="2025-12-31")
    assert report.ok
    assert any("fan_survey" in n for n in report.notes)
    ds = io.load_data(data_dir, as_of="2025-12-31")
    assert ds.fan_survey is None
    with pytest.raises(io.MissingTableError, match="fan_survey.csv"):
        ds.require("fan_survey")


def test_missing_required_table_is_an_error(tmp_path):
    write(tmp_path / "customers.csv", CUSTOMERS)
    report = io.validate_data_dir(tmp_path, as_of="2025-12-31")
    assert [p.file for p in report.problems] == ["orders.csv"]


def test_report_text_has_summary_and_both_languages(data_dir):
    write(data_dir / "orders.csv", "order_id,customer_id,order_date,amount\nO1,C1,2024-01-01,1\nO2,C2,2024-03-01,-1\n")
    text = io.validate_data_dir(data_dir, as_of="2025-12-31").format("ja")
    assert "orders.csv" in text and "2024-01-01 .. 2024-03-01" in text
    assert "orders.csv:3 列 'amount' 値 '-1': 0 以上である必要があります (must be >= 0)" in text


def test_relative_paths_resolve_against_project_root(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert io.resolve_path("data/sample") == io.PROJECT_ROOT / "data" / "sample"


def test_sample_data_is_clean(sample_dir):
    report = io.validate_data_dir(sample_dir, as_of="2025-12-31")
    assert report.ok, report.format("en")
    assert {s.table for s in report.summaries} == {
        "customers",
        "orders",
        "nps",
        "fan_survey",
        "journey",
        "touchpoint_ratings",
        "ad_costs",
    }
