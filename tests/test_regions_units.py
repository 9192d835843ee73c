"""The region tree is a tree, and every unit and indicator is well declared."""

from __future__ import annotations

import pint
import pytest

from dezsim.data.dataset import GROWTH_UNITS


def test_region_tree_is_a_tree(dataset):
    regions = dataset.regions.set_index("code")
    for code in regions.index:  # every chain of parents ends at a root without revisiting a node
        seen, node = set(), code
        while node is not None:
            assert node not in seen, f"cycle through {node}"
            seen.add(node)
            parent = regions.loc[node, "parent"]
            node = parent if isinstance(parent, str) else None
    roots = regions[regions.parent.isna() & regions.modelled]
    assert roots.index.tolist() == ["jiangsu"]


def test_required_region_codes_and_boards(dataset):
    assert set(dataset.children("jiangsu")) == {"suzhou", "wuxi", "rest_of_jiangsu"}
    assert set(dataset.children("suzhou")) == {
        "zhangjiagang", "changshu", "taicang", "kunshan", "wujiang", "wuzhong", "xiangcheng", "gusu",
        "suzhou_sip", "suzhou_snd"}
    assert len(dataset.leaves()) == 12


@pytest.fixture(scope="module")
def ureg():
    reg = pint.UnitRegistry()
    # Units pint lacks; everything else in data/units.csv must parse as pint ships it.
    reg.define("yuan = [currency_cny]")
    reg.define("usd = [currency_usd]")
    reg.define("tce = [coal_equivalent]")
    reg.define("flop = [computation]")
    return reg


def test_every_unit_parses_with_pint(dataset, ureg):
    for row in dataset.units.itertuples():
        quantity = ureg.Quantity(1, "dimensionless") * ureg(row.pint)
        assert quantity.magnitude > 0, row.code


def test_required_units_and_indicators_exist(dataset):
    assert {"100m_yuan", "pct", "pct_per_year", "count", "ratio", "gwh"} <= set(dataset.units.code)
    required = {"gdp", "core_industry_va", "core_industry_share_gdp", "ei_manufacturing_revenue",
                "software_revenue", "g5_base_stations", "g5_coverage", "dc_racks", "dc_pue_new", "dc_pue_fleet",
                "dc_energy", "above_scale_firms", "upgraded_firms_share", "upgrade_projects", "smart_workshops",
                "smart_factories", "cloud_star_firms", "invention_patents_digital", "pct_applications"}
    assert required <= set(dataset.indicators.name)
    assert set(GROWTH_UNITS) <= set(dataset.units.code)


def test_indicator_names_are_snake_case_and_described(dataset):
    ind = dataset.indicators
    assert ind.name.str.fullmatch(r"[a-z][a-z0-9_]*").all()
    assert (ind.description.str.len() > 10).all()
