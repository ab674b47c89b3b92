"""Benchmark of keyed pseudonyms (helpers.privacy.pseudonymize) at 1,000,000 customers.

Times :func:`helpers.privacy.pseudonymize` (HMAC-SHA256 in DuckDB, each
distinct id once) on the ids of one order per row (``--repeat`` rows per
customer), against the standard library's ``hmac`` over the same distinct
ids in a Python loop, in the same process: the ratio is what to read, as
absolute times depend on the machine and its load.  Checks that every
distinct id got its own pseudonym.

Usage::

    .venv/bin/python benchmarks/bench_pseudonyms.py [--customers 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import secrets
import sys
import time

import numpy as np
import pandas as pd

from helpers import privacy


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="rows per customer (ids repeat as in orders)")
    args = parser.parse_args(argv)

    key = secrets.token_bytes(32)
    distinct = np.char.add("C", np.char.zfill(np.arange(args.customers).astype(str), 7))
    rows = pd.Series(np.repeat(distinct, args.repeat))
    print(f"{args.customers:,} customers, {len(rows):,} rows")

    start = time.perf_counter()
    shown = privacy.pseudonymize(rows, key)
    ours = time.perf_counter() - start

    start = time.perf_counter()
    reference = [hmac.new(key, s.encode(), hashlib.sha256).hexdigest()[:16] for s in distinct.tolist()]
    loop = time.perf_counter() - start

    distinct_ok = shown.nunique() == args.customers
    same = shown.iloc[:: args.repeat].str[2:].tolist() == reference
    print(f"{'pseudonymize (DuckDB, distinct ids once)':<44}{ours:>8.2f} s")
    print(f"{'hmac in a Python loop over distinct ids':<44}{loop:>8.2f} s  (ratio {loop / ours:.1f}x)")
    print(f"distinct pseudonyms: {shown.nunique():,} ({'OK' if distinct_ok else 'COLLISION'}); "
          f"equal to hmac: {'yes' if same else 'NO'}")
    return 0 if distinct_ok and same else 1


if __name__ == "__main__":
    sys.exit(main())
