"""Persistent drift of the trend growth rates: a random walk estimated from pre-2021 history, and its draws.

Why: before 2021 growth did not swing around a fixed trend; the trend itself moved (China's real GDP growth went
from 9.5 % in 2011 to 6 % in 2019, software revenue growth from 28 % to 13 %). A model whose drift is fixed at its
calibrated value misses that: the first rolling-origin backtests (``dezsim validate``) held 1 outcome in 8 inside
the nominal 80 % interval. The standard answer is the local-level model of yearly log growth g_t:

    g_t = mu_t + eps_t,   eps_t ~ N(0, sigma_eps^2)      (the yearly shock, :mod:`dezsim.model.noise`)
    mu_t = mu_{t-1} + eta_t,   eta_t ~ N(0, sigma_eta^2)  (the drift's yearly step, declared ``<rate>_drift_sd``)

:func:`local_level_fit` estimates both sds by maximum likelihood pooled over several series (a Kalman filter);
:func:`cumulative_variance` and :func:`lag_variance` give the closed forms the backtest and the draws share; and
:func:`draw_drift_paths` gives each run and leaf its drift path over the simulated years.

How the simulation uses it: in simulated year k the trend growth rate (``gdp_growth`` etc.) gets the additive
term ``D[k] = D_lag + eta_1 + ... + eta_{k+1}``. ``eta`` is the declared sd times correlated normals with the
common/city structure of the rate's shocks (:func:`dezsim.model.noise.draw_shocks`, stream ``drift``; a board follows its
city, since boards' own persistent differences are the region offsets of :mod:`dezsim.model.regions_effects`).
``D_lag`` is how far the drift may have moved between the calibrated value and 2020 (:func:`start_variance`):
GDP's calibrated drift is the Kalman-filtered drift after :data:`GDP_FILTER_LAST_YEAR` (rates in
:data:`FILTERED`), so D_lag is the one unobserved step of 2020; the core industries' is a mean over the
:data:`WINDOW_YEARS` years to 2020, so D_lag has variance :func:`lag_variance` x sd^2.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy import optimize

from dezsim.model.noise import Tree, draw_shocks

#: Rates with a drifting trend (additive to ``<rate>_growth``-type parameters, 1/year; see dezsim.model.process_noise).
DRIFTING = ("gdp", "ei", "sw", "oc")
#: Years each trend growth rate is calibrated over by dezsim.calibration.calibrate (GDP: Suzhou 2015 -> 2019; EI and
#: software: Jiangsu's 13th-FYP growth 2015 -> 2020; the other core industries have no figure and take the same
#: five years as a prior window). The calibrated drift is a mean over these years; the draws add how far
#: today's drift may be from it.
WINDOW_YEARS = {"gdp": 4, "ei": 5, "sw": 5, "oc": 5}

#: Rates whose calibrated drift is the Kalman-filtered drift of a yearly series (dezsim.calibration.calibrate): only GDP has
#: yearly series long enough; the core industries have one multi-year average each.
FILTERED = ("gdp",)
#: Last year the GDP filter reads: 2020's growth was the pandemic shock, not a change of trend, so the drift takes
#: its 2020 step unobserved (2019 was the last year of the backtests' fits too).
GDP_FILTER_LAST_YEAR = 2019
#: Last year before the first simulated one (the calibration cut-off).
LAST_OBSERVED_YEAR = 2020

#: Fewest yearly growth figures a series needs to take part in the pooled fit (two differences and a level).
MIN_FIT_FIGURES = 4


def cumulative_variance(h: int) -> float:
    """Variance of the summed drift over h years, in units of sigma_eta^2: sum_{i=1..h} (h - i + 1)^2."""
    return h * (h + 1) * (2 * h + 1) / 6.0


def lag_variance(n: int) -> float:
    """Variance of (drift now - mean drift over the last n years), in units of sigma_eta^2.

    The mean of mu_{t-n+1..t} differs from mu_t by sum_j (j / n) eta_{t-j+1}, j = 1..n-1.
    """
    return (n - 1) * (2 * n - 1) / (6.0 * n)


def _filter_loglik(y: np.ndarray, var_eps: float, var_eta: float) -> float:
    """Log-likelihood of one series (NaN = a missing year), conditioned on its first figure as the initial drift
    with variance ``var_eps`` (what a single yearly figure says about the drift)."""
    first = int(np.flatnonzero(np.isfinite(y))[0])
    m, p, ll = float(y[first]), var_eps, 0.0
    for yt in y[first + 1:]:
        p += var_eta
        if not np.isfinite(yt):
            continue
        f = p + var_eps
        e = yt - m
        ll -= 0.5 * (np.log(2 * np.pi * f) + e * e / f)
        gain = p / f
        m, p = m + gain * e, (1 - gain) * p
    return ll


def start_variance(rate: str) -> float:
    """Variance of D_lag, in units of sigma_eta^2, for ``rate`` (a key of :data:`WINDOW_YEARS`)."""
    if rate in FILTERED:
        return float(LAST_OBSERVED_YEAR - GDP_FILTER_LAST_YEAR)
    return lag_variance(WINDOW_YEARS[rate])


def filtered_drift(y: np.ndarray, sigma_eps: float, sigma_eta: float) -> tuple[float, float]:
    """Kalman-filtered drift after the last year of ``y`` and its variance (1/year, (1/year)^2).

    ``y`` is yearly log growth over consecutive years, NaN for a year without a figure (or one left out, such as
    a pandemic year: the drift then takes its step without an observation). The first figure starts the filter
    as the drift with variance sigma_eps^2 (what one yearly figure says about it), as in :func:`local_level_fit`.
    """
    y = np.asarray(y, dtype=float)
    first = int(np.flatnonzero(np.isfinite(y))[0])
    m, p = float(y[first]), sigma_eps ** 2
    for yt in y[first + 1:]:
        p += sigma_eta ** 2
        if np.isfinite(yt):
            gain = p / (p + sigma_eps ** 2)
            m, p = m + gain * (yt - m), (1 - gain) * p
    return m, p


def local_level_fit(series: Sequence[np.ndarray], sigma_eps: float | None = None) -> tuple[float, float] | None:
    """Pooled maximum-likelihood sds (sigma_eps, sigma_eta) of the local-level model, log growth per year.

    Parameters
    ----------
    series : sequence of ndarray
        Yearly log growth (ln(1 + g)), one array per series over consecutive years, NaN for a missing year. Series
        with fewer than :data:`MIN_FIT_FIGURES` figures are left out.
    sigma_eps : float, optional
        The yearly shock sd (1/year) when it is known from elsewhere. With a few short series the two sds are
        hard to tell apart (the likelihood is nearly flat along sigma_eps^2 + sigma_eta^2, and the joint fit
        often puts all variance in one of them), so the model fixes sigma_eps at the detrended-sd estimate its
        declared ``<rate>_shock_sd`` rests on and fits sigma_eta alone.

    Returns
    -------
    tuple of float or None
        (sigma_eps, sigma_eta) in 1/year, or None when no series is long enough.
    """
    used = [np.asarray(s, dtype=float) for s in series if np.isfinite(s).sum() >= MIN_FIT_FIGURES]
    if not used:
        return None
    spread = float(np.nanstd(np.concatenate(used))) or 1e-3
    if sigma_eps is not None:
        def nll_eta(theta: float) -> float:
            return -sum(_filter_loglik(y, sigma_eps ** 2, float(np.exp(theta))) for y in used)

        hi = np.log(max(spread, sigma_eps) ** 2 * 4)
        best = optimize.minimize_scalar(nll_eta, bounds=(hi - 14.0, hi), method="bounded")
        return float(sigma_eps), float(np.sqrt(np.exp(best.x)))

    def nll(theta: np.ndarray) -> float:
        var_eps, var_eta = np.exp(theta)
        return -sum(_filter_loglik(y, var_eps, var_eta) for y in used)

    start = np.log([spread ** 2 / 2, spread ** 2 / 4])
    best = optimize.minimize(nll, start, method="Nelder-Mead", options={"xatol": 1e-4, "fatol": 1e-8})
    var_eps, var_eta = np.exp(best.x)
    return float(np.sqrt(var_eps)), float(np.sqrt(var_eta))


def draw_drift_paths(seed: int | None, runs: Sequence[int], tree: Tree, n_years: int,
                     sds: Mapping[str, float | np.ndarray], common: Mapping[str, float | np.ndarray],
                     start: Mapping[str, float]) -> dict[str, np.ndarray]:
    """Drift paths D (1/year), shape (run, leaf, year), for each rate of ``sds`` (a subset of :data:`DRIFTING`).

    Parameters
    ----------
    seed, runs, tree
        As :func:`dezsim.model.noise.draw_shocks` (run k's paths do not depend on the other runs drawn).
    n_years : int
        Simulated years.
    sds : mapping rate -> float or array (runs,)
        ``<rate>_drift_sd``: sd of the drift's yearly step (1/year per year).
    common : mapping rate -> float or array (runs,)
        Common share of the step's variance across cities (``<rate>_shock_common``).
    start : mapping rate -> float
        Variance of ``D_lag`` in units of the step variance (:func:`start_variance`).
    """
    steps = draw_shocks(seed, runs, tree, range(n_years + 1), sds=sds, common=common, board_ratio=0.0,
                        component="drift")
    out = {}
    for rate, z in steps.items():
        lag = z[:, :, :1] * np.sqrt(float(start[rate]))
        out[rate] = lag + np.cumsum(z[:, :, 1:], axis=2)
    return out
