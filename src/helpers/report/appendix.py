"""The appendix of a combined report: every parameter, its meaning and its value.

Report prose speaks the client's language and never names a parameter; the
names live here, in the one place a reader who reruns the workbook needs them.
The Japanese meaning is the comment of the parameter's line in the notebooks'
``parameters`` cells; the English meaning comes from :data:`PARAMETER_MEANINGS_EN`.
"""

from __future__ import annotations

import html

#: English meaning of each parameter (the Japanese one is its comment in the notebook).
PARAMETER_MEANINGS_EN = {
    "data_dir": "Data folder (relative to the project root, or absolute)",
    "brand": "Brand name (cover and page header)",
    "as_of": "Reference date (later dates are data errors)",
    "lang": "Report language: ja or en",
    "show_customer_ids": "Show real customer ids (pseudonyms by default)",
    "output_dir": "Folder for the exported CSV files",
    "latest_only": "Count only each customer's latest answer up to the reference date",
    "interval_method": "Method of the NPS interval: adjusted Wald or Wald",
    "confidence": "Confidence level of the intervals",
    "trend_freq": "NPS trend by month (M) or quarter (Q)",
    "nps_compare_by": "Customer groups whose NPS is compared",
    "min_group_n": "Fewest answers for a group to be tested",
    "segment_list_rows": "Rows of the segment list shown (the CSV has everyone)",
    "core_fan_min_stage": "Core fan: fan stage (0–5) at least",
    "core_fan_min_liking": "Core fan: liking (1–7) at least",
    "fan_min_stage": "Fan: fan stage at least",
    "fan_min_liking": "Fan: liking at least",
    "non_fan_max_stage": "Non-fan: fan stage at most (−1: no separate non-fan group)",
    "min_cell_n": "Fewest answers for a fan-matrix cell to show its mean and NPS",
    "expectation_scenario": "Journey scenario for expectation vs evaluation",
    "role_model_min_nps": "Role model: latest NPS answer at least",
    "role_model_min_tenure_days": "Role model: days since the first purchase at least",
    "role_model_min_ltv_1y": "Role model: 1-year LTV (JPY) at least",
    "role_model_min_orders": "Role model: number of purchases at least",
    "require_birth_date": "Role model: birth date on file (for the age band)",
    "long_gap_days": "Days between purchases that count as a long gap",
    "max_timelines": "Role models whose purchase timelines are drawn",
    "interview_rows": "Role models whose interview questions are shown",
    "table_rows": "Most rows shown in the gap and candidate tables (CSV: all)",
    "scenario": "Journey scenario shown: as-is, to-be or both",
    "top_n": "Rows shown in ranked tables and charts",
    "alpha": "Significance level (interval level is 1 − this)",
    "segment_a": "First loyalty segment compared",
    "segment_b": "Second loyalty segment compared",
    "friction_threshold": "Steps with emotion at or below this are friction points",
    "min_drop": "Steps whose emotion drops by this much or more are friction points",
    "low_rating_max": "Customers rating a touchpoint at or below this are low raters",
    "retention_days": "Repeat window in days after the first purchase",
    "effect_metric": "Behaviour that confirms a friction point: second purchase or repeat in the window",
    "p_adjust": "Correction for testing several touchpoints at once",
    "max_purchase_number": "Highest purchase number in the repeat funnel",
    "stop_grace_days": "Subscription: days without a delivery after which it counts as stopped",
    "max_shipment": "Highest delivery number shown in the stop rates",
    "period_days": "Period of the classic LTV (days)",
    "lapse_days": "Days without a purchase after which a customer counts as lapsed",
    "horizon_years": "Longest lifetime counted (years)",
    "lifetime_tail": "Retention beyond the observed period: extended, held or cut",
    "gross_margin": "Gross margin (1.0: LTV on sales)",
    "discount_rate": "Yearly discount rate",
    "friction_touchpoints": "Touchpoints to fix (empty: those confirmed by behaviour)",
    "fix_share": "Share of low raters who behave like the others after the fix",
    "improvement_cost": "Cost of one improvement (JPY)",
    "new_customers_per_year": "New customers per year (0: last year's actual)",
    "acquisition_cost_ratio": "Cost of a new customer ÷ cost of keeping one (the 1:5 rule)",
    "acquisition_cost_per_customer": "Cost of acquiring one new customer (JPY; 0: from the ratio)",
    "clv_freq": "Time unit of the CLV models: weeks or days",
    "holdout_days": "Days held out to check the CLV model",
    "prediction_weeks": "Weeks over which purchases are predicted",
    "clv_months": "Months of predicted CLV",
    "clv_monthly_discount": "Monthly discount rate of the predicted CLV",
    "risk_value_share": "Churn warning: top share of customers by spend counted as high value",
    "risk_max_p_alive": "Churn warning: probability of still being a customer below this",
    "tracking_group_by": "Customer groups tracked month by month",
    "tracking_metric": "Metric tracked month by month",
    "cool_months": "Improving months in a row that complete a cycle",
    "tracking_months": "Recent months shown in the tracking table and chart",
    "complete_months_only": "Leave out a month not yet complete at the reference date",
    "min_broken_streak": "Shortest streak whose break the chart marks (months)",
}

_TEXT = {
    "ja": {
        "title": "付録: パラメータ一覧",
        "lead": (
            "このレポートの計算に使った設定の一覧です。各章の本文はこれらの設定を言葉で説明しています。"
            "設定を変えて再実行するときは、左の名前を使います。"
        ),
        "name": "パラメータ名",
        "meaning": "意味",
        "value": "値",
        "changed": "既定値から変更",
    },
    "en": {
        "title": "Appendix: parameters",
        "lead": (
            "The settings this report was computed with. The sections describe them in words; "
            "use the names on the left to change a setting and run the report again."
        ),
        "name": "Parameter",
        "meaning": "Meaning",
        "value": "Value",
        "changed": "changed from the default",
    },
}


def appendix_text(key: str, lang: str) -> str:
    """Fixed text of the appendix in ``lang``."""
    return _TEXT["en" if lang == "en" else "ja"][key]


def parameter_meaning(name: str, comment: str, lang: str) -> str:
    """The meaning of a parameter in ``lang``: its notebook comment (ja) or :data:`PARAMETER_MEANINGS_EN`.

    An English edition with a parameter missing from the table shows the
    name alone rather than Japanese text.
    """
    if lang == "en":
        return PARAMETER_MEANINGS_EN.get(name, "")
    return comment


def display_value(value, lang: str = "ja") -> str:
    """A parameter's value as the reader sees it (lists joined, booleans as words)."""
    if isinstance(value, bool):
        return ("yes" if value else "no") if lang == "en" else ("はい" if value else "いいえ")
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value)) if value else ("(none)" if lang == "en" else "（なし）")
    if value is None or value == "":
        return "—"
    return str(value)


def appendix_html(values: dict, descriptions: dict, changed: dict, lang: str = "ja") -> str:
    """The appendix body: one table row per parameter, in name order of first use.

    Parameters
    ----------
    values : dict
        Parameter name -> value used in the run.
    descriptions : dict
        Parameter name -> the comment of its line in the notebooks (Japanese).
    changed : dict
        Parameters changed from the defaults (marked).
    lang : {"ja", "en"}

    Returns
    -------
    str
        HTML fragment (a ``<section>`` body for :func:`helpers.report.render.section_html`).
    """
    esc = html.escape
    rows = []
    for name, value in values.items():
        if name in ("data_dir", "output_dir"):
            value = "…/" + str(value).replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]  # no machine paths
        mark = f' <span class="param-changed">({esc(appendix_text("changed", lang))})</span>' if name in changed else ""
        rows.append(
            f'<tr><td class="param-name">{esc(name)}</td>'
            f"<td>{esc(parameter_meaning(name, descriptions.get(name, ''), lang))}</td>"
            f"<td>{esc(display_value(value, lang))}{mark}</td></tr>"
        )
    return (
        f'<h1>{esc(appendix_text("title", lang))}</h1><p>{esc(appendix_text("lead", lang))}</p>'
        f'<table class="appendix-params"><thead><tr><th>{esc(appendix_text("name", lang))}</th>'
        f"<th>{esc(appendix_text('meaning', lang))}</th><th>{esc(appendix_text('value', lang))}</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
