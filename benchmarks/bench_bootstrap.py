"""Benchmark of the bootstraps: LTV scenario intervals and key-driver intervals at the default resamples.

Generates the synthetic sample (``kando sample --customers 1000000`` in
memory), then times the two bootstraps over customers with their default
number of resamples (:data:`helpers.bootstrap.RESAMPLES`), next to the point
estimate each wraps (the reference, measured in the same run: the ratio is
what stays meaningful on a busy machine).  Target: each bootstrap in 60 s or
less for 1,000,000 customers.

Usage::

    .venv/bin/python benchmarks/bench_bootstrap.py [--customers 1000000]
"""

from __future__ import annotations

import sys

import _timing

from helpers import bootstrap, friction, key_drivers, ltv, ltv_intervals, nps, sample

TARGET_SECONDS = 60.0


def main(argv: list[str] | None = None) -> int:
    args = _timing.sample_arguments(__doc__.splitlines()[0], argv)
    tables = _timing.generate(args, {"orders": "orders", "touchpoint_ratings": "ratings", "nps": "NPS answers"})
    as_of = sample.AS_OF
    orders, ratings = tables["orders"], tables["touchpoint_ratings"]
    lifetimes = ltv.customer_lifetimes(orders, as_of)
    chosen = [sample.FRICTION_TOUCHPOINT]
    per_year = ltv.annual_new_customers(lifetimes, as_of)
    matrix = key_drivers.rating_matrix(ratings, as_of)
    f2 = key_drivers.f2_outcome(friction.customer_outcomes(orders, as_of))
    nps_score = key_drivers.nps_outcome(nps.latest_responses(tables["nps"], as_of))

    def scenarios(resamples):
        return lambda: ltv_intervals.scenario_intervals(
            lifetimes, ratings, chosen, 1_000_000, per_year, as_of=as_of, resamples=resamples
        )

    def drivers(outcome, resamples):
        return lambda: key_drivers.key_drivers(matrix, outcome, resamples=resamples)

    steps = [
        ("LTV scenarios, estimate only", scenarios(0)),
        (f"LTV scenarios, {bootstrap.RESAMPLES} resamples", scenarios(bootstrap.RESAMPLES)),
        ("key drivers F2, estimate only", drivers(f2, 0)),
        (f"key drivers F2, {bootstrap.RESAMPLES} resamples", drivers(f2, bootstrap.RESAMPLES)),
        (f"key drivers NPS, {bootstrap.RESAMPLES} resamples", drivers(nps_score, bootstrap.RESAMPLES)),
    ]
    timed = _timing.time_steps(steps)
    print(f"{'step':<44}{'time (s)':>10}{'cpu (s)':>10}")
    for name, (seconds, cpu) in timed.items():
        print(f"{name:<44}{seconds:>10.2f}{cpu:>10.2f}")
    boots = [s for name, (s, _) in timed.items() if "resamples" in name]
    ok = max(boots) <= TARGET_SECONDS
    print(f"target: each bootstrap <= {TARGET_SECONDS:.0f} s: {'OK' if ok else 'TOO SLOW'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
