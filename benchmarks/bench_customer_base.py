"""Benchmark of the customer-base notebook's analysis (08): cohorts, channel LTV, RFM, CPM, deciles, paths, sBG.

Generates the synthetic sample (``kando sample --customers 1000000`` in
memory, or reads a data folder made by it with ``--data``), then times each
analysis call the notebook makes, and measures the peak memory each step
allocates (tracemalloc, in a second pass).  Target: the whole analysis in
30 s or less for 1,000,000 customers.  As a yardstick measured in the same
run, ``purchases.customer_purchases`` (one pass over the orders that most
steps build on) is timed first; each step is also shown as a multiple of it.

Usage::

    .venv/bin/python benchmarks/bench_customer_base.py [--customers 1000000] [--data DIR] [--no-memory]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

import _timing

from helpers import channel_ltv, cohorts, cpm, deciles, friction, io, product_paths, purchases, rfm, sample, sbg

TARGET_SECONDS = 30.0
REFERENCE = "reference: purchases.customer_purchases"


def _steps(tables: dict, as_of: str) -> list[tuple[str, callable]]:
    """The notebook's analysis calls, in order (the same arguments as its defaults)."""
    orders, customers, ad_costs = tables["orders"], tables["customers"], tables.get("ad_costs")
    state: dict = {}

    def stops():
        state["counts"] = sbg.counts_from_stops(friction.subscription_stops(orders, as_of, 60, 24))

    def fit():
        state["fit"] = sbg.fit_sbg(state["counts"])
        sbg.projection(state["fit"], state["counts"], 36)
        sbg.expected_further_shipments(state["fit"], state["counts"], 36)

    def paths():
        firsts = product_paths.first_two_orders(orders, as_of)
        product_paths.product_paths(firsts)
        product_paths.first_product_conversion(firsts)

    def shared():
        state["bought"] = purchases.customer_purchases(orders, as_of)

    return [
        (REFERENCE, lambda: purchases.customer_purchases(orders, as_of)),
        (
            "cohorts.cohort_retention (+ average)",
            lambda: cohorts.average_retention(cohorts.cohort_retention(orders, as_of)),
        ),
        ("purchases.customer_purchases (shared by 2-3)", shared),
        (
            "channel_ltv.channel_ltv (ad_costs)",
            lambda: channel_ltv.channel_ltv(orders, customers, as_of, 0.6, ad_costs=ad_costs, bought=state["bought"]),
        ),
        ("rfm.rfm_scores (+ grid)", lambda: rfm.rf_grid(rfm.rfm_scores(orders, as_of, bought=state["bought"]))),
        (
            "cpm.cpm_classes (+ summary)",
            lambda: cpm.cpm_summary(cpm.cpm_classes(orders, as_of, bought=state["bought"])),
        ),
        (
            "deciles.customer_deciles (+ table)",
            lambda: deciles.decile_table(deciles.customer_deciles(orders, as_of, bought=state["bought"])),
        ),
        ("product_paths (first two orders, paths)", paths),
        ("friction.subscription_stops -> sbg counts", stops),
        ("sbg.fit_sbg (+ projection)", fit),
    ]


def _arguments(argv):
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--data", default=None, help="data folder made by `kando sample` (instead of generating)")
    known, rest = parser.parse_known_args(argv)
    args = _timing.sample_arguments(__doc__.splitlines()[0], rest)
    args.data = known.data
    return args


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    as_of = sample.AS_OF
    if args.data:
        start = time.perf_counter()
        ds = io.load_data(args.data, as_of=as_of, tables=["customers", "orders", "ad_costs"])
        tables = {"customers": ds.customers, "orders": ds.orders, "ad_costs": ds.ad_costs}
        print(
            f"data: {args.data}: {len(ds.customers):,} customers, {len(ds.orders):,} orders "
            f"(loaded in {time.perf_counter() - start:.1f} s)"
        )
    else:
        tables = _timing.generate(args, {"customers": "customers", "orders": "orders"})

    timed = _timing.time_steps(_steps(tables, as_of))
    peaks = {} if args.no_memory else _timing.peak_memory(_steps(tables, as_of))

    reference = timed[REFERENCE][0]
    print(f"{'step':<46}{'time (s)':>10}{'cpu (s)':>10}{'x ref':>8}{'peak (MB)':>12}")
    for name, (seconds, cpu) in timed.items():
        peak = f"{peaks[name] / 2**20:,.0f}" if name in peaks else "-"
        print(f"{name:<46}{seconds:>10.2f}{cpu:>10.2f}{seconds / reference:>8.1f}{peak:>12}")
    analysis = [(s, c) for name, (s, c) in timed.items() if name != REFERENCE]
    total, cpu_total = sum(s for s, _ in analysis), sum(c for _, c in analysis)
    print(f"{'notebook analysis (all but the reference)':<46}{total:>10.2f}{cpu_total:>10.2f}{total / reference:>8.1f}")
    print(f"process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10:,.0f} MB")
    verdict = "OK" if total <= TARGET_SECONDS else "TOO SLOW"
    print(f"target <= {TARGET_SECONDS:.0f} s: {verdict}")
    return 0 if total <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
