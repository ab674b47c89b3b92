"""Key drivers: which touchpoint ratings jointly explain an outcome, and how much each.

Method
------
For an outcome *y* per customer (the latest NPS score 0-10, or F2
conversion 0/1: a second order by ``as_of``) and the customer's latest
rating of each touchpoint, the importance of a touchpoint is its share of
the R² of the linear regression of *y* on all ratings, split by the
Shapley value over the touchpoints (LMG: Lindeman, Merenda & Gold 1980;
Grömping 2006, ``relaimpo``).  For touchpoints 1..p with R²(S) the R² of the
regression on the subset S::

    φ_j = Σ_{S ⊆ P \\ {j}}  |S|! (p - |S| - 1)! / p!  · (R²(S ∪ {j}) - R²(S))

The φ_j add up to the R² of the full model, so the shares φ_j / Σφ add up
to 1.  R²(S) is read off the covariance matrix of (ratings, y):
``R²(S) = c_Sy' C_SS⁻¹ c_Sy / var(y)``, so one covariance matrix per
(re)sample gives all 2^p subsets.  For F2 the regression is a linear
probability model; its R² is what is split.

Missing ratings
---------------
Customers rate only the touchpoints they met (the subscription page only by
subscribers, customer support by the few who called).  Dropping every
customer with a missing rating would leave almost nobody, and filling the
mean alone would credit a touchpoint for *who* rated it.  So, explicitly:

* customers in the analysis: those with the outcome and at least one rating
  (``n_customers``); per touchpoint ``n`` is how many of them rated it;
* a missing rating is set to the touchpoint's mean rating and a
  "not rated" indicator (1 = missing) is added for every touchpoint that
  some customers did not rate;
* the indicators are **controls**: they are in every regression and get no
  share.  The shares split the R² that the ratings add beyond who rated
  what (``r2_ratings`` = R²(all) - R²(indicators only)).  With the
  indicator in the model, a touchpoint's coefficient is estimated from its
  raters only.

Intervals
---------
Bootstrap over customers (resampling customers with replacement,
``resamples`` times, seeded; :mod:`helpers.bootstrap`): each resample is a
vector of multinomial counts per distinct answer pattern; its weighted
covariance matrix gives that resample's shares.  The intervals are
percentile intervals.  Shares are never negative, so for a touchpoint that
explains almost nothing the resampled shares scatter upwards and its
interval may lie just above the estimate: read it as "no evidence of a
share".
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from math import factorial

import numpy as np
import pandas as pd

from helpers import bootstrap, purchases, touchpoints

#: Outcome codes of :func:`key_drivers`.
OUTCOMES: tuple[str, ...] = ("nps", "f2")
#: Default number of bootstrap resamples and seed.
RESAMPLES = bootstrap.RESAMPLES
SEED = bootstrap.SEED
#: Columns of :func:`key_drivers_table` (the ``key_drivers.csv`` export).
TABLE_COLUMNS: tuple[str, ...] = ("outcome", "touchpoint", "n", "importance", "ci_low", "ci_high", "mean_rating")
#: Relative ridge added to the covariance diagonal so a resample where a column is constant stays solvable.
_RIDGE = 1e-10


@dataclass(frozen=True)
class KeyDrivers:
    """Relative importance of touchpoint ratings for one outcome (:func:`key_drivers`).

    Attributes
    ----------
    outcome : str
        ``"nps"`` or ``"f2"`` (or the name given).
    table : pandas.DataFrame
        One row per touchpoint, most important first: ``touchpoint``, ``n``
        (customers who rated it), ``importance`` (share of ``r2_ratings``;
        the column adds up to 1), ``ci_low``, ``ci_high`` (bootstrap
        percentile interval), ``mean_rating``, ``r2_part`` (the Shapley
        value in R² units).
    n_customers : int
        Customers analysed (outcome known, at least one rating).
    r2 : float
        R² of the full model (ratings and not-rated indicators).
    r2_ratings : float
        The part of ``r2`` the ratings add beyond the indicators: what the
        shares split.
    r2_low, r2_high : float
        Bootstrap interval of ``r2_ratings``.
    resamples : int
    level : float
    """

    outcome: str
    table: pd.DataFrame
    n_customers: int
    r2: float
    r2_ratings: float
    r2_low: float
    r2_high: float
    resamples: int
    level: float


def rating_matrix(ratings: pd.DataFrame, as_of=None) -> pd.DataFrame:
    """Latest rating of each customer (rows) for each touchpoint (columns); NaN = not rated.

    Parameters
    ----------
    ratings : pandas.DataFrame
        ``touchpoint_ratings`` (``customer_id``, ``touchpoint``, ``rating``,
        optional ``response_date``); names are matched after
        :func:`helpers.touchpoints.normalize_names`, the first spelling is
        the column name.
    as_of : str or datetime-like, optional
        Ratings answered after it are left out.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``customer_id`` (first appearance order), one float
        column per touchpoint (first appearance order).
    """
    if as_of is not None:
        ratings = purchases.up_to(ratings, as_of, "response_date")
    latest = touchpoints.latest_ratings(ratings)
    row, customers = purchases.customer_codes(latest["customer_id"].array)
    column, names = purchases.customer_codes(latest["touchpoint"].array)
    matrix = np.full((len(customers), len(names)), np.nan)
    matrix[row, column] = latest["rating"].to_numpy(float)
    return pd.DataFrame(matrix, index=pd.Index(customers, name="customer_id"), columns=list(names))


def _subset_r2(cov: np.ndarray, controls: int, players: int) -> dict[frozenset, np.ndarray]:
    """R² of every subset of the players (controls always in), for a stack of covariance matrices.

    ``cov`` has shape (B, d, d): the controls first, then the players, then
    the outcome last.  Returns subset -> R² per matrix (shape (B,)).
    """
    y = cov.shape[1] - 1
    var_y = cov[:, y, y]
    diag = np.einsum("bii->bi", cov[:, :y, :y])
    ridge = _RIDGE * (diag + diag.mean(axis=1, keepdims=True) + 1e-300)
    control_idx = list(range(controls))
    result = {}
    for size in range(players + 1):
        subsets = list(combinations(range(players), size))
        index = np.array([control_idx + [controls + j for j in s] for s in subsets], dtype=np.int64)
        if index.shape[1] == 0:
            for s in subsets:
                result[frozenset(s)] = np.zeros(len(cov))
            continue
        block = cov[:, index[:, :, None], index[:, None, :]]  # (B, n_subsets, m, m)
        block = block + ridge[:, index][..., None] * np.eye(index.shape[1])
        rhs = cov[:, index, y]  # (B, n_subsets, m)
        beta = np.linalg.solve(block, rhs[..., None])[..., 0]
        explained = np.einsum("bsm,bsm->bs", rhs, beta)
        with np.errstate(invalid="ignore", divide="ignore"):
            r2 = np.clip(explained / var_y[:, None], 0.0, 1.0)
        for k, s in enumerate(subsets):
            result[frozenset(s)] = r2[:, k]
    return result


def shapley_r2(cov: np.ndarray, controls: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """LMG decomposition of R² from covariance matrices.

    Parameters
    ----------
    cov : numpy.ndarray
        Shape (d, d) or (B, d, d): covariance of ``controls`` control
        columns, then the predictors (the players), then the outcome last.
    controls : int
        Number of leading control columns, in every regression, given no
        share.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray, numpy.ndarray)
        Shapley values (shape (p,) or (B, p)) in R² units; R² of the full
        model; R² of the controls alone (each shape () or (B,)).  The
        Shapley values add up to the difference of the two.
    """
    single = cov.ndim == 2
    stack = cov[None] if single else cov
    players = stack.shape[1] - 1 - controls
    r2 = _subset_r2(stack, controls, players)
    values = np.zeros((len(stack), players))
    everyone = frozenset(range(players))
    for j in range(players):
        others = everyone - {j}
        for size in range(players):
            weight = factorial(size) * factorial(players - size - 1) / factorial(players)
            for s in combinations(sorted(others), size):
                subset = frozenset(s)
                values[:, j] += weight * (r2[subset | {j}] - r2[subset])
    full, base = r2[everyone], r2[frozenset()]
    if single:
        return values[0], full[0], base[0]
    return values, full, base


def _distinct_rows(data: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(data, axis=0, return_counts=True)`` for float rows, by a lexicographic sort.

    numpy's row-wise unique sorts the rows as records, comparing field by
    field in Python-level callbacks; ``lexsort`` on the columns gives the
    same order several times faster on a million customers.
    """
    if len(data) == 0:
        return data.copy(), np.zeros(0, dtype=np.int64)
    order = np.lexsort(data.T[::-1])
    ordered = data[order]
    starts = np.flatnonzero(np.r_[True, (ordered[1:] != ordered[:-1]).any(axis=1)])
    return ordered[starts], np.diff(np.r_[starts, len(ordered)])


def _moments(data: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``data`` (n, d) and the upper triangle of each row's outer product (n, d(d+1)/2): every sum a covariance needs.

    Computed once per fit, so that each batch of resamples is two matrix
    products.  The products are formed column by column (contiguous writes)
    and returned as the transposed view, the layout numpy's fancy indexing
    gave before: the sums then come out bit for bit the same.
    """
    d = data.shape[1]
    columns = np.ascontiguousarray(data.T)
    products = np.empty((d * (d + 1) // 2, data.shape[0]))
    start = 0
    for i in range(d):  # row i of the upper triangle, in np.triu_indices order
        np.multiply(columns[i], columns[i:], out=products[start : start + d - i])
        start += d - i
    return np.ascontiguousarray(data), products.T


def _weighted_covariances(moments: tuple[np.ndarray, np.ndarray], weights: np.ndarray) -> np.ndarray:
    """Covariance matrices under each row of ``weights`` (B, n), from :func:`_moments`."""
    data, products = moments
    d = data.shape[1]
    totals = weights.sum(axis=1)[:, None]
    means, upper = weights @ data / totals, weights @ products / totals
    rows, cols = np.triu_indices(d)
    second = np.zeros((len(weights), d, d))
    second[:, rows, cols] = upper
    second[:, cols, rows] = upper
    return second - means[:, :, None] * means[:, None, :]


def _design(ratings: np.ndarray, outcome: np.ndarray) -> tuple[np.ndarray, int]:
    """Controls (not-rated indicators of partly rated touchpoints), mean-filled ratings, outcome."""
    missing = np.isnan(ratings)
    means = np.nanmean(np.where(missing.all(axis=0), 0.0, ratings), axis=0) if len(ratings) else np.zeros(0)
    filled = np.where(missing, means, ratings)
    partly = missing.any(axis=0) & ~missing.all(axis=0)
    indicators = missing[:, partly].astype(float)
    return np.column_stack([indicators, filled, outcome]), indicators.shape[1]


def key_drivers(
    ratings: pd.DataFrame,
    outcome: pd.Series,
    *,
    name: str = "outcome",
    resamples: int = RESAMPLES,
    seed: int = SEED,
    level: float = 0.95,
    batch: int = 25,
) -> KeyDrivers:
    """Relative importance (LMG) of touchpoint ratings for an outcome, with bootstrap intervals.

    Parameters
    ----------
    ratings : pandas.DataFrame
        :func:`rating_matrix`: customers x touchpoints, NaN = not rated.
    outcome : pandas.Series
        Numeric outcome per customer (indexed by ``customer_id``), e.g.
        :func:`nps_outcome` or :func:`f2_outcome`.  Customers missing from
        either side are left out (see the module notes).
    name : str
        Outcome code stored in the result (``"nps"``, ``"f2"``).
    resamples : int
        Bootstrap resamples (0: no intervals).
    seed : int
        Seed of the resampling.
    level : float
        Level of the percentile intervals.
    batch : int
        Resamples per vectorised batch (memory: batch x distinct answer patterns floats).

    Returns
    -------
    KeyDrivers

    Raises
    ------
    ValueError
        When fewer than 3 customers have both the outcome and a rating, or
        no touchpoint is left.
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level!r}")
    y = pd.to_numeric(outcome, errors="coerce").astype(float)
    y = y[y.notna()]
    rated = ratings[ratings.notna().any(axis=1)]
    # the raters with an outcome, in the ratings' order (ids looked up by Arrow, not row by row)
    position = purchases.id_positions(y.index, rated.index)
    common = position >= 0
    if common.sum() < 3:
        raise ValueError(f"only {common.sum()} customers have both the outcome and a rating (need 3 or more)")
    matrix = rated.to_numpy(float)[common]
    answered = ~np.isnan(matrix).all(axis=0)
    matrix, names = matrix[:, answered], list(rated.columns[answered])
    if matrix.shape[1] == 0:
        raise ValueError("no touchpoint has a rating among the customers with the outcome")
    data, controls = _design(matrix, y.to_numpy(float)[position[common]])
    n = len(data)
    # customers with the same answers are one row with a count: resampling customers is then
    # a multinomial draw over the distinct rows, the same distribution with far fewer numbers
    data, counts = _distinct_rows(data)
    moments = _moments(data)
    values, full, base = shapley_r2(_weighted_covariances(moments, counts[None, :].astype(float))[0], controls)
    total = full - base
    shares = values / total if total > 0 else np.full(len(values), np.nan)

    low = high = np.full(len(values), np.nan)
    r2_low = r2_high = float("nan")
    if resamples > 0:
        rng = np.random.default_rng(seed)
        boot_shares, boot_total = [], []
        for start in range(0, resamples, batch):
            size = min(batch, resamples - start)
            weights = bootstrap.resample_counts(rng, counts, size)
            b_values, b_full, b_base = shapley_r2(_weighted_covariances(moments, weights), controls)
            b_total = b_full - b_base
            with np.errstate(invalid="ignore", divide="ignore"):
                boot_shares.append(b_values / b_total[:, None])
            boot_total.append(b_total)
        boot_shares = np.concatenate(boot_shares)
        boot_total = np.concatenate(boot_total)
        low, high = bootstrap.percentile_interval(boot_shares, level)
        r2_low, r2_high = bootstrap.percentile_interval(boot_total, level)

    table = pd.DataFrame(
        {
            "touchpoint": names,
            "n": (~np.isnan(matrix)).sum(axis=0).astype(np.int64),
            "importance": shares,
            "ci_low": low,
            "ci_high": high,
            "mean_rating": np.nanmean(matrix, axis=0),
            "r2_part": values,
        }
    )
    table = table.sort_values("importance", ascending=False, kind="stable").reset_index(drop=True)
    return KeyDrivers(
        outcome=name,
        table=table,
        n_customers=n,
        r2=float(full),
        r2_ratings=float(total),
        r2_low=float(r2_low),
        r2_high=float(r2_high),
        resamples=int(resamples),
        level=float(level),
    )


def nps_outcome(latest_nps: pd.DataFrame) -> pd.Series:
    """Latest NPS score per customer, as the outcome of :func:`key_drivers`.

    Parameters
    ----------
    latest_nps : pandas.DataFrame
        One answer per customer (``customer_id``, ``score``), e.g.
        :func:`helpers.nps.latest_responses`.

    Returns
    -------
    pandas.Series
        Float score indexed by ``customer_id``.
    """
    return pd.Series(
        latest_nps["score"].to_numpy(float), index=pd.Index(latest_nps["customer_id"], name="customer_id"), name="nps"
    )


def f2_outcome(outcomes: pd.DataFrame) -> pd.Series:
    """F2 conversion (1 = a second order by ``as_of``) per buying customer.

    Parameters
    ----------
    outcomes : pandas.DataFrame
        :func:`helpers.friction.customer_outcomes` (``second_purchase``).

    Returns
    -------
    pandas.Series
        0/1 floats indexed by ``customer_id``.
    """
    return outcomes["second_purchase"].astype(float).rename("f2")


def f2_from_orders(orders: pd.DataFrame, as_of) -> pd.Series:
    """F2 conversion per buying customer, counted straight from the orders.

    The values of ``f2_outcome(friction.customer_outcomes(orders, as_of))``
    (a second order by the end of ``as_of``), without the rest of the
    outcomes; customers are in order of first appearance.

    Parameters
    ----------
    orders : pandas.DataFrame
        ``customer_id``, ``order_date``.
    as_of : str or datetime-like

    Returns
    -------
    pandas.Series
        0/1 floats indexed by ``customer_id``.
    """
    kept = purchases.up_to(orders, as_of, "order_date")
    codes, ids = purchases.customer_codes(kept["customer_id"])
    orders_per_customer = np.bincount(codes[codes >= 0], minlength=len(ids))
    return pd.Series((orders_per_customer >= 2).astype(float), index=pd.Index(ids, name="customer_id"), name="f2")


def key_drivers_table(results: list[KeyDrivers]) -> pd.DataFrame:
    """The results of several outcomes stacked, with the columns of the ``key_drivers.csv`` export.

    Parameters
    ----------
    results : list of KeyDrivers

    Returns
    -------
    pandas.DataFrame
        :data:`TABLE_COLUMNS`, one row per outcome and touchpoint.
    """
    frames = [r.table.assign(outcome=r.outcome) for r in results]
    if not frames:
        return pd.DataFrame(columns=list(TABLE_COLUMNS))
    return pd.concat(frames, ignore_index=True)[list(TABLE_COLUMNS)]
