"""dezsim: are Jiangsu's digital-economy plan targets reachable, with what probability, by when?

Public surface (nothing runs on import)::

    from dezsim import load_data, run
    ds = load_data()            # validated data/: regions, units, indicators, figures
    res = run(runs=200, seed=0) # SD ensemble -> Results (tidy frame, design, provenance)
"""

from dezsim.base.errors import ConfigError, DataError, DezsimError, SimulationError
from dezsim.base.version import __version__
from dezsim.data.dataset import Dataset
from dezsim.data.loader import load as load_data


def __getattr__(name: str):
    # Lazy: importing dezsim stays cheap (no sympy/numba) until a simulation is asked for.
    if name == "run":
        from dezsim.model.simulate import run
        return run
    if name == "Results":
        from dezsim.model.results import Results
        return Results
    if name == "compare":  # the submodule, callable as dezsim.outputs.compare(scenarios, runs=, seed=)
        import dezsim.outputs.compare

        return dezsim.outputs.compare
    if name in ("Scenario", "load_scenario"):
        from dezsim.model import config
        return getattr(config, name)
    raise AttributeError(f"module 'dezsim' has no attribute {name!r}")


__all__ = ["ConfigError", "DataError", "Dataset", "DezsimError", "Results", "Scenario", "SimulationError",
           "compare", "load_data", "load_scenario", "run"]
