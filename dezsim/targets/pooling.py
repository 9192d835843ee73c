"""The combined p: one probability per target from its inside and outside views, by a logistic pool fitted on
past plans' targets with known outcomes (``dezsim backtest``, :mod:`dezsim.targets.backtest`).

    logit p = a + b_outside logit p_outside + b_inside logit p_inside

The inside term enters only where the target has an inside view whose mechanism the backtest scores
(:data:`POOLED_INDICATORS`: the growth equation of the SD core's money stocks); elsewhere ``b_inside`` counts as
zero, so the combined p is the outside view recalibrated by ``a`` and ``b_outside``. Why not a weighted average
of the two views' logits (``w`` and ``1 - w``): such a pool can only move between the views, while the backtest
shows the outside view's class rates are too timid (calibration slope near 2: past targets were met or missed
more decisively than their class rates say); a free ``b_outside`` can sharpen them, ``a`` can correct a bias,
and ``b_inside`` says how much the mechanism adds (Satopää et al. 2014, Int. J. Forecasting 30:344, on
extremising pooled logits).

Estimation: maximum a posteriori with Normal priors centred on the outside view alone (``a = 0``,
``b_outside = 1``, ``b_inside = 0``), one prior sd ``s`` for all three, so with little evidence the pool stays
the outside view. ``s`` comes from the declared :data:`PRIOR_SD_GRID`, chosen by the mean log score on held-out
plans (leave one plan out; ties go to the smaller ``s``, closer to the outside view). The backtest scores the
pool with that choice nested inside its own leave-one-plan-out loop, so no held-out target informs its own p.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

#: Indicators (of past or plan targets) whose inside view is the growth equation the backtest scores: GDP and
#: the SD core's money stocks and shares built on it. Every other inside view (the agents, 5G build-out, PUE,
#: patents, generic indicator trends) rests on parameters no past outcome has scored, so it is not pooled.
POOLED_INDICATORS = frozenset({"gdp", "gdp_growth", "core_industry_va", "core_industry_share_gdp",
                               "ei_manufacturing_revenue", "software_revenue"})
#: Prior sds tried (log-odds per unit logit): 1/8 keeps the pool within a few per cent of the outside view,
#: 2 lets a dozen targets move it freely (Gelman et al. 2008 scale 2.5 is the weakly informative end).
PRIOR_SD_GRID = (0.125, 0.25, 0.5, 1.0, 2.0)
#: Prior mean of (a, b_outside, b_inside): the outside view alone.
PRIOR_MEAN = (0.0, 1.0, 0.0)
#: Probabilities are kept inside [EPS, 1 - EPS] before a logit or a log score (a normal tail can round to 0).
EPS = 1e-3
#: File (in the calibration folder) where ``dezsim backtest`` stores the fitted pool with its scores.
STORE = "backtest_targets.json"
#: Newton iterations and step tolerance of the fit (a 3-parameter concave problem: converges in < 10).
MAX_ITER, TOL = 100, 1e-10


def logit(p: np.ndarray) -> np.ndarray:
    """Log-odds of ``p`` kept inside [EPS, 1 - EPS] (NaN stays NaN)."""
    return stats.logistic.ppf(np.clip(np.asarray(p, float), EPS, 1 - EPS))


@dataclass(frozen=True)
class Pool:
    """A fitted pool: ``logit p = intercept + outside logit p_outside + inside logit p_inside``."""

    intercept: float
    outside: float
    inside: float
    prior_sd: float
    targets: int  # past targets it was fitted on

    @classmethod
    def outside_view(cls) -> Pool:
        """The pool before any evidence: the outside view unchanged."""
        return cls(*PRIOR_MEAN, prior_sd=0.0, targets=0)

    def predict(self, p_inside: np.ndarray, p_outside: np.ndarray) -> np.ndarray:
        """The combined p; ``p_inside`` NaN where the target has no pooled inside view, ``p_outside`` NaN where it
        has no outside view (then the inside view alone, or NaN)."""
        p_inside, p_outside = np.asarray(p_inside, float), np.asarray(p_outside, float)
        z = _design(p_inside, np.nan_to_num(p_outside, nan=0.5)) @ np.array([self.intercept, self.outside, self.inside])
        return np.where(np.isfinite(p_outside), stats.logistic.cdf(z), p_inside)


def _design(p_inside: np.ndarray, p_outside: np.ndarray) -> np.ndarray:
    x_in = np.where(np.isfinite(p_inside), logit(np.nan_to_num(p_inside, nan=0.5)), 0.0)
    return np.column_stack([np.ones(len(p_outside)), logit(p_outside), x_in])


def fit(frame: pd.DataFrame, prior_sd: float) -> Pool:
    """MAP fit on ``frame`` (columns ``p_inside`` (NaN: none), ``p_outside``, ``met`` 0/1) with prior sd ``prior_sd``."""
    x = _design(frame.p_inside.to_numpy(float), frame.p_outside.to_numpy(float))
    y = frame.met.to_numpy(float)
    mean = np.array(PRIOR_MEAN)
    precision = np.eye(3) / prior_sd ** 2
    beta = mean.copy()
    for _ in range(MAX_ITER):
        mu = stats.logistic.cdf(x @ beta)
        grad = x.T @ (y - mu) - precision @ (beta - mean)
        hess = x.T @ (x * (mu * (1 - mu))[:, None]) + precision
        step = np.linalg.solve(hess, grad)
        beta = beta + step
        if np.max(np.abs(step)) < TOL:
            break
    return Pool(float(beta[0]), float(beta[1]), float(beta[2]), float(prior_sd), len(frame))


def log_loss(p: np.ndarray, met: np.ndarray) -> float:
    """Mean log loss -log(p if met else 1 - p)."""
    p = np.clip(np.asarray(p, float), EPS, 1 - EPS)
    return float(-np.mean(np.where(np.asarray(met) == 1, np.log(p), np.log1p(-p))))


def held_out(frame: pd.DataFrame, prior_sd: float | None = None) -> np.ndarray:
    """Every row's combined p from a pool fitted on the other plans (column ``plan``); ``prior_sd`` None chooses
    it on those other plans too (:func:`choose_prior_sd`, nested)."""
    out = np.empty(len(frame))
    plans = frame.plan.to_numpy()
    for plan in pd.unique(plans):
        held = plans == plan
        rest = frame[~held]
        s = choose_prior_sd(rest) if prior_sd is None else prior_sd
        out[held] = fit(rest, s).predict(frame.p_inside[held].to_numpy(float), frame.p_outside[held].to_numpy(float))
    return out


def choose_prior_sd(frame: pd.DataFrame) -> float:
    """The grid prior sd with the best leave-one-plan-out mean log score on ``frame`` (ties: the smaller)."""
    if frame.plan.nunique() < 2:
        return PRIOR_SD_GRID[0]
    best, score = PRIOR_SD_GRID[0], np.inf
    for s in PRIOR_SD_GRID:
        loss = log_loss(held_out(frame, s), frame.met.to_numpy())
        if loss < score - 1e-12:
            best, score = s, loss
    return best


def fit_chosen(frame: pd.DataFrame) -> Pool:
    """The pool the report uses: prior sd chosen on ``frame`` (leave one plan out), then fitted on all of it."""
    return fit(frame, choose_prior_sd(frame))


def save(pool: Pool) -> dict:
    """The JSON record of ``pool`` (stored in ``backtest_targets.json`` under ``pool``)."""
    return asdict(pool)


def stored(folder: Path | None = None) -> Pool | None:
    """The pool ``dezsim backtest`` fitted (None when it has not been run in ``folder``, default the calibration
    folder)."""
    from dezsim.resources import calibration_root

    path = (folder or calibration_root()) / STORE
    if not path.exists():
        return None
    record = json.loads(path.read_text(encoding="utf-8")).get("pool")
    return None if record is None else Pool(**record)
