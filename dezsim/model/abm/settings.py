"""How the agents run (a light module: a sweep's driver and its tasks name it without loading the engines)."""

from __future__ import annotations

from dataclasses import dataclass

from dezsim.model.abm import population

ENGINES = ("vectorised", "mesa")


@dataclass(frozen=True)
class AgentSettings:
    """How the agents run: population sampling, decision periods per year, engine (one of :data:`ENGINES`)."""

    spec: population.PopulationSpec = population.PopulationSpec()
    steps_per_year: int = 4
    engine: str = "vectorised"
