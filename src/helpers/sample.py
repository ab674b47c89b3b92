"""Deterministic synthetic sample data for a fictional mail-order brand.

The brand, 「すこやか青汁本舗」, sells green-juice powder, supplements and
skincare by mail order, as one-off purchases and as a monthly subscription
(定期便).  Every customer, order and answer is invented.

The data hold a few effects on purpose, so that each notebook of the workbook
has something true to find.  They are documented by the module constants
below, which tests of other modules import:

* heterogeneous repeat buying (BG/NBD-like: per-customer purchase rate,
  dropout and spend level);
* subscription stops spike after shipment ``SUBSCRIPTION_STOP_SPIKE_SHIPMENT``
  (product piling up at home);
* a low rating (``<= FRICTION_LOW_RATING_MAX``) of ``FRICTION_TOUCHPOINT``
  roughly halves the second-purchase (F2) conversion; the other touchpoints'
  ratings are unrelated to behaviour;
* NPS rises with the number of orders, fan stage and liking rise with NPS;
* loyal role-model customers, some of whom paused for ``LONG_GAP_DAYS`` or
  more between two purchases;
* a journey worksheet for ``PERSONAS``, as-is and to-be, whose as-is emotion
  curve has its lowest point at ``FRICTION_TOUCHPOINT``.

:func:`generate_sample` returns the tables as frames; :func:`write_sample`
writes them as CSV files (``kando sample``).  ``data/sample/README.md`` lists
the figures measured on the committed sample.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from helpers import schemas

#: Fictional brand of the sample data.
BRAND = "すこやか青汁本舗"
BRAND_EN = "Sukoyaka Aojiru Honpo"

#: Default seed and reference date of ``data/sample``.
DEFAULT_SEED = 20251231
AS_OF = "2025-12-31"
#: First day of the order history.
HISTORY_START = "2023-01-01"
#: Number of customers in ``data/sample``.
DEFAULT_CUSTOMERS = 2000

#: Touchpoints rated in ``touchpoint_ratings`` (customer journey order).
TOUCHPOINTS: tuple[str, ...] = (
    "Instagram広告",
    "ブランドサイト",
    "口コミ・レビュー",
    "注文フォーム",
    "配送",
    "開封・初回使用",
    "定期便マイページ",
    "カスタマーサポート",
    "LINE配信",
)
#: The one touchpoint whose low ratings lower the second-purchase conversion.
FRICTION_TOUCHPOINT = "開封・初回使用"
#: Ratings at or below this count as "low" for the friction effect.
FRICTION_LOW_RATING_MAX = 2
#: Approximate F2 conversion (share of customers with a 2nd order) planted
#: for low raters of the friction touchpoint and for everybody else.
F2_RATE_LOW_RATERS = 0.25
F2_RATE_OTHERS = 0.50

#: Subscription stops spike right after this shipment number.
SUBSCRIPTION_STOP_SPIKE_SHIPMENT = 3
#: Days between subscription shipments (about monthly).
SUBSCRIPTION_INTERVAL_DAYS = 30
#: Planted probability of stopping right after shipment k (k >= 2); shipment
#: 1 -> 2 follows the friction effect instead.
SUBSCRIPTION_STOP_HAZARD: dict[int, float] = {2: 0.10, SUBSCRIPTION_STOP_SPIKE_SHIPMENT: 0.50}
SUBSCRIPTION_STOP_HAZARD_LATER = 0.06

#: A pause of at least this many days between two purchases is a long gap.
LONG_GAP_DAYS = 180
#: Role-model criteria the sample is built to satisfy (loyalty notebook): latest
#: NPS answer, number of orders, days since the first order, spend in the
#: first 365 days (yen); the birth date must be known as well.
ROLE_MODEL_MIN_NPS = 9
ROLE_MODEL_MIN_ORDERS = 3
ROLE_MODEL_MIN_TENURE_DAYS = 365
ROLE_MODEL_MIN_LTV_1Y = 50_000

#: Personas of the journey worksheet.
PERSONAS: tuple[str, ...] = (
    "健康志向の40代女性 佐藤さん",
    "忙しい30代会社員 田中さん",
)
#: Touchpoints that appear only in the journey worksheet, never rated.
WORKSHEET_ONLY_TOUCHPOINTS: tuple[str, ...] = ("友人への紹介", "ドラッグストア店頭")

#: Order channels.
ORDER_CHANNELS: tuple[str, ...] = ("Web", "LINE", "電話", "カタログ")
#: Acquisition channels of customers.
ACQUISITION_CHANNELS: tuple[str, ...] = (
    "検索広告",
    "SNS広告",
    "新聞広告",
    "テレビ通販",
    "友人紹介",
    "アフィリエイト",
)
#: One-off products and their prices in yen.
PRODUCTS: dict[str, int] = {
    "すこやか青汁 お試し7包": 1980,
    "すこやか青汁 30包": 3980,
    "すこやか青汁 60包": 7480,
    "乳酸菌ケール青汁 30包": 4280,
    "発酵黒酢サプリ 90粒": 2980,
    "米ぬか保湿クリーム 50g": 3480,
    "ヒアルロン酸美容液 30mL": 4980,
    "すこやか美容セット": 9800,
}
#: Subscription plans (定期便) and their price per shipment in yen.
SUBSCRIPTION_PLANS: dict[str, int] = {
    "すこやか青汁 定期便 30包": 3580,
    "すこやか青汁 定期便 60包": 6480,
}

#: Tables produced by :func:`generate_sample`, in writing order.
TABLES: tuple[str, ...] = (
    "customers",
    "orders",
    "nps",
    "fan_survey",
    "journey",
    "touchpoint_ratings",
)

# ---------------------------------------------------------------------------
# Planted parameters that are not part of the public face.
# ---------------------------------------------------------------------------
#: Customer segments: light one-off buyers, loyal one-off buyers, subscribers.
_LIGHT, _LOYAL, _SUBSCRIBER = 0, 1, 2
_SEGMENT_SHARES = np.array([0.63, 0.12, 0.25])
#: Share of customers whose first use of the product goes badly (the friction).
_FRICTION_BAD_SHARE = 0.28
#: Probability of a 2nd order, by segment (rows) and bad first use (columns).
_SECOND_ORDER_PROB = np.array([[0.42, 0.10], [0.92, 0.55], [0.85, 0.45]])
#: Share of loyal customers who take one long pause after their first year.
_LONG_GAP_SHARE_OF_LOYAL = 0.75
_LONG_GAP_AFTER_DAYS = 270
_MAX_ORDERS = 60
_MIN_REPEAT_GAP_DAYS = 7
_MAX_ORDER_AMOUNT = 12_000
_TRIAL_FIRST_ORDER_PROB = np.array([0.55, 0.20, 0.0])
_ADD_ON_PROB = 0.12
_ADD_ON_PRODUCT = "発酵黒酢サプリ 90粒"
#: Product choice (columns follow PRODUCTS) and quantity 1..3 by spend tier.
_PRODUCT_WEIGHTS = np.array(
    [
        [0.00, 0.40, 0.05, 0.20, 0.15, 0.12, 0.08, 0.00],
        [0.00, 0.30, 0.15, 0.18, 0.10, 0.10, 0.14, 0.03],
        [0.00, 0.10, 0.32, 0.10, 0.04, 0.06, 0.20, 0.18],
    ]
)
_QUANTITY_WEIGHTS = np.array([[0.80, 0.17, 0.03], [0.60, 0.30, 0.10], [0.35, 0.40, 0.25]])
_SPEND_TIER_WEIGHTS = np.array([[0.55, 0.35, 0.10], [0.05, 0.35, 0.60], [0.40, 0.40, 0.20]])

#: Touchpoint survey: share answering, days after the first order, share of
#: answerers rating each touchpoint, and rating 1..5 distributions.
_RATING_RESPONSE_PROB = 0.5
_RATING_DELAY_DAYS = (7, 43)
_TOUCHPOINT_RATED_PROB = {
    "Instagram広告": 0.55,
    "ブランドサイト": 0.80,
    "口コミ・レビュー": 0.60,
    "注文フォーム": 0.90,
    "配送": 0.95,
    "開封・初回使用": 0.95,
    "定期便マイページ": 0.0,  # rated by subscribers only, see below
    "カスタマーサポート": 0.30,
    "LINE配信": 0.50,
}
_MYPAGE_RATED_PROB_SUBSCRIBERS = 0.85
_RATING_WEIGHTS = {
    "Instagram広告": [0.06, 0.12, 0.38, 0.30, 0.14],
    "ブランドサイト": [0.03, 0.08, 0.30, 0.38, 0.21],
    "口コミ・レビュー": [0.03, 0.07, 0.30, 0.37, 0.23],
    "注文フォーム": [0.04, 0.10, 0.28, 0.36, 0.22],
    "配送": [0.02, 0.05, 0.22, 0.40, 0.31],
    "開封・初回使用": [0.00, 0.00, 0.30, 0.42, 0.28],  # when first use went well
    "定期便マイページ": [0.07, 0.15, 0.33, 0.30, 0.15],
    "カスタマーサポート": [0.04, 0.08, 0.25, 0.36, 0.27],
    "LINE配信": [0.06, 0.12, 0.40, 0.28, 0.14],
}
_FRICTION_BAD_RATING_WEIGHTS = [0.45, 0.55, 0.0, 0.0, 0.0]

#: NPS survey: share of customers answering by segment, first answer at least
#: this many days after the first order, up to 3 answers each.
_NPS_RESPONSE_PROB = np.array([0.30, 0.80, 0.45])
_NPS_MIN_DAYS_AFTER_FIRST_ORDER = 30
_NPS_SOURCES = ("メール", "LINE", "同梱はがき")
_NPS_SOURCE_WEIGHTS = [0.5, 0.3, 0.2]
_NPS_COMMENT_PROB = 0.5
_NPS_COMMENTS = {
    "detractor": (
        "粉が溶けにくく、飲みにくかったです。",
        "届く量が多くて飲みきれません。",
        "解約の手続きが分かりにくかったです。",
        "思っていた味と違いました。",
    ),
    "passive": (
        "味は普通ですが、体調は良い気がします。",
        "価格がもう少し安ければうれしいです。",
        "まだ効果はよく分かりません。",
    ),
    "promoter": (
        "毎朝の習慣になりました。家族にも勧めています。",
        "飲みやすくて続けられています。",
        "定期便が便利で助かっています。",
        "美容液も気に入って、肌の調子が良いです。",
    ),
}
_FAN_SURVEY_PROB = 0.7
#: Share of touchpoint ratings with a free-text comment, and the comments by
#: touchpoint and rating level (low 1-2, mid 3, high 4-5).  Drawn from their
#: own random stream, so the ratings themselves are unchanged.
_RATING_COMMENT_PROB = 0.3
_RATING_COMMENTS: dict[str, dict[str, tuple[str, ...]]] = {
    "開封・初回使用": {
        "low": ("粉が溶けにくく、飲みにくかったです。", "ダマになって初回から残念でした。",
                "思っていた味と違い、続けるか迷っています。", "説明書が分かりにくく、飲み方に困りました。"),
        "mid": ("味は普通です。", "まだ効果は分かりません。"),
        "high": ("すっと溶けて飲みやすいです。", "味が美味しくて毎朝の習慣になりました。",
                 "初回から飲みやすく、家族にも勧めています。"),
    },
    "配送": {
        "low": ("届くのが遅くて困りました。", "箱が破損していて残念でした。"),
        "mid": ("普通に届きました。",),
        "high": ("早く届いて助かりました。", "丁寧な梱包で安心しました。"),
    },
    "注文フォーム": {
        "low": ("入力項目が多く、面倒でした。", "送料の表示が分かりにくかったです。"),
        "mid": ("特に問題ありません。",),
        "high": ("簡単に注文できて便利です。", "スマホでも分かりやすいです。"),
    },
    "定期便マイページ": {
        "low": ("解約の手続きが分かりにくかったです。", "お届け日の変更が面倒です。"),
        "mid": ("普通に使えています。",),
        "high": ("お届け日の変更が簡単で便利です。",),
    },
    "カスタマーサポート": {
        "low": ("電話がつながらず不満です。", "回答が遅くて不安でした。"),
        "mid": ("対応は普通でした。",),
        "high": ("丁寧に対応していただき感謝しています。", "親切で安心しました。"),
    },
}
_RATING_COMMENT_DEFAULT = {
    "low": ("分かりにくかったです。", "期待と違って残念でした。"),
    "mid": ("普通です。",),
    "high": ("分かりやすくて良かったです。", "満足しています。"),
}
_PERSONAL_MISSING_SHARE = 0.10

_SURNAMES = (
    ("佐藤", "sato"), ("鈴木", "suzuki"), ("高橋", "takahashi"), ("田中", "tanaka"),
    ("伊藤", "ito"), ("渡辺", "watanabe"), ("山本", "yamamoto"), ("中村", "nakamura"),
    ("小林", "kobayashi"), ("加藤", "kato"), ("吉田", "yoshida"), ("山田", "yamada"),
    ("佐々木", "sasaki"), ("山口", "yamaguchi"), ("松本", "matsumoto"), ("井上", "inoue"),
    ("木村", "kimura"), ("林", "hayashi"), ("斎藤", "saito"), ("清水", "shimizu"),
    ("山崎", "yamazaki"), ("森", "mori"), ("池田", "ikeda"), ("橋本", "hashimoto"),
    ("阿部", "abe"), ("石川", "ishikawa"), ("山下", "yamashita"), ("中島", "nakajima"),
    ("石井", "ishii"), ("小川", "ogawa"), ("前田", "maeda"), ("岡田", "okada"),
    ("長谷川", "hasegawa"), ("藤田", "fujita"), ("後藤", "goto"), ("近藤", "kondo"),
)
_FEMALE_NAMES = (
    ("花子", "hanako"), ("恵子", "keiko"), ("陽子", "yoko"), ("美穂", "miho"),
    ("直美", "naomi"), ("由美", "yumi"), ("智子", "tomoko"), ("裕子", "yuko"),
    ("真由美", "mayumi"), ("久美子", "kumiko"), ("明美", "akemi"), ("幸子", "sachiko"),
    ("美咲", "misaki"), ("彩", "aya"), ("葵", "aoi"), ("結衣", "yui"),
    ("千尋", "chihiro"), ("麻衣", "mai"), ("香織", "kaori"), ("愛", "ai"),
)
_MALE_NAMES = (
    ("太郎", "taro"), ("健一", "kenichi"), ("誠", "makoto"), ("浩", "hiroshi"),
    ("大輔", "daisuke"), ("翔太", "shota"), ("拓也", "takuya"), ("和也", "kazuya"),
    ("直樹", "naoki"), ("隆", "takashi"), ("修", "osamu"), ("亮", "ryo"),
    ("健太", "kenta"), ("達也", "tatsuya"), ("学", "manabu"), ("聡", "satoshi"),
    ("剛", "tsuyoshi"), ("悠斗", "yuto"), ("蓮", "ren"), ("大翔", "hiroto"),
)
_EMAIL_DOMAINS = ("example.jp", "example.com")
_MOBILE_PREFIXES = ("090", "080", "070")
_GENDERS = ("女性", "男性", "無回答")
_GENDER_WEIGHTS = [0.72, 0.25, 0.03]
#: Prefectures with their population in ten thousands (2020 census, rounded).
_PREFECTURES = {
    "北海道": 522, "青森県": 124, "岩手県": 121, "宮城県": 230, "秋田県": 96,
    "山形県": 107, "福島県": 183, "茨城県": 287, "栃木県": 193, "群馬県": 194,
    "埼玉県": 734, "千葉県": 628, "東京都": 1405, "神奈川県": 923, "新潟県": 220,
    "富山県": 103, "石川県": 113, "福井県": 77, "山梨県": 81, "長野県": 205,
    "岐阜県": 198, "静岡県": 363, "愛知県": 754, "三重県": 177, "滋賀県": 141,
    "京都府": 258, "大阪府": 884, "兵庫県": 547, "奈良県": 132, "和歌山県": 92,
    "鳥取県": 55, "島根県": 67, "岡山県": 189, "広島県": 280, "山口県": 134,
    "徳島県": 72, "香川県": 95, "愛媛県": 133, "高知県": 69, "福岡県": 514,
    "佐賀県": 81, "長崎県": 131, "熊本県": 174, "大分県": 112, "宮崎県": 107,
    "鹿児島県": 159, "沖縄県": 147,
}
#: Acquisition and preferred order channel weights, under 50 / 50 and over.
_ACQUISITION_WEIGHTS = np.array(
    [[0.32, 0.33, 0.05, 0.05, 0.10, 0.15], [0.25, 0.15, 0.22, 0.20, 0.10, 0.08]]
)
_ORDER_CHANNEL_WEIGHTS = np.array([[0.60, 0.25, 0.10, 0.05], [0.40, 0.15, 0.28, 0.17]])
_PREFERRED_CHANNEL_PROB = 0.85

#: Independent random streams, so that changing one table's draws leaves the
#: others unchanged.
_STREAMS = {
    "traits": 1,
    "personal": 2,
    "orders": 3,
    "order_lines": 4,
    "ratings": 5,
    "nps": 6,
    "nps_text": 7,
    "fan": 8,
    "rating_text": 9,
}


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------
def generate_sample(
    n_customers: int = DEFAULT_CUSTOMERS,
    seed: int = DEFAULT_SEED,
    as_of: str | pd.Timestamp = AS_OF,
) -> dict[str, pd.DataFrame]:
    """Generate the synthetic sample tables in memory.

    Parameters
    ----------
    n_customers : int
        Number of customers (at least 1).
    seed : int
        Random seed; the same arguments always give identical frames.
    as_of : str or pandas.Timestamp
        Reference date.  The history starts three years earlier (the day
        after the same date three years before) and no date lies after it.

    Returns
    -------
    dict of str to pandas.DataFrame
        One frame per table of :data:`TABLES`, with the data-contract columns
        and the dtypes :mod:`helpers.io` gives them when loading.

    Examples
    --------
    >>> tables = generate_sample(300, seed=1)
    >>> sorted(tables) == sorted(TABLES)
    True
    """
    if int(n_customers) != n_customers or n_customers < 1:
        raise ValueError(f"n_customers must be a positive whole number, got {n_customers!r}")
    calendar = _Calendar.spanning_three_years_to(as_of)
    traits = _draw_traits(int(n_customers), calendar, _rng(seed, "traits"))
    orders = _simulate_orders(traits, calendar, _rng(seed, "orders"))
    nps_answers = _nps_answers(orders, traits, calendar, _rng(seed, "nps"))
    tables = {
        "customers": _customers_table(traits, calendar, _rng(seed, "personal")),
        "orders": _orders_table(orders, traits, calendar, _rng(seed, "order_lines")),
        "nps": _nps_table(nps_answers, traits, calendar, _rng(seed, "nps_text")),
        "fan_survey": _fan_survey_table(nps_answers, traits, calendar, _rng(seed, "fan")),
        "journey": _journey_table(),
        "touchpoint_ratings": _with_rating_comments(
            _touchpoint_ratings_table(traits, calendar, _rng(seed, "ratings")), _rng(seed, "rating_text")
        ),
    }
    return {name: _with_contract_dtypes(tables[name], name) for name in TABLES}


def write_sample(
    out_dir: str | Path,
    n_customers: int = DEFAULT_CUSTOMERS,
    seed: int = DEFAULT_SEED,
    as_of: str | pd.Timestamp = AS_OF,
) -> dict[str, Path]:
    """Generate the sample and write one UTF-8 CSV per table.

    Dates are written as ``YYYY-MM-DD`` and amounts as whole yen; the files
    are identical byte for byte for the same arguments.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        Directory to write into (created if missing; relative paths are
        taken from the current working directory).  Existing ``<table>.csv``
        files are replaced.
    n_customers, seed, as_of
        As for :func:`generate_sample`.

    Returns
    -------
    dict of str to pathlib.Path
        Table name -> written file.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, frame in generate_sample(n_customers, seed, as_of).items():
        path = out / f"{name}.csv"
        _csv_ready(frame).to_csv(
            path, index=False, encoding="utf-8", lineterminator="\n", date_format="%Y-%m-%d"
        )
        written[name] = path
    return written


# ---------------------------------------------------------------------------
# Calendar and random streams
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class _Calendar:
    """Day numbers counted from the first day of the history."""

    start: pd.Timestamp
    as_of: pd.Timestamp

    @classmethod
    def spanning_three_years_to(cls, as_of) -> _Calendar:
        as_of = pd.Timestamp(as_of).normalize()
        return cls(as_of - pd.DateOffset(years=3) + pd.Timedelta(days=1), as_of)

    @property
    def last_day(self) -> int:
        """Day number of ``as_of``."""
        return int((self.as_of - self.start).days)

    def dates(self, days: np.ndarray) -> np.ndarray:
        """datetime64[ns] dates of day numbers."""
        return (np.datetime64(self.start.date(), "D") + days.astype("timedelta64[D]")).astype(
            "datetime64[ns]"
        )


def _rng(seed: int, stream: str) -> np.random.Generator:
    return np.random.default_rng([int(seed), _STREAMS[stream]])


def _pick(rng: np.random.Generator, weights, size: int) -> np.ndarray:
    """Category indices drawn from one weight vector."""
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(p), size=size, p=p / p.sum())


def _pick_by_row(rng: np.random.Generator, weight_rows: np.ndarray) -> np.ndarray:
    """One category index per row, each row with its own weights."""
    cdf = np.cumsum(weight_rows, axis=1)
    cdf /= cdf[:, -1:]
    u = rng.random((len(weight_rows), 1))
    return np.minimum((u > cdf).sum(axis=1), weight_rows.shape[1] - 1)


# ---------------------------------------------------------------------------
# Customers' hidden traits
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class _Traits:
    """Per-customer hidden traits driving every table (arrays of length n)."""

    customer_id: np.ndarray  # "C000001", ... in order of the first order
    first_day: np.ndarray  # day of the first order, ascending
    age: np.ndarray  # whole years at as_of
    segment: np.ndarray  # _LIGHT, _LOYAL or _SUBSCRIBER
    friction_bad: np.ndarray  # first use went badly
    purchase_rate: np.ndarray  # one-off purchases per day while active
    dropout: np.ndarray  # one-off: probability of lapsing after a repeat order
    spend_tier: np.ndarray  # 0 low .. 2 high
    plan: np.ndarray  # subscription plan index
    order_channel: np.ndarray  # preferred order channel index
    long_gap: np.ndarray  # takes one long pause after the first year

    @property
    def n(self) -> int:
        return len(self.first_day)


def _acquisition_days(n: int, last_day: int, rng: np.random.Generator) -> np.ndarray:
    """First-order days, ascending, with acquisition growing 60% over the span."""
    growth = 0.6
    u = rng.random(n)
    # inverse CDF of a density rising linearly from 1 to 1 + growth
    x = (np.sqrt(1 + 2 * growth * u * (1 + growth / 2)) - 1) / growth
    return np.sort(np.minimum((x * (last_day + 1)).astype(np.int64), last_day))


def _draw_traits(n: int, calendar: _Calendar, rng: np.random.Generator) -> _Traits:
    first_day = _acquisition_days(n, calendar.last_day, rng)
    age = np.clip(np.round(rng.normal(50, 12, n)), 22, 84).astype(np.int64)
    segment = _pick(rng, _SEGMENT_SHARES, n)
    loyal = segment == _LOYAL
    # BG/NBD-like heterogeneity: gamma purchase rates, beta dropout
    mean_gap = np.where(loyal, 24.0, 80.0)
    shape = np.where(loyal, 6.0, 2.0)
    purchase_rate = rng.gamma(shape, 1.0 / (mean_gap * shape))
    dropout = np.where(loyal, rng.beta(1.0, 30.0, n), rng.beta(2.0, 5.0, n))
    older = (age >= 50).astype(np.int64)
    return _Traits(
        customer_id=_ids("C", n, width=6),
        first_day=first_day,
        age=age,
        segment=segment,
        friction_bad=rng.random(n) < _FRICTION_BAD_SHARE,
        purchase_rate=purchase_rate,
        dropout=dropout,
        spend_tier=_pick_by_row(rng, _SPEND_TIER_WEIGHTS[segment]),
        plan=_pick(rng, [0.7, 0.3], n),
        order_channel=_pick_by_row(rng, _ORDER_CHANNEL_WEIGHTS[older]),
        long_gap=loyal & (rng.random(n) < _LONG_GAP_SHARE_OF_LOYAL),
    )


# ---------------------------------------------------------------------------
# Orders
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class _Orders:
    """Simulated orders: customer index, day number and order number 1, 2, ..."""

    customer: np.ndarray
    day: np.ndarray
    number: np.ndarray


def _continue_prob(traits: _Traits, idx: np.ndarray, number: int) -> np.ndarray:
    """Probability that customers ``idx`` order again after order ``number``."""
    segment = traits.segment[idx]
    if number == 1:
        return _SECOND_ORDER_PROB[segment, traits.friction_bad[idx].astype(np.int64)]
    stop_sub = SUBSCRIPTION_STOP_HAZARD.get(number, SUBSCRIPTION_STOP_HAZARD_LATER)
    return np.where(segment == _SUBSCRIBER, 1.0 - stop_sub, 1.0 - traits.dropout[idx])


def _next_gap(traits: _Traits, idx: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Days until the next order: monthly for subscribers, exponential otherwise."""
    one_off = _MIN_REPEAT_GAP_DAYS + np.ceil(rng.exponential(1.0 / traits.purchase_rate[idx]))
    monthly = SUBSCRIPTION_INTERVAL_DAYS + rng.integers(-2, 3, len(idx))
    return np.where(traits.segment[idx] == _SUBSCRIBER, monthly, one_off).astype(np.int64)


def _simulate_orders(traits: _Traits, calendar: _Calendar, rng: np.random.Generator) -> _Orders:
    """Order days of every customer, one round per order number."""
    day = traits.first_day.copy()
    pause_pending = traits.long_gap.copy()
    active = np.arange(traits.n)
    customers, days, numbers = [active], [day.copy()], [np.ones(traits.n, np.int64)]
    for number in range(1, _MAX_ORDERS):
        active = active[rng.random(len(active)) < _continue_prob(traits, active, number)]
        gap = _next_gap(traits, active, rng)
        pausing = pause_pending[active] & (day[active] - traits.first_day[active] >= _LONG_GAP_AFTER_DAYS)
        pause = rng.integers(LONG_GAP_DAYS + 10, LONG_GAP_DAYS + 120, len(active))
        gap = np.where(pausing, np.maximum(gap, pause), gap)
        pause_pending[active[pausing]] = False
        next_day = day[active] + gap
        in_history = next_day <= calendar.last_day
        active = active[in_history]
        if len(active) == 0:
            break
        day[active] = next_day[in_history]
        customers.append(active)
        days.append(day[active])
        numbers.append(np.full(len(active), number + 1, np.int64))
    return _Orders(np.concatenate(customers), np.concatenate(days), np.concatenate(numbers))


def _order_lines(
    orders: _Orders, traits: _Traits, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Product index (into one-off products then plans), amount and channel index."""
    n = len(orders.customer)
    segment = traits.segment[orders.customer]
    tier = traits.spend_tier[orders.customer]
    one_off_prices = np.array(list(PRODUCTS.values()))
    plan_prices = np.array(list(SUBSCRIPTION_PLANS.values()))

    product = _pick_by_row(rng, _PRODUCT_WEIGHTS[tier])
    trial = (orders.number == 1) & (rng.random(n) < _TRIAL_FIRST_ORDER_PROB[segment])
    product[trial] = 0
    price = one_off_prices[product]
    quantity = _pick_by_row(rng, _QUANTITY_WEIGHTS[tier]) + 1
    quantity = np.where(trial, 1, np.minimum(quantity, _MAX_ORDER_AMOUNT // price))
    amount = price * quantity

    subscription = segment == _SUBSCRIBER
    plan = traits.plan[orders.customer]
    add_on = rng.random(n) < _ADD_ON_PROB
    plan_amount = plan_prices[plan] + np.where(add_on, PRODUCTS[_ADD_ON_PRODUCT], 0)
    product = np.where(subscription, len(PRODUCTS) + plan, product)
    amount = np.where(subscription, plan_amount, amount)

    random_channel = rng.integers(0, len(ORDER_CHANNELS), n)
    preferred = rng.random(n) < _PREFERRED_CHANNEL_PROB
    channel = np.where(preferred, traits.order_channel[orders.customer], random_channel)
    return product, amount, channel


def _orders_table(
    orders: _Orders, traits: _Traits, calendar: _Calendar, rng: np.random.Generator
) -> pd.DataFrame:
    product, amount, channel = _order_lines(orders, traits, rng)
    chronological = np.lexsort((orders.number, orders.customer, orders.day))
    names = np.array(list(PRODUCTS) + list(SUBSCRIPTION_PLANS), dtype=object)
    customer = orders.customer[chronological]
    return pd.DataFrame(
        {
            "order_id": _ids("O", len(chronological), width=7),
            "customer_id": traits.customer_id[customer],
            "order_date": calendar.dates(orders.day[chronological]),
            "amount": amount[chronological].astype(np.float64),
            "product": names[product[chronological]],
            "channel": np.array(ORDER_CHANNELS, dtype=object)[channel[chronological]],
            "is_subscription": traits.segment[customer] == _SUBSCRIBER,
        }
    )


def _ids(prefix: str, count: int, width: int) -> np.ndarray:
    """``prefix`` + zero-padded 1..count, widened when count needs more digits."""
    width = max(width, len(str(count)))
    numbers = np.arange(1, count + 1).astype(np.dtypes.StringDType())
    return np.strings.add(prefix, np.strings.zfill(numbers, width)).astype(object)


# ---------------------------------------------------------------------------
# Customers
# ---------------------------------------------------------------------------
def _text(values) -> np.ndarray:
    """Array of numpy variable-width strings, for fast vectorised joining."""
    return np.asarray(values, dtype=np.dtypes.StringDType())


def _digits(rng: np.random.Generator, n: int, width: int) -> np.ndarray:
    """``n`` random zero-padded numbers of ``width`` digits."""
    return np.strings.zfill(_text(rng.integers(0, 10**width, n)), width)


def _personal_data(traits: _Traits, calendar: _Calendar, rng: np.random.Generator) -> dict:
    """Fake names, emails, mobile numbers, birth dates and genders.

    Names are common surnames and given names; emails use the reserved
    example.jp / example.com domains; numbers follow the Japanese mobile pattern
    (070, 080 or 090, then two blocks of four digits).  Each of name, email, phone and birth date is missing for about
    ``_PERSONAL_MISSING_SHARE`` of the customers, independently.
    """
    n = traits.n
    gender = _pick(rng, _GENDER_WEIGHTS, n)
    surname = _pick(rng, np.ones(len(_SURNAMES)), n)
    given = rng.integers(0, len(_FEMALE_NAMES), n)
    # "無回答" customers get a given name of either kind
    male_name = (gender == 1) | ((gender == 2) & (rng.random(n) < 0.5))
    given_names = np.where(male_name[:, None], np.array(_MALE_NAMES)[given], np.array(_FEMALE_NAMES)[given])
    surnames = np.array(_SURNAMES)[surname]

    name = np.strings.add(np.strings.add(_text(surnames[:, 0]), "\u3000"), _text(given_names[:, 0]))
    local_part = np.strings.add(np.strings.add(_text(given_names[:, 1]), "."), _text(surnames[:, 1]))
    local_part = np.strings.add(local_part, _text(rng.integers(1, 1000, n)))
    domain = _text(np.array(_EMAIL_DOMAINS)[_pick(rng, [0.6, 0.4], n)])
    email = np.strings.add(np.strings.add(local_part, "@"), domain)
    phone = _text(np.array(_MOBILE_PREFIXES)[_pick(rng, [0.5, 0.35, 0.15], n)])
    for _ in range(2):
        phone = np.strings.add(np.strings.add(phone, "-"), _digits(rng, n, 4))
    # birth date: age in whole years at as_of, day within that year of life
    days_old = np.floor((traits.age + rng.random(n)) * 365.2425).astype(np.int64)

    columns = {
        "birth_date": pd.Series(calendar.dates(calendar.last_day - days_old)),
        "name": pd.Series(name.astype(object)),
        "email": pd.Series(email.astype(object)),
        "phone": pd.Series(phone.astype(object)),
    }
    columns = {c: v.mask(rng.random(n) < _PERSONAL_MISSING_SHARE) for c, v in columns.items()}
    columns["gender"] = np.array(_GENDERS, dtype=object)[gender]
    return columns


def _customers_table(traits: _Traits, calendar: _Calendar, rng: np.random.Generator) -> pd.DataFrame:
    older = (traits.age >= 50).astype(np.int64)
    acquisition = _pick_by_row(rng, _ACQUISITION_WEIGHTS[older])
    prefecture = _pick(rng, list(_PREFECTURES.values()), traits.n)
    return pd.DataFrame(
        {
            "customer_id": traits.customer_id,
            "prefecture": np.array(list(_PREFECTURES), dtype=object)[prefecture],
            "acquisition_channel": np.array(ACQUISITION_CHANNELS, dtype=object)[acquisition],
            **_personal_data(traits, calendar, rng),
        }
    )


# ---------------------------------------------------------------------------
# Touchpoint ratings
# ---------------------------------------------------------------------------
def _touchpoint_ratings_table(
    traits: _Traits, calendar: _Calendar, rng: np.random.Generator
) -> pd.DataFrame:
    """One row per answering customer and touchpoint they rated.

    Only the friction touchpoint's rating is tied to behaviour: it is low
    exactly when the customer's first use went badly.
    """
    n = traits.n
    response_day = traits.first_day + rng.integers(*_RATING_DELAY_DAYS, n)
    answered = (rng.random(n) < _RATING_RESPONSE_PROB) & (response_day <= calendar.last_day)
    who = np.flatnonzero(answered)

    rated_prob = np.array([_TOUCHPOINT_RATED_PROB[t] for t in TOUCHPOINTS])
    rated_prob = np.broadcast_to(rated_prob, (len(who), len(TOUCHPOINTS))).copy()
    mypage = TOUCHPOINTS.index("定期便マイページ")
    rated_prob[:, mypage] = np.where(
        traits.segment[who] == _SUBSCRIBER, _MYPAGE_RATED_PROB_SUBSCRIBERS, 0.0
    )
    rated = rng.random(rated_prob.shape) < rated_prob

    cdf = np.cumsum([_RATING_WEIGHTS[t] for t in TOUCHPOINTS], axis=1)
    u = rng.random(rated.shape)
    rating = (u[:, :, None] > cdf[None, :, :]).sum(axis=2) + 1
    friction = TOUCHPOINTS.index(FRICTION_TOUCHPOINT)
    bad_rating = _pick(rng, _FRICTION_BAD_RATING_WEIGHTS, len(who)) + 1
    rating[:, friction] = np.where(traits.friction_bad[who], bad_rating, rating[:, friction])

    row, column = np.nonzero(rated)  # row-major: by customer, then touchpoint
    return pd.DataFrame(
        {
            "customer_id": traits.customer_id[who[row]],
            "touchpoint": np.array(TOUCHPOINTS, dtype=object)[column],
            "rating": np.minimum(rating[row, column], 5).astype(np.int64),
            "response_date": calendar.dates(response_day[who[row]]),
        }
    )


def _with_rating_comments(ratings: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Add a free-text ``comment`` to some ratings, matching the touchpoint and the rating."""
    rating = ratings["rating"].to_numpy()
    level = np.where(rating <= FRICTION_LOW_RATING_MAX, "low", np.where(rating == 3, "mid", "high"))
    u = rng.random((len(ratings), 2))
    comment = np.full(len(ratings), None, dtype=object)
    for (touchpoint, klass), rows in pd.Series(np.arange(len(ratings))).groupby(
        [ratings["touchpoint"].to_numpy(), level], sort=True
    ):
        pool = _RATING_COMMENTS.get(touchpoint, _RATING_COMMENT_DEFAULT)[klass]
        index = rows.to_numpy()
        comment[index] = np.array(pool, dtype=object)[(u[index, 1] * len(pool)).astype(np.int64)]
    comment[u[:, 0] >= _RATING_COMMENT_PROB] = None
    return ratings.assign(comment=comment)


# ---------------------------------------------------------------------------
# NPS and fan survey
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class _NpsAnswers:
    """NPS answers: customer index, day number and score 0..10."""

    customer: np.ndarray
    day: np.ndarray
    score: np.ndarray


def _orders_so_far(orders: _Orders, customer: np.ndarray, day: np.ndarray, span: int) -> np.ndarray:
    """Number of orders each customer placed up to and including ``day``."""
    keys = np.sort(orders.customer.astype(np.int64) * span + orders.day)
    upto = np.searchsorted(keys, customer.astype(np.int64) * span + day, side="right")
    before = np.searchsorted(keys, customer.astype(np.int64) * span, side="left")
    return upto - before


def _nps_answers(
    orders: _Orders, traits: _Traits, calendar: _Calendar, rng: np.random.Generator
) -> _NpsAnswers:
    """NPS scores that rise with the orders placed so far.

    The score is drawn around ``4.3 + 1.7 ln(orders so far)``, higher for
    loyal customers and subscribers, lower after a bad first use.
    """
    n = traits.n
    earliest = traits.first_day + _NPS_MIN_DAYS_AFTER_FIRST_ORDER
    answers = (rng.random(n) < _NPS_RESPONSE_PROB[traits.segment]) & (earliest <= calendar.last_day)
    count = np.where(answers, 1 + rng.binomial(2, 0.3, n), 0)
    customer = np.repeat(np.arange(n), count)
    day = rng.integers(earliest[customer], calendar.last_day + 1)
    order = np.lexsort((day, customer))
    customer, day = customer[order], day[order]
    # at most one answer per customer and day
    distinct = np.ones(len(day), dtype=bool)
    distinct[1:] = (customer[1:] != customer[:-1]) | (day[1:] != day[:-1])
    customer, day = customer[distinct], day[distinct]

    so_far = _orders_so_far(orders, customer, day, calendar.last_day + 1)
    segment = traits.segment[customer]
    mean = (
        4.3
        + 1.7 * np.log(np.maximum(so_far, 1))
        + 1.2 * (segment == _LOYAL)
        + 0.4 * (segment == _SUBSCRIBER)
        - 1.0 * traits.friction_bad[customer]
    )
    score = np.clip(np.round(mean + rng.normal(0, 1.3, len(mean))), 0, 10).astype(np.int64)
    return _NpsAnswers(customer, day, score)


def _nps_table(
    answers: _NpsAnswers, traits: _Traits, calendar: _Calendar, rng: np.random.Generator
) -> pd.DataFrame:
    """NPS answers with a comment (half of them) matching the score class."""
    m = len(answers.score)
    comment = np.full(m, None, dtype=object)
    for klass, (low, high) in {"detractor": (0, 6), "passive": (7, 8), "promoter": (9, 10)}.items():
        pool = np.array(_NPS_COMMENTS[klass], dtype=object)
        hit = (answers.score >= low) & (answers.score <= high)
        comment[hit] = pool[rng.integers(0, len(pool), int(hit.sum()))]
    comment[rng.random(m) >= _NPS_COMMENT_PROB] = None
    return pd.DataFrame(
        {
            "customer_id": traits.customer_id[answers.customer],
            "response_date": calendar.dates(answers.day),
            "score": answers.score,
            "comment": comment,
            "source": np.array(_NPS_SOURCES, dtype=object)[_pick(rng, _NPS_SOURCE_WEIGHTS, m)],
        }
    )


def _fan_survey_table(
    answers: _NpsAnswers, traits: _Traits, calendar: _Calendar, rng: np.random.Generator
) -> pd.DataFrame:
    """Fan stage and liking, asked alongside some NPS answers; both follow the score."""
    asked = rng.random(len(answers.score)) < _FAN_SURVEY_PROB
    score = answers.score[asked]
    fan_stage = np.clip(np.round(-1.2 + 0.55 * score + rng.normal(0, 0.7, len(score))), 0, 5)
    liking = np.clip(np.round(1.2 + 0.55 * score + rng.normal(0, 0.8, len(score))), 1, 7)
    return pd.DataFrame(
        {
            "customer_id": traits.customer_id[answers.customer[asked]],
            "response_date": calendar.dates(answers.day[asked]),
            "fan_stage": fan_stage.astype(np.int64),
            "liking": liking.astype(np.int64),
        }
    )


# ---------------------------------------------------------------------------
# Journey worksheet (written by hand: the same for every seed)
# ---------------------------------------------------------------------------
#: (stage, touchpoint, channel, action, thought, emotion, expectation,
#: evaluation, improvement) per step, as-is and to-be, per persona.
_JOURNEY_STEPS: dict[tuple[str, str], list[tuple]] = {
    (PERSONAS[0], "as_is"): [
        ("認知", "Instagram広告", "SNS", "通勤電車でInstagramの青汁広告を見る",
         "野菜不足が気になっていた。手軽なら試したい", 1, 3, 3, None),
        ("興味・関心", "ブランドサイト", "Web", "ブランドサイトで原料と産地を読む",
         "国産の大麦若葉なら安心できそう", 2, 3, 4, None),
        ("比較・検討", "口コミ・レビュー", "Web", "口コミサイトで他社の青汁と比べる",
         "味の評価が分かれていて少し不安", 1, 3, 3, None),
        ("購入", "注文フォーム", "Web", "お試し7包を注文する",
         "入力項目が多いけれど、初回割引はうれしい", 2, 4, 3, None),
        ("受け取り・初回使用", "配送", "配送", "指定した日にポストで受け取る",
         "ポストに入るサイズで助かる", 3, 3, 4, None),
        ("受け取り・初回使用", FRICTION_TOUCHPOINT, "同梱物", "箱を開けて初めて水に溶かして飲む",
         "粉がダマになって溶けない。苦くて続けられるか不安", -3, 4, 2,
         "溶かし方とアレンジレシピのカードを同梱し、初回はシェイカーを付ける"),
        ("継続・リピート", "LINE配信", "LINE", "LINEで届いた定期便の案内を読む",
         "まだ効果が分からないので続けるか迷う", 0, 3, 3,
         "初回から1週間後に、飲み方のコツと続けた人の声を配信する"),
        ("継続・リピート", "定期便マイページ", "Web", "3回目のお届けで在庫が溜まり、スキップ方法を探す",
         "飲みきれずに溜まっていく。止めたほうがいいかも", -1, 3, 2,
         "お届け間隔の変更・スキップをマイページの最初に置き、3回目の前にお知らせする"),
        ("推奨・ファン化", "友人への紹介", "LINE", "友人に聞かれたら商品名を教える",
         "悪くはないけれど、自分から勧めるほどではない", 1, 3, 3, None),
    ],
    (PERSONAS[0], "to_be"): [
        ("認知", "Instagram広告", "SNS", "通勤電車でInstagramの青汁広告を見る",
         "野菜不足が気になっていた。手軽なら試したい", 1, 3, 3, None),
        ("興味・関心", "ブランドサイト", "Web", "ブランドサイトで原料と産地、飲み方動画を見る",
         "国産で、飲み方までイメージできる", 3, 3, 4, None),
        ("比較・検討", "口コミ・レビュー", "Web", "味の感想が整理されたレビューを読む",
         "アレンジすれば飲みやすいと分かって安心", 2, 3, 4, None),
        ("購入", "注文フォーム", "Web", "入力の少ないフォームでお試し7包を注文する",
         "すぐ終わった。初回割引もうれしい", 3, 4, 4, None),
        ("受け取り・初回使用", "配送", "配送", "指定した日にポストで受け取る",
         "ポストに入るサイズで助かる", 3, 3, 4, None),
        ("受け取り・初回使用", FRICTION_TOUCHPOINT, "同梱物", "同梱のシェイカーとレシピカードで初めて飲む",
         "10秒で溶けて、豆乳割りならおいしい", 3, 4, 5, None),
        ("継続・リピート", "LINE配信", "LINE", "1週間後に飲み方のコツがLINEで届く",
         "同じように続けている人がいて励みになる", 3, 3, 4, None),
        ("継続・リピート", "定期便マイページ", "Web", "3回目の前の案内を見て、お届けを2か月ごとに変える",
         "自分のペースで続けられる", 3, 3, 4, None),
        ("推奨・ファン化", "友人への紹介", "LINE", "紹介カードで友人にお試しを勧める",
         "毎朝の習慣になった。友人にも教えたい", 4, 3, 5, None),
    ],
    (PERSONAS[1], "as_is"): [
        ("認知", "ドラッグストア店頭", "店舗", "ドラッグストアで他社の青汁を手に取る",
         "毎日野菜をとるのは無理。粉末なら続くかも", 0, 3, 3, None),
        ("興味・関心", "Instagram広告", "SNS", "SNS広告で「1日1杯30秒」の訴求を見る",
         "手軽さが自分向きだ", 2, 3, 4, None),
        ("比較・検討", "口コミ・レビュー", "Web", "レビューで価格と味を比べる",
         "定期便のほうが安いが、縛りが気になる", 0, 3, 3, None),
        ("購入", "注文フォーム", "Web", "スマホで定期便に申し込む",
         "スマホから1分で終わった", 2, 3, 4, None),
        ("受け取り・初回使用", "配送", "配送", "不在で再配達を依頼する",
         "平日は受け取れない。置き配を選べたらいいのに", 0, 3, 2,
         "初回注文時に置き配・ポスト投函を選べるようにする"),
        ("受け取り・初回使用", FRICTION_TOUCHPOINT, "同梱物", "忙しい朝に初めて作って飲む",
         "溶けにくくて時間がかかる。朝には無理だ", -3, 4, 1,
         "スティック個包装と「シェイク10秒」の飲み方カードを同梱する"),
        ("継続・リピート", "カスタマーサポート", "電話", "お届け日の変更を電話で頼もうとするが、つながらない",
         "平日の昼間しか受け付けていない", -2, 3, 2,
         "お届け日の変更をLINEでできるようにする"),
        ("継続・リピート", "LINE配信", "LINE", "LINEでお届け日を変えられると知る",
         "これなら続けられる", 1, 3, 4, None),
        ("推奨・ファン化", "友人への紹介", "SNS", "同僚との雑談で話題にする",
         "職場で飲んでいると話のきっかけになる", 2, 3, 3, None),
    ],
    (PERSONAS[1], "to_be"): [
        ("認知", "ドラッグストア店頭", "店舗", "ドラッグストアで他社の青汁を手に取る",
         "毎日野菜をとるのは無理。粉末なら続くかも", 0, 3, 3, None),
        ("興味・関心", "Instagram広告", "SNS", "SNS広告で「1日1杯30秒」の訴求を見る",
         "手軽さが自分向きだ", 2, 3, 4, None),
        ("比較・検討", "口コミ・レビュー", "Web", "「いつでもスキップ可」の説明を読む",
         "縛りがないなら定期便でいい", 2, 3, 4, None),
        ("購入", "注文フォーム", "Web", "スマホで定期便に申し込み、置き配を選ぶ",
         "受け取りの心配もない", 3, 3, 4, None),
        ("受け取り・初回使用", "配送", "配送", "帰宅すると玄関前に届いている",
         "再配達の手間がない", 3, 3, 4, None),
        ("受け取り・初回使用", FRICTION_TOUCHPOINT, "同梱物", "スティックをシェイクして10秒で飲む",
         "朝の忙しい時間でも続けられる", 3, 4, 4, None),
        ("継続・リピート", "カスタマーサポート", "LINE", "LINEのメニューからお届け日を変える",
         "夜でも自分で変えられて楽", 3, 3, 4, None),
        ("継続・リピート", "LINE配信", "LINE", "LINEで飲み方のアレンジ例を受け取る",
         "飽きずに続けられそう", 3, 3, 4, None),
        ("推奨・ファン化", "友人への紹介", "SNS", "同僚に紹介コードを送る",
         "いいものは人に勧めたい", 4, 3, 5, None),
    ],
}


def _journey_table() -> pd.DataFrame:
    rows = [
        (persona, scenario, step, *fields)
        for (persona, scenario), steps in _JOURNEY_STEPS.items()
        for step, fields in enumerate(steps, start=1)
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "persona", "scenario", "step", "stage", "touchpoint", "channel", "action",
            "thought", "emotion", "expectation", "evaluation", "improvement",
        ],
    )


# ---------------------------------------------------------------------------
# Output formats
# ---------------------------------------------------------------------------
def _with_contract_dtypes(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Cast the contract columns to the dtypes :mod:`helpers.io` gives them."""
    spec = schemas.TABLES[table]
    ordered = [c for c in spec.columns if c in frame.columns]
    frame = frame[ordered]
    return frame.astype({c: schemas.dtype_of(spec.columns[c].kind) for c in ordered})


def _csv_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """Amounts as whole yen; everything else as is."""
    if "amount" in frame.columns:
        frame = frame.assign(amount=frame["amount"].round().astype("Int64"))
    return frame
