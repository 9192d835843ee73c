"""Build SD inputs for tests from the real data and a drawn design."""

from __future__ import annotations

from dezsim.data.loader import load
from dezsim.model.config import Scenario
from dezsim.model.simulate import draw_design, initial_stocks, parameter_arrays


def sd_inputs(runs: int = 3, seed: int = 1, overrides: dict | None = None, central: bool = False):
    """(dataset, leaves, parameter arrays (run, leaf), Initial, design) for ``runs`` drawn runs."""
    ds = load()
    leaves = ds.leaves()
    design = draw_design(runs, seed, central=central)
    par = parameter_arrays(design, Scenario(name="test", overrides=overrides or {}), ds, leaves)
    return ds, leaves, par, initial_stocks(ds, leaves), design
