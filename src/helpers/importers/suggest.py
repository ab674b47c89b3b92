"""A draft mapping for an unknown shop system, from its headers and a sample of its values.

``kando import SRC --suggest-mapping FILE.yaml`` writes the draft; every
choice in it carries a comment saying why it was made and what else was
possible.  Business choices it cannot make (which amount is what the
customer paid, which statuses are cancellations) are left ``null`` with
the candidates listed, and ``kando import`` refuses to run until they are
filled in.
"""

from __future__ import annotations

import csv
import json
from itertools import islice

import pandas as pd

from helpers.importers import cells, raw
from helpers.importers.mapping import CUSTOMER_ROLES, ORDER_ROLES, PERSONAL_ROLES

_SAMPLE_ROWS = 2000

#: Header aliases per role (compared normalised, see :func:`raw.normalize_header`).
ALIASES: dict[str, tuple[str, ...]] = {
    "order_id": (
        "注文番号",
        "注文id",
        "受注番号",
        "受注id",
        "伝票番号",
        "order id",
        "order number",
        "order_id",
        "name",
    ),
    "customer_id": ("会員id", "顧客id", "顧客番号", "会員番号", "customer id", "customer_id"),
    "email": ("メールアドレス", "注文者メールアドレス", "購入者メールアドレス", "email", "e-mail", "メール"),
    "order_date": (
        "注文日時",
        "受注日時",
        "注文日",
        "受注日",
        "購入日",
        "購入日時",
        "日付",
        "created at",
        "order date",
    ),
    "order_time": ("注文時間", "注文時刻", "受注時間", "時間", "時刻"),
    "amount": ("支払合計", "請求金額", "お支払い金額", "支払金額", "お支払金額", "total"),
    "status": (
        "対応状況",
        "ステータス",
        "処理状況",
        "注文ステータス",
        "管理ステータス",
        "受注ステータス",
        "status",
        "financial status",
    ),
    "product": ("商品名", "品名", "lineitem name", "product", "product name"),
    "quantity": ("個数", "数量", "注文数", "lineitem quantity", "quantity"),
    "price": ("単価", "価格", "商品単価", "販売価格", "商品価格", "lineitem price", "price"),
    "name": ("氏名", "お名前", "名前", "注文者名", "注文者氏名", "購入者名", "購入者氏名", "billing name"),
    "phone": ("電話番号", "tel", "phone", "注文者電話番号", "購入者電話番号"),
    "prefecture": ("都道府県", "注文者都道府県", "購入者都道府県"),
    "birth_date": ("誕生日", "生年月日"),
    "gender": ("性別",),
}
_AMOUNT_WORDS = ("金額", "合計", "total", "額", "price", "支払")
_STATUS_WORDS = {
    "cancelled": ("キャンセル", "取消", "取り消", "cancel", "void"),
    "returned": ("返品", "返送", "返金", "refund", "return"),
}


def sample_rows(export: raw.ExportFile, n: int = _SAMPLE_ROWS) -> pd.DataFrame:
    """The first ``n`` body records as text, columns named by ``export.names``."""
    with export.path.open(encoding=export.encoding, newline="", errors="replace") as handle:
        records = list(islice(csv.reader(handle, delimiter=export.delimiter), 1, n + 1))
    width = len(export.names)
    records = [(r + [""] * width)[:width] for r in records]
    return pd.DataFrame(records, columns=list(export.names), dtype=object)


def _kind(values: pd.Series) -> str:
    """``date``, ``time``, ``amount``, ``email`` or ``text`` for a sample column."""
    text = cells.clean(values)
    filled = text[text != ""]
    if filled.empty:
        return "empty"
    if filled.str.contains("@").mean() > 0.8:
        return "email"
    dates, bad = cells.parse_timestamps(filled)
    if dates.notna().mean() > 0.9 and filled.str.contains(r"[-/年]").any():
        return "date"
    if filled.str.fullmatch(r"\d{1,2}:\d{2}(:\d{2})?|\d{6}").mean() > 0.9:
        return "time"
    amounts, _ = cells.parse_amounts(filled)
    if amounts.notna().mean() > 0.9:
        return "amount"
    return "text"


def _aliased(export: raw.ExportFile, role: str) -> list[str]:
    names = {raw.normalize_header(n): n for n in export.names}
    return [names[a] for a in ALIASES.get(role, ()) if a in names]


def candidates(export: raw.ExportFile, role: str) -> list[str]:
    """Columns of ``export`` that could play ``role`` (aliases first, then by sniffed values)."""
    found = _aliased(export, role)
    if role in ("amount", "status"):
        sample = sample_rows(export, 500)
        for name in export.names:
            kind = _kind(sample[name])
            lower = raw.normalize_header(name)
            if role == "amount" and kind == "amount" and any(w in lower for w in _AMOUNT_WORDS):
                found.append(name)
            if role == "status" and kind == "text" and 1 < cells.clean(sample[name]).nunique() <= 15:
                found.append(name)
    return list(dict.fromkeys(found))


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _status_rules(sample: pd.DataFrame, column: str) -> list[tuple[str, str]]:
    values = cells.clean(sample[column])
    values = values[values != ""].unique()
    rules = []
    for value in values:
        lower = value.lower()
        for status, words in _STATUS_WORDS.items():
            if any(w in lower for w in words):
                rules.append((value, status))
                break
    return rules


def suggest_mapping(exports: list[raw.ExportFile]) -> str:
    """Draft mapping YAML (with a comment on every choice) for unknown exports.

    Parameters
    ----------
    exports : list of raw.ExportFile
        The files of one shop system; the one with the most order columns is
        taken as the order export, one with a customer id and no order id as
        the customer export.

    Returns
    -------
    str
        YAML text for :func:`helpers.importers.mapping.load_mapping`.
    """

    def score(e):
        return sum(bool(_aliased(e, r)) for r in ("order_id", "order_date", "product", "amount", "quantity"))

    orders = max(exports, key=score)
    customers = next(
        (e for e in exports if e is not orders and _aliased(e, "customer_id") and not _aliased(e, "order_id")), None
    )
    sample = sample_rows(orders)
    kinds = {n: _kind(sample[n]) for n in orders.names}
    lines = [
        "# Kando import mapping: DRAFT written by kando import --suggest-mapping.",
        "# 下書きです。各行のコメントを確認し、null の項目を埋めてから --mapping で取り込んでください。",
        "# Check every line; fill in each null that the import needs, then run kando import --mapping THIS.yaml.",
        f"# 見出し / headers of {orders.path.name}: {', '.join(orders.headers)}",
        "platform: custom",
        "label: custom",
        "timezone: Asia/Tokyo   # 時差表記のない日時はこのタイムゾーン / zone of times written without an offset",
        "orders:",
    ]
    chosen: dict[str, str | None] = {}
    notes: dict[str, str] = {}
    for role in ORDER_ROLES + tuple(r for r in PERSONAL_ROLES if r not in ORDER_ROLES):
        if role in ("item_kind", "channel"):
            continue
        aliased = _aliased(orders, role)
        pick = aliased[0] if aliased else None
        if role == "order_date" and pick is None:
            dates = [n for n, k in kinds.items() if k == "date"]
            pick = dates[0] if dates else None
            notes[role] = f"値が日付 / values look like dates: {', '.join(dates) or 'none'}"
        elif role == "amount" and pick is None:
            options = candidates(orders, "amount")
            notes[role] = (
                "要選択: お客様の支払額の列 / CHOOSE the column with what the customer paid. 候補 / candidates: "
                + (", ".join(options) or "none")
                + "; 注文合計の列がなければ下の amount_from_items を true に / no total column: set amount_from_items"
            )
        elif role == "order_id" and pick is not None:
            repeats = cells.clean(sample[pick]).duplicated().sum()
            notes[role] = (
                f"見出しが一致 / header matches; ids repeat ({repeats} rows): one row per item"
                if repeats
                else "見出しが一致 / header matches; ids are unique: one row per order"
            )
        elif pick is not None:
            other = f" (他の候補 / others: {', '.join(aliased[1:])})" if len(aliased) > 1 else ""
            notes[role] = f"見出しが一致 / header matches; values: {kinds.get(pick)}{other}"
        else:
            notes[role] = "該当なし / no such column found"
        if role in PERSONAL_ROLES and pick is not None:
            notes[role] += "; 個人情報: customers にのみ書きます / personal: written to customers only"
        chosen[role] = pick
    detect = [chosen[r] for r in ("order_id", "order_date", "amount", "product") if chosen.get(r)]
    lines.append(
        f"  detect: [{', '.join(map(_q, detect))}]   # この見出しがそろったファイルが注文ファイル / "
        "a file with these headers is the order export"
    )
    lines.append("  columns:")
    for role, pick in chosen.items():
        lines.append(f"    {role}: {'null' if pick is None else _q(pick)}   # {notes[role]}")
    lines.append(
        "  amount_from_items: false   # true: 注文合計の列がない出力で、単価 × 数量 の合計を金額にする / "
        "no total column: an order's amount is the sum of price × quantity"
    )
    status = chosen.get("status")
    if status:
        rules = _status_rules(sample, status)
        values = cells.clean(sample[status]).value_counts()
        lines.append(
            f"  # {status} の値 / values in the sample: " + ", ".join(f"{v} ({n})" for v, n in values.items() if v)
        )
        if rules:
            lines.append(
                "  exclude:   # 売上に数えない注文（語で推定、要確認）/ not sales, guessed from the words: check"
            )
            for value, code in rules:
                lines.append(f"    - {{column: {_q(status)}, values: [{_q(value)}], status: {code}}}")
        else:
            lines.append("  exclude: null   # 要選択: 取消・返品の値 / CHOOSE which values are cancelled or returned")
    else:
        lines.append("  exclude: []   # 状態の列なし: すべて売上 / no status column: every order counts")
    if customers is not None:
        csample = sample_rows(customers)
        lines += [
            "customers:",
            f"  # 見出し / headers of {customers.path.name}: {', '.join(customers.headers)}",
            "  columns:",
        ]
        for role in CUSTOMER_ROLES:
            aliased = _aliased(customers, role)
            if aliased:
                kind = _kind(csample[aliased[0]])
                lines.append(f"    {role}: {_q(aliased[0])}   # 見出しが一致 / header matches; values: {kind}")
        detect = [a for r in ("customer_id", "email") for a in _aliased(customers, r)[:1]]
        lines.append(f"  detect: [{', '.join(map(_q, detect))}]")
    else:
        lines.append(
            "customers: null   # 顧客ファイルなし: 顧客は注文から作ります / no customer export: "
            "customers are derived from the orders"
        )
    return "\n".join(lines) + "\n"
