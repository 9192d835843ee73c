"""Generic indicator models: a probability for targets with a baseline but no mechanism in the model.

Every target gets one :class:`Tier` of evidence: the SD core (``sd``), the agents (``agents``), a generic
model of the indicator's own path (``indicator_trend``) or only the reference class (``outside_view``). This
module provides the ``indicator_trend`` tier as three :class:`GenericModel` functions with one signature,
``f(case, rng, n_paths) -> Estimate``:

- :func:`p_level_trend` — log-linear growth with yearly shocks: log X_{t+1} = log X_t + mu + sigma e_t, the
  drift mu drawn once per path from N(rate, rate_sd) (how fast comparable indicators grew), e_t ~ N(0, 1);
  p = share of paths on the target's side of its value in the target year.
- :func:`p_logistic_diffusion` — a coverage share diffusing toward the ceiling K:
  s(t) = K / (1 + (K / s0 - 1) exp(-r t)), r = rate x exp(rate_sd z), z ~ N(0, 1); p = share of paths within
  the reporting half-unit of the target (closed form, :func:`diffusion_closed_form`, is tested against it).
- :func:`p_period_count` — new items within a period: N ~ Poisson(lambda h), lambda ~ Gamma with mean ``rate``
  and sd ``rate_sd`` (rate_sd = 0: Poisson; else negative binomial); p = P(N >= target), exact.

Which model a plan target gets, and its parameters, is decided by :mod:`dezsim.targets.indicator_priors` from pre-2021
figures only. One seed gives one :class:`numpy.random.SeedSequence` per target (:func:`target_rng`).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

import numpy as np
from scipy import stats

from dezsim.base.errors import ConfigError
from dezsim.base.seeding import root_sequence
from dezsim.targets.outside_params import value

#: Child index of the indicator models' streams under the root seed; dezsim.base.seeding.COMPONENTS uses 0-3 and
#: this value stays clear of any component added there.
STREAM = 1001


class Tier(str, Enum):
    """Where a target's probability comes from."""

    SD = "sd"
    AGENTS = "agents"
    INDICATOR_TREND = "indicator_trend"
    OUTSIDE_VIEW = "outside_view"


class GenericModel(str, Enum):
    """The generic models of the ``indicator_trend`` tier."""

    LEVEL_TREND = "level_trend"
    LOGISTIC_DIFFUSION = "logistic_diffusion"
    PERIOD_COUNT = "period_count"


@dataclass(frozen=True)
class Case:
    """One target for a generic model.

    Attributes
    ----------
    baseline : float
        Level (trend), share in pct (diffusion) or unused (counts) at ``baseline_year``.
    target : float
        Value to reach (level, share in pct, or count of new items).
    years : int
        Horizon in years: target year minus baseline year (counts: years in the target's period).
    direction : int
        +1 when the indicator must reach at least ``target``, -1 when at most.
    rate, rate_sd : float
        Trend: mean and sd of the drift (1/year, log-growth). Diffusion: median logistic rate (1/year) and sd of
        its log. Counts: mean and sd of the yearly rate of new items (count/year).
    shock_sd : float
        Trend only: sd of the yearly log-growth shock (1/year).
    """

    baseline: float
    target: float
    years: int
    direction: int = 1
    rate: float = 0.0
    rate_sd: float = 0.0
    shock_sd: float = 0.0

    def __post_init__(self) -> None:
        if self.years < 1 or self.direction not in (1, -1) or min(self.rate_sd, self.shock_sd) < 0:
            raise ConfigError(f"indicator case {self}: allowed years >= 1, direction +1/-1, sds >= 0")


@dataclass(frozen=True)
class Estimate:
    """Probability of reaching the target and its Monte Carlo standard error (0 for exact answers)."""

    p: float
    mc_se: float


def target_rng(seed: int | None, target_id: str) -> np.random.Generator:
    """Generator for one target: same (seed, target_id) -> same numbers, whatever else is drawn."""
    root = root_sequence(seed)
    key = zlib.crc32(target_id.encode("utf-8"))
    return np.random.default_rng(np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, STREAM, key)))


def _share(hit: np.ndarray) -> Estimate:
    p = float(np.mean(hit))
    return Estimate(p, float(np.sqrt(p * (1 - p) / len(hit))))


def p_level_trend(case: Case, rng: np.random.Generator, n_paths: int) -> Estimate:
    """Share of log-linear paths with yearly shocks that reach the target in the target year."""
    if case.baseline <= 0 or case.target <= 0:
        raise ConfigError(f"level trend: baseline {case.baseline} and target {case.target} must be > 0")
    drift = case.rate + case.rate_sd * rng.standard_normal(n_paths)
    shocks = case.shock_sd * rng.standard_normal((n_paths, case.years))
    log_end = np.log(case.baseline) + case.years * drift + shocks.sum(axis=1)
    return _share(case.direction * (log_end - np.log(case.target)) >= 0)


def diffusion_share(s0: float, rate: np.ndarray, years: float, ceiling: float) -> np.ndarray:
    """Logistic share after ``years`` from ``s0`` (pct) at ``rate`` (1/year) toward ``ceiling`` (pct)."""
    return ceiling / (1.0 + (ceiling / s0 - 1.0) * np.exp(-rate * years))


def _check_share(case: Case, ceiling: float) -> None:
    if not 0 < case.baseline <= ceiling or case.direction != 1 or case.rate <= 0:
        raise ConfigError(f"logistic diffusion: baseline {case.baseline} pct must be in (0, {ceiling}], "
                          f"direction +1 and rate {case.rate} > 0")


def p_logistic_diffusion(case: Case, rng: np.random.Generator, n_paths: int) -> Estimate:
    """Share of logistic diffusion paths (rate drawn log-normally) within the reporting half-unit of the target."""
    ceiling = value("coverage_ceiling")
    _check_share(case, ceiling)
    rate = case.rate * np.exp(case.rate_sd * rng.standard_normal(n_paths))
    end = diffusion_share(case.baseline, rate, case.years, ceiling)
    return _share(end >= case.target - value("share_reporting_half_unit"))


def diffusion_closed_form(case: Case) -> float:
    """Exact p of :func:`p_logistic_diffusion`: P(r >= r*), r* the rate that just reaches the target."""
    ceiling = value("coverage_ceiling")
    _check_share(case, ceiling)
    goal = case.target - value("share_reporting_half_unit")
    if case.baseline >= goal:
        return 1.0
    if goal >= ceiling:
        return 0.0
    r_star = np.log((ceiling / case.baseline - 1.0) / (ceiling / goal - 1.0)) / case.years
    if case.rate_sd == 0:
        return float(case.rate >= r_star)
    return float(stats.norm.sf((np.log(r_star) - np.log(case.rate)) / case.rate_sd))


def p_period_count(case: Case, rng: np.random.Generator, n_paths: int) -> Estimate:
    """P(new items within the period >= target): Poisson, or negative binomial when the rate is uncertain.

    ``rng`` and ``n_paths`` are unused (the answer is exact); they keep the tier's common signature.
    """
    if case.rate <= 0 or case.direction != 1:
        raise ConfigError(f"period count: rate {case.rate} must be > 0 and direction +1")
    need = np.ceil(case.target) - 1
    mean = case.rate * case.years
    if case.rate_sd == 0:
        return Estimate(float(stats.poisson.sf(need, mean)), 0.0)
    shape = (case.rate / case.rate_sd) ** 2
    scale = case.rate_sd ** 2 / case.rate
    return Estimate(float(stats.nbinom.sf(need, shape, 1.0 / (1.0 + scale * case.years))), 0.0)


MODELS: dict[GenericModel, Callable[[Case, np.random.Generator, int], Estimate]] = {
    GenericModel.LEVEL_TREND: p_level_trend,
    GenericModel.LOGISTIC_DIFFUSION: p_logistic_diffusion,
    GenericModel.PERIOD_COUNT: p_period_count,
}
