"""A synthetic firm population per leaf region, as a structure of arrays.

Above-size industrial firms: ``firms_per_gdp`` x 2020 GDP per region (Suzhou's ratio, pub-008 / pub-006);
SMEs: ``smes_per_above_scale`` per above-size firm. Each agent stands for ``weight`` real firms (weights are
recorded and used in every count). Revenue is log-normal with the declared mean; sector is uniform over
``n_sectors``; the initial rung follows the declared end-2020 shares.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Rungs of the ladder.
RUNGS = ("none", "diagnosed", "cloud_enabled", "smart_workshop", "smart_factory")
TOP = len(RUNGS) - 1
#: A firm counts as upgraded (智改数转 done) from this rung on: it has carried out a transformation project.
UPGRADED_RUNG = 2


@dataclass(frozen=True)
class PopulationSpec:
    """How finely the population is sampled: real firms per agent, and sectors."""

    above_weight: float = 2.0
    sme_weight: float = 20.0
    n_sectors: int = 4


@dataclass
class Firms:
    """Structure of arrays, one entry per firm agent (mutable: ``rung`` and ``size`` change)."""

    region: np.ndarray  # int32, leaf index
    sector: np.ndarray  # int8
    above: np.ndarray  # bool, above-size industrial firm
    size: np.ndarray  # float, yearly revenue (100m yuan)
    weight: np.ndarray  # float, real firms this agent stands for
    rung: np.ndarray  # int8, 0..TOP

    def __len__(self) -> int:
        return len(self.rung)


def counts(gdp_2020: np.ndarray, par: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """Real above-size firms and SMEs per leaf region."""
    above = par["firms_per_gdp"] * np.asarray(gdp_2020, dtype=float)
    return above, above * par["smes_per_above_scale"]


SHARE_PARAMS = ("init_share_diagnosed", "init_share_cloud", "init_share_workshop", "init_share_factory")


def initial_shares(par: dict, upto: int = TOP) -> np.ndarray:
    """Cumulative shares at rung >= 1..``upto``, forced non-increasing (a draw may violate the order)."""
    return np.minimum.accumulate(np.array([par[name] for name in SHARE_PARAMS[:upto]]), axis=0)


def build(gdp_2020: np.ndarray, par: dict[str, float], rng: np.random.Generator,
          spec: PopulationSpec = PopulationSpec()) -> Firms:
    """Draw the population for one run (parameters as scalars), ordered by region and sector."""
    above_real, sme_real = counts(gdp_2020, par)
    parts = []
    for is_above, real, weight, mean in ((True, above_real, spec.above_weight, par["firm_size_mean"]),
                                         (False, sme_real, spec.sme_weight, par["sme_size_mean"])):
        n = np.maximum(1, np.rint(real / weight)).astype(int)
        region = np.repeat(np.arange(len(real)), n)
        sigma = par["firm_size_sigma"]  # same log-spread for SMEs (assumption, see params)
        size = rng.lognormal(np.log(mean) - sigma**2 / 2, sigma, region.size)
        shares = initial_shares(par) * (1.0 if is_above else par["sme_initial_factor"])
        rung = (rng.random(region.size)[:, None] < shares[None, :]).sum(axis=1).astype(np.int8)
        parts.append((region, np.full(region.size, is_above), size, (real / n)[region], rung))
    region, above, size, weight, rung = (np.concatenate(x) for x in zip(*parts, strict=True))
    sector = rng.integers(0, spec.n_sectors, region.size)
    order = np.lexsort((sector, region))  # contiguous (region, sector) groups: sums become segment sums
    return Firms(region=region[order].astype(np.int32), sector=sector[order].astype(np.int8), above=above[order],
                 size=size[order], weight=weight[order], rung=rung[order])


def group_starts(firms: Firms, n_regions: int, n_sectors: int) -> np.ndarray:
    """Start index of every (region, sector) group (firms are sorted by both), plus the end: shape (groups + 1,).
    Region l spans groups ``l * n_sectors`` to ``(l + 1) * n_sectors``."""
    key = firms.region.astype(np.int64) * n_sectors + firms.sector
    return np.searchsorted(key, np.arange(n_regions * n_sectors + 1)).astype(np.int64)
