"""The yearly loop that couples the SD core and the agents (the only module that sees both).

```
            start of year k (SD state)                          during year k (SD integrates)
 SD  ── g5 coverage, GDP, GDP growth ──>  agents  ── induced transformation spending / GDP ──> core industries
                                                  ── newly cloud-enabled firms x racks each  ──> rack build
                                                  ── change in upgraded share x productivity ──> GDP growth
```

Each run has its own firm population and districts (drawn from its own agent stream); the SD core advances
every run at once and calls :func:`make_hook`'s hook before each year.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dezsim import params as P
from dezsim.abm import population
from dezsim.abm.model import LadderModel
from dezsim.data import Dataset
from dezsim.sd.model import IDX
from dezsim.seeding import component_rng

#: Keys recorded from the agents each year (see LadderModel.state).
AGENT_KEYS = ("above_firms", "upgraded_above", "projects", "cloud_firms", "workshop_firms", "factory_firms")
#: Largest transformation demand passed to the SD core (the parameter's bound).
DEMAND_CEILING = P.BY_NAME["transformation_demand_extra"].bounds[1]


@dataclass(frozen=True)
class AgentSettings:
    """How the agents run: population sampling, decision periods per year, engine."""

    spec: population.PopulationSpec = population.PopulationSpec()
    steps_per_year: int = 4
    engine: str = "vectorised"


def upgrade_targets(ds: Dataset, leaves: list[str]) -> list[tuple[float, int] | None]:
    """Each leaf's upgraded-share target (share 0-1, year): its own, else its nearest ancestor's; earliest year."""
    t = ds.targets()
    t = t[(t.indicator == "upgraded_firms_share") & (t.kind == "target")]
    parent = dict(zip(ds.regions.code, ds.regions.parent, strict=True))
    out = []
    for leaf in leaves:
        node, found = leaf, None
        while isinstance(node, str) and found is None:
            rows = t[t.region == node].sort_values("year")
            found = (float(rows.iloc[0].value) / 100, int(rows.iloc[0].year)) if len(rows) else None
            node = parent.get(node)
        out.append(found)
    return out


def build_models(design: pd.DataFrame, par: dict[str, np.ndarray], gdp_2020: np.ndarray, targets: list,
                 seed: int, settings: AgentSettings) -> list[LadderModel]:
    """One ladder model per run (run k draws from the agent stream of (seed, run k) only)."""
    models = []
    for e, run in enumerate(design["run"].to_numpy()):
        rng = component_rng(seed, "agents", run=int(run))
        firm_par = {p.name: float(par[p.name][e, 0]) for p in P.AGENT_PARAMS}
        policy = {p.name: par[p.name][e].copy() for p in P.POLICY_PARAMS}
        firms = population.build(gdp_2020, firm_par, rng, settings.spec)
        models.append(LadderModel(firms, firm_par, policy, targets, rng, settings.engine, settings.steps_per_year,
                                  settings.spec.n_sectors))
    return models


def make_hook(models: list[LadderModel], gdp_2020: np.ndarray, log: dict[str, list]):
    """The ``before_year`` hook: step every run's agents and feed their aggregates to the SD core.

    It receives the year's parameters as the scenario sets them (never last year's coupled values, so the
    agents' contributions do not accumulate) and returns them with the coupled ones added; ``log`` collects the
    agents' yearly stocks (key -> list over years of (run, region) arrays).
    """

    def hook(k: int, x: np.ndarray, par: dict) -> dict:
        par = dict(par)
        for name in ("transformation_demand_extra", "dc_build_program", "gdp_growth"):
            par[name] = par[name].copy()
        ceiling = par["g5_ceiling_per_gdp"] * gdp_2020
        coverage = np.minimum(1.0, x[IDX["g5"]] / ceiling)
        rows = {key: [] for key in AGENT_KEYS}
        upgraded_before = log["upgraded_above"][-1]  # the stocks the agents reported at the end of last year
        for e, model in enumerate(models):
            out = model.step_year(coverage[e], x[IDX["gdp"]][e], np.exp(par["gdp_growth"][e]))
            gdp = x[IDX["gdp"]][e]
            par["transformation_demand_extra"][e] = np.clip(out["induced_spend"] / gdp, 0.0, DEMAND_CEILING)
            par["dc_build_program"][e] += model.par["racks_per_cloud_firm"] * out["new_cloud"]
            gained = (out["upgraded_above"] - upgraded_before[e]) / np.maximum(out["above_firms"], 1.0)
            par["gdp_growth"][e] += model.par["productivity_gain"] * gained
            for key in AGENT_KEYS:
                rows[key].append(out[key])
        for key in AGENT_KEYS:
            log[key].append(np.stack(rows[key]))
        return par

    return hook


def initial_log(models: list[LadderModel]) -> dict[str, list]:
    """The agents' end-2020 stocks, the first entry of every key's yearly list."""
    states = [m.state() for m in models]
    return {key: [np.stack([s[key] for s in states])] for key in AGENT_KEYS}


def agent_raw(log: dict[str, list], par: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Agent outputs shaped (run, region, year), recognised demonstrations applied."""
    raw = {key: np.stack(values, axis=-1) for key, values in log.items()}
    first = lambda name: par[name][:, :1, None]  # noqa: E731 - firm parameters are the same in every region
    raw["cloud_recognised"] = raw.pop("cloud_firms") * first("cloud_recognition")
    raw["workshops_recognised"] = raw.pop("workshop_firms") * first("workshop_recognition")
    raw["factories_recognised"] = raw.pop("factory_firms") * first("factory_recognition")
    return raw
