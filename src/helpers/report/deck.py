"""The slide deck of a run (``kando run --pptx``): cover, summary, journey maps, one slide per section.

Every number on a slide is a recorded key figure (:mod:`helpers.report.key_figures`)
and every chart an image the notebook drew, so the deck says what the report
says.  Text is set in a Japanese font (:data:`DECK_FONT`, with ``lang="ja-JP"``
so PowerPoint falls back to an East Asian font if it is missing).
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from pathlib import Path

from helpers.report.key_figures import KeyFigure
from helpers.report.summary import figure_basis, figure_sentence, format_figure, ordered_figures, summary_text

#: Font of every text on the slides: Yu Gothic is on Windows and macOS; LibreOffice substitutes
#: the installed Japanese font (IPAexGothic, Noto Sans CJK) through fontconfig.
DECK_FONT = "Yu Gothic"
#: File name of the deck inside a run folder.
DECK_FILE = "deck.pptx"
#: Cells with this tag hold a section's key chart (else its first chart is used).
KEY_CHART_TAG = "key-chart"

_NAVY = (0x12, 0x35, 0x5B)
_BLUE = (0x00, 0x72, 0xB2)
_GREY = (0x5B, 0x65, 0x73)
_ROWS_PER_SLIDE = 8

_TEXT = {
    "ja": {"report": "顧客体験レポート", "period": "データ期間", "as_of": "基準日", "created": "作成日時",
           "journey": "カスタマージャーニーマップ", "no_chart": "（この章に図はありません）"},
    "en": {"report": "Customer Experience Report", "period": "Data period", "as_of": "As of", "created": "Created",
           "journey": "Customer journey map", "no_chart": "(no chart in this section)"},
}


@dataclass
class DeckSection:
    """One section's slide: its title, key chart (PNG bytes) and recorded figures."""

    title: str
    chart: bytes | None = None
    figures: list[KeyFigure] = field(default_factory=list)


def key_chart(notebook) -> bytes | None:
    """PNG bytes of a notebook's key chart: the first image of a cell tagged
    ``key-chart``, else its first image outside the journey maps; ``None`` when it has none."""
    first = None
    for cell in notebook.cells:
        if cell.get("cell_type") != "code":
            continue
        tags = set(cell.get("metadata", {}).get("tags", []))
        if "journey-map" in tags or "remove-cell" in tags:
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/png" in data:
                png = base64.b64decode(data["image/png"])
                if KEY_CHART_TAG in tags:
                    return png
                first = first or png
    return first


def takeaway(figures: list[KeyFigure], lang: str = "ja") -> str | None:
    """The one-line takeaway of a section: its headline figure (else its first) as a sentence."""
    if not figures:
        return None
    headline = next((f for f in figures if f.headline), figures[0])
    return figure_sentence(headline, lang)


def _style(run, size: float, bold: bool = False, color=_NAVY) -> None:
    from pptx.dml.color import RGBColor
    from pptx.oxml.ns import qn
    from pptx.util import Pt

    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = DECK_FONT
    run.font.color.rgb = RGBColor(*color)
    properties = run._r.get_or_add_rPr()
    properties.set("lang", "ja-JP")
    properties.set("altLang", "en-US")
    for slot in ("a:ea", "a:cs"):
        element = properties.find(qn(slot))
        if element is None:
            element = properties.makeelement(qn(slot), {})
            properties.append(element)
        element.set("typeface", DECK_FONT)


def _text_box(slide, left, top, width, height, lines, size=18, bold=False, color=_NAVY):
    from pptx.util import Inches

    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    frame = box.text_frame
    frame.word_wrap = True
    for i, line in enumerate([lines] if isinstance(lines, str) else lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        _style(paragraph.add_run(), size, bold, color)
        paragraph.runs[0].text = line
    return box


def _title(slide, text: str) -> None:
    from pptx.dml.color import RGBColor
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.util import Inches

    _text_box(slide, 0.5, 0.3, 12.3, 0.8, text, size=26, bold=True)
    bar = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(0.5), Inches(1.05), Inches(12.3), Inches(0.04))
    bar.fill.solid()
    bar.fill.fore_color.rgb = RGBColor(*_BLUE)
    bar.line.fill.background()


def _picture(slide, png: bytes, left, top, width, height) -> None:
    """Place a PNG as large as fits the box, centred, keeping its proportions."""
    from PIL import Image
    from pptx.util import Inches

    with Image.open(io.BytesIO(png)) as image:
        ratio = image.width / image.height
    w, h = (width, width / ratio) if width / ratio <= height else (height * ratio, height)
    slide.shapes.add_picture(io.BytesIO(png), Inches(left + (width - w) / 2), Inches(top + (height - h) / 2),
                             Inches(w), Inches(h))


def _summary_slides(prs, figures: list[KeyFigure], pages: dict, lang: str) -> None:
    from pptx.util import Inches

    rows = ordered_figures(figures)
    chunks = [rows[i : i + _ROWS_PER_SLIDE] for i in range(0, len(rows), _ROWS_PER_SLIDE)] or [[]]
    for number, chunk in enumerate(chunks):
        slide = prs.slides.add_slide(prs.slide_layouts[6])
        _title(slide, summary_text("heading" if number == 0 else "continued", lang))
        if not chunk:
            continue
        header = [summary_text(k, lang) for k in ("finding", "value", "basis", "page")]
        shape = slide.shapes.add_table(len(chunk) + 1, 4, Inches(0.5), Inches(1.3), Inches(12.3), Inches(0.5))
        table = shape.table
        for column, width in enumerate((5.2, 2.2, 4.1, 0.8)):
            table.columns[column].width = Inches(width)
        for column, text in enumerate(header):
            cell = table.cell(0, column)
            cell.text = ""
            _style(cell.text_frame.paragraphs[0].add_run(), 12, True, (0xFF, 0xFF, 0xFF))
            cell.text_frame.paragraphs[0].runs[0].text = text
        for row, figure in enumerate(chunk, start=1):
            label = figure.text(lang) + (f"「{figure.subject}」" if figure.subject else "")
            value = summary_text("not_computed", lang) if figure.value is None else format_figure(figure, lang=lang)
            basis = figure.why(lang) if figure.value is None else figure_basis(figure, lang)
            page = pages.get(f"{figure.notebook}#{figure.anchor}")
            for column, text in enumerate((label, value, basis or "", "" if page is None else str(page))):
                cell = table.cell(row, column)
                cell.text = ""
                _style(cell.text_frame.paragraphs[0].add_run(), 13 if column == 1 else 11, column == 1)
                cell.text_frame.paragraphs[0].runs[0].text = text


def write_deck(
    path: str | Path,
    brand: str,
    facts: list[tuple[str, str]],
    figures: list[KeyFigure],
    journey_maps: list[Path],
    sections: list[DeckSection],
    lang: str = "ja",
    pages: dict | None = None,
) -> Path:
    """Write the deck.

    Parameters
    ----------
    path : str or pathlib.Path
    brand : str
    facts : list of (str, str)
        Cover lines (label, value), e.g. the data period.
    figures : list of KeyFigure
        Every recorded key figure of the run (the summary slides).
    journey_maps : list of pathlib.Path
        PNG exports of the journey maps, one slide each.
    sections : list of DeckSection
        One slide each, in report order.
    lang : {"ja", "en"}
    pages : dict, optional
        ``"<notebook>#<anchor>"`` -> page of the combined PDF (summary column).

    Returns
    -------
    pathlib.Path
    """
    from pptx import Presentation
    from pptx.util import Inches

    text = _TEXT["en" if lang == "en" else "ja"]
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    blank = prs.slide_layouts[6]

    cover = prs.slides.add_slide(blank)
    _text_box(cover, 0.8, 2.0, 11.7, 0.6, text["report"], size=20, color=_BLUE)
    _text_box(cover, 0.8, 2.6, 11.7, 1.2, brand, size=40, bold=True)
    _text_box(cover, 0.8, 4.2, 11.7, 2.0, [f"{k}: {v}" for k, v in facts], size=16, color=_GREY)

    _summary_slides(prs, figures, pages or {}, lang)

    for png in journey_maps:
        slide = prs.slides.add_slide(blank)
        _picture(slide, png.read_bytes(), 0.3, 0.2, 12.7, 7.1)

    for section in sections:
        slide = prs.slides.add_slide(blank)
        _title(slide, section.title)
        line = takeaway(section.figures, lang)
        if section.chart is not None:
            _picture(slide, section.chart, 0.8, 1.3, 11.7, 4.9 if line else 5.9)
        else:
            _text_box(slide, 0.8, 3.0, 11.7, 0.6, text["no_chart"], size=14, color=_GREY)
        if line:
            _text_box(slide, 0.8, 6.35, 11.7, 0.9, line, size=16, bold=True)
    path = Path(path)
    prs.save(str(path))
    return path


def deck_text(path: str | Path) -> str:
    """All text of a deck (text frames and tables), for the personal-data scan."""
    from pptx import Presentation

    parts = []
    for slide in Presentation(str(path)).slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if getattr(shape, "has_table", False) and shape.has_table:
                parts += [cell.text for row in shape.table.rows for cell in row.cells]
    return "\n".join(parts)
