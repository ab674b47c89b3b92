"""The data contract: tables, their columns, header aliases and pandera schemas.

Each table of a data directory is described by a :class:`TableSpec`: which
columns it needs, what kind of value each holds, and the rules the values
obey.  :mod:`helpers.io` parses raw cells by column kind, then validates the
typed frame with the pandera schema built here.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import pandas as pd
import pandera.pandas as pa

from helpers import labels


@dataclass(frozen=True)
class ColumnSpec:
    """One column of the contract.

    Attributes
    ----------
    kind : str
        How raw cells are parsed: ``"text"``, ``"date"``, ``"amount"``,
        ``"int"``, ``"bool"``, ``"scenario"``, ``"fan_stage"``, ``"liking"``.
    required : bool
        Whether the column must be present and every cell filled.
    low, high : int or None
        Inclusive range of numeric kinds.
    unique : bool
        Whether values must be unique within the table.
    """

    kind: str = "text"
    required: bool = False
    low: float | None = None
    high: float | None = None
    unique: bool = False


@dataclass(frozen=True)
class TableSpec:
    """A table of the data contract.

    Attributes
    ----------
    name : str
        File stem, e.g. ``"orders"``.
    columns : dict of str to ColumnSpec
        Known columns, required first.
    date_columns_not_after_as_of : tuple of str
        Date columns whose values may not lie after ``as_of``.
    refers_to_customers : bool
        Whether ``customer_id`` must name a known customer.
    date_column : str or None
        Column used for the table's date range in summaries.
    """

    name: str
    columns: dict[str, ColumnSpec]
    date_columns_not_after_as_of: tuple[str, ...] = ()
    refers_to_customers: bool = False
    date_column: str | None = None
    aliases: dict[str, str] = field(default_factory=dict)

    @property
    def required(self) -> list[str]:
        """Names of the required columns."""
        return [c for c, s in self.columns.items() if s.required]


_ID = ColumnSpec("text", required=True)

TABLES: dict[str, TableSpec] = {
    "customers": TableSpec(
        "customers",
        {
            "customer_id": ColumnSpec("text", required=True, unique=True),
            "birth_date": ColumnSpec("date"),
            "gender": ColumnSpec("text"),
            "prefecture": ColumnSpec("text"),
            "acquisition_channel": ColumnSpec("text"),
            "name": ColumnSpec("text"),
            "email": ColumnSpec("text"),
            "phone": ColumnSpec("text"),
        },
        date_columns_not_after_as_of=("birth_date",),
    ),
    "orders": TableSpec(
        "orders",
        {
            "order_id": ColumnSpec("text", required=True, unique=True),
            "customer_id": _ID,
            "order_date": ColumnSpec("date", required=True),
            "amount": ColumnSpec("amount", required=True, low=0),
            "product": ColumnSpec("text"),
            "channel": ColumnSpec("text"),
            "is_subscription": ColumnSpec("bool"),
        },
        date_columns_not_after_as_of=("order_date",),
        refers_to_customers=True,
        date_column="order_date",
    ),
    "nps": TableSpec(
        "nps",
        {
            "customer_id": _ID,
            "response_date": ColumnSpec("date", required=True),
            "score": ColumnSpec("int", required=True, low=0, high=10),
            "comment": ColumnSpec("text"),
            "source": ColumnSpec("text"),
        },
        date_columns_not_after_as_of=("response_date",),
        refers_to_customers=True,
        date_column="response_date",
        aliases={"スコア": "score", "点数": "score"},
    ),
    "fan_survey": TableSpec(
        "fan_survey",
        {
            "customer_id": _ID,
            "response_date": ColumnSpec("date", required=True),
            "fan_stage": ColumnSpec("fan_stage", required=True, low=0, high=5),
            "liking": ColumnSpec("liking", required=True, low=1, high=7),
            "comment": ColumnSpec("text"),
        },
        date_columns_not_after_as_of=("response_date",),
        refers_to_customers=True,
        date_column="response_date",
        aliases={"ステージ": "fan_stage"},
    ),
    "journey": TableSpec(
        "journey",
        {
            "persona": ColumnSpec("text", required=True),
            "scenario": ColumnSpec("scenario", required=True),
            "step": ColumnSpec("int", required=True, low=1),
            "stage": ColumnSpec("text", required=True),
            "touchpoint": ColumnSpec("text", required=True),
            "emotion": ColumnSpec("int", required=True, low=-5, high=5),
            "channel": ColumnSpec("text"),
            "action": ColumnSpec("text"),
            "thought": ColumnSpec("text"),
            "expectation": ColumnSpec("int", low=1, high=5),
            "evaluation": ColumnSpec("int", low=1, high=5),
            "improvement": ColumnSpec("text"),
        },
    ),
    "touchpoint_ratings": TableSpec(
        "touchpoint_ratings",
        {
            "customer_id": _ID,
            "touchpoint": ColumnSpec("text", required=True),
            "rating": ColumnSpec("int", required=True, low=1, high=5),
            "response_date": ColumnSpec("date"),
            "comment": ColumnSpec("text"),
        },
        date_columns_not_after_as_of=("response_date",),
        refers_to_customers=True,
        date_column="response_date",
        aliases={"評価": "rating", "満足度": "rating"},
    ),
    "order_items": TableSpec(
        "order_items",
        {
            "order_id": ColumnSpec("text", required=True),
            "product": ColumnSpec("text", required=True),
            "quantity": ColumnSpec("int", low=0),
            "price": ColumnSpec("amount", low=0),
        },
        aliases={"数量": "quantity", "個数": "quantity", "単価": "price", "価格": "price"},
    ),
}

#: Tables a data directory must hold; the others may be missing.
REQUIRED_TABLES: tuple[str, ...] = ("customers", "orders")

#: Header aliases shared by all tables (normalised header -> column).  The
#: Japanese and English display labels of every column are accepted too.
COMMON_ALIASES: dict[str, str] = {
    "顧客id": "customer_id",
    "顧客番号": "customer_id",
    "会員id": "customer_id",
    "会員番号": "customer_id",
    "注文id": "order_id",
    "注文番号": "order_id",
    "受注番号": "order_id",
    "注文日": "order_date",
    "購入日": "order_date",
    "受注日": "order_date",
    "金額": "amount",
    "購入金額": "amount",
    "注文金額": "amount",
    "売上金額": "amount",
    "生年月日": "birth_date",
    "誕生日": "birth_date",
    "nps": "score",
    "推奨度": "score",
    "ステージ": "stage",
    "タッチポイント": "touchpoint",
    "顧客接点": "touchpoint",
    "感情": "emotion",
    "感情スコア": "emotion",
    "商品名": "product",
    "定期": "is_subscription",
    "定期購入": "is_subscription",
    "名前": "name",
    "お名前": "name",
    "メール": "email",
    "電話": "phone",
    "流入経路": "acquisition_channel",
    "期待値": "expectation",
    "改善案": "improvement",
    "考えていること": "thought",
    "ファンステージ": "fan_stage",
    "好き度": "liking",
    "no": "step",
    "順番": "step",
}


def normalize_header(header: object) -> str:
    """Header as compared against aliases: NFKC, trimmed, lower-case, ``_`` for spaces."""
    text = unicodedata.normalize("NFKC", str(header)).strip().lower()
    return "_".join(text.split())


def alias_table(table: str) -> dict[str, str]:
    """Normalised header -> contract column for ``table``.

    Parameters
    ----------
    table : str
        Table name.

    Returns
    -------
    dict
        Includes the column names themselves, their ja/en labels, the common
        aliases that name a column of this table, and the table's own aliases
        (which win over common ones).
    """
    spec = TABLES[table]
    mapping: dict[str, str] = {}
    for alias, column in COMMON_ALIASES.items():
        if column in spec.columns:
            mapping[alias] = column
    for column in spec.columns:
        mapping[normalize_header(column)] = column
        for lang in labels.LANGS:
            mapping.setdefault(normalize_header(labels.label(column, lang)), column)
    mapping.update({normalize_header(k): v for k, v in spec.aliases.items()})
    return mapping


_DTYPES = {
    "text": "string",
    "date": "datetime64[ns]",
    "amount": "float64",
    "int": "Int64",
    "fan_stage": "Int64",
    "liking": "Int64",
    "bool": "boolean",
    "scenario": "string",
}


def dtype_of(kind: str) -> str:
    """pandas dtype a parsed column of ``kind`` has."""
    return _DTYPES[kind]


def pandera_schema(table: str, columns: list[str]) -> pa.DataFrameSchema:
    """pandera schema checking the contract columns present in a parsed frame.

    Missing required columns are reported separately by :mod:`helpers.io`, so
    the schema covers only ``columns`` (those present).  Extra columns pass.

    Parameters
    ----------
    table : str
        Table name.
    columns : list of str
        Contract columns present in the frame.

    Returns
    -------
    pandera.pandas.DataFrameSchema
    """
    spec = TABLES[table]
    schema_columns = {}
    for name in columns:
        col = spec.columns[name]
        checks = []
        if col.low is not None and col.high is not None:
            checks.append(pa.Check.in_range(col.low, col.high))
        elif col.low is not None:
            checks.append(pa.Check.ge(col.low))
        if col.kind == "scenario":
            checks.append(pa.Check.isin(list(labels.SCENARIOS)))
        schema_columns[name] = pa.Column(
            dtype_of(col.kind),
            checks=checks,
            nullable=not col.required,
            unique=col.unique,
            coerce=False,
        )
    return pa.DataFrameSchema(schema_columns, strict=False, name=table)


def describe_check(check: str, table: str, column: str) -> tuple[str, str]:
    """Japanese and English wording of a failed pandera check.

    Parameters
    ----------
    check : str
        pandera's check name, e.g. ``"in_range(0, 10)"``.
    table, column : str
        Where it failed.

    Returns
    -------
    tuple of str
        ``(rule_ja, rule_en)``.
    """
    col = TABLES[table].columns.get(column, ColumnSpec())
    if check == "field_uniqueness":
        return ("値が重複しています（一意である必要があります）", "value must be unique")
    if check == "not_nullable":
        return ("必須項目が空欄です", "required value is missing")
    if check.startswith(("in_range", "greater_than")):
        if col.high is None:
            return (f"{col.low:g} 以上である必要があります", f"must be >= {col.low:g}")
        return (
            f"{col.low:g}〜{col.high:g} の範囲である必要があります",
            f"must be between {col.low:g} and {col.high:g}",
        )
    if check.startswith("isin"):
        allowed = ", ".join(labels.SCENARIOS)
        return (f"使える値は {allowed}（現状/理想も可）です", f"allowed values: {allowed}")
    if check.startswith("dtype"):
        return (f"型が正しくありません: {check}", f"wrong type: {check}")
    return (f"規則違反: {check}", f"rule failed: {check}")


def empty_frame(table: str) -> pd.DataFrame:
    """An empty frame with the required columns of ``table`` and their dtypes."""
    spec = TABLES[table]
    return pd.DataFrame(
        {c: pd.Series(dtype=dtype_of(spec.columns[c].kind)) for c in spec.required}
    )
