"""Role-model customer journeys: who qualifies, their purchase timelines and gaps.

A role model (ロールモデル) is a loyal customer whose journey is worth
retracing in an interview: a promoter, with a year or more of history, a high
first-year value, several purchases and a birth date on file (so their age
band is known).  Their purchase timelines show the rhythm of buying and the
long pauses, and the interview kit turns each pause into a question.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.nps import latest_responses
from helpers.purchases import customer_purchases, id_positions

#: A pause of at least this many days between two purchases is a long gap.
DEFAULT_LONG_GAP_DAYS = 180


@dataclass(frozen=True)
class RoleModelCriteria:
    """Cut-offs a role model must meet, each inclusive.

    Attributes
    ----------
    min_nps : int
        Latest NPS score on or before ``as_of`` at least this (9: promoters).
    min_tenure_days : int
        Days from the first purchase to ``as_of`` at least this.
    min_ltv_1y : float
        1-year LTV (spend in the 365 days from the first purchase) in yen.
    min_orders : int
        Number of purchases.
    require_birth_date : bool
        Whether a birth date must be on file.
    """

    min_nps: int = 9
    min_tenure_days: int = 365
    min_ltv_1y: float = 50_000
    min_orders: int = 3
    require_birth_date: bool = True


#: Criteria in the order the funnel applies them.
CRITERIA: tuple[str, ...] = ("nps", "tenure", "ltv_1y", "orders", "birth_date")


def role_model_candidates(
    customers: pd.DataFrame,
    orders: pd.DataFrame,
    nps: pd.DataFrame | None,
    as_of,
    criteria: RoleModelCriteria = RoleModelCriteria(),
) -> pd.DataFrame:
    """Every customer with the facts the criteria test and whether each passes.

    Parameters
    ----------
    customers : pandas.DataFrame
        ``customer_id``; ``birth_date`` if on file.
    orders : pandas.DataFrame
        Orders (after ``as_of`` ignored).
    nps : pandas.DataFrame or None
        NPS responses; the latest on or before ``as_of`` counts.
    as_of : str or datetime-like
        Reference date.
    criteria : RoleModelCriteria
        Cut-offs.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``customer_id`` (order of ``customers``): ``latest_score``,
        ``tenure_days``, ``first_year_value``, ``n_orders``,
        ``has_birth_date``, one boolean ``pass_<criterion>`` per
        :data:`CRITERIA`, and ``role_model`` (all passed).
    """
    ids = customers["customer_id"]
    facts = customer_purchases(orders, as_of).reindex(ids.to_numpy())
    latest = latest_responses(nps, as_of).set_index("customer_id")["score"]
    has_birth = (
        customers["birth_date"].notna().to_numpy()
        if "birth_date" in customers.columns
        else np.zeros(len(customers), dtype=bool)
    )
    table = pd.DataFrame(
        {
            "latest_score": latest.reindex(ids.to_numpy()).astype("Int64").array,
            "tenure_days": facts["tenure_days"].astype("Int64").array,
            "first_year_value": facts["first_year_value"].fillna(0.0).to_numpy(),
            "n_orders": facts["n_orders"].fillna(0).astype(int).to_numpy(),
            "has_birth_date": has_birth,
        },
        index=pd.Index(ids.to_numpy(), name="customer_id"),
    )
    table["pass_nps"] = table["latest_score"].ge(criteria.min_nps).fillna(False).astype(bool)
    table["pass_tenure"] = table["tenure_days"].ge(criteria.min_tenure_days).fillna(False).astype(bool)
    table["pass_ltv_1y"] = table["first_year_value"].ge(criteria.min_ltv_1y)
    table["pass_orders"] = table["n_orders"].ge(criteria.min_orders)
    table["pass_birth_date"] = table["has_birth_date"] | (not criteria.require_birth_date)
    table["role_model"] = table[[f"pass_{c}" for c in CRITERIA]].all(axis=1)
    return table


def role_model_funnel(candidates: pd.DataFrame) -> pd.DataFrame:
    """How many customers pass each criterion in turn.

    Parameters
    ----------
    candidates : pandas.DataFrame
        :func:`role_model_candidates` output.

    Returns
    -------
    pandas.DataFrame
        Indexed by step code (``"all"`` then :data:`CRITERIA`):
        ``customers`` (passing this and every earlier step),
        ``share_of_all`` and ``step_rate`` (share of the previous step's
        customers that pass this one; NaN for ``"all"``).
    """
    passed = np.cumprod(candidates[[f"pass_{c}" for c in CRITERIA]].to_numpy(bool), axis=1)
    counts = np.concatenate([[len(candidates)], passed.sum(axis=0)])
    previous = np.concatenate([[np.nan], counts[:-1]])
    with np.errstate(invalid="ignore", divide="ignore"):
        table = pd.DataFrame(
            {
                "customers": counts,
                "share_of_all": counts / max(len(candidates), 1),
                "step_rate": np.where(previous > 0, counts / previous, np.nan),
            },
            index=pd.Index(("all",) + CRITERIA, name="step"),
        )
    return table


def emptying_step(funnel: pd.DataFrame) -> str | None:
    """The first funnel step that no customer passes.

    Parameters
    ----------
    funnel : pandas.DataFrame
        :func:`role_model_funnel` output.

    Returns
    -------
    str or None
        The step code (``"nps"``, ``"tenure"``, ...; ``"all"`` when there are
        no customers), or ``None`` when someone passes every step.
    """
    empty = funnel.index[funnel["customers"].to_numpy() == 0]
    return str(empty[0]) if len(empty) else None


def role_model_ids(candidates: pd.DataFrame) -> pd.Index:
    """Role models' customer ids, highest 1-year LTV first (ties by id).

    Parameters
    ----------
    candidates : pandas.DataFrame
        :func:`role_model_candidates` output.

    Returns
    -------
    pandas.Index
    """
    chosen = candidates[candidates["role_model"]].reset_index()
    chosen = chosen.sort_values(["first_year_value", "customer_id"], ascending=[False, True], kind="stable")
    return pd.Index(chosen["customer_id"].to_numpy(), name="customer_id")


def purchase_timelines(
    orders: pd.DataFrame,
    customer_ids,
    as_of,
    long_gap_days: int = DEFAULT_LONG_GAP_DAYS,
) -> pd.DataFrame:
    """The purchases of some customers on a time axis from their first purchase.

    Parameters
    ----------
    orders : pandas.DataFrame
        Orders; ``product`` is carried along when present.
    customer_ids : sequence of str
        Customers to keep (unique); the result follows their order.
    as_of : str or datetime-like
        Orders after this date are ignored.
    long_gap_days : int
        A pause of at least this many days before a purchase is a long gap.

    Returns
    -------
    pandas.DataFrame
        One row per purchase: ``customer_id``, ``order_number``,
        ``order_date``, ``amount``, ``product``, ``days_since_first``,
        ``days_since_previous``, ``long_gap_before`` (the pause before this
        purchase is a long gap).
    """
    ids = pd.Index(customer_ids)
    end = pd.Timestamp(as_of).normalize() + pd.Timedelta(days=1)
    in_time = orders[(orders["order_date"] < end).to_numpy()]
    rank = id_positions(ids, in_time["customer_id"])  # one hashing pass; -1: not asked for
    keep = np.flatnonzero(rank >= 0)
    # by customer (in the order asked), then date; same-day orders keep their file order
    keep = keep[np.lexsort((in_time["order_date"].to_numpy()[keep], rank[keep]))]
    seq = in_time.iloc[keep].reset_index(drop=True)
    rank = rank[keep]
    first_row = np.r_[True, rank[1:] != rank[:-1]] if len(rank) else np.zeros(0, dtype=bool)
    start_row = np.maximum.accumulate(np.where(first_row, np.arange(len(rank)), 0))
    day = seq["order_date"].dt.normalize().to_numpy()
    seq["order_number"] = np.arange(len(rank)) - start_row + 1
    seq["days_since_first"] = ((day - day[start_row]) // np.timedelta64(1, "D")).astype(int)
    previous_gap = np.r_[0, np.diff(day) // np.timedelta64(1, "D")] if len(day) else np.zeros(0)
    seq["days_since_previous"] = np.where(first_row, np.nan, previous_gap)
    if "product" not in seq.columns:
        seq["product"] = pd.NA
    seq["long_gap_before"] = seq["days_since_previous"].ge(long_gap_days).fillna(False).astype(bool)
    columns = [
        "customer_id",
        "order_number",
        "order_date",
        "amount",
        "product",
        "days_since_first",
        "days_since_previous",
        "long_gap_before",
    ]
    return seq[columns].reset_index(drop=True)


def purchase_gaps(timelines: pd.DataFrame) -> pd.DataFrame:
    """The long gaps of :func:`purchase_timelines` with the purchases on each side.

    Parameters
    ----------
    timelines : pandas.DataFrame
        :func:`purchase_timelines` output (its ``long_gap_before`` flags).

    Returns
    -------
    pandas.DataFrame
        One row per long gap, in timeline order: ``customer_id``,
        ``gap_days``, ``before_date``, ``before_amount``, ``before_product``,
        ``after_date``, ``after_amount``, ``after_product``,
        ``before_order_number``.
    """
    previous = timelines.shift(1)
    at_gap = timelines["long_gap_before"].to_numpy(bool)
    after, before = timelines[at_gap], previous[at_gap]
    return pd.DataFrame(
        {
            "customer_id": after["customer_id"].to_numpy(),
            "gap_days": after["days_since_previous"].astype(int).to_numpy(),
            "before_date": before["order_date"].to_numpy(),
            "before_amount": before["amount"].astype(float).to_numpy(),
            "before_product": before["product"].to_numpy(),
            "after_date": after["order_date"].to_numpy(),
            "after_amount": after["amount"].astype(float).to_numpy(),
            "after_product": after["product"].to_numpy(),
            "before_order_number": before["order_number"].astype(int).to_numpy(),
        }
    )


# ---------------------------------------------------------------------------
# Whom to interview
# ---------------------------------------------------------------------------
def interview_list(
    candidates: pd.DataFrame,
    customers: pd.DataFrame,
    gaps: pd.DataFrame,
    as_of,
    role_models=None,
    show_customer_ids: bool = False,
    key: bytes | None = None,
) -> pd.DataFrame:
    """Role models to invite, with their age band and buying facts (no personal data).

    Parameters
    ----------
    candidates : pandas.DataFrame
        :func:`role_model_candidates` output.
    customers : pandas.DataFrame
        ``customer_id``, ``birth_date``; ``gender`` when present.
    gaps : pandas.DataFrame
        :func:`purchase_gaps` output.
    as_of : str or datetime-like
        Date for the age band.
    role_models : sequence of str, optional
        Order of the list; :func:`role_model_ids` by default.
    show_customer_ids : bool
        Real ids when ``True``, pseudonyms otherwise.
    key : bytes, optional
        The data folder's pseudonym key (``Dataset.pseudonym_key``); needed
        unless ``show_customer_ids``.

    Returns
    -------
    pandas.DataFrame
        ``customer_id`` (display id), ``age_band`` (「40代」; the birth date
        itself is never returned), ``gender`` (when known), ``latest_score``,
        ``n_orders``, ``first_year_value``, ``long_gaps``, ``longest_gap_days``
        (0 without a long gap).
    """
    from helpers.privacy import age_band, display_ids

    ids = role_model_ids(candidates) if role_models is None else pd.Index(role_models)
    people = customers.set_index("customer_id").reindex(ids)
    facts = candidates.reindex(ids)
    per_gap = gaps.groupby("customer_id")["gap_days"]
    table = pd.DataFrame(
        {
            "customer_id": display_ids(pd.Series(ids, index=ids), show_customer_ids, key).to_numpy(),
            "age_band": age_band(people["birth_date"], as_of).to_numpy() if "birth_date" in people else pd.NA,
        }
    )
    if "gender" in people:
        table["gender"] = people["gender"].to_numpy()
    table["latest_score"] = facts["latest_score"].array
    table["n_orders"] = facts["n_orders"].to_numpy()
    table["first_year_value"] = facts["first_year_value"].round().astype(int).to_numpy()
    table["long_gaps"] = per_gap.size().reindex(ids).fillna(0).astype(int).to_numpy()
    table["longest_gap_days"] = per_gap.max().reindex(ids).fillna(0).astype(int).to_numpy()
    return table
