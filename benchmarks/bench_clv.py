"""Benchmark of helpers.clv: customer summary and BG/NBD + Gamma-Gamma fits.

Times, in one run on one synthetic order log (10,000,000 orders of
1,000,000 customers by default):

1. ``summary_from_transactions`` against DuckDB's equivalent SQL and against
   `lifetimes`' ``summary_data_from_transaction_data`` (checked to give the
   same numbers);
2. ``BetaGeoFitter`` + ``GammaGammaFitter`` on the resulting customers
   against `lifetimes`' fitters (checked to give the same parameters);

and prints times, ratios against the targets and the peak memory.

Targets: summary within 1.5x of DuckDB and >= 3x faster than lifetimes;
fit >= 5x faster than lifetimes with the same parameters; peak memory of the
project's own code <= 3 GB.

DuckDB and lifetimes are benchmark-only dependencies, kept out of the
project's virtualenv::

    python3.11 -m venv .venv-bench
    .venv-bench/bin/pip install -r benchmarks/requirements-bench.txt
    .venv-bench/bin/python benchmarks/bench_clv.py

Without them the script times the project's own code only.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from helpers import clv  # noqa: E402

START = np.datetime64("2023-01-01")
DAYS = 730  # two years of orders
END = START + np.timedelta64(DAYS - 1, "D")  # observation period end (inclusive)
INSTALL_HINT = "pip install -r benchmarks/requirements-bench.txt  (into a separate venv, e.g. .venv-bench)"

DUCKDB_SQL = """
WITH daily AS (
    SELECT customer_id, CAST(order_date AS DATE) AS day, SUM(amount) AS spend
    FROM orders
    WHERE CAST(order_date AS DATE) <= DATE '{end}'
    GROUP BY customer_id, day
)
SELECT customer_id,
       COUNT(*) - 1 AS frequency,
       (MAX(day) - MIN(day)) / 7.0 AS recency,
       (DATE '{end}' - MIN(day)) / 7.0 AS T,
       CASE WHEN COUNT(*) > 1
            THEN (SUM(spend) - arg_min(spend, day)) / (COUNT(*) - 1)
            ELSE 0 END AS monetary_value
FROM daily
GROUP BY customer_id
"""


def make_orders(n_orders: int, n_customers: int, seed: int = 0) -> pd.DataFrame:
    """Synthetic order log in the project's data contract (vectorised, seeded).

    Customers join uniformly over two years, buy at gamma-distributed rates
    for an exponential lifetime, and spend gamma-distributed amounts around
    a customer-specific mean (JPY).  Every customer has at least one order;
    rows come in time order, as an order export does.
    """
    if n_orders < n_customers:
        raise ValueError("need at least one order per customer")
    rng = np.random.default_rng(seed)
    first = rng.integers(0, DAYS, n_customers)
    lifetime = rng.exponential(365.0, n_customers)
    active_days = np.minimum(lifetime, DAYS - 1 - first) + 1
    rate = rng.gamma(0.8, 1.0, n_customers) * active_days
    extra = rng.choice(n_customers, size=n_orders - n_customers, p=rate / rate.sum())
    customer = np.concatenate([np.arange(n_customers), extra])
    day = first[customer].copy()
    day[n_customers:] += (rng.random(n_orders - n_customers) * active_days[extra]).astype(np.int64)
    second = day * 86_400 + rng.integers(0, 86_400, n_orders)
    by_time = np.argsort(second)
    order_date = (START.astype("datetime64[s]") + second[by_time].astype("timedelta64[s]")).astype("datetime64[ns]")
    mean_spend = rng.gamma(4.0, 1_500.0, n_customers)
    amount = np.maximum(np.round(rng.gamma(5.0, mean_spend[customer] / 5.0)), 1.0)
    ids = pd.Index(np.char.add("C", np.char.zfill(np.arange(1, n_customers + 1).astype(str), 7)), dtype="str")
    return pd.DataFrame({"customer_id": ids[customer[by_time]], "order_date": order_date, "amount": amount[by_time]})


def peak_rss_gb() -> float:
    """Peak resident memory of this process so far (ru_maxrss), in GB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9


def timed(func, repeat: int = 1):
    """Run ``func`` ``repeat`` times: (best wall seconds, CPU seconds of that run, last result).

    CPU time (all threads of this process) is printed next to wall time
    because on a shared machine other processes' load stretches wall time,
    and stretches it more for code that waits on several threads.
    """
    best = (np.inf, np.inf)
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = func()
        run = (time.perf_counter() - wall, time.process_time() - cpu)
        best = min(best, run)
    return best[0], best[1], result


def max_abs_diff(ours: pd.DataFrame, theirs: pd.DataFrame) -> float:
    """Largest absolute difference over the summary columns, after aligning customers."""
    if len(ours) != len(theirs):
        return np.inf
    theirs = theirs.reindex(ours.index)
    cols = ["frequency", "recency", "T", "monetary_value"]
    return float(np.nanmax(np.abs(ours[cols].to_numpy(float) - theirs[cols].to_numpy(float))))


def fit_both(summary: pd.DataFrame):
    repeaters = summary[summary["frequency"] > 0]
    bgf = clv.BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
    ggf = clv.GammaGammaFitter().fit(repeaters["frequency"], repeaters["monetary_value"])
    return bgf, ggf


def verdict(ok: bool) -> str:
    return "OK  " if ok else "MISS"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="best-of repeats for own summary and DuckDB")
    parser.add_argument(
        "--lifetimes-customers",
        type=int,
        default=100_000,
        help="customers whose orders lifetimes' summary is timed on (its time is scaled up by orders); "
        "0 = all customers",
    )
    args = parser.parse_args(argv)

    try:
        import duckdb
    except ImportError:
        duckdb = None
    try:
        import lifetimes
        from lifetimes.utils import summary_data_from_transaction_data
    except ImportError:
        lifetimes = None

    print(
        f"python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"duckdb {getattr(duckdb, '__version__', '-')}, lifetimes {getattr(lifetimes, '__version__', '-')}"
    )
    print(f"{os.cpu_count()} cores, load average at start {os.getloadavg()[0]:.2f}")
    if duckdb is None or lifetimes is None:
        missing = [n for n, m in (("duckdb", duckdb), ("lifetimes", lifetimes)) if m is None]
        print(f"NOTE: {', '.join(missing)} not installed; timing own code only. To compare, run: {INSTALL_HINT}")

    t_generate, _, orders = timed(lambda: make_orders(args.orders, args.customers, args.seed))
    print(
        f"generated {len(orders):,} orders of {orders['customer_id'].nunique():,} customers "
        f"in {t_generate:.1f} s (observation end {END})"
    )
    rss_data = peak_rss_gb()

    # --- own code -----------------------------------------------------------
    t_summary, cpu_summary, summary = timed(
        lambda: clv.summary_from_transactions(orders, observation_period_end=str(END), freq="W"), args.repeat
    )
    t_fit, cpu_fit, (bgf, ggf) = timed(lambda: fit_both(summary))
    rss_own = peak_rss_gb()
    print(
        f"\nown summary_from_transactions : {t_summary:7.2f} s wall, {cpu_summary:7.2f} s CPU  "
        f"({len(summary):,} customers; best of {args.repeat})"
    )
    print(
        f"own BG/NBD + Gamma-Gamma fit   : {t_fit:7.2f} s wall, {cpu_fit:7.2f} s CPU  "
        f"(BG/NBD on {bgf.n_unique_rows_:,} distinct rows of {bgf.n_customers_:,.0f} customers; "
        f"Gamma-Gamma on {ggf.n_customers_:,.0f})"
    )
    for name, model in (("BG/NBD     ", bgf), ("Gamma-Gamma", ggf)):
        values = ", ".join(f"{k}={v:.6g}" for k, v in model.params_.items())
        print(f"  {name} {values}; log-likelihood {model.log_likelihood_:.3f}")
    print(f"peak RSS: {rss_data:.2f} GB after generating the data, {rss_own:.2f} GB after own summary + fit")

    rows = [("own summary + fit peak RSS <= 3 GB", f"{rss_own:.2f} GB", rss_own <= 3.0)]

    # --- DuckDB ---------------------------------------------------------------
    if duckdb is not None:
        con = duckdb.connect()
        con.register("orders", orders)
        sql = DUCKDB_SQL.format(end=END)
        t_duck, cpu_duck, duck = timed(lambda: con.execute(sql).df(), args.repeat)
        diff = max_abs_diff(summary, duck.set_index("customer_id"))
        threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
        print(
            f"\nDuckDB SQL (same frame -> DataFrame): {t_duck:7.2f} s wall, {cpu_duck:7.2f} s CPU  "
            f"(threads={threads}, best of {args.repeat}); max |difference| vs own = {diff:.2e}"
        )
        rows.append(
            (
                "summary time / DuckDB <= 1.5",
                f"{t_summary / t_duck:.2f}x wall ({cpu_summary / cpu_duck:.2f}x CPU)",
                t_summary / t_duck <= 1.5 and diff < 1e-6,
            )
        )

    # --- lifetimes ------------------------------------------------------------
    if lifetimes is not None:
        if args.lifetimes_customers and args.lifetimes_customers < args.customers:
            chosen = orders["customer_id"].drop_duplicates().sample(args.lifetimes_customers, random_state=args.seed)
            subset = orders[orders["customer_id"].isin(chosen)]
        else:
            subset = orders
        t_life_subset, _, life_summary = timed(
            lambda: summary_data_from_transaction_data(
                subset,
                "customer_id",
                "order_date",
                monetary_value_col="amount",
                observation_period_end=str(END),
                freq="D",
                freq_multiplier=7,
            )
        )
        t_own_subset, _, own_subset = timed(
            lambda: clv.summary_from_transactions(subset, observation_period_end=str(END), freq="W")
        )
        diff = max_abs_diff(own_subset, life_summary)
        scale = len(orders) / len(subset)
        t_life = t_life_subset * scale
        scaled = "" if scale == 1 else f" on {len(subset):,} orders, scaled x{scale:.2f} by orders to {t_life:.1f} s"
        print(
            f"\nlifetimes summary_data_from_transaction_data: {t_life_subset:.2f} s{scaled}; "
            f"own on the same subset {t_own_subset:.2f} s; max |difference| = {diff:.2e}"
        )
        rows.append(
            (
                "lifetimes summary / own >= 3",
                f"{t_life / t_summary:.1f}x" + ("" if scale == 1 else " (lifetimes scaled from a subset)"),
                t_life / t_summary >= 3 and diff < 1e-6,
            )
        )

        from lifetimes import BetaGeoFitter, GammaGammaFitter

        def fit_lifetimes():
            repeaters = summary[summary["frequency"] > 0]
            bg = BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
            gg = GammaGammaFitter().fit(repeaters["frequency"], repeaters["monetary_value"])
            return bg, gg

        t_life_fit, cpu_life_fit, (life_bgf, life_ggf) = timed(fit_lifetimes)
        params_ours = pd.concat([bgf.params_, ggf.params_])
        params_life = pd.concat([life_bgf.params_, life_ggf.params_])
        rel = (params_ours / params_life - 1).abs().max()
        print(
            f"lifetimes BG/NBD + Gamma-Gamma fit: {t_life_fit:.2f} s wall, {cpu_life_fit:.2f} s CPU "
            f"on {len(summary):,} rows"
        )
        print(pd.DataFrame({"own": params_ours, "lifetimes": params_life}).to_string(float_format="%.6f"))
        print(f"largest relative parameter difference: {rel:.2e}")
        # CLV as lifetimes computes it, from each side's own fitted models
        sample = summary.iloc[:10_000]
        clv_inputs = [sample[c] for c in ("frequency", "recency", "T", "monetary_value")]
        own_clv = ggf.customer_lifetime_value(bgf, *clv_inputs, time=12, discount_rate=0.01, freq="W")
        life_clv = life_ggf.customer_lifetime_value(life_bgf, *clv_inputs, time=12, discount_rate=0.01, freq="W")
        clv_rel = float((own_clv / life_clv - 1).abs().max())
        print(f"12-month CLV of {len(sample):,} customers, own vs lifetimes: largest relative difference {clv_rel:.2e}")
        rows.append(
            (
                "lifetimes fit / own >= 5, same params (rel < 1e-3)",
                f"{t_life_fit / t_fit:.1f}x wall ({cpu_life_fit / cpu_fit:.1f}x CPU), "
                f"params rel diff {rel:.1e}, CLV rel diff {clv_rel:.1e}",
                t_life_fit / t_fit >= 5 and rel < 1e-3 and clv_rel < 1e-3,
            )
        )
    print(f"\npeak RSS of the whole run: {peak_rss_gb():.2f} GB")

    print(f"load average at the end {os.getloadavg()[0]:.2f}")
    print("\ntarget                                              result")
    for name, value, ok in rows:
        print(f"{verdict(ok)} {name:<48} {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
