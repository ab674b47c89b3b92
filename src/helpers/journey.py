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

from helpers.labels import check_lang
from helpers.loyalty import latest_responses
from helpers.purchases import customer_purchases

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


def criterion_labels(criteria: RoleModelCriteria, lang: str = "ja") -> dict[str, str]:
    """Readable name of each funnel step, with its cut-off.

    Parameters
    ----------
    criteria : RoleModelCriteria
        The cut-offs.
    lang : {"ja", "en"}
        Language.

    Returns
    -------
    dict
        ``{"all": ..., "nps": ..., ...}`` in funnel order.
    """
    c = criteria
    if check_lang(lang) == "ja":
        return {
            "all": "全顧客",
            "nps": f"NPS {c.min_nps}以上（最新回答）",
            "tenure": f"初回購入から{c.min_tenure_days:,}日以上",
            "ltv_1y": f"1年LTV {c.min_ltv_1y:,.0f}円以上",
            "orders": f"購入{c.min_orders}回以上",
            "birth_date": "生年月日の登録あり" if c.require_birth_date else "生年月日（条件なし）",
        }
    return {
        "all": "All customers",
        "nps": f"NPS {c.min_nps}+ (latest answer)",
        "tenure": f"{c.min_tenure_days:,}+ days since first purchase",
        "ltv_1y": f"1-year LTV ¥{c.min_ltv_1y:,.0f}+",
        "orders": f"{c.min_orders}+ purchases",
        "birth_date": "Birth date on file" if c.require_birth_date else "Birth date (not required)",
    }


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


def role_model_funnel(
    candidates: pd.DataFrame, criteria: RoleModelCriteria = RoleModelCriteria(), lang: str = "ja"
) -> pd.DataFrame:
    """How many customers pass each criterion in turn.

    Parameters
    ----------
    candidates : pandas.DataFrame
        :func:`role_model_candidates` output.
    criteria : RoleModelCriteria
        The cut-offs (for the step labels).
    lang : {"ja", "en"}
        Language of the step labels.

    Returns
    -------
    pandas.DataFrame
        Indexed by step (``"all"`` then :data:`CRITERIA`): ``criterion``
        (label), ``customers`` (passing this and every earlier step),
        ``share_of_all`` and ``step_rate`` (share of the previous step's
        customers that pass this one; NaN for ``"all"``).
    """
    passed = np.cumprod(candidates[[f"pass_{c}" for c in CRITERIA]].to_numpy(bool), axis=1)
    counts = np.concatenate([[len(candidates)], passed.sum(axis=0)])
    previous = np.concatenate([[np.nan], counts[:-1]])
    with np.errstate(invalid="ignore", divide="ignore"):
        table = pd.DataFrame(
            {
                "criterion": list(criterion_labels(criteria, lang).values()),
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
    lang: str = "ja",
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
    lang : {"ja", "en"}
        Language of the point labels.

    Returns
    -------
    pandas.DataFrame
        One row per purchase: ``customer_id``, ``order_number``,
        ``order_date``, ``amount``, ``product``, ``days_since_first``,
        ``days_since_previous``, ``long_gap_before`` (the pause before this
        purchase is a long gap) and ``label`` (「初回購入」, then 「+21日」 =
        days after the first purchase).
    """
    ids = pd.Index(customer_ids)
    end = pd.Timestamp(as_of).normalize() + pd.Timedelta(days=1)
    in_time = orders[(orders["order_date"] < end).to_numpy()]
    rank = ids.get_indexer(in_time["customer_id"])  # one hashing pass; -1: not asked for
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
    first, unit = ("初回購入", "日") if check_lang(lang) == "ja" else ("1st purchase", " days")
    seq["label"] = np.where(
        seq["order_number"].eq(1), first, "+" + seq["days_since_first"].astype(int).astype(str) + unit
    )
    columns = [
        "customer_id",
        "order_number",
        "order_date",
        "amount",
        "product",
        "days_since_first",
        "days_since_previous",
        "long_gap_before",
        "label",
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
# Interview kit
# ---------------------------------------------------------------------------
#: Interview questions every role model is asked: (topic, question) per language.
STANDARD_QUESTIONS: dict[str, dict[str, tuple[str, str]]] = {
    "reason": {
        "ja": ("購入の決め手", "何が決め手となってご購入いただいているのですか？"),
        "en": ("Deciding factor", "What makes you decide to buy from us?"),
    },
    "experience": {
        "ja": ("使用感", "実際に使用してみていかがですか？"),
        "en": ("Experience", "How do you find it now that you use it?"),
    },
    "gift": {
        "ja": ("ご自身用かギフトか", "ご自身用ですか、それともギフト（贈り物）としてご購入ですか？"),
        "en": ("For themselves or a gift", "Do you buy it for yourself or as a gift?"),
    },
}
#: Order of the topics in the kit; the gap questions go between experience and gift.
_TOPIC_BLOCK = {"reason": 0, "experience": 1, "gap": 2, "restart": 2, "gift": 3}


def _year_month(dates: pd.Series, lang: str) -> pd.Series:
    """``2024年3月`` / ``2024-03`` strings, vectorised."""
    dates = pd.to_datetime(dates)
    if lang == "ja":
        return dates.dt.year.astype(str) + "年" + dates.dt.month.astype(str) + "月"
    return dates.dt.strftime("%b %Y")


def interview_questions(role_models, gaps: pd.DataFrame, lang: str = "ja") -> pd.DataFrame:
    """The interview kit: standard questions plus two per long gap.

    For each gap: 「2024年3月〜2024年10月の間、ご購入がなかった理由は？」 (the
    months of the purchases on each side) and what brought them back
    (再開のきっかけ).

    Parameters
    ----------
    role_models : sequence of str
        Customer ids, in the order the kit lists them.
    gaps : pandas.DataFrame
        :func:`purchase_gaps` output.
    lang : {"ja", "en"}
        Language.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``question_no`` (1.. per customer), ``topic``,
        ``question``.
    """
    lang = check_lang(lang)
    ids = pd.Index(role_models)
    standard = pd.DataFrame(
        [(key, *pair[lang]) for key, pair in STANDARD_QUESTIONS.items()], columns=["key", "topic", "question"]
    )
    repeated = standard.loc[np.tile(np.arange(len(standard)), len(ids))].reset_index(drop=True)
    repeated.insert(0, "customer_id", np.repeat(ids.to_numpy(), len(standard)))
    repeated["gap_no"] = 0
    mine = gaps[gaps["customer_id"].isin(ids)].reset_index(drop=True)
    start, stop = _year_month(mine["before_date"], lang), _year_month(mine["after_date"], lang)
    if lang == "ja":
        why = start + "〜" + stop + "の間、ご購入がなかった理由は？"
        back = stop + "にご購入を再開されたきっかけは何でしたか？"
        topics = ("購入がなかった期間", "再開のきっかけ")
    else:
        why = "Between " + start + " and " + stop + " you did not buy from us. Why was that?"
        back = "What brought you back in " + stop + "?"
        topics = ("Blank period", "What brought them back")
    gap_no = mine.groupby("customer_id", sort=False).cumcount() + 1
    per_gap = [
        pd.DataFrame(
            {"customer_id": mine["customer_id"], "key": key, "topic": topic, "question": text, "gap_no": gap_no}
        )
        for key, topic, text in (("gap", topics[0], why), ("restart", topics[1], back))
    ]
    kit = pd.concat([repeated, *per_gap], ignore_index=True)
    rank = pd.Series(np.arange(len(ids)), index=ids.astype(str))
    kit["_rank"] = kit["customer_id"].astype(str).map(rank)
    # reason, experience, then (blank period, restart) per gap, then gift
    kit["_block"] = kit["key"].map(_TOPIC_BLOCK)
    kit["_within_gap"] = (kit["key"] == "restart").astype(int)
    kit = kit.sort_values(["_rank", "_block", "gap_no", "_within_gap"], kind="stable")
    kit["question_no"] = kit.groupby("_rank").cumcount() + 1
    return kit[["customer_id", "question_no", "topic", "question"]].reset_index(drop=True)


def interview_list(
    candidates: pd.DataFrame,
    customers: pd.DataFrame,
    gaps: pd.DataFrame,
    as_of,
    role_models=None,
    show_customer_ids: bool = False,
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
            "customer_id": display_ids(pd.Series(ids, index=ids), show_customer_ids).to_numpy(),
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


#: Labels of this module's columns: key -> (ja, en).
COLUMN_LABELS: dict[str, tuple[str, str]] = {
    "criterion": ("条件", "Criterion"),
    "customers": ("顧客数", "Customers"),
    "share_of_all": ("全顧客比", "Share of all"),
    "step_rate": ("通過率", "Pass rate"),
    "gap_days": ("空白日数", "Gap (days)"),
    "before_date": ("直前の購入日", "Purchase before"),
    "before_amount": ("直前の金額", "Amount before"),
    "before_product": ("直前の商品", "Product before"),
    "after_date": ("再開の購入日", "Purchase after"),
    "after_amount": ("再開の金額", "Amount after"),
    "after_product": ("再開の商品", "Product after"),
    "question_no": ("No.", "No."),
    "topic": ("テーマ", "Topic"),
    "question": ("質問", "Question"),
    "age_band": ("年代", "Age band"),
    "latest_score": ("最新NPS", "Latest NPS"),
    "n_orders": ("購入回数", "Purchases"),
    "first_year_value": ("1年LTV（円）", "1-year LTV (JPY)"),
    "long_gaps": ("長い空白", "Long gaps"),
    "longest_gap_days": ("最長空白（日）", "Longest gap (days)"),
}


def column_label(key: str, lang: str = "ja") -> str:
    """Display label of one of this module's columns (else :func:`helpers.labels.label`)."""
    from helpers.labels import lookup

    return lookup(COLUMN_LABELS, key, lang)
