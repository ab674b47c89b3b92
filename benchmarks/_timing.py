"""What the notebook benchmarks share: command line, sample generation, timed and traced passes.

Imported by the ``bench_*.py`` scripts as ``_timing`` (they run as scripts,
so this folder is on ``sys.path``).
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from collections.abc import Callable, Iterable

from helpers import sample


def sample_arguments(description: str, argv: list[str] | None = None) -> argparse.Namespace:
    """``--customers``, ``--seed`` and ``--no-memory``, parsed from ``argv``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=sample.DEFAULT_SEED)
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc pass")
    return parser.parse_args(argv)


def generate(args: argparse.Namespace, counted: dict[str, str]) -> dict:
    """The synthetic sample for ``args.customers`` and ``args.seed``, in memory.

    Prints its size (``counted``: table -> what its rows are, e.g.
    ``{"orders": "orders"}``) and the seconds generation took (setup, not
    counted in the steps' times).
    """
    start = time.perf_counter()
    tables = sample.generate_sample(args.customers, seed=args.seed)
    sizes = ", ".join(f"{len(tables[table]):,} {what}" for table, what in counted.items())
    print(f"sample: {args.customers:,} customers, {sizes} (generated in {time.perf_counter() - start:.1f} s)")
    return tables


def time_steps(steps: Iterable[tuple[str, Callable[[], object]]]) -> dict[str, tuple[float, float]]:
    """Run the steps in order; wall and CPU seconds per step name."""
    timed = {}
    for name, step in steps:
        t0, c0 = time.perf_counter(), time.process_time()
        step()
        timed[name] = (time.perf_counter() - t0, time.process_time() - c0)
    return timed


def peak_memory(steps: Iterable[tuple[str, Callable[[], object]]]) -> dict[str, int]:
    """Run the steps again, each under tracemalloc; peak bytes allocated per step name."""
    peaks = {}
    for name, step in steps:
        tracemalloc.start()
        step()
        peaks[name] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peaks
