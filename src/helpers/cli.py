"""The ``kando`` command: validate data, make sample data and templates, run reports.

Examples
--------
::

    kando import ~/client/export --out ~/client/data
    kando validate data/sample
    kando sample --out data/sample --customers 2000
    kando template --out journey_worksheet.xlsx
    kando run --data data/sample
    kando reveal --data ~/client/data P-3f9a0c12ab34cd56
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _validate(args: argparse.Namespace) -> int:
    from helpers import io, schemas

    data_dir = io.resolve_path(args.data_dir)
    if not data_dir.is_dir():
        print(f"データフォルダがありません / data directory not found: {data_dir}", file=sys.stderr)
        return EXIT_USAGE
    report = io.validate_data_dir(data_dir, as_of=args.as_of)
    print(report.format(args.lang, show_all=args.all))
    print(notebook_support_text(report, args.notebooks, args.lang))
    missing = [t for t in schemas.REQUIRED_TABLES if io.find_table_file(data_dir, t) is None]
    hint = _import_hint(data_dir, args.lang) if missing else ""
    if hint:
        print(hint)
    return EXIT_OK if report.ok else EXIT_PROBLEMS


def notebook_support_text(report, wanted: str | None = None, lang: str = "ja") -> str:
    """Which report notebooks a validated data directory supports, as text.

    Parameters
    ----------
    report : helpers.io.ValidationReport
    wanted : str, optional
        Notebook selection such as ``"01,06"``; all report notebooks by default.
    lang : {"ja", "en"}

    Returns
    -------
    str
    """
    from helpers import notebook_tables
    from helpers.report import notebooks as nb_files

    chosen = nb_files.select_notebooks(nb_files.discover_notebooks(), wanted)
    needs = [notebook_tables.read_needs(p) for p in chosen]
    return notebook_tables.format_support(
        notebook_tables.support(needs, notebook_tables.present_tables(report)), lang
    )


def _reveal(args: argparse.Namespace) -> int:
    from helpers import io, privacy

    data_dir = io.resolve_path(args.data)
    path = io.find_table_file(data_dir, "customers") if data_dir.is_dir() else None
    if path is None:
        print(
            f"customers.csv（または .xlsx）が {data_dir} にありません / no customers table in {data_dir}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        key = privacy.data_key(data_dir, create=False)
    except privacy.PseudonymKeyError as error:
        print(str(error), file=sys.stderr)
        return EXIT_USAGE
    ids = io.read_table(path, "customers").frame["customer_id"]
    found = privacy.reveal(args.pseudonyms, ids, key)
    missing = "（見つかりません）" if args.lang == "ja" else "(not found)"
    for pseudonym, customer_id in found.fillna(missing).items():
        print(f"{pseudonym}\t{customer_id}")
    return EXIT_OK if found.notna().all() else EXIT_PROBLEMS


def _import_hint(data_dir: Path, lang: str) -> str:
    """For a folder holding shop exports instead of the contract's tables: which, and the import command."""
    from helpers import importers

    found = importers.exports_in_folder(data_dir)
    if not found:
        return ""
    ja = lang == "ja"
    kinds = {"orders": ("注文", "orders"), "customers": ("顧客", "customers")}
    lines = [
        "このフォルダにはショップの出力ファイルがあります。取り込んでから検証してください:"
        if ja
        else "This folder holds shop exports; import them first, then validate:"
    ]
    lines += [f"  {r.path.name}: {r.label} {kinds[r.role][0 if ja else 1]}" for r in found]
    lines.append(f"  kando import {data_dir} --out {data_dir.parent / (data_dir.name + '-data')}")
    return "\n".join(lines)


def _import(args: argparse.Namespace) -> int:
    from helpers import importers
    from helpers.problem_listing import format_problems

    ja = args.lang == "ja"
    missing = [s for s in args.src if not Path(s).exists()]
    if missing:
        print(f"見つかりません / not found: {', '.join(missing)}", file=sys.stderr)
        return EXIT_USAGE
    try:
        if args.suggest_mapping:
            exports = [importers.sniff(p) for p in importers.list_exports(args.src)]
            if not exports:
                raise importers.MappingError(f"CSVがありません / no export files in {', '.join(args.src)}")
            out = Path(args.suggest_mapping)
            out.write_text(importers.suggest_mapping(exports), encoding="utf-8")
            print(
                f"対応づけの下書きを {out} に書きました。コメントを確認し null を埋めてから:\n"
                f"Wrote a draft mapping to {out}. Check it, fill in the nulls, then run:\n"
                f"  kando import {' '.join(args.src)} --out {args.out or 'DATA_DIR'} --mapping {out}"
            )
            return EXIT_OK
        if not args.out:
            print("--out DATA_DIR が必要です / --out DATA_DIR is required", file=sys.stderr)
            return EXIT_USAGE
        result = importers.run_import(
            args.src, args.out, preset=args.preset, mapping=args.mapping, keep_cancelled=args.keep_cancelled
        )
    except importers.MappingError as err:
        print(str(err), file=sys.stderr)
        return EXIT_PROBLEMS
    except importers.ImportProblems as err:
        n = len(err.problems)
        head = f"取り込めません: 問題 {n:,} 件" if ja else f"Cannot import: {n:,} problems"
        print(head + "\n" + format_problems(err.problems, args.lang, show_all=args.all), file=sys.stderr)
        return EXIT_PROBLEMS
    counted = result.orders if "status" not in result.orders else result.orders[result.orders["status"] == "ok"]
    kept = result.keep_cancelled
    print(
        f"{result.mapping.label}: 注文 {len(counted):,} 件を取り込み、状態により {len(result.excluded):,} 件を"
        f"{'残しました（status 列）' if kept else '除きました'}。顧客 {len(result.customers):,} 人。"
        if ja
        else f"{result.mapping.label}: {len(counted):,} orders imported, {len(result.excluded):,} "
        f"{'kept with a status column' if kept else 'excluded by status'}; {len(result.customers):,} customers."
    )
    for name in importers.OUTPUT_FILES:
        print(f"  {result.out_dir / name}")
    return EXIT_OK


def _sample(args: argparse.Namespace) -> int:
    from helpers import sample

    paths = sample.write_sample(args.out, n_customers=args.customers, seed=args.seed, as_of=args.as_of)
    for table, path in paths.items():
        print(f"{table:<20} {path}")
    return EXIT_OK


def _template(args: argparse.Namespace) -> int:
    from helpers import template

    out = Path(args.out)
    if out.exists() and not args.force:
        print(f"{out} は既にあります。上書きするには --force / {out} exists; use --force", file=sys.stderr)
        return EXIT_USAGE
    print(template.write_template(out, lang=args.lang, overwrite=args.force))
    return EXIT_OK


def _as_of(text: str) -> str:
    import pandas as pd

    try:
        pd.Timestamp(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"not a date: {text!r}") from err
    return text


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``kando`` command."""
    from helpers import report

    parser = argparse.ArgumentParser(prog="kando", description="Kando (感動) customer-experience workbook")
    sub = parser.add_subparsers(dest="command", required=True)

    validate = sub.add_parser("validate", help="check a data directory / データを検証")
    validate.add_argument("data_dir", help="directory with customers.csv, orders.csv, ...")
    validate.add_argument(
        "--as-of", type=_as_of, default=None, help="reference date; later dates are errors (default: today)"
    )
    validate.add_argument("--lang", choices=("ja", "en"), default="ja")
    validate.add_argument("--all", action="store_true", help="list every problem, not the first 5 of each kind")
    validate.add_argument(
        "--notebooks",
        default=None,
        metavar="LIST",
        help="which notebooks to check the data against, e.g. 01,06 (default: all report notebooks)",
    )
    validate.set_defaults(func=_validate)

    imp = sub.add_parser("import", help="turn shop exports into a data directory / ショップの出力を取り込む")
    imp.add_argument("src", nargs="+", help="export folder or files, as the shop system wrote them")
    imp.add_argument("--out", help="data directory to write")
    imp.add_argument("--preset", choices=("eccube", "shopify", "rakuten"), help="platform (default: from the headers)")
    imp.add_argument("--mapping", help="mapping YAML file (e.g. DATA_DIR/mapping.yaml of an earlier import)")
    imp.add_argument("--suggest-mapping", metavar="FILE.yaml", help="write a draft mapping for an unknown system")
    imp.add_argument("--keep-cancelled", action="store_true", help="keep cancelled/returned orders, with a status")
    imp.add_argument("--all", action="store_true", help="list every problem, not the first 5 of each kind")
    imp.add_argument("--lang", choices=("ja", "en"), default="ja")
    imp.set_defaults(func=_import)

    sample = sub.add_parser("sample", help="write the synthetic sample data / サンプルデータを生成")
    sample.add_argument("--out", required=True, help="output directory")
    sample.add_argument("--customers", type=int, default=2000, help="number of customers (default 2000)")
    sample.add_argument("--seed", type=int, default=20251231, help="random seed (default 20251231)")
    sample.add_argument("--as-of", type=_as_of, default="2025-12-31", help="last day of the data (default 2025-12-31)")
    sample.set_defaults(func=_sample)

    tmpl = sub.add_parser("template", help="write a blank journey worksheet (.xlsx) / ジャーニー記入シート")
    tmpl.add_argument("--out", required=True, help="output .xlsx file")
    tmpl.add_argument("--lang", choices=("ja", "en"), default="ja")
    tmpl.add_argument("--force", action="store_true", help="overwrite an existing file")
    tmpl.set_defaults(func=_template)

    reveal = sub.add_parser(
        "reveal", help="map pseudonymous ids back to customer ids (needs the data folder) / 仮名IDを実IDに戻す"
    )
    reveal.add_argument("--data", required=True, help="the data folder the report was made from")
    reveal.add_argument("pseudonyms", nargs="+", metavar="PSEUDONYM", help="pseudonyms such as P-3f9a0c12ab34cd56")
    reveal.add_argument("--lang", choices=("ja", "en"), default="ja")
    reveal.set_defaults(func=_reveal)

    run = sub.add_parser("run", help="execute the notebooks and render PDF reports / レポート作成")
    report.add_run_arguments(run)
    run.set_defaults(func=report.run_command)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``kando`` console script; returns the exit code."""
    # Arrow's system allocator instead of its jemalloc, which hands large buffers back and faults
    # them in again for the next file: validating 1M customers took 7.4 s, 5.7 s with this (the
    # kernels of kando run get the same).  Read by Arrow when it first allocates; a user's setting stays.
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return EXIT_USAGE if exit_.code not in (0, None) else EXIT_OK
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
