"""Executed notebooks to PDF: nbconvert HTML without code, then WeasyPrint.

No browser, no LaTeX, no network: nbconvert's ``basic`` template renders only
the cells (no page CSS, no MathJax or require.js), and the page style comes
from ``helpers/assets/report.css``.  IPAexGothic, shipped by
matplotlib-fontja, is loaded with ``@font-face`` from its file; without it
every Japanese character of the PDF would be a box.
"""

from __future__ import annotations

import copy
import datetime as _dt
import html
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from helpers.report.execute import ERROR_MARKER_TAG, is_stray_output
from helpers.report.key_figures import KEY_FIGURE_MIME

ASSETS_DIR = Path(__file__).resolve().parents[1] / "assets"
#: Font family of every report (IPAexGothic, as in the charts).
REPORT_FONT = "IPAexGothic"
#: Page style of every report.
REPORT_CSS = ASSETS_DIR / "report.css"

#: Cells tagged with these are left out of reports; outputs of the second set are.
REMOVE_CELL_TAGS = frozenset({"remove-cell", "remove_cell"})
REMOVE_OUTPUT_TAGS = frozenset({"remove-output", "remove_output"})

#: A table with more columns than this is set in a smaller font across the page.
WIDE_TABLE_COLUMNS = 8
#: Width of the text block of an A4 page with the report's margins.
TEXT_WIDTH_MM = 210 - 16 - 16 - 4

_NUMBER = re.compile(r"^[-+−±]?[¥$]?\s?[\d,]*\.?\d+(?:[eE][-+]?\d+)?\s?(?:%|％|円|人|件|日|倍|回|pt|ポイント)?$")
_MISSING = {"", "NaN", "nan", "<NA>", "NaT", "None", "-", "—"}

_TEXT = {
    "ja": {
        "report": "顧客体験レポート",
        "period": "データ期間",
        "as_of": "基準日",
        "run_date": "作成日時",
        "changed": "既定値から変更した設定",
        "see_appendix": "設定の値は付録の一覧にあります。",
        "appendix": "付録: パラメータ一覧",
        "none_changed": "すべて既定値です。",
        "skipped": "データがないため省略したレポート",
        "toc": "目次",
        "parameter": "パラメータ",
        "value": "値",
        "description": "説明",
        "no_data": "—",
        "date": "{d.year}年{d.month}月{d.day}日",
        "datetime": "{d.year}年{d.month}月{d.day}日 {d:%H:%M}",
        "range": "{start} 〜 {end}",
    },
    "en": {
        "report": "Customer Experience Report",
        "period": "Data period",
        "as_of": "As of",
        "run_date": "Created",
        "changed": "Settings changed from the defaults",
        "see_appendix": "Their values are listed in the appendix.",
        "appendix": "Appendix: parameters",
        "none_changed": "All parameters at their defaults.",
        "skipped": "Reports left out for want of data",
        "toc": "Contents",
        "parameter": "Parameter",
        "value": "Value",
        "description": "Meaning",
        "no_data": "—",
        "date": "{d:%Y-%m-%d}",
        "datetime": "{d:%Y-%m-%d %H:%M}",
        "range": "{start} – {end}",
    },
}


def ui_text(key: str, lang: str = "ja") -> str:
    """Fixed text of the cover and contents pages in ``lang``."""
    return _TEXT["en" if lang == "en" else "ja"][key]


def format_date(value, lang: str = "ja", with_time: bool = False) -> str:
    """``2025年12月31日`` (ja) or ``2025-12-31`` (en); ``—`` when missing."""
    if value is None:
        return ui_text("no_data", lang)
    import pandas as pd

    stamp = pd.Timestamp(value)
    if pd.isna(stamp):
        return ui_text("no_data", lang)
    return ui_text("datetime" if with_time else "date", lang).format(d=stamp)


@dataclass
class Section:
    """One notebook's part of a report.

    Attributes
    ----------
    key : str
        Notebook stem, used as the anchor (``01_loyalty``).
    title : str
        The notebook's first heading: running header and contents entry.
    body : str
        HTML of the cells (from :func:`notebook_body_html`).
    """

    key: str
    title: str
    body: str


@dataclass
class Cover:
    """What the cover page of a combined report shows.

    Attributes
    ----------
    brand : str
    period : tuple of (Timestamp or None, Timestamp or None)
        First and last order date in the data.
    run_date : datetime.datetime
    as_of : str or None
    changed : dict
        Parameters whose value differs from the notebooks' defaults.
    descriptions : dict
        Parameter name -> the comment of its line in the parameters cell.
    skipped : list of str
        One sentence per set of absent tables, naming the notebooks left out.
    """

    brand: str
    period: tuple
    run_date: _dt.datetime
    as_of: str | None = None
    changed: dict = field(default_factory=dict)
    descriptions: dict = field(default_factory=dict)
    skipped: list = field(default_factory=list)


def _anchor_output(output):
    """A recorded key figure as an empty anchor: the summary finds its page by it."""
    import nbformat

    figure = output["data"][KEY_FIGURE_MIME]
    anchor = html.escape(figure.get("anchor", "") if isinstance(figure, dict) else "")
    return nbformat.v4.new_output("display_data", data={"text/html": f'<span class="kf-anchor" id="{anchor}"></span>'})


def notebook_language(notebook) -> str:
    """The ``lang`` a notebook ran with: papermill's injected value, else its parameters cell, else ``"ja"``."""
    injected = notebook.get("metadata", {}).get("papermill", {}).get("parameters", {})
    if injected.get("lang") in ("ja", "en"):
        return injected["lang"]
    for cell in notebook.get("cells", []):
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            match = re.search(r"^lang\s*=\s*[\"'](ja|en)[\"']", "".join(cell.get("source", "")), re.M)
            if match:
                return match.group(1)
    return "ja"


def report_notebook(notebook, lang: str | None = None):
    """A copy of an executed notebook with only what a client should see.

    Removes markdown cells written for the other language (tagged
    ``lang-ja`` / ``lang-en``; ``lang`` defaults to the one the notebook ran
    with), papermill's error markers, cells tagged ``remove-cell``, outputs
    of cells tagged ``remove-output``, stderr streams (warnings) and stray
    reprs such as ``<Figure size ...>`` or ``[<matplotlib.lines.Line2D ...>]``.
    """
    from helpers.report.notebooks import cell_language

    lang = lang or notebook_language(notebook)
    clean = copy.deepcopy(notebook)
    cells = []
    for cell in clean.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if ERROR_MARKER_TAG in tags or REMOVE_CELL_TAGS & tags or cell_language(cell) not in (None, lang):
            continue
        if cell.get("cell_type") == "code":
            if REMOVE_OUTPUT_TAGS & tags:
                cell.outputs = []
            else:
                cell.outputs = [
                    _anchor_output(o) if KEY_FIGURE_MIME in o.get("data", {}) else o
                    for o in cell.get("outputs", [])
                    if o.get("output_type") != "error" and is_stray_output(o) is None
                ]
        cells.append(cell)
    clean.cells = cells
    return clean


def _exporter():
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="basic",  # cells only: no page CSS, MathJax or require.js
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        anchor_link_text="",
    )


def _is_number(text: str) -> bool:
    return text not in _MISSING and bool(_NUMBER.match(text))


def _align_table(table) -> None:
    """Right-align number cells, and the headers of all-number columns."""
    body_rows = table.find("tbody").find_all("tr") if table.find("tbody") else []
    numeric: dict[int, bool] = {}
    for row in body_rows:
        cells = row.find_all(["th", "td"], recursive=False)
        simple = all(int(c.get("colspan", 1)) == 1 and int(c.get("rowspan", 1)) == 1 for c in cells)
        for position, cell in enumerate(cells):
            text = cell.get_text(strip=True)
            if _is_number(text):
                cell["class"] = cell.get("class", []) + ["num"]
                numeric.setdefault(position, True)
            elif text not in _MISSING:
                numeric[position] = False
        if not simple:
            numeric.clear()
            break
    for row in body_rows:
        for position, cell in enumerate(row.find_all(["th", "td"], recursive=False)):
            if numeric.get(position) and cell.get_text(strip=True) in _MISSING:
                cell["class"] = cell.get("class", []) + ["num"]
    head = table.find("thead")
    if head is None:
        return
    for row in head.find_all("tr"):
        if row.get("style"):
            del row["style"]  # pandas right-aligns every header
    header_rows = head.find_all("tr")
    if numeric and header_rows:
        cells = header_rows[-1].find_all(["th", "td"], recursive=False)
        if all(int(c.get("colspan", 1)) == 1 for c in cells):
            for position, cell in enumerate(cells):
                if numeric.get(position):
                    cell["class"] = cell.get("class", []) + ["num"]


def _merge_index_name_row(table) -> None:
    """Fold pandas' second header row (the index name alone) into the corner cell."""
    head = table.find("thead")
    rows = head.find_all("tr", recursive=False) if head else []
    if len(rows) < 2:
        return
    last, above = rows[-1].find_all(["th", "td"], recursive=False), rows[-2].find_all(["th", "td"], recursive=False)
    if not last or not above or any(c.get_text(strip=True) for c in last[1:]):
        return
    if above[0].get_text(strip=True) or int(above[0].get("colspan", 1)) != 1 or int(above[0].get("rowspan", 1)) != 1:
        return
    if len(rows) > 2 and any(int(c.get("colspan", 1)) > 1 for c in above):
        return  # multi-level columns: keep pandas' layout
    above[0].string = last[0].get_text(strip=True)
    rows[-1].decompose()


def _text_width_mm(text: str, font_pt: float) -> float:
    """Rough printed width: full-width characters 1 em, others 0.55 em."""
    ems = sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in text)
    return ems * font_pt * 0.3528


def _keep_short_cells_whole(table, font_pt: float, padding_mm: float) -> None:
    """Stop short labels and headers from breaking mid-word (``カスタマーサ/ポート``).

    Japanese text may break between any two characters, so a narrow column
    splits even short labels.  Cells of at most ``limit`` characters get
    ``nowrap`` when the table, so widened, still fits the text width.
    """
    rows = table.find_all("tr")
    grid = [row.find_all(["th", "td"], recursive=False) for row in rows]
    if any(int(c.get("colspan", 1)) != 1 or int(c.get("rowspan", 1)) != 1 for r in grid for c in r):
        return
    columns = max((len(r) for r in grid), default=0)
    for limit in (14, 10, 7, 4):
        widths = [padding_mm + 3.0] * columns  # a long cell still needs a few characters
        for row in grid:
            for position, cell in enumerate(row):
                text = cell.get_text(strip=True)
                if len(text) <= limit:
                    widths[position] = max(widths[position], padding_mm + _text_width_mm(text, font_pt))
        if sum(widths) <= TEXT_WIDTH_MM:
            for row in grid:
                for cell in row:
                    if len(cell.get_text(strip=True)) <= limit:
                        cell["class"] = cell.get("class", []) + ["nw"]
            return


def _polish(body: str) -> str:
    """Drop scripts and pandas' scoped styles, align numbers, size tables by width."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(body, "html.parser")
    for tag in soup.find_all("script"):
        tag.decompose()
    for tag in soup.find_all("style", attrs={"scoped": True}):
        tag.decompose()  # pandas' default table CSS; report.css styles tables
    for tag in soup.find_all("a", class_="anchor-link"):
        tag.decompose()
    for table in soup.find_all("table"):
        first_row = table.find("tr")
        columns = sum(int(c.get("colspan", 1)) for c in first_row.find_all(["th", "td"])) if first_row else 0
        classes = [c for c in table.get("class", []) if c != "wide"]
        if columns > WIDE_TABLE_COLUMNS:
            classes.append("wide")
        table["class"] = classes
        if table.get("border") is not None:
            del table["border"]
        _merge_index_name_row(table)
        _align_table(table)
        wide = "wide" in classes
        _keep_short_cells_whole(table, 6.5 if wide else 8.0, 6 * 0.3528 if wide else 12 * 0.3528)
    for cell in soup.select("div.code_cell"):
        if not cell.get_text(strip=True) and cell.find(["img", "svg", "table", "iframe", "span"]) is None:
            cell.decompose()
    return str(soup)


def notebook_body_html(notebook) -> str:
    """The cells of an executed notebook as an HTML fragment, without code.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        An executed notebook.

    Returns
    -------
    str
        HTML of the markdown cells and the outputs (tables, charts, text).
    """
    body, _ = _exporter().from_notebook_node(report_notebook(notebook))
    return _polish(body)


def _package_dir(name: str) -> Path:
    """Folder of an installed package, found without importing it (importing
    helpers.plotting would load pyplot and seaborn: seconds per process)."""
    from importlib.util import find_spec

    spec = find_spec(name)
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError(name)
    return Path(spec.origin).parent


def report_font_path() -> Path:
    """IPAexGothic shipped by matplotlib-fontja: the file of
    :func:`helpers.plotting.font_path`."""
    return _package_dir("matplotlib_fontja") / "fonts" / "ipaexg.ttf"


def mono_font_path() -> Path:
    """DejaVu Sans Mono shipped by matplotlib, for text outputs."""
    return _package_dir("matplotlib") / "mpl-data" / "fonts" / "ttf" / "DejaVuSansMono.ttf"


def _font_css() -> str:
    gothic = report_font_path().as_uri()
    mono = mono_font_path().as_uri()
    faces = [
        f'@font-face {{ font-family: "{REPORT_FONT}"; src: url("{gothic}"); font-weight: {weight}; }}'
        for weight in ("normal", "bold")
    ]
    faces.append(f'@font-face {{ font-family: "Kando Mono"; src: url("{mono}"); }}')
    return "\n".join(faces)


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _page_css(brand: str) -> str:
    return f"@page {{ @top-left {{ content: {_css_string(brand)}; }} }}"


def _section_html(section: Section) -> str:
    return (
        f'<section class="report" id="{html.escape(section.key)}" data-title="{html.escape(section.title)}">\n'
        f"{section.body}\n</section>"
    )


def _short_meaning(text: str) -> str:
    """A parameter's meaning without its list of coded choices (``NPSの95%区間: "wald" ...`` -> ``NPSの95%区間``)."""
    return re.split(r':\s*"|\s"|（.*"|\(.*"', text, maxsplit=1)[0].strip(" :：")


def _cover_html(cover: Cover, lang: str) -> str:
    esc = html.escape
    start, end = cover.period
    period = (
        ui_text("range", lang).format(start=format_date(start, lang), end=format_date(end, lang))
        if start is not None
        else ui_text("no_data", lang)
    )
    facts = [
        (ui_text("period", lang), period),
        (ui_text("as_of", lang), format_date(cover.as_of, lang) if cover.as_of else ui_text("no_data", lang)),
        (ui_text("run_date", lang), format_date(cover.run_date, lang, with_time=True)),
    ]
    fact_rows = "\n".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in facts)
    if cover.changed:
        from helpers.report.appendix import parameter_meaning

        items = "".join(
            f"<li>{esc(_short_meaning(parameter_meaning(k, cover.descriptions.get(k, ''), lang)) or k)}</li>"
            for k in cover.changed
        )
        changed = f'<ul class="cover-params">{items}</ul><p class="cover-note">{esc(ui_text("see_appendix", lang))}</p>'
    else:
        changed = f'<p class="cover-note">{esc(ui_text("none_changed", lang))}</p>'
    skipped = (
        f'<h2 class="cover-heading">{esc(ui_text("skipped", lang))}</h2>'
        f'<ul class="cover-skipped">{"".join(f"<li>{esc(s)}</li>" for s in cover.skipped)}</ul>'
        if cover.skipped
        else ""
    )
    return f"""<section class="cover">
<div class="cover-band">
<p class="cover-kicker">{esc(ui_text("report", lang))}</p>
<h1 class="cover-brand">{esc(cover.brand)}</h1>
</div>
<div class="cover-body">
<table class="cover-facts"><tbody>{fact_rows}</tbody></table>
<h2 class="cover-heading">{esc(ui_text("changed", lang))}</h2>
{changed}
{skipped}
</div>
</section>"""


def _toc_html(sections: list[Section], first_pages: list[int], lang: str) -> str:
    items = "\n".join(
        f'<li data-page="{page}"><span class="toc-title">{html.escape(s.title)}</span></li>'
        for s, page in zip(sections, first_pages, strict=False)
    )
    return f'<section class="toc"><h1 class="toc-heading">{html.escape(ui_text("toc", lang))}</h1><ol>{items}</ol></section>'  # noqa: E501


def _html_page(title: str, body: str, lang: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(lang)}"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>\n<body>\n{body}\n</body></html>"
    )


def section_html(section: Section, brand: str, lang: str = "ja") -> str:
    """One notebook's report as an HTML document."""
    return _html_page(f"{brand} — {section.title}", _section_html(section), lang)


def front_matter_html(
    cover: Cover, sections: list[Section], first_pages: list[int], lang: str = "ja", summary: str = ""
) -> str:
    """Cover page, executive summary and contents of a combined report as an HTML document.

    Parameters
    ----------
    cover : Cover
    sections : list of Section
        In report order.
    first_pages : list of int
        Page of the combined PDF on which each section starts.
    lang : {"ja", "en"}
    summary : str
        HTML of the summary pages (:func:`helpers.report.summary.summary_html`), after the cover.

    Returns
    -------
    str
    """
    body = _cover_html(cover, lang) + "\n" + summary + "\n" + _toc_html(sections, first_pages, lang)
    return _html_page(f"{cover.brand} — {ui_text('report', lang)}", body, lang)


def render_pdf(document: str, brand: str, font_config=None) -> bytes:
    """Render report HTML to PDF bytes (see :func:`render_document`)."""
    return render_document(document, brand, font_config)[0]


def render_document(document: str, brand: str, font_config=None) -> tuple[bytes, dict[str, int]]:
    """Render report HTML to PDF bytes with WeasyPrint, without page numbers.

    Page numbers are stamped afterwards by :func:`number_pages`, so that a
    notebook is laid out once and serves both its own PDF and the combined
    one.

    Parameters
    ----------
    document : str
        From :func:`section_html` or :func:`front_matter_html`.
    brand : str
        Running header text.
    font_config : weasyprint.text.fonts.FontConfiguration, optional
        Reused across calls to save font loading.

    Returns
    -------
    bytes
        The PDF.
    dict of str to int
        Key-figure anchors (``kf-...``) -> page (1-based) they are on.
    """
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    font_config = font_config or FontConfiguration()
    fetcher = URLFetcher(allowed_protocols={"file", "data"})  # offline: nothing is fetched from a network
    stylesheets = [
        CSS(string=_font_css(), font_config=font_config, url_fetcher=fetcher),
        CSS(filename=str(REPORT_CSS), font_config=font_config, url_fetcher=fetcher),
        CSS(string=_page_css(brand), font_config=font_config, url_fetcher=fetcher),
    ]
    page = HTML(string=document, base_url=str(ASSETS_DIR), url_fetcher=fetcher)
    laid_out = page.render(stylesheets=stylesheets, font_config=font_config)
    anchors = {
        name: number
        for number, one in enumerate(laid_out.pages, start=1)
        for name in one.anchors
        if name.startswith("kf-")
    }
    return laid_out.write_pdf(), anchors


def _page_number_overlay(total: int, unnumbered: int, landscape: frozenset = frozenset()) -> bytes:
    """``total`` empty A4 pages with only the footer ``n / total``; the first
    ``unnumbered`` pages (a cover) left blank, the pages in ``landscape`` (0-based) turned."""
    from weasyprint import CSS, HTML

    pages = "".join(
        f'<div class="{"blank-cover" if i < unnumbered else "blank"}{" turned" if i in landscape else ""}"></div>'
        for i in range(total)
    )
    css = CSS(string=_font_css() + PAGE_NUMBER_CSS)
    return HTML(string=f"<html><body>{pages}</body></html>").write_pdf(stylesheets=[css])


#: Footer of every numbered page (the same look as the running header).
PAGE_NUMBER_CSS = """
@page { size: A4; margin: 20mm 16mm 18mm 16mm;
  @bottom-center { content: counter(page) " / " counter(pages);
    font-family: "IPAexGothic", sans-serif; font-size: 8pt; color: #5b6573; } }
@page cover { @bottom-center { content: none; } }
div.blank, div.blank-cover { break-before: page; height: 1px; }
div.blank:first-child, div.blank-cover:first-child { break-before: auto; }
div.blank-cover { page: cover; }
@page turned { size: A4 landscape; margin: 12mm 14mm 10mm 14mm; }
div.turned { page: turned; }
"""


def number_pages(writer, unnumbered: int = 0) -> None:
    """Stamp ``n / total`` at the foot of every page of a pypdf writer.

    Parameters
    ----------
    writer : pypdf.PdfWriter
    unnumbered : int
        Leading pages left without a number (the cover).  They still count.
    """
    import io as _io

    from pypdf import PdfReader

    turned = frozenset(i for i, page in enumerate(writer.pages) if page.mediabox.width > page.mediabox.height)
    overlay = PdfReader(_io.BytesIO(_page_number_overlay(len(writer.pages), unnumbered, turned)))
    for index, page in enumerate(writer.pages):
        if index >= unnumbered:
            page.merge_page(overlay.pages[index])


def page_count(pdf: bytes) -> int:
    """Number of pages of a PDF."""
    import io as _io

    from pypdf import PdfReader

    return len(PdfReader(_io.BytesIO(pdf)).pages)


def write_numbered(pdf: bytes, path: str | Path, title: str) -> Path:
    """Write one report with page numbers.

    Parameters
    ----------
    pdf : bytes
        From :func:`render_pdf`.
    path : str or pathlib.Path
    title : str
        Document title of the PDF.

    Returns
    -------
    pathlib.Path
    """
    import io as _io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(_io.BytesIO(pdf)))
    number_pages(writer)
    writer.add_metadata({"/Title": title, "/Producer": "Kando (WeasyPrint, pypdf)"})
    path = Path(path)
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def write_combined(
    parts: list[tuple[Section, bytes]],
    cover: Cover,
    brand: str,
    path: str | Path,
    lang: str = "ja",
    summary=None,
    anchors: dict[str, dict[str, int]] | None = None,
) -> Path:
    """Write the combined report: cover, summary, contents with page numbers, every section.

    Parameters
    ----------
    parts : list of (Section, bytes)
        Each section with its PDF from :func:`render_pdf`, in report order
        (the appendix last, when there is one).
    cover : Cover
    brand : str
    path : str or pathlib.Path
    lang : {"ja", "en"}
    summary : helpers.report.summary.SummaryInput, optional
        Key figures for the summary pages; their pages in the combined PDF
        are stored in ``summary.pages`` (anchor -> page).
    anchors : dict, optional
        Section key -> {key-figure anchor -> page within the section}.

    Returns
    -------
    pathlib.Path
    """
    import io as _io

    from pypdf import PdfReader, PdfWriter

    from helpers.report.summary import summary_html

    sections = [section for section, _ in parts]
    readers = [PdfReader(_io.BytesIO(pdf)) for _, pdf in parts]
    front_pages, front = (4 if summary is not None else 2), b""  # cover, summary (2), contents
    for _ in range(4):  # the summary and contents may run over: lay out again with the right start pages
        first_pages, page = [], front_pages + 1
        for reader in readers:
            first_pages.append(page)
            page += len(reader.pages)
        summary_part = ""
        if summary is not None:
            starts = {s.key: p for s, p in zip(sections, first_pages, strict=True)}
            summary.pages = {
                f"{key}#{anchor}": starts[key] + within - 1
                for key, found in (anchors or {}).items()
                if key in starts
                for anchor, within in found.items()
            }
            summary_part = summary_html(summary, lang)
        front = render_pdf(front_matter_html(cover, sections, first_pages, lang, summary_part), brand)
        if page_count(front) == front_pages:
            break
        front_pages = page_count(front)
    writer = PdfWriter()
    writer.append(PdfReader(_io.BytesIO(front)))
    for reader in readers:
        writer.append(reader)
    number_pages(writer, unnumbered=1)
    writer.add_metadata({"/Title": f"{brand} — {ui_text('report', lang)}", "/Producer": "Kando (WeasyPrint, pypdf)"})
    path = Path(path)
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def visible_text(fragment: str) -> str:
    """Text a reader sees in an HTML fragment (for privacy checks)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(fragment, "html.parser")
    for tag in soup.find_all(["style", "script"]):
        tag.decompose()
    return soup.get_text(" ")
