"""The mapping model: which export column feeds which contract column.

A mapping is a YAML file.  The presets for EC-CUBE, Shopify and 楽天 RMS are
mapping files shipped in ``helpers/importers/presets/``; a new shop system is a
new mapping file, not new code.  ``kando import`` writes the mapping it used
into the data directory, so the next export of the same shop goes through
``--mapping DATA_DIR/mapping.yaml`` unchanged.

Layout::

    platform: eccube            # short name
    label: EC-CUBE 4            # shown in reports
    timezone: Asia/Tokyo        # zone of timestamps written without an offset
    orders:                     # the order (line-item) export
      detect: [注文ID, ...]     # a file with all of these headers is this export
      columns: {order_id: 注文ID, amount: 支払合計, name: [お名前(姓), お名前(名)], ...}
      product_kinds: ["1"]      # values of item_kind that are products (omit: every row is one)
      exclude:                  # statuses not counted as sales ([] = none; omitted = not decided)
        - {column: 対応状況(ID), values: ["3"], status: cancelled}
      amount_from_items: false  # true: no order total in the export; amount = sum of price * quantity
    customers:                  # the customer export, or null
      detect: [...]
      columns: {customer_id: 会員ID, email: メールアドレス, ...}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml

#: Order-level roles of the order export: read from the first row of the
#: order where they are filled.
ORDER_LEVEL_ROLES: tuple[str, ...] = ("customer_id", "email", "order_date", "order_time", "amount", "status", "channel")
#: Roles of the order export's item rows.
ITEM_ROLES: tuple[str, ...] = ("product", "quantity", "price", "item_kind")
#: Roles a column of the order export may play (besides the personal ones).
ORDER_ROLES: tuple[str, ...] = ("order_id", *ORDER_LEVEL_ROLES, *ITEM_ROLES)
#: Personal roles: they go only to the personal columns of ``customers``.
PERSONAL_ROLES: tuple[str, ...] = ("name", "email", "phone", "birth_date", "gender", "prefecture")
#: Roles a column of the customer export may play.
CUSTOMER_ROLES: tuple[str, ...] = ("customer_id", *PERSONAL_ROLES, "acquisition_channel", "member_status")
#: Roles every order export must map.
REQUIRED_ORDER_ROLES: tuple[str, ...] = ("order_id", "order_date", "amount")
#: Status codes an exclusion rule may give.
STATUS_CODES: tuple[str, ...] = ("cancelled", "returned", "incomplete")
#: Shipped presets, by platform name.
PRESETS: tuple[str, ...] = ("eccube", "shopify", "rakuten")


class MappingError(ValueError):
    """A mapping file that cannot be used; the message says why (ja / en)."""


@dataclass(frozen=True)
class ExcludeRule:
    """Orders whose ``column`` holds one of ``values`` (or anything, with ``nonblank``) are not sales.

    Attributes
    ----------
    column : str
        Header of the export column.
    values : tuple of str
        Cell values that mark the order.
    nonblank : bool
        Mark every order whose cell is filled (Shopify's ``Cancelled at``).
    status : str
        One of :data:`STATUS_CODES`.
    """

    column: str
    values: tuple[str, ...] = ()
    nonblank: bool = False
    status: str = "cancelled"


@dataclass(frozen=True)
class FileMapping:
    """How one export file maps to the contract.

    Attributes
    ----------
    detect : tuple of str
        Headers that together identify the export.
    columns : dict
        Role -> header (str), headers (tuple, joined), or None (not in this export).
    product_kinds : tuple of str or None
        Values of the ``item_kind`` column that mark product rows.
    exclude : tuple of ExcludeRule or None
        Status rules; ``None`` means the choice has not been made.
    amount_from_items : bool
        The export has no order total: an order's amount is the sum of
        ``price * quantity`` over its product rows.
    """

    detect: tuple[str, ...] = ()
    columns: dict[str, str | tuple[str, ...] | None] = field(default_factory=dict)
    product_kinds: tuple[str, ...] | None = None
    exclude: tuple[ExcludeRule, ...] | None = ()
    amount_from_items: bool = False

    def headers(self, role: str) -> tuple[str, ...]:
        """The headers mapped to ``role`` (empty when unmapped)."""
        value = self.columns.get(role)
        if value is None:
            return ()
        return (value,) if isinstance(value, str) else tuple(value)

    def used_headers(self) -> list[str]:
        """Every header the mapping reads, in role order, each once."""
        used = [h for role in self.columns for h in self.headers(role)]
        used += [rule.column for rule in self.exclude or ()]
        return list(dict.fromkeys(used))


@dataclass(frozen=True)
class Mapping:
    """A whole mapping: the order export and, optionally, the customer export."""

    platform: str
    label: str
    orders: FileMapping
    customers: FileMapping | None = None
    timezone: str = "Asia/Tokyo"
    source: str = ""

    def to_dict(self) -> dict:
        """Plain data, as written to ``mapping.yaml``."""

        def file_dict(fm: FileMapping, orders: bool) -> dict:
            out: dict = {"detect": list(fm.detect)}
            out["columns"] = {k: (list(v) if isinstance(v, tuple) else v) for k, v in fm.columns.items()}
            if orders:
                if fm.product_kinds is not None:
                    out["product_kinds"] = list(fm.product_kinds)
                out["exclude"] = None if fm.exclude is None else [_rule_dict(r) for r in fm.exclude]
                if fm.amount_from_items:
                    out["amount_from_items"] = True
            return out

        return {
            "platform": self.platform,
            "label": self.label,
            "timezone": self.timezone,
            "orders": file_dict(self.orders, True),
            "customers": None if self.customers is None else file_dict(self.customers, False),
        }


def _rule_dict(rule: ExcludeRule) -> dict:
    out: dict = {"column": rule.column}
    if rule.nonblank:
        out["nonblank"] = True
    else:
        out["values"] = list(rule.values)
    out["status"] = rule.status
    return out


def _text_list(value, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str | int | float):
        return (str(value),)
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    raise MappingError(f"{where}: 文字列かリストを指定してください / expected a string or a list, got {value!r}")


def _file_mapping(data: dict, where: str, roles: tuple[str, ...], orders: bool) -> FileMapping:
    if not isinstance(data, dict):
        raise MappingError(f"{where}: 項目の表（辞書）が必要です / expected a mapping, got {data!r}")
    raw_columns = data.get("columns") or {}
    if not isinstance(raw_columns, dict):
        raise MappingError(f"{where}.columns: 役割: 見出し の形で書いてください / expected role: header pairs")
    unknown = [r for r in raw_columns if r not in roles]
    if unknown:
        raise MappingError(
            f"{where}.columns: 知らない項目 {', '.join(map(str, unknown))}（使えるのは {', '.join(roles)}）/ "
            f"unknown roles {', '.join(map(str, unknown))}; known: {', '.join(roles)}"
        )
    columns: dict[str, str | tuple[str, ...] | None] = {}
    for role, value in raw_columns.items():
        headers = _text_list(value, f"{where}.columns.{role}")
        columns[role] = None if not headers else headers[0] if isinstance(value, str | int | float) else headers
    exclude: tuple[ExcludeRule, ...] | None = ()
    product_kinds = None
    if orders:
        if "product_kinds" in data and data["product_kinds"] is not None:
            product_kinds = _text_list(data["product_kinds"], f"{where}.product_kinds")
        rules = data.get("exclude", None)
        exclude = (
            None if rules is None else tuple(_exclude_rule(r, f"{where}.exclude[{i}]") for i, r in enumerate(rules))
        )
    detect = _text_list(data.get("detect"), f"{where}.detect")
    return FileMapping(detect, columns, product_kinds, exclude, bool(orders and data.get("amount_from_items", False)))


def _exclude_rule(data, where: str) -> ExcludeRule:
    if not isinstance(data, dict) or "column" not in data:
        raise MappingError(f"{where}: column が必要です / needs a column, got {data!r}")
    status = str(data.get("status", "cancelled"))
    if status not in STATUS_CODES:
        raise MappingError(
            f"{where}.status: {status!r} は使えません（{', '.join(STATUS_CODES)}）/ status must be one of "
            f"{', '.join(STATUS_CODES)}"
        )
    nonblank = bool(data.get("nonblank", False))
    values = _text_list(data.get("values"), f"{where}.values")
    if not nonblank and not values:
        raise MappingError(f"{where}: values か nonblank: true が必要です / needs values or nonblank: true")
    return ExcludeRule(str(data["column"]), values, nonblank, status)


def mapping_from_dict(data: dict, source: str = "") -> Mapping:
    """Build a :class:`Mapping` from parsed YAML.

    Raises
    ------
    MappingError
        With the place in the file and what is wrong.
    """
    if not isinstance(data, dict) or not isinstance(data.get("orders"), dict):
        raise MappingError(
            f"{source}: orders: の項目が必要です（注文ファイルの対応づけ）/ a mapping needs an 'orders:' section"
        )
    customers = data.get("customers")
    return Mapping(
        platform=str(data.get("platform") or "custom"),
        label=str(data.get("label") or data.get("platform") or "custom"),
        orders=_file_mapping(data["orders"], "orders", ORDER_ROLES + PERSONAL_ROLES, True),
        customers=None if customers is None else _file_mapping(customers, "customers", CUSTOMER_ROLES, False),
        timezone=str(data.get("timezone") or "Asia/Tokyo"),
        source=source,
    )


def load_mapping(path: str | Path) -> Mapping:
    """Read a mapping YAML file.

    Parameters
    ----------
    path : str or pathlib.Path

    Returns
    -------
    Mapping

    Raises
    ------
    MappingError
        When the file is not valid YAML or not a mapping.
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise MappingError(f"{path}: YAML として読めません / not valid YAML: {err}") from err
    except FileNotFoundError as err:
        raise MappingError(f"対応づけファイルがありません / mapping file not found: {path}") from err
    return mapping_from_dict(data, str(path))


def load_preset(platform: str) -> Mapping:
    """The shipped preset of ``platform`` (one of :data:`PRESETS`)."""
    if platform not in PRESETS:
        raise MappingError(
            f"プリセット {platform!r} はありません（{', '.join(PRESETS)}）/ no preset {platform!r}; "
            f"known: {', '.join(PRESETS)}"
        )
    text = resources.files("helpers.importers").joinpath("presets", f"{platform}.yaml").read_text(encoding="utf-8")
    return mapping_from_dict(yaml.safe_load(text), f"preset:{platform}")


def dump_mapping(mapping: Mapping) -> str:
    """YAML text of ``mapping``, loadable by :func:`load_mapping`."""
    head = (
        f"# Kando import mapping ({mapping.label}), as used by kando import.\n"
        "# Re-use it for the next export of the same shop: kando import SRC --out DIR --mapping this.yaml\n"
    )
    return head + yaml.safe_dump(mapping.to_dict(), allow_unicode=True, sort_keys=False, width=120)
