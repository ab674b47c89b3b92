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
import pyarrow as pa
import pyarrow.compute as pc

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
        Product rows: ``_code`` (row of the order in ``orders``), ``product``,
        ``quantity``, ``price``.
    item_rows : int
        Rows of the export(s).
    """

    orders: pd.DataFrame
    items: pd.DataFrame
    item_rows: int


def _first_filled(codes: np.ndarray, n_orders: int, values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Per order, the first non-blank value of ``values`` and its row (-1 when none)."""
    filled = np.flatnonzero(cells.mask(values.str.strip() != "").to_numpy() & (codes >= 0))
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
    """Raw text columns by role: ``role`` (one header) or ``role#0``, ``role#1`` (several), and ``_rule<i>``."""
    frame = {}
    for role, parts in columns.items():
        if len(parts) == 1:
            frame[role] = parts[0]
        else:
            frame.update({f"{role}#{k}": part for k, part in enumerate(parts)})
    frame.update({f"_rule{i}": rule for i, rule in enumerate(rules)})
    return pd.DataFrame(frame)


def join_parts(frame: pd.DataFrame, roles) -> pd.DataFrame:
    """Free-text ``roles`` trimmed, several headers (``role#k``) joined into ``role``: names with a space,
    phones with ``-`` (Excel's leading ``'`` removed)."""
    out = frame.copy()
    for role in roles:
        parts = [c for c in frame.columns if c == role or c.startswith(role + "#")]
        if not parts:
            continue
        cleaned = [cells.free_text(frame[c]) for c in parts]
        if role == "phone":  # Excel's text guard, as on Shopify's phones
            cleaned = [c.str.removeprefix("'") for c in cleaned]
        out = out.drop(columns=parts)
        out[role] = _join(cleaned, "-" if role == "phone" else " ")
    return out


def _excluded_status(rules: tuple[ExcludeRule, ...], orders: pd.DataFrame) -> pd.Series:
    status = pd.Series("", index=orders.index, dtype=object)
    for i, rule in reversed(list(enumerate(rules))):  # the first matching rule wins
        value = cells.clean(orders[f"_rule{i}"])
        wanted = cells.clean(pd.Series(list(rule.values), dtype="string[pyarrow]"))
        hit = (
            (value != "")
            if rule.nonblank
            else pd.Series(pc.is_in(pa.array(value), pa.array(wanted)), index=value.index)
        )
        status[cells.mask(hit).to_numpy()] = rule.status
    return status


def build_orders(
    rows: pd.DataFrame, mapping: FileMapping, headers: dict[str, str], sink: ProblemSink, timezone: str
) -> OrderTables:
    """Orders and their products from the rows of the order export(s).

    Parameters
    ----------
    rows : pandas.DataFrame
        One row per export row, as read (:func:`role_frame`), with ``_file``
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
        Orders row ``i`` is the order of code ``i``; items carry ``_code``.
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
    codes, uniques = pd.factorize(order_id.where(~blank_id))
    n = len(uniques)
    first = np.full(n, -1, dtype=np.int64)
    order_codes, first_row = np.unique(codes[codes >= 0], return_index=True)
    first[order_codes] = np.flatnonzero(codes >= 0)[first_row]
    orders = pd.DataFrame({"order_id": np.asarray(uniques, dtype=object)})
    orders["_file"], orders["_row"] = files[first], body_rows[first]
    where: dict[str, np.ndarray] = {}
    fields = [c for c in rows.columns if c.split("#")[0] in ORDER_FIELDS or c.startswith("_rule")]
    for column in fields:
        orders[column], where[column] = _first_filled(codes, n, rows[column])
    orders = join_parts(orders, PERSONAL_ROLES)
    for role in PERSONAL_ROLES:
        if f"{role}#0" in where:
            where[role] = where[f"{role}#0"]

    def report(column: str, bad: np.ndarray, rule_ja: str, rule_en: str):
        at = where.get(column, first)[bad]
        at = np.where(at >= 0, at, first[bad])
        values = orders.loc[bad, column].tolist() if column in orders else [""] * int(bad.sum())
        sink.add_rows(files[at], body_rows[at], headers.get(column, column), values, rule_ja, rule_en)

    items = _items(rows, codes, mapping, headers, sink)
    _disagreements(rows, codes, orders, [c for c in ("amount", "order_date") if c in rows], headers, sink)
    if mapping.amount_from_items:
        quantity = items["quantity"].astype("Float64").fillna(1.0) if "quantity" in items else 1.0
        line = (items["price"].astype("Float64") * quantity).fillna(0.0).to_numpy(dtype=float)
        amount = pd.Series(np.bincount(items["_code"].to_numpy(), weights=line, minlength=n))
    else:
        amount_text = cells.clean(orders["amount"])
        amount, bad = cells.parse_amounts(amount_text)
        report("amount", bad.to_numpy(), "金額として読めません", "not an amount")
        missing = cells.mask(amount_text == "").to_numpy()
        if missing.any():
            report("amount", missing, "注文の金額がどの行にもありません", "the order has no amount on any row")
    negative = (amount < 0).to_numpy()
    if negative.any():
        orders["amount"] = amount.astype(str)
        report("amount", negative, "金額がマイナスです（0 以上が必要）", "amount is negative (must be >= 0)")
    orders["amount"] = amount

    time_text = cells.clean(orders["order_time"]) if "order_time" in orders else None
    at, bad = cells.parse_timestamps(cells.clean(orders["order_date"]), time_text, timezone)
    report("order_date", bad.to_numpy(), "日時として読めません", "not a date/time")
    missing = cells.mask(orders["order_date"] == "").to_numpy()
    if missing.any():
        report("order_date", missing, "注文日がどの行にもありません", "the order has no date on any row")
    orders["order_at"] = at

    orders["customer_id"] = cells.clean(orders["customer_id"]).astype(object) if "customer_id" in orders else ""
    orders["email_key"] = cells.normalize_email(orders["email"]).astype(object) if "email" in orders else ""
    orders["shop_status"] = cells.free_text(orders["status"]) if "status" in orders else ""
    orders["status"] = _excluded_status(mapping.exclude or (), orders)
    return OrderTables(orders, items, len(rows))


def _disagreements(rows, codes, orders, columns, headers, sink: ProblemSink) -> None:
    """A problem for each order whose rows give two different values of an order field (at its first such row).

    The order takes its first filled value; a row that says otherwise would be changed silently.
    """
    for column in columns:
        text = rows[column].str.strip().reset_index(drop=True)
        own = orders[column].str.strip().iloc[np.maximum(codes, 0)].reset_index(drop=True)
        differs = cells.mask((text != "") & (text != own)).to_numpy() & (codes >= 0)
        if not differs.any():
            continue
        at = np.flatnonzero(differs)
        at = at[~pd.Series(codes[at]).duplicated().to_numpy()]
        sink.add_rows(
            rows["_file"].to_numpy()[at],
            rows["_row"].to_numpy()[at],
            headers.get(column, column),
            text.iloc[at].tolist(),
            "同じ注文の前の行と値が違います（注文の値は最初の行のもの）",
            "differs from an earlier row of the same order (the order takes the first)",
        )


def _items(rows, codes, mapping: FileMapping, headers, sink: ProblemSink) -> pd.DataFrame:
    """The product rows: ``_code`` (order code), ``product``, ``quantity``, ``price``."""
    if "product" not in rows:
        return pd.DataFrame(columns=["_code", "product", "quantity", "price"])
    is_product = codes >= 0
    if "item_kind" in rows and mapping.product_kinds is not None:
        kinds = cells.clean(pd.Series(list(mapping.product_kinds), dtype="string[pyarrow]"))
        kind = cells.clean(rows["item_kind"])
        is_product &= cells.mask(pd.Series(pc.is_in(pa.array(kind), pa.array(kinds)), index=kind.index)).to_numpy()
    else:
        is_product &= cells.mask(rows["product"].str.strip() != "").to_numpy()
    picked = rows.loc[is_product]
    items = pd.DataFrame({"_code": codes[is_product], "product": cells.free_text(picked["product"]).to_numpy()})
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
