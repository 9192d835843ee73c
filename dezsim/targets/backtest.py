"""Reachability backtests: the probabilities dezsim gives a target, scored on past plans' targets whose outcome
is known (``dezsim backtest``; ``calibration/backtest_targets.md``).

Every past target of ``data/reference_targets`` set for a region the model simulates (Jiangsu, Suzhou and its
boards, Wuxi), with an outcome up to 2020, gets

- the **outside view** as the report gives it (the method :func:`~dezsim.targets.outside_score.chosen_method` picks),
  fitted with the target's whole plan left out, and the two comparators: the **constant** base rate and the
  **class** rate, also leave-one-plan-out;
- the **inside view where the model has a mechanism for it**: the growth equation of the SD core
  (:mod:`dezsim.model.drift_estimate`: drift + yearly shocks, the drift a random walk) started at the origin (the
  year before the plan's first year: the last year its authors could know), with every sd and the drift estimated
  from history through that origin only; p = P(average growth over the plan's years >= the target rate). Targets
  of other indicators have no inside view here: from an origin before 2020 the model simulates only its economic
  core at current prices (:mod:`dezsim.model.origin`), while the past targets are mostly real growth rates and
  indicators it does not have, so this backtest scores the growth equation, the part of the model that every
  money target rests on (the model itself, started inside a past plan, is scored by
  :mod:`dezsim.targets.midterm_backtest`);
- the **combined p**: the logistic pool of :mod:`dezsim.targets.pooling` (``logit p = a + b_outside logit
  p_outside + b_inside logit p_inside``, priors centred on the outside view), each plan's pool and its prior sd
  fitted on the other plans' targets only; without an inside view the pool recalibrates the outside view.

Scores per view: Brier, log score, calibration slope (logistic regression of the outcome on logit p) and
sharpness (sd of p), each with a bootstrap interval over targets, and the differences against the constant
base rate. No figure for a year after a target's origin enters its inside view.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from dezsim.base.atomic import atomic_write_text, save_figure
from dezsim.data import reference_targets as rt
from dezsim.data.dataset import Dataset
from dezsim.data.history import load_series
from dezsim.model.drift import FILTERED, WINDOW_YEARS
from dezsim.model.drift_estimate import MIN_SERIES_FIGURES, drift_now, forecast_model, log_growth_series
from dezsim.targets import pooling
from dezsim.targets.outside_model import Method, reference_rows
from dezsim.targets.outside_params import value
from dezsim.targets.outside_score import chosen_method, loo_predictions, losses, scores
from dezsim.targets.pooling import EPS

#: Regions of the reference class outside the model's region tree, never backtested.
NOT_SIMULATED = frozenset({"china", "other", "world"})
#: Past growth targets the growth equation assesses: indicator -> (history indicator, basis, the model's rate of
#: :mod:`dezsim.model.drift` whose estimators it uses). GDP growth targets are real (comparable prices) in every
#: plan of the class; software revenue growth is nominal (industry statistics report current-price revenue).
GROWTH_MECHANISMS = {"gdp_growth": ("gdp", "real", "gdp"),
                     "software_revenue_growth": ("software_revenue", "nominal", "sw")}
#: Past level targets the growth equation assesses (money levels at current prices), as above; the basis is
#: that of the growth carrying the level from the origin's published figure.
LEVEL_MECHANISMS = {"gdp": ("gdp", "nominal", "gdp"), "software_revenue": ("software_revenue", "nominal", "sw")}
#: Below this sd of p across targets a forecast counts as constant and has no calibration slope.
MIN_SPREAD = 0.02
#: Seed of the bootstrap (any fixed value: it makes the page reproducible).
BOOTSTRAP_SEED = 20151231
#: The views scored, in the page's order.
VIEWS = ("constant", "class", "outside", "inside", "combined")
#: Files ``dezsim backtest`` writes into the calibration folder.
PAGE, FIGURE, WEIGHTS = "backtest_targets.md", "backtest_targets.png", pooling.STORE
#: Opening words of the summary paragraph the report quotes.
SUMMARY_LEAD = "**Probabilities judged on past targets**"


def simulated_regions(ds: Dataset) -> set[str]:
    """The regions of the model's tree (every code of data/regions.csv but the outside world)."""
    return set(ds.regions.code) - NOT_SIMULATED


def past_targets(ds: Dataset, ref: rt.ReferenceTargets | None = None) -> pd.DataFrame:
    """Past targets with an outcome for a simulated region, with the reference rows' ``class``, ``g_req``."""
    ref = ref if ref is not None else rt.load(quotes=False)
    t = ref.targets[ref.targets.met.notna() & ref.targets.region.isin(simulated_regions(ds))]
    return t.assign(met=t.met.astype(bool).astype(int)).reset_index(drop=True)


def inside_view(target: pd.Series, series: dict, levels: dict | None = None) -> dict | None:
    """The growth equation's p for one past target (None when the model has no mechanism or too little history).

    A growth target is met when the mean log growth over the plan's years reaches the target rate; a level target
    when the level published for the origin, carried by the forecast growth, reaches the target level.
    ``levels``: the history's level figures (:func:`level_figures`; only level targets need it)."""
    level = target.indicator in LEVEL_MECHANISMS
    mech = (LEVEL_MECHANISMS if level else GROWTH_MECHANISMS).get(target.indicator)
    if mech is None or target.relation != ">=":
        return None
    key = (mech[0], target.region, mech[1])
    origin = int(target.plan_start) - 1
    h = int(target.target_year) - origin
    if key not in series or len(series[key].loc[:origin]) < MIN_SERIES_FIGURES or h < 1:
        return None
    if level:
        start = None if levels is None else levels.get((target.region, mech[0], origin))
        if start is None:
            return None
        need = float(np.log(float(target.target_value) / start))
    else:
        need = h * np.log1p(float(target.target_value) / 100.0)
    rate = mech[2]
    now = drift_now(series, key, origin, WINDOW_YEARS[rate])
    if now is None:
        return None
    mean, sd = forecast_model(now, series[key].loc[:origin], h, rate in FILTERED and mech[1] == "real")
    real = (mech[0], target.region, "real")
    if rate in FILTERED and mech[1] == "nominal" and real in series:
        # as the calibration sets GDP's nominal trend: the window mean moved by how far the real trend had moved
        # from its own window mean (calibration.calibrate._gdp_group)
        trend = drift_now(series, real, origin, WINDOW_YEARS[rate])
        if trend is not None:
            mean += h * (trend.drift - trend.window_mean)
    p = float(stats.norm.sf((need - mean) / sd))
    fit_years = int(len(series[key].loc[:origin]))
    return {"p_inside": p, "origin": origin, "horizon": h, "fit_years": fit_years,
            "mean_growth_pct": 100 * np.expm1(mean / h), "inside_basis": f"{mech[0]} {mech[1]} growth equation "
            f"from {origin}, {fit_years} figures" + (f", level {start:g} in {origin}" if level else "")}


def level_figures(series: pd.DataFrame | None = None) -> dict[tuple[str, str, int], float]:
    """Published levels of the history, (region, indicator, year) -> value (several pages: their mean)."""
    s = load_series() if series is None else series
    lv = s[s.kind == "level"].groupby(["region", "indicator", "year"]).value.mean()
    return {(r, i, int(y)): float(v) for (r, i, y), v in lv.items()}


def assess(ds: Dataset, ref: rt.ReferenceTargets | None = None) -> tuple[pd.DataFrame, pooling.Pool]:
    """Every past target's views (columns ``constant, class, outside, inside, combined``, ``met``) and the pool
    fitted on all of them (what the plan targets' combined p uses)."""
    ref = ref if ref is not None else rt.load(quotes=False)
    rows = reference_rows(ref)
    loo = loo_predictions(rows, group="plan").set_index(rows.id)
    method = chosen_method(scores(loo_predictions(rows)))
    targets = past_targets(ds, ref)
    history = load_series()
    series, levels = log_growth_series(history), level_figures(history)
    out = []
    for rec in targets.to_dict("records"):
        t = pd.Series(rec)
        row = {"id": t.id, "plan": t.plan, "region": t.region, "indicator": t.indicator, "target_class": t["class"],
               "target_year": int(t.target_year), "target_value": t.target_value, "outcome_value": t.outcome_value,
               "met": int(t.met), "constant": loo.loc[t.id, Method.CONSTANT.value],
               "class_rate": loo.loc[t.id, Method.CLASS.value], "p_outside": loo.loc[t.id, method.value]}
        inside = inside_view(t, series, levels)
        row |= inside if inside else {"p_inside": np.nan}
        out.append(row)
    frame = pd.DataFrame(out)
    pooled = frame.assign(p_inside=frame.p_inside.where(frame.indicator.isin(pooling.POOLED_INDICATORS)))
    frame["combined"] = pooling.held_out(pooled)  # each plan's pool (and its prior sd) fitted on the other plans
    frame = frame.rename(columns={"class_rate": "class", "p_outside": "outside", "p_inside": "inside"})
    frame.attrs["method"] = method.value
    return frame, pooling.fit_chosen(pooled)


def fenced_pool(ds: Dataset, origin: int) -> pooling.Pool:
    """The pool as it could have been fitted at the end of ``origin``: on the past targets of years up to it only
    (:func:`dezsim.targets.outside_view.fenced`), for the combined p of a run from that origin; the outside view
    unchanged (:meth:`~dezsim.targets.pooling.Pool.outside_view`) when fewer than two plans' targets with both
    outcomes were known then (a leave-one-plan-out choice of the prior needs them)."""
    from dezsim.targets.outside_view import fenced

    ref = fenced(rt.load(ds.root, quotes=False), origin)
    known = past_targets(ds, ref)
    if known.plan.nunique() < 2 or known.met.nunique() < 2:
        return pooling.Pool.outside_view()
    return assess(ds, ref)[1]


def calibration_slope(p: np.ndarray, met: np.ndarray) -> float:
    """Slope b of the logistic regression ``met ~ a + b logit p`` (1: calibrated; NaN when it does not converge
    or the outcomes do not vary)."""
    x = stats.logistic.ppf(np.clip(p, EPS, 1 - EPS))
    if len(np.unique(met)) < 2 or np.std(p) < MIN_SPREAD:
        return np.nan  # a (nearly) constant forecast has no slope
    beta = np.zeros(2)
    design = np.column_stack([np.ones_like(x), x])
    for _ in range(50):
        mu = stats.logistic.cdf(design @ beta)
        grad = design.T @ (met - mu)
        hess = design.T @ (design * (mu * (1 - mu))[:, None]) + 1e-9 * np.eye(2)
        step = np.linalg.solve(hess, grad)
        beta += step
        if np.max(np.abs(step)) < 1e-8:
            return float(beta[1]) if abs(beta[1]) < 50 else np.nan  # a separable sample has no finite slope
    return np.nan


@dataclass(frozen=True)
class Score:
    """One view's scores on a set of targets, with bootstrap intervals (90 %) and the difference against the
    constant base rate (negative: better)."""

    n: int
    brier: float
    log_score: float
    slope: float
    sharpness: float
    d_brier: float
    intervals: dict


def score_views(frame: pd.DataFrame, views: tuple[str, ...], seed: int = BOOTSTRAP_SEED) -> pd.DataFrame:
    """Scores of ``views`` on ``frame``'s rows (every view must be defined on every row)."""
    rng = np.random.default_rng(seed)
    n = len(frame)
    draws = rng.integers(0, n, size=(int(value("bootstrap_draws")), n))
    tail = 100 * (1 - value("interval_level")) / 2
    met = frame.met.to_numpy(float)
    base_brier = losses(frame.constant.to_numpy(), met)[0]
    recs = {}
    for v in views:
        p = np.clip(frame[v].to_numpy(float), EPS, 1 - EPS)
        brier, log = losses(p, met)
        d = brier - base_brier
        boot = {"brier": brier[draws].mean(axis=1), "log_score": log[draws].mean(axis=1),
                "d_brier": d[draws].mean(axis=1), "sharpness": p[draws].std(axis=1),
                "slope": np.array([calibration_slope(p[i], met[i]) for i in draws[:200]])}
        ci = {k: (float(np.nanpercentile(b, tail)), float(np.nanpercentile(b, 100 - tail)))
              if np.isfinite(b).any() else (np.nan, np.nan) for k, b in boot.items()}
        recs[v] = {"n": n, "brier": brier.mean(), "log_score": log.mean(), "slope": calibration_slope(p, met),
                   "sharpness": p.std(), "d_brier": d.mean(),
                   **{f"{k}_low": lo for k, (lo, _) in ci.items()}, **{f"{k}_high": hi for k, (_, hi) in ci.items()}}
    return pd.DataFrame.from_dict(recs, orient="index")


def reliability(frame: pd.DataFrame, view: str, bins: int = 5) -> pd.DataFrame:
    """Mean predicted p and share met in equal-width bins of ``view``."""
    b = pd.cut(frame[view], np.linspace(0, 1, bins + 1), include_lowest=True)
    g = frame.groupby(b, observed=False)
    return pd.DataFrame({"targets": g.size(), "mean_p": g[view].mean(), "share_met": g.met.mean()})


def figure(frame: pd.DataFrame):
    """Reliability diagram of the views on the targets with an inside view, and of the outside view on all."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4.4))
    both = frame[frame.inside.notna()]
    for ax, data, views, title in ((axes[0], frame, ("constant", "class", "outside"), f"all {len(frame)} past "
                                    "targets of modelled regions"),
                                   (axes[1], both, ("outside", "inside", "combined"),
                                    f"{len(both)} with the growth equation's inside view")):
        ax.plot([0, 1], [0, 1], color="#999", lw=0.8, ls="--")
        for v, marker in zip(views, "osD", strict=False):
            r = reliability(data, v)
            r = r[r.targets > 0]
            ax.scatter(r.mean_p, r.share_met, s=20 + 12 * r.targets, marker=marker, alpha=0.75, label=v)
        ax.set(xlim=(0, 1), ylim=(-0.02, 1.02), xlabel="predicted p (bin mean)", ylabel="share met", title=title)
        ax.legend(fontsize=8, loc="upper left")
        ax.title.set_fontsize(9)
    fig.suptitle("Reliability on past targets (leave one plan out); marker area: targets per bin", fontsize=10)
    fig.tight_layout()
    return fig


def _fmt(r: pd.Series) -> dict:
    def ci(k: str) -> str:
        return f"{r[k]:.3f} [{r[k + '_low']:.3f}, {r[k + '_high']:.3f}]" if np.isfinite(r[k]) else "n/a"
    return {"n": int(r.n), "Brier [90 %]": ci("brier"), "Δ Brier vs constant [90 %]": ci("d_brier"),
            "log score [90 %]": ci("log_score"), "calibration slope [90 %]": ci("slope"),
            "sharpness (sd of p) [90 %]": ci("sharpness")}


def summary(frame: pd.DataFrame, pool: pooling.Pool) -> dict:
    """The figures the page, the JSON and the report quote."""
    both = frame[frame.inside.notna()]
    all_scores = score_views(frame, ("constant", "class", "outside", "combined"))
    inside_scores = score_views(both, VIEWS) if len(both) >= 2 else pd.DataFrame()
    return {"targets": len(frame), "with_inside_view": len(both), "plans": int(frame.plan.nunique()),
            "met": int(frame.met.sum()), "outside_method": frame.attrs.get("method"), "pool": pool,
            "all": all_scores, "inside": inside_scores}


def paragraph(s: dict) -> str:
    """The summary paragraph (:data:`SUMMARY_LEAD`) the report quotes."""
    a = s["all"]
    text = (f"{SUMMARY_LEAD}: {s['targets']} past targets of {s['plans']} plans for modelled regions with a known "
            f"outcome ({s['met']} met), each scored leave-one-plan-out. Outside view Brier "
            f"{a.loc['outside', 'brier']:.3f} against {a.loc['constant', 'brier']:.3f} for the constant base rate "
            f"(difference {a.loc['outside', 'd_brier']:+.3f}, 90 % interval {a.loc['outside', 'd_brier_low']:+.3f} to "
            f"{a.loc['outside', 'd_brier_high']:+.3f}).")
    if len(s["inside"]):
        i = s["inside"]
        text += (f" {s['with_inside_view']} have an inside view (the growth equation from the year before the plan): "
                 f"Brier inside {i.loc['inside', 'brier']:.3f}, outside {i.loc['outside', 'brier']:.3f}, combined "
                 f"{i.loc['combined', 'brier']:.3f}, constant {i.loc['constant', 'brier']:.3f}.")
    c, pool = s["all"].loc["combined"], s["pool"]
    text += (f" Combined p (the logistic pool, each plan's fitted on the others): Brier {c.brier:.3f} (difference "
             f"against the constant {c.d_brier:+.3f}, 90 % interval {c.d_brier_low:+.3f} to {c.d_brier_high:+.3f}), "
             f"calibration slope {c.slope:.2f}. The pool fitted on all of them, which the report uses: logit p = "
             f"{pool.intercept:+.2f} + {pool.outside:.2f} logit p_outside + {pool.inside:.2f} logit p_inside "
             f"(prior sd {pool.prior_sd:g}).")
    return text


def page(frame: pd.DataFrame, s: dict) -> str:
    """``calibration/backtest_targets.md``."""
    shown = frame.copy()
    for c in ("constant", "class", "outside", "inside", "combined"):
        shown[c] = shown[c].map(lambda v: "" if pd.isna(v) else f"{v:.2f}")
    cols = ["id", "plan", "region", "indicator", "target_year", "target_value", "outcome_value", "met", "constant",
            "class", "outside", "inside", "combined"]
    lines = ["# Reachability backtests on past targets (`dezsim backtest`)", "",
             "Generated by `dezsim backtest` from `data/reference_targets/` and `data/history/` (figures up to 2020 "
             "only); method: `dezsim/targets/backtest.py`. Every p is leave-one-plan-out: the target's own plan "
             "never informs its outside view or its pool (dezsim/targets/pooling.py), and its inside view reads history through its "
             "origin only.", "", paragraph(s), "",
             "## Scores on all past targets of modelled regions", "",
             pd.DataFrame({v: _fmt(r) for v, r in s["all"].iterrows()}).T.to_markdown(), ""]
    if len(s["inside"]):
        lines += ["## Scores on the targets with an inside view", "",
                  pd.DataFrame({v: _fmt(r) for v, r in s["inside"].iterrows()}).T.to_markdown(), "",
                  "Too few targets for a firm verdict: the intervals say how little these scores pin down.", ""]
    lines += ["## Every target", "", shown[cols].to_markdown(index=False), "",
              f"Outside view: the `{s['outside_method']}` method (as for the plan targets). Reliability diagram: "
              f"`{FIGURE}`. The mid-term update (the model from an origin inside a past plan, conditioned on the "
              "figures published since) is scored on `backtest_midterm.md`.", ""]
    return "\n".join(lines)


def run(ds: Dataset, folder: Path, json_path: Path | None = None) -> tuple[pd.DataFrame, dict, dict[str, Path]]:
    """Assess, score and write the page, the figure and the fitted pool into ``folder``."""
    frame, pool = assess(ds)
    s = summary(frame, pool)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"page": folder / PAGE, "figure": folder / FIGURE, "weights": folder / WEIGHTS}
    atomic_write_text(paths["page"], page(frame, s))
    save_figure(figure(frame), paths["figure"], dpi=120)
    payload = {"pool": pooling.save(pool), "prior_sd_grid": list(pooling.PRIOR_SD_GRID), "targets": s["targets"],
               "with_inside_view": s["with_inside_view"], "outside_method": s["outside_method"],
               "scores_all": s["all"].to_dict(orient="index"),
               "scores_inside": s["inside"].to_dict(orient="index") if len(s["inside"]) else {}}
    text = json.dumps(payload, indent=2, default=float) + "\n"
    atomic_write_text(paths["weights"], text)
    if json_path is not None:
        atomic_write_text(json_path, text)
    return frame, s, paths
