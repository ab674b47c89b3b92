"""Comment analysis: masking of personal data, tokens and sentiment, log-odds keywords checked by hand."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from helpers import comments, io, sample

PLANTED = {
    "name": "長谷川　葵",
    "phone": "090-1234-5678",
    "phone_fullwidth": "０８０－９８７６－５４３２",
    "email": "aoi.hasegawa167@example.jp",
    "address": "東京都千代田区丸の内1-1-1",
    "postal": "〒100-0005",
    "honorific": "鈴木一郎さん",
}


def test_personal_data_inside_comments_is_masked():
    texts = pd.Series(
        [
            f"{PLANTED['name']}です。電話は{PLANTED['phone']}、メールは{PLANTED['email']}です。",
            f"{PLANTED['postal']} {PLANTED['address']}に届けてください。担当の{PLANTED['honorific']}が親切でした。",
            f"連絡先 {PLANTED['phone_fullwidth']}",
            None,
        ]
    )
    masked = comments.mask_personal_data(texts, ["長谷川　葵", "山田 太郎"])
    joined = " ".join(masked.dropna())
    for value in ("長谷川", "葵", "090", "1234", "5678", "9876", "example", "千代田", "丸の内", "100-0005", "鈴木"):
        assert value not in joined, value
    assert masked.iloc[0].startswith("〔氏名〕です。電話は〔電話〕、メールは〔メール〕")
    assert "〔郵便番号〕 〔住所〕" in masked.iloc[1] and "〔氏名〕が親切" in masked.iloc[1]
    assert pd.isna(masked.iloc[3])
    # ordinary text is left alone
    assert comments.mask_personal_data(pd.Series(["毎朝の習慣になりました。"])).iloc[0] == "毎朝の習慣になりました。"


def test_tokens_and_lexicon_sentiment_with_negation():
    frame = pd.DataFrame(
        {
            "comment": [
                "飲みやすくて続けられています。",
                "粉が溶けにくく、飲みにくかったです。",
                "美味しくない",
                "普通です。",
            ]
        }
    )
    analysed = comments.analyse_comments(frame)
    assert analysed["sentiment"].tolist() == [1.0, -1.0, -1.0, 0.0]
    assert "粉" in analysed.loc[1, "tokens"] and "です" not in analysed.loc[1, "tokens"]
    assert analysed.loc[2, "negative"] == 1  # 美味しい negated
    extra = comments.analyse_comments(pd.DataFrame({"comment": ["普通です。"]}), lexicon={"普通": 1})
    assert extra.loc[0, "sentiment"] == 1.0


def test_log_odds_keywords_against_a_hand_computation():
    # promoters say A twice and B once; detractors say B twice and C once
    analysed = pd.DataFrame(
        {
            "tokens": [["A", "A", "B"], ["B", "B", "C"]],
            "nps_class": ["promoter", "detractor"],
            "touchpoint": [None, None],
        }
    )
    table = comments.keywords(analysed, min_count=1)
    assert list(table.columns) == list(comments.KEYWORD_COLUMNS)
    words = table.set_index("word")
    # corpus counts A 2, B 3, C 1 (N = 6) are the prior: a_w = y_w, a0 = 6; n_p = n_d = 3

    def z(y_p, y_d, a):
        delta = np.log((y_p + a) / (3 + 6 - y_p - a)) - np.log((y_d + a) / (3 + 6 - y_d - a))
        return delta / np.sqrt(1 / (y_p + a) + 1 / (y_d + a))

    assert words.loc["A", "z"] == pytest.approx(z(2, 0, 2))
    assert words.loc["B", "z"] == pytest.approx(z(1, 2, 3))
    assert words.loc["C", "z"] == pytest.approx(z(0, 1, 1))
    assert words.loc["A", "favours"] == "promoter" and words.loc["C", "favours"] == "detractor"


def test_a_word_that_is_a_whole_scope_is_left_out_without_a_warning():
    # at 配送 only 遅い is said: it has no odds against other words there, so no keyword (not z = inf)
    analysed = pd.DataFrame(
        {
            "tokens": [["遅い", "遅い"], ["遅い"], ["A", "A", "B"], ["B", "B", "C"]],
            "nps_class": ["promoter", "detractor", "promoter", "detractor"],
            "touchpoint": ["配送", "配送", None, None],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = comments.keywords(analysed, min_count=1)
    assert table["z"].notna().all() and np.isfinite(table["z"]).all()
    assert not ((table["scope"] == "touchpoint") & (table["touchpoint"] == "配送")).any()
    assert {"A", "C"} <= set(table.loc[table["scope"] == comments.ALL, "word"])  # the other scope is unchanged


def test_sample_comments_carry_touchpoints_and_detractor_words():
    data = io.load_data("data/sample", as_of=sample.AS_OF)
    collected = comments.collect_comments(data.nps, sample.AS_OF, data.fan_survey, data.touchpoint_ratings)
    n_nps = data.nps["comment"].notna().sum()
    n_ratings = data.touchpoint_ratings["comment"].notna().sum()
    assert len(collected) == n_nps + n_ratings
    analysed = comments.analyse_comments(collected)
    words = comments.keywords(analysed)
    overall = words[words["scope"] == comments.ALL]
    assert "解約" in set(overall.loc[overall["favours"] == "detractor", "word"])
    curve = comments.sentiment_by_touchpoint(analysed).set_index("touchpoint")
    assert set(curve.index) == set(
        data.touchpoint_ratings.loc[data.touchpoint_ratings["comment"].notna(), "touchpoint"]
    )
    rated = analysed[analysed["touchpoint"] == "配送"]["sentiment"]
    assert curve.loc["配送", "sentiment"] == pytest.approx(rated.mean())
