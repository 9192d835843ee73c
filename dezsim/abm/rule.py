"""The adoption rule, written once: yearly climb hazards, climb draws and budget rationing.

Every function works on arrays of firms; the per-firm Mesa path calls the same functions on one firm
(arrays of length one), so there is no second copy of the rule.

Hazard of climbing from rung r to r+1 (per year)::

    h = base_r * (a / a_ref) ** elasticity * (1 + peer_effect * peers) * (1 + infra_effect * coverage * [r >= 1])
    a = benefit / (cost - subsidy),  benefit ~ size,  cost ~ size ** cost_scale (diagnosis: ~ size)

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


@dataclass(frozen=True)
class Support:
    """A district's instruments, one value per leaf region (arrays)."""

    free_diagnosis: np.ndarray
    capex_subsidy: np.ndarray
    interest_subsidy: np.ndarray
    max_award: np.ndarray


def project_cost(rung: np.ndarray, size: np.ndarray, par: dict) -> np.ndarray:
    """Cost (100m yuan) of the next climb: a diagnosis from rung 0, an upgrade project above."""
    diagnosis = par["cost_share_diagnose"] * size
    project = par["cost_share_project"] * size ** par["cost_scale"]
    return np.where(rung == 0, diagnosis, project)


def subsidy_offer(rung: np.ndarray, cost: np.ndarray, region: np.ndarray, support: Support) -> np.ndarray:
    """Subsidy (100m yuan) the district would pay towards one firm's next climb."""
    rate = np.where(rung == 0, support.free_diagnosis[region],
                    support.capex_subsidy[region] + support.interest_subsidy[region])
    return np.minimum(rate * cost, np.where(rung == 0, np.inf, support.max_award[region]))


def hazards(firms: Firms, peers: np.ndarray, coverage: np.ndarray, offer: np.ndarray, cost: np.ndarray,
            par: dict) -> tuple[np.ndarray, np.ndarray]:
    """Yearly climb hazards with and without the district's offer (zero at the top rung)."""
    rung = firms.rung
    base = np.choose(np.minimum(rung, TOP - 1), [par[name] for name in BASE_HAZARDS])
    eta = par["attractiveness_elasticity"]
    mean = par["firm_size_mean"]
    scale = np.where(rung == 0, 1.0, par["cost_scale"])
    size_term = (firms.size / mean) ** ((1.0 - scale) * eta)  # payoff relative to a mean-size firm
    social = (1 + par["peer_effect"] * peers) * (1 + par["infra_effect"] * coverage[firms.region] * (rung >= 1))
    h_none = np.where(rung < TOP, base * size_term * social, 0.0)
    relief = cost / np.maximum(cost - offer, 1e-12 * cost)
    return h_none * relief**eta, h_none


def peer_shares(firms: Firms, n_regions: int, n_sectors: int) -> np.ndarray:
    """Weighted share of upgraded firms in each firm's (region, sector) group."""
    group = firms.region * n_sectors + firms.sector
    size = n_regions * n_sectors
    total = np.bincount(group, weights=firms.weight, minlength=size)
    upgraded = np.bincount(group, weights=firms.weight * (firms.rung >= UPGRADED_RUNG), minlength=size)
    return (upgraded / np.where(total > 0, total, 1.0))[group]


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
    idx = idx[np.lexsort((order[idx], region[idx]))]
    spend = cost_to_district[idx]
    cum = np.cumsum(spend)
    starts = np.searchsorted(region[idx], region[idx], side="left")
    within = cum - (cum[starts] - spend[starts])  # cumulative spending inside each region's queue
    funded = np.zeros(wants.shape, dtype=bool)
    funded[idx[within <= budget[region[idx]] * (1 + 1e-12)]] = True
    return funded
