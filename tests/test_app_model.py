"""The dashboard's computations (no browser): levers from the declarations, scenarios with levers, p table."""

from __future__ import annotations

import pytest

from dezsim.base.units import lever_value

pytest.importorskip("solara", reason="the dashboard needs the app extra (solara)")

from dezsim.base.errors import ConfigError  # noqa: E402
from dezsim.model import params as P# noqa: E402
from dezsim.model.config import Scenario  # noqa: E402
from dezsim.outputs.app import command  # noqa: E402
from dezsim.outputs.app.model import LEVERS, Engine, areas, p_table, shown_values, with_levers  # noqa: E402


def test_levers_take_range_and_unit_from_the_declarations():
    assert {lv.param for lv in LEVERS} == {"policy_capex_subsidy", "policy_budget_share_gdp",
                                           "policy_interest_subsidy", "g5_capex_share_gdp", "dc_pue_cap",
                                           "digital_investment_extra"}
    for lv in LEVERS:
        assert lv.bounds == P.BY_NAME[lv.param].bounds
        assert lv.unit == lever_value(lv.param, 1.0)[1] != ""  # the lever's own unit, never "dimensionless"
    capex = next(lv for lv in LEVERS if lv.param == "policy_capex_subsidy")
    assert capex.shown(0.3) == "30 % of project cost" and capex.shown(capex.bounds[1]) == "50 % of project cost"
    pue = next(lv for lv in LEVERS if lv.param == "dc_pue_cap")
    assert pue.shown(1.25) == "1.25 PUE"


def test_moved_levers_hold_everywhere_and_drop_their_schedule():
    scen = Scenario(name="s", regions=["suzhou"], schedules={"dc_pue_cap": {2021: 1.25}})
    out = with_levers(scen, "taicang", {"dc_pue_cap": 1.3})
    assert out.regions == ["taicang"] and out.overrides["dc_pue_cap"] == 1.3 and "dc_pue_cap" not in out.schedules
    assert with_levers(scen, "suzhou", {}).schedules == scen.schedules


def test_a_subsidy_moved_alone_is_funded_unless_the_budget_is_moved():
    scen = Scenario(name="s", regions=["suzhou"])
    top = P.BY_NAME["policy_budget_share_gdp"].bounds[1]
    assert shown_values(scen, {"policy_capex_subsidy": 0.2})["policy_budget_share_gdp"] == top
    both = {"policy_capex_subsidy": 0.2, "policy_budget_share_gdp": 0.001}
    assert shown_values(scen, both)["policy_budget_share_gdp"] == 0.001


def test_a_lever_outside_its_bounds_is_refused():
    with pytest.raises(ConfigError, match="dc_pue_cap"):
        with_levers(Scenario(name="s"), "suzhou", {"dc_pue_cap": 0.5})


def test_areas_cover_regions_and_plans(dataset):
    found = {a.key: a for a in areas(dataset)}
    assert found["region:suzhou"].root == "suzhou" and found["region:jiangsu"].root == "jiangsu"
    plans = [a for a in found.values() if a.key.startswith("plan:")]
    assert len(plans) == 5 and all(a.targets for a in plans)
    taicang_plan = next(a for a in plans if a.label == "plan: Taicang")
    assert taicang_plan.root == "taicang"


def test_p_table_delta_is_p_with_levers_minus_baseline(dataset):
    eng = Engine(dataset, runs=4)
    area = next(a for a in areas(dataset) if a.key == "region:wuzhong")
    base = eng.evaluate("baseline.yaml", "wuzhong", {})
    now = eng.evaluate("baseline.yaml", "wuzhong", {"policy_capex_subsidy": 0.5})
    assert eng.evaluate("baseline.yaml", "wuzhong", {}) is base  # cached
    table = p_table(base.reach, now.reach, area, dataset)
    assert len(table) > 0 and (table["Δ"] == table["p"] - table["p baseline"]).all()
    reach = now.reach.set_index("target_id")
    assert (table.p.to_numpy() == reach.loc[table.target, "p_reach"].to_numpy()).all()


def test_server_binds_loopback_by_default():
    cmd, env = command()
    assert cmd[cmd.index("--host") + 1] == "127.0.0.1" and env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
