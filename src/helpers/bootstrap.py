"""Bootstrap building blocks: resampling customers as counts, and the interval read off the resamples.

Resampling *n* customers with replacement is the same as drawing, for each
customer, how many times they are in the resample: a multinomial vector of
counts adding up to *n*.  When many customers share the same values (the same
answers, the same duration), the distinct rows can stand for them: the
counts per distinct row are again multinomial, with probabilities
``count / n``.  Every estimator that is a sum over customers then becomes a
weighted sum, and a batch of resamples a matrix product.

Intervals are percentile intervals: the (1 - level)/2 and (1 + level)/2
quantiles of the statistic over the resamples.  For a statistic bounded
below at 0 (a share of R², a gain that is a maximum with 0) whose estimate
is near 0, the resamples can only scatter upwards: the interval may then
lie just above the estimate, which reads "indistinguishable from 0".
"""

from __future__ import annotations

import warnings

import numpy as np

#: Default number of resamples of the money and key-driver bootstraps.
RESAMPLES = 200
#: Default seed.
SEED = 20251231


def resample_counts(rng: np.random.Generator, counts: np.ndarray, size: int) -> np.ndarray:
    """How often each distinct row is drawn in ``size`` resamples of all customers.

    Parameters
    ----------
    rng : numpy.random.Generator
    counts : numpy.ndarray
        Customers per distinct row (all 1 when every customer is a row).
    size : int
        Number of resamples.

    Returns
    -------
    numpy.ndarray
        Float array (size, len(counts)); each row adds up to ``counts.sum()``.
    """
    counts = np.asarray(counts, dtype=np.int64)
    n = int(counts.sum())
    if (counts == 1).all():
        draws = rng.integers(0, n, size=(size, n))
        offsets = (np.arange(size) * n)[:, None]
        return np.bincount((draws + offsets).ravel(), minlength=size * n).reshape(size, n).astype(float)
    return rng.multinomial(n, counts / n, size=size).astype(float)


def percentile_interval(resamples: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval of bootstrap resamples, per column (NaN resamples ignored).

    Parameters
    ----------
    resamples : numpy.ndarray
        Shape (B,) or (B, k): the statistic in each resample.
    level : float
        Confidence level.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Lower and upper ends, shape () or (k,); NaN where every resample is NaN.
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level!r}")
    values = np.asarray(resamples, dtype=float)
    tail = (1 - level) / 2 * 100
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns stay NaN
        low, high = np.nanpercentile(values, [tail, 100 - tail], axis=0)
    return low, high
