"""What the dashboard computes, without any UI: areas to look at, levers, cached runs and the p table.

Kept apart from the Solara page so it can be tested (and reused in a notebook) without a browser. Lever
ranges, units and labels come from the parameter declarations in :mod:`dezsim.model.params`; nothing is retyped.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from dezsim.data.dataset import Dataset
from dezsim.model import params as P
from dezsim.model.config import Scenario, load_scenario
from dezsim.resources import scenarios_root

#: Scenario files offered (the checkout's library).
SCENARIOS = scenarios_root()
#: Runs per evaluation unless ``DEZSIM_APP_RUNS`` says otherwise (the command's ``--runs``).
DEFAULT_RUNS = 100
#: Evaluations kept in memory (each a Results and its reach table).
CACHE_SIZE = 24


@dataclass(frozen=True)
class Lever:
    """A slider: one declared parameter, applied everywhere when moved (``with_`` set alongside)."""

    param: str
    label: str
    with_: tuple[tuple[str, float], ...] = ()

    @property
    def declared(self) -> P.Param:
        return P.BY_NAME[self.param]

    @property
    def unit(self) -> str:
        """The unit people read the lever in (e.g. "% of GDP"; :data:`dezsim.base.units.LEVER_UNITS`)."""
        from dezsim.base.units import lever_value

        return lever_value(self.param, 1.0)[1] or self.declared.unit

    def shown(self, value: float) -> str:
        """``value`` (as declared, e.g. a share) in the lever's own unit, for the slider's caption."""
        from dezsim.base.units import lever_value, number

        v, unit = lever_value(self.param, value)
        return f"{number(v)} {unit}".rstrip()

    @property
    def bounds(self) -> tuple[float, float]:
        return self.declared.bounds

    @property
    def step(self) -> float:
        """The power of ten at or below a hundredth of the declared range (so the default and round values lie
        on the slider's grid, e.g. 0.003 on 0.0005-0.01 with steps of 0.0001)."""
        lo, hi = self.bounds
        return float(10.0 ** np.floor(np.log10((hi - lo) / 100)))

    def start(self, scenario: Scenario) -> float:
        """The value the scenario uses: its scalar override, else the declared default."""
        value = scenario.overrides.get(self.param)
        return float(value) if isinstance(value, (int, float)) else float(self.declared.default)


def _with_free_diagnosis() -> tuple[tuple[str, float], ...]:
    # A diagnosis budget only buys diagnoses when free diagnosis is on (Wuxi's scheme, see params.py).
    return (("policy_free_diagnosis", P.BY_NAME["policy_free_diagnosis"].bounds[1]),)


def _funded() -> tuple[tuple[str, float], ...]:
    # Subsidies are paid from the district budget, which binds: a subsidy moved alone is funded at the budget's
    # upper bound, as in the lever search (dezsim.targets.levers); moving the budget slider too overrides this.
    return (("policy_budget_share_gdp", P.BY_NAME["policy_budget_share_gdp"].bounds[1]),)


#: The six levers of the dashboard.
LEVERS = (
    Lever("policy_capex_subsidy", "capex subsidy", _funded()),
    Lever("policy_budget_share_gdp", "diagnosis budget", _with_free_diagnosis()),
    Lever("policy_interest_subsidy", "loan-interest subsidy", _funded()),
    Lever("g5_capex_share_gdp", "5G capex"),
    Lever("dc_pue_cap", "new-build PUE cap"),
    Lever("digital_investment_extra", "extra digital investment"),
)


@dataclass(frozen=True)
class Area:
    """What the user looks at: a region (its targets and those below it) or a plan (its targets)."""

    key: str
    label: str
    root: str
    targets: tuple[str, ...]


def areas(ds: Dataset) -> list[Area]:
    """Every modelled region with targets, then every plan, each with the region that must be simulated."""
    t = ds.targets()
    out = []
    for code, name in ds.regions[ds.regions.modelled.astype(bool)][["code", "name_en"]].itertuples(index=False):
        below = set(ds.leaves(code)) | _descendants(ds, code)
        ids = tuple(t[t.region.isin(below)].id)
        if ids:
            out.append(Area(f"region:{code}", f"region: {name}", code, ids))
    for source, title in ds.sources[ds.sources.kind == "seed"][["source", "title"]].itertuples(index=False):
        ids = tuple(t[t.source == source].id)
        if ids:
            from dezsim.outputs.compare import plan_label

            root = _common_root(ds, set(t[t.source == source].region))
            out.append(Area(f"plan:{source}", f"plan: {plan_label(title)}", root, ids))
    return out


def _descendants(ds: Dataset, code: str) -> set[str]:
    kids = set(ds.children(code))
    return {code} | kids | {d for k in kids for d in _descendants(ds, k)}


def _common_root(ds: Dataset, regions: set[str]) -> str:
    """The smallest modelled region containing every region in ``regions``."""
    parent = dict(zip(ds.regions.code, ds.regions.parent, strict=True))

    def chain(r: str) -> list[str]:
        return [r] + (chain(parent[r]) if isinstance(parent.get(r), str) else [])

    chains = [chain(r) for r in regions]
    common = [r for r in chains[0] if all(r in c for c in chains[1:])]
    return common[0] if common else "jiangsu"


def is_province_wide(area: Area) -> bool:
    """Province-wide areas are computed on request (Run button), cities on every change."""
    return area.root == "jiangsu"


def scenario_files() -> list[str]:
    """Scenario file names offered, baseline first."""
    names = sorted(p.name for p in SCENARIOS.glob("*.yaml"))
    return sorted(names, key=lambda n: n != "baseline.yaml")


def runs_setting() -> int:
    """Runs per evaluation: ``DEZSIM_APP_RUNS`` (set by ``dezsim app --runs``) or :data:`DEFAULT_RUNS`."""
    return int(os.environ.get("DEZSIM_APP_RUNS", DEFAULT_RUNS))


def with_levers(scenario: Scenario, root: str, moved: dict[str, float]) -> Scenario:
    """``scenario`` restricted to ``root``, with every moved lever set everywhere (its schedule dropped, so the
    slider's value holds in every year)."""
    overrides, schedules = dict(scenario.overrides), dict(scenario.schedules)
    chosen = {lv.param: lv.declared.check(moved[lv.param], "dashboard lever: ") for lv in LEVERS if lv.param in moved}
    alongside = [pair for lv in LEVERS if lv.param in chosen for pair in lv.with_]
    for name, value in [*alongside, *chosen.items()]:  # explicitly moved levers last: they win
        overrides[name] = value
        schedules.pop(name, None)
    return scenario.model_copy(update={"regions": [root], "overrides": overrides, "schedules": schedules})


def shown_values(scenario: Scenario, moved: dict[str, float]) -> dict[str, float]:
    """What each slider shows: the value in force (moved, set alongside a moved lever, or the scenario's)."""
    applied = with_levers(scenario, scenario.regions[0], moved).overrides
    return {lv.param: float(applied[lv.param]) if isinstance(applied.get(lv.param), (int, float))
            else round(lv.start(scenario), 6) for lv in LEVERS}


@dataclass
class Evaluation:
    """One simulated ensemble and its reach table."""

    results: object
    reach: pd.DataFrame
    seconds: float


@dataclass
class Engine:
    """Runs and caches evaluations (shared by every browser session of one server)."""

    ds: Dataset
    runs: int = field(default_factory=runs_setting)
    seed: int = 0
    _cache: OrderedDict = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def scenario(self, name: str) -> Scenario:
        return load_scenario(SCENARIOS / name)

    def evaluate(self, name: str, root: str, moved: dict[str, float], progress=None) -> Evaluation:
        """The ensemble of scenario file ``name`` on ``root`` with the ``moved`` levers (cached)."""
        from dezsim.model.simulate import run
        from dezsim.targets.reach import reachability

        key = (name, root, tuple(sorted(moved.items())), self.runs, self.seed)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        start = time.perf_counter()
        scen = with_levers(self.scenario(name), root, moved)
        results = run(scen, runs=self.runs, seed=self.seed, data=self.ds, progress=progress or False)
        found = Evaluation(results, reachability(results, self.ds), time.perf_counter() - start)
        with self._lock:
            self._cache[key] = found
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return found


def p_table(base: pd.DataFrame, now: pd.DataFrame, area: Area, ds: Dataset) -> pd.DataFrame:
    """The area's assessed targets: the target as the plan states it (its declared reading, in the plan's unit),
    p at the baseline, p now, and Δ."""
    from dezsim.base.units import threshold_text

    t = ds.targets().set_index("id")
    b, n = base.set_index("target_id"), now.set_index("target_id")
    ids = [i for i in area.targets if i in n.index and bool(n.loc[i, "assessed"]) and bool(b.loc[i, "assessed"])]
    rows = []
    for i in ids:
        rows.append({"target": i, "region": t.loc[i, "region"], "indicator": n.loc[i, "indicator"],
                     "year": int(t.loc[i, "year"]),
                     "plan says": threshold_text(n.loc[i, "relation"], float(n.loc[i, "threshold"]), n.loc[i, "unit"]),
                     "p baseline": float(b.loc[i, "p_reach"]), "p": float(n.loc[i, "p_reach"]),
                     "verdict": str(n.loc[i, "verdict"])})
    table = pd.DataFrame(rows, columns=["target", "region", "indicator", "year", "plan says", "p baseline", "p",
                                        "verdict"])
    table["Δ"] = table["p"] - table["p baseline"]
    return table


def fan_indicators(table: pd.DataFrame, limit: int = 3) -> list[tuple[str, str]]:
    """(indicator, region) pairs to draw: those of the area's targets, most moved first."""
    if table.empty:
        return []
    order = table.assign(moved=np.abs(table["Δ"])).sort_values("moved", ascending=False, kind="stable")
    return list(dict.fromkeys(zip(order.indicator, order.region)))[:limit]
