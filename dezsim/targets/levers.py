"""Levers: the smallest change of a named policy lever that lifts a target's probability to 0.8.

Each lever is one declared parameter moved from its baseline towards the end of its bounds, everywhere (a
province-wide change of policy), on a grid of intensities; the same seed is used at every grid point (common
random numbers), so differences come from the lever, not from sampling. Between grid points the probability is
interpolated linearly; beyond the last point the target is "not reachable with this lever within its bounds".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dezsim.base.processes import map_ordered
from dezsim.data.dataset import Dataset
from dezsim.model import params as P
from dezsim.model.config import Scenario
from dezsim.model.derived import add_derived
from dezsim.model.results import Results
from dezsim.targets.reach import LIKELY, assess, map_targets


@dataclass(frozen=True)
class Lever:
    """A named policy lever: a parameter moved from ``start`` to ``end`` (others set alongside in ``with_``)."""

    name: str
    param: str
    start: float
    end: float
    with_: dict[str, float] = field(default_factory=dict)

    def value(self, intensity: float) -> float:
        """The parameter's value at ``intensity`` in [0, 1]."""
        return self.start + intensity * (self.end - self.start)

    def overrides(self, intensity: float) -> dict[str, float]:
        """Scenario overrides at ``intensity``."""
        return {**self.with_, self.param: self.value(intensity)}


def _bound(name: str, end: int) -> float:
    return P.BY_NAME[name].bounds[end]


#: The levers searched, with the baseline each starts from and the bound it moves to.
LEVERS = (
    Lever("capex subsidy rate", "policy_capex_subsidy", 0.0, _bound("policy_capex_subsidy", 1),
          {"policy_budget_share_gdp": _bound("policy_budget_share_gdp", 1)}),
    Lever("free-diagnosis budget (share of GDP)", "policy_budget_share_gdp", 0.0, 0.001, {"policy_free_diagnosis": 1.0}),
    Lever("5G capex (share of GDP)", "g5_capex_share_gdp", 0.004, _bound("g5_capex_share_gdp", 1)),
    Lever("new-build PUE cap", "dc_pue_cap", 1.5, _bound("dc_pue_cap", 0)),
    Lever("extra digital investment (share of GDP)", "digital_investment_extra", 0.0,
          _bound("digital_investment_extra", 1)),
)
GRID = (1 / 3, 2 / 3, 1.0)


@dataclass(frozen=True)
class LeverPoint:
    """One point of the search, everything a worker process needs to compute its p (picklable)."""

    scenario: Scenario
    runs: int
    seed: int
    data: Dataset
    mapping: pd.DataFrame
    targets: tuple[str, ...]


def search(scenario: Scenario, ds: Dataset, targets: list[str], runs: int, seed: int, *,
           base: Results | None = None, workers: int = 1, advance: Callable[[], None] = lambda: None
           ) -> pd.DataFrame:
    """For every target id in ``targets`` and every lever: the value that lifts p to 0.8, or why not.

    Parameters
    ----------
    scenario, ds : Scenario, Dataset
        The scenario the levers change, and the data it runs on.
    targets : list of str
        Target ids to search for.
    runs, seed : int
        Runs per point and their root seed (the same at every point: common random numbers).
    base : Results, optional
        The scenario's own results for these runs and seed (the report passes the first ``runs`` runs of its
        ensemble, which are exactly those); simulated when None.
    workers : int
        Processes computing the lever points (1: in this process); the table does not depend on it.
    advance : callable
        Called once per point done (for progress).
    """
    first = base if base is not None else _simulate(scenario, runs, seed, ds)
    mapping = _map(first, ds)  # same leaves and horizon at every lever point (overrides only): mapped once
    base_p = _p(first, ds, mapping, targets)
    advance()
    points = [LeverPoint(scenario.model_copy(update={
        "overrides": {**scenario.overrides, **lever.overrides(intensity)}, "name": f"{scenario.name}+{lever.param}"}),
        runs, seed, ds, mapping, tuple(targets)) for lever in LEVERS for intensity in GRID]
    probs = map_ordered(point_p, points, workers, advance)
    rows = []
    for k, lever in enumerate(LEVERS):
        curve = pd.concat([base_p, *probs[k * len(GRID):(k + 1) * len(GRID)]], axis=1).to_numpy()  # (target, point)
        grid = {f"value_{i}": lever.value(g) for i, g in enumerate((0.0, *GRID))}  # the response curve
        for tid, p in zip(targets, curve, strict=True):
            rows.append({"target_id": tid, "lever": lever.name, "parameter": lever.param} | _needed(lever, p)
                        | grid | {f"p_{i}": float(v) for i, v in enumerate(p)})
    return pd.DataFrame(rows)


def point_p(point: LeverPoint) -> pd.Series:
    """p of every target of ``point`` under its scenario (run in a worker process or here)."""
    results = _simulate(point.scenario, point.runs, point.seed, point.data)
    return _p(results, point.data, point.mapping, list(point.targets))


def _simulate(scenario: Scenario, runs: int, seed: int, ds: Dataset) -> Results:
    from dezsim.model.simulate import run

    return run(scenario, runs=runs, seed=seed, data=ds)


def _map(results, ds: Dataset) -> pd.DataFrame:
    """The targets mapped onto what ``results`` (with the derived indicators) hold."""
    frame = add_derived(results, ds).frame
    return map_targets(ds, list(frame.region.cat.categories), int(frame.year.max()), set(frame.indicator.unique()))


def _p(results, ds: Dataset, mapping: pd.DataFrame, targets: list[str]) -> pd.Series:
    table = assess(add_derived(results, ds), mapping).set_index("target_id")
    return table.loc[targets, "p_reach"].astype(float)


def _needed(lever: Lever, p: np.ndarray) -> dict:
    """Interpolated smallest value reaching LIKELY along the grid (p[0] is the starting point)."""
    grid = (0.0, *GRID)
    for i in range(1, len(grid)):
        if p[i] >= LIKELY:
            lo, hi = grid[i - 1], grid[i]
            frac = (LIKELY - p[i - 1]) / (p[i] - p[i - 1]) if p[i] > p[i - 1] else 1.0
            intensity = lo + min(max(frac, 0.0), 1.0) * (hi - lo)
            return {"value_needed": lever.value(intensity), "p_at_bound": p[-1], "status": "reachable"}
    return {"value_needed": np.nan, "p_at_bound": p[-1],
            "status": "not reachable with this lever within its bounds"}


def best_lever(levers: pd.DataFrame) -> pd.DataFrame:
    """Per target, the reachable lever needing the smallest share of its range (or none)."""
    table = {lv.name: lv for lv in LEVERS}
    ok = levers[levers.status == "reachable"].copy()
    ok["share_of_range"] = [abs(r.value_needed - table[r.lever].start) / abs(table[r.lever].end - table[r.lever].start)
                            for r in ok.itertuples()]
    best = ok.sort_values("share_of_range").groupby("target_id").first()
    return best[["lever", "value_needed"]].rename(columns={"lever": "best_lever", "value_needed": "best_lever_value"})
