"""Estimators of growth shocks and drift from pre-2021 history, shared by the calibration and the backtest.

The calibration (:mod:`dezsim.calibration.calibrate`) and the rolling-origin backtest (:mod:`dezsim.calibration.validate`) must use the
same estimators, or the backtest would test a different model from the one that projects the targets:

- :func:`pooled_shock_sd`: the yearly shock sd, a detrended sd pooled over every series of one indicator and
  basis (the estimator the declared ``*_shock_sd`` rest on);
- :func:`pooled_drift_sd`: the drift's yearly step sd, a pooled local-level fit given that shock sd (the estimator
  of the declared ``*_drift_sd``);
- :func:`gdp_drift_now`: GDP's trend growth at the end of the fit years, the Kalman-filtered drift of the local-level
  model with its variance (:func:`dezsim.model.drift.filtered_drift`).

- :func:`forecast_filtered` and :func:`forecast_dezsim`: the growth equation's predictive distribution of the
  cumulative log growth over h years from an origin (the ``dezsim`` forecaster of the backtests).

Series are yearly log growth ln(1 + g/100), keyed (indicator, region, basis) (:func:`log_growth_series`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dezsim.data.history import detrended_sd, growth_table, load_series
from dezsim.model.drift import cumulative_variance, filtered_drift, lag_variance, local_level_fit

#: Fewest growth figures a series needs to be kept at all (a backtest needs a fit and an outcome).
MIN_SERIES_FIGURES = 3
#: Fewest figures through an origin for a series to enter the pooled shock sd (a detrended sd needs 4).
MIN_POOLED_FIGURES = 4


def log_growth_series(series: pd.DataFrame | None = None) -> dict[tuple[str, str, str], pd.Series]:
    """Every yearly growth series of ``data/history`` as log growth, keyed (indicator, region, basis)."""
    s = load_series() if series is None else series
    out = {}
    for basis in ("real", "nominal"):
        for (region, indicator), col in growth_table(s, basis).items():
            col = col.dropna()
            if len(col) >= MIN_SERIES_FIGURES:
                out[(indicator, region, basis)] = np.log1p(col / 100.0)
    return out


def pooled_shock_sd(all_series: dict, key: tuple[str, str, str], origin: int) -> float:
    """Detrended sd pooled (by residual degrees of freedom) over series of ``key``'s indicator and basis with
    >= :data:`MIN_POOLED_FIGURES` figures through ``origin``; the series' own sd (ddof=1) when none has."""
    num = den = 0.0
    for (indicator, _, basis), x in all_series.items():
        fit = x.loc[:origin]
        if indicator == key[0] and basis == key[2] and len(fit) >= MIN_POOLED_FIGURES:
            num += (len(fit) - 2) * detrended_sd(fit) ** 2
            den += len(fit) - 2
    return float(np.sqrt(num / den)) if den else float(all_series[key].loc[:origin].std(ddof=1))


def _through(x: pd.Series, origin: int) -> np.ndarray:
    """``x`` through ``origin`` over consecutive years (NaN where a year has no figure)."""
    fit = x.loc[:origin]
    return fit.reindex(range(int(fit.index.min()), origin + 1)).to_numpy(dtype=float)


def pooled_drift_sd(all_series: dict, key: tuple[str, str, str], origin: int, sigma: float) -> float | None:
    """Drift step sd (1/year per year) of the local-level model fitted, given shock sd ``sigma``, to every series
    of ``key``'s indicator and basis through ``origin`` (None when none is long enough)."""
    same = [x for (indicator, _, basis), x in all_series.items() if (indicator, basis) == (key[0], key[2])]
    fit = local_level_fit([_through(x, origin) for x in same if len(x.loc[:origin])], sigma_eps=sigma)
    return None if fit is None else fit[1]


@dataclass(frozen=True)
class DriftNow:
    """A series' trend growth after ``origin`` (log growth per year) and what it rests on."""

    drift: float       # Kalman-filtered drift
    variance: float    # its filtered variance
    sigma: float       # shock sd used (pooled)
    tau: float         # drift step sd used (pooled)
    window_mean: float  # plain mean log growth over the last ``window`` years through the origin
    window: int


def drift_now(all_series: dict, key: tuple[str, str, str], origin: int, window: int) -> DriftNow | None:
    """The filtered drift of series ``key`` after ``origin``, with the pooled sds through ``origin``; None when no
    drift sd can be fitted."""
    sigma = pooled_shock_sd(all_series, key, origin)
    tau = pooled_drift_sd(all_series, key, origin, sigma)
    if tau is None:
        return None
    m, p = filtered_drift(_through(all_series[key], origin), sigma, tau)
    last = all_series[key].loc[:origin]
    return DriftNow(m, p, sigma, tau, float(last[last.index > origin - window].mean()), window)


def forecast_filtered(now: DriftNow, h: int) -> tuple[float, float]:
    """Drift = the Kalman-filtered drift at the origin (as GDP's is calibrated); shocks, the filtered drift's
    variance and its random walk over the horizon (mean and sd of the cumulative log growth)."""
    var = h * now.sigma ** 2 + h ** 2 * now.variance + cumulative_variance(h) * now.tau ** 2
    return h * now.drift, float(np.sqrt(var))


def forecast_dezsim(fit: pd.Series, h: int, sigma: float, tau: float, window: int) -> tuple[float, float]:
    """Drift = mean over the calibration window (as the core industries' are calibrated); shocks, the drift's
    estimation error and lag, and its random walk over the horizon (mean and sd of the cumulative log growth;
    ``tau`` = 0 fixes the drift)."""
    last = fit[fit.index > fit.index.max() - window]
    last = last if len(last) >= 2 else fit
    mu, n = float(last.mean()), len(last)
    var = h * sigma ** 2 + h ** 2 * (sigma ** 2 / n + lag_variance(n) * tau ** 2) + cumulative_variance(h) * tau ** 2
    return h * mu, float(np.sqrt(var))


def forecast_model(now: DriftNow, fit: pd.Series, h: int, filtered: bool) -> tuple[float, float]:
    """The growth equation's forecast as the model uses it: the filtered drift for a rate calibrated that way
    (GDP), the window mean otherwise (mean and sd of the cumulative log growth over ``h`` years)."""
    return forecast_filtered(now, h) if filtered else forecast_dezsim(fit, h, now.sigma, now.tau, now.window)
