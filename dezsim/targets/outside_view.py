"""The outside view of every plan target: the reference-class model of :mod:`dezsim.targets.outside_model`, chosen by
its leave-one-out score (:mod:`dezsim.targets.outside_score`), applied to the plans' targets and joined with the generic
indicator models (:mod:`dezsim.targets.indicator_models`). ``python -m dezsim.targets.outside_view`` prints the table.

The model and the scores live in their own modules so that neither imports this one (no import cycle).
"""

from __future__ import annotations

import pandas as pd

from dezsim.data import reference_targets as rt
from dezsim.targets.outside_model import (  # noqa: F401  (re-exported: the outside view's public names)
    CLASS_MAP, OUTPUT_COLUMNS, Method, beta_interval, class_posteriors, fit_ambition, load_class_map,
    pooled_posterior, predict_targets, prior_precision, required_growth)
from dezsim.targets.indicator_priors import indicator_table
from dezsim.targets.outside_score import evaluate
from dezsim.targets.target_baselines import plan_targets


def outside_view(ds, ref: rt.ReferenceTargets | None = None) -> pd.DataFrame:
    """Outside-view probability for every target of the five plans, by the method that scores best LOO.

    Parameters
    ----------
    ds : dezsim.data.dataset.Dataset
        Loaded data (targets, baselines, the class map under ``ds.root``).
    ref : ReferenceTargets, optional
        Reference class (default: loaded from ``ds.root``).

    Returns
    -------
    pandas.DataFrame
        One row per target: :data:`OUTPUT_COLUMNS`.
    """
    ref = ref if ref is not None else rt.load(ds.root, quotes=False)
    ev = evaluate(ref)
    return predict_targets(plan_targets(ds), ev["rows"], ev["method"])


def outside_and_indicator_table(ds, seed: int | None, origin: int | None = None) -> pd.DataFrame:
    """Both views a reach report can join on ``target_id``: outside view and, where one applies, a generic
    indicator model (:mod:`dezsim.targets.indicator_models`).

    From an ``origin`` before 2020 both are fenced at it: the outside view is fitted on the past targets of
    years up to the origin only (:func:`fenced`), and the indicator models, which start from the plans' 2020
    baselines, are left out (``p_indicator`` NaN).

    Returns
    -------
    pandas.DataFrame
        :data:`OUTPUT_COLUMNS` plus ``tier`` (``indicator_trend`` where a generic model applies, else
        ``outside_view``), ``indicator_model``, ``p_indicator``, ``p_indicator_mc_se`` and ``indicator_basis``.
    """
    from dezsim.model.origin import BASE_ORIGIN

    if origin is None or origin == BASE_ORIGIN:
        out = outside_view(ds)
        return out.merge(indicator_table(ds, seed), on="target_id", how="left", validate="one_to_one")
    out = outside_view(ds, fenced(rt.load(ds.root, quotes=False), origin))
    return out.assign(tier="outside_view", indicator_model=None, p_indicator=float("nan"),
                      p_indicator_mc_se=float("nan"),
                      indicator_basis=f"left out from origin {origin}: it starts from the 2020 baselines")


def fenced(ref: rt.ReferenceTargets, origin: int) -> rt.ReferenceTargets:
    """The reference class as known at the end of ``origin``: past targets of years up to it whose outcome, if
    any, is a figure of that year or before, and the plans that still have one."""
    t = ref.targets
    known = (t.target_year <= origin) & (t.outcome_year.isna() | (t.outcome_year <= origin))
    targets = t[known].reset_index(drop=True)
    return rt.ReferenceTargets(ref.plans[ref.plans.code.isin(targets.plan)].reset_index(drop=True), targets)


def summary(table: pd.DataFrame) -> str:
    """Counts of targets by tier and by p_outside band (< 0.2, 0.2-0.8, > 0.8)."""
    bands = pd.cut(table.p_outside, [0.0, 0.2, 0.8, 1.0], labels=["< 0.2", "0.2-0.8", "> 0.8"],
                   include_lowest=True)
    lines = [f"{len(table)} targets; method: {', '.join(sorted(table.method.unique()))}",
             "p_outside: " + ", ".join(f"{k} {v}" for k, v in bands.value_counts(sort=False).items()),
             "tier: " + ", ".join(f"{k} {v}" for k, v in table.tier.value_counts().items())]
    if "p_indicator" in table:
        pi = table.p_indicator.dropna()
        lines.append(f"p_indicator for {len(pi)} targets: mean {pi.mean():.2f}" if len(pi) else "no p_indicator")
    return "\n".join(lines)


def main() -> int:
    """``python -m dezsim.targets.outside_view``: print the table's summary and its rows."""
    from dezsim.data.loader import load

    table = outside_and_indicator_table(load(), seed=0)
    print(summary(table))
    with pd.option_context("display.width", 200, "display.max_rows", 500, "display.max_colwidth", 60):
        print(table.drop(columns=["basis", "indicator_basis"]).round(3).to_string(index=False))
    return 0


if __name__ == "__main__":
    # Re-import so the enums are the package's own, not copies defined in ``__main__``.
    from dezsim.targets.outside_view import main as _main

    raise SystemExit(_main())
