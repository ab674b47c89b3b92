"""Display labels in Japanese and English, and the survey answer texts.

Every label a chart, table or message shows comes from here, so that a
notebook run with ``lang="en"`` switches all of them at once.  Japanese is
the default language of the workbook.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml

DEFAULT_LANG = "ja"
LANGS = ("ja", "en")

#: Fan-survey stage answers, code 0..5 (data contract).
FAN_STAGES: dict[int, str] = {
    0: "ファンではない",
    1: "ファンになりたて、これから応援するのが楽しみ",
    2: "これからもずっと継続して応援したい",
    3: "これまで以上に、夢中になって応援したい",
    4: "もっと関わりたい、積極的に協力したい",
    5: "もはや人生の一部、未来を共に創っていきたい",
}
FAN_STAGES_EN: dict[int, str] = {
    0: "Not a fan",
    1: "New fan, looking forward to supporting",
    2: "Want to keep supporting",
    3: "Supporting more eagerly than before",
    4: "Want to get involved and help",
    5: "Part of my life; building the future together",
}

#: Fan-survey liking answers, code 1..7 (data contract).
LIKING_LEVELS: dict[int, str] = {
    1: "正直全く好きではない",
    2: "あまり好きではない",
    3: "好きでも嫌いでもない",
    4: "まあまあ好き",
    5: "好き",
    6: "大好き",
    7: "愛があると言えるほど大好き",
}
LIKING_LEVELS_EN: dict[int, str] = {
    1: "Honestly do not like it at all",
    2: "Do not like it much",
    3: "Neither like nor dislike",
    4: "Somewhat like",
    5: "Like",
    6: "Love",
    7: "Love it deeply",
}

#: Journey scenarios.
SCENARIOS = ("as_is", "to_be")

#: Standard journey stages, in time order (the template's drop-down list).
JOURNEY_STAGES: tuple[str, ...] = (
    "認知",
    "興味・関心",
    "比較・検討",
    "購入",
    "受け取り・初回使用",
    "継続・リピート",
    "推奨・ファン化",
)
JOURNEY_STAGES_EN: dict[str, str] = {
    "認知": "Awareness",
    "興味・関心": "Interest",
    "比較・検討": "Consideration",
    "購入": "Purchase",
    "受け取り・初回使用": "Delivery & first use",
    "継続・リピート": "Repeat",
    "推奨・ファン化": "Advocacy",
}

#: Touchpoint channels named in the journey worksheet.
CHANNELS: tuple[str, ...] = ("Web", "同梱物", "電話", "LINE", "SNS", "店舗", "メール", "配送")

#: Label table: key -> (ja, en).  Keys are snake_case identifiers.
_LABELS: dict[str, tuple[str, str]] = {
    # tables
    "customers": ("顧客", "Customers"),
    "orders": ("注文", "Orders"),
    "nps": ("NPS回答", "NPS responses"),
    "fan_survey": ("ファン調査", "Fan survey"),
    "journey": ("ジャーニーワークシート", "Journey worksheet"),
    "touchpoint_ratings": ("顧客接点評価", "Touchpoint ratings"),
    "order_items": ("注文明細", "Order items"),
    # columns
    "customer_id": ("顧客ID", "Customer ID"),
    "order_id": ("注文ID", "Order ID"),
    "order_date": ("注文日", "Order date"),
    "amount": ("金額", "Amount"),
    "product": ("商品", "Product"),
    "quantity": ("数量", "Quantity"),
    "price": ("単価", "Unit price"),
    "channel": ("チャネル", "Channel"),
    "is_subscription": ("定期購入", "Subscription"),
    "birth_date": ("生年月日", "Birth date"),
    "gender": ("性別", "Gender"),
    "prefecture": ("都道府県", "Prefecture"),
    "acquisition_channel": ("獲得チャネル", "Acquisition channel"),
    "name": ("氏名", "Name"),
    "email": ("メールアドレス", "Email"),
    "phone": ("電話番号", "Phone"),
    "response_date": ("回答日", "Response date"),
    "score": ("推奨度", "Score"),
    "comment": ("コメント", "Comment"),
    "source": ("回答経路", "Source"),
    "fan_stage": ("ファン段階", "Fan stage"),
    "liking": ("好意度", "Liking"),
    "persona": ("ペルソナ", "Persona"),
    "scenario": ("シナリオ", "Scenario"),
    "step": ("ステップ", "Step"),
    "stage": ("ステージ", "Stage"),
    "touchpoint": ("タッチポイント", "Touchpoint"),
    "emotion": ("感情スコア", "Emotion"),
    "action": ("行動", "Action"),
    "thought": ("思考", "Thought"),
    "expectation": ("期待", "Expectation"),
    "evaluation": ("評価", "Evaluation"),
    "improvement": ("改善アイデア", "Improvement idea"),
    "rating": ("評価点", "Rating"),
    # scenarios
    "as_is": ("現状 (As-Is)", "As-is"),
    "to_be": ("理想 (To-Be)", "To-be"),
    # NPS classes and loyalty segments
    "promoter": ("推奨者", "Promoters"),
    "passive": ("中立者", "Passives"),
    "detractor": ("批判者", "Detractors"),
    "high": ("ロイヤリティ高", "High loyalty"),
    "mid": ("ロイヤリティ中", "Mid loyalty"),
    "low": ("ロイヤリティ低", "Low loyalty"),
    "no_answer": ("未回答", "No answer"),
    # expectation vs evaluation
    "dissatisfied": ("不満", "Complaint risk"),
    "satisfied": ("満足", "Repeat"),
    "delighted": ("感動", "Word of mouth"),
    # generic
    "customers_n": ("顧客数", "Customers"),
    "rows": ("行数", "Rows"),
    "period": ("期間", "Period"),
    "month": ("月", "Month"),
    "share": ("構成比", "Share"),
    "count": ("件数", "Count"),
    "yen": ("円", "JPY"),
    "days": ("日", "days"),
    "yes": ("あり", "yes"),
    "no": ("なし", "no"),
    "untested": ("未検証", "untested"),
}


@cache
def texts(name: str) -> dict:
    """Package data ``helpers/texts/<name>.yaml``: labels and long copy, read once.

    Parameters
    ----------
    name : str
        File stem, e.g. ``"labels"``, ``"segment_playbook"``.

    Returns
    -------
    dict
        The parsed file (do not modify: it is shared).
    """
    return yaml.safe_load(resources.files("helpers").joinpath("texts", f"{name}.yaml").read_text(encoding="utf-8"))


@cache
def subject_labels() -> dict[str, dict[str, tuple[str, str]]]:
    """Labels of each subject's columns and values, ``subject -> key -> (ja, en)`` (``texts/labels.yaml``)."""
    return {s: {k: tuple(v) for k, v in d.items()} for s, d in texts("labels").items()}


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is a supported language code.

    Parameters
    ----------
    lang : str
        ``"ja"`` or ``"en"``.

    Returns
    -------
    str
        The same code.

    Raises
    ------
    ValueError
        For any other code.
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    return lang


def label(key: str, lang: str = DEFAULT_LANG, subject: str | None = None) -> str:
    """Display label of ``key`` in ``lang``.

    Unknown keys are returned unchanged, so that extra columns from a client's
    file (and client values such as channel names) keep their own text.

    Parameters
    ----------
    key : str
        Identifier such as a column name (``"order_date"``) or a segment code.
    lang : {"ja", "en"}
        Language of the label.
    subject : str, optional
        A subject of :func:`subject_labels` (``"ltv"``, ``"role_models"``, ...):
        that subject's label wins over the shared one.

    Returns
    -------
    str
        The label.

    Raises
    ------
    ValueError
        For an unknown ``lang`` or ``subject``.
    """
    position = LANGS.index(check_lang(lang))
    if subject is not None:
        subjects = subject_labels()
        if subject not in subjects:
            raise ValueError(f"unknown label subject {subject!r}; known: {', '.join(subjects)}")
        pair = subjects[subject].get(key)
        if pair is not None:
            return pair[position]
    pair = _LABELS.get(key)
    return key if pair is None else pair[position]


def lookup(own: dict[str, tuple[str, str]], key: str, lang: str = DEFAULT_LANG) -> str:
    """Label of ``key`` from a module's own ``(ja, en)`` table, else :func:`label`.

    Parameters
    ----------
    own : dict of str to (str, str)
        A subject module's labels for its own columns and values.
    key : str
        Identifier to label.
    lang : {"ja", "en"}
        Language of the label.

    Returns
    -------
    str
        The module's label, the shared label, or ``key`` unchanged.
    """
    pair = own.get(key)
    return label(key, lang) if pair is None else pair[LANGS.index(check_lang(lang))]


def labels(keys, lang: str = DEFAULT_LANG) -> dict[str, str]:
    """Mapping ``key -> label`` for several keys (for ``DataFrame.rename``).

    Parameters
    ----------
    keys : iterable of str
        Identifiers.
    lang : {"ja", "en"}
        Language of the labels.

    Returns
    -------
    dict
        ``{key: label(key, lang)}``.
    """
    return {k: label(k, lang) for k in keys}


def fan_stage_labels(lang: str = DEFAULT_LANG) -> dict[int, str]:
    """Answer texts of the fan-stage question, code 0..5."""
    return dict(FAN_STAGES if check_lang(lang) == "ja" else FAN_STAGES_EN)


def liking_labels(lang: str = DEFAULT_LANG) -> dict[int, str]:
    """Answer texts of the liking question, code 1..7."""
    return dict(LIKING_LEVELS if check_lang(lang) == "ja" else LIKING_LEVELS_EN)
