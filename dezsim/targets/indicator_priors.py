"""Which generic indicator model a plan target gets, and its parameters, from pre-2021 figures only.

- A ``new_in_period`` target with a yearly-flow baseline -> :attr:`GenericModel.PERIOD_COUNT`; the yearly rate
  has the Jeffreys-Gamma posterior of the baseline count: Gamma(c + 1/2, L) for c items in L years.
- A ``coverage_share`` target in pct with a share baseline -> :attr:`GenericModel.LOGISTIC_DIFFUSION`; the rate
  prior is log-normal, fitted to the logistic rates achieved by past coverage targets (reference class, outcomes
  up to 2020: broadband, fibre and 4G penetration).
- Any other level target with a comparable baseline -> :attr:`GenericModel.LEVEL_TREND`; the drift is the
  target's own yearly growth history (``data/history``) when it has enough years, else the yearly log-growth
  achieved by past targets of its class (or of all level classes when the class has too few); the shock sd is
  the own history's detrended sd, else the median over the history's non-GDP series, else a declared fallback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import special

from dezsim.data import reference_targets as rt
from dezsim.targets.indicator_models import MODELS, Case, GenericModel, Tier, target_rng
from dezsim.targets.outside_model import DIRECTION, reference_rows
from dezsim.targets.outside_params import value
from dezsim.targets.target_baselines import plan_targets

COLUMNS = ["target_id", "tier", "indicator_model", "p_indicator", "p_indicator_mc_se", "indicator_basis"]


@dataclass(frozen=True)
class Priors:
    """Pre-2021 evidence the generic models draw on."""

    growth: pd.DataFrame      # reference rows with achieved yearly log-growth: class, g (actual, unsigned)
    diffusion: np.ndarray     # logistic rates (1/year) achieved by past coverage targets
    history: pd.DataFrame     # dezsim.data.history.growth_summary rows (nominal), possibly empty
    shock_sd: float           # generic yearly shock sd (1/year)
    shock_source: str


def load_priors(ref: rt.ReferenceTargets, root: Path | str) -> Priors:
    """Gather the priors from the reference class and, when present, ``<root>/history``."""
    rows = reference_rows(ref)
    rows = rows[np.isfinite(rows.g_ach) & (rows["class"] != "coverage_share")]
    growth = pd.DataFrame({"class": rows["class"], "g": rows.direction * rows.g_ach})
    history, shock, source = _history(root)
    return Priors(growth, diffusion_rates(ref), history, shock, source)


def _history(root) -> tuple[pd.DataFrame, float, str]:
    """History growth summary and generic shock sd; the declared fallback only when the history is absent
    (a malformed history file raises its own DataError rather than being skipped)."""
    fallback = value("fallback_shock_sd")
    none = pd.DataFrame(columns=["region", "indicator", "n_years"]), fallback, "declared fallback_shock_sd"
    try:
        from dezsim.data import history
    except ImportError:
        return none
    if not (Path(root) / "history" / "series_to_2020.csv").is_file():
        return none
    summary = history.growth_summary(history.load_series(root=root))
    summary = summary[summary.basis == "nominal"]
    sds = summary[(summary.indicator != "gdp") & summary.sd_detrended_pct.notna()].sd_detrended_pct
    if sds.empty:
        return summary, *none[1:]
    return summary, float(sds.median()) / 100.0, "median detrended sd of non-GDP yearly growth in data/history"


def diffusion_rates(ref: rt.ReferenceTargets) -> np.ndarray:
    """Logistic rates r = (logit s1 - logit s0) / years of past coverage targets (shares in pct, 0 < s < K)."""
    t = ref.targets
    k = value("coverage_ceiling")
    t = t[(t["class"] == "coverage_share") & (t.unit == "pct") & t.baseline_value.notna() & t.outcome_value.notna()]
    t = t[(t.baseline_value > 0) & (t.outcome_value < k) & (t.outcome_year > t.baseline_year)]
    r = (special.logit(t.outcome_value / k) - special.logit(t.baseline_value / k)) / (t.outcome_year - t.baseline_year)
    return r[r > 0].to_numpy(dtype=float)


def assign(t: dict, pr: Priors) -> tuple[GenericModel, Case, str] | None:
    """The generic model, case and basis text for plan target ``t`` (a row of ``plan_targets``), or None."""
    if t["baseline_id"] is None or not np.isfinite(t["value"]):
        return None
    if t["basis"] == "new_in_period":
        return _count(t)
    if t["class"] == "coverage_share" and t["unit"] == "pct":
        return _diffusion(t, pr)
    if np.isfinite(t["g_req"]):
        return _trend(t, pr)
    return None


def _count(t: dict) -> tuple[GenericModel, Case, str] | None:
    if not np.isfinite(t["period_start"]):
        return None
    span = 1.0
    if t["baseline_basis"] == "new_in_period" and np.isfinite(t["baseline_period_start"]):
        span = t["baseline_year"] - t["baseline_period_start"]
    shape = t["baseline_value"] + value("count_rate_prior_shape")
    case = Case(0.0, t["value"], int(t["year"] - t["period_start"]), 1, shape / span, np.sqrt(shape) / span)
    return GenericModel.PERIOD_COUNT, case, (f"{t['baseline_value']:g} new in {span:g} yr ({t['baseline_id']}) "
                                             f"-> {case.rate:.2f}/yr, negative binomial over {case.years} yr")


def _diffusion(t: dict, pr: Priors) -> tuple[GenericModel, Case, str] | None:
    if len(pr.diffusion) < value("min_class_growth_rows") or t["baseline_value"] <= 0:
        return None
    logs = np.log(pr.diffusion)
    case = Case(t["baseline_value"], t["value"], int(t["year"] - t["baseline_year"]), DIRECTION[t["relation"]],
                float(np.exp(logs.mean())), float(logs.std(ddof=1)))
    return GenericModel.LOGISTIC_DIFFUSION, case, (
        f"logistic from {t['baseline_value']:g} % in {int(t['baseline_year'])} ({t['baseline_id']}); rate median "
        f"{case.rate:.3f}/yr, log-sd {case.rate_sd:.2f} from {len(logs)} past coverage targets")


def _trend(t: dict, pr: Priors) -> tuple[GenericModel, Case, str]:
    own = pr.history[(pr.history.region == t["region"]) & (pr.history.indicator == t["indicator"])]
    own = own[own.n_years >= value("min_history_years")]
    if len(own):
        h = own.iloc[0]
        rate, rate_sd = np.log1p(h.mean_pct / 100), h.sd_pct / 100 / np.sqrt(h.n_years)
        shock, src = h.sd_detrended_pct / 100, f"own history {int(h.n_years)} yr"
    else:
        g = pr.growth[pr.growth["class"] == t["class"]].g
        label = t["class"]
        if len(g) < value("min_class_growth_rows"):
            g, label = pr.growth.g, "all level classes"
        rate, rate_sd, shock = float(g.mean()), float(g.std(ddof=1)), pr.shock_sd
        src = f"growth achieved by {len(g)} past {label} targets; shocks: {pr.shock_source}"
    case = Case(t["baseline_value"], t["value"], int(t["year"] - t["baseline_year"]), DIRECTION[t["relation"]],
                float(rate), float(rate_sd), float(shock))
    return GenericModel.LEVEL_TREND, case, (f"trend from {t['baseline_value']:g} in {int(t['baseline_year'])} "
                                            f"({t['baseline_id']}): drift {rate:+.3f}±{rate_sd:.3f}/yr, shock sd "
                                            f"{shock:.3f}/yr ({src})")


def indicator_table(ds, seed: int | None, n_paths: int | None = None) -> pd.DataFrame:
    """One row per plan target: tier, generic model, p_indicator (NaN where none applies) and its basis;
    ``n_paths`` simulated paths per target (default: the declared ``indicator_paths``)."""
    n_paths = int(value("indicator_paths")) if n_paths is None else n_paths
    pr = load_priors(rt.load(ds.root, quotes=False), ds.root)
    rows = []
    for t in plan_targets(ds).to_dict("records"):
        t = {k: (None if k.endswith("_id") and not isinstance(v, str) else v) for k, v in t.items()}
        got = assign(t, pr)
        if got is None:
            rows.append((t["target_id"], Tier.OUTSIDE_VIEW.value, None, np.nan, np.nan, "no generic model applies"))
            continue
        model, case, text = got
        est = MODELS[model](case, target_rng(seed, t["target_id"]), n_paths)
        rows.append((t["target_id"], Tier.INDICATOR_TREND.value, model.value, est.p, est.mc_se, text))
    return pd.DataFrame(rows, columns=COLUMNS)
