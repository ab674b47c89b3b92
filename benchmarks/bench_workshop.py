"""Response time of the journey workshop per change, on the sample data.

A change is what a consultant does in the workshop: move an emotion slider
(the curve is redrawn, the friction table re-ranked and the LTV what-if
updated), move the "share fixed" slider, or add a step.  Every slider move
goes to a journey state not seen before, so the caches of the workshop
(chart, friction table, what-if) do not answer it; what stays cached is what
never changes while editing (per-customer lifetimes, the yearly intake).

Prints wall-clock and CPU seconds per change (median, 90th percentile, max),
the split between curve, friction and LTV, the peak resident memory and the
machine's load average (on a busy machine the wall time overstates the
response; the CPU time does not).  The target is 0.5 s per change.

Usage::

    .venv/bin/python benchmarks/bench_workshop.py [--data data/sample] [--moves 40]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time

TARGET_S = 0.5


def _summary(name: str, values: list[float]) -> str:
    values = sorted(values)
    p90 = values[min(len(values) - 1, int(round(0.9 * (len(values) - 1))))]
    return (
        f"{name:<34} n={len(values):>3}  median {statistics.median(values):.3f} s  "
        f"p90 {p90:.3f} s  max {values[-1]:.3f} s"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="data/sample", help="data folder (default: data/sample)")
    parser.add_argument("--as-of", default="2025-12-31", help="reference date")
    parser.add_argument("--moves", type=int, default=40, help="slider moves to time")
    args = parser.parse_args(argv)

    from helpers import io
    from helpers.workshop import JourneyWorkshop

    start = time.perf_counter()
    ds = io.load_data(args.data, as_of=args.as_of, tables=["customers", "orders", "touchpoint_ratings"])
    loaded = time.perf_counter()
    app = JourneyWorkshop(ds)
    built = time.perf_counter()
    print(f"data: {ds.data_dir}  orders {len(ds.orders):,}  ratings {len(ds.touchpoint_ratings):,}")
    # wall times on a busy machine overstate the response; CPU seconds do not
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    print(f"load data                          {loaded - start:.3f} s")
    print(f"build the workshop (first update)  {built - loaded:.3f} s")

    # walk the steps, each to a value it has not had: every state is new
    wall, cpu, parts = [], [], {"curve": [], "friction": [], "ltv": []}
    moves = 0
    for offset in range(1, 11):
        for editor in list(app.steps):
            if moves == args.moves:
                break
            value = (editor.emotion.value + 5 + offset) % 11 - 5
            t0, c0 = time.perf_counter(), time.process_time()
            editor.emotion.value = value
            wall.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            for part in parts:
                parts[part].append(app.timings[part])
            moves += 1

    share_wall = []
    for share in (0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9):
        t0 = time.perf_counter()
        app.share.value = share
        share_wall.append(time.perf_counter() - t0)

    add_wall = []
    for k in range(5):
        t0 = time.perf_counter()
        app.add_step(after=k, stage="購入", touchpoint=f"追加の接点{k + 1}", emotion=-1)
        add_wall.append(time.perf_counter() - t0)

    print(_summary("emotion slider, wall", wall))
    print(_summary("emotion slider, CPU", cpu))
    for part, values in parts.items():
        print(_summary(f"  of which {part} (wall)", values))
    print(_summary("share slider (LTV only), wall", share_wall))
    print(_summary("add a step (rows rebuilt), wall", add_wall))
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory               {peak_mib:,.0f} MiB")
    print(f"machine: load average {os.getloadavg()[0]:.1f} at the end")
    for name, values in (("wall", wall), ("CPU", cpu)):
        verdict = "meets" if statistics.median(values) <= TARGET_S else "MISSES"
        print(f"median slider response ({name}) {statistics.median(values):.3f} s {verdict} the {TARGET_S} s target")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
