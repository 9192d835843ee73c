"""Coupled SD + agents: reproducible, agents' indicators present, policy moves the right way."""

from __future__ import annotations

import numpy as np

from dezsim.model.config import Scenario
from dezsim.model.coupling import AgentSettings
from dezsim.model.simulate import run

SMALL = AgentSettings()


def q50(res, indicator, region, year):
    return res.select(indicator, region, year).value.median()


def test_coupled_run_is_reproducible_and_reports_agent_indicators():
    a, b = run(runs=3, seed=4, agents=SMALL), run(runs=3, seed=4, agents=SMALL)
    assert a.frame.equals(b.frame)
    assert {"upgraded_firms_share", "smart_workshops", "above_scale_firms", "upgrade_projects"} <= set(a.frame.indicator)
    share = a.select("upgraded_firms_share").value
    assert ((share >= 0) & (share <= 100)).all()
    firms = a.select("above_scale_firms", "suzhou", 2020).value
    assert np.allclose(firms, 11000, rtol=0.01)  # Suzhou's ~11000 above-size firms (pub-008)


def test_support_raises_upgrading_and_core_industry_demand():
    base = run(Scenario(name="base"), runs=4, seed=2)
    support = {"policy_free_diagnosis": 1.0, "policy_capex_subsidy": 0.3, "policy_interest_subsidy": 0.019,
               "policy_budget_share_gdp": 0.002}
    wuxi_style = run(Scenario(name="support", overrides=support), runs=4, seed=2)
    assert q50(wuxi_style, "upgraded_firms_share", "suzhou", 2023) > q50(base, "upgraded_firms_share", "suzhou", 2023)
    assert q50(wuxi_style, "core_industry_va", "suzhou", 2025) > q50(base, "core_industry_va", "suzhou", 2025)
    assert q50(wuxi_style, "dc_racks", "jiangsu", 2025) >= q50(base, "dc_racks", "jiangsu", 2025)


def test_sd_alone_still_runs_without_agents():
    res = run(runs=2, seed=0, agents=None)
    assert "upgraded_firms_share" not in set(res.frame.indicator)


def test_agent_flows_are_checked_never_clipped():
    import pytest

    from dezsim.base.errors import SimulationError
    from dezsim.model import params as P
    from dezsim.model.exchange import AgentFlows
    from dezsim.model.sd.model import Drivers

    bad = AgentFlows(np.array([[0.001, -1.0]]), np.zeros((1, 2)), np.zeros((1, 2)))
    with pytest.raises(SimulationError, match=r"induced_demand = -1.0 in run index 0, region index 1, year 2022"):
        bad.check(2022)
    above = 2 * P.BY_NAME["transformation_demand_extra"].bounds[1]  # above the prior's bound: used as it is
    flows = AgentFlows(np.full((1, 2), above), np.full((1, 2), 3.0), np.full((1, 2), 0.01))
    par = {"transformation_demand_extra": np.zeros((1, 2)), "dc_build_program": np.ones((1, 2)),
           "gdp_growth": np.full((1, 2), 0.05)}
    eff = Drivers(par, flows).effective()
    assert (eff["transformation_demand_extra"] == above).all() and (eff["dc_build_program"] == 4.0).all()
    np.testing.assert_allclose(eff["gdp_growth"], 0.06)
    assert (par["gdp_growth"] == 0.05).all()  # the year's parameters are never rewritten


def test_the_mesa_engine_runs_the_coupled_model():
    from dezsim.model.abm.population import PopulationSpec

    res = run(runs=1, seed=3, agents=AgentSettings(spec=PopulationSpec(400.0, 8000.0, 2), engine="mesa"))
    share = res.select("upgraded_firms_share", "jiangsu").value
    assert len(share) == 6 and share.is_monotonic_increasing


def test_the_plans_counts_are_reported_and_consistent():
    res = run(Scenario(name="b", end=2023), runs=3, seed=5)
    f = res.frame.pivot_table(index=["run", "region", "year"], columns="indicator", values="value", observed=True)
    for name in ("covered_firms_share", "diagnosed_firms", "diagnosed_above_share", "smart_workshops_prov_muni",
                 "smart_factories_prov_muni", "upgrade_projects_above", "sme_transformed_firms"):
        assert name in f and f[name].notna().all() and (f[name] >= 0).all(), name
    assert (f.smart_workshops_prov_muni >= f.smart_workshops).all() and (f.smart_factories_prov_muni >=
                                                                         f.smart_factories).all()
    assert (f.smart_workshops_prov_muni > f.smart_workshops).any()  # the municipal lists add recognitions
    assert (f.covered_firms_share <= 100).all() and (f.covered_firms_share >= f.upgraded_firms_share).all()
    assert (f.upgrade_projects_above <= f.upgrade_projects + 1e-9).all()
    at_2020 = f.xs(2020, level="year")
    assert (at_2020[["diagnosed_firms", "upgrade_projects_above", "sme_transformed_firms"]] == 0).all().all()
    yearly = f.groupby(level=["run", "region"]).diff().dropna()  # cumulative counts never fall
    assert (yearly[["diagnosed_firms", "upgrade_projects_above", "sme_transformed_firms",
                    "smart_workshops_prov_muni"]] >= -1e-9).all().all()


def test_adaptive_districts_chase_the_declared_coverage_reading(dataset):
    from dezsim.model.coupling import upgrade_targets

    leaves = dataset.leaves()
    goals = dict(zip(leaves, upgrade_targets(dataset, leaves), strict=True))
    rule = dataset.threshold_rules.set_index("rule").loc["full_coverage"]
    assert goals["taicang"] == (float(rule.level) / 100, 2023)  # s000-002, read on covered_firms_share
    assert goals["wujiang"] == (float(rule.level) / 100, 2023)  # Suzhou's s001b-020 (2023 before s001a-153)
    assert goals["wuxi"] == (float(rule.level) / 100, 2024)  # s004-014: every above-scale firm diagnosed by 2024
