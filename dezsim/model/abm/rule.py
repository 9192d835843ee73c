"""The adoption rule, written once as scalar compiled functions of one firm: climb terms, hazards, chances,
booking. The fused kernel (:mod:`dezsim.model.abm.kernel`) calls them for every firm of every run; the per-firm Mesa
path (:mod:`dezsim.model.abm.firms`) calls the same functions from Python, so there is no second copy of the rule.

Hazard of climbing from rung r to r+1 (per year)::

    h = base_r * (a / a_ref) ** elasticity * (1 + peer_effect * peers) * (1 + infra_effect * coverage * [r >= 1])
    a = benefit / max(cost - subsidy, own_cost_floor * cost),  benefit ~ size,
    cost ~ size ** cost_scale (diagnosis: ~ size)

with ``a_ref`` the payoff of a mean-size above-size firm without support, ``peers`` the weighted share of
upgraded firms in the firm's region and sector at the start of the period and ``coverage`` the region's 5G
coverage (0-1). The chance to climb in a period of ``dt`` years is ``1 - exp(-h dt)``. Without subsidy and
peers, and with fixed coverage, h is constant and the share still at rung r decays as ``exp(-h t)``.

Support is rationed first come first served: applicants (firms that would climb with the offer) queue in
random order within their region, and the district pays until the first applicant its budget cannot cover
(that refusal closes the call for the period); a refused applicant climbs with its chance without support.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from dezsim.model.abm.population import TOP, UPGRADED_RUNG
from dezsim.model.params import BY_NAME

BASE_HAZARDS = ("hazard_diagnose", "hazard_cloud", "hazard_workshop", "hazard_factory")
#: Firm parameters the rule reads, in the order of the ``fp`` vector the functions take.
RULE_PARAMS = (*BASE_HAZARDS, "cost_share_diagnose", "cost_share_project", "cost_scale", "attractiveness_elasticity",
               "own_cost_floor", "peer_effect", "infra_effect", "firm_size_mean")
_CSD, _CSP, _SCALE, _ETA, _FLOOR, _PEER, _INFRA, _MEAN = range(4, 12)
#: Where ``firm_size_mean`` sits in ``fp`` (the fused kernel divides revenue by it).
MEAN_SIZE = _MEAN
#: Instruments per region, in the order of the ``support`` vector: free diagnosis (share of its cost), capex and
#: interest subsidy (shares of project cost), largest award (100m yuan).
INSTRUMENTS = ("policy_free_diagnosis", "policy_capex_subsidy", "policy_interest_subsidy", "policy_max_award")
#: Rounding slack when comparing an award with the budget left (relative).
BUDGET_SLACK = 1e-12
#: Columns of a period's booking per region (see :func:`booking`).
#: Ceiling of the capex subsidy an adaptive district may reach (the parameter's upper bound).
CAPEX_CEILING = BY_NAME["policy_capex_subsidy"].bounds[1]
TALLY = ("spend", "induced_spend", "subsidy_paid", "new_cloud", "projects")

jit = numba.njit(cache=True, nogil=True)


def rule_vector(par: dict) -> np.ndarray:
    """The ``fp`` vector of one run's firm parameters (scalars by name).

    The base hazards are calibrated to pre-2021 flows (Taicang 2019); the run's ``programme_speed`` multiplies
    them here, once, because the model starts at end-2020 and every simulated year lies in the new campaign.
    """
    fp = np.array([float(par[name]) for name in RULE_PARAMS])
    fp[:len(BASE_HAZARDS)] *= float(par["programme_speed"])
    return fp


@jit
def _relief(cost, offer, floor, eta):  # pragma: no cover - compiled
    """Hazard multiplier of an offer: (cost / what the firm still bears) ** eta, the firm bearing >= floor."""
    own = max(cost - offer, floor * cost)
    return (cost / own) ** eta if own > 0 else 1.0


@jit
def region_reliefs(free_diag, subsidy_share, fp):  # pragma: no cover - compiled
    """Relief of a region's diagnosis offer and of its project subsidy below the award cap: both pay a share of
    the cost, so the relief is the same for every firm (cost 1 stands for any cost)."""
    return _relief(1.0, free_diag, fp[_FLOOR], fp[_ETA]), _relief(1.0, subsidy_share, fp[_FLOOR], fp[_ETA])


@jit
def size_exponents(fp):  # pragma: no cover - compiled
    """Exponents of a firm's revenue in its terms: project cost ~ ``size ** cost_scale``, and the hazard's size
    factor ~ ``(size / firm_size_mean) ** ((1 - cost_scale) * elasticity)`` (the payoff ``benefit / cost`` to the
    ``elasticity``, relative to a mean-size firm's)."""
    return fp[_SCALE], (1.0 - fp[_SCALE]) * fp[_ETA]


@jit
def size_powers(size, fp):  # pragma: no cover - compiled
    """``(size ** e_cost, (size / firm_size_mean) ** e_factor)`` of one firm (:func:`size_exponents`); the fused
    kernel computes the same powers for all firms at once in vectorised rows (within a few units in the last
    place of these)."""
    e_cost, e_factor = size_exponents(fp)
    return size ** e_cost, (size / fp[_MEAN]) ** e_factor


@jit
def year_terms(size, cost_power, factor_power, coverage, free_diag, subsidy_share, max_award, relief_diag,
               relief_share, fp):  # pragma: no cover - compiled
    """A firm's terms for one year (revenue, coverage and instruments change at most once a year).

    ``cost_power`` and ``factor_power`` are the firm's :func:`size_powers`; ``subsidy_share`` is the capex plus
    interest subsidy (share of project cost), ``relief_diag`` and ``relief_share`` the region's reliefs
    (:func:`region_reliefs`). Returns (diagnosis cost, project cost, offer towards a diagnosis, offer towards a
    project, relief of each offer, project hazard factor (size factor x infrastructure)); costs and offers in
    100m yuan.
    """
    diag = fp[_CSD] * size
    proj = fp[_CSP] * cost_power
    factor = factor_power * (1 + fp[_INFRA] * coverage)
    full = subsidy_share * proj
    if full <= max_award:
        return diag, proj, free_diag * diag, full, relief_diag, relief_share, factor
    return diag, proj, free_diag * diag, max_award, relief_diag, _relief(proj, max_award, fp[_FLOOR], fp[_ETA]), factor


@jit
def at_rung(rung, diag, proj, diag_offer, proj_offer, relief_diag, relief_proj, factor, fp):  # pragma: no cover
    """(cost, offer, hazard without support before peers, relief) of climbing from ``rung``; none at the top."""
    if rung == 0:
        return diag, diag_offer, fp[0], relief_diag
    if rung < TOP:
        return proj, proj_offer, fp[rung] * factor, relief_proj
    return 0.0, 0.0, 0.0, 1.0


@jit
def chances(base, relief, peers, fp, dt):  # pragma: no cover - compiled
    """Chance to climb in a period of ``dt`` years without and with the district's offer."""
    h_none = base * (1 + fp[_PEER] * peers)
    p_none = -math.expm1(-h_none * dt)
    return p_none, (p_none if relief == 1.0 else -math.expm1(-h_none * relief * dt))


#: Relative margin on :func:`reach_bound`: it covers the rounding of the products in the bound and in the chances
#: (a few units in the last place, 1e-16 each), so the bound is never below a chance it stands for.
BOUND_MARGIN = 1e-9


@jit
def reach_bound(base, relief):  # pragma: no cover - compiled
    """A firm's bound on its chances per unit of ``hazard x (1 + peer_effect x peers) x dt`` at its rung
    (``base`` and ``relief`` of :func:`at_rung`): a chance ``1 - exp(-h dt)`` never exceeds ``h dt``, so a draw
    at or above ``reach_bound x`` :func:`period_scale` is above both chances of :func:`chances`, and the firm
    neither climbs nor applies that period. Kept per firm by the fused kernel, it decides most firms of a period
    from one number each; 0 at the top rung."""
    return base * max(relief, 1.0) * (1.0 + BOUND_MARGIN)


@jit
def period_scale(hazard, peers, fp, dt):  # pragma: no cover - compiled
    """What multiplies every :func:`reach_bound` of a (region, sector) group in a period (``peers``: its share
    at the start of the period; ``hazard``: the region's multiplier of the year)."""
    return hazard * (1 + fp[_PEER] * peers) * dt


@jit
def climbs(u, funded, p_none, p_pol):  # pragma: no cover - compiled
    """The firm climbs when its uniform draw ``u`` falls under the chance that applies to it."""
    return u < (p_pol if funded else p_none)


@jit
def booking(weight, cost, paid, p_none, p_used, climbed, rung_before):  # pragma: no cover - compiled
    """One firm's contribution to the period's :data:`TALLY`: capex spent, capex the support induced (expected:
    (p_used - p_none) x cost, zero without support), subsidy paid, new cloud-enabled firms, projects."""
    c = 1.0 if climbed else 0.0
    return (weight * cost * c, weight * cost * (p_used - p_none), weight * paid,
            weight * c * (rung_before == 1), weight * c * (rung_before >= 1))


@jit
def group_weights(starts, weight, rung, total, upgraded):  # pragma: no cover - compiled
    """Weight of all and of upgraded firms per (region, sector) group; group g is ``[starts[g], starts[g + 1])``."""
    for g in range(len(starts) - 1):
        total[g] = upgraded[g] = 0.0
        for i in range(starts[g], starts[g + 1]):
            total[g] += weight[i]
            upgraded[g] += weight[i] * (rung[i] >= UPGRADED_RUNG)


@jit
def peer_shares(total, upgraded, out):  # pragma: no cover - compiled
    """Weighted share of upgraded firms per group (0 in an empty group)."""
    for g in range(total.size):
        out[g] = upgraded[g] / total[g] if total[g] > 0 else 0.0


def reviewed_capex(capex, share, start_share, goal, goal_year, adaptive, step, year: int, start_year: int):
    """Capex subsidy after a year's review: raised by ``step`` (up to the declared ceiling) where the district is
    adaptive and its upgraded ``share`` (0-1) is behind the straight path from ``start_share`` to ``goal`` by
    ``goal_year``; unchanged elsewhere. Works on scalars or arrays (regions with no target: goal NaN)."""
    span = np.maximum(np.asarray(goal_year) - start_year, 1)
    path = start_share + (np.asarray(goal) - start_share) * np.minimum(1.0, (year - start_year) / span)
    behind = np.asarray(adaptive, dtype=bool) & (share < path)
    return np.where(behind, np.minimum(CAPEX_CEILING, capex + step), capex)
