"""The adoption rule, written once: yearly climb hazards, climb draws and budget rationing.

Every function works on arrays of firms; the per-firm Mesa path calls the same functions on one firm
(arrays of length one), so there is no second copy of the rule.

Hazard of climbing from rung r to r+1 (per year)::

    h = base_r * (a / a_ref) ** elasticity * (1 + peer_effect * peers) * (1 + infra_effect * coverage * [r >= 1])
    a = benefit / max(cost - subsidy, own_cost_floor * cost),  benefit ~ size,
    cost ~ size ** cost_scale (diagnosis: ~ size)

with ``a_ref`` the payoff of a mean-size above-size firm without support, ``peers`` the weighted share of
upgraded firms in the firm's region and sector at the start of the period and ``coverage`` the region's 5G
coverage (0-1). The chance to climb in a period of ``dt`` years is ``1 - exp(-h dt)``. Without subsidy and
peers, and with fixed coverage, h is constant and the share still at rung r decays as ``exp(-h t)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dezsim.abm.population import UPGRADED_RUNG, Firms

BASE_HAZARDS = ("hazard_diagnose", "hazard_cloud", "hazard_workshop", "hazard_factory")


@dataclass(frozen=True)
class Support:
    """A district's instruments, one value per leaf region (arrays)."""

    free_diagnosis: np.ndarray
    capex_subsidy: np.ndarray
    interest_subsidy: np.ndarray
    max_award: np.ndarray

    def any(self) -> bool:
        """Whether any district offers any support (otherwise the offer terms can be skipped)."""
        return bool((self.free_diagnosis > 0).any() or (self.capex_subsidy > 0).any()
                    or (self.interest_subsidy > 0).any())


@dataclass(frozen=True)
class FirmTerms:
    """Per-firm quantities that change only when revenue changes (once a year): the cost of a diagnosis,
    the cost of an upgrade project and the size factor of the payoff."""

    cost_diagnosis: np.ndarray
    cost_project: np.ndarray
    size_factor: np.ndarray


def firm_terms(size: np.ndarray, par: dict) -> FirmTerms:
    """Costs (100m yuan) and payoff size factor of firms of revenue ``size``."""
    eta, scale = par["attractiveness_elasticity"], par["cost_scale"]
    project = par["cost_share_project"] * size ** scale
    # payoff benefit/cost ~ size^(1 - scale), relative to a mean-size firm, to the power eta
    return FirmTerms(par["cost_share_diagnose"] * size, project,
                     (size / par["firm_size_mean"]) ** ((1.0 - scale) * eta))


def next_cost(rung: np.ndarray, terms: FirmTerms) -> np.ndarray:
    """Cost of each firm's next climb: a diagnosis from rung 0, an upgrade project above."""
    return np.where(rung == 0, terms.cost_diagnosis, terms.cost_project)


def subsidy_offer(rung: np.ndarray, cost: np.ndarray, region: np.ndarray, support: Support) -> np.ndarray:
    """Subsidy (100m yuan) the district would pay towards one firm's next climb."""
    rate = np.where(rung == 0, support.free_diagnosis[region],
                    support.capex_subsidy[region] + support.interest_subsidy[region])
    return np.minimum(rate * cost, np.where(rung == 0, np.inf, support.max_award[region]))


def hazards(rung: np.ndarray, region: np.ndarray, terms: FirmTerms, peers: np.ndarray, coverage: np.ndarray,
            offer: np.ndarray | None, cost: np.ndarray, par: dict) -> tuple[np.ndarray, np.ndarray]:
    """Yearly climb hazards with and without the district's offer (zero at the top rung; ``offer=None``
    means no support anywhere, and both are the same array)."""
    base = np.asarray([par[name] for name in BASE_HAZARDS] + [0.0])[rung]
    size_factor = np.where(rung == 0, 1.0, terms.size_factor)  # a diagnosis costs in proportion to size
    infra = 1 + par["infra_effect"] * coverage[region] * (rung >= 1)
    h_none = base * size_factor * (1 + par["peer_effect"] * peers) * infra
    if offer is None:
        return h_none, h_none
    relief = cost / np.maximum(cost - offer, par["own_cost_floor"] * cost)
    return h_none * relief ** par["attractiveness_elasticity"], h_none


@dataclass(frozen=True)
class Segments:
    """Contiguous runs of equal keys in a sorted key array (firms are kept sorted by region and sector), so that
    per-group sums are one ``np.add.reduceat`` and per-firm lookups one ``np.repeat``."""

    starts: np.ndarray
    lengths: np.ndarray
    ids: np.ndarray
    n_ids: int

    @classmethod
    def of(cls, key: np.ndarray, n_ids: int) -> Segments:
        """Segments of ``key`` (must be sorted ascending) with ids in ``range(n_ids)``."""
        if key.size and (np.diff(key) < 0).any():
            raise ValueError("keys must be sorted (build the population with dezsim.abm.population.build)")
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if key.size else np.zeros(0, int)
        lengths = np.diff(np.r_[starts, key.size])
        return cls(starts, lengths, key[starts], n_ids)

    def sums(self, values: np.ndarray) -> np.ndarray:
        """Sum of ``values`` (..., firm) per id, shaped (..., n_ids); ids without firms get 0."""
        out = np.zeros(values.shape[:-1] + (self.n_ids,))
        if self.starts.size:
            out[..., self.ids] = np.add.reduceat(values, self.starts, axis=-1)
        return out

    def spread(self, per_id: np.ndarray) -> np.ndarray:
        """Each firm's entry of a per-id array."""
        return np.repeat(per_id[self.ids], self.lengths)


def groups(firms: Firms, n_regions: int, n_sectors: int) -> tuple[Segments, Segments]:
    """Segments by (region, sector) peer group and by region."""
    return (Segments.of(firms.region * n_sectors + firms.sector, n_regions * n_sectors),
            Segments.of(firms.region, n_regions))


def peer_shares(firms: Firms, peer_groups: Segments) -> np.ndarray:
    """Weighted share of upgraded firms in each firm's (region, sector) group."""
    total, upgraded = peer_groups.sums(np.stack([firms.weight, firms.weight * (firms.rung >= UPGRADED_RUNG)]))
    return peer_groups.spread(upgraded / np.where(total > 0, total, 1.0))


def climb_probability(h: np.ndarray, dt: float) -> np.ndarray:
    """Chance of at least one event of a Poisson process with rate ``h`` in ``dt`` years."""
    return -np.expm1(-h * dt)


def ration(wants: np.ndarray, cost_to_district: np.ndarray, region: np.ndarray, order: np.ndarray,
           budget: np.ndarray) -> np.ndarray:
    """Which of the firms that want support get it, first come first served in random ``order``, without any
    region's spending exceeding its ``budget``."""
    idx = np.flatnonzero(wants)
    if idx.size == 0:
        return np.zeros(wants.shape, dtype=bool)
    idx = idx[np.argsort(region[idx] + order[idx])]  # order in [0, 1): region first, then the random queue
    spend = cost_to_district[idx]
    cum = np.cumsum(spend)
    starts = np.searchsorted(region[idx], region[idx], side="left")
    within = cum - (cum[starts] - spend[starts])  # cumulative spending inside each region's queue
    funded = np.zeros(wants.shape, dtype=bool)
    funded[idx[within <= budget[region[idx]] * (1 + 1e-12)]] = True
    return funded
