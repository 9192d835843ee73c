"""Simulated agent-flow moments: a pure function of the parameters, independent of batching, and right in the
analytic limit (no peers, no infrastructure, no payoff differences: a firm climbs at its base hazard)."""

from __future__ import annotations

import numpy as np
import pytest

from dezsim.calibration import calibrate_flows as F
from dezsim.model import params as P
from dezsim.model.abm.population import PopulationSpec

NAMES = ("hazard_cloud", "hazard_workshop", "peer_effect", "infra_effect", "attractiveness_elasticity",
         "init_share_diagnosed", "init_share_cloud", "init_share_workshop", "init_share_factory",
         "sme_initial_factor", "smes_per_above_scale", "firms_per_gdp")
GDP = 1400.0  # a Taicang-sized region (100m yuan)


def draws(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {name: P.BY_NAME[name].draw(rng, n) for name in NAMES}


def test_moments_are_a_pure_function_of_each_draw(monkeypatch):
    d = draws(12)
    once = F.simulate_year(d, NAMES, GDP, 0.2)
    again = F.simulate_year(d, NAMES, GDP, 0.2)
    part = F.simulate_year({k: v[3:8] for k, v in d.items()}, NAMES, GDP, 0.2)
    monkeypatch.setattr(F, "CHUNK", 5)  # other engine batches: the same draws give the same numbers
    chunked = F.simulate_year(d, NAMES, GDP, 0.2)
    for k in once:
        np.testing.assert_array_equal(once[k], again[k])
        np.testing.assert_array_equal(once[k][3:8], part[k])
        np.testing.assert_array_equal(once[k], chunked[k])
    assert (once["new_cloud"] >= 0).all() and (once["new_workshops"] >= 0).all()


def test_columns_outside_the_names_change_nothing():
    d = draws(6)
    extra = d | {"cost_share_project": np.full(6, 0.07), "set": np.arange(6.0)}
    a, b = F.simulate_year(d, NAMES, GDP, 0.2), F.simulate_year(extra, NAMES, GDP, 0.2)
    np.testing.assert_array_equal(a["new_cloud"], b["new_cloud"])


def test_without_peers_infrastructure_or_payoff_firms_climb_at_the_base_hazard():
    """Every firm starts diagnosed (rung 1): the year's new cloud firms are N (1 - exp(-h)) in expectation; the
    draws' mean is held to it within 4 standard errors (agents are independent Bernoulli climbs, weighted)."""
    n, h = 400, 0.3
    d = {name: np.full(n, value) for name, value in {
        "hazard_cloud": h, "hazard_workshop": 0.05, "peer_effect": 0.0, "infra_effect": 0.0,
        "attractiveness_elasticity": 0.0, "init_share_diagnosed": 1.0, "init_share_cloud": 0.0,
        "init_share_workshop": 0.0, "init_share_factory": 0.0, "sme_initial_factor": 1.0,
        "smes_per_above_scale": 10.0, "firms_per_gdp": 0.5}.items()}
    d["firm_size_sigma"] = np.linspace(0.7, 1.5, n)  # distinct draws (their own random numbers), same hazard
    names = (*NAMES, "firm_size_sigma")
    sim = F.simulate_year(d, names, GDP, 0.5)["new_cloud"]
    spec = PopulationSpec()
    above, smes = 0.5 * GDP, 0.5 * GDP * 10.0
    p = -np.expm1(-h)
    expected = (above + smes) * p
    # variance of a weighted sum of Bernoulli climbs: agents of weight w stand for the real firms
    var = (above * spec.above_weight + smes * spec.sme_weight) * p * (1 - p)
    assert abs(sim.mean() - expected) < 4 * np.sqrt(var / n), (sim.mean(), expected)


def test_unknown_names_are_refused():
    with pytest.raises(ValueError, match="not agent parameters"):
        F.simulate_year({"gdp_growth": np.ones(2)}, ("gdp_growth",), GDP, 0.2)
