"""Process noise: yearly shocks to the growth rates, correlated through the region tree.

Each shocked rate (:data:`SHOCKED`) gets, per run, leaf region and year, a normal shock built from three
independent parts (all standard normal, scaled by the declared sds in :mod:`dezsim.model.params`, group ``noise``):

    shock[leaf, t] = sd * (sqrt(c) * Z_root[t] + sqrt(1 - c) * Z_city[t]) + sd * r * Z_leaf[t]

- ``Z_root`` is shared by every region of the run (the national/provincial cycle), ``c`` = ``<rate>_shock_common``;
- ``Z_city`` is shared by a city's boards; a leaf directly under the root (Wuxi, the rest of Jiangsu) is its own
  city;
- ``Z_leaf`` is a board's own part (``r`` = ``board_shock_ratio``); a city-leaf has none.

So a city's shock has sd ``sd``; two cities correlate ``c``; a board has sd ``sd * sqrt(1 + r**2)``, two boards of
one city correlate ``1 / (1 + r**2)``, a board and another city ``c / sqrt(1 + r**2)``.

How the yearly loop uses them (units): ``gdp``, ``ei``, ``sw``, ``oc`` are added to the continuous growth rate
(1/year) of that year; ``g5_build``, ``rack_build`` and ``adoption`` are log-multipliers: the year's build rate
or hazard is multiplied by ``exp(shock)``.

Every run draws from its own stream, ``component_rng(seed, "shocks", run=k)``, always drawing every rate in
:data:`SHOCKED` order, so run k's shocks never depend on which other runs (or which rates) are requested.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from dezsim.base.errors import ConfigError
from dezsim.base.seeding import component_rng

#: Shocked rates, in the fixed order their normals are drawn (never reorder: it would change every stream).
SHOCKED = ("gdp", "ei", "sw", "oc", "g5_build", "rack_build", "adoption")


@dataclass(frozen=True)
class Tree:
    """Leaf regions and, for each, its ancestors from its parent up to the root.

    Attributes
    ----------
    leaves : tuple of str
        Leaf region codes, in the order of the leaf axis of every output.
    chains : tuple of tuple of str
        ``chains[i]`` = ancestors of ``leaves[i]``, nearest first, root last (``("suzhou", "jiangsu")``).
    """

    leaves: tuple[str, ...]
    chains: tuple[tuple[str, ...], ...]

    def __post_init__(self) -> None:
        if len(self.leaves) != len(self.chains) or not self.leaves:
            raise ConfigError(f"region tree: {len(self.leaves)} leaves but {len(self.chains)} parent chains; "
                              "allowed: one non-empty chain per leaf")
        roots = {c[-1] for c in self.chains if c}
        if any(not c for c in self.chains) or len(roots) != 1:
            raise ConfigError(f"region tree: every leaf needs a parent chain ending at one root; roots {sorted(roots)}")

    def city_of(self, i: int) -> str:
        """The city a leaf belongs to: its ancestor just below the root, or the leaf itself."""
        chain = self.chains[i]
        return chain[-2] if len(chain) >= 2 else self.leaves[i]

    def is_board(self, i: int) -> bool:
        """True for a leaf below a city (it has an own shock part)."""
        return len(self.chains[i]) >= 2

    def cities(self) -> tuple[str, ...]:
        """Distinct cities, sorted (the order of their normals in each stream)."""
        return tuple(sorted({self.city_of(i) for i in range(len(self.leaves))}))


def tree_from_data(ds, root: str = "jiangsu") -> Tree:
    """The :class:`Tree` of ``ds`` (a :class:`dezsim.data.dataset.Dataset`): leaves under ``root`` and their chains."""
    parent = dict(zip(ds.regions.code, ds.regions.parent))
    leaves = tuple(ds.leaves(root))
    chains = []
    for leaf in leaves:
        chain, node = [], leaf
        while node != root:
            node = parent[node]
            chain.append(node)
        chains.append(tuple(chain))
    return Tree(leaves, tuple(chains))


def _per_run(name: str, value, n: int, lo: float, hi: float) -> np.ndarray:
    """A scalar or one value per run, as an array of shape (n,), checked against [lo, hi]."""
    arr = np.broadcast_to(np.asarray(value, dtype=float), (n,)) if np.ndim(value) == 0 else np.asarray(value, float)
    if arr.shape != (n,) or not np.all((arr >= lo) & (arr <= hi)):
        raise ConfigError(f"shocks: {name} = {value!r}: allowed: a number or one per run ({n}) in [{lo}, {hi}]")
    return arr


def _standard_normals(seed: int | None, run: int, tree: Tree, n_years: int,
                      component: str = "shocks") -> dict[str, dict[str, np.ndarray]]:
    """Run ``run``'s normals per rate: ``root`` (years,), ``city`` (cities, years), ``leaf`` (leaves, years)."""
    rng = component_rng(seed, component, run=run)
    cities, out = tree.cities(), {}
    for rate in SHOCKED:
        z = rng.standard_normal((1 + len(cities) + len(tree.leaves), n_years))
        out[rate] = {"root": z[0], "city": dict(zip(cities, z[1:1 + len(cities)])),
                     "leaf": z[1 + len(cities):]}
    return out


def draw_shocks(seed: int | None, runs: Sequence[int], tree: Tree, years: Sequence[int],
                sds: Mapping[str, float | np.ndarray], common: Mapping[str, float | np.ndarray],
                board_ratio: float | np.ndarray, component: str = "shocks") -> dict[str, np.ndarray]:
    """Yearly shocks for each requested rate, shape (run, leaf, year).

    Parameters
    ----------
    seed : int or None
        Root seed of the ensemble.
    runs : sequence of int
        Run ids (their order is the run axis); run k's shocks are the same whoever else is drawn.
    tree : Tree
        Leaves and parent chains (:func:`tree_from_data`).
    years : sequence of int
        Simulated years (only the count matters for the draws; the first year gets the first normal).
    sds : mapping rate -> float or array (runs,)
        Sd of a city's yearly shock (``<rate>_shock_sd``; 1/year or log units, see the module docstring).
    common : mapping rate -> float or array (runs,)
        Common share of the variance (``<rate>_shock_common``), in [0, 1].
    board_ratio : float or array (runs,)
        ``board_shock_ratio``: a board's own sd relative to ``sd``.
    component : str
        Random stream (:data:`dezsim.base.seeding.COMPONENTS`): ``shocks``, or ``drift`` for the steps of
        :mod:`dezsim.model.drift`, which must not share the shocks' normals.
    """
    unknown = sorted(set(sds) - set(SHOCKED))
    if unknown or set(sds) != set(common):
        raise ConfigError(f"shocks: rates {sorted(sds)} / common shares {sorted(common)}; allowed: the same "
                          f"names from {SHOCKED}")
    runs = [int(r) for r in runs]
    n = len(runs)
    sd = {k: _per_run(f"{k} sd", v, n, 0.0, np.inf) for k, v in sds.items()}
    c = {k: _per_run(f"{k} common share", v, n, 0.0, 1.0) for k, v in common.items()}
    ratio = _per_run("board_ratio", board_ratio, n, 0.0, np.inf)
    board = np.array([tree.is_board(i) for i in range(len(tree.leaves))], dtype=float)
    city_names = [tree.city_of(i) for i in range(len(tree.leaves))]
    out = {k: np.empty((n, len(tree.leaves), len(years))) for k in sds}
    for j, run in enumerate(runs):
        z = _standard_normals(seed, run, tree, len(years), component)
        for k in sds:
            zc = np.stack([z[k]["city"][name] for name in city_names])
            mix = np.sqrt(c[k][j]) * z[k]["root"][None, :] + np.sqrt(1.0 - c[k][j]) * zc
            out[k][j] = sd[k][j] * (mix + ratio[j] * board[:, None] * z[k]["leaf"])
    return out


def shock_settings(values: Mapping[str, float | np.ndarray]) -> dict:
    """Keyword arguments of :func:`draw_shocks` from parameter values (scalars or one per run), by the declared
    names ``<rate>_shock_sd``, ``<rate>_shock_common`` and ``board_shock_ratio``."""
    return {"sds": {k: values[f"{k}_shock_sd"] for k in SHOCKED},
            "common": {k: values[f"{k}_shock_common"] for k in SHOCKED},
            "board_ratio": values["board_shock_ratio"]}
