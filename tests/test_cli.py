"""The kando command's exit codes and output."""

from __future__ import annotations

import subprocess
import sys

import pytest

from helpers import cli

GOOD_CUSTOMERS = "customer_id\nC1\n"
GOOD_ORDERS = "order_id,customer_id,order_date,amount\nO1,C1,2024-01-01,1000\n"


@pytest.fixture
def clean_dir(tmp_path):
    (tmp_path / "customers.csv").write_text(GOOD_CUSTOMERS, encoding="utf-8")
    (tmp_path / "orders.csv").write_text(GOOD_ORDERS, encoding="utf-8")
    return tmp_path


def test_validate_clean_directory_exits_0(clean_dir, capsys):
    assert cli.main(["validate", str(clean_dir), "--as-of", "2025-12-31"]) == 0
    out = capsys.readouterr().out
    assert "orders.csv" in out and "問題はありません" in out
    assert "nps" in out  # the missing optional table is mentioned as a note


def test_validate_problems_exit_1_and_are_all_printed(clean_dir, capsys):
    (clean_dir / "orders.csv").write_text(GOOD_ORDERS + "O2,C1,2024-01-02,-1\nO3,C7,x,1\n", encoding="utf-8")
    assert cli.main(["validate", str(clean_dir), "--as-of", "2025-12-31", "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "orders.csv:3 column 'amount' value '-1'" in out
    assert "orders.csv:4 column 'order_date' value 'x'" in out
    assert "orders.csv:4 column 'customer_id' value 'C7'" in out


def test_validate_missing_directory_exits_2(tmp_path, capsys):
    assert cli.main(["validate", str(tmp_path / "nope")]) == 2
    assert "not found" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [[], ["validate"], ["validate", ".", "--as-of", "not-a-date"], ["frobnicate"]])
def test_usage_errors_exit_2(argv):
    assert cli.main(argv) == 2


def test_console_script_is_installed(clean_dir):
    kando = [sys.executable, "-m", "helpers.cli"]
    done = subprocess.run(kando + ["validate", str(clean_dir), "--as-of", "2025-12-31"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_sample_data_validates_via_cli(sample_dir):
    assert cli.main(["validate", str(sample_dir), "--as-of", "2025-12-31"]) == 0
