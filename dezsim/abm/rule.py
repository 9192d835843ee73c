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

from dezsim.abm.population import TOP, UPGRADED_RUNG, Firms

BASE_HAZARDS = ("hazard_diagnose", "hazard_cloud", "hazard_workshop", "hazard_factory")
N_RUNGS = TOP + 1


@dataclass(frozen=True)
class Support:
    """A district's instruments, one value per leaf region (arrays)."""

    free_diagnosis: np.ndarray
    capex_subsidy: np.ndarray
    interest_subsidy: np.ndarray
    max_award: np.ndarray



@dataclass(frozen=True)
class ClimbTable:
    """Per firm and rung, shaped (firm, rung): the cost of climbing from that rung (100m yuan), the district's
    offer towards it, the hazard without support before the peer effect, and the factor the offer multiplies
    the hazard by. Its inputs (revenue, coverage, instruments) change at most once a year, so the table is built
    yearly and each period only looks up every firm's current rung."""

    cost: np.ndarray
    offer: np.ndarray
    base: np.ndarray
    relief: np.ndarray


def climb_table(firms: Firms, coverage: np.ndarray, support: Support, par: dict) -> ClimbTable:
    """Build the :class:`ClimbTable` of ``firms`` (coverage 0-1 and instruments per region).

    Column 0 is a diagnosis (cost in proportion to revenue), columns 1-3 are upgrade projects (cost ~
    revenue^cost_scale, payoff ~ revenue^(1 - cost_scale) relative to a mean-size firm), the top rung has none.
    """
    n, reg = len(firms), firms.region
    eta, scale, floor = par["attractiveness_elasticity"], par["cost_scale"], par["own_cost_floor"]
    diag = par["cost_share_diagnose"] * firms.size
    proj = par["cost_share_project"] * firms.size**scale
    size_factor = (firms.size / par["firm_size_mean"]) ** ((1.0 - scale) * eta)
    infra = 1 + par["infra_effect"] * coverage[reg]
    diag_offer = support.free_diagnosis[reg] * diag
    proj_offer = np.minimum((support.capex_subsidy + support.interest_subsidy)[reg] * proj, support.max_award[reg])
    cost, offer, base, relief = (np.zeros((n, N_RUNGS)) for _ in range(4))
    cost[:, 0], cost[:, 1:TOP] = diag, proj[:, None]
    offer[:, 0], offer[:, 1:TOP] = diag_offer, proj_offer[:, None]
    base[:, 0] = par[BASE_HAZARDS[0]]
    base[:, 1:TOP] = np.array([par[name] for name in BASE_HAZARDS[1:]])[None, :] * (size_factor * infra)[:, None]
    relief[:, 0] = _relief(diag, diag_offer, floor, eta)
    relief[:, 1:TOP] = _relief(proj, proj_offer, floor, eta)[:, None]
    relief[:, TOP] = 1.0
    return ClimbTable(cost, offer, base, relief)


def _relief(cost: np.ndarray, offer: np.ndarray, floor: float, eta: float) -> np.ndarray:
    """Hazard multiplier of an offer: (cost / what the firm still bears) ** eta, the firm bearing >= floor."""
    own = np.maximum(cost - offer, floor * cost)
    return np.divide(cost, own, out=np.ones_like(cost), where=own > 0) ** eta


def at_rung(table: ClimbTable, rung: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each firm's (cost, offer, base hazard, relief) at its current rung."""
    flat = np.arange(rung.size) * N_RUNGS + rung
    return (table.cost.ravel()[flat], table.offer.ravel()[flat], table.base.ravel()[flat],
            table.relief.ravel()[flat])


def hazards(base: np.ndarray, relief: np.ndarray, peers: np.ndarray, par: dict) -> tuple[np.ndarray, np.ndarray]:
    """Yearly climb hazards with and without the district's offer."""
    h_none = base * (1 + par["peer_effect"] * peers)
    return h_none * relief, h_none


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
