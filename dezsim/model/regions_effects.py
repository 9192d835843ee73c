"""Regions that differ: each city and board its own growth parameters around its parent's.

For each growth parameter in :data:`OFFSET_PARAMS` and each run, a leaf's offset (added to the run's value of
the parameter, 1/year) is the sum of a city part and, for a board, a board part:

    offset[leaf] = scale * (region_sd_city * Z_city + region_sd_board * Z_board)

``Z_city`` is shared by a city's boards (a leaf directly under the root is its own city and has no board part);
``scale`` is 1 for GDP and ``region_core_ratio`` for the core-industry growth rates. The offsets are persistent
(one draw per run, not per year); yearly shocks are :mod:`dezsim.model.noise`. They are not centred: the provincial
and city growth rates are calibrated on a few regions' figures, so an aggregate inherits its regions' spread.

Run k draws from ``component_rng(seed, "regions", run=k)`` in a fixed order, so its offsets do not depend on
which other runs are drawn.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from dezsim.base.errors import ConfigError
from dezsim.base.seeding import component_rng
from dezsim.model.noise import Tree

#: Growth parameters that get regional offsets, in the fixed order of their draws, and whether they are
#: core-industry rates (scaled by ``region_core_ratio``).
OFFSET_PARAMS = {"gdp_growth": False, "ei_trend_growth": True, "sw_trend_growth": True, "oc_trend_growth": True}


def _per_run(name: str, value, n: int) -> np.ndarray:
    arr = np.broadcast_to(np.asarray(value, dtype=float), (n,)) if np.ndim(value) == 0 else np.asarray(value, float)
    if arr.shape != (n,) or not np.all(np.isfinite(arr) & (arr >= 0)):
        raise ConfigError(f"region offsets: {name} = {value!r}: allowed: a number >= 0 or one per run ({n})")
    return arr


def draw_region_offsets(seed: int | None, runs: Sequence[int], tree: Tree, sd_city: float | np.ndarray,
                        sd_board: float | np.ndarray, core_ratio: float | np.ndarray) -> dict[str, np.ndarray]:
    """Persistent growth offsets per run and leaf, shape (run, leaf), for each of :data:`OFFSET_PARAMS`.

    Parameters
    ----------
    seed : int or None
        Root seed of the ensemble.
    runs : sequence of int
        Run ids (their order is the run axis).
    tree : dezsim.model.noise.Tree
        Leaves and parent chains.
    sd_city, sd_board : float or array (runs,)
        ``region_sd_city`` and ``region_sd_board`` (1/year): sd of a city's offset from the province and of a
        board's from its city.
    core_ratio : float or array (runs,)
        ``region_core_ratio``: core-industry offsets relative to GDP's.
    """
    runs = [int(r) for r in runs]
    n = len(runs)
    city_sd, board_sd, ratio = (_per_run(k, v, n) for k, v in
                                (("region_sd_city", sd_city), ("region_sd_board", sd_board),
                                 ("region_core_ratio", core_ratio)))
    cities = tree.cities()
    city_index = np.array([cities.index(tree.city_of(i)) for i in range(len(tree.leaves))])
    board = np.array([tree.is_board(i) for i in range(len(tree.leaves))], dtype=float)
    out = {k: np.empty((n, len(tree.leaves))) for k in OFFSET_PARAMS}
    for j, run in enumerate(runs):
        rng = component_rng(seed, "regions", run=run)
        for name, core in OFFSET_PARAMS.items():
            z = rng.standard_normal(len(cities) + len(tree.leaves))
            scale = ratio[j] if core else 1.0
            out[name][j] = scale * (city_sd[j] * z[city_index] + board_sd[j] * board * z[len(cities):])
    return out


def offset_settings(values: Mapping[str, float | np.ndarray]) -> dict:
    """Keyword arguments of :func:`draw_region_offsets` from parameter values (scalars or one per run)."""
    return {"sd_city": values["region_sd_city"], "sd_board": values["region_sd_board"],
            "core_ratio": values["region_core_ratio"]}
