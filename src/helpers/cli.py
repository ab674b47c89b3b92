"""The ``kando`` command: validate data, make sample data and templates, run reports.

Examples
--------
::

    kando validate data/sample
    kando sample --out data/sample --customers 2000
    kando template --out journey_worksheet.xlsx
    kando run --data data/sample
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _validate(args: argparse.Namespace) -> int:
    from helpers import io

    data_dir = io.resolve_path(args.data_dir)
    if not data_dir.is_dir():
        print(f"データフォルダがありません / data directory not found: {data_dir}", file=sys.stderr)
        return EXIT_USAGE
    report = io.validate_data_dir(data_dir, as_of=args.as_of)
    print(report.format(args.lang))
    print(notebook_support_text(report, args.notebooks, args.lang))
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
    validate.add_argument(
        "--notebooks",
        default=None,
        metavar="LIST",
        help="which notebooks to check the data against, e.g. 01,06 (default: all report notebooks)",
    )
    validate.set_defaults(func=_validate)

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

    run = sub.add_parser("run", help="execute the notebooks and render PDF reports / レポート作成")
    report.add_run_arguments(run)
    run.set_defaults(func=report.run_command)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``kando`` console script; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return EXIT_USAGE if exit_.code not in (0, None) else EXIT_OK
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
