"""Simulated agent-flow moments: one year of a region's firms, run by the model's own agent engine.

The calibration's ``agent_flows`` group fits the climb hazards to Taicang's 2019 flows (new provincial smart
workshops, new four-star cloud firms). Instead of a closed form (the mean hazard over log-normal revenue, peers
and 5G coverage held at their means), every candidate parameter set simulates the year: the region's firm
population is drawn as the model draws it (:func:`dezsim.model.abm.population.build`), and the vectorised engine
(:class:`dezsim.model.abm.engine.VectorisedAgents`, the same rule and kernel as every run) steps one year without
policy, at the pre-2021 pace (``programme_speed`` = 1) and with 5G coverage of 2019. The year's new cloud firms
and new smart workshops, times their recognition shares, are the simulated moments.

Only the parameters the calibration chain fits are read (``names``); every other agent parameter is held at its
declared default, as the closed form did (costs, floors and SME sizes no figure up to 2020 speaks to). Each
parameter set's random numbers are keyed by a hash of its values of ``names``, so the simulated moments are a
pure function of the parameters: an accepted set reproduces its moments exactly when simulated again (the
ensemble check and the tests rely on this), and the calibration is the same whatever the batch size.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

import numpy as np

from dezsim.model import params as P
from dezsim.model.abm import population
from dezsim.model.abm.engine import Setup, VectorisedAgents
from dezsim.model.abm.settings import AgentSettings
from dezsim.model.exchange import Observables

#: Draws simulated together (bounds the memory of one engine: about 800 agents a draw for Taicang).
CHUNK = 5_000
#: The pace the hazards are fitted at: the pre-2021 programmes' (``programme_speed`` scales it from 2021 on).
PRE_2021_SPEED = 1.0


def draw_keys(d: Mapping[str, np.ndarray], names: Sequence[str]) -> np.ndarray:
    """One 63-bit key per draw, hashed from that draw's values of ``names`` (float64 bytes)."""
    table = np.ascontiguousarray(np.column_stack([np.asarray(d[n], dtype=np.float64) for n in names]))
    return np.array([int.from_bytes(hashlib.blake2b(row.tobytes(), digest_size=8).digest(), "little") >> 1
                     for row in table], dtype=np.uint64)


def firm_parameters(d: Mapping[str, np.ndarray], names: Sequence[str], j: int) -> dict[str, float]:
    """Draw ``j``'s agent parameters: the declared defaults, overlaid with the draw's values of ``names``."""
    par = {p.name: p.default for p in P.AGENT_PARAMS}
    par |= {k: float(np.asarray(d[k])[j]) for k in names}
    par["programme_speed"] = PRE_2021_SPEED
    return par


def simulate_year(d: Mapping[str, np.ndarray], names: Sequence[str], gdp: float, coverage: float,
                  spec: population.PopulationSpec = population.PopulationSpec()) -> dict[str, np.ndarray]:
    """One simulated year of one region's firms for every draw of ``d``.

    Parameters
    ----------
    d : mapping of str to ndarray
        Parameter arrays of equal length (the draws).
    names : sequence of str
        The agent parameters read from ``d`` (the rest keep their declared defaults); they also key the draws'
        random numbers.
    gdp : float
        The region's GDP (100m yuan), which sets its number of firms.
    coverage : float
        5G coverage of the year (share 0-1 of the ceiling).
    spec : PopulationSpec
        How finely firms are sampled (the model's default).

    Returns
    -------
    dict of str to ndarray
        Per draw: ``new_cloud`` (firms newly cloud-enabled) and ``new_workshops`` (firms newly with a smart
        workshop) during the year, and ``cloud_firms`` and ``workshop_firms`` (firms at those rungs or higher)
        at its start; all counts of real firms (weighted agents).
    """
    unknown = sorted(set(names) - {p.name for p in P.AGENT_PARAMS})
    if unknown:
        raise ValueError(f"simulate_year: {unknown} are not agent parameters")
    n = len(np.asarray(d[names[0]]))
    keys = draw_keys(d, sorted(names))
    out = {k: np.empty(n) for k in ("new_cloud", "new_workshops", "cloud_firms", "workshop_firms")}
    for lo in range(0, n, CHUNK):
        idx = range(lo, min(n, lo + CHUNK))
        got = _chunk(d, names, idx, keys, gdp, coverage, spec)
        for k in out:
            out[k][lo:lo + len(idx)] = got[k]
    return out


def _chunk(d, names, idx: range, keys: np.ndarray, gdp: float, coverage: float, spec) -> dict[str, np.ndarray]:
    firm_par = [firm_parameters(d, names, j) for j in idx]
    rngs = [np.random.default_rng(int(keys[j])) for j in idx]
    firms = [population.build(np.array([gdp]), par, rng, spec) for par, rng in zip(firm_par, rngs, strict=True)]
    runs = len(idx)
    policy = {p.name: np.zeros((runs, 1)) for p in P.POLICY_PARAMS}  # no district support before 2021
    engine = VectorisedAgents(Setup(firm_par, firms, rngs, policy, [None], AgentSettings(spec)))
    start = engine.stocks()
    before = start["workshop_firms"][:, 0]
    # growth 1: firm revenue is scaled at the year end, after the year's climbs, so it does not enter the flows
    env = Observables(np.full((runs, 1), coverage), np.full((runs, 1), gdp), np.ones((runs, 1)))
    _, year = engine.step_year(env)
    return {"new_cloud": year["new_cloud"][:, 0], "new_workshops": year["workshop_firms"][:, 0] - before,
            "cloud_firms": start["cloud_firms"][:, 0], "workshop_firms": before}
