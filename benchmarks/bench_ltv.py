"""Benchmark of the LTV notebook's classic / Kaplan-Meier / scenario analysis.

Generates the synthetic sample (``kando sample --customers 1000000`` in
memory), then times each analysis step the notebook runs before the CLV
section, and measures the peak memory each step allocates (tracemalloc, in a
second pass so that tracing does not slow the timed pass).  Target: the
whole analysis in 60 s or less for 1,000,000 customers.

Usage::

    .venv/bin/python benchmarks/bench_ltv.py [--customers 1000000] [--no-memory]
"""

from __future__ import annotations

import resource
import sys

import _timing

from helpers import friction, ltv, sample
from helpers.segments import customer_segments

TARGET_SECONDS = 60.0


def _steps(tables: dict, as_of: str) -> list[tuple[str, callable]]:
    """The notebook's analysis calls, in order; later steps use earlier results."""
    state: dict = {}
    orders, ratings = tables["orders"], tables["touchpoint_ratings"]

    def segments():
        state["segments"] = customer_segments(tables["customers"], tables["nps"], as_of)

    def classic():
        ltv.classic_ltv(orders, as_of, state["segments"])

    def lifetimes():
        state["lifetimes"] = ltv.customer_lifetimes(orders, as_of)

    def curves():
        ltv.retention_curves(state["lifetimes"], state["segments"])

    def lifetime():
        ltv.lifetime_ltv(state["lifetimes"], state["segments"])

    def friction_table():
        table = friction.friction_table(tables["journey"], ratings, orders, as_of)
        state["chosen"] = ltv.confirmed_touchpoints(table)

    def scenarios():
        state["scenarios"] = ltv.friction_scenarios(state["lifetimes"], ratings, state["chosen"], as_of=as_of)

    def scenarios_all_touchpoints():
        ltv.friction_scenarios(state["lifetimes"], ratings, list(sample.TOUCHPOINTS), as_of=as_of)

    def roi():
        ltv.improvement_roi(state["scenarios"], 1_000_000, ltv.annual_new_customers(state["lifetimes"], as_of))

    return [
        ("segments.customer_segments", segments),
        ("ltv.classic_ltv", classic),
        ("ltv.customer_lifetimes", lifetimes),
        ("ltv.retention_curves (all + 4 segments)", curves),
        ("ltv.lifetime_ltv", lifetime),
        ("friction.friction_table (touchpoints to fix)", friction_table),
        ("ltv.friction_scenarios (confirmed points)", scenarios),
        ("ltv.improvement_roi", roi),
        ("ltv.friction_scenarios (all 9 touchpoints)", scenarios_all_touchpoints),
    ]


def main(argv: list[str] | None = None) -> int:
    args = _timing.sample_arguments(__doc__.splitlines()[0], argv)
    tables = _timing.generate(args, {"orders": "orders", "touchpoint_ratings": "ratings"})
    as_of = sample.AS_OF

    timed = [(name, wall, cpu) for name, (wall, cpu) in _timing.time_steps(_steps(tables, as_of)).items()]
    peaks = {} if args.no_memory else _timing.peak_memory(_steps(tables, as_of))

    # wall time is what the user waits; CPU time shows the cost on a busy machine
    print(f"{'step':<48}{'time (s)':>10}{'cpu (s)':>10}{'peak (MB)':>12}")
    for name, seconds, cpu in timed:
        peak = f"{peaks[name] / 2**20:,.0f}" if name in peaks else "-"
        print(f"{name:<48}{seconds:>10.2f}{cpu:>10.2f}{peak:>12}")
    notebook_steps = [(s, c) for name, s, c in timed if "all 9" not in name]
    total = sum(s for s, _ in notebook_steps)
    cpu_total = sum(c for _, c in notebook_steps)
    print(f"{'notebook analysis (all but the last row)':<48}{total:>10.2f}{cpu_total:>10.2f}")
    print(f"process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10:,.0f} MB")
    verdict = "OK" if total <= TARGET_SECONDS else "TOO SLOW"
    print(f"target <= {TARGET_SECONDS:.0f} s: {verdict}")
    return 0 if total <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
