"""Process noise wired into a simulation: regional growth offsets, yearly shocks and drawn 2020 allocations.

Three pure draws (:mod:`dezsim.model.regions_effects`, :mod:`dezsim.model.noise`, :func:`dezsim.model.sd.initial.allocation_draws`)
become, for the runs and leaves simulated:

- ``offsets``: persistent (run, leaf) additions to the growth parameters (:func:`add_offsets`, applied before a
  scenario's overrides, so an override of a growth parameter for a region wins over its offset);
- ``shocks``: (run, leaf, year) shocks applied each simulated year by :meth:`Noise.year` (through the coupled
  loop, :class:`dezsim.model.coupling.CoupledRun`);
- ``drift``: (run, leaf, year) random-walk paths of the trend growth rates (:mod:`dezsim.model.drift`), added like the
  shocks but persistent: a step taken in one year stays in every later year;
- ``stocks``: (run, leaf) 2020 stocks whose keyed splits are drawn (every split still sums to its parent).

Every draw is over the whole region tree and keyed by the global run ids, so a run's noise does not depend on
which other runs, or which regions, are simulated with it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dezsim.model import params as P
from dezsim.model.drift import DRIFTING, draw_drift_paths, start_variance
from dezsim.model.noise import draw_shocks, shock_settings, tree_from_data
from dezsim.model.origin import BASE_ORIGIN
from dezsim.model.regions_effects import OFFSET_PARAMS, draw_region_offsets, offset_settings
from dezsim.model.sd.initial import CONCENTRATION, allocation_draws

#: Growth rates a shock adds to (1/year), by shocked rate. The scenario levers ``gdp_growth_shock`` and
#: ``ei_supply_shock`` are separate parameters and stay additive on top.
ADDITIVE = {"gdp": ("gdp_growth",), "ei": ("ei_trend_growth",), "sw": ("sw_trend_growth",),
            "oc": ("oc_trend_growth",)}
#: Parameters a log shock multiplies by exp(shock): the 5G build (Bass p and q and the capex ceiling, so the
#: build, the lesser of demand and capacity, is multiplied exactly) and the rack build programme.
MULTIPLIED = {"g5_build": ("g5_bass_p", "g5_bass_q", "g5_capex_share_gdp"), "rack_build": ("dc_build_program",)}
#: Parameters a log shock divides by exp(shock): the rack gap closes exp(shock) times faster.
DIVIDED = {"rack_build": ("dc_adjustment_time",)}


@dataclass(frozen=True)
class Noise:
    """The process noise of one simulation (arrays over the simulated runs and leaves).

    Attributes
    ----------
    offsets : dict of str to ndarray
        Growth offsets (1/year), shape (run, leaf), for each of :data:`dezsim.model.regions_effects.OFFSET_PARAMS`.
    shocks : dict of str to ndarray
        Yearly shocks, shape (run, leaf, simulated year), for each rate of :data:`dezsim.model.noise.SHOCKED`.
    stocks : dict of str to ndarray
        Drawn 2020 stocks, shape (run, leaf), by seeded indicator (:data:`dezsim.model.sd.initial.SEEDED`).
    drift : dict of str to ndarray
        Drift paths (1/year), shape (run, leaf, simulated year), for each rate of :data:`dezsim.model.drift.DRIFTING`.
    log_var : dict of str to ndarray
        Variance of each multiplicative rate's yearly log shock, shape (run, leaf): a multiplier is
        ``exp(shock - log_var / 2)``, whose mean is 1, so the noise spreads the build and adoption rates around
        their calibrated values instead of raising them by ``exp(var / 2)`` on average.
    """

    offsets: dict[str, np.ndarray]
    shocks: dict[str, np.ndarray]
    stocks: dict[str, np.ndarray]
    log_var: dict[str, np.ndarray]
    drift: dict[str, np.ndarray]

    def factor(self, rate: str, k: int) -> np.ndarray:
        """Mean-one multiplier of ``rate`` (a log-shocked rate) in simulated year ``k``, shape (run, leaf)."""
        return np.exp(self.shocks[rate][:, :, k] - self.log_var[rate] / 2)

    def year(self, k: int, par: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Parameters of simulated year ``k`` (0-based) with that year's shocks applied (new arrays; ``par`` and
        its arrays are not modified)."""
        out = dict(par)
        for rate, names in ADDITIVE.items():
            for name in names:
                out[name] = par[name] + self.shocks[rate][:, :, k] + self.drift[rate][:, :, k]
        for table, sign in ((MULTIPLIED, 1.0), (DIVIDED, -1.0)):
            for rate, names in table.items():
                for name in names:
                    out[name] = par[name] * self.factor(rate, k) ** sign
        return out

    def hazard_multiplier(self, k: int) -> np.ndarray:
        """Multiplier of the agents' adoption hazards in simulated year ``k``, shape (run, leaf)."""
        return self.factor("adoption", k)


def draw(ds, leaves: Sequence[str], design: pd.DataFrame, seed: int | None, n_years: int,
         origin: int = BASE_ORIGIN, roots: Sequence[str] = ("jiangsu",)) -> Noise:
    """The noise of the runs of ``design`` (global ids in ``design["run"]``, parameters in its columns) for
    ``leaves`` (under the simulated ``roots``) over ``n_years`` simulated years from ``origin`` (whose stocks the
    allocation draws split)."""
    tree = tree_from_data(ds)
    pick = [tree.leaves.index(leaf) for leaf in leaves]
    runs = design["run"].to_numpy(dtype=int)
    values = {p.name: design[p.name].to_numpy(dtype=float) for p in P.PARAMS if p.group in ("noise", "regions")}
    offsets = draw_region_offsets(seed, runs, tree, **offset_settings(values))
    shocks = draw_shocks(seed, runs, tree, range(n_years), **shock_settings(values))
    drift = draw_drift_paths(seed, runs, tree, n_years, **drift_settings(values))
    conc = {name: design[name].to_numpy(dtype=float) for name in set(CONCENTRATION.values())}
    stocks = allocation_draws(seed, runs, ds, list(leaves), conc, origin, roots)
    return Noise({k: v[:, pick] for k, v in offsets.items()}, {k: v[:, pick] for k, v in shocks.items()}, stocks,
                 _log_variances(shock_settings(values), [tree.is_board(i) for i in pick]),
                 {k: v[:, pick] for k, v in drift.items()})


def drift_settings(values: Mapping[str, float | np.ndarray]) -> dict:
    """Keyword arguments of :func:`dezsim.model.drift.draw_drift_paths` from parameter values, by the declared names
    ``<rate>_drift_sd`` and ``<rate>_shock_common`` and how the rate's drift is calibrated."""
    return {"sds": {k: values[f"{k}_drift_sd"] for k in DRIFTING},
            "common": {k: values[f"{k}_shock_common"] for k in DRIFTING},
            "start": {k: start_variance(k) for k in DRIFTING}}


def _log_variances(settings: dict, board: Sequence[bool]) -> dict[str, np.ndarray]:
    """Variance of each multiplicative rate's log shock per (run, leaf): sd^2 for a city, sd^2 (1 + ratio^2) for a
    board (its own part adds ``board_shock_ratio`` x sd; see :func:`dezsim.model.noise.draw_shocks`)."""
    ratio = np.asarray(settings["board_ratio"], dtype=float).reshape(-1, 1)
    own = np.asarray(board, dtype=float)[None, :]
    rates = {*MULTIPLIED, *DIVIDED, "adoption"}
    return {r: np.asarray(settings["sds"][r], dtype=float).reshape(-1, 1) ** 2 * (1 + ratio**2 * own) for r in rates}


def add_offsets(par: dict[str, np.ndarray], offsets: Mapping[str, np.ndarray]) -> dict[str, int]:
    """Add the growth offsets to the (run, leaf) parameter arrays in place, clipped to each parameter's declared
    bounds; returns, per parameter, the number of (run, leaf) cells where the clip bound (never silent: the
    caller records it)."""
    clipped = {}
    for name in OFFSET_PARAMS:
        lo, hi = P.BY_NAME[name].bounds
        value = par[name] + offsets[name]
        clipped[name] = int(((value < lo) | (value > hi)).sum())
        par[name] = np.clip(value, lo, hi)
    return clipped
