"""Firm agents: the per-firm Mesa path (sequential activation) and read-only views of the vectorised arrays.

Both call the one rule in :mod:`dezsim.abm.rule`.
"""

from __future__ import annotations

import mesa
import numpy as np

from dezsim.abm import rule
from dezsim.abm.population import Firms


class Firm(mesa.Agent):
    """A firm (or ``weight`` identical firms) deciding each period whether to climb one rung."""

    def __init__(self, model: mesa.Model, region: int, sector: int, above: bool, size: float, weight: float,
                 rung: int) -> None:
        super().__init__(model)
        self.region, self.sector, self.above = int(region), int(sector), bool(above)
        self.size, self.weight, self.rung = float(size), float(weight), int(rung)
        self.climbed = False

    def as_arrays(self) -> Firms:
        """This firm as a population of one (for the shared rule)."""
        return Firms(region=np.array([self.region]), sector=np.array([self.sector]), above=np.array([self.above]),
                     size=np.array([self.size]), weight=np.array([self.weight]),
                     rung=np.array([self.rung], dtype=np.int8))

    def step(self) -> None:
        """Draw this period's decision; ask the district for support if the offer matters."""
        model = self.model
        me = self.as_arrays()
        table = rule.climb_table(me, model.coverage, model.support(), model.par)
        cost, offer, base, relief = rule.at_rung(table, me.rung)
        h_pol, h_none = rule.hazards(base, relief, model.peers_of(self), model.par)
        p_pol = rule.climb_probability(h_pol, model.dt)[0]
        p_none = rule.climb_probability(h_none, model.dt)[0]
        u = model.rng.random()
        funded = u < p_pol and offer[0] > 0 and model.districts[self.region].fund(offer[0] * self.weight)
        self.climbed = bool(u < p_pol) if funded else bool(u < p_none)
        model.account(self, cost[0], offer[0] if funded else 0.0, p_none, p_pol if funded else p_none)
        if self.climbed:
            self.rung += 1


class FirmView(mesa.Agent):
    """Inspect one firm of the vectorised population as a Mesa agent (reads the arrays, never copies)."""

    def __init__(self, model: mesa.Model, index: int) -> None:
        super().__init__(model)
        self.index = index

    def __getattr__(self, name: str):
        if name in ("region", "sector", "above", "size", "weight", "rung"):
            return getattr(self.model.firms, name)[self.index].item()
        raise AttributeError(name)
