"""Report tables of the voice-of-customer, key-driver, confounding and money-interval results.

Presentation layer: every number goes through the one formatter
(:mod:`helpers.tables.format`); analysis results come in with codes.
"""

from __future__ import annotations

import pandas as pd

from helpers.tables.format import MISSING, format_interval, format_table, format_values

_CLASS = {"promoter": ("推奨者", "Promoters"), "detractor": ("批判者", "Detractors")}
_STRATA = {
    "crude": ("層別なし（粗）", "Crude"),
    "first_product": ("初回購入商品で層別", "By first product"),
    "subscription": ("初回が定期便かで層別", "By subscription"),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "ja" else pair[1]


def keywords_display(words: pd.DataFrame, lang: str = "ja", top_n: int = 8) -> pd.DataFrame:
    """Overall keywords of promoters and detractors side by side (word and z)."""
    overall = words[words["scope"] == "all"]
    columns = {}
    for klass in ("promoter", "detractor"):
        side = overall[overall["favours"] == klass].head(top_n).reset_index(drop=True)
        z = format_values(side["z"], "signed1", lang)
        columns[_pick(_CLASS[klass], lang)] = side["word"] + " (" + z + ")"
    table = pd.DataFrame(columns)
    table.index = pd.RangeIndex(1, len(table) + 1)
    return table.fillna(MISSING)


def quotes_display(quotes: pd.DataFrame, lang: str = "ja") -> pd.DataFrame:
    """Representative quotes (already masked) with their side."""
    frame = quotes.assign(side=quotes["nps_class"].map(lambda c: _pick(_CLASS[c], lang)))
    return format_table(
        frame,
        {
            "side": ("text", "区分", "Side"),
            "quote": ("text", "コメント（個人情報は伏せ字）", "Comment (personal data masked)"),
        },
        lang,
    )


def drivers_display(result, lang: str = "ja") -> pd.DataFrame:
    """Key drivers of one outcome: share with its interval, raters, mean rating."""
    frame = result.table.assign(interval=format_interval(result.table["ci_low"], result.table["ci_high"], "pct", lang))
    return format_table(
        frame,
        {
            "touchpoint": ("text", "タッチポイント", "Touchpoint"),
            "importance": ("pct", "重要度", "Importance"),
            "interval": ("text", "95%区間", "95% interval"),
            "n": ("int", "評価者数", "Raters"),
            "mean_rating": ("float2", "平均評価", "Mean rating"),
        },
        lang,
    )


def confounding_display(check: pd.DataFrame, lang: str = "ja") -> pd.DataFrame:
    """Crude and Mantel-Haenszel differences of F2 conversion (low raters - others)."""
    frame = check.assign(
        how=check["stratification"].map(lambda s: _pick(_STRATA[s], lang)),
        interval=format_interval(check["low"], check["high"], "pp", lang),
    )
    return format_table(
        frame,
        {
            "touchpoint": ("text", "タッチポイント", "Touchpoint"),
            "how": ("text", "比較", "Comparison"),
            "difference": ("pp", "F2転換率の差（低評価−他）", "F2 gap (low - others)"),
            "interval": ("text", "95%信頼区間", "95% CI"),
            "strata_used": ("int", "層の数", "Strata"),
            "n": ("int", "顧客数", "Customers"),
        },
        lang,
    )


def scenario_intervals_display(table: pd.DataFrame, labels: dict[str, str], lang: str = "ja") -> pd.DataFrame:
    """LTV gain, value gained and ROI per scenario, each with its bootstrap interval."""
    frame = table.assign(
        name=table["scenario"].map(lambda s: labels.get(s, s)),
        gain_range=format_interval(table["ltv_gain_low"], table["ltv_gain_high"], "yen", lang),
        value_range=format_interval(table["value_gained_low"], table["value_gained_high"], "yen", lang),
        benefit_range=format_interval(table["benefit_low"], table["benefit_high"], "yen", lang),
        roi_range=format_interval(table["roi_low"], table["roi_high"], "pct", lang),
    )
    return format_table(
        frame,
        {
            "name": ("text", "改善するタッチポイント", "Touchpoint fixed"),
            "ltv_gain": ("yen", "LTV増分（1人あたり）", "LTV gain per customer"),
            "gain_range": ("text", "LTV増分の95%区間", "LTV gain 95% interval"),
            "value_gained": ("yen", "顧客全体の増分", "Value gained"),
            "value_range": ("text", "全体の増分の95%区間", "Value gained 95% interval"),
            "benefit": ("yen", "1年分の新規顧客での増分", "Gain on 1 year of new customers"),
            "benefit_range": ("text", "1年分の増分の95%区間", "1-year gain 95% interval"),
            "roi": ("pct", "ROI", "ROI"),
            "roi_range": ("text", "ROI 95%区間", "ROI 95% interval"),
        },
        lang,
    )
