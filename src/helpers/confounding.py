"""Is it the touchpoint or the product mix?  The friction check stratified (Mantel-Haenszel).

The friction check (:func:`helpers.friction.rating_effects`) compares the F2
conversion of a touchpoint's low raters with that of its other raters.  If
low raters had mostly started with another product (a trial pack, a
one-off instead of a subscription), the gap could belong to the product.
Here the same difference is computed within strata of what the customer
bought first, and pooled.

Mantel-Haenszel risk difference
-------------------------------
For strata k with low raters ``a_k`` converted of ``n1_k`` and others
``b_k`` of ``n0_k`` (``T_k = n1_k + n0_k``)::

    w_k   = n1_k n0_k / T_k
    RD_MH = Σ w_k (a_k/n1_k - b_k/n0_k) / Σ w_k

(Rothman, Greenland & Lash, *Modern Epidemiology*, 3rd ed., ch. 15).  A
stratum with only low raters or only others has ``w_k = 0``: it says
nothing about the difference and drops out.  The variance is the
large-strata one, ``Σ w_k² (p1_k q1_k / n1_k + p0_k q0_k / n0_k) / (Σ w_k)²``,
with a normal 95% interval.  When the stratified difference is close to the
crude one, the product mix does not explain the gap.

Strata: ``first_product`` (product of the first order) and, separately,
``subscription`` (the first order was a subscription shipment).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers import friction, purchases, touchpoints

#: Stratifications of :func:`confounding_check`, in display order (``crude`` = none).
STRATIFICATIONS: tuple[str, ...] = ("crude", "first_product", "subscription")


def mantel_haenszel_difference(x_low, n_low, x_other, n_other, level: float = 0.95) -> dict[str, float]:
    """Mantel-Haenszel risk difference (low raters - others) over strata.

    Parameters
    ----------
    x_low, n_low, x_other, n_other : array-like
        Per stratum: successes and size of the low raters and of the others.
    level : float
        Level of the normal interval.

    Returns
    -------
    dict
        ``difference``, ``low``, ``high``, ``se``, ``strata`` (given),
        ``strata_used`` (with both groups), ``n`` (customers in the used
        strata).  NaN when no stratum has both groups.
    """
    from scipy import stats  # imported when used: it adds 0.4 s to every kernel start
    a, n1, b, n0 = (np.asarray(v, dtype=float) for v in (x_low, n_low, x_other, n_other))
    if ((a < 0) | (b < 0) | (a > n1) | (b > n0)).any():
        raise ValueError("successes must be between 0 and the group size in every stratum")
    used = (n1 > 0) & (n0 > 0)
    a, n1, b, n0 = a[used], n1[used], b[used], n0[used]
    weight = n1 * n0 / (n1 + n0)
    result = {"strata": int(len(used)), "strata_used": int(used.sum()), "n": int((n1 + n0).sum())}
    if weight.sum() == 0:
        return {**result, "difference": np.nan, "se": np.nan, "low": np.nan, "high": np.nan}
    p1, p0 = a / n1, b / n0
    difference = float((weight * (p1 - p0)).sum() / weight.sum())
    variance = float((weight**2 * (p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)).sum() / weight.sum() ** 2)
    se = np.sqrt(variance)
    z = stats.norm.ppf((1 + level) / 2)
    return {**result, "difference": difference, "se": se, "low": difference - z * se, "high": difference + z * se}


def first_order_strata(orders: pd.DataFrame, as_of) -> pd.DataFrame:
    """What each customer bought first: product and whether it was a subscription.

    Parameters
    ----------
    orders : pandas.DataFrame
        ``customer_id``, ``order_date``; ``product`` and ``is_subscription``
        when present (a missing product is the stratum ``"(none)"``, a
        missing subscription flag counts as ``False``).  Orders after
        ``as_of`` are ignored.
    as_of : str or datetime-like

    Returns
    -------
    pandas.DataFrame
        Indexed by ``customer_id``: ``first_product`` (str),
        ``subscription`` (bool).
    """
    used = [c for c in ("customer_id", "order_date", "product", "is_subscription") if c in orders.columns]
    orders = purchases.up_to(orders[used], as_of, "order_date")
    order, _, starts = purchases.customer_runs(orders["customer_id"].array, orders["order_date"].to_numpy())
    rows = orders.iloc[order[starts]]  # each customer's first order, in id order (order_sequence's number 1)
    n = len(rows)
    if "product" in rows:
        product = purchases.text_array(rows["product"].astype("str").fillna("(none)").array)
    else:
        product = purchases.text_array(np.full(n, "(none)", dtype=object))
    subscription = rows["is_subscription"].fillna(False).to_numpy(dtype=bool) if "is_subscription" in rows else None
    return pd.DataFrame(
        {
            "first_product": product,
            "subscription": subscription if subscription is not None else np.zeros(n, dtype=bool),
        },
        index=pd.Index(rows["customer_id"].array, name="customer_id"),
    )


def confounding_check(
    ratings: pd.DataFrame,
    orders: pd.DataFrame,
    as_of,
    touchpoint_names=None,
    low_rating_max: int = 2,
    level: float = 0.95,
    outcomes: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """F2 conversion of low raters minus other raters, crude and stratified by what was bought first.

    Parameters
    ----------
    ratings : pandas.DataFrame
        ``touchpoint_ratings``; the latest rating per customer and touchpoint
        counts, answers after ``as_of`` are left out.
    orders : pandas.DataFrame
        ``orders`` (``product``, ``is_subscription`` used when present).
    as_of : str or datetime-like
    touchpoint_names : sequence of str, optional
        Touchpoints to check (default: every rated one).
    low_rating_max : int
        Ratings at or below are low.
    level : float
        Interval level.
    outcomes : pandas.DataFrame, optional
        :func:`helpers.friction.customer_outcomes` of ``orders`` and ``as_of``
        when already computed (any horizon: only the second purchase is used).

    Returns
    -------
    pandas.DataFrame
        One row per touchpoint and stratification (:data:`STRATIFICATIONS`):
        ``touchpoint``, ``stratification``, ``difference`` (proportion,
        low - others), ``low``, ``high``, ``strata``, ``strata_used``, ``n``.
    """
    ratings = purchases.up_to(ratings, as_of, "response_date")
    latest = touchpoints.latest_ratings(ratings)
    if outcomes is None:
        outcomes = friction.customer_outcomes(orders, as_of)
    strata = first_order_strata(orders, as_of)
    latest = latest[purchases.id_isin(latest["customer_id"], outcomes.index)]
    if touchpoint_names is not None:
        keys = touchpoints.normalize_names(pd.Series(list(touchpoint_names), dtype=object))
        latest = latest[latest["key"].isin(set(keys))]
    ids = latest["customer_id"]
    in_strata = purchases.id_positions(strata.index, ids)  # every rater left bought by as_of: has a first order
    # integer codes throughout: no Python string per rating (millions at scale)
    touchpoint, names = purchases.customer_codes(latest["touchpoint"].array)  # first appearance order
    low = (latest["rating"] <= low_rating_max).to_numpy()
    success = outcomes["second_purchase"].to_numpy(bool)[purchases.id_positions(outcomes.index, ids)]
    product, _ = purchases.customer_codes(strata["first_product"].array, sort=True)  # strata in name order
    stratum_of = {
        "crude": np.zeros(len(latest), dtype=np.int64),
        "first_product": product[in_strata],
        "subscription": strata["subscription"].to_numpy(bool)[in_strata].astype(np.int64),
    }
    counts = {}
    for stratification in STRATIFICATIONS:
        # per (touchpoint, stratum): raters and second purchases, low raters and others apart
        n_strata = int(stratum_of[stratification].max(initial=-1)) + 1
        cell = ((touchpoint * n_strata + stratum_of[stratification]) * 2 + low).reshape(-1)
        size = len(names) * n_strata * 2
        shape = (len(names), n_strata, 2)
        counts[stratification] = (
            np.bincount(cell, minlength=size).reshape(shape),
            np.bincount(cell, weights=success, minlength=size).reshape(shape),
        )
    rows = []
    for code, name in enumerate(names):
        for stratification in STRATIFICATIONS:
            n, x = (values[code] for values in counts[stratification])
            present = n.sum(axis=1) > 0  # the strata this touchpoint's raters fall in
            result = mantel_haenszel_difference(
                x[present, 1], n[present, 1], x[present, 0], n[present, 0], level
            )
            rows.append({"touchpoint": name, "stratification": stratification, **result})
    columns = ["touchpoint", "stratification", "difference", "low", "high", "strata", "strata_used", "n"]
    return pd.DataFrame(rows, columns=columns + ["se"])[columns]
