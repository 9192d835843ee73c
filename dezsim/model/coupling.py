"""The coupled run: the only module that sees both the SD core and the agents, and the owner of the year.

```
            start of year k (SD state)                          during year k (SD integrates)
 SD  ── Observables: 5G coverage, GDP, growth ──>  agents  ── AgentFlows: induced demand / GDP ──> core industries
                                                           ── rack demand (new cloud firms x racks) ──> rack build
                                                           ── productivity gain (upgraded share) ──> GDP growth
```

:class:`CoupledRun` advances every run of an ensemble at once: the SD core through its pure functions
(:mod:`dezsim.model.sd.model`: ``start``, ``observe``, ``advance``), the agents through one
:class:`~dezsim.model.abm.engine.AgentEngine` (all runs' firms stepped together); without agents it runs the SD core
alone. The scenario's schedules and shocks set each year's parameters from the base values (nothing accumulates).
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd

from dezsim.base.errors import SimulationError
from dezsim.base.memo import per_dataset
from dezsim.data.dataset import Dataset
from dezsim.data.readings import Role, threshold
from dezsim.model import params as P
from dezsim.model.abm.engine import CHASED, ENGINES, AgentEngine, AgentSettings, Setup, VectorisedAgents
from dezsim.model.abm.recognition import LISTS, recognised_in_batches
from dezsim.model.exchange import AGENT_KEYS
from dezsim.model.process_noise import Noise
from dezsim.model.sd import model as sd
from dezsim.model.sd.outputs import INDICATORS

__all__ = ["AgentSettings", "CoupledRun", "agent_raw", "build_agents", "upgrade_targets"]

#: Upper bound of the transformation-demand prior. The agents' induced demand replaces that parameter and is
#: not clipped at it; a run that exceeds it is counted in :attr:`CoupledRun.demand_above_prior`.
DEMAND_PRIOR_BOUND = P.BY_NAME["transformation_demand_extra"].bounds[1]
Schedule = Callable[[int, dict], dict]


class CoupledRun:
    """An ensemble advanced year by year: SD core, then (if any) the agents, then the SD core's year.

    Parameters
    ----------
    par : dict of str to ndarray
        Base parameters shaped (run, region).
    init : Initial
        2020 stocks per leaf region.
    horizon : Horizon
        Years, steps, method and SD engine.
    agents : AgentEngine or None
        The ensemble's agents (built for the same runs), or None for the SD core alone.
    schedule : callable, optional
        ``schedule(k, base_par) -> par`` for simulated year k (the scenario's schedules and shocks).
    noise : Noise, optional
        Process noise: each year its shocks are applied after the schedule (growth rates plus the year's shock,
        5G and rack build times exp(shock)) and the agents' hazards are multiplied by exp(adoption shock).
    """

    def __init__(self, par: dict[str, np.ndarray], init: sd.Initial, horizon: sd.Horizon,
                 agents: AgentEngine | None = None, schedule: Schedule | None = None,
                 noise: Noise | None = None) -> None:
        self.base, self.agents, self.noise = par, agents, noise
        self.schedule = schedule or (lambda k, p: p)
        self.core, self.state = sd.start(par, init, horizon)
        self.records = [self.state.record]
        first = agents.stocks() if agents is not None else {}
        self.agent_log = {key: [first[key]] for key in AGENT_KEYS if key in first}
        self.year = horizon.start
        self.demand_above_prior = 0

    def step_year(self) -> None:
        """Observe the SD state, step the agents, advance the SD core one year, record."""
        k = self.state.k
        par = self.schedule(k, self.base)
        par = par if self.noise is None else self.noise.year(k, par)
        flows = None
        if self.agents is not None:
            env = sd.observe(self.core, self.state, par)
            if self.noise is not None:
                env = dataclasses.replace(env, hazard=self.noise.hazard_multiplier(k))
            flows, out = self.agents.step_year(env)
            flows.check(self.year + 1)
            self.demand_above_prior += int((flows.induced_demand > DEMAND_PRIOR_BOUND).sum())
            for key in self.agent_log:
                self.agent_log[key].append(out[key])
        self.state = sd.advance(self.core, self.state, sd.Drivers(par, flows))
        self.records.append(self.state.record)
        self.year += 1

    def run(self) -> dict[str, np.ndarray]:
        """Step to the horizon's end; raw leaf outputs (run, region, year), the agents' included."""
        while self.state.k < self.core.horizon.n_years:
            self.step_year()
        if self.demand_above_prior:
            warnings.warn(f"agents' induced transformation demand above its prior bound ({DEMAND_PRIOR_BOUND} of "
                          f"GDP) in {self.demand_above_prior} run-region-years (used as simulated, not clipped)",
                          stacklevel=2)
        raw = sd.outputs(self.records)
        return raw if self.agents is None else raw | agent_raw(self.agent_log, self.base)


def build_agents(setup: Setup) -> AgentEngine:
    """The agent engine ``setup.settings.engine`` names, for every run of the setup."""
    if setup.settings.engine == "vectorised":
        return VectorisedAgents(setup)
    if setup.settings.engine == "mesa":
        from dezsim.model.abm.model import MesaAgents  # Mesa loads in half a second: only when asked for

        return MesaAgents(setup)
    raise SimulationError(f"agent engine {setup.settings.engine!r}: allowed {ENGINES}")


@per_dataset
def upgrade_targets(ds: Dataset, leaves: list[str]) -> list[tuple[float, int] | None]:
    """Each leaf's target for the share adaptive districts chase (share 0-1, year): the declared reading of the
    indicator on :data:`~dezsim.model.abm.engine.CHASED` (its threshold rule, e.g. full coverage at 95 %), its own,
    else its nearest ancestor's; earliest year."""
    if ds.readings.empty:
        return [None] * len(leaves)
    indicator = next(name for name, (num, den, _) in INDICATORS.items() if (num, den) == (CHASED, "above_firms"))
    r = ds.readings[(ds.readings.indicator == indicator) & (ds.readings.role == Role.TARGET.value)]
    figs = ds.targets().set_index("id").loc[r.id]
    rules = ds.threshold_rules.set_index("rule")
    goals = pd.DataFrame({"region": figs.region.to_numpy(), "year": figs.year.to_numpy(), "share": [
        threshold(rules.loc[rule].to_dict(), value) / 100 for rule, value in zip(r.threshold_rule, figs.value)]})
    parent = dict(zip(ds.regions.code, ds.regions.parent, strict=True))
    out = []
    for leaf in leaves:
        node, found = leaf, None
        while isinstance(node, str) and found is None:
            rows = goals[goals.region == node].sort_values("year")
            found = (float(rows.iloc[0].share), int(rows.iloc[0].year)) if len(rows) else None
            node = parent.get(node)
        out.append(found)
    return out


def agent_raw(log: dict[str, list], par: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Agent outputs shaped (run, region, year), recognised demonstrations (provincial and municipal lists)
    applied: smart workshops and factories in the province's yearly batches (:func:`recognised_in_batches`),
    star cloud firms as a fixed share of the cloud-enabled firms (no batch on record for the star ratings)."""
    raw = {key: np.stack(values, axis=-1) for key, values in log.items()}
    first = lambda name: par[name][:, :1, None]  # noqa: E731 - firm parameters are the same in every region
    raw["cloud_recognised"] = raw.pop("cloud_firms") * first("cloud_recognition")
    batch = first("recognition_batch_2020_share"), first("recognition_batch_growth")
    for lst in LISTS:
        listed = recognised_in_batches(raw.pop(lst.firms_key), first(lst.share), *batch)
        raw[lst.provincial_key] = listed
        # municipal-list recognitions per provincial one: the ratio the 2020 lists were calibrated to (group
        # agent_municipal), so a city's list follows the province's batches
        raw[lst.municipal_key] = listed * (first("municipal_recognition") / first(lst.share))
    return raw
