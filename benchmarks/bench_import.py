"""Benchmark of ``kando import`` on an EC-CUBE 受注CSV with 3,000,000 item rows, beside DuckDB.

Generates an EC-CUBE 4 order export (70 columns, one row per order item:
1-3 product rows and a 送料 row per order, 10 % guest orders, 3 % cancelled,
1 % returned) in cp932 as EC-CUBE writes it, plus a UTF-8 copy.  Then, each
in its own process, with its peak resident memory:

- ``kando import`` on the cp932 file (as a client sends it);
- ``kando import`` on the UTF-8 copy (the same bytes DuckDB reads);
- DuckDB reading the UTF-8 copy (it has no cp932 reader without an extension
  download) and grouping it to orders and product items, written as CSV.

Prints the seconds, the peak memory and the ratio to DuckDB.  Target: the
import within 3x DuckDB.  Timings are wall-clock on a shared machine: read
the ratio, which is measured in the same run.

Usage::

    .venv/bin/python benchmarks/bench_import.py [--rows 3000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import codecs
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import psutil
import pyarrow as pa
import pyarrow.csv as pacsv

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from shop_exports import ECCUBE_ORDER_HEADER  # noqa: E402

TARGET_RATIO = 3.0
_DUCKDB = """
import sys, duckdb
src, out = sys.argv[1], sys.argv[2]
con = duckdb.connect()
con.execute(f"CREATE TABLE rows AS SELECT * FROM read_csv('{src}', header=true, all_varchar=true)")
con.execute('''CREATE TABLE orders AS SELECT "注文ID" AS order_id, first("会員ID") AS customer_id,
    CAST(first("受注日") AS TIMESTAMP)::DATE AS order_date, CAST(first("支払合計") AS DECIMAL(12, 2)) AS amount,
    first("対応状況(ID)") AS status FROM rows GROUP BY "注文ID"''')
con.execute('''CREATE TABLE items AS SELECT "注文ID" AS order_id, "商品名" AS product,
    CAST("個数" AS INTEGER) AS quantity, CAST("価格" AS DECIMAL(12, 2)) AS price
    FROM rows WHERE "明細区分(ID)" = '1' ''')
con.execute(f"COPY (SELECT * FROM orders WHERE status NOT IN ('3', '9', '8')) TO '{out}/orders.csv' (HEADER)")
con.execute(f"COPY items TO '{out}/order_items.csv' (HEADER)")
print(con.execute("SELECT count(*) FROM orders").fetchone()[0])
"""


def generate(path_cp932: Path, path_utf8: Path, rows: int, seed: int = 20251231) -> tuple[int, int]:
    """Write the export; returns (item rows, orders)."""
    rng = np.random.default_rng(seed)
    n_orders = rows // 3
    products_per_order = rng.integers(1, 4, n_orders)  # 1-3 product rows, + a 送料 row
    per_order = products_per_order + 1
    ends = np.cumsum(per_order)
    n_orders = int(np.searchsorted(ends, rows, side="right"))
    per_order, products_per_order = per_order[:n_orders], products_per_order[:n_orders]
    n = int(per_order.sum())
    order = np.repeat(np.arange(1, n_orders + 1), per_order)
    position = np.arange(n) - np.repeat(np.cumsum(per_order) - per_order, per_order)
    is_product = position < np.repeat(products_per_order, per_order)
    member = rng.integers(1, max(n_orders // 3, 2), n_orders)
    guest = rng.random(n_orders) < 0.10
    status = rng.choice(np.array(["5", "3", "9", "6"]), n_orders, p=[0.80, 0.03, 0.01, 0.16])
    status_name = np.select(
        [status == "5", status == "3", status == "9"], ["発送済み", "注文取消し", "返品"], "入金済み"
    )
    day = np.datetime64("2021-01-01T00:00:00") + rng.integers(0, 4 * 365 * 86400, n_orders).astype("timedelta64[s]")
    price = rng.choice(np.array([1000, 2980, 4546, 980, 3600]), n)
    qty = rng.integers(1, 4, n)
    total = np.bincount(order - 1, weights=np.where(is_product, price * qty, 0), minlength=n_orders) * 1.1 + 800
    names = np.array(["青汁～30包", "酵素ドリンク", "黒酢", "お試しセット", "髙濃度プロテイン"])

    def per_row(values):
        return np.asarray(values)[order - 1]

    member_text = np.where(guest, "", member.astype(str))
    data = {
        "注文ID": order.astype(str),
        "注文番号": order.astype(str),
        "会員ID": per_row(member_text),
        "お名前(姓)": np.full(n, "髙橋"),
        "お名前(名)": np.full(n, "一郎"),
        "メールアドレス": per_row(np.char.add(np.char.add("c", member.astype(str)), "@example.jp")),
        "TEL": np.full(n, "0312345678"),
        "都道府県(名称)": np.full(n, "東京都"),
        "支払合計": per_row(np.char.add(np.round(total).astype(np.int64).astype(str), ".00")),
        "合計": per_row(np.char.add(np.round(total).astype(np.int64).astype(str), ".00")),
        "対応状況(ID)": per_row(status),
        "対応状況(名称)": per_row(status_name),
        "受注日": per_row(np.datetime_as_string(day, unit="s")).astype(object),
        "注文詳細ID": np.arange(1, n + 1).astype(str),
        "商品名": np.where(is_product, names[rng.integers(0, len(names), n)], "送料"),
        "価格": np.char.add(np.where(is_product, price, 800).astype(str), ".00"),
        "個数": np.where(is_product, qty, 1).astype(str),
        "明細区分(ID)": np.where(is_product, "1", "2"),
        "明細区分(名称)": np.where(is_product, "商品", "送料"),
    }
    data["受注日"] = np.char.replace(data["受注日"].astype(str), "T", " ")
    empty = pa.array([""] * n, pa.string())
    first = {h: ECCUBE_ORDER_HEADER.index(h) for h in ECCUBE_ORDER_HEADER}
    arrays = [
        pa.array(data[h], pa.string()) if h in data and first[h] == i else empty
        for i, h in enumerate(ECCUBE_ORDER_HEADER)
    ]
    table = pa.Table.from_arrays(arrays, names=ECCUBE_ORDER_HEADER)  # 送料 twice, as EC-CUBE writes it
    pacsv.write_csv(table, path_utf8, write_options=pacsv.WriteOptions(quoting_style="needed"))
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path_utf8.open("rb") as src_file, path_cp932.open("wb") as out:
        while chunk := src_file.read(1 << 24):
            out.write(decoder.decode(chunk).encode("cp932"))
    return n, n_orders


def measured(command: list[str]) -> tuple[float, int, str]:
    """Wall seconds, peak RSS bytes (process tree, sampled every 20 ms) and stdout of ``command``."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak, root = 0, psutil.Process(proc.pid)

    def sample():
        nonlocal peak
        while proc.poll() is None:
            try:
                rss = sum(p.memory_info().rss for p in [root, *root.children(recursive=True)])
            except psutil.Error:
                continue
            peak = max(peak, rss)
            time.sleep(0.02)

    watcher = threading.Thread(target=sample)
    watcher.start()
    out, err = proc.communicate()
    watcher.join()
    if proc.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{err}")
    return time.perf_counter() - start, peak, out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3_000_000)
    parser.add_argument("--keep", help="keep the generated files and outputs in this folder")
    args = parser.parse_args(argv)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench_import_"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        (work / "cp932").mkdir(exist_ok=True)
        (work / "utf8").mkdir(exist_ok=True)
        t0 = time.perf_counter()
        rows, orders = generate(
            work / "cp932" / "order_20251104093015.csv", work / "utf8" / "order_utf8.csv", args.rows
        )
        size = (work / "cp932" / "order_20251104093015.csv").stat().st_size
        print(
            f"export: {rows:,} item rows, {orders:,} orders, {size / 1e6:,.0f} MB "
            f"(generated in {time.perf_counter() - t0:.1f} s)"
        )
        kando = str(Path(sys.executable).with_name("kando"))
        runs = {
            "kando import (cp932)": [kando, "import", str(work / "cp932"), "--out", str(work / "out_cp932")],
            "kando import (UTF-8)": [
                kando,
                "import",
                str(work / "utf8"),
                "--out",
                str(work / "out_utf8"),
                "--preset",
                "eccube",
            ],
        }
        (work / "out_duckdb").mkdir(exist_ok=True)
        runs["DuckDB read + group"] = [
            sys.executable,
            "-c",
            _DUCKDB,
            str(work / "utf8" / "order_utf8.csv"),
            str(work / "out_duckdb"),
        ]
        results = {name: measured(command) for name, command in runs.items()}
        reference = results["DuckDB read + group"][0]
        print(f"{'step':<24}{'seconds':>10}{'peak MB':>10}{'x DuckDB':>10}")
        for name, (seconds, peak, _) in results.items():
            print(f"{name:<24}{seconds:>10.1f}{peak / 1e6:>10,.0f}{seconds / reference:>10.2f}")
        worst = max(results["kando import (cp932)"][0], results["kando import (UTF-8)"][0]) / reference
        verdict = "within" if worst <= TARGET_RATIO else "OVER"
        print(f"target: import within {TARGET_RATIO:g}x DuckDB -> {worst:.2f}x ({verdict})")
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
