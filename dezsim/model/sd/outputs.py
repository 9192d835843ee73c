"""From raw leaf outputs to indicators for leaves and parents.

Parents are sums of their children for additive quantities; ratios (shares, coverage, PUE) are recomputed
from the summed numerators and denominators, never averaged.
"""

from __future__ import annotations

import numpy as np

from dezsim.data.dataset import Dataset

#: Indicator name -> (numerator raw key, or a tuple of raw keys summed; denominator raw key or None; scale).
INDICATORS: dict[str, tuple[str | tuple[str, ...], str | None, float]] = {
    "gdp": ("gdp", None, 1.0),
    "core_industry_va": ("core_va", None, 1.0),
    "core_industry_share_gdp": ("core_va", "gdp", 100.0),
    "ei_manufacturing_revenue": ("ei", None, 1.0),
    "software_revenue": ("sw", None, 1.0),
    "g5_base_stations": ("g5", None, 1.0),
    "g5_coverage": ("g5_covered", "g5_ceiling", 100.0),
    "dc_racks": ("racks", None, 1.0),
    "dc_pue_new": ("new_facility_load", "new_it_load", 1.0),
    "dc_pue_fleet": ("facility_load", "it_load", 1.0),
    "dc_energy": ("energy", None, 1.0),
    "invention_patents_digital": ("patents", None, 1.0),
    "pct_applications": ("pct", None, 1.0),
    # from the agents (coupled runs only)
    "above_scale_firms": ("above_firms", None, 1.0),
    "upgraded_firms_share": ("upgraded_above", "above_firms", 100.0),
    "upgrade_projects": ("projects", None, 1.0),
    "cloud_star_firms": ("cloud_recognised", None, 1.0),
    "smart_workshops": ("workshops_recognised", None, 1.0),
    "smart_factories": ("factories_recognised", None, 1.0),
    "dc_racks_built": ("racks_built", None, 1.0),
    # what the plans count (see data/indicators.csv for each definition and dezsim.model.abm.kernel.run_stocks for the
    # agents' counts: covered_above is a stock; diagnosed, diagnosed_above, projects_above and smes_transformed
    # are cumulative since end-2020; the municipal lists apply municipal_recognition to the agents' workshops and
    # factories, see dezsim.model.coupling.agent_raw)
    "covered_firms_share": ("covered_above", "above_firms", 100.0),
    "diagnosed_firms": ("diagnosed", None, 1.0),
    "diagnosed_above_share": ("diagnosed_above", "above_firms", 100.0),
    "smart_workshops_municipal": ("workshops_municipal", None, 1.0),
    "smart_workshops_prov_muni": (("workshops_recognised", "workshops_municipal"), None, 1.0),
    "smart_factories_municipal": ("factories_municipal", None, 1.0),
    "smart_factories_prov_muni": (("factories_recognised", "factories_municipal"), None, 1.0),
    "upgrade_projects_above": ("projects_above", None, 1.0),
    "sme_transformed_firms": ("smes_transformed", None, 1.0),
}

def output_regions(ds: Dataset, leaves: list[str], roots: tuple[str, ...] = ("jiangsu",)
                   ) -> tuple[list[str], np.ndarray]:
    """Regions reported (leaves, then their ancestors up to the simulated ``roots``) and the 0/1 matrix summing
    leaves into them (a region above a root would be a partial sum, so it is not reported).

    Returns
    -------
    regions : list of str
    membership : ndarray, shape (len(regions), len(leaves))
    """
    parent = dict(zip(ds.regions.code, ds.regions.parent, strict=True))
    for root in roots:  # stop climbing at the roots
        parent[root] = None
    regions = list(leaves)
    for leaf in leaves:
        node = parent.get(leaf)
        while isinstance(node, str):
            if node not in regions:
                regions.append(node)
            node = parent.get(node)
    member = np.zeros((len(regions), len(leaves)))
    for j, leaf in enumerate(leaves):
        node = leaf
        while isinstance(node, str):
            member[regions.index(node), j] = 1.0
            node = parent.get(node)
    return regions, member


def indicators(raw: dict[str, np.ndarray], membership: np.ndarray) -> dict[str, np.ndarray]:
    """Every indicator of :data:`INDICATORS` whose inputs ``raw`` holds, for all output regions, each shaped
    (ensemble, region, year)."""
    summed = {key: np.einsum("rl,ely->ery", membership, raw[key]) for key in _needed() if key in raw}
    out = {}
    for name, (num, den, scale) in INDICATORS.items():
        keys = num if isinstance(num, tuple) else (num,)
        if any(k not in summed for k in keys) or (den is not None and den not in summed):
            continue
        total = sum(summed[k] for k in keys)
        if den is None:
            out[name] = total * scale
        else:
            with np.errstate(invalid="ignore", divide="ignore"):
                out[name] = np.where(summed[den] > 0, scale * total / summed[den], np.nan)
    return out


def _needed() -> set[str]:
    keys = set()
    for num, den, _ in INDICATORS.values():
        keys |= set(num if isinstance(num, tuple) else (num,)) | ({den} if den is not None else set())
    return keys
