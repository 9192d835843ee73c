"""Process noise and regional offsets: declared variances and correlations, determinism, chunk invariance,
and declared defaults that agree with the pre-2021 evidence they cite."""

from __future__ import annotations

import numpy as np
import pytest

from dezsim.base.errors import ConfigError
from dezsim.model import noise, noise_evidence as ev, params as P, regions_effects as R

YEARS = list(range(2021, 2026))
SE = 4.0  # tolerances below are 4 standard errors of the sampling statistic


@pytest.fixture(scope="module")
def tree(dataset):
    return noise.tree_from_data(dataset)


@pytest.fixture(scope="module")
def big(tree):
    """4000 runs x 5 years = 20000 independent draws per leaf (years and runs are independent)."""
    return noise.draw_shocks(7, range(4000), tree, YEARS, **noise.shock_settings(P.defaults()))


def _flat(x: np.ndarray, leaf: int) -> np.ndarray:
    return x[:, leaf, :].ravel()


def test_tree_has_boards_below_suzhou_and_city_leaves(tree):
    i, w = tree.leaves.index("kunshan"), tree.leaves.index("wuxi")
    assert tree.chains[i] == ("suzhou", "jiangsu") and tree.is_board(i)
    assert tree.city_of(w) == "wuxi" and not tree.is_board(w)


@pytest.mark.parametrize("rate", ["gdp", "g5_build"])
def test_variances_and_correlations_match_the_declared_structure(big, tree, rate):
    d = P.defaults()
    sd, c, r = d[f"{rate}_shock_sd"], d[f"{rate}_shock_common"], d["board_shock_ratio"]
    x = big[rate]
    n = x.shape[0] * x.shape[2]
    wuxi, rest = tree.leaves.index("wuxi"), tree.leaves.index("rest_of_jiangsu")
    kun, tai = tree.leaves.index("kunshan"), tree.leaves.index("taicang")
    for leaf, var in ((wuxi, sd ** 2), (kun, sd ** 2 * (1 + r ** 2))):
        assert np.var(_flat(x, leaf)) == pytest.approx(var, rel=SE * np.sqrt(2 / n))
        assert abs(np.mean(_flat(x, leaf))) < SE * np.sqrt(var / n)
    for a, b, rho in ((wuxi, rest, c), (kun, tai, 1 / (1 + r ** 2)), (kun, wuxi, c / np.sqrt(1 + r ** 2))):
        got = np.corrcoef(_flat(x, a), _flat(x, b))[0, 1]
        assert got == pytest.approx(rho, abs=SE * (1 - rho ** 2) / np.sqrt(n))


def test_years_are_uncorrelated(big, tree):
    x = big["gdp"][:, tree.leaves.index("wuxi"), :]
    got = np.corrcoef(x[:, 0], x[:, 1])[0, 1]
    assert abs(got) < SE / np.sqrt(x.shape[0])


def test_same_seed_same_shocks_other_seed_other_shocks(tree):
    kw = noise.shock_settings(P.defaults())
    a, b = (noise.draw_shocks(3, range(5), tree, YEARS, **kw) for _ in range(2))
    c = noise.draw_shocks(4, range(5), tree, YEARS, **kw)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.allclose(a["gdp"], c["gdp"])


def test_run_shocks_do_not_depend_on_the_chunk_or_the_rates_requested(tree):
    kw = noise.shock_settings(P.defaults())
    whole = noise.draw_shocks(11, range(10), tree, YEARS, **kw)
    chunk = noise.draw_shocks(11, [7, 3], tree, YEARS, **kw)
    for k in whole:
        assert np.array_equal(chunk[k][0], whole[k][7]) and np.array_equal(chunk[k][1], whole[k][3])
    only = noise.draw_shocks(11, [3], tree, YEARS, sds={"sw": kw["sds"]["sw"]}, common={"sw": kw["common"]["sw"]},
                             board_ratio=kw["board_ratio"])
    assert set(only) == {"sw"} and np.array_equal(only["sw"][0], whole["sw"][3])


def test_per_run_sds_scale_each_run(tree):
    kw = noise.shock_settings(P.defaults())
    base = noise.draw_shocks(0, [0, 1], tree, YEARS, **kw)
    kw["sds"]["gdp"] = np.array([kw["sds"]["gdp"], 2 * kw["sds"]["gdp"]])
    scaled = noise.draw_shocks(0, [0, 1], tree, YEARS, **kw)
    assert np.allclose(scaled["gdp"][0], base["gdp"][0]) and np.allclose(scaled["gdp"][1], 2 * base["gdp"][1])


@pytest.mark.parametrize("change", [{"common": {"gdp": 1.5}}, {"sds": {"nope": 0.1}}, {"board_ratio": -1.0}])
def test_bad_settings_raise_one_line_config_errors(tree, change):
    kw = {"sds": {"gdp": 0.01}, "common": {"gdp": 0.9}, "board_ratio": 1.0}
    kw.update(change)
    if "sds" in change:
        kw["common"] = {"nope": 0.9}
    with pytest.raises(ConfigError, match="allowed"):
        noise.draw_shocks(0, [0], tree, YEARS, **kw)


def test_region_offsets_have_the_declared_spread_and_are_chunk_invariant(tree):
    d = P.defaults()
    o = R.draw_region_offsets(5, range(20000), tree, **R.offset_settings(d))
    n, city, board, ratio = 20000, d["region_sd_city"], d["region_sd_board"], d["region_core_ratio"]
    wuxi, kun, tai = (tree.leaves.index(x) for x in ("wuxi", "kunshan", "taicang"))
    g = o["gdp_growth"]
    assert np.var(g[:, wuxi]) == pytest.approx(city ** 2, rel=SE * np.sqrt(2 / n))
    assert np.var(g[:, kun]) == pytest.approx(city ** 2 + board ** 2, rel=SE * np.sqrt(2 / n))
    rho = city ** 2 / (city ** 2 + board ** 2)
    assert np.corrcoef(g[:, kun], g[:, tai])[0, 1] == pytest.approx(rho, abs=SE * (1 - rho ** 2) / np.sqrt(n))
    assert abs(np.corrcoef(g[:, kun], g[:, wuxi])[0, 1]) < SE / np.sqrt(n)
    assert np.std(o["ei_trend_growth"][:, kun]) == pytest.approx(ratio * np.std(g[:, kun]), rel=SE / np.sqrt(n))
    chunk = R.draw_region_offsets(5, [19999, 2], tree, **R.offset_settings(d))
    assert np.array_equal(chunk["sw_trend_growth"][0], o["sw_trend_growth"][19999])
    assert np.array_equal(chunk["gdp_growth"][1], o["gdp_growth"][2])


def test_declared_noise_defaults_agree_with_the_history_they_cite():
    d, b = P.BY_NAME, ev.board_spread_evidence()
    gdp = ev.gdp_shock_evidence()
    assert gdp["city_real_detrended_sd"] / 100 <= d["gdp_shock_sd"].default <= gdp["china_nominal_detrended_sd"] / 100
    lo, hi = d["gdp_shock_common"].bounds
    assert all(lo <= gdp[k] <= hi for k in ("corr_suzhou_china", "corr_jiangsu_china", "corr_suzhou_china_to_2019"))
    city_sd = 100 * d["gdp_shock_sd"].default
    year_2020 = np.sqrt(b["same_year_sd_2020_real"] ** 2 - b["board_persistent_sd"] ** 2)  # yearly part, 2020
    assert year_2020 / city_sd <= d["board_shock_ratio"].default <= b["board_yearly_sd"] / city_sd
    assert d["region_sd_board"].default == pytest.approx(b["board_persistent_sd"] / 100, abs=0.001)
    assert d["region_sd_city"].bounds[0] <= ev.city_spread_evidence()["city_mean_gap_sd"] / 100 <= d["region_sd_city"].default
    assert d["g5_build_shock_sd"].bounds[1] == pytest.approx(ev.build_attainment_evidence()["log_ratio_sd"], rel=0.05)
    assert d["sw_shock_sd"].default == pytest.approx(ev.software_shock_evidence()["china_sw_detrended_sd"] / 100,
                                                     abs=0.002)
    assert d["adoption_shock_sd"].bounds[1] >= ev.workshop_evidence()["log_change"]
    to_2019, to_2020 = ev.drift_evidence(last_year=2019), ev.drift_evidence()
    assert to_2019["gdp_real_drift_sd"] / 100 <= d["gdp_drift_sd"].default <= to_2020["gdp_real_drift_sd"] / 100
    sw = sorted([to_2019["sw_drift_sd"] / 100, to_2020["sw_drift_sd"] / 100])
    lo, hi = d["sw_drift_sd"].bounds
    assert d["sw_drift_sd"].default < sw[0] and lo < sw[0] and sw[1] <= hi  # mode below the single national series
