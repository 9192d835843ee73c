"""Parameter declarations: units parse, defaults sit in bounds, data-based defaults agree with data/."""

from __future__ import annotations

import math

import numpy as np
import pint
import pytest

from dezsim.base.errors import ConfigError
from dezsim.data.history import load_series
from dezsim.data.history_infra import load_infrastructure_history
from dezsim.model import derived_params as D
from dezsim.model import params as P
from dezsim.targets import outside_params as O


@pytest.fixture(scope="module")
def ureg():
    reg = pint.UnitRegistry()
    reg.define("yuan = [currency_cny]")
    return reg


#: Every declaration table: the model's parameters, the derived indicators' and the outside view's constants.
TABLES = {"params": P.PARAMS, "derived_params": D.PARAMS, "outside_params": O.CONSTANTS}


@pytest.mark.parametrize("table", TABLES)
def test_every_parameter_unit_parses_with_pint(ureg, table):
    for p in TABLES[table]:
        assert ureg.parse_expression(p.unit).magnitude > 0, p.name  # "1e8 * yuan" carries a scale


@pytest.mark.parametrize("table", TABLES)
def test_declarations_are_complete(table):
    names = [p.name for p in TABLES[table]]
    assert len(names) == len(set(names))
    for p in TABLES[table]:
        assert p.bounds[0] <= p.default <= p.bounds[1], p.name
        assert p.source and p.doc and p.group, p.name


def test_sd_equations_use_exactly_the_declared_parameters():
    from dezsim.model.sd import equations as eq

    declared = {p.name for p in P.SD_PARAMS}
    assert set(eq.P) <= declared
    # the rest are used by the vintage block or the initial state in dezsim.model.sd.model
    assert declared - set(eq.P) == {"dc_pue_existing", "dc_it_load_2020", "dc_density_growth",
                                    "dc_utilisation", "oc_relative_size"}


def test_agent_and_policy_parameters_are_declared_too():
    groups = {p.group for p in P.PARAMS}
    assert {"agents", "policy"} <= groups


def test_data_based_defaults_match_their_figures(dataset):
    fig = dataset.figures.set_index("id")
    cagr = (fig.loc["pub-005", "value"] / fig.loc["pub-044", "value"]) ** (1 / 4) - 1
    assert P.BY_NAME["gdp_growth"].default == pytest.approx(math.log1p(cagr), abs=0.005)
    assert P.BY_NAME["ei_trend_growth"].default == pytest.approx(math.log1p(fig.loc["s003-004", "value"] / 100), abs=0.005)
    assert P.BY_NAME["sw_trend_growth"].default == pytest.approx(math.log1p(fig.loc["s003-005", "value"] / 100), abs=0.005)
    g5 = P.BY_NAME["g5_ceiling_per_gdp"]  # pre-2021 evidence only (data/history), never the 2025 target
    infra = load_infrastructure_history().set_index("id").value
    jiangsu_gdp = load_series().set_index("id").value["h-080"]
    plan = infra["ia-016"] / jiangsu_gdp  # Jiangsu's March-2020 plan for urban areas, per 2020 GDP
    assert g5.default == pytest.approx(1.15 * plan, rel=1e-2)
    assert g5.bounds[0] == pytest.approx(0.8 * plan, rel=2e-2)
    assert g5.bounds[1] == pytest.approx(infra["ia-009"] / jiangsu_gdp, rel=1e-2)  # the whole 4G grid
    v = fig["value"]
    assert P.BY_NAME["firms_per_gdp"].default == pytest.approx(v["pub-008"] / v["pub-006"], rel=1e-3)
    assert P.BY_NAME["firm_size_mean"].default == pytest.approx(v["s001a-059"] / v["pub-008"], rel=1e-3)
    assert P.BY_NAME["smes_per_above_scale"].default == pytest.approx((v["s004-006"] - v["s004-007"]) / v["s004-007"],
                                                                      rel=0.01)
    assert P.BY_NAME["cloud_recognition"].default == pytest.approx(v["s001a-118"] / v["s001a-119"], rel=0.01)


def test_draws_stay_in_bounds():
    rng = np.random.default_rng(0)
    for p in P.PARAMS:
        x = p.draw(rng, 500)
        assert (x >= p.bounds[0]).all() and (x <= p.bounds[1]).all(), p.name


def test_bad_values_and_names_are_rejected_with_range_and_unit():
    with pytest.raises(ConfigError, match=r"parameter 'gdp_growth' = 0.5: out of range; allowed: 0.02 to 0.1 1/year"):
        P.BY_NAME["gdp_growth"].check(0.5)
    with pytest.raises(ConfigError, match=r"unknown parameter 'gdp_grwth' \(did you mean 'gdp_growth'\?\)"):
        P.get("gdp_grwth")


def test_no_name_is_declared_in_two_tables():
    names = [p.name for table in TABLES.values() for p in table]
    assert len(names) == len(set(names))
