"""The Mesa engine: one :class:`LadderModel` per run, one :class:`~dezsim.model.abm.firms.Firm` agent per firm, random
sequential activation. It is the reference for small populations; the vectorised engine
(:class:`dezsim.model.abm.engine.VectorisedAgents`) must agree with it in distribution.

A Mesa step is one decision period, so Mesa's clock counts periods (``model.steps``, ``model.time``).
"""

from __future__ import annotations

import mesa
import numpy as np

from dezsim.model.abm import population, rule
from dezsim.model.abm.districts import District
from dezsim.model.abm.engine import FLOW_KEYS, STOCK_KEYS, AgentEngine, Setup, chased_share, hazard_multiplier
from dezsim.model.abm.firms import Firm
from dezsim.model.abm.population import TOP, UPGRADED_RUNG, Firms
from dezsim.model.exchange import Observables


class LadderModel(mesa.Model):
    """Firms climbing the smart-upgrade ladder under their districts' policies (one run).

    Parameters
    ----------
    firms : Firms
        The initial population, sorted by region and sector.
    par : dict
        Scalar firm parameters of this run (see :data:`dezsim.model.params.AGENT_PARAMS`).
    policy : dict of str to ndarray
        Policy parameters per leaf region (see :data:`dezsim.model.params.POLICY_PARAMS`).
    targets : list of (share, year) or None
        Target of each leaf region's covered share (:data:`dezsim.model.abm.engine.CHASED`), if the plans set one.
    rng : numpy.random.Generator
        The run's agent stream.
    steps_per_year, n_sectors, start_year : int
        Decision periods per year; sectors (peer groups are region x sector); year whose end is the start.
    """

    def __init__(self, firms: Firms, par: dict, policy: dict[str, np.ndarray], targets: list, rng: np.random.Generator,
                 steps_per_year: int = 4, n_sectors: int = 4, start_year: int = 2020) -> None:
        super().__init__(rng=rng)
        self.par, self.fp, self.dt = par, rule.rule_vector(par), 1.0 / steps_per_year
        self.steps_per_year, self.n_sectors, self.start_year = steps_per_year, n_sectors, start_year
        self.n_regions, self.year = len(targets), start_year
        self.districts = [District(self, i, {k: float(v[i]) for k, v in policy.items()},
                                   float(policy["policy_budget_share_gdp"][i]), targets[i],
                                   bool(policy["policy_adaptive"][i] >= 0.5), float(policy["policy_adaptive_step"][i]))
                          for i in range(self.n_regions)]
        self.firms = [Firm(self, firms.region[i], firms.sector[i], firms.above[i], firms.size[i], firms.weight[i],
                           firms.rung[i]) for i in range(len(firms))]  # creation order = sorted by group
        self.starts = population.group_starts(firms, self.n_regions, n_sectors)
        self.rung0 = np.array(firms.rung, dtype=int)  # end-2020 rungs, in the order of ``self.firms``
        self.coverage, self.support = np.zeros(self.n_regions), np.zeros((self.n_regions, 4))
        self.hazard = np.ones(self.n_regions)
        self.peers = np.zeros(self.starts.size - 1)
        self._total, self._upgraded = np.zeros_like(self.peers), np.zeros_like(self.peers)
        self.tally = np.zeros((len(rule.TALLY), self.n_regions))
        self.projects_total, self.paid_total = np.zeros(self.n_regions), np.zeros(self.n_regions)

    def state(self) -> dict[str, np.ndarray]:
        """Stocks per region now (weighted counts; see :func:`dezsim.model.abm.kernel.run_stocks` for each)."""
        w = np.array([f.weight for f in self.firms])
        rung, above = np.array([f.rung for f in self.firms]), np.array([f.above for f in self.firms])
        reg, r0 = np.array([f.region for f in self.firms], dtype=int), self.rung0
        diagnosed = w * ((rung >= 1) & (r0 == 0))
        cols = (w * above, w * above * (rung >= UPGRADED_RUNG), w * (rung >= UPGRADED_RUNG), w * (rung >= 3),
                w * (rung >= TOP), w * above * (rung >= 1), diagnosed, diagnosed * above,
                w * above * np.maximum(0, rung - np.maximum(r0, 1)), w * ~above * (rung > r0))
        sums = [np.bincount(reg, weights=c, minlength=self.n_regions) for c in cols]
        return dict(zip(STOCK_KEYS, sums, strict=True)) | {
            "projects": self.projects_total.copy(), "budget_left": np.array([d.budget for d in self.districts])}

    def step_year(self, coverage: np.ndarray, gdp: np.ndarray, growth: np.ndarray,
                  hazard: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """Appropriate budgets, ``steps_per_year`` Mesa steps (decision periods), grow revenue, review policy.

        ``coverage`` (0-1), ``gdp`` (100m yuan, start of year), ``growth`` (revenue factor) and ``hazard``
        (multiplier of every adoption hazard this year; default 1) per region.
        """
        self.coverage = np.asarray(coverage, dtype=float)
        self.hazard = np.ones(self.n_regions) if hazard is None else np.asarray(hazard, dtype=float)
        for d in self.districts:
            d.appropriate(float(gdp[d.index]))
        self.support = np.array([[d.free_diagnosis, d.capex_subsidy, d.interest_subsidy, d.max_award]
                                 for d in self.districts])
        self.tally[:] = 0.0
        for _ in range(self.steps_per_year):
            self.step()
        for f in self.firms:
            f.size *= float(growth[f.region])
        self.year += 1
        booked = dict(zip(rule.TALLY, self.tally.copy(), strict=True))
        self.projects_total += booked["projects"]
        self.paid_total += booked["subsidy_paid"]
        out = self.state() | {k: booked[k] for k in FLOW_KEYS}
        share = chased_share(out)
        for d in self.districts:
            d.review(self.year, float(share[d.index]))
        return out

    def step(self) -> None:
        """One decision period: open the calls, peer shares at the start, every firm once in random order."""
        for d in self.districts:
            d.open_call()
        w = np.array([f.weight for f in self.firms])
        rung = np.array([f.rung for f in self.firms], dtype=np.int8)
        rule.group_weights(self.starts, w, rung, self._total, self._upgraded)
        rule.peer_shares(self._total, self._upgraded, self.peers)
        self.agents_by_type[Firm].shuffle_do("step")

    def inspect(self, n: int = 10) -> mesa.agent.AgentSet:
        """The first ``n`` firm agents."""
        return mesa.agent.AgentSet(self.firms[:n], random=self.random)


class MesaAgents(AgentEngine):
    """Every run's :class:`LadderModel`, stepped one after another."""

    def __init__(self, s: Setup) -> None:
        super().__init__(s)
        self.models = [LadderModel(f, p, {k: v[e] for k, v in s.policy.items()}, s.targets, rng,
                                   s.settings.steps_per_year, s.settings.spec.n_sectors, s.start_year)
                       for e, (f, p, rng) in enumerate(zip(s.firms, s.firm_par, s.rngs, strict=True))]

    def stocks(self) -> dict[str, np.ndarray]:
        states = [m.state() for m in self.models]
        return {k: np.stack([st[k] for st in states]) for k in states[0]}

    def _year(self, env: Observables) -> dict[str, np.ndarray]:
        hazard = hazard_multiplier(env)
        outs = [m.step_year(env.coverage[e], env.gdp[e], env.growth[e], hazard[e]) for e, m in enumerate(self.models)]
        return {k: np.stack([o[k] for o in outs]) for k in outs[0]}
