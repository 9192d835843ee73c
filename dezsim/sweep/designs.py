"""Sweep designs: one function per method, same signature ``(params, n, seed) -> DataFrame`` (SALib style).

Each design is a table with a ``run`` column and one column per varied parameter (values within the declared
bounds). Parameters a design does not vary take each run's calibrated set, as in an ordinary run.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import qmc

from dezsim.base.errors import ConfigError
from dezsim.model import params as P
from dezsim.sweep.checks import check_memory, design_runs

METHODS = ("mc", "lhs", "sobol", "morris")


def problem(params: list[str]) -> dict:
    """SALib problem definition of the varied parameters (names and declared bounds)."""
    bounds = []
    for name in params:
        p = P.get(name, where="sweep --params: ")
        if p.bounds[0] == p.bounds[1]:
            raise ConfigError(f"sweep --params: parameter {name!r} has no range to vary (bounds {p.bounds})")
        bounds.append(list(p.bounds))
    return {"num_vars": len(params), "names": list(params), "bounds": bounds}


def monte_carlo(params: list[str], n: int, seed: int) -> pd.DataFrame:
    """``n`` runs over the calibrated ensemble (no parameter varied beyond it)."""
    return pd.DataFrame({"run": np.arange(n)})


def latin_hypercube(params: list[str], n: int, seed: int) -> pd.DataFrame:
    """Latin hypercube of ``n`` points within the parameters' bounds (McKay, Beckman & Conover 1979)."""
    prob = problem(params)
    unit = qmc.LatinHypercube(d=prob["num_vars"], rng=np.random.default_rng(seed)).random(n)
    lo, hi = np.array(prob["bounds"]).T
    return pd.concat([pd.DataFrame({"run": np.arange(n)}), pd.DataFrame(qmc.scale(unit, lo, hi), columns=params)],
                     axis=1)


def sobol(params: list[str], n: int, seed: int) -> pd.DataFrame:
    """Saltelli's scheme for first and total Sobol indices: n x (D + 2) runs (Saltelli et al. 2010)."""
    from SALib.sample import sobol as sobol_sample

    values = sobol_sample.sample(problem(params), n, calc_second_order=False, seed=seed)
    return pd.concat([pd.DataFrame({"run": np.arange(len(values))}), pd.DataFrame(values, columns=params)], axis=1)


def morris(params: list[str], n: int, seed: int) -> pd.DataFrame:
    """Morris elementary-effect trajectories: n x (D + 1) runs, 4 levels (Morris 1991; Campolongo et al. 2007)."""
    from SALib.sample import morris as morris_sample

    values = morris_sample.sample(problem(params), n, num_levels=4, seed=seed)
    return pd.concat([pd.DataFrame({"run": np.arange(len(values))}), pd.DataFrame(values, columns=params)], axis=1)


def make(method: str, params: list[str], n: int, seed: int) -> pd.DataFrame:
    """The design of ``method`` (one of :data:`METHODS`)."""
    table = {"mc": monte_carlo, "lhs": latin_hypercube, "sobol": sobol, "morris": morris}
    if method not in table:
        raise ConfigError(f"sweep --design {method!r}: allowed: {', '.join(METHODS)}")
    if method != "mc" and not params:
        raise ConfigError(f"sweep --design {method}: name the parameters to vary with --params")
    if n < 1:
        raise ConfigError(f"sweep -n {n}: allowed: a whole number >= 1")
    check_memory(design_runs(method, n, len(params)), len(params), f"sweep --design {method} -n {n:,}")
    return table[method](params, n, seed)
