"""Small, deterministic shop exports built from the published header lists.

Headers are those of ``../shared/platform_exports.md`` (EC-CUBE 4 dtb_csv.csv,
Shopify's orders/customers export, 楽天ペイ受注CSV).  Each builder writes a
folder as the shop system would hand it over and returns the hand-computed
truth the tests check against.
"""

from __future__ import annotations

import csv
from pathlib import Path

ECCUBE_ORDER_HEADER = (
    "注文ID,注文番号,会員ID,お名前(姓),お名前(名),お名前(セイ),お名前(メイ),会社名,郵便番号,都道府県(ID),都道府県(名称),"
    "住所1,住所2,メールアドレス,TEL,性別(ID),性別(名称),職業(ID),職業(名称),誕生日,ショップ用メモ欄,小計,値引き,送料,税金,"
    "合計,支払合計,対応状況(ID),対応状況(名称),支払方法(ID),支払方法(名称),受注日,入金日,注文詳細ID,商品ID,商品規格ID,商品名,"
    "商品コード,規格名1,規格名2,規格分類名1,規格分類名2,価格,個数,税率,税率ルール(ID),明細区分(ID),明細区分(名称),出荷ID,"
    "配送先_お名前(姓),配送先_お名前(名),配送先_お名前(セイ),配送先_お名前(メイ),配送先_会社名,配送先_郵便番号,"
    "配送先_都道府県(ID),配送先_都道府県(名称),配送先_住所1,配送先_住所2,配送先_TEL,配送業者(ID),配送業者(名称),"
    "お届け時間ID,お届け時間(名称),お届け希望日,送料,発送日,出荷伝票番号,配達用メモ,出荷メール送信日"
).split(",")
ECCUBE_CUSTOMER_HEADER = (
    "会員ID,お名前(姓),お名前(名),お名前(セイ),お名前(メイ),会社名,郵便番号,都道府県(ID),都道府県(名称),住所1,住所2,"
    "メールアドレス,TEL,性別(ID),性別(名称),職業(ID),職業(名称),誕生日,初回購入日,最終購入日,購入回数,ショップ用メモ欄,"
    "会員ステータス(ID),会員ステータス(名称),登録日,更新日,ポイント"
).split(",")
SHOPIFY_ORDER_HEADER = (
    "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,Shipping,"
    "Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,Lineitem name,"
    "Lineitem price,Lineitem compare at price,Lineitem sku,Lineitem requires shipping,Lineitem taxable,"
    "Lineitem fulfillment status,"
    "Billing Name,Billing Street,Billing Address1,Billing Address2,Billing Company,Billing City,Billing Zip,"
    "Billing Province,Billing Country,Billing Phone,Shipping Name,Shipping Street,Shipping Address1,Shipping Address2,"
    "Shipping Company,Shipping City,Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Notes,"
    "Note Attributes,Cancelled at,Payment Method,Payment Reference,Refunded Amount,Vendor,Outstanding Balance,Employee,"
    "Location,Device ID,Id,Tags,Risk Level,Source,Lineitem discount,Tax 1 Name,Tax 1 Value,Tax 2 Name,Tax 2 Value,"
    "Tax 3 Name,Tax 3 Value,Tax 4 Name,Tax 4 Value,Tax 5 Name,Tax 5 Value,Phone,Receipt Number,Duties,"
    "Billing Province Name,Shipping Province Name,Payment ID,Payment Terms Name,Next Payment Due At,Payment References"
).split(",")
SHOPIFY_CUSTOMER_HEADER = (
    "Customer ID,First Name,Last Name,Email,Accepts Email Marketing,Default Address Company,Default Address Address1,"
    "Default Address Address2,Default Address City,Default Address Province Code,Default Address Country Code,"
    "Default Address Zip,Default Address Phone,Phone,Accepts SMS Marketing,Total Spent,Total Orders,Note,"
    "Tax Exempt,Tags"
).split(",")
RAKUTEN_ORDER_HEADER = (
    "注文番号,ステータス,サブステータスID,サブステータス,注文日時,注文日,注文時間,キャンセル期限日,注文確認日時,注文確定日時,"
    "発送指示日時,発送完了報告日時,支払方法名,クレジットカード支払い方法,クレジットカード支払い回数,配送方法,配送区分,注文種別,"
    "複数送付先フラグ,送付先一致フラグ,離島フラグ,楽天確認中フラグ,警告表示タイプ,楽天会員フラグ,購入履歴修正有無フラグ,"
    "商品合計金額,消費税合計,送料合計,代引料合計,請求金額,合計金額,ポイント利用額,クーポン利用総額,店舗発行クーポン利用額,"
    "楽天発行クーポン利用額,注文者郵便番号1,注文者郵便番号2,注文者住所都道府県,注文者住所郡市区,注文者住所それ以降の住所,"
    "注文者姓,注文者名,注文者姓カナ,注文者名カナ,注文者電話番号1,注文者電話番号2,注文者電話番号3,注文者メールアドレス,"
    "注文者性別,申込番号,申込お届け回数,送付先ID,送付先送料,送付先代引料,送付先消費税合計,送付先商品合計金額,送付先合計金額,"
    "のし,送付先郵便番号1,送付先郵便番号2,送付先住所都道府県,送付先住所郡市区,送付先住所それ以降の住所,送付先姓,送付先名,"
    "送付先姓カナ,送付先名カナ,送付先電話番号1,送付先電話番号2,送付先電話番号3,商品明細ID,商品ID,商品名,商品番号,"
    "商品管理番号,単価,個数,送料込別,税込別,代引手数料込別,項目・選択肢,ポイント倍率,納期情報,在庫タイプ,ラッピングタイトル1,"
    "ラッピング名1,ラッピング料金1,ラッピング税込別1,ラッピング種類1,ラッピングタイトル2,ラッピング名2,ラッピング料金2,"
    "ラッピング税込別2,ラッピング種類2,お届け時間帯,お届け日指定,担当者,ひとことメモ,"
    "メール差込文 (お客様へのメッセージ),"
    "ギフト配送希望,コメント,利用端末,メールキャリアコード,あす楽希望フラグ,医薬品受注フラグ,"
    "楽天スーパーDEAL商品受注フラグ,"
    "メンバーシッププログラム受注タイプ"
).split(",")
MAKESHOP_HEADER = "注文番号,日付,注文時間,会員ID,メールアドレス,氏名,商品名,数量,商品価格,合計金額,送料,処理状況".split(
    ","
)

#: EC-CUBE 対応状況 ids and names.
_ECCUBE_STATUS = {1: "新規受付", 3: "注文取消し", 5: "発送済み", 6: "入金済み", 9: "返品"}
_ECCUBE_KIND = {1: "商品", 2: "送料", 3: "手数料", 5: "税"}


def _write(
    path: Path, header: list[str], rows: list[dict], encoding: str, quote_all: bool = False, newline: str = "\r\n"
) -> Path:
    """Rows as dicts by header; a repeated header (EC-CUBE 送料) takes ``name#2`` keys for its second column."""
    keys, seen = [], {}
    for h in header:
        seen[h] = seen.get(h, 0) + 1
        keys.append(h if seen[h] == 1 else f"{h}#{seen[h]}")
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, lineterminator=newline, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(k, "") for k in keys])
    return path


def eccube(folder: Path) -> dict:
    """EC-CUBE 4 受注CSV + 会員CSV in cp932, ``order_YmdHis.csv`` / ``customer_YmdHis.csv``."""
    folder.mkdir(parents=True, exist_ok=True)
    members = {
        "1": ("髙橋", "一郎", "ichiro@example.jp", "東京都", "1959-05-25 00:00:00", 2, "本会員"),
        "2": ("山﨑", "花子", "hanako@example.jp", "大阪府", "", 2, "本会員"),
        "3": ("佐藤", "次郎", "x8f3k2@dummy.dummy", "北海道", "1980-01-02 00:00:00", 3, "退会"),
        "5": ("鈴木", "三郎", "saburo@example.jp", "福岡県", "", 2, "本会員"),
    }
    # order: (注文ID, 会員ID, email, status id, 受注日, 支払合計, [(kind, 商品名, 価格, 個数)])
    orders = [
        (
            "1",
            "1",
            "ichiro@example.jp",
            5,
            "2024-01-05 10:23:11",
            "3150.00",
            [(1, "青汁～30包", "1000.00", "2"), (2, "", "800.00", "1"), (3, "", "0.00", "1"), (5, "", "350.00", "1")],
        ),
        ("2", "2", "hanako@example.jp", 3, "2024-01-06 09:00:00", "5000.00", [(1, "酵素ドリンク", "4546.00", "1")]),
        ("3", "", " Guest@Example.com ", 6, "2024-01-31 23:59:59", "1200.00", [(1, "青汁～30包", "1091.00", "1")]),
        (
            "4",
            "",
            "guest@example.com",
            1,
            "2024-02-01 00:00:00",
            "2000.00",
            [(1, "黒酢", "909.00", "2"), (2, "", "0.00", "1")],
        ),
        ("5", "1", "ichiro@example.jp", 9, "2024-02-10 12:00:00", "4000.00", [(1, "酵素ドリンク", "3637.00", "1")]),
        ("6", "3", "x8f3k2@dummy.dummy", 5, "2024-03-01 08:00:00", "1500.00", [(1, "黒酢", "1364.00", "1")]),
        ("7", "", "", 5, "2024-03-02 08:00:00", "800.00", [(1, "お試しセット", "728.00", "1")]),
        ("8", "4", "deleted@example.jp", 6, "2024-03-03 18:30:00", "2500.00", [(1, "黒酢", "2273.00", "1")]),
    ]
    rows, detail = [], 0
    for oid, mid, email, status, date, total, items in orders:
        name = members.get(mid, ("田中", "四郎"))[:2] if mid else ("ゲスト", "客")
        for kind, product, price, qty in items:
            detail += 1
            rows.append(
                {
                    "注文ID": oid,
                    "注文番号": oid,
                    "会員ID": mid,
                    "お名前(姓)": name[0],
                    "お名前(名)": name[1],
                    "メールアドレス": email,
                    "TEL": "0312345678",
                    "都道府県(名称)": "東京都",
                    "ショップ用メモ欄": "髙橋様 電話済",
                    "小計": total,
                    "値引き": "0.00",
                    "送料": "800.00",
                    "税金": "0.00",
                    "合計": total,
                    "支払合計": total,
                    "対応状況(ID)": str(status),
                    "対応状況(名称)": _ECCUBE_STATUS[status],
                    "受注日": date,
                    "注文詳細ID": str(detail),
                    "商品名": product or _ECCUBE_KIND[kind],
                    "価格": price,
                    "個数": qty,
                    "明細区分(ID)": str(kind),
                    "明細区分(名称)": _ECCUBE_KIND[kind],
                    "送料#2": "800.00",
                }
            )
    customers = [
        {
            "会員ID": mid,
            "お名前(姓)": m[0],
            "お名前(名)": m[1],
            "メールアドレス": m[2],
            "都道府県(名称)": m[3],
            "誕生日": m[4],
            "会員ステータス(ID)": str(m[5]),
            "会員ステータス(名称)": m[6],
            "TEL": "09011112222",
        }
        for mid, m in members.items()
    ]
    _write(folder / "order_20251104093015.csv", ECCUBE_ORDER_HEADER, rows, "cp932")
    _write(folder / "customer_20251104093102.csv", ECCUBE_CUSTOMER_HEADER, customers, "cp932")
    return {
        "orders": 6,
        "revenue": 3150 + 1200 + 2000 + 1500 + 800 + 2500,
        "item_rows": len(rows),
        "excluded": {"cancelled": (1, 5000), "returned": (1, 4000)},
        "guest_orders": 2,
        "guest_customers": 1,
        "no_email_orders": 1,
        "customers": 4 + 3,
        "products": 6,  # product rows of counted orders: 1, 3, 4, 6, 7, 8
        "dates": {"1": "2024-01-05", "3": "2024-01-31", "4": "2024-02-01"},
        "withdrawn_member": "3",
    }


def shopify(folder: Path, suffix: str = "") -> dict:
    """Shopify orders_export + customers_export in UTF-8 without BOM."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = []

    def order(name, email, financial, created, total, items, cancelled=""):
        for i, (product, qty, price) in enumerate(items):
            row = {
                "Name": name,
                "Email": email,
                "Created at": created,
                "Lineitem name": product,
                "Lineitem quantity": qty,
                "Lineitem price": price,
                "Phone": "",
            }
            if i == 0:
                row.update(
                    {
                        "Financial Status": financial,
                        "Total": total,
                        "Currency": "JPY",
                        "Cancelled at": cancelled,
                        "Billing Name": "髙橋 一郎",
                        "Billing Phone": "'+81312345678",
                        "Billing Province Name": "東京都",
                        "Notes": "ご住所: 東京都千代田区1-1",
                    }
                )
            lines.append(row)

    order(
        f"#1001{suffix}",
        "a@example.com",
        "paid",
        "2023-11-04 08:53:56 +0900",
        "3300",
        [("Matcha 100g", "1", "1800"), ("Hojicha", "1", "1500")],
    )
    order(
        f"#1002{suffix}", "b@example.com", "paid", "2023-11-04 23:30:00 -0500", "1200.00", [("Sencha", "2", "600.00")]
    )
    order(
        f"#1003{suffix}",
        "a@example.com",
        "voided",
        "2023-11-06 10:00:00 +0900",
        "5000",
        [("Matcha 100g", "1", "5000")],
        cancelled="2023-11-06 12:00:00 +0900",
    )
    order(
        f"#1004{suffix}", "c@example.com", "refunded", "2023-11-07 10:00:00 +0900", "2000", [("Hojicha", "1", "2000")]
    )
    order(f"#1005{suffix}", "", "paid", "2023-11-08 10:00:00 +0900", "900", [("Sencha", "1", "900")])
    order(
        f"#1006{suffix}",
        "A@Example.COM",
        "partially_refunded",
        "2023-11-09 00:10:00 +0900",
        "1000",
        [("Genmaicha", "1", "1000")],
    )
    customers = [
        {
            "Customer ID": "'7012345678901",
            "First Name": "一郎",
            "Last Name": "髙橋",
            "Email": "a@example.com",
            "Phone": "'+81312345678",
            "Total Orders": "2",
        },
        {
            "Customer ID": "'7012345678902",
            "First Name": "花子",
            "Last Name": "山﨑",
            "Email": "c@example.com",
            "Phone": "",
            "Total Orders": "1",
        },
        {
            "Customer ID": "'7012345678903",
            "First Name": "三郎",
            "Last Name": "鈴木",
            "Email": "d@example.com",
            "Total Orders": "0",
        },
    ]
    _write(folder / "orders_export.csv", SHOPIFY_ORDER_HEADER, lines, "utf-8", newline="\n")
    _write(folder / "customers_export.csv", SHOPIFY_CUSTOMER_HEADER, customers, "utf-8", newline="\n")
    return {
        "orders": 4,
        "revenue": 3300 + 1200 + 900 + 1000,
        "item_rows": len(lines),
        "excluded": {"cancelled": (1, 5000), "returned": (1, 2000)},
        "guest_orders": 1,
        "no_email_orders": 1,
        "email_member_orders": 2,
        "customers": 3 + 2,
        "dates": {f"#1001{suffix}": "2023-11-04", f"#1002{suffix}": "2023-11-05", f"#1006{suffix}": "2023-11-09"},
        "member": "7012345678901",
    }


def rakuten(folder: Path) -> dict:
    """楽天ペイ受注CSV in cp932, every field quoted, CRLF; no customer export."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = []

    def order(number, status, at, billed, email, name, items, phone=("03", "1234", "5678")):
        for i, (product, price, qty) in enumerate(items, start=1):
            rows.append(
                {
                    "注文番号": number,
                    "ステータス": status,
                    "注文日時": at,
                    "注文日": at.split(" ")[0],
                    "注文時間": at.split(" ")[1],
                    "請求金額": billed,
                    "合計金額": billed,
                    "注文者姓": name[0],
                    "注文者名": name[1],
                    "注文者電話番号1": phone[0],
                    "注文者電話番号2": phone[1],
                    "注文者電話番号3": phone[2],
                    "注文者メールアドレス": email,
                    "注文者住所都道府県": "神奈川県",
                    "注文者性別": "女",
                    "商品明細ID": f"{number}-{i}",
                    "商品名": product,
                    "単価": price,
                    "個数": qty,
                    "コメント": "配送は髙﨑様宛、携帯 090-0000-0000",
                }
            )

    order(
        "274555-20240105-0000000001",
        "発送済",
        "2024/1/5 10:23",
        "4400",
        "aaaa1111@pc.fw.rakuten.ne.jp",
        ("髙橋", "花子"),
        [("青汁～30包", "2000", "1"), ("黒酢", "1200", "2")],
    )
    order(
        "274555-20240106-0000000002",
        "キャンセル確定",
        "2024/1/6 9:00",
        "3000",
        "aaaa1111@pc.fw.rakuten.ne.jp",
        ("髙橋", "花子"),
        [("酵素ドリンク", "3000", "1")],
    )
    order(
        "274555-20240107-0000000003",
        "発送済",
        "2024/1/7 23:59",
        "1980",
        "bbbb2222@pc.fw.rakuten.ne.jp",
        ("山﨑", "太郎"),
        [("お試しセット", "1980", "1")],
    )
    order("274555-20240108-0000000004", "発送待ち", "2024/1/8 0:01", "500", "", ("佐藤", "一"), [("黒酢", "500", "1")])
    _write(folder / "RBO_20240110.csv", RAKUTEN_ORDER_HEADER, rows, "cp932", quote_all=True)
    return {
        "orders": 3,
        "revenue": 4400 + 1980 + 500,
        "item_rows": len(rows),
        "excluded": {"cancelled": (1, 3000)},
        "customers": 3,
        "no_email_orders": 1,
        "dates": {"274555-20240105-0000000001": "2024-01-05", "274555-20240108-0000000004": "2024-01-08"},
        "times": {"274555-20240105-0000000001": "10:23:00"},
    }


def makeshop(folder: Path) -> dict:
    """A MakeShop-like export: separate 日付 and 注文時間 (hhmmss), 処理状況, cp932."""
    folder.mkdir(parents=True, exist_ok=True)
    text = """M001,2022/8/10,103309,u1,u1@example.jp,髙橋 一郎,青汁～30包,1,3000,3500,500,発送済み
M001,2022/8/10,103309,u1,u1@example.jp,髙橋 一郎,黒酢,1,0,3500,500,発送済み
M002,2022/8/11,000501,,guest@example.jp,山﨑 花子,黒酢,2,1000,2500,500,発送済み
M003,2022/8/12,235959,u1,u1@example.jp,髙橋 一郎,酵素,1,5000,5500,500,注文キャンセル
M004,2022/8/13,120000,u2,u2@example.jp,鈴木 三郎,黒酢,1,1000,1500,500,返送"""
    rows = [line.split(",") for line in text.splitlines()]
    _write(
        folder / "order_list.csv", MAKESHOP_HEADER, [dict(zip(MAKESHOP_HEADER, r, strict=True)) for r in rows], "cp932"
    )
    return {
        "orders": 2,
        "revenue": 3500 + 2500,
        "excluded": {"cancelled": (1, 5500), "returned": (1, 1500)},
        "dates": {"M001": "2022-08-10", "M002": "2022-08-11"},
        "times": {"M001": "10:33:09", "M002": "00:05:01"},
    }


AISHIP_HEADER = "注文番号,注文日時,商品管理番号,商品名,数量,商品単価,管理ステータス,購入者メールアドレス".split(",")


def aiship(folder: Path) -> dict:
    """An aiship-like export (Shift_JIS, CRLF): items only, no order total."""
    folder.mkdir(parents=True, exist_ok=True)
    text = """A-1,2024-03-01 09:00:00,P1,青汁～30包,2,1500,出荷済,a@example.jp
A-1,2024-03-01 09:00:00,P2,黒酢,1,980,出荷済,a@example.jp
A-2,2024-03-02 21:15:00,P1,青汁～30包,1,1500,キャンセル,b@example.jp
A-3,2024-03-03 08:00:00,P3,髙濃度プロテイン,3,1200,出荷済,b@example.jp"""
    rows = [dict(zip(AISHIP_HEADER, line.split(","), strict=True)) for line in text.splitlines()]
    _write(folder / "order.csv", AISHIP_HEADER, rows, "cp932")
    return {"orders": 2, "revenue": 2 * 1500 + 980 + 3 * 1200, "excluded": {"cancelled": (1, 1500)}}
