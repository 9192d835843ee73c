"""Districts: Mesa agents that hold a support budget and instruments and, optionally, chase their target."""

from __future__ import annotations

import mesa

from dezsim.model.abm.rule import BUDGET_SLACK, reviewed_capex


class District(mesa.Agent):
    """One leaf region's government.

    Attributes
    ----------
    index : int
        Leaf-region index.
    budget : float
        Unspent support money (100m yuan); never negative; carries over between years.
    free_diagnosis, capex_subsidy, interest_subsidy, max_award : float
        Instruments (shares of cost; 100m yuan for the award cap).
    target : (float, int) or None
        Covered share of above-size firms (0-1) to reach by a year, from the plans' declared reading.
    """

    def __init__(self, model: mesa.Model, index: int, instruments: dict[str, float], appropriation_share: float,
                 target: tuple[float, int] | None, adaptive: bool, adaptive_step: float) -> None:
        super().__init__(model)
        self.index = index
        self.budget = 0.0
        self.free_diagnosis = instruments["policy_free_diagnosis"]
        self.capex_subsidy = instruments["policy_capex_subsidy"]
        self.interest_subsidy = instruments["policy_interest_subsidy"]
        self.max_award = instruments["policy_max_award"]
        self.appropriation_share = appropriation_share
        self.target = target
        self.adaptive = adaptive
        self.adaptive_step = adaptive_step
        self.call_open = True
        self.start_share: float | None = None

    def appropriate(self, gdp: float) -> None:
        """Add this year's appropriation (share of GDP, 100m yuan) to the carried-over budget."""
        self.budget += self.appropriation_share * gdp

    def open_call(self) -> None:
        """Start a period: applications are taken until the money runs out."""
        self.call_open = True

    def fund(self, amount: float) -> bool:
        """Pay ``amount`` if the call is open and the budget covers it; the first refusal closes the call."""
        if amount <= 0:
            return True
        if self.call_open and amount <= self.budget * (1 + BUDGET_SLACK):
            self.budget = max(0.0, self.budget - amount)
            return True
        self.call_open = False
        return False

    def review(self, year: int, share: float) -> None:
        """Adaptive policy (see :func:`reviewed_capex`); the first review fixes the starting share."""
        if self.start_share is None:
            self.start_share = share
        if self.target is None:
            return
        self.capex_subsidy = float(reviewed_capex(self.capex_subsidy, share, self.start_share, self.target[0],
                                                  self.target[1], self.adaptive, self.adaptive_step, year,
                                                  self.model.start_year))

