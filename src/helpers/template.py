"""Blank journey worksheet (.xlsx) for workshop participants.

The workbook has the data sheet first (「ジャーニー」), whose header row holds
the display labels of the journey columns, so :func:`helpers.io.read_table`
maps it straight back to the data contract, and an instructions sheet
(「記入方法」).  Drop-down lists and number limits stop most typing errors
while the sheet is filled in, before the loader ever sees it.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from helpers.labels import CHANNELS, JOURNEY_STAGES, SCENARIOS, check_lang, label

#: Columns of the worksheet, in sheet order.
JOURNEY_COLUMNS: tuple[str, ...] = (
    "persona",
    "scenario",
    "step",
    "stage",
    "touchpoint",
    "channel",
    "action",
    "thought",
    "emotion",
    "expectation",
    "evaluation",
    "improvement",
)
#: Name of the data sheet and of the instructions sheet, by language.
DATA_SHEET = {"ja": "ジャーニー", "en": "Journey"}
INSTRUCTIONS_SHEET = {"ja": "記入方法", "en": "How to fill in"}
#: Rows below the header that carry the drop-downs and number limits.
TEMPLATE_ROWS = 300

EMOTION_RANGE = (-5, 5)
RATING_RANGE = (1, 5)

_WIDTHS = {
    "persona": 26,
    "scenario": 14,
    "step": 9,
    "stage": 18,
    "touchpoint": 20,
    "channel": 11,
    "action": 36,
    "thought": 36,
    "emotion": 12,
    "expectation": 9,
    "evaluation": 9,
    "improvement": 40,
}
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_REQUIRED = {"persona", "scenario", "step", "stage", "touchpoint", "emotion"}

# (column, ja explanation, en explanation, example)
_COLUMN_HELP: tuple[tuple[str, str, str, str], ...] = (
    ("persona", "誰の体験かを一言で書きます。", "Whose experience, in a few words.", "健康志向の40代女性 佐藤さん"),
    (
        "scenario",
        "リストから選びます。as_is = 現状の体験、to_be = 理想の体験。同じペルソナで両方書くと比べられます。",
        "Pick from the list: as_is = today's experience, to_be = the ideal one. "
        "Write both for a persona to compare them.",
        "as_is",
    ),
    (
        "step",
        "体験の順番です。ペルソナ・シナリオごとに 1, 2, 3 … と数えます。",
        "Order of the step: 1, 2, 3 ... within each persona and scenario.",
        "6",
    ),
    (
        "stage",
        "リストから選びます（認知 〜 推奨・ファン化 の7段階）。",
        "Pick from the list (7 stages, awareness to advocacy).",
        "受け取り・初回使用",
    ),
    (
        "touchpoint",
        "顧客と会社が接する場面やもの。顧客接点評価アンケートと同じ名前にすると、評価データと突き合わせられます。",
        "Where customer and company meet. Use the names of the touchpoint survey to match its ratings.",
        "開封・初回使用",
    ),
    (
        "channel",
        "接点のチャネルをリストから選びます（当てはまらなければ直接入力も可）。",
        "Channel of the touchpoint, from the list (or type another).",
        "同梱物",
    ),
    ("action", "顧客がしていること。", "What the customer does.", "箱を開けて初めて水に溶かして飲む"),
    ("thought", "顧客が考えていること・心の声。", "What the customer thinks.", "粉が溶けない。続けられるか不安"),
    (
        "emotion",
        "そのときの気持ちを −5（とても不快）〜 0（ふつう）〜 +5（感動）の整数で。",
        "Feeling at that moment, a whole number from -5 (very unhappy) through 0 (neutral) to +5 (delighted).",
        "-3",
    ),
    (
        "expectation",
        "その接点への事前の期待。1（低い）〜 5（高い）。",
        "Expectation before the touchpoint, 1 (low) to 5 (high).",
        "4",
    ),
    (
        "evaluation",
        "体験した後の評価。1（低い）〜 5（高い）。期待より低いと不満、期待を上回ると感動につながります。",
        "Evaluation after it, 1 (low) to 5 (high). Below expectation means complaints; above it, word of mouth.",
        "2",
    ),
    (
        "improvement",
        "感情が落ち込む接点の改善アイデア。",
        "Improvement idea for the dips.",
        "溶かし方カードとシェイカーを同梱する",
    ),
)

_STEPS_JA = (
    "「ジャーニー」シートの2行目から、1行に1ステップずつ記入します。見出し行（1行目）は変えないでください。",
    "ペルソナとシナリオ（as_is / to_be）ごとに、ステップ1から体験の順に書きます。",
    "ファイルを journey.xlsx という名前で、customers.csv や orders.csv と同じデータフォルダに保存します。",
    "kando validate <データフォルダ> で内容を確認します。問題があれば、行番号・列・値・ルールが表示されます。",
    "kando run --data <データフォルダ> でレポートを作ります（ワークショップではノートブックの data_dir にフォルダを指定）。"  # noqa: E501
    "感情曲線と、期待と評価の差から見える不満・感動の接点がわかります。",
)
_STEPS_EN = (
    "On the 'Journey' sheet, write one step per row from row 2. Do not change the header row.",
    "For each persona and scenario (as_is / to_be), write the steps in order from step 1.",
    "Save the file as journey.xlsx in the data folder, next to customers.csv and orders.csv.",
    "Check it with: kando validate <data folder>. Problems are listed with row, column, value and rule.",
    "Make the reports with: kando run --data <data folder> (in a workshop, set the notebook's data_dir). "
    "They show the emotion curve and where evaluation falls short of or beats expectation.",
)


def write_template(path: str | Path, lang: str = "ja", overwrite: bool = False) -> Path:
    """Write a blank journey worksheet.

    Parameters
    ----------
    path : str or pathlib.Path
        Output ``.xlsx`` file; its folder is created if missing.
    lang : {"ja", "en"}
        Language of the headers, sheet names and instructions.  Both are read
        back by :func:`helpers.io.read_table`.
    overwrite : bool
        Replace an existing file.  Without it an existing file is an error.

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    FileExistsError
        If ``path`` exists and ``overwrite`` is false.
    ValueError
        If ``path`` does not end in ``.xlsx`` or ``lang`` is unknown.
    """
    lang = check_lang(lang)
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ValueError(f"ファイル名は .xlsx で終わる必要があります / the file must end in .xlsx: {path}")
    if path.exists() and not overwrite:
        raise FileExistsError(
            f"{path} は既にあります（上書きするには overwrite=True） / {path} exists (pass overwrite=True)"
        )
    workbook = Workbook()
    data_sheet = workbook.active
    data_sheet.title = DATA_SHEET[lang]
    _fill_data_sheet(data_sheet, lang)
    _fill_instructions(workbook.create_sheet(INSTRUCTIONS_SHEET[lang]), lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def _column_letter(column: str) -> str:
    return get_column_letter(JOURNEY_COLUMNS.index(column) + 1)


def _cells(column: str) -> str:
    letter = _column_letter(column)
    return f"{letter}2:{letter}{TEMPLATE_ROWS + 1}"


def _fill_data_sheet(sheet: Worksheet, lang: str) -> None:
    """Header row, widths, frozen header, drop-downs and number limits."""
    for position, column in enumerate(JOURNEY_COLUMNS, start=1):
        cell = sheet.cell(row=1, column=position, value=label(column, lang))
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(position)].width = _WIDTHS[column]
    sheet.row_dimensions[1].height = 30
    sheet.freeze_panes = "A2"
    # column styles, not cell styles: cells that exist count as rows to read
    for column in ("action", "thought", "improvement"):
        sheet.column_dimensions[_column_letter(column)].alignment = Alignment(wrap_text=True, vertical="top")
    for validation in _validations(lang):
        sheet.add_data_validation(validation)
    low, high = EMOTION_RANGE
    sheet.conditional_formatting.add(
        _cells("emotion"),
        ColorScaleRule(
            start_type="num",
            start_value=low,
            start_color="F8696B",
            mid_type="num",
            mid_value=0,
            mid_color="FFFFFF",
            end_type="num",
            end_value=high,
            end_color="63BE7B",
        ),
    )


def _list_validation(column: str, values, lang: str, strict: bool = True) -> DataValidation:
    """In-cell drop-down; ``strict=False`` warns about other values but allows them."""
    ja = lang == "ja"
    validation = DataValidation(
        type="list",
        formula1='"' + ",".join(values) + '"',
        allow_blank=True,
        showDropDown=False,  # False shows the in-cell arrow (the name is inverted in Excel)
        showErrorMessage=True,
        errorStyle="stop" if strict else "warning",
        errorTitle=label(column, lang),
        error=("リストから選んでください。" if ja else "Please pick a value from the list.")
        + ("" if strict else (" 別の値のままでよければ「はい」。" if ja else " Choose Yes to keep another value.")),
        promptTitle=label(column, lang),
        prompt="リストから選んでください" if ja else "Pick from the list",
        showInputMessage=True,
    )
    validation.add(_cells(column))
    return validation


def _whole_number_validation(
    column: str, low: int, high: int | None, lang: str, rule: tuple[str, str] | None = None
) -> DataValidation:
    """Whole numbers from ``low`` to ``high`` (no upper limit when None)."""
    ja = lang == "ja"
    if high is None:
        rule_ja, rule_en = rule or (f"{low} 以上の整数", f"a whole number of at least {low}")
        validation = DataValidation(type="whole", operator="greaterThanOrEqual", formula1=str(low))
    else:
        rule_ja, rule_en = rule or (f"{low} から {high} までの整数", f"a whole number from {low} to {high}")
        validation = DataValidation(type="whole", operator="between", formula1=str(low), formula2=str(high))
    validation.allow_blank = True
    validation.showErrorMessage = True
    validation.errorStyle = "stop"
    validation.errorTitle = label(column, lang)
    validation.error = f"{rule_ja}を入力してください。" if ja else f"Please enter {rule_en}."
    validation.showInputMessage = True
    validation.promptTitle = label(column, lang)
    validation.prompt = f"{rule_ja}" if ja else rule_en.capitalize()
    validation.add(_cells(column))
    return validation


def _validations(lang: str) -> list[DataValidation]:
    """Drop-downs and number limits of the data sheet."""
    return [
        _list_validation("scenario", SCENARIOS, lang),
        _list_validation("stage", JOURNEY_STAGES, lang),
        _list_validation("channel", CHANNELS, lang, strict=False),
        _whole_number_validation("step", 1, None, lang),
        _whole_number_validation(
            "emotion",
            *EMOTION_RANGE,
            lang,
            rule=(
                "−5（とても不快）から +5（感動）までの整数",
                "a whole number from -5 (very unhappy) to +5 (delighted)",
            ),
        ),
        _whole_number_validation("expectation", *RATING_RANGE, lang),
        _whole_number_validation("evaluation", *RATING_RANGE, lang),
    ]


def _fill_instructions(sheet: Worksheet, lang: str) -> None:
    """Title, steps to follow, and one row per column with its meaning."""
    ja = lang == "ja"
    bold = Font(bold=True)
    sheet["A1"] = "ジャーニーワークシートの記入方法" if ja else "How to fill in the journey worksheet"
    sheet["A1"].font = Font(bold=True, size=14)
    row = 3
    sheet.cell(row=row, column=1, value="手順" if ja else "Steps").font = bold
    for number, text in enumerate(_STEPS_JA if ja else _STEPS_EN, start=1):
        row += 1
        sheet.cell(row=row, column=1, value=number)
        sheet.cell(row=row, column=2, value=text)
        sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=4)

    row += 2
    headings = ("列", "必須", "説明", "記入例") if ja else ("Column", "Required", "Meaning", "Example")
    for position, heading in enumerate(headings, start=1):
        cell = sheet.cell(row=row, column=position, value=heading)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
    for column, help_ja, help_en, example in _COLUMN_HELP:
        row += 1
        required = column in _REQUIRED
        sheet.cell(row=row, column=1, value=label(column, lang))
        sheet.cell(row=row, column=2, value=("必須" if ja else "yes") if required else ("任意" if ja else "no"))
        sheet.cell(row=row, column=3, value=help_ja if ja else help_en)
        sheet.cell(row=row, column=4, value=example)

    row += 2
    sheet.cell(row=row, column=1, value="選べる値" if ja else "Allowed values").font = bold
    for key, values in (("stage", JOURNEY_STAGES), ("scenario", SCENARIOS), ("channel", CHANNELS)):
        row += 1
        sheet.cell(row=row, column=1, value=label(key, lang))
        sheet.cell(row=row, column=3, value=" / ".join(values))

    for letter, width in zip("ABCD", (18, 8, 90, 34), strict=False):
        sheet.column_dimensions[letter].width = width
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
