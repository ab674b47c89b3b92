"""Benchmark of the shared per-customer purchase facts (helpers.purchases).

Generates the synthetic sample (``kando sample --customers 1000000`` in
memory; string customer ids), then times each function of
:mod:`helpers.purchases` and :func:`helpers.ltv.customer_lifetimes`, which is
built on them, and measures the peak memory each allocates (tracemalloc, in a
second pass).  Target: all of them together in 10 s or less for 1,000,000
customers.

Usage::

    .venv/bin/python benchmarks/bench_purchases.py [--customers 1000000] [--no-memory]
"""

from __future__ import annotations

import resource
import sys

import _timing

from helpers import ltv, purchases, sample

TARGET_SECONDS = 10.0


def _steps(orders, as_of: str) -> list[tuple[str, callable]]:
    return [
        ("purchases.order_sequence", lambda: purchases.order_sequence(orders)),
        ("purchases.customer_purchases", lambda: purchases.customer_purchases(orders, as_of)),
        ("purchases.nth_purchase_conversion", lambda: purchases.nth_purchase_conversion(orders, 6)),
        ("ltv.customer_lifetimes", lambda: ltv.customer_lifetimes(orders, as_of)),
    ]


def main(argv: list[str] | None = None) -> int:
    args = _timing.sample_arguments(__doc__.splitlines()[0], argv)
    orders = _timing.generate(args, {"orders": "orders"})["orders"]
    timed = _timing.time_steps(_steps(orders, sample.AS_OF))
    peaks = {} if args.no_memory else _timing.peak_memory(_steps(orders, sample.AS_OF))

    print(f"{'step':<40}{'time (s)':>10}{'cpu (s)':>10}{'peak (MB)':>12}")
    for name, (seconds, cpu) in timed.items():
        peak = f"{peaks[name] / 2**20:,.0f}" if name in peaks else "-"
        print(f"{name:<40}{seconds:>10.2f}{cpu:>10.2f}{peak:>12}")
    total = sum(seconds for seconds, _ in timed.values())
    print(f"{'total':<40}{total:>10.2f}")
    print(f"process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10:,.0f} MB")
    print(f"target <= {TARGET_SECONDS:.0f} s: {'OK' if total <= TARGET_SECONDS else 'TOO SLOW'}")
    return 0 if total <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
