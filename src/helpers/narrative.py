"""Computed narrative in a notebook, in the report's language."""

from __future__ import annotations

from collections.abc import Callable

from helpers.labels import check_lang


def narrator(lang: str) -> Callable[[str, str], None]:
    """A ``say(ja, en)`` function that shows the text of ``lang`` as Markdown.

    Notebooks write each computed sentence in both languages; the report's
    ``lang`` parameter picks one.

    Parameters
    ----------
    lang : {"ja", "en"}
        Language of the report.

    Returns
    -------
    callable
        ``say(ja, en)`` displays ``ja`` or ``en`` as a Markdown output.

    Examples
    --------
    >>> say = narrator("en")
    >>> say("NPSは-12です。", "NPS is -12.")  # doctest: +SKIP
    """
    from IPython.display import Markdown, display

    english = check_lang(lang) == "en"

    def say(ja: str, en: str) -> None:
        display(Markdown(en if english else ja))

    return say


#: Why a section could not be computed: reason code -> (Japanese, English) template.
#: Templates take the numbers behind the reason; ``what`` names the section.
REASONS: dict[str, tuple[str, str]] = {
    "empty_table": (
        "{file} は見出しだけで行がないため、この表はないものとして扱います。",
        "{file} has a header but no rows: it is treated as absent.",
    ),
    "too_few_customers": (
        "{what}は計算できません。対象の顧客が{n:,}人で、少なくとも{minimum:,}人必要です。",
        "{what} cannot be computed: {n:,} customers, at least {minimum:,} needed.",
    ),
    "too_few_repeat_buyers": (
        "{what}は計算できません。2回以上購入した顧客が{n:,}人で、少なくとも{minimum:,}人必要です。",
        "{what} cannot be computed: {n:,} customers bought more than once, at least {minimum:,} needed.",
    ),
    "fit_failed": (
        "{what}は計算できません。{n:,}人のデータではモデルの推定が収束しませんでした"
        "（購入の回数や間隔がそろいすぎているか、人数が少ないためです）。",
        "{what} cannot be computed: the model fit did not converge on the data of {n:,} customers "
        "(too few of them, or purchase counts and gaps too alike).",
    ),
    "history_shorter_than_holdout": (
        "注文の記録が{history_days:,}日分で、検証期間{holdout_days:,}日以下のため、学習期間が取れません。"
        "モデルの答え合わせ（検証期間の購入回数との比較）は省略します。",
        "The order history covers {history_days:,} days, no more than the {holdout_days:,}-day holdout period, "
        "so there is nothing to fit on: the holdout check is skipped.",
    ),
    "free_orders_excluded": (
        "0円の注文（無料サンプルなど）{n:,}件（全注文の{share:.1%}）は、購入回数と購入額のモデルから除いています。",
        "{n:,} orders of 0 JPY (free samples and the like; {share:.1%} of all orders) are left out of the "
        "purchase and spend models.",
    ),
    "no_repeat_buyers": (
        "{what}は計算できません。{n:,}人の購入者が全員1回だけの購入で、2回目の購入がまだありません。",
        "{what} cannot be computed: all {n:,} buyers have bought once, nobody has bought a second time yet.",
    ),
    "grouping_absent": (
        "お客様の表に「{column}」の列がないため、{fallback}で比べます。",
        "The customers table has no “{column}” column, so the comparison is by {fallback}.",
    ),
    "no_grouping": (
        "お客様の表に「{column}」の列がなく、ほかに比べられるグループ（{tried}）もないため、グループ別の比較は省略します。",
        "The customers table has no “{column}” column and no other grouping ({tried}) is available: "
        "the group comparison is skipped.",
    ),
    "no_role_models": (
        "すべての条件を満たすロールモデルはいません（全顧客{n:,}人）。"
        "「{criterion}」の条件で残りが{before:,}人から0人になります。"
        "タイムライン・空白・インタビューの節は省略します。条件のしきい値を見直すと候補が出ます。",
        "No customer meets every criterion (of {n:,} customers). The criterion “{criterion}” takes the "
        "remaining {before:,} to none. The timeline, gap and interview sections are skipped; looser thresholds "
        "would give candidates.",
    ),
    "too_few_answers": (
        "{what}は示せません。回答者{n:,}人のうち、{minimum:,}人以上が集まる{unit}がありません。",
        "{what} cannot be shown: of {n:,} respondents, no {unit} has {minimum:,} or more.",
    ),
    "columns_absent": (
        "{file}に{columns}の列がないため、{what}は省略します。",
        "{file} has no {columns} column: {what} is skipped.",
    ),
    "no_lapse_yet": (
        "{n:,}人のうち、まだ離脱した顧客がいません（注文の記録は{history_days:,}日分、離脱とみなすのは{lapse_days:,}日購入がないとき）。"
        "そのため継続率は下がらず、期待継続年数とLTVは上限の{horizon:g}年で数えた値で、推定ではありません。",
        "None of the {n:,} customers has lapsed yet (the order history covers {history_days:,} days; a customer lapses "
        "after {lapse_days:,} days without a purchase). Retention never falls, so the expected lifetime and the LTV "
        "below are counted to the {horizon:g}-year cap: they are not estimates.",
    ),
    "no_variation": (
        "{what}は計算できません。{n:,}人の結果がすべて同じで、接点の評価との関係を測れません。",
        "{what} cannot be computed: the outcome is the same for all {n:,} customers, "
        "so nothing relates it to the ratings.",
    ),
    "single_period": (
        "回答のある期間が{n:,}つだけのため、前の期間との比較は行っていません。",
        "Answers fall in {n:,} period only, so there is no comparison with an earlier period.",
    ),
}


def explain(reason: str, **numbers) -> tuple[str, str]:
    """Japanese and English sentences saying why a section is left out.

    Parameters
    ----------
    reason : str
        A reason code of :data:`REASONS`, as analysis functions return them.
    **numbers
        The values behind the reason (``n``, ``minimum``, ...).  A value that
        is a ``(ja, en)`` tuple is given in the language of each sentence.

    Returns
    -------
    tuple of str
        ``(ja, en)``, ready for ``say(*explain(...))``.

    Examples
    --------
    >>> explain("too_few_customers", what=("予測CLV", "Predicted CLV"), n=8, minimum=20)[1]
    'Predicted CLV cannot be computed: 8 customers, at least 20 needed.'
    """
    if reason not in REASONS:
        raise ValueError(f"unknown reason {reason!r}; known: {', '.join(REASONS)}")
    return tuple(
        template.format(**{k: v[i] if isinstance(v, tuple) else v for k, v in numbers.items()})
        for i, template in enumerate(REASONS[reason])
    )


def data_notes(dataset) -> list[tuple[str, str]]:
    """``(ja, en)`` notes on a loaded data set that the reader should know: empty tables treated as absent.

    Parameters
    ----------
    dataset : helpers.io.Dataset

    Returns
    -------
    list of tuple of str
        One ``(ja, en)`` pair per note, for ``say(*note)``.
    """
    return [explain("empty_table", file=dataset.files[t].name) for t in dataset.empty_tables]


def grouping_note(choice) -> tuple[str, str]:
    """``(ja, en)`` note on a grouping that is not the one asked for.

    Parameters
    ----------
    choice : helpers.segments.GroupingChoice
        With ``reason`` set (``"grouping_absent"`` or ``"no_grouping"``).

    Returns
    -------
    tuple of str
    """
    from helpers.labels import label

    def names(keys, lang):
        return ("・" if lang == "ja" else ", ").join(label(k, lang, "groupings") for k in keys)

    return explain(
        choice.reason,
        column=tuple(label(choice.requested, lang, "groupings") for lang in ("ja", "en")),
        fallback=tuple(label(choice.by, lang, "groupings") if choice.by else "" for lang in ("ja", "en")),
        tried=tuple(names(choice.tried, lang) for lang in ("ja", "en")),
    )
