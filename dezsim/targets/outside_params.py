"""Declared constants of the outside view and the generic indicator models, each once, with its reason.

These are statistical settings (prior strengths, interval levels, simulation sizes), not parameters of the SD
core or the agents, so they are kept out of :data:`dezsim.model.params.PARAMS` (whose members are drawn in ensembles)
but declared with the same :class:`~dezsim.model.params.Param` record: unit, default, bounds, source, doc.
"""

from __future__ import annotations

from dezsim.model.params import Param

_A = "assumption: "


def _c(name, unit, default, bounds, source, doc, group) -> Param:
    return Param(name, unit, default, bounds, "fixed", source, doc, group)


CONSTANTS: tuple[Param, ...] = (
    # --- outside view -----------------------------------------------------------------------------------
    _c("jeffreys_prior", "dimensionless", 0.5, (0.5, 0.5),
       "Jeffreys (1946): Beta(1/2, 1/2) is the invariant prior of a binomial rate; Brown, Cai & DasGupta (2001) "
       "show its interval keeps nominal coverage for small n", "pseudo-successes and pseudo-failures of the pooled "
       "rate's prior", "outside_view"),
    _c("class_prior_strength", "dimensionless", 4.0, (1.0, 100.0),
       _A + "a class's own share weighs as much as the pooled rate once it has 4 outcomes; classes hold 0-15 "
       "outcomes, so small classes stay near the pooled rate and the largest move most of the way to their own",
       "pseudo-targets of the pooled rate in each class's Beta prior (partial pooling)", "outside_view"),
    _c("interval_level", "dimensionless", 0.90, (0.5, 0.99),
       "the task asks for 90 % intervals (the reach report's bands use the same level)",
       "central probability mass of every reported interval", "outside_view"),
    _c("intercept_prior_sd", "dimensionless", 2.5, (0.5, 10.0),
       "Gelman et al. (2008, Ann. Appl. Stat. 2:1360) weakly informative logistic prior: a rate between 0.7 % "
       "and 99.3 % within 2 sd", "sd of the Normal prior on the logistic model's intercept (log-odds)",
       "outside_view"),
    _c("class_effect_prior_sd", "dimensionless", 1.0, (0.1, 5.0),
       _A + "classes' odds of meeting differ by at most about e^2 = 7x (2 sd) from the pooled odds; published "
       "Five-Year-plan reviews report class shares between about one half and nine tenths (issue 14)",
       "sd of the Normal prior (L2 penalty) pulling each class's log-odds offset toward the pooled rate",
       "outside_view"),
    _c("ambition_prior_sd", "dimensionless", 1.0, (0.1, 5.0),
       _A + "one sd more required growth changes the odds of meeting by at most about e^2 (2 sd); "
       "Gelman et al. (2008) scale for a standardised input", "sd of the Normal prior (L2 penalty) on the "
       "slope of log-odds on standardised required yearly growth", "outside_view"),
    _c("bootstrap_draws", "count", 2000, (200, 100000),
       "Efron & Tibshirani (1993, ch. 13): 1,000-2,000 resamples for percentile intervals",
       "resamples of the reference rows for the interval on the LOO score difference", "outside_view"),
    _c("calibration_bins", "count", 5, (2, 10),
       "reliability diagrams in the forecasting literature use 5-10 bins; 5 keeps about 10 rows per bin here",
       "equal-width bins of predicted probability in the calibration table", "outside_view"),
    # --- generic indicator models ---------------------------------------------------------------------------
    _c("indicator_paths", "count", 4000, (100, 1000000),
       "Monte Carlo error of a share p from N paths is sqrt(p(1-p)/N) <= 0.008 at N = 4000, below the 0.01 "
       "the report prints", "simulated paths per target of the level-trend model", "indicator_models"),
    _c("min_history_years", "count", 4, (2, 20),
       "dezsim.data.history.MIN_OVERLAP_YEARS: fewer yearly growth figures give too noisy a mean and sd",
       "yearly growth figures of the target's own series needed to use them instead of the class prior",
       "indicator_models"),
    _c("min_class_growth_rows", "count", 3, (2, 20),
       _A + "a mean and sd of achieved growth need at least 3 past targets; with fewer, all level classes pool",
       "reference rows with achieved growth a class needs for its own drift prior", "indicator_models"),
    _c("fallback_shock_sd", "1/year", 0.033, (0.0, 0.5),
       "China software revenue 2011-2020: detrended sd of yearly nominal growth 3.3 % points "
       "(data/history/series_to_2020.csv via dezsim.data.history.growth_summary); used only when that file is absent",
       "sd of yearly log-growth shocks when no history series gives one", "indicator_models"),
    _c("coverage_ceiling", "pct", 100.0, (50.0, 100.0),
       "a coverage or penetration share cannot exceed full coverage", "saturation level K of the logistic "
       "diffusion of a coverage share", "indicator_models"),
    _c("share_reporting_half_unit", "pct", 0.5, (0.0, 1.0),
       "plans and bulletins state shares in whole per cent, so 99.5 % is printed (and judged) as 100 %",
       "a diffusing share within this of its target counts as reaching it", "indicator_models"),
    _c("count_rate_prior_shape", "dimensionless", 0.5, (0.0, 1.0),
       "Jeffreys prior of a Poisson rate, Gamma(1/2, 0): the posterior after c events in L years is "
       "Gamma(c + 1/2, L)", "prior shape of the yearly rate of new items", "indicator_models"),
)

_BY_NAME = {p.name: p for p in CONSTANTS}


def value(name: str) -> float:
    """Default value of the declared constant ``name`` (KeyError names the unknown key)."""
    return _BY_NAME[name].default
