"""Outside view: how often were past targets of a class, this ambitious, met? A probability for every target.

The reference class (``data/reference_targets/``, outcomes up to 2020 only) gives three forecasts of "met":

- ``constant``: the pooled share met, with the Jeffreys prior Beta(1/2, 1/2);
- ``class``: each class's share, partially pooled toward the pooled rate (a Beta prior worth
  ``class_prior_strength`` pseudo-targets: the Beta-binomial hierarchy with a fixed prior strength);
- ``ambition``: an L2-penalised logistic model, log-odds = intercept + class offset + slope x standardised
  required yearly log-growth (class offsets and slope shrunk toward 0 by declared Normal priors), with a
  Laplace-approximation interval.

:mod:`dezsim.targets.outside_score` scores them leave-one-out; the method used for the plan targets is the one with the
lowest LOO Brier score, and the constant base rate unless a richer method beats it (:func:`chosen_method`).
Each plan target is mapped to a class by the declared table ``data/reference_targets/class_map.csv`` (indicator
and figure kind -> class), never by its wording. Run ``python -m dezsim.targets.outside_view`` for a summary.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import special, stats

from dezsim.base.tables import FILE, LINE, Column, cell_error, read_table
from dezsim.data import reference_targets as rt
from dezsim.targets.outside_params import value

#: Classes whose targets are levels (or shares) reached from a baseline, so required yearly growth is defined;
#: a growth-rate target's "baseline" is an earlier rate, not a level to grow from.
AMBITION_CLASSES = tuple(c for c in rt.CLASSES if c != "growth_rate")
#: Direction of a target: +1 when the indicator must rise to the value, -1 when it must fall to it. ``=`` and
#: ``range`` are read as reaching the (lower) value, as the reference class reads ``=``.
DIRECTION = {">=": 1, "=": 1, "range": 1, "<=": -1}
#: (target basis, baseline basis) pairs whose ratio is a required growth: same kind of quantity. A count new
#: within a period against a stock is not.
COMPARABLE_BASES = frozenset({("stock", "stock"), ("flow", "flow"), ("share", "share"),
                              ("cumulative", "stock"), ("cumulative", "cumulative")})
#: Last year of a figure any fit or baseline may use.
CUTOFF = rt.LAST_YEAR
CLASS_MAP = Path("reference_targets") / "class_map.csv"
CLASS_MAP_COLUMNS = [Column("indicator"), Column("kind", allowed=("target", "growth_target")),
                     Column("class", allowed=rt.CLASSES), Column("reason")]


class Method(str, Enum):
    """Forecast of "met" from the reference class, from the simplest to the richest."""

    CONSTANT = "constant"
    CLASS = "class"
    AMBITION = "ambition"


def required_growth(baseline: float, baseline_year: float, target: float, target_year: float,
                    relation: str) -> float:
    """Required yearly log-growth (1/year) from baseline to target, signed so that more is harder.

    NaN when undefined: missing or non-positive values, no years between them, or an unknown relation.
    """
    sign = DIRECTION.get(relation)
    vals = np.array([baseline, baseline_year, target, target_year], dtype=float)
    if sign is None or not np.all(np.isfinite(vals)) or baseline <= 0 or target <= 0 \
            or target_year <= baseline_year:
        return float("nan")
    return float(sign * np.log(target / baseline) / (target_year - baseline_year))


def reference_rows(ref: rt.ReferenceTargets | None = None) -> pd.DataFrame:
    """Past targets with a known outcome: ``id, plan, class, met`` (0/1), ``direction``, ``g_req``, ``g_ach`` (1/year),
    ``plan_years`` (the plan's length, calendar years counted inclusively: 1 for an annual plan), ``target_year``.

    ``g_req`` is the required yearly log-growth (NaN outside :data:`AMBITION_CLASSES` or without a baseline);
    ``g_ach`` the achieved one, from baseline to outcome, under the same sign.
    """
    ref = ref if ref is not None else rt.load(quotes=False)
    t = ref.targets[ref.targets.met.notna()]
    rows = []
    for r in t.to_dict("records"):
        level = r["class"] in AMBITION_CLASSES
        req = required_growth(r["baseline_value"], r["baseline_year"], r["target_value"], r["target_year"],
                              r["relation"]) if level else np.nan
        ach = required_growth(r["baseline_value"], r["baseline_year"], r["outcome_value"], r["outcome_year"],
                              r["relation"]) if level else np.nan
        years = int(r["plan_end"]) - int(r["plan_start"]) + 1
        rows.append((r["id"], r["plan"], r["class"], int(bool(r["met"])), DIRECTION[r["relation"]], req, ach, years,
                     int(r["target_year"])))
    return pd.DataFrame(rows, columns=["id", "plan", "class", "met", "direction", "g_req", "g_ach", "plan_years",
                                       "target_year"])


def pooled_posterior(met: np.ndarray) -> tuple[float, float]:
    """Jeffreys posterior Beta(a, b) of the pooled share met."""
    j = value("jeffreys_prior")
    return j + float(np.sum(met)), j + float(len(met) - np.sum(met))


def class_posteriors(rows: pd.DataFrame, strength: float | None = None) -> pd.DataFrame:
    """Partially pooled Beta posterior of each class's share met (every class of :data:`rt.CLASSES`).

    The prior of a class is Beta(k m, k (1 - m)), m the pooled Jeffreys posterior mean and k the declared
    ``class_prior_strength`` (``strength`` overrides it, for the sensitivity table only); its posterior adds the
    class's met and missed counts.

    Returns
    -------
    pandas.DataFrame
        Indexed by class: ``n, met, alpha, beta, mean, low, high`` (interval at ``interval_level``).
    """
    a0, b0 = pooled_posterior(rows.met.to_numpy())
    m = a0 / (a0 + b0)
    k = value("class_prior_strength") if strength is None else strength
    n = rows.groupby("class").size().reindex(rt.CLASSES, fill_value=0)
    met = rows.groupby("class").met.sum().reindex(rt.CLASSES, fill_value=0)
    out = pd.DataFrame({"n": n, "met": met, "alpha": k * m + met, "beta": k * (1 - m) + n - met})
    out.index.name = "class"
    out["mean"] = out.alpha / (out.alpha + out.beta)
    out["low"], out["high"] = beta_interval(out.alpha.to_numpy(), out.beta.to_numpy())
    return out


def beta_interval(a, b) -> tuple[np.ndarray, np.ndarray]:
    """Equal-tailed interval of Beta(a, b) at the declared ``interval_level``."""
    tail = (1.0 - value("interval_level")) / 2.0
    return stats.beta.ppf(tail, a, b), stats.beta.ppf(1.0 - tail, a, b)


@dataclass(frozen=True)
class AmbitionFit:
    """MAP fit of the penalised logistic model and its Laplace covariance.

    ``coef`` is (intercept, one offset per class of :data:`rt.CLASSES`, slope); ``centre`` and ``scale``
    standardise ``g_req`` (z = 0 where it is undefined: the class's average ambition).
    """

    coef: np.ndarray
    cov: np.ndarray
    centre: float
    scale: float

    def design(self, classes, g_req) -> np.ndarray:
        """Design matrix for rows of ``classes`` and required growths ``g_req``."""
        return design(classes, g_req, self.centre, self.scale)

    def predict(self, classes, g_req) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Posterior-mode probability and its interval (``interval_level``) for each row."""
        x = self.design(classes, g_req)
        eta = x @ self.coef
        se = np.sqrt(np.einsum("ij,jk,ik->i", x, self.cov, x))
        zq = stats.norm.ppf(0.5 + value("interval_level") / 2.0)
        return special.expit(eta), special.expit(eta - zq * se), special.expit(eta + zq * se)


def design(classes, g_req, centre: float, scale: float) -> np.ndarray:
    """Columns: intercept, one-hot class (all :data:`rt.CLASSES`), standardised required growth (0 if NaN)."""
    classes = np.asarray(classes)
    onehot = (classes[:, None] == np.array(rt.CLASSES)[None, :]).astype(float)
    z = (np.asarray(g_req, dtype=float) - centre) / scale
    z = np.where(np.isfinite(z), z, 0.0)
    return np.column_stack([np.ones(len(classes)), onehot, z])


def prior_precision() -> np.ndarray:
    """Diagonal prior precision (the L2 penalty) of (intercept, class offsets, slope)."""
    sds = [value("intercept_prior_sd")] + [value("class_effect_prior_sd")] * len(rt.CLASSES) \
        + [value("ambition_prior_sd")]
    return np.diag(1.0 / np.square(sds))


def fit_ambition(rows: pd.DataFrame, max_iter: int = 100, tol: float = 1e-10) -> AmbitionFit:
    """Newton (IRLS) fit of the posterior mode; covariance = inverse Hessian at the mode (Laplace).

    The log-posterior is strictly concave (Gaussian prior), so Newton converges from zero.
    """
    g = rows.g_req[np.isfinite(rows.g_req)]
    centre = float(g.mean()) if len(g) else 0.0
    scale = float(g.std(ddof=1)) if len(g) > 1 and g.std(ddof=1) > 0 else 1.0
    x = design(rows["class"].to_numpy(), rows.g_req.to_numpy(), centre, scale)
    y = rows.met.to_numpy(dtype=float)
    prec = prior_precision()
    coef = np.zeros(x.shape[1])
    for _ in range(max_iter):
        p = special.expit(x @ coef)
        hess = x.T @ (x * (p * (1 - p))[:, None]) + prec
        step = np.linalg.solve(hess, x.T @ (p - y) + prec @ coef)
        coef = coef - step
        if np.max(np.abs(step)) < tol:
            break
    p = special.expit(x @ coef)
    hess = x.T @ (x * (p * (1 - p))[:, None]) + prec
    return AmbitionFit(coef, np.linalg.inv(hess), centre, scale)


def load_class_map(root: Path | str) -> dict[tuple[str, str], str]:
    """``(indicator, kind) -> class`` from ``<root>/reference_targets/class_map.csv``."""
    table = read_table(Path(root) / CLASS_MAP, CLASS_MAP_COLUMNS, display=str(CLASS_MAP))
    dup = table[table.duplicated(["indicator", "kind"])]
    if len(dup):
        row = dup.iloc[0]
        raise cell_error(row[FILE], row[LINE], "indicator", row.indicator,
                         f"second row for kind {row.kind!r}; each (indicator, kind) has one class")
    return {(r.indicator, r.kind): r["class"] for _, r in table.iterrows()}


OUTPUT_COLUMNS = ["target_id", "class", "n_class", "method", "p_outside", "p_outside_low", "p_outside_high",
                  "g_req", "basis"]


def predict_targets(targets: pd.DataFrame, rows: pd.DataFrame, method: Method) -> pd.DataFrame:
    """Outside-view p and interval for each row of ``targets`` (columns ``target_id, class, g_req``).

    Parameters
    ----------
    targets : pandas.DataFrame
        From :func:`dezsim.targets.target_baselines.plan_targets` (or any frame with those three columns).
    rows : pandas.DataFrame
        Reference rows (:func:`reference_rows`) the forecast is fitted on.
    method : Method
        Which forecast to use (see :func:`dezsim.targets.outside_score.chosen_method`).
    """
    post = class_posteriors(rows)
    cls = targets["class"].to_numpy()
    n_class = post.n.reindex(cls).to_numpy()
    if method is Method.AMBITION:
        p, lo, hi = fit_ambition(rows).predict(cls, targets.g_req.to_numpy())
    elif method is Method.CLASS:
        p, lo, hi = (post[c].reindex(cls).to_numpy() for c in ("mean", "low", "high"))
    else:
        a, b = pooled_posterior(rows.met.to_numpy())
        lo1, hi1 = beta_interval(a, b)
        p, lo, hi = (np.full(len(targets), v) for v in (a / (a + b), lo1, hi1))
    basis = [_basis(method, c, post, rows, g) for c, g in zip(cls, targets.g_req.to_numpy(), strict=True)]
    return pd.DataFrame({"target_id": targets.target_id.to_numpy(), "class": cls, "n_class": n_class,
                         "method": method.value, "p_outside": p, "p_outside_low": lo, "p_outside_high": hi,
                         "g_req": targets.g_req.to_numpy(), "basis": basis}, columns=OUTPUT_COLUMNS)


def _basis(method: Method, cls: str, post: pd.DataFrame, rows: pd.DataFrame, g_req: float) -> str:
    pooled = f"{int(rows.met.sum())}/{len(rows)} past targets met overall"
    own = f"{int(post.met[cls])}/{int(post.n[cls])} {cls} targets met"
    if method is Method.CONSTANT:
        return f"outside view, constant base rate: {pooled}"
    text = f"outside view, class base rate: {own}, pooled toward {pooled}"
    if method is Method.AMBITION and np.isfinite(g_req):
        text += f"; required growth {g_req:+.3f}/yr"
    return text
