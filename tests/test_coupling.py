"""Coupled SD + agents: reproducible, agents' indicators present, policy moves the right way."""

from __future__ import annotations

import numpy as np

from dezsim.config import Scenario
from dezsim.coupling import AgentSettings
from dezsim.simulate import run

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
