"""Benchmark of the journey analyses (notebooks 03 touchpoints, 04 emotion curve, 05 friction points).

Generates the synthetic sample in memory (``helpers.sample.generate_sample``,
1,000,000 customers by default, the size of ``kando sample --customers
1000000``), then runs every analysis function a notebook calls, in the
notebook's order (inputs a notebook computes once and passes on, such as
the loyalty segments and the rating effects, are prepared beforehand), and
prints for each its wall time and the peak memory it
allocated (tracemalloc, measured in a second, separate call so that tracing
does not slow the timed one).  The sum per notebook is checked against the
target of 60 s of analysis per notebook.  Loading files and drawing charts
are not part of the analysis.

Run::

    .venv/bin/python benchmarks/bench_role_models.py                 # 1,000,000 customers
    .venv/bin/python benchmarks/bench_role_models.py --customers 20000
"""

from __future__ import annotations

import argparse
import platform
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from helpers import emotion, friction, sample, touchpoints  # noqa: E402
from helpers.segments import customer_segments  # noqa: E402

TARGET_SECONDS = 60.0


def measure(function, *args, trace_memory: bool = True, **kwargs):
    """(result, seconds, peak MiB or None) of one call; memory from a second, traced call."""
    start = time.perf_counter()
    result = function(*args, **kwargs)
    seconds = time.perf_counter() - start
    peak = None
    if trace_memory:
        tracemalloc.start()
        function(*args, **kwargs)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return result, seconds, peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc pass (faster)")
    args = parser.parse_args()

    print(f"Python {platform.python_version()} on {platform.machine()}; customers: {args.customers:,}")
    start = time.perf_counter()
    tables = sample.generate_sample(args.customers)
    print(f"generate_sample: {time.perf_counter() - start:.1f} s (setup, not counted)")
    customers, orders, nps = tables["customers"], tables["orders"], tables["nps"]
    fan, journey, ratings = tables["fan_survey"], tables["journey"], tables["touchpoint_ratings"]
    as_of = sample.AS_OF
    print(f"rows: orders {len(orders):,}, touchpoint_ratings {len(ratings):,}, nps {len(nps):,}, "
          f"fan_survey {len(fan):,}, journey {len(journey):,}")

    personas = touchpoints.persona_names(touchpoints.journey_steps(journey))
    segments = customer_segments(customers, nps, as_of)
    by_segment = emotion.rating_curve(ratings, journey, segments=segments)
    effects = friction.rating_effects(ratings, orders, as_of, journey=journey)
    notebooks = {
        "03_touchpoints": [
            ("journey_steps", touchpoints.journey_steps, (journey, "as_is"), {}),
            ("swimlane (all personas)", lambda: [touchpoints.swimlane(journey, p) for p in personas], (), {}),
            ("order_mix channel", touchpoints.order_mix, (orders, "channel"), {}),
            ("order_mix product", touchpoints.order_mix, (orders, "product"), {}),
            ("survey_responses", touchpoints.survey_responses, (nps, fan), {}),
            ("rating_counts", touchpoints.rating_counts, (ratings, journey), {}),
            ("touchpoint_coverage", touchpoints.touchpoint_coverage, (journey, ratings, orders, nps), {}),
        ],
        "04_emotion_curve": [
            ("emotion_curves + curve_extremes",
             lambda: emotion.curve_extremes(emotion.emotion_curves(journey)), (), {}),
            ("expectation_evaluation", emotion.expectation_evaluation, (journey,), {}),
            ("rating_curve", emotion.rating_curve, (ratings, journey), {}),
            ("segments.customer_segments (not ours)", customer_segments, (customers, nps, as_of), {}),
            ("rating_curve by segment", emotion.rating_curve, (ratings, journey), {"segments": segments}),
            ("segment_gap", emotion.segment_gap, (by_segment, "high", "low"), {}),
        ],
        "05_friction_points": [
            ("detect_friction", friction.detect_friction, (journey,), {}),
            ("rating_effects", friction.rating_effects, (ratings, orders, as_of), {"journey": journey}),
            ("friction_table (given the effects)", friction.friction_table, (journey, ratings, orders, as_of),
             {"effects": effects}),
            ("where_customers_leave + gap_summary",
             lambda: friction.gap_summary(friction.where_customers_leave(orders, as_of).gaps), (), {}),
        ],
    }

    failed = []
    for notebook, steps in notebooks.items():
        print(f"\n{notebook}")
        print(f"  {'function':<40} {'seconds':>8} {'peak MiB':>9}")
        total = 0.0
        for name, function, call_args, call_kwargs in steps:
            _, seconds, peak = measure(function, *call_args, trace_memory=not args.no_memory, **call_kwargs)
            total += seconds
            peak_text = "-" if peak is None else f"{peak:,.0f}"
            print(f"  {name:<40} {seconds:>8.2f} {peak_text:>9}")
        verdict = "ok" if total <= TARGET_SECONDS else "OVER TARGET"
        print(f"  {'total':<40} {total:>8.2f}   target <= {TARGET_SECONDS:.0f} s: {verdict}")
        if total > TARGET_SECONDS:
            failed.append(notebook)
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nprocess peak RSS (incl. the generated sample): {max_rss:,.0f} MiB")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
