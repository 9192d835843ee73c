"""The mid-term update judged on pre-2021 data: the model started inside a past plan, conditioned on the figures
published since, and P(the plan's 2020 target) before and after the update against the outcome.

A plan's mid-term review (中期评估) re-forecasts its targets from the figures published since it started; dezsim
does it with ``reach --origin YEAR --observed FILE``. Here that is done on the 13th Five-Year period, where the
outcomes are known: the model starts from each origin of :data:`ORIGINS` (fitted on figures up to it only,
calibration/origins/<year>/), every past 2020 target whose indicator it simulates from there is assessed, and the
ensemble is conditioned on the levels published for the years between the origin and 2020 (data/history and
data/figures: the rows a user's ``--observed`` file would hold), as :mod:`dezsim.targets.update` does.

Every published level is read with the measurement error of a rounded figure (``about``): the history's levels of
one year differ between vintages (a work report's estimate, the bulletin, the census revision) by more than a plain
figure's revision error.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dezsim.base.errors import ConfigError
from dezsim.data import reference_targets as rt
from dezsim.data.dataset import Dataset
from dezsim.model.config import Scenario
from dezsim.model.origin import EARLY_INDICATORS
from dezsim.model.sd.initial import available_origins, published_levels
from dezsim.targets.backtest import past_targets

#: Origins inside the 13th Five-Year period the update starts from, and the last year observed (the year before
#: the targets' year 2020).
ORIGINS = (2017, 2018)
LAST_OBSERVED = 2019
#: How every observed level is stated (see the module docstring).
QUALIFIER = "about"
#: Runs per origin (SD core alone: seconds).
RUNS = 2000
COLUMNS = ["id", "plan", "region", "indicator", "target_year", "target_value", "outcome_value", "met", "origin",
           "observed", "p_before", "p_after", "effective_runs", "note"]


def targets_of(ds: Dataset, origin: int, ref: rt.ReferenceTargets | None = None) -> pd.DataFrame:
    """Past targets of years after ``LAST_OBSERVED`` with an outcome whose indicator the model simulates from
    ``origin`` as a level (``>=``)."""
    t = past_targets(ds, ref)
    return t[(t.target_year > LAST_OBSERVED) & t.indicator.isin(list(EARLY_INDICATORS)) & (t.relation == ">=")
             & (t.plan_start <= origin)].reset_index(drop=True)


def observed_levels(ds: Dataset, regions: list[str], indicators: list[str], years: range) -> pd.DataFrame:
    """The published levels of ``regions`` and ``indicators`` in ``years`` as an observed table (the columns of
    :func:`dezsim.data.observations.read_observed`; a year's versions: their mean)."""
    s = published_levels(ds)
    s = s[s.region.isin(regions) & s.indicator.isin(indicators) & s.year.isin(list(years))]
    table = s.groupby(["region", "indicator", "unit", "year"], as_index=False).value.mean()
    return table.assign(qualifier=QUALIFIER)


def root_of(ds: Dataset, region: str, origin: int) -> str | None:
    """The smallest modelled region holding ``region`` that the model can start from ``origin`` (None: none)."""
    parent = dict(zip(ds.regions.code, ds.regions.parent, strict=True))
    node = region
    while isinstance(node, str):
        if not available_origins(ds, (node,))[origin]:
            return node
        node = parent.get(node)
    return None


def midterm(ds: Dataset, seed: int = 0, runs: int = RUNS) -> pd.DataFrame:
    """One row per (past target, origin): p before and after the update on the levels published up to
    :data:`LAST_OBSERVED`, the effective runs, and the outcome (:data:`COLUMNS`)."""
    from dezsim.model.simulate import run
    from dezsim.targets.update import condition

    rows = []
    for origin in ORIGINS:
        for t in targets_of(ds, origin).to_dict("records"):
            base = {k: t[k] for k in ("id", "plan", "region", "indicator", "target_year", "target_value",
                                      "outcome_value", "met")} | {"origin": origin}
            root = root_of(ds, t["region"], origin)
            if root is None:
                rows.append(base | {"note": f"no modelled region holding {t['region']} starts from {origin}"})
                continue
            scen = Scenario(name=f"midterm-{origin}", start=origin, end=int(t["target_year"]), regions=[root])
            res = run(scen, runs=runs, seed=seed, agents=None, data=ds)
            f = res.frame
            final = f[(f.region == t["region"]) & (f.indicator == t["indicator"]) & (f.year == t["target_year"])]
            met = (final.set_index("run").value.sort_index() >= float(t["target_value"])).to_numpy(float)
            obs = observed_levels(ds, list(res.frame.region.cat.categories), [t["indicator"]],
                                  range(origin + 1, LAST_OBSERVED + 1))
            try:
                cond = condition(res, obs)
                after, ess, note = float(cond.weights @ met), cond.effective_runs, ""
            except ConfigError as exc:  # the figures lie outside what the ensemble can weigh
                after, ess, note = np.nan, np.nan, str(exc)
            rows.append(base | {"observed": len(obs), "p_before": float(met.mean()), "p_after": after,
                                "effective_runs": ess, "note": note})
    return pd.DataFrame(rows, columns=COLUMNS)


#: The page ``dezsim backtest`` writes beside backtest_targets.md.
PAGE = "backtest_midterm.md"


def page(frame: pd.DataFrame, runs: int = RUNS, seed: int = 0) -> str:
    """The Markdown page of :func:`midterm`'s rows, with the Brier score before and after the update."""
    scored = frame.dropna(subset=["p_before", "p_after"])
    met = scored.met.to_numpy(float)
    before = float(np.mean((scored.p_before - met) ** 2)) if len(scored) else np.nan
    after = float(np.mean((scored.p_after - met) ** 2)) if len(scored) else np.nan
    shown = frame.drop(columns=["note"]).copy()
    for col in ("p_before", "p_after"):
        shown[col] = shown[col].map(lambda v: "" if pd.isna(v) else f"{v:.3f}")
    shown["effective_runs"] = shown.effective_runs.map(lambda v: "" if pd.isna(v) else f"{v:.0f}")
    notes = [f"- {r.id} from {r.origin}: {r.note}" for r in frame.itertuples() if isinstance(r.note, str) and r.note]
    lines = [
        "# The mid-term update on pre-2021 data (`dezsim backtest`)", "",
        f"Generated by `dezsim backtest` (`dezsim/targets/midterm_backtest.py`): the SD core started from end-"
        f"{', '.join(map(str, ORIGINS))} (fitted on figures up to that year only, `calibration/origins/`), "
        f"{runs} runs, seed {seed}, conditioned on the levels published for the years after the origin up to "
        f"{LAST_OBSERVED} (every one read as a rounded figure), as `dezsim reach --origin YEAR --observed FILE` "
        "does; every past target of a year after that whose indicator the model simulates from the origin.", "",
        f"**{len(scored)} (target, origin) pairs scored**: Brier {before:.3f} before the update, {after:.3f} after."
        + (" Too few targets for a verdict: this checks that the update moves the right way on real figures, "
           "not how well it is calibrated (the synthetic-truth test in tests/test_update.py does that)."
           if len(scored) < 10 else ""), "",
        shown.to_markdown(index=False), ""]
    if notes:
        lines += ["Not scored:", "", *notes, ""]
    lines += ["Why so few: from an origin before 2020 the model simulates GDP (and Jiangsu's software revenue from "
              "2018), at current prices; the past 2020 targets of the reference class are mostly real "
              "(comparable-price) growth rates and indicators the model does not have (dezsim.model.origin).", ""]
    return "\n".join(lines)


def write(ds: Dataset, folder, seed: int = 0, runs: int = RUNS) -> tuple[pd.DataFrame, object]:
    """Compute :func:`midterm` and write :data:`PAGE` into ``folder``; returns the rows and the page's path."""
    from pathlib import Path

    from dezsim.base.atomic import atomic_write_text

    frame = midterm(ds, seed, runs)
    path = Path(folder) / PAGE
    atomic_write_text(path, page(frame, runs, seed))
    return frame, path
