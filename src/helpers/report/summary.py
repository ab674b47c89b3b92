"""The executive summary of a combined report (pages 2–3): key figures, what was skipped.

The figures come from the notebooks' recorded key figures
(:mod:`helpers.report.key_figures`), never recomputed here, each with its
interval or n and the page where its section shows it.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from helpers.report.key_figures import KeyFigure
from helpers.tables import INTERVAL_SEPARATOR, format_value, p_text

#: The findings the summary lists first, in this order; other recorded figures follow in notebook order.
SUMMARY_ORDER = (
    "nps",
    "f2_conversion",
    "expected_lifetime",
    "ltv",
    "ltv_1y",
    "top_friction_effect",
    "ltv_gain",
    "improvement_roi",
    "fix_vs_acquisition",
    "churn_warning_customers",
    "churn_warning_value",
    "subscription_stop_peak",
    "role_models",
)

_TEXT = {
    "ja": {
        "heading": "サマリー",
        "continued": "サマリー（続き）",
        "lead": (
            "この調査の主な数字です。数字はすべて各章で計算した値をそのまま載せています"
            "（ページ欄が、その数字を示す章のページです）。"
        ),
        "finding": "主な所見",
        "value": "値",
        "basis": "区間・人数",
        "page": "ページ",
        "skipped": "省略した分析とその理由",
        "none_skipped": "省略した分析はありません。すべての章を計算できました。",
        "no_figures": "各章が記録した主な数字はありません。",
        "sources": "数字の出どころ",
        "sources_text": (
            "各章は、示した主な数字を機械で読める形で記録します（実行済みノートブックの隣の"
            " key_figures.json と、実行記録 manifest.json）。このサマリーとスライドはその記録を読むだけで、"
            "計算し直しません。そのため、サマリーと各章の数字が食い違うことはありません。"
        ),
        "reading": "数字の読み方",
        "reading_text": (
            "区間は、データの偶然の揺れを考えたときに真の値がありそうな範囲です（95%区間なら、同じ調査を"
            "繰り返したとき100回に95回は真の値を含む幅）。n はその数字の元になった顧客数・回答数です。"
            "区間が広いほど、数字の確かさは低くなります。"
        ),
        "interval": "{level:.0%}区間 {low}{sep}{high}",
        "n": "n = {n}",
        "p": "p = {p}",
        "not_computed": "計算できず",
        "missing_table": "{table}（{file}）のデータがありません。",
        "failed": "「{title}」の章は実行できませんでした。",
        "page_ref": "{page}",
    },
    "en": {
        "heading": "Summary",
        "continued": "Summary (continued)",
        "lead": (
            "The main numbers of this study. Each is taken as computed in its section "
            "(the page column points to it)."
        ),
        "finding": "Finding",
        "value": "Value",
        "basis": "Interval / n",
        "page": "Page",
        "skipped": "What was skipped, and why",
        "none_skipped": "Nothing was skipped: every section could be computed.",
        "no_figures": "The sections recorded no key figures.",
        "sources": "Where the figures come from",
        "sources_text": (
            "Each section records its key figures in machine-readable form (key_figures.json beside the executed "
            "notebook, and manifest.json). This summary and the slides read those records and compute nothing "
            "again, so they cannot disagree with the sections."
        ),
        "reading": "How to read the figures",
        "reading_text": (
            "An interval is the range in which the true value plausibly lies, given chance variation in the data "
            "(a 95% interval covers the true value in 95 of 100 repetitions of the study). n is the number of "
            "customers or answers behind a figure. The wider the interval, the less certain the figure."
        ),
        "interval": "{level:.0%} interval {low}{sep}{high}",
        "n": "n = {n}",
        "p": "p = {p}",
        "not_computed": "not computed",
        "missing_table": "No {table} data ({file}).",
        "failed": "The section “{title}” could not be run.",
        "page_ref": "{page}",
    },
}

#: Display names of the data tables, for the skipped list.
TABLE_NAMES = {
    "customers": ("顧客", "customer"),
    "orders": ("注文", "order"),
    "nps": ("NPS回答", "NPS answer"),
    "fan_survey": ("ファン調査", "fan survey"),
    "journey": ("ジャーニーワークシート", "journey worksheet"),
    "touchpoint_ratings": ("接点評価", "touchpoint rating"),
}


def summary_text(key: str, lang: str) -> str:
    """Fixed text of the summary pages in ``lang``."""
    return _TEXT["en" if lang == "en" else "ja"][key]


def format_figure(figure: KeyFigure, value: float | None = None, lang: str = "ja") -> str:
    """A figure's value (or one of its bounds) in the report's number format."""
    value = figure.value if value is None else value
    kind = {
        "points": "signed1",
        "pp": "pp",
        "percent": "pct",
        "yen": "yen",
        "count": "int",
        "people": "int",
        "years": "float2",
        "months": "float1",
        "days": "int",
        "ratio": "float2",
        "number": "signed1",
    }[figure.unit]
    text = format_value(value, kind, lang=lang)
    suffix = {
        "years": ("年", " years"),
        "months": ("か月", " months"),
        "days": ("日", " days"),
        "ratio": ("倍", "×"),
        "people": ("人", ""),
        "points": ("", ""),
    }.get(figure.unit)
    if suffix and value is not None:
        text += suffix[1] if lang == "en" else suffix[0]
    return text


def figure_basis(figure: KeyFigure, lang: str = "ja") -> str:
    """Interval, n and p of a figure, as one line (``95%区間 +8.1〜+16.9、n = 900``)."""
    parts = []
    if figure.low is not None and figure.high is not None:
        parts.append(
            summary_text("interval", lang).format(
                level=figure.level,
                low=format_figure(figure, figure.low, lang),
                high=format_figure(figure, figure.high, lang),
                sep=INTERVAL_SEPARATOR["en" if lang == "en" else "ja"],
            )
        )
    if figure.n is not None:
        parts.append(summary_text("n", lang).format(n=format_value(figure.n, "int", lang=lang)))
    if figure.p is not None:
        parts.append(p_text(figure.p))
    return ("、" if lang == "ja" else ", ").join(parts)


def figure_sentence(figure: KeyFigure, lang: str = "ja") -> str:
    """One line for a slide: ``NPS: +12.3（95%区間 …、n = 900）``."""
    head = figure.text(lang) + (f"「{figure.subject}」" if figure.subject and lang == "ja" else "")
    if figure.subject and lang == "en":
        head += f" ({figure.subject})"
    if figure.value is None:
        return f"{head}: {summary_text('not_computed', lang)} — {figure.why(lang)}"
    basis = figure_basis(figure, lang)
    if basis:
        basis = f"（{basis}）" if lang == "ja" else f" ({basis})"
    return f"{head}: {format_figure(figure, lang=lang)}{basis}"


def ordered_figures(figures: list[KeyFigure]) -> list[KeyFigure]:
    """The figures in summary order: :data:`SUMMARY_ORDER` first, the others in notebook order."""
    rank = {name: i for i, name in enumerate(SUMMARY_ORDER)}
    first = sorted((f for f in figures if f.name in rank), key=lambda f: rank[f.name])
    return first + [f for f in figures if f.name not in rank]


@dataclass
class SummaryInput:
    """What the summary pages show.

    Attributes
    ----------
    figures : list of KeyFigure
        Every recorded figure of the run, in notebook order.
    missing_tables : list of (str, str)
        Contract tables not in the data: (table, file name looked for).
    failed : list of str
        Titles of notebooks that could not be run.
    skipped : list of (str, str)
        Other notes on skipped parts, (ja, en), e.g. skipped notebooks.
    pages : dict of str to int
        ``"<notebook>#<anchor>"`` -> page of the combined PDF where the figure
        was recorded (set while the combined PDF is laid out).
    """

    figures: list[KeyFigure] = field(default_factory=list)
    missing_tables: list[tuple[str, str]] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    pages: dict[str, int] = field(default_factory=dict)

    def page_of(self, figure: KeyFigure) -> int | None:
        """Page of the combined PDF showing ``figure``; ``None`` when unknown."""
        return self.pages.get(f"{figure.notebook}#{figure.anchor}")


def summary_html(summary: SummaryInput, lang: str = "ja") -> str:
    """The two summary pages as HTML sections (findings; skipped, sources, reading).

    Parameters
    ----------
    summary : SummaryInput
    lang : {"ja", "en"}

    Returns
    -------
    str
    """
    esc = html.escape
    rows = []
    for figure in ordered_figures(summary.figures):
        subject = f'<span class="kf-subject">{esc(figure.subject)}</span>' if figure.subject else ""
        if figure.value is None:
            value = f'<td class="kf-value kf-missing">{esc(summary_text("not_computed", lang))}</td>'
            basis = esc(figure.why(lang) or "")
        else:
            value = f'<td class="kf-value">{esc(format_figure(figure, lang=lang))}</td>'
            basis = esc(figure_basis(figure, lang))
        page = summary.page_of(figure)
        rows.append(
            f'<tr data-figure="{esc(figure.name)}"><td class="kf-label">{esc(figure.text(lang))}{subject}</td>{value}'
            f'<td class="kf-basis">{basis}</td><td class="kf-page">{page if page is not None else "—"}</td></tr>'
        )
    table = (
        f'<table class="key-figures"><thead><tr><th>{esc(summary_text("finding", lang))}</th>'
        f'<th class="num">{esc(summary_text("value", lang))}</th><th>{esc(summary_text("basis", lang))}</th>'
        f'<th class="num">{esc(summary_text("page", lang))}</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )
    if not rows:
        table = f"<p>{esc(summary_text('no_figures', lang))}</p>"
    skipped = [
        summary_text("missing_table", lang).format(
            table=TABLE_NAMES.get(t, (t, t))[1 if lang == "en" else 0], file=f"{t}.csv / {t}.xlsx"
        )
        for t, _ in summary.missing_tables
    ]
    skipped += [summary_text("failed", lang).format(title=t) for t in summary.failed]
    skipped += [en if lang == "en" else ja for ja, en in summary.skipped]
    skipped += [
        f"{f.text(lang)}: {f.why(lang)}" for f in ordered_figures(summary.figures) if f.value is None
    ]
    skipped_html = (
        "<ul>" + "".join(f"<li>{esc(s)}</li>" for s in skipped) + "</ul>"
        if skipped
        else f"<p>{esc(summary_text('none_skipped', lang))}</p>"
    )
    return (
        f'<section class="summary" id="summary"><h1>{esc(summary_text("heading", lang))}</h1>'
        f'<p class="summary-lead">{esc(summary_text("lead", lang))}</p>{table}</section>\n'
        f'<section class="summary summary-more"><h1>{esc(summary_text("continued", lang))}</h1>'
        f'<h2>{esc(summary_text("skipped", lang))}</h2>{skipped_html}'
        f'<h2>{esc(summary_text("sources", lang))}</h2><p>{esc(summary_text("sources_text", lang))}</p>'
        f'<h2>{esc(summary_text("reading", lang))}</h2><p>{esc(summary_text("reading_text", lang))}</p></section>'
    )
