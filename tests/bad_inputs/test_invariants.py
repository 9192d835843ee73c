"""Allowed inputs give possible outputs: the core-industry share of GDP stays in [0, 100] % for every
admissible parameter combination (corners of the joint bounds included), in every region and year.

The cause of the old violation (3 of 40 random corners of the bounds gave shares above 100 %, e.g. 116 % in
Wuzhong): GDP grew on its own rate while core value added grew on the sectors' trend rates plus demand, so
nothing tied the two. Now GDP contains core value added (dezsim/model/sd/equations.py), which keeps the share below
100 % structurally rather than by narrowing bounds.
"""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dezsim.base.errors import ConfigError
from dezsim.model import params as P
from dezsim.model.config import Scenario, load_scenario
from dezsim.model.simulate import simulate_design

from .helpers import one_line_error

#: The furthest horizon a scenario may ask for. Process noise is off: these are invariants of the SD core over
#: its parameter space (with noise, tests/test_process_noise.py checks the share over the calibrated ensemble).
LONGEST = Scenario(name="longest", end=2035, noise=False)


def admissible(p: P.Param) -> st.SearchStrategy[float]:
    """A value inside the bounds, with the corners (where violations live) drawn often."""
    lo, hi = p.bounds
    return st.one_of(st.sampled_from([lo, hi]), st.floats(lo, hi, allow_nan=False))


combination = st.fixed_dictionaries({p.name: admissible(p) for p in P.PARAMS})


def shares(rows: list[dict], dataset, agents=None, scen: Scenario = LONGEST) -> pd.DataFrame:
    design = pd.DataFrame([{"run": k, "seed": 0, **row} for k, row in enumerate(rows)])
    res = simulate_design(scen, design, 0, dataset, agents)
    return res.frame[res.frame.indicator == "core_industry_share_gdp"]


@settings(max_examples=30)
@given(rows=st.lists(combination, min_size=1, max_size=8))
def test_core_share_is_a_share_for_every_admissible_combination(dataset, rows):
    s = shares(rows, dataset)
    assert s.value.between(0, 100, inclusive="neither").all(), s.loc[s.value.idxmax()].to_dict()
    assert s.region.nunique() == 14 and s.year.max() == 2035


def test_the_random_corners_that_once_passed_100_percent_now_stay_below(dataset):
    rng = np.random.default_rng(0)
    rows = [{p.name: p.bounds[int(rng.integers(2))] for p in P.PARAMS} for _ in range(200)]
    s = shares(rows, dataset)
    assert s.value.max() < 100 and s.value.min() > 0


def test_the_share_stays_below_100_with_the_agents_coupled(dataset):
    from dezsim.model.coupling import AgentSettings

    rng = np.random.default_rng(1)
    rows = [{p.name: p.bounds[int(rng.integers(2))] for p in P.PARAMS} for _ in range(6)]
    s = shares(rows, dataset, AgentSettings(), Scenario(name="coupled", end=2030, noise=False))
    assert s.value.between(0, 100, inclusive="neither").all()


def test_gdp_outside_the_core_grows_at_the_nominal_rate(dataset):
    """The structural relation itself: GDP minus core value added follows exp((growth + shock) t)."""
    row = P.defaults() | {"gdp_growth": 0.05, "gdp_growth_shock": -0.15, "oc_trend_growth": 0.18}
    design = pd.DataFrame([{"run": 0, "seed": 0, **row}])
    f = simulate_design(Scenario(name="x", end=2030, noise=False), design, 0, dataset, None).frame
    wide = f[f.region == "gusu"].pivot_table(index="year", columns="indicator", values="value")
    rest = wide.gdp - wide.core_industry_va
    years = rest.index.to_numpy() - 2020
    np.testing.assert_allclose(rest.to_numpy(), rest.iloc[0] * np.exp(-0.10 * years), rtol=1e-8)


@pytest.mark.parametrize("text", [
    "name: a\nschedules:\n  ei_va_ratio: {2023: 0.25}\n",
    "name: a\nshocks:\n  - {name: s, parameter: oc_relative_size, years: [2022], value: 0.5}\n"])
def test_value_added_ratios_cannot_change_mid_run(tmp_path, text):
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"fixed from 2020 \(GDP contains the value added it sets\); allowed: "
                                          r"an override"):
        load_scenario(path)


def test_data_making_2020_core_value_added_exceed_gdp_are_one_line(data_copy, monkeypatch):
    """Revenue far above GDP (possible in a data typo) would start the core share above 100 %: refused."""
    path = data_copy / "figures" / "public_to_2020.csv"
    with path.open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerow(
            ["pub-999", "taicang", "ei_manufacturing_revenue", "100m_yuan", "2020", "9000", "", "=", "baseline",
             "flow", "", "", "", "https://example.org/taicang", "9000", "test row"])
    with (data_copy / "sources.csv").open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerow(["https://example.org/taicang", "url", "test"])
    import dezsim.model.simulate

    monkeypatch.setenv("DEZSIM_DATA", str(data_copy))
    dezsim.model.simulate._data.cache_clear()
    try:
        one_line_error(["run", "--runs", "20", "--no-agents", "--set", "overrides.ei_va_ratio=0.25"],
                       r"run \d+, region taicang: core value added at the origin [\d.]+ >= GDP 1386.0?9? \(100m yuan\) "
                       r"with ei_va_ratio 0.25, .*allowed: a core share below 100 % at the origin")
    finally:
        dezsim.model.simulate._data.cache_clear()
