"""Line items to orders: one row per order, its products, and its status.

Shop exports have one row per order item.  The order's own fields repeat on
every row (EC-CUBE, 楽天) or sit on its first row only (Shopify), so an order
takes each field from the first of its rows where that field is filled.
Grouping runs on integer codes of the order ids (one factorisation, then
sorting integers), which keeps three million item rows to a few seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.importers import cells
from helpers.importers.mapping import ORDER_LEVEL_ROLES, PERSONAL_ROLES, ExcludeRule, FileMapping
from helpers.importers.problems import ProblemSink

#: Order-level fields, personal ones included, read from the first row where they are filled.
ORDER_FIELDS: tuple[str, ...] = tuple(dict.fromkeys(ORDER_LEVEL_ROLES + PERSONAL_ROLES))


@dataclass(frozen=True)
class OrderTables:
    """Orders made from line items.

    Attributes
    ----------
    orders : pandas.DataFrame
        One row per order, in order of first appearance: ``order_id``,
        ``order_at`` (local date-time), ``amount``, ``status`` (code, ``""``
        when counted), ``shop_status``, the cleaned ``customer_id`` and
        ``email_key``, the personal fields as written, ``_file`` and ``_row``
        (where the order's first row is).
    items : pandas.DataFrame
        Product rows: ``order_id``, ``product``, ``quantity``, ``price``.
    item_rows : int
        Rows of the export(s).
    """

    orders: pd.DataFrame
    items: pd.DataFrame
    item_rows: int


def _first_filled(codes: np.ndarray, n_orders: int, values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Per order, the first filled value of ``values`` and its row (-1 when none)."""
    filled = np.flatnonzero(cells.mask(values != "").to_numpy())
    order_codes, first = np.unique(codes[filled], return_index=True)
    rows = np.full(n_orders, -1, dtype=np.int64)
    rows[order_codes] = filled[first]
    taken = values.iloc[np.where(rows >= 0, rows, 0)].reset_index(drop=True)
    return taken.where(rows >= 0, ""), rows


def _join(parts: list[pd.Series], sep: str) -> pd.Series:
    """Cells of several columns joined with ``sep``, blanks skipped."""
    out = parts[0]
    for part in parts[1:]:
        both = (out != "") & (part != "")
        out = (out + sep + part).where(both, out.where(out != "", part))
    return out


def role_frame(columns: dict[str, list[pd.Series]], rules: list[pd.Series]) -> pd.DataFrame:
    """One text column per role (several headers joined) plus ``_rule<i>`` columns."""
    frame = {}
    for role, parts in columns.items():
        sep = "-" if role == "phone" else " "
        cleaned = [cells.free_text(p) for p in parts]
        if role == "phone":  # Excel's text guard, as on Shopify's phones
            cleaned = [c.str.removeprefix("'") for c in cleaned]
        frame[role] = _join(cleaned, sep) if len(cleaned) > 1 else cleaned[0]
    for i, rule in enumerate(rules):
        frame[f"_rule{i}"] = cells.clean(rule)
    return pd.DataFrame(frame)


def _excluded_status(rules: tuple[ExcludeRule, ...], orders: pd.DataFrame) -> pd.Series:
    status = pd.Series("", index=orders.index, dtype=object)
    for i, rule in reversed(list(enumerate(rules))):  # the first matching rule wins
        value = orders[f"_rule{i}"]
        hit = (value != "") if rule.nonblank else value.isin([cells.clean(pd.Series(rule.values)).tolist()][0])
        status[cells.mask(hit).to_numpy()] = rule.status
    return status


def build_orders(
    rows: pd.DataFrame, mapping: FileMapping, headers: dict[str, str], sink: ProblemSink, timezone: str
) -> OrderTables:
    """Orders and their products from the rows of the order export(s).

    Parameters
    ----------
    rows : pandas.DataFrame
        One row per export row: text columns named by role (``order_id``,
        ``amount``, ...), ``_rule<i>`` for the i-th exclusion rule, ``_file``
        (index into ``sink.exports``) and ``_row`` (body row in that file).
    mapping : FileMapping
        The order export's mapping.
    headers : dict of str to str
        Role -> header as the user wrote it in the mapping, for messages.
    sink : ProblemSink
        Receives the problems.
    timezone : str
        Zone of timestamps written without an offset.

    Returns
    -------
    OrderTables
    """
    files, body_rows = rows["_file"].to_numpy(), rows["_row"].to_numpy()
    order_id = cells.clean(rows["order_id"])
    blank_id = cells.mask(order_id == "").to_numpy()
    if blank_id.any():
        sink.add_rows(
            files[blank_id],
            body_rows[blank_id],
            headers["order_id"],
            [""] * int(blank_id.sum()),
            "注文番号が空欄です",
            "order id is blank",
        )
    codes, uniques = pd.factorize(order_id.to_numpy(dtype=object))
    codes = np.where(blank_id, -1, codes)
    n = len(uniques)
    order_codes, first_row = np.unique(codes[codes >= 0], return_index=True)
    first = np.flatnonzero(codes >= 0)[first_row]
    orders = pd.DataFrame({"order_id": pd.Series(uniques[order_codes], dtype=object)})
    orders["_file"], orders["_row"] = files[first], body_rows[first]
    where: dict[str, np.ndarray] = {}
    keep = codes >= 0
    kept_codes = codes[keep]
    for column in [c for c in rows.columns if c in ORDER_FIELDS or c.startswith("_rule")]:
        orders[column], picked = _first_filled(kept_codes, n, rows.loc[keep, column].reset_index(drop=True))
        where[column] = np.flatnonzero(keep)[np.maximum(picked, 0)]
        where[column] = np.where(picked >= 0, where[column], -1)

    def report(column: str, bad: np.ndarray, rule_ja: str, rule_en: str, own_rows=None):
        at = where.get(column, first)[bad] if own_rows is None else own_rows[bad]
        at = np.where(at >= 0, at, first[bad])
        sink.add_rows(
            files[at],
            body_rows[at],
            headers.get(column, column),
            orders.loc[bad, column] if column in orders else [""] * int(bad.sum()),
            rule_ja,
            rule_en,
        )

    amount_text = cells.clean(orders["amount"])
    amount, bad = cells.parse_amounts(amount_text)
    report("amount", bad.to_numpy(), "金額として読めません", "not an amount")
    missing = cells.mask(amount_text == "").to_numpy()
    if missing.any():
        report("amount", missing, "注文の金額がどの行にもありません", "the order has no amount on any row")
    negative = (amount < 0).to_numpy()
    if negative.any():
        report("amount", negative, "金額がマイナスです（0 以上が必要）", "amount is negative (must be >= 0)")
    orders["amount"] = amount

    time_text = cells.clean(orders["order_time"]) if "order_time" in orders else None
    at, bad = cells.parse_timestamps(cells.clean(orders["order_date"]), time_text, timezone)
    report("order_date", bad.to_numpy(), "日時として読めません", "not a date/time")
    missing = cells.mask(orders["order_date"] == "").to_numpy()
    if missing.any():
        report("order_date", missing, "注文日がどの行にもありません", "the order has no date on any row")
    orders["order_at"] = at

    orders["customer_id"] = cells.clean(orders["customer_id"]) if "customer_id" in orders else ""
    orders["email_key"] = cells.normalize_email(orders["email"]) if "email" in orders else ""
    orders["shop_status"] = orders["status"] if "status" in orders else ""
    orders["status"] = _excluded_status(mapping.exclude or (), orders)
    return OrderTables(orders, _items(rows, codes, uniques, mapping, headers, sink), len(rows))


def _items(rows, codes, uniques, mapping: FileMapping, headers, sink: ProblemSink) -> pd.DataFrame:
    """The product rows: ``order_id``, ``product``, ``quantity``, ``price``."""
    if "product" not in rows:
        return pd.DataFrame(columns=["order_id", "product", "quantity", "price"])
    is_product = codes >= 0
    if "item_kind" in rows and mapping.product_kinds is not None:
        kinds = cells.clean(pd.Series(mapping.product_kinds)).tolist()
        is_product &= cells.mask(cells.clean(rows["item_kind"]).isin(kinds)).to_numpy()
    else:
        is_product &= cells.mask(rows["product"] != "").to_numpy()
    picked = rows.loc[is_product]
    items = pd.DataFrame({"order_id": uniques[codes[is_product]], "product": picked["product"].to_numpy()})
    files, body_rows = picked["_file"].to_numpy(), picked["_row"].to_numpy()
    for role, parse, rule in (
        ("quantity", cells.parse_quantities, ("個数として読めません（整数）", "not a whole quantity")),
        ("price", cells.parse_amounts, ("金額として読めません", "not an amount")),
    ):
        if role not in rows:
            continue
        text = cells.clean(picked[role])
        values, bad = parse(text)
        bad = bad.to_numpy()
        if bad.any():
            sink.add_rows(files[bad], body_rows[bad], headers[role], text[bad].tolist(), *rule)
        items[role] = values.to_numpy()
    return items
