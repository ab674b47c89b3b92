"""The shifted-beta-geometric model against Fader & Hardie (2007) and independent recursions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers import friction, sbg

# Fader & Hardie (2007), "How to Project Customer Retention", J. Interactive Marketing 21(1):
# customers of two 1,000-customer cohorts still active at the start of years 0..12.
REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241, 223, 207, 194, 183, 173]
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491, 468, 445, 427, 409, 394]


@pytest.mark.parametrize(
    "survivors, alpha, beta", [(REGULAR, 0.704, 1.182), (HIGH_END, 0.668, 3.806)], ids=["regular", "high_end"]
)
def test_reproduces_the_paper(survivors, alpha, beta):
    fit = sbg.fit_sbg(sbg.counts_from_survivors(survivors[:8]))  # years 0-7, as in the paper
    assert fit.alpha == pytest.approx(alpha, abs=5e-4)
    assert fit.beta == pytest.approx(beta, abs=5e-4)
    assert fit.customers == 1000 and fit.stops == 1000 - survivors[7] and fit.periods == 7
    # the paper's point: the projection of years 8-12 from years 0-7 stays close to the actual counts
    projected = 1000 * sbg.survival(fit, np.arange(8, 13))
    assert np.abs(projected - np.array(survivors[8:])).max() < 20


def test_survival_and_retention_match_the_recursion():
    fit = sbg.SBGFit(alpha=0.8, beta=2.5, log_likelihood=np.nan, customers=0, stops=0, periods=0)
    s, expected = 1.0, [1.0]
    for t in range(1, 15):
        s *= (fit.beta + t - 1) / (fit.alpha + fit.beta + t - 1)  # P(renew at t) = E[1-θ | survived t-1]
        expected.append(s)
    assert sbg.survival(fit, np.arange(15)) == pytest.approx(expected)
    assert sbg.retention_rate(fit, np.arange(1, 15)) == pytest.approx(np.array(expected[1:]) / expected[:-1])
    assert sbg.expected_shipments(fit, 6) == pytest.approx(sum(expected[:6]))
    counts = pd.DataFrame({"churned": [0, 5, 0, 0], "alive": [2, 0, 3, 1]}, index=pd.Index(range(4), name="t"))
    further = sbg.expected_further_shipments(fit, counts, horizon=4)
    per_t2 = sum(expected[2 + j] for j in range(1, 5)) / expected[2]
    assert further.loc[2, "expected_per_subscriber"] == pytest.approx(per_t2)
    assert further.loc[2, "expected_total"] == pytest.approx(3 * per_t2)
    assert further["shipments_so_far"].tolist() == [1, 3, 4]


def test_censored_likelihood_against_direct_sum():
    counts = pd.DataFrame({"churned": [0, 30, 12, 5], "alive": [10, 4, 6, 33]}, index=pd.Index(range(4), name="t"))
    fit = sbg.fit_sbg(counts)

    def log_lik(a, b):
        # P(T=t) = S(t-1) * E[θ | survived t-1] = S(t-1) * a / (a + b + t - 1); S(t) = S(t-1) - P(T=t)
        s, p, total = [1.0], [np.nan], 0.0
        for t in range(1, 4):
            p.append(s[-1] * a / (a + b + t - 1))
            s.append(s[-1] - p[-1])
        for t in range(1, 4):
            total += counts["churned"][t] * np.log(p[t])
        for t in range(4):
            total += counts["alive"][t] * np.log(s[t])
        return total

    assert fit.log_likelihood == pytest.approx(log_lik(fit.alpha, fit.beta), rel=1e-9)
    for da, db in [(0.01, 0), (-0.01, 0), (0, 0.01), (0, -0.01)]:
        assert log_lik(fit.alpha + da, fit.beta + db) < fit.log_likelihood  # a maximum


def test_counts_from_subscription_stops():
    # three subscribers: X stopped after 2 shipments, Y still open after 3, Z continued past the table
    rows = [("X", d) for d in ("2025-01-01", "2025-02-01")] + [
        ("Y", d) for d in ("2025-10-01", "2025-11-01", "2025-12-01")
    ]
    rows += [("Z", f"2025-{m:02d}-01") for m in range(1, 6)] + [("W", "2025-01-10")]
    orders = pd.DataFrame(rows, columns=["customer_id", "order_date"])
    orders["order_date"] = pd.to_datetime(orders["order_date"])
    orders["amount"] = 1000.0
    orders["is_subscription"] = True
    stops = friction.subscription_stops(orders, "2025-12-31", grace_days=60, max_shipment=3)
    counts = sbg.counts_from_stops(stops)
    # X churned at renewal 2, W at renewal 1 (one shipment, long ago), Y survived 2 renewals, Z at least 3
    assert counts["churned"].tolist() == [0, 1, 1, 0]
    assert counts["alive"].tolist() == [0, 0, 1, 1]
    # the table ends at shipment 3: Z (5 shipments) counts as alive after 3 renewals, nothing more
    proj = sbg.projection(sbg.fit_sbg(counts), counts, 6)
    assert proj.loc[1, "observed"] == pytest.approx(3 / 4)  # W of 4 stopped at renewal 1
    assert proj.loc[2, "observed"] == pytest.approx(3 / 4 * 2 / 3)  # X of the 3 at risk
    assert proj["beyond_data"].tolist() == [False, False, False, False, True, True, True]


def test_refuses_data_without_stops():
    with pytest.raises(ValueError, match="stops"):
        sbg.fit_sbg(sbg.counts_from_survivors([100, 100, 100]))
