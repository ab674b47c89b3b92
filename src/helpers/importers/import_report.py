"""``import_report.md``: what an import read, made, set aside and chose, in Japanese and English.

It holds counts, yen totals and header names only: no personal data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from helpers.importers.mapping import ORDER_ROLES

if TYPE_CHECKING:
    from helpers.importers.pipeline import ImportResult

_STATUS = {"cancelled": ("取消", "cancelled"), "returned": ("返品", "returned"), "incomplete": ("未完了", "incomplete")}
_BY = {
    "member_id": ("会員ID", "member id"),
    "email_member": ("メールアドレスで顧客ファイルと照合", "e-mail matched to the customer export"),
    "email": ("メールアドレスから仮名ID（G-）", "pseudonym of the e-mail (G-)"),
    "order": ("IDもメールもなし: 注文ごとのID（U-）", "no id, no e-mail: an id per order (U-)"),
}


def _yen(value: float) -> str:
    return f"¥{value:,.0f}"


def _choices(result: ImportResult, lang: str) -> list[str]:
    ja = lang == "ja"
    fm = result.mapping.orders
    out = []
    for role in ORDER_ROLES:
        headers = fm.headers(role)
        out.append(f"| {role} | {' + '.join(headers) if headers else ('（なし）' if ja else '(none)')} |")
    rules = [
        f"{r.column} {'が空欄でない' if ja else 'is filled'}" if r.nonblank else f"{r.column} = {', '.join(r.values)}"
        for r in fm.exclude or ()
    ]
    lines = ["| 項目 | 列 |" if ja else "| role | column |", "|---|---|", *out]
    src = result.mapping.source
    lines += [
        "",
        ("- 対応づけ: " if ja else "- Mapping: ") + f"{result.mapping.label} (`{src}`)",
        ("- 時差表記のない日時のタイムゾーン: " if ja else "- Zone of times without an offset: ")
        + result.mapping.timezone
        + (" （注文日はこのタイムゾーンでの暦日）" if ja else " (order_date is the calendar day there)"),
    ]
    if fm.amount_from_items:
        lines.append(
            "- 注文の金額: 出力に注文合計がないため、商品の明細の 単価 × 数量 の合計"
            if ja
            else "- Order amount: the export has no order total; the sum of price × quantity of its product rows"
        )
    if fm.product_kinds is not None:
        lines.append(
            ("- 商品の明細: " if ja else "- Product rows: ")
            + f"{' + '.join(fm.headers('item_kind'))} = "
            + ", ".join(fm.product_kinds)
        )
    for rule, r in zip(rules, fm.exclude or (), strict=True):
        lines.append(
            ("- 売上に数えない: " if ja else "- Not counted as sales: ")
            + f"{rule} → {_STATUS[r.status][0 if ja else 1]}"
        )
    if result.keep_cancelled:
        lines.append(
            "- --keep-cancelled: 取消・返品も残し、status 列で区別"
            if ja
            else "- --keep-cancelled: cancelled and returned orders kept, marked in the status column"
        )
    return lines


def _section(result: ImportResult, lang: str) -> list[str]:
    ja = lang == "ja"
    i = 0 if ja else 1
    kept = result.orders
    counted = kept if "status" not in kept else kept[kept["status"] == "ok"]
    lines = ["## 日本語" if ja else "## English", ""]
    lines += ["### 読み込んだファイル" if ja else "### Files read", ""]
    lines += [
        "| ファイル | 種類 | 文字コード | 行数 |" if ja else "| file | kind | encoding | rows |",
        "|---|---|---|---:|",
    ]
    kinds = {"orders": ("注文", "orders"), "customers": ("顧客", "customers")}
    lines += [f"| {f.name} | {kinds[f.role][i]} | {f.encoding} | {f.rows:,} |" for f in result.files]
    if result.ignored:
        lines += [
            "",
            (
                "読まなかったファイル（見出しが対応づけに合わない）: "
                if ja
                else "Files not read (headers match no export of the mapping): "
            )
            + ", ".join(result.ignored),
        ]
    excluded = result.excluded
    lines += ["", "### 作った表" if ja else "### Tables made", ""]
    lines += [
        (
            f"- 明細 {result.item_rows:,} 行から注文 {result.orders_made:,} 件"
            if ja
            else f"- {result.orders_made:,} orders from {result.item_rows:,} item rows"
        ),
        (
            f"- 売上として数えた注文: **{len(counted):,} 件**（{_yen(counted['amount'].sum())}）"
            if ja
            else f"- Orders counted as sales: **{len(counted):,}** ({_yen(counted['amount'].sum())})"
        ),
        (
            f"- 状態により除いた注文: **{len(excluded):,} 件**（{_yen(excluded['amount'].sum())}）"
            if ja
            else f"- Orders excluded by status: **{len(excluded):,}** ({_yen(excluded['amount'].sum())})"
        ),
    ]
    if result.keep_cancelled and len(excluded):
        lines.append(
            "  - --keep-cancelled のため orders.csv に残し、status 列で区別しています"
            if ja
            else "  - kept in orders.csv (--keep-cancelled), marked in the status column"
        )
    for (status, shop), group in excluded.groupby(["status", "shop_status"], sort=True):
        lines.append(
            f"  - {_STATUS[status][i]}（{shop or '-'}）: {len(group):,} "
            f"{'件' if ja else 'orders'}, {_yen(group['amount'].sum())}"
        )
    lines += [
        (
            f"- order_items.csv: 商品の明細 {len(result.items):,} 行"
            "（送料・手数料・割引・税・ポイントの行は含みません）"
            if ja
            else f"- order_items.csv: {len(result.items):,} product rows"
            " (no shipping, fee, discount, tax or point rows)"
        ),
        (
            f"- customers.csv: {len(result.customers):,} 人（顧客ファイルから {result.customers_from_file:,} 人、"
            f"注文から作成 {result.customers_derived:,} 人）"
            if ja
            else f"- customers.csv: {len(result.customers):,} "
            f"({result.customers_from_file:,} from the customer export, "
            f"{result.customers_derived:,} derived from orders)"
        ),
    ]
    if not result.customers_from_file:
        lines.append(
            "  - 顧客ファイルがないため、顧客は注文者の情報から作りました"
            if ja
            else "  - there is no customer export: customers were derived from the buyers of the orders"
        )
    lines += ["", "### 顧客の特定（注文ごと）" if ja else "### How each order's customer was identified", ""]
    lines += ["| 方法 | 注文数 |" if ja else "| method | orders |", "|---|---:|"]
    lines += [f"| {_BY[k][i]} | {result.identified_by.get(k, 0):,} |" for k in _BY]
    lines += ["", "### 使わなかった列" if ja else "### Columns not used", ""]
    for f in result.files:
        lines.append(f"- {f.name}: " + (", ".join(f.unmapped) if f.unmapped else ("なし" if ja else "none")))
    if result.notes:
        lines += ["", "### 注記" if ja else "### Notes", ""]
        lines += [f"- {note[i]}" for note in result.notes]
    lines += ["", "### 選んだこと" if ja else "### Choices made", ""]
    lines += _choices(result, lang)
    lines += [
        "",
        (
            "氏名・メール・電話・住所・生年月日は customers.csv の個人情報の列にだけ書き、注文の表には入れていません。"
            "仮名IDの鍵は .kando/pseudonym.key にあります（共有しないでください）。"
            if ja
            else "Names, e-mails, phones, addresses and birth dates are written only to the personal columns of "
            "customers.csv, never to the order tables. The pseudonym key is .kando/pseudonym.key (do not share it)."
        ),
        "",
    ]
    return lines


def format_report(result: ImportResult) -> str:
    """The import report as Markdown: Japanese, then English."""
    head = ["# 取り込みレポート / Import report", ""]
    return "\n".join(head + _section(result, "ja") + _section(result, "en"))


def summary(result: ImportResult) -> dict:
    """The report's numbers as plain data (``import_summary.json``, read by the overview notebook)."""
    orders = result.orders
    counted = orders if "status" not in orders else orders[orders["status"] == "ok"]
    excluded = result.excluded
    return {
        "platform": result.mapping.label,
        "item_rows": int(result.item_rows),
        "orders_made": int(result.orders_made),
        "orders_counted": {"orders": len(counted), "amount": float(counted["amount"].sum())},
        "orders_excluded": {"orders": len(excluded), "amount": float(excluded["amount"].sum())},
        "excluded_by_status": {
            status: {"orders": len(group), "amount": float(group["amount"].sum())}
            for status, group in excluded.groupby("status", sort=True)
        },
        "kept_with_status": bool(result.keep_cancelled),
        "customers": len(result.customers),
        "customers_derived": int(result.customers_derived),
        "identified_by": {k: int(v) for k, v in sorted(result.identified_by.items())},
    }
