"""The blank journey worksheet: layout, drop-downs, instructions and round trip."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook

from helpers import io, labels
from helpers import sample as sm
from helpers.template import JOURNEY_COLUMNS, TEMPLATE_ROWS, write_template

JA_HEADERS = [
    "ペルソナ", "シナリオ", "ステップ", "ステージ", "タッチポイント", "チャネル",
    "行動", "思考", "感情スコア", "期待", "評価", "改善アイデア",
]


@pytest.fixture
def blank(tmp_path):
    return write_template(tmp_path / "journey.xlsx")


def _validations_by_column(sheet) -> dict[str, object]:
    """Data validation covering row 2 of each worksheet column."""
    found = {}
    for validation in sheet.data_validations.dataValidation:
        for column in JOURNEY_COLUMNS:
            letter = chr(ord("A") + JOURNEY_COLUMNS.index(column))
            if f"{letter}2" in validation.sqref and f"{letter}{TEMPLATE_ROWS + 1}" in validation.sqref:
                found[column] = validation
    return found


def test_data_sheet_first_with_japanese_headers(blank):
    book = load_workbook(blank)
    assert book.sheetnames == ["ジャーニー", "記入方法"]
    sheet = book.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    assert headers == JA_HEADERS
    assert headers == [labels.label(c, "ja") for c in JOURNEY_COLUMNS]
    assert sheet.freeze_panes == "A2"
    assert sheet.max_row == 1  # blank: no pre-created rows for the loader to skip
    assert sheet.column_dimensions["G"].width >= 30  # action
    assert sheet.column_dimensions["A"].width >= 20  # persona


def test_drop_downs_and_number_limits(blank):
    sheet = load_workbook(blank)["ジャーニー"]
    found = _validations_by_column(sheet)

    assert found["scenario"].type == "list"
    assert found["scenario"].formula1 == '"as_is,to_be"'
    assert found["stage"].type == "list"
    assert found["stage"].formula1.strip('"').split(",") == list(labels.JOURNEY_STAGES)
    assert found["channel"].type == "list"
    assert found["channel"].formula1.strip('"').split(",") == list(labels.CHANNELS)

    emotion = found["emotion"]
    assert (emotion.type, emotion.operator, emotion.formula1, emotion.formula2) == ("whole", "between", "-5", "5")
    assert emotion.showErrorMessage and emotion.errorStyle == "stop"
    assert "整数" in emotion.error and "−5" in emotion.error and "+5" in emotion.error
    for column in ("expectation", "evaluation"):
        limit = found[column]
        assert (limit.type, limit.operator, limit.formula1, limit.formula2) == ("whole", "between", "1", "5")
        assert limit.showErrorMessage
    assert found["step"].type == "whole" and found["step"].formula1 == "1"


def test_instructions_sheet_explains_every_column(blank):
    sheet = load_workbook(blank)["記入方法"]
    text = "\n".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None)
    for header in JA_HEADERS:
        assert header in text, header
    assert "−5" in text and "+5" in text and "1（低い）〜 5（高い）" in text
    assert "journey.xlsx" in text and "kando validate" in text


def test_refuses_to_overwrite_unless_asked(blank):
    before = blank.read_bytes()
    with pytest.raises(FileExistsError):
        write_template(blank)
    assert blank.read_bytes() == before
    assert write_template(blank, overwrite=True) == blank
    assert load_workbook(blank).sheetnames[0] == "ジャーニー"


def test_rejects_other_suffix(tmp_path):
    with pytest.raises(ValueError):
        write_template(tmp_path / "journey.csv")


def test_english_template(tmp_path):
    book = load_workbook(write_template(tmp_path / "journey_en.xlsx", lang="en"))
    assert book.sheetnames == ["Journey", "How to fill in"]
    assert [cell.value for cell in book.worksheets[0][1]][:3] == ["Persona", "Scenario", "Step"]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_filled_template_reads_back_as_the_journey_table(tmp_path, lang):
    expected = sm.generate_sample(50)["journey"]
    path = write_template(tmp_path / "journey.xlsx", lang=lang)
    book = load_workbook(path)
    sheet = book.worksheets[0]
    for row in expected[list(JOURNEY_COLUMNS)].itertuples(index=False):
        sheet.append([None if pd.isna(value) else value for value in row])
    book.save(path)

    read = io.read_table(path, "journey")
    assert read.problems == []
    assert read.lines.tolist() == list(range(2, len(expected) + 2))
    pd.testing.assert_frame_equal(read.frame[expected.columns], expected)
