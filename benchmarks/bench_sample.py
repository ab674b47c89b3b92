"""Time and memory of the synthetic sample generator.

Usage::

    PYTHONPATH=src .venv/bin/python benchmarks/bench_sample.py
    PYTHONPATH=src .venv/bin/python benchmarks/bench_sample.py --customers 200000 --write

Prints the wall time of :func:`helpers.sample.generate_sample` (and of
:func:`helpers.sample.write_sample` into a temporary directory with
``--write``), the row counts, and the peak resident memory of the process.
Target: 1,000,000 customers in at most 2 minutes on 2 cores.  Nothing
permanent is written.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from helpers import sample


def _peak_rss_mib() -> float:
    """Peak resident set size of this process in MiB (Linux reports KiB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 2**20


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000, help="number of customers")
    parser.add_argument("--seed", type=int, default=sample.DEFAULT_SEED, help="random seed")
    parser.add_argument("--write", action="store_true", help="also time writing the CSV files (temp dir)")
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="also report the peak of Python-traced allocations (slower)",
    )
    args = parser.parse_args(argv)

    if args.tracemalloc:
        tracemalloc.start()
    started = time.perf_counter()
    tables = sample.generate_sample(args.customers, seed=args.seed)
    generate_s = time.perf_counter() - started
    print(f"customers: {args.customers:,}  seed: {args.seed}")
    print(f"generate_sample: {generate_s:.1f} s")
    for name, frame in tables.items():
        print(f"  {name:<20} {len(frame):>12,} rows")
    del tables

    if args.write:
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            written = sample.write_sample(tmp, args.customers, seed=args.seed)
            write_s = time.perf_counter() - started
            size = sum(Path(p).stat().st_size for p in written.values())
        print(f"write_sample (generate + CSV): {write_s:.1f} s, {size / 2**20:.1f} MiB of CSV")

    if args.tracemalloc:
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"peak traced allocations (tracemalloc): {traced_peak / 2**20:.0f} MiB")
    print(f"peak resident memory (ru_maxrss): {_peak_rss_mib():.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
