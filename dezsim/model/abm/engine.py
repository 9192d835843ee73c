"""Agent engines: the firms and districts of every run of an ensemble, stepped a year at a time.

Two engines implement :class:`AgentEngine`: :class:`VectorisedAgents` (firm state as arrays over (run, firm),
one compiled kernel call per year for all runs; the default) and :class:`dezsim.model.abm.model.MesaAgents` (one Mesa
model per run, one agent per firm, random sequential activation; the reference for small populations); the
coupling picks one (:func:`dezsim.model.coupling.build_agents`). Both apply the rule of :mod:`dezsim.model.abm.rule` and hand
the coupling the same :class:`~dezsim.model.exchange.AgentFlows`.
"""

from __future__ import annotations

import ctypes
from abc import ABC, abstractmethod
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numba
import numpy as np
import pandas as pd

from dezsim.base.seeding import component_rng
from dezsim.model import params as P
from dezsim.model.abm import kernel, population, rule
from dezsim.model.abm.rule import reviewed_capex
from dezsim.model.abm.settings import ENGINES, AgentSettings  # noqa: F401 - re-exported
from dezsim.model.exchange import AGENT_KEYS, AgentFlows, Observables

#: Yearly flows per region reported besides the stocks (weighted by real firms; money in 100m yuan).
FLOW_KEYS = ("new_cloud", "spend", "induced_spend", "subsidy_paid")
#: Stocks the kernel takes at each year end (:func:`dezsim.model.abm.kernel.run_stocks` defines them): the last five are
#: the plans' own counts (covered above-size firms; diagnosed firms, diagnosed above-size firms, projects of
#: above-size firms and transformed SMEs, each cumulative since end-2020).
STOCK_KEYS = ("above_firms", "upgraded_above", "cloud_firms", "workshop_firms", "factory_firms", "covered_above",
              "diagnosed", "diagnosed_above", "projects_above", "smes_transformed")
assert len(STOCK_KEYS) == kernel.N_STOCKS
#: The stock whose share of above-size firms adaptive districts chase: the plans read "全覆盖 of 规上 firms by
#: 智改数转" on covered firms (``covered_firms_share``), so that is the share their targets are stated in.
CHASED = "covered_above"


def chased_share(out: dict[str, np.ndarray]) -> np.ndarray:
    """The share (0-1) of above-size firms counted by :data:`CHASED` (0 where a region has none)."""
    return out[CHASED] / np.where(out["above_firms"] > 0, out["above_firms"], 1.0)


@dataclass(frozen=True)
class Setup:
    """What every engine is built from: per run its firm parameters, population and generator; per (run,
    region) the policy; per region the upgraded-share target (share 0-1, year) or None."""

    firm_par: list[dict]
    firms: list[population.Firms]
    rngs: list[np.random.Generator]
    policy: dict[str, np.ndarray]
    targets: list
    settings: AgentSettings
    start_year: int = 2020


class AgentEngine(ABC):
    """One ensemble's agents. ``stocks()`` now; ``step_year(env)`` one year, returning the flows for the SD core
    and the year-end record (:data:`~dezsim.model.exchange.AGENT_KEYS` plus :data:`FLOW_KEYS`, arrays (run, region))."""

    def __init__(self, setup: Setup) -> None:
        self.firm_par = setup.firm_par
        self._racks = np.array([p["racks_per_cloud_firm"] for p in setup.firm_par])[:, None]
        self._gain = np.array([p["productivity_gain"] for p in setup.firm_par])[:, None]
        self._upgraded = None

    @abstractmethod
    def stocks(self) -> dict[str, np.ndarray]:
        """Stocks per run and region now: :data:`~dezsim.model.exchange.AGENT_KEYS` and ``budget_left``."""

    @abstractmethod
    def _year(self, env: Observables) -> dict[str, np.ndarray]:
        """Step one year; return the year-end stocks and the year's :data:`FLOW_KEYS`."""

    def step_year(self, env: Observables) -> tuple[AgentFlows, dict[str, np.ndarray]]:
        """One year of every run; the flows it hands the SD core, and the year-end record."""
        before = self.stocks()["upgraded_above"] if self._upgraded is None else self._upgraded
        out = self._year(env)
        self._upgraded = out["upgraded_above"]
        gained = (out["upgraded_above"] - before) / np.maximum(out["above_firms"], 1.0)
        flows = AgentFlows(induced_demand=out["induced_spend"] / env.gdp, rack_demand=self._racks * out["new_cloud"],
                           productivity_gain=self._gain * gained)
        return flows, out


def setup(design: pd.DataFrame, par: dict[str, np.ndarray], gdp_2020: np.ndarray, targets: list, seed: int,
          settings: AgentSettings, start_year: int = 2020) -> Setup:
    """Draw each run's population from the agent stream of (seed, run) only (the same stream then drives the
    run's decisions), so a run's agents do not depend on the other runs simulated with it. ``gdp_2020`` is
    (region,) or, with drawn 2020 allocations, (run, region)."""
    firm_par = [{p.name: float(par[p.name][e, 0]) for p in P.AGENT_PARAMS} for e in range(len(design))]
    firms, rngs = _populations(tuple(int(r) for r in design["run"]), firm_par, np.asarray(gdp_2020, float), seed,
                               settings.spec)
    policy = {p.name: np.array(par[p.name], dtype=float) for p in P.POLICY_PARAMS}
    return Setup(firm_par, firms, rngs, policy, targets, settings, start_year)


#: Populations kept for the next ensemble of the same runs (a lever search simulates the same runs, with the
#: same firm parameters, at every lever point): at most this many firm agents, one ensemble.
CACHE_FIRMS = 4_000_000
_cache: dict = {}


def _populations(runs: tuple, firm_par: list[dict], gdp: np.ndarray, seed: int, spec: population.PopulationSpec
                 ) -> tuple[list[population.Firms], list[np.random.Generator]]:
    """Each run's population and its generator as it stands after the draw (cached, see :data:`CACHE_FIRMS`)."""
    key = (runs, seed, spec, gdp.tobytes(), tuple(tuple(sorted(p.items())) for p in firm_par))
    if key not in _cache:
        def draw(j: int) -> tuple[population.Firms, dict]:
            rng = component_rng(seed, "agents", run=runs[j])
            return population.build(gdp if gdp.ndim == 1 else gdp[j], firm_par[j], rng, spec), rng.bit_generator.state

        # numpy's generators and sorts release the GIL, so runs are drawn on the kernels' threads (each from its
        # own stream: the populations do not depend on the number of threads)
        threads = min(numba.get_num_threads(), len(runs))
        if threads > 1:
            with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="dezsim-population") as pool:
                drawn = list(pool.map(draw, range(len(runs))))
        else:
            drawn = [draw(j) for j in range(len(runs))]
        firms, states = [f for f, _ in drawn], [s for _, s in drawn]
        _cache.clear()
        if sum(len(f) for f in firms) > CACHE_FIRMS:
            return firms, [_generator(s) for s in states]
        _cache[key] = (firms, states)
    firms, states = _cache[key]
    return [population.Firms(**vars(f)) for f in firms], [_generator(s) for s in states]


def _generator(state: dict) -> np.random.Generator:
    rng = np.random.default_rng()
    rng.bit_generator.state = state
    return rng


class Districts:
    """Every run's districts as arrays (run, region): budget, instruments, appropriation, adaptive policy."""

    def __init__(self, policy: dict[str, np.ndarray], targets: list, start_year: int) -> None:
        self.budget = np.zeros_like(policy["policy_budget_share_gdp"])
        self.support = np.ascontiguousarray(np.stack([policy[name] for name in rule.INSTRUMENTS], axis=-1))
        self.share_gdp = policy["policy_budget_share_gdp"]
        self.adaptive = (policy["policy_adaptive"] >= 0.5) & np.array([t is not None for t in targets])[None, :]
        self.step = policy["policy_adaptive_step"]
        self.goal = np.array([np.nan if t is None else t[0] for t in targets])
        self.goal_year = np.array([start_year if t is None else t[1] for t in targets])
        self.start_year, self.start_share = start_year, None

    def review(self, year: int, share: np.ndarray) -> None:
        """Adaptive districts raise their capex subsidy while behind the path to their target."""
        if self.start_share is None:
            self.start_share = share
        self.support[..., 1] = reviewed_capex(self.support[..., 1], share, self.start_share, self.goal,
                                              self.goal_year, self.adaptive, self.step, year, self.start_year)


def _take(firms: list[population.Firms], name: str, dtype) -> np.ndarray:
    """One field of every run's population, concatenated; the runs' own arrays are released as it goes (the
    engine takes the populations over), so a large ensemble never holds two full copies."""
    out = np.concatenate([getattr(f, name) for f in firms]).astype(dtype, copy=False)
    for f in firms:
        setattr(f, name, None)
    _return_freed_memory()
    return out


def _return_freed_memory() -> None:
    """Hand freed heap memory back to the system (glibc keeps the runs' small arrays' pages otherwise, and the
    process would hold the populations twice at its peak); a no-op where glibc is not the allocator."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def hazard_multiplier(env: Observables) -> np.ndarray:
    """The year's multiplier of every adoption hazard, (run, region): the adoption shock's, or 1."""
    return np.ones_like(env.coverage, dtype=float) if env.hazard is None else env.hazard


class VectorisedAgents(AgentEngine):
    """Firms of all runs concatenated (run r owns ``offsets[r]:offsets[r + 1]``); see :mod:`dezsim.model.abm.kernel`."""

    def __init__(self, s: Setup) -> None:
        super().__init__(s)
        n_regions, self.n_sectors = len(s.targets), s.settings.spec.n_sectors
        sizes = np.array([len(f) for f in s.firms])
        self.offsets = np.r_[0, np.cumsum(sizes)].astype(np.int64)
        self.starts = np.stack([population.group_starts(f, n_regions, self.n_sectors) + o
                                for f, o in zip(s.firms, self.offsets, strict=False)])
        self.region, self.sector = _take(s.firms, "region", np.int32), _take(s.firms, "sector", np.int8)
        self.weight, self.above = _take(s.firms, "weight", np.float64), _take(s.firms, "above", np.bool_)
        self.size, self.rung = _take(s.firms, "size", np.float64), _take(s.firms, "rung", np.int8)
        self.rung0 = self.rung.copy()  # end-2020 rungs: the counts since end-2020 are taken against them
        self.fp = np.stack([rule.rule_vector(p) for p in s.firm_par])
        self.keys = np.array([int(rng.integers(2**63)) for rng in s.rngs], dtype=np.uint64)
        self.districts = Districts(s.policy, s.targets, s.start_year)
        self.steps_per_year, self.year = s.settings.steps_per_year, s.start_year
        self.projects = np.zeros((len(sizes), n_regions))
        self._stocks: np.ndarray | None = None  # (run, STOCK_KEYS, region), taken by the kernel at each year end
        self.paid = np.zeros_like(self.projects)

    def __len__(self) -> int:
        return int(self.offsets[-1])

    def stocks(self) -> dict[str, np.ndarray]:
        if self._stocks is None:
            self._stocks = np.zeros((len(self.keys), len(STOCK_KEYS), self.projects.shape[1]))
            kernel.ensemble_stocks(self.starts, self.n_sectors, self.above, self.weight, self.rung, self.rung0,
                                   self._stocks)
        return dict(zip(STOCK_KEYS, self._stocks.copy().transpose(1, 0, 2), strict=True)) | {
            "projects": self.projects.copy(), "budget_left": self.districts.budget.copy()}

    def _year(self, env: Observables) -> dict[str, np.ndarray]:
        d = self.districts
        d.budget += d.share_gdp * env.gdp
        tally = np.zeros((len(self.keys), len(rule.TALLY), self.projects.shape[1]))
        self._stocks = np.zeros((len(self.keys), len(STOCK_KEYS), self.projects.shape[1]))
        parallel = len(self) >= kernel.PARALLEL_FIRMS and len(self.keys) > 1
        step = kernel.ensemble_year if parallel else kernel.ensemble_year_serial
        step(self.offsets, self.starts, self.n_sectors, self.region, self.sector, self.above,
             self.size, self.weight, self.rung, self.rung0, np.ascontiguousarray(env.coverage, dtype=float), d.support, d.budget,
             self.fp, self.keys, self.year, self.steps_per_year, np.ascontiguousarray(env.growth, dtype=float), tally,
             self._stocks, np.ascontiguousarray(hazard_multiplier(env), dtype=float))
        booked = dict(zip(rule.TALLY, tally.transpose(1, 0, 2), strict=True))
        self.projects += booked["projects"]
        self.paid += booked["subsidy_paid"]
        self.year += 1
        out = self.stocks() | {k: booked[k] for k in FLOW_KEYS}
        d.review(self.year, chased_share(out))
        return out


__all__ = ["AGENT_KEYS", "AgentEngine", "AgentSettings", "VectorisedAgents", "setup"]
