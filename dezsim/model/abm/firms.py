"""Firm agents of the Mesa engine: each calls the one rule in :mod:`dezsim.model.abm.rule` for itself."""

from __future__ import annotations

import mesa

from dezsim.model.abm import rule


class Firm(mesa.Agent):
    """A firm (or ``weight`` identical firms) deciding each period whether to climb one rung."""

    def __init__(self, model: mesa.Model, region: int, sector: int, above: bool, size: float, weight: float,
                 rung: int) -> None:
        super().__init__(model)
        self.region, self.sector, self.above = int(region), int(sector), bool(above)
        self.size, self.weight, self.rung = float(size), float(weight), int(rung)
        self.group = self.region * model.n_sectors + self.sector

    def step(self) -> None:
        """Draw this period's decision; ask the district for support if the offer matters; book it."""
        m, reg = self.model, self.region
        s = m.support[reg]
        reliefs = rule.region_reliefs(s[0], s[1] + s[2], m.fp)
        terms = rule.year_terms(self.size, *rule.size_powers(self.size, m.fp), m.coverage[reg], s[0], s[1] + s[2],
                                s[3], *reliefs, m.fp)
        cost, offer, base, relief = rule.at_rung(self.rung, *terms, m.fp)
        base *= m.hazard[reg]  # the year's adoption shock
        p_none, p_pol = rule.chances(base, relief, m.peers[self.group], m.fp, m.dt)
        u = m.rng.random()
        funded = bool(u < p_pol and offer > 0 and m.districts[reg].fund(offer * self.weight))
        climbed = rule.climbs(u, funded, p_none, p_pol)
        m.tally[:, reg] += rule.booking(self.weight, cost, offer if funded else 0.0, p_none,
                                        p_pol if funded else p_none, climbed, self.rung)
        if climbed:
            self.rung += 1
