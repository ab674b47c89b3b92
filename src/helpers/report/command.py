"""The ``kando run`` sub-command: arguments and the function the CLI calls.

``helpers.cli`` wires it as::

    run = sub.add_parser("run", help=...)
    helpers.report.add_run_arguments(run)
    run.set_defaults(func=helpers.report.run_command)
"""

from __future__ import annotations

import argparse
import sys

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def add_run_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the options of ``kando run`` to ``parser``.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The ``run`` sub-parser.

    Returns
    -------
    argparse.ArgumentParser
        The same parser.
    """
    parser.description = (
        "Validate the data, execute the report notebooks (notebooks/NN_*.ipynb) with papermill and "
        "render PDF reports, a combined report and a manifest. / データを検証し、ノートブックを実行して PDF レポートを作成します。"  # noqa: E501
    )
    parser.add_argument(
        "--data",
        metavar="DIR",
        default=None,
        help="data directory; relative paths are from the project root (default: the notebooks' data_dir, data/sample)",
    )
    parser.add_argument(
        "--params",
        metavar="FILE.yaml",
        default=None,
        help="YAML file of parameters, name: value (relative to the project root)",
    )
    parser.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        metavar=("NAME", "VALUE"),
        default=[],
        dest="overrides",
        help="set a parameter (value read as YAML); repeatable, wins over --params",
    )
    parser.add_argument(
        "--notebooks",
        metavar="01,04",
        default=None,
        help="comma-separated notebooks by number or name (default: all, in order)",
    )
    parser.add_argument(
        "--out",
        metavar="DIR",
        default=None,
        help="output folder, relative to the project root (default: reports/<brand>-<YYYYMMDD-HHMMSS>/)",
    )
    parser.add_argument(
        "--no-pdf", dest="pdf", action="store_false", help="only execute the notebooks and write the manifest"
    )
    parser.add_argument(
        "--pptx",
        action="store_true",
        help="also write deck.pptx: cover, summary, journey maps, one slide per section / スライドも作成",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        default=None,
        help="notebooks run at the same time (default: one per CPU, as many as fit in memory)",
    )
    parser.add_argument(
        "--lang",
        choices=("ja", "en"),
        default=None,
        help="report and message language (default: the notebooks' lang, ja)",
    )
    parser.add_argument(
        "--cache-dir",
        metavar="DIR",
        default=None,
        help="folder of the validated-data cache (default: DATA/.kando/cache; never under reports/); "
        "KANDO_CACHE=off turns the cache off",
    )
    parser.add_argument(
        "--notebooks-dir",
        metavar="DIR",
        default=None,
        help="folder of the notebooks (default: notebooks/ of the project)",
    )
    return parser


def run_command(args: argparse.Namespace) -> int:
    """Run ``kando run`` with parsed arguments.

    Parameters
    ----------
    args : argparse.Namespace
        From a parser set up by :func:`add_run_arguments`.

    Returns
    -------
    int
        0 when every report was written; 1 when the data has problems (the
        validation report is printed and nothing runs) or a notebook failed
        (the others' reports are still written); 2 for a usage error such
        as an unknown parameter or notebook.
    """
    from helpers import io
    from helpers.cache import CacheLocationError
    from helpers.report.errors import ReportUsageError
    from helpers.report.pipeline import run_workbook

    lang = args.lang or "ja"
    if args.jobs is not None and args.jobs < 1:
        print("--jobs は 1 以上 / --jobs must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    try:
        result = run_workbook(
            data_dir=args.data,
            params=args.params,
            notebooks=args.notebooks,
            out_dir=args.out,
            pdf=args.pdf,
            jobs=args.jobs,
            lang=args.lang,
            notebooks_dir=args.notebooks_dir,
            overrides=[tuple(pair) for pair in args.overrides],
            cache_dir=args.cache_dir,
            pptx=args.pptx,
        )
    except io.DataValidationError as error:
        head = (
            "データに問題があるため、レポートを作成しませんでした。"
            if lang == "ja"
            else "The data has problems; no report was run."
        )
        print(head, file=sys.stderr)
        print(error.report.format(lang), file=sys.stderr)
        return EXIT_FAILED
    except (ReportUsageError, FileNotFoundError, CacheLocationError) as error:
        print(str(error), file=sys.stderr)
        return EXIT_USAGE

    out = result.out_dir
    lang = args.lang or ("en" if result.parameters.get("lang") == "en" else "ja")
    for reason in result.skip_reasons:
        print(("省略: " if lang == "ja" else "Skipped: ") + reason)
    if lang == "ja":
        print(f"出力先: {out}")
        if result.combined_pdf:
            print(f"統合レポート: {result.combined_pdf}")
        if result.deck:
            print(f"スライド: {result.deck}")
        print(f"合計 {result.seconds:.1f} 秒")
    else:
        print(f"Output: {out}")
        if result.combined_pdf:
            print(f"Combined report: {result.combined_pdf}")
        if result.deck:
            print(f"Slides: {result.deck}")
        print(f"Total {result.seconds:.1f} s")
    if result.deck_error:
        print(result.deck_error, file=sys.stderr)
    if not result.ok:
        names = ", ".join(r.source.name for r in result.failures)
        print(("失敗したノートブック: " if lang == "ja" else "Failed notebooks: ") + names, file=sys.stderr)
        for failed in result.failures:
            print(failed.error_message(lang), file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK
