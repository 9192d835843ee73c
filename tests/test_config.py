"""Scenario files: valid ones load; each kind of error is one line naming file, field, value and range."""

from __future__ import annotations

from pathlib import Path

import pytest

from dezsim.base.errors import ConfigError
from dezsim.model.config import SCENARIOS, load_scenario



def write(tmp_path, text):
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_scenario_loads(path):
    assert load_scenario(path).name


@pytest.mark.parametrize(("text", "pattern"), [
    ("name: x\nyears: 2025\n", r"s.yaml: unknown key 'years' \(did you mean 'start'\?\)|unknown key 'years'"),
    ("name: x\noverrides:\n  gdp_growth: 0.5\n", r"s.yaml: overrides.gdp_growth: parameter 'gdp_growth' = 0.5: "
                                                 r"out of range; allowed: 0.02 to 0.1 1/year"),
    ("name: x\noverrides:\n  gdp_grwth: 0.05\n", r"unknown parameter 'gdp_grwth' \(did you mean 'gdp_growth'\?\)"),
    ("name: x\nend: 2050\n", r"s.yaml: end = 2050: Input should be less than or equal to 2035"),
    ("name: x\nmethod: rk45\n", r"s.yaml: method = 'rk45'"),
    ("name: [x\n", r"s.yaml:\d+: not valid YAML"),
    ("- a\n- b\n", r"s.yaml: a scenario is a mapping"),
])
def test_scenario_errors_are_one_line(tmp_path, text, pattern):
    with pytest.raises(ConfigError, match=pattern) as info:
        load_scenario(write(tmp_path, text))
    assert "\n" not in str(info.value)


def test_regional_override_applies_to_the_leaves_of_a_parent(tmp_path):
    from dezsim.model.simulate import run

    scen = load_scenario(write(tmp_path, "name: x\noverrides:\n  dc_pue_cap: {suzhou: 1.2}\n"))
    res = run(scen, runs=2, seed=0)
    pue = res.select("dc_pue_new", year=2025).set_index(["run", "region"]).value
    assert (pue.xs("taicang", level="region") <= 1.2 + 1e-9).all()
    assert (pue.xs("wuxi", level="region") > 1.2).all()


def test_unknown_region_in_override_is_named(tmp_path):
    from dezsim.model.simulate import run

    scen = load_scenario(write(tmp_path, "name: x\noverrides:\n  dc_pue_cap: {suzhouu: 1.2}\n"))
    with pytest.raises(ConfigError, match=r"overrides.dc_pue_cap: 'suzhouu': unknown region \(did you mean 'suzhou'\?\)"):
        run(scen, runs=1)
