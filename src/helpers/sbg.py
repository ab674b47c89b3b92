r"""The shifted-beta-geometric (sBG) model of contract retention, fitted by maximum likelihood.

Fader & Hardie (2007), "How to Project Customer Retention", Journal of
Interactive Marketing 21(1), 76-90.  Each customer renews at every renewal
opportunity (here: every next 定期 shipment) with a constant probability
``1 - θ`` of their own; ``θ`` varies across customers as Beta(α, β).  With
``T`` the renewal at which a customer stops (``T = 1``: no second shipment):

.. math::

    P(T = t) = \frac{B(\alpha + 1, \beta + t - 1)}{B(\alpha, \beta)}, \qquad
    S(t) = P(T > t) = \frac{B(\alpha, \beta + t)}{B(\alpha, \beta)},

and the retention rate from renewal ``t - 1`` to ``t`` is
``r_t = (β + t - 1) / (α + β + t - 1)``: it rises with ``t`` because the
customers likely to stop leave first.

Data: ``churned[t]`` customers stopped at renewal ``t`` and ``alive[t]``
customers are known to have survived ``t`` renewals with nothing known after
(still subscribed, or beyond the last renewal counted).  The log-likelihood
is ``Σ churned[t] ln P(T = t) + Σ alive[t] ln S(t)``; for the paper's cohorts
``churned[t] = n[t-1] - n[t]`` and ``alive[m] = n[m]`` for survivors
``n[0..m]``.

With α ≤ 1 the expected lifetime is infinite (the paper's cohorts have
α < 1), so expected shipments are always counted within a horizon.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special


@dataclass(frozen=True)
class SBGFit:
    """A fitted sBG model (:func:`fit_sbg`).

    Attributes
    ----------
    alpha, beta : float
        Beta-distribution parameters of the per-renewal stop probability.
    log_likelihood : float
        Maximised log-likelihood.
    customers : int
        Customers behind the fit.
    stops : int
        Stops observed.
    periods : int
        Last renewal number in the data.
    """

    alpha: float
    beta: float
    log_likelihood: float
    customers: int
    stops: int
    periods: int

    @property
    def mean_stop_probability(self) -> float:
        """E[θ] = α / (α + β): the stop rate at the first renewal."""
        return self.alpha / (self.alpha + self.beta)


def counts_from_survivors(survivors) -> pd.DataFrame:
    """sBG data from the number of customers still active after 0, 1, 2, ... renewals.

    Parameters
    ----------
    survivors : sequence of int
        ``n[0]`` (all customers), ``n[1]``, ..., ``n[m]``; non-increasing.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``t`` (0..m): ``churned`` (0 at t = 0) and ``alive``
        (``n[m]`` at t = m, else 0).
    """
    n = np.asarray(survivors, dtype=np.int64)
    if n.ndim != 1 or len(n) < 2 or (np.diff(n) > 0).any() or n.min() < 0:
        raise ValueError("survivors must be a non-increasing sequence of at least two counts")
    churned = np.r_[0, n[:-1] - n[1:]]
    alive = np.zeros(len(n), dtype=np.int64)
    alive[-1] = n[-1]
    return pd.DataFrame({"churned": churned, "alive": alive}, index=pd.Index(np.arange(len(n)), name="t"))


def counts_from_stops(stops: pd.DataFrame) -> pd.DataFrame:
    """sBG data from :func:`helpers.friction.subscription_stops`.

    Shipment ``k`` is renewal ``t = k - 1`` survived.  A customer whose last
    shipment is ``k`` and who stopped churned at renewal ``k``; one still
    open survived ``k - 1`` renewals; those who continued past the last
    shipment of the table survived ``k_max`` renewals.

    Parameters
    ----------
    stops : pandas.DataFrame
        Indexed by ``shipment`` (1..k_max) with ``stopped``, ``open`` and
        ``continued``.

    Returns
    -------
    pandas.DataFrame
        As :func:`counts_from_survivors`: indexed by ``t`` (0..k_max),
        ``churned`` and ``alive``.
    """
    k = stops.index.to_numpy(dtype=np.int64)
    size = int(k.max()) + 1
    churned = np.zeros(size, dtype=np.int64)
    alive = np.zeros(size, dtype=np.int64)
    churned[k] = stops["stopped"].to_numpy(dtype=np.int64)
    alive[k - 1] += stops["open"].to_numpy(dtype=np.int64)
    alive[-1] += int(stops["continued"].iloc[-1])
    return pd.DataFrame({"churned": churned, "alive": alive}, index=pd.Index(np.arange(size), name="t"))


def _log_likelihood(log_params: np.ndarray, t: np.ndarray, churned: np.ndarray, alive: np.ndarray) -> float:
    a, b = np.exp(log_params)
    base = special.betaln(a, b)
    log_p = special.betaln(a + 1, b + np.maximum(t, 1) - 1) - base  # P(T = t); no stops at t = 0
    log_s = special.betaln(a, b + t) - base
    return float(np.sum(churned * log_p) + np.sum(alive * log_s))


def fit_sbg(counts: pd.DataFrame) -> SBGFit:
    """Maximum-likelihood α, β of the sBG model.

    Parameters
    ----------
    counts : pandas.DataFrame
        Indexed by ``t`` with ``churned`` and ``alive``
        (:func:`counts_from_survivors`, :func:`counts_from_stops`).

    Returns
    -------
    SBGFit

    Raises
    ------
    ValueError
        Without any stop or without any customer surviving a renewal: then
        the likelihood has no interior maximum.
    """
    t = counts.index.to_numpy(dtype="float64")
    churned = counts["churned"].to_numpy(dtype="float64")
    alive = counts["alive"].to_numpy(dtype="float64")
    survived_any = float((alive * (t >= 1)).sum() + (churned * (t >= 2)).sum())
    if churned.sum() == 0 or survived_any == 0:
        raise ValueError(
            f"sBG needs stops and renewals: {churned.sum():.0f} stops, {survived_any:.0f} customers renewed"
        )
    result = optimize.minimize(
        lambda p: -_log_likelihood(p, t, churned, alive),
        x0=np.zeros(2),
        method="Nelder-Mead",
        options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 5000},
    )
    alpha, beta = np.exp(result.x)
    return SBGFit(
        alpha=float(alpha),
        beta=float(beta),
        log_likelihood=float(-result.fun),
        customers=int(churned.sum() + alive.sum()),
        stops=int(churned.sum()),
        periods=int(t.max()),
    )


def survival(fit: SBGFit, t) -> np.ndarray:
    """S(t): share of a starting cohort still active after ``t`` renewals."""
    t = np.asarray(t, dtype="float64")
    return np.exp(special.betaln(fit.alpha, fit.beta + t) - special.betaln(fit.alpha, fit.beta))


def retention_rate(fit: SBGFit, t) -> np.ndarray:
    """r_t = S(t) / S(t - 1) = (β + t - 1) / (α + β + t - 1), for t >= 1."""
    t = np.asarray(t, dtype="float64")
    return (fit.beta + t - 1) / (fit.alpha + fit.beta + t - 1)


def projection(fit: SBGFit, counts: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """Observed and projected survival per renewal, up to ``horizon`` renewals.

    The observed survival is the Kaplan-Meier estimate from ``counts``
    (customers at risk at renewal ``t`` = those not yet churned or
    censored before it).

    Parameters
    ----------
    fit : SBGFit
        Fitted model.
    counts : pandas.DataFrame
        The data it was fitted on.
    horizon : int
        Last renewal shown (beyond the observed ones: a projection).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``t`` (0..horizon): ``observed`` (NaN beyond the data),
        ``projected`` S(t), ``retention_rate`` (NaN at t = 0) and
        ``beyond_data`` (t after the last renewal with customers at risk).
    """
    t = np.arange(horizon + 1)
    churned = counts["churned"].reindex(t, fill_value=0).to_numpy(dtype="float64")
    alive = counts["alive"].reindex(t, fill_value=0).to_numpy(dtype="float64")
    total = churned.sum() + alive.sum()
    # at risk at renewal t: everyone minus those churned before t or censored after fewer than t renewals
    at_risk = total - np.r_[0, np.cumsum(churned + alive)[:-1]]
    with np.errstate(invalid="ignore", divide="ignore"):
        hazard = np.where(at_risk > 0, churned / at_risk, np.nan)
    observed = np.cumprod(np.where(t == 0, 1.0, 1 - hazard))
    beyond = at_risk <= 0
    return pd.DataFrame(
        {
            "observed": np.where(beyond, np.nan, observed),
            "projected": survival(fit, t),
            "retention_rate": np.where(t == 0, np.nan, retention_rate(fit, np.maximum(t, 1))),
            "beyond_data": beyond | (t > counts.index.max()),
        },
        index=pd.Index(t, name="t"),
    )


def expected_shipments(fit: SBGFit, horizon: int) -> float:
    """Expected shipments of a new subscriber within the first ``horizon`` shipments: Σ_{t<horizon} S(t)."""
    return float(survival(fit, np.arange(horizon)).sum())


def expected_further_shipments(fit: SBGFit, counts: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """Expected shipments beyond those observed, for the subscribers still active.

    A subscriber alive after ``t`` renewals (``t + 1`` shipments so far)
    renews again with probability S(t + j) / S(t) for the j-th next shipment.

    Parameters
    ----------
    fit : SBGFit
        Fitted model.
    counts : pandas.DataFrame
        ``alive`` per ``t`` (:func:`counts_from_stops`).
    horizon : int
        Next shipments counted per subscriber.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``t`` where ``alive > 0``: ``subscribers``,
        ``shipments_so_far`` (t + 1), ``expected_per_subscriber`` and
        ``expected_total``.
    """
    alive = counts.loc[counts["alive"] > 0, "alive"]
    t = alive.index.to_numpy(dtype="float64")
    ahead = t[:, None] + np.arange(1, horizon + 1)[None, :]
    per = (survival(fit, ahead) / survival(fit, t)[:, None]).sum(axis=1)
    return pd.DataFrame(
        {
            "subscribers": alive.to_numpy(),
            "shipments_so_far": t.astype(np.int64) + 1,
            "expected_per_subscriber": per,
            "expected_total": per * alive.to_numpy(),
        },
        index=alive.index,
    )
