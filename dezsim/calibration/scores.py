"""Proper scores and calibration checks for Gaussian predictive distributions (Gneiting & Raftery 2007).

All functions are vectorised over numpy arrays: ``mean`` and ``sd`` describe a normal forecast, ``y`` the value
that happened, in the same unit (here: cumulative log growth).
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm


def crps_normal(mean, sd, y) -> np.ndarray:
    """Continuous ranked probability score of N(mean, sd^2) at ``y`` (lower is better; the unit of ``y``).

    Closed form (Gneiting & Raftery 2007, eq. 21): ``sd * (z (2 Phi(z) - 1) + 2 phi(z) - 1 / sqrt(pi))`` with
    ``z = (y - mean) / sd``.
    """
    mean, sd, y = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (mean, sd, y)))
    z = (y - mean) / sd
    return sd * (z * (2 * norm.cdf(z) - 1) + 2 * norm.pdf(z) - 1 / np.sqrt(np.pi))


def central_interval(mean, sd, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper ends of the central ``level`` (e.g. 0.8) interval of N(mean, sd^2)."""
    half = norm.ppf(0.5 + level / 2) * np.asarray(sd, dtype=float)
    return np.asarray(mean, dtype=float) - half, np.asarray(mean, dtype=float) + half


def interval_score(lower, upper, y, level: float) -> np.ndarray:
    """Interval score of the central ``level`` interval [lower, upper] (Gneiting & Raftery 2007, eq. 43):
    width plus ``2 / alpha`` times the distance by which ``y`` falls outside, ``alpha = 1 - level``."""
    lower, upper, y = (np.asarray(a, dtype=float) for a in (lower, upper, y))
    alpha = 1.0 - level
    return (upper - lower) + 2 / alpha * (np.maximum(lower - y, 0.0) + np.maximum(y - upper, 0.0))


def covered(mean, sd, y, level: float) -> np.ndarray:
    """Whether ``y`` lies inside the central ``level`` interval (bool array)."""
    lower, upper = central_interval(mean, sd, level)
    y = np.asarray(y, dtype=float)
    return (y >= lower) & (y <= upper)


def pit(mean, sd, y) -> np.ndarray:
    """Probability integral transform: the forecast CDF at ``y`` (uniform on [0, 1] for a calibrated forecast)."""
    return norm.cdf((np.asarray(y, dtype=float) - np.asarray(mean, dtype=float)) / np.asarray(sd, dtype=float))


def ape_level(mean, y) -> np.ndarray:
    """Absolute percentage error (%) of the median level forecast, for log-scale ``mean`` and ``y`` (the level
    relative to the origin's is ``exp`` of the cumulative log growth)."""
    return 100.0 * np.abs(np.expm1(np.asarray(mean, dtype=float) - np.asarray(y, dtype=float)))
