"""Data variants that ``kando validate`` accepts but that differ from the sample.

Each variant is a small, deterministic set of contract tables built from the
sample generator; :func:`write_variant` writes one as CSV files.  The notebook
matrix (``test_notebook_matrix.py``) runs every report notebook on each.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from helpers import schemas
from helpers.sample import PERSONAS, generate_sample

AS_OF = "2025-12-31"
BASE_CUSTOMERS = 150
SEED = 7
OPTIONAL = ("nps", "fan_survey", "journey", "touchpoint_ratings")

Tables = dict[str, pd.DataFrame]


def base_tables() -> Tables:
    """The sample generator's tables for :data:`BASE_CUSTOMERS` customers."""
    return generate_sample(BASE_CUSTOMERS, seed=SEED, as_of=AS_OF)


def _keep_customers(tables: Tables, keep: pd.Series) -> Tables:
    """Only the customers in ``keep`` (ids), in every table that names customers."""
    return {
        name: frame[frame["customer_id"].isin(keep)].reset_index(drop=True) if "customer_id" in frame else frame
        for name, frame in tables.items()
    }


def tiny(t: Tables) -> Tables:
    """A tiny client: 8 customers (with orders and answers)."""
    answered = t["customers"]["customer_id"].isin(t["nps"]["customer_id"])
    return _keep_customers(t, t["customers"].loc[answered, "customer_id"].head(8))


def customers_and_orders(t: Tables) -> Tables:
    """Only the two required tables."""
    return {name: t[name] for name in schemas.REQUIRED_TABLES}


def empty_optional(t: Tables) -> Tables:
    """The optional tables are present with their header and no rows."""
    return {name: frame.iloc[:0] if name in OPTIONAL else frame for name, frame in t.items()}


def free_samples(t: Tables) -> Tables:
    """Every tenth order (10%) is a free sample of 0 yen."""
    orders = t["orders"].copy()
    orders.loc[orders.index % 10 == 0, "amount"] = 0.0
    return {**t, "orders": orders}


def one_time_buyers(t: Tables) -> Tables:
    """Each customer's first order only: nobody bought twice."""
    orders = t["orders"].sort_values(["order_date", "order_id"]).drop_duplicates("customer_id")
    return {**t, "orders": orders.sort_index().reset_index(drop=True)}


def one_month(t: Tables) -> Tables:
    """One month of history: customers who ordered in the last month, dates within it."""
    start = pd.Timestamp(AS_OF) - pd.Timedelta(days=30)
    dated = {"orders": "order_date", "nps": "response_date", "fan_survey": "response_date",
             "touchpoint_ratings": "response_date"}
    t = {name: frame[frame[dated[name]] >= start] if name in dated else frame for name, frame in t.items()}
    return _keep_customers(t, t["orders"]["customer_id"])


def bare_columns(t: Tables) -> Tables:
    """Only the required columns of every table (orders: id, customer, date, amount; customers: id)."""
    return {name: frame[schemas.TABLES[name].required] for name, frame in t.items()}


def zero_padded_ids(t: Tables) -> Tables:
    """Customer and order ids written as zero-padded numbers (``0000042``)."""
    number = {c: f"{i:07d}" for i, c in enumerate(t["customers"]["customer_id"], start=1)}
    out = {}
    for name, frame in t.items():
        frame = frame.copy()
        if "customer_id" in frame:
            frame["customer_id"] = frame["customer_id"].map(number).astype("string")
        if name == "orders":
            frame["order_id"] = pd.Series([f"{i:08d}" for i in range(1, len(frame) + 1)], dtype="string")
        out[name] = frame
    return out


def one_persona(t: Tables) -> Tables:
    """The journey worksheet holds one persona, as-is only."""
    journey = t["journey"]
    keep = (journey["persona"] == PERSONAS[0]) & (journey["scenario"] == "as_is")
    return {**t, "journey": journey[keep].reset_index(drop=True)}


def detractors_only(t: Tables) -> Tables:
    """Every NPS answer is a detractor's (0-6)."""
    nps = t["nps"].copy()
    nps["score"] = (nps["score"] % 7).astype("Int64")
    return {**t, "nps": nps}


def never_bought(t: Tables) -> Tables:
    """A third more registered customers who never ordered (and never answered)."""
    customers = t["customers"]
    extra = customers.iloc[: len(customers) // 3].copy()
    extra["customer_id"] = pd.Series([f"N{i:06d}" for i in range(len(extra))], dtype="string").to_numpy()
    return {**t, "customers": pd.concat([customers, extra], ignore_index=True)}


#: Variant name -> builder, in the order of issue 12.
VARIANTS: dict[str, Callable[[Tables], Tables]] = {
    "tiny": tiny,
    "customers_and_orders": customers_and_orders,
    "empty_optional": empty_optional,
    "free_samples": free_samples,
    "one_time_buyers": one_time_buyers,
    "one_month": one_month,
    "bare_columns": bare_columns,
    "zero_padded_ids": zero_padded_ids,
    "one_persona": one_persona,
    "detractors_only": detractors_only,
    "never_bought": never_bought,
}


def write_variant(name: str, out_dir: Path, base: Tables | None = None) -> Path:
    """Write variant ``name`` as one UTF-8 CSV per table into ``out_dir``; return ``out_dir``."""
    tables = VARIANTS[name](base if base is not None else base_tables())
    out_dir.mkdir(parents=True, exist_ok=True)
    for table, frame in tables.items():
        if "amount" in frame:
            frame = frame.assign(amount=frame["amount"].round().astype("Int64"))
        frame.to_csv(out_dir / f"{table}.csv", index=False, encoding="utf-8", date_format="%Y-%m-%d")
    return out_dir


def summary(out_dir: Path) -> dict[str, int]:
    """Rows per table file, for test messages."""
    return {p.stem: int(np.maximum(sum(1 for _ in p.open(encoding="utf-8")) - 1, 0)) for p in out_dir.glob("*.csv")}
