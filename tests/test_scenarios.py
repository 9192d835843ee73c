"""The scenario library runs; schedules, shocks, regions and --set do what they say; errors are one line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from dezsim.base.errors import ConfigError
from dezsim.cli import app
from dezsim.model.config import SCENARIOS, load_scenario
from dezsim.model.simulate import run

LIBRARY = sorted(SCENARIOS.glob("*.yaml"))


def test_library_has_the_required_scenarios():
    names = {p.stem for p in LIBRARY}
    assert {"baseline", "wuxi_style_support", "g5_acceleration", "green_data_centres", "demand_shock_2022"} <= names
    assert {"plan_jiangsu", "plan_suzhou", "plan_taicang", "plan_wuzhong", "plan_wuxi"} <= names


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.stem)
def test_every_scenario_runs_coupled(path):
    res = run(path, runs=3, seed=1)
    values = res.frame.value.to_numpy()
    assert np.isfinite(values[~np.isnan(values)]).all()
    assert set(res.frame.region) >= set(load_scenario(path).regions)


def growth(res, region, year, indicator="gdp"):
    g = res.select(indicator, region).pivot_table(index="run", columns="year", values="value")
    return (g[year] / g[year - 1]).to_numpy()


def rest_growth(res, region, year):
    """Growth of GDP outside the core industries: the part the GDP shock acts on (total GDP also moves with the
    core share, which the shocks change for good)."""
    rest = lambda y: (res.select("gdp", region, y).value.to_numpy()  # noqa: E731
                      - res.select("core_industry_va", region, y).value.to_numpy())
    return rest(year) / rest(year - 1)


def test_demand_shock_hits_only_its_year():
    base, shocked = run(runs=3, seed=2, agents=None), run(LIBRARY[[p.stem for p in LIBRARY].index("demand_shock_2022")],
                                                         runs=3, seed=2, agents=None)
    assert (growth(shocked, "jiangsu", 2022) < growth(base, "jiangsu", 2022) - 0.04).all()
    np.testing.assert_allclose(rest_growth(shocked, "jiangsu", 2024), rest_growth(base, "jiangsu", 2024), rtol=1e-12)
    assert (rest_growth(shocked, "jiangsu", 2022) < rest_growth(base, "jiangsu", 2022) - 0.04).all()
    ei = lambda r: r.select("ei_manufacturing_revenue", "jiangsu", 2021).value.to_numpy()  # noqa: E731
    assert (ei(shocked) < ei(base)).all()


def test_pue_cap_schedule_steps_down():
    res = run(LIBRARY[[p.stem for p in LIBRARY].index("green_data_centres")], runs=3, seed=0, agents=None)
    pue = res.select("dc_pue_new", "jiangsu").pivot_table(index="run", columns="year", values="value")
    assert (pue[[2021, 2022]] <= 1.3 + 1e-9).all().all() and (pue[[2023, 2024, 2025]] <= 1.25 + 1e-9).all().all()


def test_regions_restrict_the_simulation_and_the_report():
    res = run(LIBRARY[[p.stem for p in LIBRARY].index("plan_suzhou")], runs=2, seed=0, agents=None)
    assert "jiangsu" not in set(res.frame.region) and "suzhou" in set(res.frame.region)


def test_set_changes_a_key_and_bad_sets_are_named(tmp_path):
    scen = load_scenario(LIBRARY[0], ["overrides.dc_pue_cap.suzhou=1.2", "end=2023"])
    assert scen.overrides["dc_pue_cap"] == {"suzhou": 1.2} and scen.end == 2023
    with pytest.raises(ConfigError, match=r"--set 'end': expected key.path=value"):
        load_scenario(LIBRARY[0], ["end"])
    with pytest.raises(ConfigError, match=r"overrides.dc_pue_cap: parameter 'dc_pue_cap' = 0.5: out of range"):
        load_scenario(LIBRARY[0], ["overrides.dc_pue_cap=0.5"])
    result = CliRunner().invoke(app, ["run", "--runs", "2", "--no-agents", "--set", "overrides.gdp_growth=0.3"])
    assert result.exit_code == 2 and "allowed: -0.15" not in result.output and "gdp_growth" in result.output


@pytest.mark.parametrize(("text", "pattern"), [
    ("name: x\nshocks:\n  - {name: a, paramter: gdp_growth_shock, years: [2022], value: -0.05}\n",
     r"unknown key 'shocks.0.paramter' \(did you mean 'parameter'\?\)"),
    ("name: x\nshocks:\n  - {name: a, parameter: gdp_growth_shock, years: [2014], value: -0.05}\n",
     r"shocks.0 \(a\): years \[2014\] out of range; allowed: 2016 to 2035"),
    ("name: x\nshocks:\n  - {name: a, parameter: gdp_growth_shock, years: [2019], value: -0.05}\n",
     r"shocks.0 \(a\): years \[2019\] outside the horizon; allowed: 2021 to 2025"),
    ("name: x\nstart: 2017\nshocks:\n  - {name: a, parameter: gdp_growth_shock, years: [2017], value: -0.05}\n",
     r"shocks.0 \(a\): years \[2017\] outside the horizon; allowed: 2018 to 2025"),
    ("name: x\nstart: 2014\n", r"start.*2014.*greater than or equal to 2015"),
    ("name: x\nstart: 2018\nend: 2018\n", r"end = 2018: before the first simulated year; allowed: 2019 to 2035"),
    ("name: x\nschedules:\n  dc_pue_cap: {2024: 0.8}\n",
     r"schedules.2024.dc_pue_cap: parameter 'dc_pue_cap' = 0.8: out of range; allowed: 1.04 to 3.0"),
    ("name: x\nbase: missing.yaml\n", r"missing.yaml: cannot read scenario"),
])
def test_schedule_shock_and_base_errors(tmp_path, text, pattern):
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=pattern) as info:
        load_scenario(path)
    assert "\n" not in str(info.value)


def test_base_inheritance_merges_mappings(tmp_path):
    (tmp_path / "a.yaml").write_text("name: a\noverrides: {dc_retrofit_rate: 0.05, dc_pue_cap: 1.3}\n")
    (tmp_path / "b.yaml").write_text("name: b\nbase: a.yaml\noverrides: {dc_pue_cap: 1.25}\n")
    scen = load_scenario(tmp_path / "b.yaml")
    assert scen.name == "b" and scen.overrides == {"dc_retrofit_rate": 0.05, "dc_pue_cap": 1.25}
