"""The optional ad_costs table: month cells in the spellings clients use, and clear errors."""

from __future__ import annotations

import shutil

import pandas as pd

from helpers import io, schemas


def test_month_spellings():
    values, bad = io.parse_column(
        pd.Series(["2024-01", "2024/2", "2024年3月", "２０２４年４月", "2024-05-15", "202406", "2024-13", "abc", ""]),
        "month",
    )
    expected = pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01", "2024-05-01", "2024-06-01"])
    assert list(values[:6]) == list(expected)
    assert bad.tolist() == [False] * 6 + [True, True, False]
    assert values[6:].isna().all()


def test_ad_costs_load_and_errors(tmp_path, sample_dir):
    data = tmp_path / "data"
    data.mkdir()
    for table in ("customers", "orders"):
        shutil.copy(sample_dir / f"{table}.csv", data)
    (data / "ad_costs.csv").write_text(
        '媒体,年月,広告費\n検索広告,2024-01,"¥120,000"\nSNS広告,2024年2月,80000\n'
        "テレビ通販,2026-01,5\n新聞広告,2024-03,-1\n",
        encoding="utf-8",
    )
    report = io.validate_data_dir(data, as_of="2025-12-31")
    problems = {(p.line, p.column): p for p in report.problems}
    assert set(problems) == {(4, "年月"), (5, "広告費")}  # a month after as_of, a negative cost
    (data / "ad_costs.csv").write_text("channel,month,cost\n検索広告,2024-01,120000\nSNS広告,2024/2,80000\n")
    ds = io.load_data(data, as_of="2025-12-31")
    assert ds.ad_costs["month"].tolist() == list(pd.to_datetime(["2024-01-01", "2024-02-01"]))
    assert ds.ad_costs["cost"].sum() == 200000
    assert schemas.TABLES["ad_costs"].required == ["channel", "month", "cost"]
