"""What the SD core and the agents hand each other once a year (the only types both sides name).

```
  SD core ── Observables (start of year: 5G coverage, GDP, revenue growth) ──> agents
  agents  ── AgentFlows  (during the year: induced demand, rack demand, productivity gain) ──> SD core
```

Every array is shaped (run, leaf region). Neither :mod:`dezsim.model.sd` nor :mod:`dezsim.model.abm` imports the other; both
import this module, and :mod:`dezsim.model.coupling` passes the values between them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from dezsim.base.errors import SimulationError

#: Agent stocks recorded every year end (weighted counts of real firms and projects; the plans' own counts last:
#: covered above-size firms, and diagnosed firms, diagnosed above-size firms, projects of above-size firms and
#: transformed SMEs since end-2020; see :func:`dezsim.model.abm.kernel.run_stocks`).
AGENT_KEYS = ("above_firms", "upgraded_above", "projects", "cloud_firms", "workshop_firms", "factory_firms",
              "covered_above", "diagnosed", "diagnosed_above", "projects_above", "smes_transformed")


@dataclass(frozen=True)
class Observables:
    """The SD state the agents see at the start of a year.

    Attributes
    ----------
    coverage : ndarray
        5G coverage, share 0-1 of the region's ceiling.
    gdp : ndarray
        GDP (100m yuan), the base of the year's support appropriation.
    growth : ndarray
        Factor by which firms' revenue grows over the year (exp of the year's GDP growth rate).
    hazard : ndarray or None
        Multiplier of every adoption hazard this year (exp of the year's adoption shock); None: 1.
    """

    coverage: np.ndarray
    gdp: np.ndarray
    growth: np.ndarray
    hazard: np.ndarray | None = None


@dataclass(frozen=True)
class AgentFlows:
    """What the agents add to the SD core's drivers during one year.

    Attributes
    ----------
    induced_demand : ndarray
        Transformation spending the support induced, as a share of GDP (1/year): the expected extra capex,
        (chance to climb with support - without) x cost, so no sampling noise enters the SD core.
    rack_demand : ndarray
        Racks built for the year's newly cloud-enabled firms (racks/year).
    productivity_gain : ndarray
        Addition to the GDP growth rate (1/year) from the year's rise in the upgraded share of above-size firms.
    """

    induced_demand: np.ndarray
    rack_demand: np.ndarray
    productivity_gain: np.ndarray

    def check(self, year: int) -> None:
        """Raise SimulationError naming the flow, run, region and year of any non-finite value, or of a negative
        demand (the rule never produces one: a negative value is a bug, never clipped away)."""
        for f in fields(self):
            values = getattr(self, f.name)
            bad = ~np.isfinite(values) | ((values < 0) if f.name != "productivity_gain" else False)
            if bad.any():
                run, region = (int(i) for i in np.argwhere(bad)[0])
                raise SimulationError(f"agent flow {f.name} = {float(values[run, region])} in run index {run}, region "
                                      f"index {region}, year {year}: allowed: finite"
                                      + (" and >= 0" if f.name != "productivity_gain" else ""))
