"""Leave-one-out scores of the outside view on the reference class, and ``docs/outside_view.md``.

Every method predicts each past target from all the others (the constant base rate too, so the comparison is
fair); the Brier score (mean squared error of p against met 0/1, lower is better) and the log score (mean
-log p of what happened, lower is better) are averaged over the rows. The interval on the difference of two
methods' scores comes from resampling the rows' paired losses (percentile bootstrap, declared number of draws,
a fixed seed so the page is reproducible). Regenerate the page with ``python -m dezsim.targets.outside_score --write``;
a test keeps it current.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from dezsim.base.atomic import atomic_write_text
from dezsim.base.checkout import docs_page, writable_docs_page
from dezsim.data import reference_targets as rt
from dezsim.targets.outside_model import Method, class_posteriors, fit_ambition, pooled_posterior, reference_rows
from dezsim.targets.outside_params import value

#: The page this module writes (a source checkout's docs/).
DOC = docs_page("outside_view.md")
#: Seed of the bootstrap resampling on the page (any fixed value: it makes the page reproducible).
BOOTSTRAP_SEED = 20201231
#: Prior strengths of the sensitivity table: a doubling grid around the declared value, up to near-constant.
SENSITIVITY_STRENGTHS = (1.0, 2.0, 4.0, 8.0, 16.0, 64.0)


def loo_predictions(rows: pd.DataFrame, group: str | None = None, strength: float | None = None) -> pd.DataFrame:
    """Held-out probability of "met" for every row under every :class:`Method` (columns by value).

    Parameters
    ----------
    rows : pandas.DataFrame
        Reference rows (:func:`~dezsim.targets.outside_model.reference_rows`).
    group : str, optional
        Column whose values form the folds (``"plan"``: leave one plan out); default: leave one row out.
    strength : float, optional
        Override of ``class_prior_strength`` for the class method (sensitivity table only).
    """
    folds = np.arange(len(rows)) if group is None else rows[group].to_numpy()
    out = {m.value: np.empty(len(rows)) for m in Method}
    for fold in pd.unique(folds):
        held = folds == fold
        rest, test = rows[~held], rows[held]
        a, b = pooled_posterior(rest.met.to_numpy())
        out[Method.CONSTANT.value][held] = a / (a + b)
        out[Method.CLASS.value][held] = class_posteriors(rest, strength).loc[test["class"], "mean"].to_numpy()
        out[Method.AMBITION.value][held] = fit_ambition(rest).predict(test["class"].to_numpy(),
                                                                      test.g_req.to_numpy())[0]
    return pd.DataFrame(out, index=rows.index).assign(met=rows.met.to_numpy(), cls=rows["class"].to_numpy())


def strength_sensitivity(rows: pd.DataFrame, strengths=SENSITIVITY_STRENGTHS) -> pd.DataFrame:
    """LOO Brier and log score of the class method for each prior strength (shown, never used to choose)."""
    recs = {}
    for k in strengths:
        loo = loo_predictions(rows, strength=k)
        brier, log = losses(loo[Method.CLASS.value], loo.met)
        recs[k] = {"brier": brier.mean(), "log_score": log.mean()}
    return pd.DataFrame.from_dict(recs, orient="index")


def losses(p: np.ndarray, met: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-row Brier loss (p - met)^2 and log loss -log(p if met else 1 - p)."""
    p, met = np.asarray(p, float), np.asarray(met, float)
    return (p - met) ** 2, -np.log(np.where(met == 1, p, 1 - p))


def horizon_sensitivity(rows: pd.DataFrame) -> pd.DataFrame:
    """Class base rates from all rows against those from multi-year plans only (annual plans left out).

    Annual (one-year) plans set their targets a few months ahead and cannot make up a bad year later, unlike
    the multi-year plans the five plans' targets belong to; the table shows how much they move each class.
    """
    multi = rows[rows.plan_years > 1]
    every, longer = class_posteriors(rows), class_posteriors(multi)
    return pd.DataFrame({"n_all": every.n, "mean_all": every["mean"],
                         "n_multi_year": longer.n, "mean_multi_year": longer["mean"]})


def scores(loo: pd.DataFrame, seed: int = BOOTSTRAP_SEED) -> pd.DataFrame:
    """Mean LOO Brier and log score per method, and the bootstrap interval of each method minus the constant.

    Returns
    -------
    pandas.DataFrame
        Indexed by method: ``brier, log_score, d_brier, d_brier_low, d_brier_high, d_log, d_log_low,
        d_log_high`` (differences against :attr:`Method.CONSTANT`; negative is better).
    """
    rng = np.random.default_rng(seed)
    n = len(loo)
    idx = rng.integers(0, n, size=(int(value("bootstrap_draws")), n))
    tail = 100 * (1 - value("interval_level")) / 2
    base = losses(loo[Method.CONSTANT.value], loo.met)
    rows = {}
    for m in Method:
        lb = losses(loo[m.value], loo.met)
        rec = {"brier": lb[0].mean(), "log_score": lb[1].mean()}
        for name, k in (("brier", 0), ("log", 1)):
            d = lb[k] - base[k]
            boot = d[idx].mean(axis=1)
            rec |= {f"d_{name}": d.mean(), f"d_{name}_low": np.percentile(boot, tail),
                    f"d_{name}_high": np.percentile(boot, 100 - tail)}
        rows[m.value] = rec
    return pd.DataFrame.from_dict(rows, orient="index")


def chosen_method(table: pd.DataFrame) -> Method:
    """The method with the lowest LOO Brier score; the constant base rate unless another is strictly lower."""
    best = table.brier.idxmin()
    return Method(best) if table.brier[best] < table.brier[Method.CONSTANT.value] else Method.CONSTANT


def calibration(loo: pd.DataFrame, method: Method) -> pd.DataFrame:
    """Predicted vs observed share met in equal-width bins of the LOO probability."""
    edges = np.linspace(0.0, 1.0, int(value("calibration_bins")) + 1)
    b = pd.cut(loo[method.value], edges, include_lowest=True)
    g = loo.groupby(b, observed=False)
    return pd.DataFrame({"rows": g.size(), "mean_predicted": g[method.value].mean(), "share_met": g.met.mean()})


def evaluate(ref: rt.ReferenceTargets | None = None) -> dict:
    """Reference rows, LOO predictions, score table and chosen method (one pass; used by the page and the view)."""
    rows = reference_rows(ref)
    loo = loo_predictions(rows)
    table = scores(loo)
    by_plan = scores(loo_predictions(rows, group="plan"))
    return {"rows": rows, "loo": loo, "scores": table, "by_plan": by_plan, "method": chosen_method(table)}


def render(ev: dict | None = None) -> str:
    """The page ``docs/outside_view.md`` (markdown, no trailing newline)."""
    ev = ev if ev is not None else evaluate()
    rows, table, method = ev["rows"], ev["scores"], ev["method"]
    post = class_posteriors(rows)
    a, b = pooled_posterior(rows.met.to_numpy())
    lines = [
        "# Outside view: leave-one-out scores on the reference class",
        "",
        "Generated by `python -m dezsim.targets.outside_score --write` from `data/reference_targets/` (outcomes up to "
        f"{rt.LAST_YEAR} only); `tests/test_outside_view.py` fails when this page is stale.",
        "",
        f"Rows with a known outcome: {len(rows)} ({int(rows.met.sum())} met); with a required growth "
        f"(baseline, level class): {int(np.isfinite(rows.g_req).sum())}. Pooled share met (Jeffreys posterior "
        f"mean): {a / (a + b):.3f}.",
        "",
        "## Leave-one-out scores (lower is better)",
        "",
        "Differences are each method minus the constant base rate, with a "
        f"{value('interval_level'):.0%} percentile bootstrap interval over rows "
        f"({int(value('bootstrap_draws'))} resamples).",
        "",
        _md(table.round(4), "method"),
        "",
        f"**Method used for the plan targets: `{method.value}`.** {_verdict(table, method)}",
        "",
        "## Base rates per class (partially pooled Beta posterior)",
        "",
        f"Prior of each class: Beta(k m, k (1 - m)) with m the pooled rate and k = "
        f"{value('class_prior_strength'):g} pseudo-targets; interval {value('interval_level'):.0%}.",
        "",
        _md(post[["n", "met", "mean", "low", "high"]].round(3), "class"),
        "",
        f"## Calibration of `{method.value}` (leave-one-out)",
        "",
        _md(calibration(ev["loo"], method).round(3), "predicted p"),
        "",
        "## Robustness (shown, not used to choose)",
        "",
        f"Leave one plan out ({rows.plan.nunique()} plans; rows of a plan share its drafting and its reviewers):",
        "",
        _md(ev["by_plan"][["brier", "log_score", "d_brier", "d_brier_low", "d_brier_high"]].round(4), "method"),
        "",
        "Class method, leave-one-out, by the prior strength k of the partial pooling (declared: "
        f"{value('class_prior_strength'):g}):",
        "",
        _md(strength_sensitivity(rows).round(4), "k"),
        "",
        f"Class base rates with and without the {int((rows.plan_years == 1).sum())} rows of annual (one-year) "
        "plans, which set a target months ahead and cannot make up a bad year "
        f"({int(((rows.plan_years == 1) & (rows.target_year == rt.LAST_YEAR)).sum())} of them for {rt.LAST_YEAR}, "
        "set before the epidemic); the plan targets use all rows, since a multi-year period can hold a shock as well:",
        "",
        _md(horizon_sensitivity(rows).round(3), "class"),
        "",
        "## Caveats",
        "",
        "- Outcomes are known for a minority of past targets and reviews report successes more readily, so the "
        "rates likely overstate how often targets are met (see `data/reference_targets/README.md`).",
        "- Plan targets are mapped to classes by `data/reference_targets/class_map.csv` (indicator and figure "
        "kind -> class, with a reason per row); a target whose indicator is missing there is an error.",
        "- The ambition model needs a baseline; most reference rows and most plan targets have none, so its "
        "slope rests on few rows and is shrunk by its declared prior.",
    ]
    return "\n".join(lines)


def _verdict(table: pd.DataFrame, method: Method) -> str:
    if method is Method.CONSTANT:
        return ("No richer method has a lower leave-one-out Brier score than the constant base rate, so the "
                "constant base rate is used.")
    r = table.loc[method.value]
    sure = "excludes" if r.d_brier_high < 0 else "includes"
    return (f"Its LOO Brier score is {r.brier:.4f} against {table.brier[Method.CONSTANT.value]:.4f} for the "
            f"constant base rate (difference {r.d_brier:+.4f}, interval {r.d_brier_low:+.4f} to "
            f"{r.d_brier_high:+.4f}, which {sure} zero).")


def _md(frame: pd.DataFrame, index_name: str) -> str:
    frame = frame.copy()
    frame.index = frame.index.astype(str)
    frame.index.name = index_name
    return frame.to_markdown()


def write(path: Path | None = None) -> Path:
    """Write the page to ``path`` (default: the checkout's docs/outside_view.md)."""
    path = path if path is not None else writable_docs_page(DOC.name)
    atomic_write_text(path, render() + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    """``python -m dezsim.targets.outside_score [--write]``: print the page, or write it to docs/."""
    argv = sys.argv[1:] if argv is None else argv
    if "--write" in argv:
        print(write())
    else:
        print(render())
    return 0


if __name__ == "__main__":
    # Re-import so the enums are the package's own, not copies defined in ``__main__``.
    from dezsim.targets.outside_score import main as _main

    raise SystemExit(_main())
