"""HTML the workshop shows: the friction table and the LTV what-if, built on helpers.tables."""

from __future__ import annotations

import html

import pandas as pd

from helpers import ltv
from helpers.tables import friction as friction_tables
from helpers.tables import ltv as ltv_tables
from helpers.tables.format import format_values

# ----------------------------------------------------------------------------
# HTML of the result panels
# ----------------------------------------------------------------------------

_ERROR_STYLE = "color:#B00020"
_TABLE_STYLE = "border-collapse:collapse;font-size:12px;line-height:1.35"
_CELL = "border-bottom:1px solid #DDD;padding:2px 6px;text-align:{align};white-space:nowrap"


def _html_table(header: list[str] | None, rows: list[list[str]], css_class: str, align: list[str]) -> str:
    """A small HTML table with inline styles (widget HTML gets no notebook table CSS)."""

    def cells(tag: str, values) -> str:
        return "".join(
            f'<{tag} style="{_CELL.format(align=a)}">{escape_html(v)}</{tag}>'
            for v, a in zip(values, align, strict=False)
        )

    head = f"<thead><tr>{cells('th', header)}</tr></thead>" if header else ""
    body = "".join(f"<tr>{cells('td', row)}</tr>" for row in rows)
    return f'<table class="{css_class}" style="{_TABLE_STYLE}">{head}<tbody>{body}</tbody></table>'


def friction_display(table: pd.DataFrame) -> pd.DataFrame:
    """The friction table as notebook 05 shows it, for one persona, with each step's drop.

    :func:`helpers.tables.friction.friction_display` in Japanese without the persona
    column (the workshop shows one persona at a time), with 落ち込み (the
    fall from the previous step) after 感情.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`helpers.friction.friction_table`.

    Returns
    -------
    pandas.DataFrame
        Text cells.
    """
    headers = {column: spec[1] for column, spec in friction_tables.FRICTION_COLUMNS.items()}
    shown = friction_tables.friction_display(table, "ja").drop(columns=[headers["persona"]])
    drop = format_values(table["drop"], "signed").to_numpy()
    shown.insert(shown.columns.get_loc(headers["emotion"]) + 1, "落ち込み", drop)
    return shown


def friction_html(table: pd.DataFrame, low_rating_max: int = 2) -> str:
    """:func:`friction_display` as an HTML table.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`helpers.friction.friction_table`.
    low_rating_max : int
        The rating at or below which a rater counts as low (for the note).

    Returns
    -------
    str
        ``<table class="kando-friction">`` (or a sentence when there is no
        friction point).
    """
    if table.empty:
        return (
            '<div class="kando-friction">フリクションポイントはありません'
            "（感情が基準以下、または急に下がるステップがない）。</div>"
        )
    shown = friction_display(table)
    note = (
        '<div style="font-size:11px;color:#555">'
        f"低評価者の差 = 評価{low_rating_max}以下の顧客の2回目購入率 − それ以外の評価者の2回目購入率。"
        "「確認」は、低評価者が有意に2回目を買っていない接点です。</div>"
    )
    headers = friction_tables.FRICTION_COLUMNS
    text_columns = {headers["touchpoint"][1], headers["confirmed"][1]}
    align = ["left" if c in text_columns else "right" for c in shown.columns]
    return _html_table(list(shown.columns), shown.to_numpy().tolist(), "kando-friction", align) + note


def whatif_html(whatif, roi: pd.DataFrame | None, customers_per_year: float) -> str:
    """The LTV what-if as HTML: before/after LTV, the gain and the return on the cost.

    Parameters
    ----------
    whatif : helpers.ltv.FrictionScenarios
        :func:`helpers.ltv.friction_scenarios`.
    roi : pandas.DataFrame or None
        :func:`helpers.ltv.improvement_roi` of ``whatif`` (None: no cost
        or no friction point chosen).
    customers_per_year : float
        New customers per year the return is computed on.

    Returns
    -------
    str
        ``<div class="kando-ltv">`` with a summary table and, per chosen
        touchpoint (:func:`helpers.tables.ltv.scenario_display` and
        :func:`helpers.tables.ltv.roi_display` columns), the customers fixed, the
        gain, the cost and the ROI.
    """
    combined = whatif.scenarios.loc[ltv.COMBINED]
    summary = [
        ["現状のLTV（1人あたり）", f"{whatif.baseline['ltv']:,.0f}円"],
        ["改善後のLTV（1人あたり）", f"{combined['ltv_after']:,.0f}円（{combined['ltv_delta']:+,.0f}円）"],
        ["改善される顧客数（全体換算）", f"{combined['customers_fixed']:,.0f}人"],
        ["顧客全体でのLTV増分", f"{combined['value_gained']:,.0f}円"],
    ]
    if roi is not None:
        total = roi.loc[ltv.COMBINED]
        summary += [
            ["費用（合計）", f"{total['cost']:,.0f}円"],
            [f"1年分の新規顧客（{customers_per_year:,.0f}人）での増分", f"{total['benefit']:,.0f}円"],
            ["ROI（(増分−費用)÷費用）", f"{total['roi']:.1%}"],
        ]
    parts = [_html_table(None, summary, "kando-ltv-summary", ["left", "right"])]
    if roi is not None:
        # per touchpoint, in notebook 06's wording and rounding
        label = ltv_tables.table_label
        points = ltv_tables.scenario_display(whatif, "ja")[[label("customers_fixed"), label("ltv_delta")]]
        points = points.join(ltv_tables.roi_display(roi, "ja")[[label("cost"), label("roi")]])
        header = [points.index.name, *points.columns]
        rows = [[name, *values] for name, values in zip(points.index, points.to_numpy().tolist(), strict=False)]
        parts.append(_html_table(header, rows, "kando-ltv-points", ["left"] + ["right"] * len(points.columns)))
    else:
        parts.append(message_html("改善する接点を選び、費用を入力すると ROI を計算します。"))
    return '<div class="kando-ltv">' + "".join(parts) + "</div>"


def escape_html(text: object) -> str:
    """``text`` as HTML text (``<``, ``&`` and quotes escaped)."""
    return html.escape(str(text))


def message_html(text: str, error: bool = False) -> str:
    """A message line for the app, red when ``error``; line breaks kept."""
    style = f' style="{_ERROR_STYLE}"' if error else ""
    body = "<br>".join(escape_html(line) for line in str(text).splitlines())
    return f'<div class="kando-message"{style}>{body}</div>'
