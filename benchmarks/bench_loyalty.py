"""Benchmark of the loyalty, role-model and monthly-tracking notebooks' analyses.

Generates the synthetic sample (``kando sample --customers 1000000`` in
memory), then times each analysis call the three notebooks make, in order,
and measures the peak memory each call allocates (tracemalloc, in a second
pass so that tracing does not slow the timed pass).  Target: each notebook's
analysis in 60 s or less for 1,000,000 customers.  CPU seconds are printed
beside wall seconds: on a busy machine they show what the code itself costs.

Usage::

    .venv/bin/python benchmarks/bench_loyalty.py [--customers 1000000] [--no-memory]
"""

from __future__ import annotations

import resource
import sys
import tempfile
from pathlib import Path

import _timing

from helpers import emotion, role_models, sample, tracking
from helpers import fan_survey as fan_module
from helpers import segments as segment_module
from helpers.fan_survey import fan_matrix
from helpers.nps import compare_nps, latest_responses, nps_by_group, nps_table, nps_trend
from helpers.purchases import customer_purchases
from helpers.segments import customer_groups, customer_segments, value_by_group
from helpers.tables import loyalty as loyalty_tables
from helpers.tables import role_models as role_model_tables

TARGET_SECONDS = 60.0


def _steps(tables: dict, as_of: str, out_dir: Path) -> list[tuple[str, str, callable]]:
    """(notebook, call, function) in notebook order; later steps use earlier results."""
    state: dict = {}
    customers, orders, nps, fan = tables["customers"], tables["orders"], tables["nps"], tables["fan_survey"]

    def purchases():
        state["purchases"] = customer_purchases(orders, as_of)

    def responses():
        state["responses"] = latest_responses(nps, as_of)

    def overall():
        nps_table(state["responses"])

    def trend():
        nps_trend(nps, as_of, freq="M")

    def groups():
        state["groups"] = customer_groups(customers, "acquisition_channel", orders=orders, as_of=as_of)

    def by_group():
        compare_nps(nps_by_group(state["responses"], state["groups"]))

    def first_product():
        customer_groups(customers, "first_product", orders=orders, as_of=as_of)

    def subscription():
        customer_groups(customers, "subscription", orders=orders, as_of=as_of)

    def segments():
        state["segments"] = customer_segments(customers, nps, as_of)

    def value():
        state["value"] = value_by_group(state["segments"], state["purchases"])
        loyalty_tables.segment_playbook(state["value"])

    def segment_list():
        state["list"] = segment_module.segment_list(state["segments"], state["purchases"], nps, as_of)

    def export_list():
        state["list"].to_csv(out_dir / "loyalty_segments.csv", index=False, encoding="utf-8-sig")

    def fan_answers():
        state["answers"] = fan_module.fan_answers(fan, as_of, nps=nps, purchases=state["purchases"])

    def fan_matrices():
        answers = state["answers"]
        fan_matrix(answers, "count")
        fan_matrix(answers, "share")
        fan_matrix(answers, "nps", min_n=5)
        fan_matrix(answers, "mean", value="first_year_value", min_n=5)
        nps_table(answers.dropna(subset=["score"]), by="fan_stage")

    def fan_tiers():
        fan_module.fan_tier_summary(state["answers"], fan_module.fan_tiers(state["answers"]))

    def expectations():
        emotion.expectation_evaluation(tables["journey"], "as_is")

    def candidates():
        state["candidates"] = role_models.role_model_candidates(customers, orders, nps, as_of)

    def funnel():
        role_models.role_model_funnel(state["candidates"])
        state["ids"] = role_models.role_model_ids(state["candidates"])

    def timelines():
        state["timelines"] = role_models.purchase_timelines(orders, state["ids"], as_of)
        state["gaps"] = role_models.purchase_gaps(state["timelines"])

    def interview():
        role_model_tables.interview_questions(state["ids"], state["gaps"])
        role_models.interview_list(state["candidates"], customers, state["gaps"], as_of)

    def segment_groups():
        state["segment_groups"] = customer_groups(customers, "segment", nps=nps, as_of=as_of)

    def monthly():
        state["monthly"] = tracking.monthly_metric(orders, state["segment_groups"], "revenue", as_of)

    def monthly_repeat():
        tracking.monthly_metric(orders, state["segment_groups"], "repeat_rate", as_of)

    def streaks():
        state["streaks"] = tracking.improvement_streaks(state["monthly"])
        tracking.streak_summary(tracking.recent_months(state["streaks"], 12))

    return [
        ("01", "purchases.customer_purchases", purchases),
        ("01", "nps.latest_responses", responses),
        ("01", "nps.nps_table", overall),
        ("01", "nps.nps_trend (monthly)", trend),
        ("01", "segments.customer_groups (acquisition)", groups),
        ("01", "nps.nps_by_group + compare_nps", by_group),
        ("01*", "segments.customer_groups (first_product)", first_product),
        ("01*", "segments.customer_groups (subscription)", subscription),
        ("01", "segments.customer_segments", segments),
        ("01", "segments.value_by_group + playbook", value),
        ("01", "segments.segment_list", segment_list),
        ("01", "segment list CSV (1 row per customer)", export_list),
        ("01", "fan_survey.fan_answers", fan_answers),
        ("01", "fan_survey.fan_matrix x4 + stage NPS", fan_matrices),
        ("01", "fan_survey.fan_tiers + summary", fan_tiers),
        ("01", "emotion.expectation_evaluation", expectations),
        ("02", "role_models.role_model_candidates", candidates),
        ("02", "role_models.role_model_funnel + ids", funnel),
        ("02", "role_models.purchase_timelines + gaps", timelines),
        ("02", "role_models.interview_questions + list", interview),
        ("07", "segments.customer_groups (segment)", segment_groups),
        ("07", "tracking.monthly_metric (revenue)", monthly),
        ("07*", "tracking.monthly_metric (repeat_rate)", monthly_repeat),
        ("07", "tracking.improvement_streaks + summary", streaks),
    ]


def main(argv: list[str] | None = None) -> int:
    args = _timing.sample_arguments(__doc__.splitlines()[0], argv)
    tables = _timing.generate(args, {"orders": "orders", "nps": "NPS answers", "fan_survey": "fan answers"})
    as_of = sample.AS_OF

    with tempfile.TemporaryDirectory() as tmp:
        out_dir = Path(tmp)
        steps = _steps(tables, as_of, out_dir)
        notebook_of = {name: notebook for notebook, name, _ in steps}
        seconds_of = _timing.time_steps((name, step) for _, name, step in steps)
        timed = [(notebook_of[name], name, wall, cpu) for name, (wall, cpu) in seconds_of.items()]
        peaks = {}
        if not args.no_memory:
            peaks = _timing.peak_memory((name, step) for _, name, step in _steps(tables, as_of, out_dir))

    print(f"{'nb':<5}{'step':<44}{'time (s)':>10}{'cpu (s)':>9}{'peak (MB)':>12}")
    for notebook, name, seconds, cpu in timed:
        peak = f"{peaks[name] / 2**20:,.0f}" if name in peaks else "-"
        print(f"{notebook:<5}{name:<44}{seconds:>10.2f}{cpu:>9.2f}{peak:>12}")
    print("(* a parameter alternative, not run with the defaults; counted in its notebook's total)")
    ok = True
    for notebook in ("01", "02", "07"):
        total = sum(s for nb, _, s, _ in timed if nb.rstrip("*") == notebook)
        cpu = sum(c for nb, _, _, c in timed if nb.rstrip("*") == notebook)
        verdict = "OK" if total <= TARGET_SECONDS else "TOO SLOW"
        ok &= total <= TARGET_SECONDS
        print(
            f"notebook {notebook} analysis: {total:6.2f} s wall, {cpu:6.2f} s cpu "
            f"(target <= {TARGET_SECONDS:.0f} s: {verdict})"
        )
    print(f"process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10:,.0f} MB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
