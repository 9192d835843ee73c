"""The ladder model: firms and districts of one run, stepped a year at a time by the coupling.

Two engines run the same rule: ``"vectorised"`` (structure of arrays, every firm at once; the default) and
``"mesa"`` (one :class:`~dezsim.abm.firms.Firm` agent per firm, random sequential activation; the reference
for small populations). Draws come only from the model's generator.
"""

from __future__ import annotations

import mesa
import numpy as np

from dezsim.abm import rule
from dezsim.abm.districts import District
from dezsim.abm.firms import Firm, FirmView
from dezsim.abm.population import TOP, UPGRADED_RUNG, Firms

ENGINES = ("vectorised", "mesa")
#: Per-region yearly aggregates reported to the coupling (all weighted by real firms).
AGGREGATES = ("above_firms", "upgraded_above", "projects", "new_cloud", "cloud_firms", "workshop_firms",
              "factory_firms", "spend", "induced_spend", "subsidy_paid", "budget_left")


class LadderModel(mesa.Model):
    """Firms climbing the smart-upgrade ladder under their districts' policies (one run).

    Parameters
    ----------
    firms : Firms
        The initial population (copied; the caller's arrays are never modified).
    par : dict
        Scalar firm parameters of this run (see :data:`dezsim.params.AGENT_PARAMS`).
    policy : dict of str to ndarray
        Policy parameters per leaf region (see :data:`dezsim.params.POLICY_PARAMS`).
    targets : list of (share, year) or None
        Upgraded-share target of each leaf region, if the plans set one.
    rng : numpy.random.Generator
        The run's agent stream.
    engine : {"vectorised", "mesa"}
    steps_per_year : int
        Decision periods per year.
    n_sectors : int
        Number of sectors (peer groups are region x sector).
    start_year : int
        Calendar year whose end is the initial state.
    """

    def __init__(self, firms: Firms, par: dict, policy: dict[str, np.ndarray], targets: list, rng: np.random.Generator,
                 engine: str = "vectorised", steps_per_year: int = 4, n_sectors: int = 4,
                 start_year: int = 2020) -> None:
        super().__init__(rng=rng)
        if engine not in ENGINES:
            raise ValueError(f"engine {engine!r}: allowed {ENGINES}")
        self.engine, self.par, self.dt = engine, par, 1.0 / steps_per_year
        self.steps_per_year, self.n_sectors, self.start_year = steps_per_year, n_sectors, start_year
        self.n_regions = len(targets)
        self.year = start_year
        self.firms = Firms(**{k: np.array(v, copy=True) for k, v in vars(firms).items()})
        self.districts = [District(self, i, {k: float(v[i]) for k, v in policy.items()},
                                   float(policy["policy_budget_share_gdp"][i]), targets[i],
                                   bool(policy["policy_adaptive"][i] >= 0.5), float(policy["policy_adaptive_step"][i]))
                          for i in range(self.n_regions)]
        self.coverage = np.zeros(self.n_regions)
        self._peers = np.zeros(len(self.firms))
        self._tally = self._new_tally()
        if engine == "mesa":
            f = self.firms
            for i in range(len(f)):
                Firm(self, f.region[i], f.sector[i], f.above[i], f.size[i], f.weight[i], f.rung[i])
        self.projects_total = np.zeros(self.n_regions)
        self.paid_total = np.zeros(self.n_regions)
        self._table: rule.ClimbTable | None = None
        self._peer_groups, self._regions = rule.groups(self.firms, self.n_regions, n_sectors)
        self._pending: list[tuple] = []

    # -- the coupling's interface ---------------------------------------------------------------------
    def state(self) -> dict[str, np.ndarray]:
        """Stocks per region now (weighted counts)."""
        f = self._arrays()
        w = f.weight
        above, cloud = w * f.above, w * (f.rung >= UPGRADED_RUNG)
        sums = self._regions.sums(np.stack([above, above * (f.rung >= UPGRADED_RUNG), cloud, w * (f.rung >= 3),
                                            w * (f.rung >= TOP)]))
        return dict(zip(("above_firms", "upgraded_above", "cloud_firms", "workshop_firms", "factory_firms"),
                        sums, strict=True)) | {"projects": self.projects_total.copy(),
                                               "budget_left": np.array([d.budget for d in self.districts])}

    def step_year(self, coverage: np.ndarray, gdp: np.ndarray, growth: np.ndarray) -> dict[str, np.ndarray]:
        """Run one year: appropriate budgets, ``steps_per_year`` decision periods, then policy review.

        Parameters
        ----------
        coverage : ndarray (region,)
            5G coverage share (0-1) from the SD core at the start of the year.
        gdp : ndarray (region,)
            GDP at the start of the year (100m yuan), for appropriations.
        growth : ndarray (region,)
            Revenue growth factor of firms over the year (from the SD core's GDP path).
        """
        self.coverage = np.asarray(coverage, dtype=float)
        for d in self.districts:
            d.appropriate(float(gdp[d.index]))
        self._tally = self._new_tally()
        if self.engine == "vectorised":  # revenue, coverage and instruments are fixed within the year
            self._table = rule.climb_table(self.firms, self.coverage, self.support(), self.par)
        for _ in range(self.steps_per_year):
            self._period()
        self._table = None  # rebuilt next year; not kept alive across an ensemble of models
        self._grow(np.asarray(growth, dtype=float))
        self.year += 1
        out = self.state() | {k: self._tally[k] for k in ("new_cloud", "spend", "induced_spend", "subsidy_paid")}
        share = out["upgraded_above"] / np.where(out["above_firms"] > 0, out["above_firms"], 1.0)
        for d in self.districts:
            d.review(self.year, float(share[d.index]))
        return out

    def inspect(self, n: int = 10) -> mesa.agent.AgentSet:
        """Mesa agents for the first ``n`` firms (views of the arrays in the vectorised engine)."""
        if self.engine == "mesa":
            return mesa.agent.AgentSet(list(self.agents_by_type[Firm])[:n], random=self.random)
        return mesa.agent.AgentSet([FirmView(self, i) for i in range(min(n, len(self.firms)))], random=self.random)

    # -- used by Firm agents -----------------------------------------------------------------------------
    def support(self) -> rule.Support:
        """Current instruments of every district as arrays."""
        ds = self.districts
        return rule.Support(np.array([d.free_diagnosis for d in ds]), np.array([d.capex_subsidy for d in ds]),
                            np.array([d.interest_subsidy for d in ds]), np.array([d.max_award for d in ds]))

    def peers_of(self, firm: Firm) -> np.ndarray:
        """Peer share seen by ``firm`` (computed at the start of the period)."""
        return np.array([self._peer_table[firm.region * self.n_sectors + firm.sector]])

    def account(self, firm: Firm, cost: float, paid: float, p_none: float, p_used: float) -> None:
        """Note one firm's decision (Mesa path); booked with the others at the end of the period."""
        self._pending.append((firm.region, firm.weight, cost, paid, p_none, p_used, firm.climbed, firm.rung))

    # -- internals -----------------------------------------------------------------------------------------
    def _new_tally(self) -> dict[str, np.ndarray]:
        return {k: np.zeros(self.n_regions) for k in ("new_cloud", "spend", "induced_spend", "subsidy_paid")}

    def _arrays(self) -> Firms:
        if self.engine == "vectorised":
            return self.firms
        agents = list(self.agents_by_type.get(Firm, []))
        return Firms(*(np.array([getattr(a, k) for a in agents]) for k in
                       ("region", "sector", "above", "size", "weight", "rung")))

    def _period(self) -> None:
        for d in self.districts:
            d.open_call()
        f = self._arrays()
        peers = rule.peer_shares(f, self._peer_groups)
        if self.engine == "mesa":
            self._peer_table = np.zeros(self.n_regions * self.n_sectors)
            self._peer_table[f.region * self.n_sectors + f.sector] = peers
            self._pending = []
            self.agents_by_type[Firm].shuffle_do("step")
            cols = [np.array(c) for c in zip(*self._pending, strict=True)]
            order = np.argsort(cols[0], kind="stable")  # activation order -> region order
            region, weight, cost, paid, p_none, p_used, climbed, rung = (c[order] for c in cols)
            self._book(rule.Segments.of(region, self.n_regions), weight, cost, paid, p_none, p_used, climbed,
                       rung - climbed)
            return
        cost, offer, base, relief = rule.at_rung(self._table, f.rung)
        h_pol, h_none = rule.hazards(base, relief, peers, self.par)
        p_none, p_pol = rule.climb_probability(h_none, self.dt), rule.climb_probability(h_pol, self.dt)
        u = self.rng.random(len(f))
        wants = (u < p_pol) & (offer > 0)
        order = np.zeros(len(f))
        order[wants] = self.rng.random(int(wants.sum()))  # random queue among applicants only
        budget = np.array([d.budget for d in self.districts])
        funded = rule.ration(wants, offer * f.weight, f.region, order, budget)
        climbed = np.where(funded, u < p_pol, u < p_none)
        paid = np.where(funded, offer, 0.0)
        p_used = np.where(funded, p_pol, p_none)
        spent = self._regions.sums(paid * f.weight)
        for d in self.districts:
            d.budget = max(0.0, d.budget - spent[d.index])
        self._book(self._regions, f.weight, cost, paid, p_none, p_used, climbed, f.rung)
        f.rung = f.rung + climbed.astype(np.int8)

    def _book(self, regions: rule.Segments, weight, cost, paid, p_none, p_used, climbed, rung_before) -> None:
        """Tally a period per region. Induced spending is the expected capex the support added,
        (p_used - p_none) x cost: zero without support, so no sampling noise leaks into the SD core."""
        wc = weight * cost
        rows = np.stack([wc * climbed, wc * (p_used - p_none), weight * paid, weight * (climbed & (rung_before == 1)),
                         weight * (climbed & (rung_before >= 1))])
        spend, induced, paid_now, new_cloud, projects = regions.sums(rows)
        t = self._tally
        t["spend"] += spend
        t["induced_spend"] += induced
        t["subsidy_paid"] += paid_now
        t["new_cloud"] += new_cloud
        self.paid_total += paid_now
        self.projects_total += projects

    def _grow(self, growth: np.ndarray) -> None:
        if self.engine == "vectorised":
            self.firms.size = self.firms.size * growth[self.firms.region]
            return
        for a in self.agents_by_type[Firm]:
            a.size *= float(growth[a.region])
