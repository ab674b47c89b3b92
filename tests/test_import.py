"""kando import: each platform's export as sent -> the data contract, checked against hand-computed truth."""

from __future__ import annotations

import csv
import shutil

import pandas as pd
import pytest
import shop_exports
import yaml

from helpers import cli, importers, io, privacy
from helpers.importers import cells, raw

AS_OF = "2025-12-31"


def read(out, table: str) -> pd.DataFrame:
    return pd.read_csv(out / f"{table}.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")


def run(src, out, *extra) -> int:
    return cli.main(["import", str(src), "--out", str(out), *extra])


@pytest.fixture(params=["eccube", "shopify", "rakuten"])
def platform(request, tmp_path):
    src = tmp_path / "export"
    truth = getattr(shop_exports, request.param)(src)
    out = tmp_path / "data"
    assert run(src, out) == 0
    return request.param, src, out, truth


def test_orders_revenue_and_exclusions_match_the_hand_computed_truth(platform):
    name, _, out, truth = platform
    orders = read(out, "orders")
    assert len(orders) == truth["orders"]
    assert orders["order_id"].is_unique
    assert orders["amount"].astype(float).sum() == truth["revenue"]
    report = (out / "import_report.md").read_text(encoding="utf-8")
    excluded_n = sum(n for n, _ in truth["excluded"].values())
    excluded_yen = sum(y for _, y in truth["excluded"].values())
    assert f"状態により除いた注文: **{excluded_n:,} 件**（¥{excluded_yen:,}）" in report
    assert f"Orders excluded by status: **{excluded_n:,}** (¥{excluded_yen:,})" in report
    assert f"明細 {truth['item_rows']:,} 行から注文 {truth['orders'] + excluded_n:,} 件" in report


def test_order_dates_are_tokyo_calendar_days(platform):
    _, _, out, truth = platform
    orders = read(out, "orders").set_index("order_id")
    for order_id, day in truth["dates"].items():
        assert orders.loc[order_id, "order_date"] == day
    for order_id, clock in truth.get("times", {}).items():
        assert orders.loc[order_id, "order_time"] == clock


def test_validate_exits_0_on_the_import(platform):
    _, _, out, _ = platform
    assert cli.main(["validate", str(out), "--as-of", AS_OF]) == 0
    report = io.validate_data_dir(out, as_of=AS_OF)
    assert report.ok and {s.table for s in report.summaries} >= {"customers", "orders", "order_items"}


def test_order_tables_carry_no_personal_data(platform):
    _, _, out, _ = platform
    assert set(read(out, "orders").columns) <= {"order_id", "customer_id", "order_date", "order_time", "amount"}
    assert list(read(out, "order_items").columns) == ["order_id", "product", "quantity", "price"]
    personal = ("髙橋", "山﨑", "佐藤", "@", "東京都千代田区", "1959-05-25", "090-0000")
    for name in ("orders.csv", "order_items.csv", "import_report.md", "mapping.yaml"):
        text = (out / name).read_text(encoding="utf-8-sig")
        assert not [p for p in personal if p in text], name
    customers = read(out, "customers")
    assert customers["email"].str.contains("@").any() and customers["name"].str.contains("髙橋").any()


def test_rerun_with_the_saved_mapping_gives_identical_tables(platform, tmp_path):
    _, src, out, _ = platform
    before = {t: (out / f"{t}.csv").read_bytes() for t in ("orders", "customers", "order_items")}
    saved = tmp_path / "saved_mapping.yaml"
    shutil.copy(out / "mapping.yaml", saved)
    assert run(src, out, "--mapping", str(saved)) == 0
    assert {t: (out / f"{t}.csv").read_bytes() for t in before} == before


def test_eccube_guests_members_and_withdrawn(tmp_path):
    truth = shop_exports.eccube(tmp_path / "src")
    out = tmp_path / "data"
    assert run(tmp_path / "src", out) == 0
    orders, customers = read(out, "orders"), read(out, "customers").set_index("customer_id")
    key = privacy.data_key(out)
    guest = privacy.pseudonymize(pd.Series(["guest@example.com"]), key, prefix="G-").iloc[0]
    # " Guest@Example.com " and "guest@example.com" are one customer
    assert (orders["customer_id"] == guest).sum() == truth["guest_orders"]
    assert orders.loc[orders["order_id"] == "7", "customer_id"].str.startswith("U-").all()
    assert len(customers) == truth["customers"]
    assert customers.loc[truth["withdrawn_member"], "member_status"] == "退会"
    assert truth["withdrawn_member"] in set(orders["customer_id"])
    assert customers.loc["4", "identified_by"] == "member_id"  # a member the customer export lacks
    assert customers.loc["1", "name"] == "髙橋 一郎" and customers.loc["2", "name"] == "山﨑 花子"
    assert customers.loc["1", "birth_date"] == "1959-05-25"
    items = read(out, "order_items")
    assert len(items) == truth["products"]
    assert set(items["product"]) == {"青汁～30包", "黒酢", "お試しセット"}  # 送料, 手数料, 税 rows are not products
    assert items.loc[items["order_id"] == "1", ["quantity", "price"]].values.tolist() == [["2", "1000"]]
    assert "送料#2" in (out / "import_report.md").read_text(encoding="utf-8")  # the repeated header, named


def test_shopify_links_orders_to_customers_by_email(tmp_path):
    truth = shop_exports.shopify(tmp_path / "src")
    out = tmp_path / "data"
    assert run(tmp_path / "src", out) == 0
    orders = read(out, "orders").set_index("order_id")
    assert orders.loc[["#1001", "#1006"], "customer_id"].tolist() == [truth["member"]] * 2  # Excel's ' removed
    assert orders.loc["#1002", "customer_id"].startswith("G-")
    assert orders.loc["#1005", "customer_id"].startswith("U-")
    customers = read(out, "customers").set_index("customer_id")
    assert len(customers) == truth["customers"]
    assert customers.loc[truth["member"], "phone"] == "+81312345678"
    report = (out / "import_report.md").read_text(encoding="utf-8")
    assert f"| メールアドレスで顧客ファイルと照合 | {truth['email_member_orders']} |" in report


def test_rakuten_customers_are_derived_from_the_orders(tmp_path):
    truth = shop_exports.rakuten(tmp_path / "src")
    out = tmp_path / "data"
    assert run(tmp_path / "src", out) == 0
    customers = read(out, "customers")
    assert len(customers) == truth["customers"]
    assert customers["customer_id"].str.match(r"^[GU]-[0-9a-f]{16}$").all()
    assert customers["phone"].iloc[0] == "03-1234-5678"
    report = (out / "import_report.md").read_text(encoding="utf-8")
    assert "顧客ファイルがないため" in report and "there is no customer export" in report


def test_keep_cancelled_keeps_them_with_a_status(tmp_path):
    truth = shop_exports.eccube(tmp_path / "src")
    out = tmp_path / "data"
    assert run(tmp_path / "src", out, "--keep-cancelled") == 0
    orders = read(out, "orders").set_index("order_id")
    assert len(orders) == truth["orders"] + 2
    assert orders.loc[["2", "5", "1"], "status"].tolist() == ["cancelled", "returned", "ok"]
    assert orders.loc["2", "shop_status"] == "注文取消し"
    assert cli.main(["validate", str(out), "--as-of", AS_OF]) == 0


def test_a_second_shop_on_the_same_platform_goes_through_the_same_command(tmp_path):
    shop_exports.shopify(tmp_path / "shop2", suffix="-B")
    (tmp_path / "shop2" / "orders_export.csv").rename(tmp_path / "shop2" / "orders_export_1.csv")
    assert run(tmp_path / "shop2", tmp_path / "data2") == 0
    assert read(tmp_path / "data2", "orders")["order_id"].str.endswith("-B").all()


def test_unknown_system_suggest_edit_import(tmp_path, capsys):
    truth = shop_exports.makeshop(tmp_path / "src")
    out = tmp_path / "data"
    assert run(tmp_path / "src", out) == 1
    assert "--suggest-mapping" in capsys.readouterr().err
    draft = tmp_path / "draft.yaml"
    assert cli.main(["import", str(tmp_path / "src"), "--suggest-mapping", str(draft)]) == 0
    text = draft.read_text(encoding="utf-8")
    assert all(line.split("#")[0].strip() for line in text.splitlines() if "amount:" in line)
    assert run(tmp_path / "src", out, "--mapping", str(draft)) == 1  # the amount is a choice left to the user
    assert "合計金額" in capsys.readouterr().err
    # the one edit
    draft.write_text(text.replace("amount: null", 'amount: "合計金額"'), encoding="utf-8")
    assert run(tmp_path / "src", out, "--mapping", str(draft)) == 0
    orders = read(out, "orders").set_index("order_id")
    assert len(orders) == truth["orders"] and orders["amount"].astype(int).sum() == truth["revenue"]
    for order_id, day in truth["dates"].items():
        assert orders.loc[order_id, "order_date"] == day
        assert orders.loc[order_id, "order_time"] == truth["times"][order_id]
    mapping = yaml.safe_load(draft.read_text(encoding="utf-8"))
    assert {r["status"] for r in mapping["orders"]["exclude"]} == {"cancelled", "returned"}
    assert cli.main(["validate", str(out), "--as-of", AS_OF]) == 0


def failed_makeshop_import(tmp_path, capsys, mapping_text: str) -> str:
    """Import the MakeShop-like export with ``mapping_text``; expects exit 1 and nothing written; returns stderr."""
    shop_exports.makeshop(tmp_path / "src")
    mapping = tmp_path / "m.yaml"
    mapping.write_text(mapping_text, encoding="utf-8")
    assert run(tmp_path / "src", tmp_path / "data", "--mapping", str(mapping)) == 1
    assert not (tmp_path / "data").exists()
    return capsys.readouterr().err


def test_a_mapping_naming_a_missing_column_lists_the_real_headers(tmp_path, capsys):
    columns = "{order_id: 注文番号, order_date: 注文日, amount: 合計金額}"
    err = failed_makeshop_import(tmp_path, capsys, f"orders:\n  columns: {columns}\n  exclude: []\n")
    assert "注文日" in err and "日付, 注文時間, 会員ID" in err


def test_an_unreadable_amount_is_reported_with_file_line_and_column(tmp_path, capsys):
    src = tmp_path / "src"
    shop_exports.eccube(src)
    path = src / "order_20251104093015.csv"
    with path.open(encoding="cp932", newline="") as handle:
        rows = list(csv.reader(handle))
    column = rows[0].index("支払合計")
    memo = rows[0].index("ショップ用メモ欄")
    rows[1][memo] = "一行目\r\n二行目"  # a quoted field over two lines moves every later line by one
    for row in rows[1:]:
        if row[0] == "3":
            row[column] = "1,2OO円"
    with path.open("w", encoding="cp932", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(rows)
    line = 2 + [r[0] for r in rows[1:]].index("3") + 1  # body starts on line 2; the memo's second line
    assert run(src, tmp_path / "data") == 1
    err = capsys.readouterr().err
    assert f"{path.name}:{line} 列 '支払合計' 値 '1,2OO円': 金額として読めません" in err
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize(
    ("cell", "time", "expected"),
    [
        ("2024-01-05 10:23:11", None, "2024-01-05 10:23:11"),
        ("2024-01-05 10:23:11 +0900", None, "2024-01-05 10:23:11"),
        ("2024-01-04 20:00:00 -0500", None, "2024-01-05 10:00:00"),
        ("2024-01-05T01:00:00Z", None, "2024-01-05 10:00:00"),
        ("2024/1/5 10:23", None, "2024-01-05 10:23:00"),
        ("2022/8/10", "103309", "2022-08-10 10:33:09"),
        ("2022/8/10", "9:05", "2022-08-10 09:05:00"),
        ("２０２４年１月５日", None, "2024-01-05 00:00:00"),
    ],
)
def test_timestamps_land_on_their_tokyo_time(cell, time, expected):
    values, bad = cells.parse_timestamps(
        cells.clean(pd.Series([cell])), None if time is None else cells.clean(pd.Series([time]))
    )
    assert not bad.any() and values.iloc[0] == pd.Timestamp(expected)


@pytest.mark.parametrize(
    ("cell", "expected"), [("1200.00", 1200), ("'1,200", 1200), ("¥3,300", 3300), ("3300円", 3300)]
)
def test_amount_spellings(cell, expected):
    values, bad = cells.parse_amounts(cells.clean(pd.Series([cell])))
    assert not bad.any() and values.iloc[0] == expected


def test_utf8_without_bom_and_cp932_are_recognised(tmp_path):
    (tmp_path / "u.csv").write_bytes("注文番号,商品名\nA,青汁～\n".encode())
    (tmp_path / "s.csv").write_bytes("注文番号,商品名\r\nA,髙﨑～\r\n".encode("cp932"))
    assert raw.sniff(tmp_path / "u.csv").encoding == "utf-8"
    export = raw.sniff(tmp_path / "s.csv")
    frame, problems = raw.read_columns(export, ["商品名"])
    assert export.encoding == "cp932" and not problems and frame["商品名"].tolist() == ["髙﨑～"]


def test_validate_names_an_unimported_export_and_groups_problems(tmp_path, capsys):
    shop_exports.eccube(tmp_path)
    assert cli.main(["validate", str(tmp_path), "--as-of", AS_OF]) == 1
    out = capsys.readouterr().out
    assert "order_20251104093015.csv" in out and "EC-CUBE 4" in out and f"kando import {tmp_path}" in out


def test_problems_are_grouped_with_the_first_five_and_a_count(sample_copy, capsys):
    orders = pd.read_csv(sample_copy / "orders.csv", dtype=str)
    orders["amount"] = "abc"
    orders.to_csv(sample_copy / "orders.csv", index=False)
    assert cli.main(["validate", str(sample_copy), "--as-of", AS_OF]) == 1
    out = capsys.readouterr().out
    assert f"{len(orders):,} 件" in out and f"ほか {len(orders) - 5:,} 件" in out
    assert len(out.splitlines()) < 40
    assert cli.main(["validate", str(sample_copy), "--as-of", AS_OF, "--all"]) == 1
    assert len(capsys.readouterr().out.splitlines()) > len(orders)


def test_presets_are_package_data():
    assert {importers.load_preset(p).platform for p in importers.PRESETS} == {"eccube", "shopify", "rakuten"}


def test_the_overview_states_orders_counted_and_excluded(platform):
    _, _, out, truth = platform
    from helpers.report import overview

    excluded_n = sum(n for n, _ in truth["excluded"].values())
    excluded_yen = sum(y for _, y in truth["excluded"].values())
    ja = overview.import_text(out, lang="ja")
    assert f"売上として数えた注文は **{truth['orders']:,} 件**（{truth['revenue']:,} 円）" in ja
    assert f"除いた注文は **{excluded_n:,} 件**（{excluded_yen:,} 円）" in ja
    en = overview.import_text(out, lang="en")
    assert f"**{truth['orders']:,} orders** ({truth['revenue']:,} JPY)" in en
    assert overview.import_text(out.parent / "export", lang="ja") == ""  # not imported: nothing to say


def test_eccube_order_number_is_listed_as_not_used(tmp_path):
    shop_exports.eccube(tmp_path / "src")
    assert run(tmp_path / "src", tmp_path / "data") == 0
    report = (tmp_path / "data" / "import_report.md").read_text(encoding="utf-8")
    unused = next(line for line in report.splitlines() if line.startswith("- order_20251104093015.csv:"))
    assert "注文番号" in unused and "注文ID" not in unused


def test_undecided_statuses_exit_1_listing_the_values(tmp_path, capsys):
    columns = "{order_id: 注文番号, order_date: 日付, amount: 合計金額, status: 処理状況}"
    err = failed_makeshop_import(tmp_path, capsys, f"orders:\n  columns: {columns}\n")
    assert "発送済み (3), 注文キャンセル (1), 返送 (1)" in err and "exclude" in err


def test_a_shop_that_switched_columns_off_still_imports_with_a_note(tmp_path):
    """EC-CUBE shops can turn export columns off; the preset goes on without personal ones."""
    src = tmp_path / "src"
    truth = shop_exports.eccube(src)
    path = src / "order_20251104093015.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="cp932")
    frame.drop(columns=["TEL", "誕生日", "注文番号"]).to_csv(path, index=False, encoding="cp932")
    out = tmp_path / "data"
    assert run(src, out) == 0
    assert read(out, "orders")["amount"].astype(float).sum() == truth["revenue"]
    report = (out / "import_report.md").read_text(encoding="utf-8")
    assert "出力にない列は使いませんでした: TEL, 誕生日" in report and "left out: TEL, 誕生日" in report
    mapping = yaml.safe_load((out / "mapping.yaml").read_text(encoding="utf-8"))
    assert "phone" not in {k for k, v in mapping["orders"]["columns"].items() if v}
    before = (out / "orders.csv").read_bytes()
    assert run(src, out, "--mapping", str(out / "mapping.yaml")) == 0  # the saved mapping is the one used
    assert (out / "orders.csv").read_bytes() == before


def test_rows_of_one_order_that_disagree_are_reported(tmp_path, capsys):
    src = tmp_path / "src"
    shop_exports.eccube(src)
    path = src / "order_20251104093015.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="cp932")
    second_row_of_order_1 = frame.index[frame["注文ID"] == "1"][1]
    frame.loc[second_row_of_order_1, "支払合計"] = "3300.00"
    frame.to_csv(path, index=False, encoding="cp932")
    assert run(src, tmp_path / "data") == 1
    err = capsys.readouterr().err
    line = second_row_of_order_1 + 2
    assert f"{path.name}:{line} 列 '支払合計' 値 '3300.00': 同じ注文の前の行と値が違います" in err


def test_shopify_numbered_files_are_read_together(tmp_path):
    """An e-mailed export arrives as orders_export_1.csv, orders_export_2.csv, ..."""
    src = tmp_path / "src"
    truth = shop_exports.shopify(src)
    lines = (src / "orders_export.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    cut = next(i for i, line in enumerate(lines) if line.startswith("#1004,"))
    (src / "orders_export_1.csv").write_text("".join(lines[:cut]), encoding="utf-8")
    (src / "orders_export_2.csv").write_text(lines[0] + "".join(lines[cut:]), encoding="utf-8")
    (src / "orders_export.csv").unlink()
    assert run(src, tmp_path / "data") == 0
    orders = read(tmp_path / "data", "orders")
    assert len(orders) == truth["orders"] and orders["amount"].astype(float).sum() == truth["revenue"]


def test_an_export_without_an_order_total_sums_its_items(tmp_path, capsys):
    truth = shop_exports.aiship(tmp_path / "src")
    draft = tmp_path / "draft.yaml"
    assert cli.main(["import", str(tmp_path / "src"), "--suggest-mapping", str(draft)]) == 0
    text = draft.read_text(encoding="utf-8")
    assert "amount_from_items: false" in text  # the draft offers the choice for an export without a total
    draft.write_text(text.replace("amount_from_items: false", "amount_from_items: true", 1), encoding="utf-8")
    out = tmp_path / "data"
    assert run(tmp_path / "src", out, "--mapping", str(draft)) == 0
    orders = read(out, "orders")
    assert len(orders) == truth["orders"] and orders["amount"].astype(float).sum() == truth["revenue"]
    report = (out / "import_report.md").read_text(encoding="utf-8")
    assert "単価 × 数量 の合計" in report and "¥1,500" in report  # the cancelled order, with its yen
    assert yaml.safe_load((out / "mapping.yaml").read_text(encoding="utf-8"))["orders"]["amount_from_items"]
