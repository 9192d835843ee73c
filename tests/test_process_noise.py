"""Process noise wired into the simulation: determinism, run-set invariance, the zero-sd limit equals noise off,
the simulated cross-region correlation of GDP shocks, 2020 totals kept by the drawn allocations, the switch."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from dezsim.model import params as P
from dezsim.model import process_noise
from dezsim.model.config import Scenario
from dezsim.model.coupling import AgentSettings
from dezsim.model.drift import DRIFTING
from dezsim.model.noise import SHOCKED
from dezsim.model.sd.initial import CONCENTRATION, derive
from dezsim.model.sd.model import Horizon
from dezsim.model.simulate import (calibrated_ensemble, draw_design, parameter_arrays, run, scenario_leaves,
                             simulate_design, simulate_raw)

SEED = 5
#: Results indicator of each seeded 2020 stock.
STOCK_INDICATOR = {"gdp": "gdp", "ei_manufacturing_revenue": "ei_manufacturing_revenue",
                   "software_revenue": "software_revenue", "g5_base_stations": "g5_base_stations",
                   "dc_racks": "dc_racks"}


def _design(dataset, runs, seed=SEED):
    return draw_design(runs, seed, ensemble=calibrated_ensemble(dataset)[0])


def _quiet(f, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return f(*args, **kw)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    keys = ["run", "region", "indicator", "year"]
    out = frame.assign(region=frame.region.astype(str), indicator=frame.indicator.astype(str))
    return out.sort_values(keys).reset_index(drop=True)[keys + ["value"]]


def test_noise_on_is_deterministic_and_differs_from_noise_off(dataset):
    design = _design(dataset, 3)
    base = Scenario(name="t", end=2023)
    a, b = (_quiet(simulate_design, base, design, SEED, dataset, AgentSettings()).frame for _ in range(2))
    pd.testing.assert_frame_equal(a, b)
    off = _quiet(simulate_design, base.model_copy(update={"noise": False}), design, SEED, dataset,
                 AgentSettings()).frame
    gdp = lambda f: f[(f.indicator == "gdp") & (f.region == "taicang") & (f.year == 2023)].value.to_numpy()  # noqa
    assert not np.allclose(gdp(a), gdp(off))


def test_run_k_alone_equals_run_k_in_a_larger_ensemble_and_in_a_smaller_region_set(dataset):
    design = _design(dataset, 5)
    scen = Scenario(name="t", end=2023)
    whole = _sorted(_quiet(simulate_design, scen, design, SEED, dataset, AgentSettings()).frame)
    alone = _sorted(_quiet(simulate_design, scen, design.iloc[[3]], SEED, dataset, AgentSettings()).frame)
    pd.testing.assert_frame_equal(alone, whole[whole.run == 3].reset_index(drop=True))
    suzhou = _sorted(_quiet(simulate_design, scen.model_copy(update={"regions": ["suzhou"]}), design.iloc[[3]], SEED,
                            dataset, None).frame)
    sd_whole = _sorted(_quiet(simulate_design, scen, design.iloc[[3]], SEED, dataset, None).frame)
    kept = sd_whole.merge(suzhou[["run", "region", "indicator", "year"]])
    pd.testing.assert_frame_equal(suzhou, kept)


def _zero_noise(design: pd.DataFrame) -> pd.DataFrame:
    out = design.copy()
    for rate in SHOCKED:
        out[f"{rate}_shock_sd"] = 0.0
    for rate in DRIFTING:
        out[f"{rate}_drift_sd"] = 0.0
    out["region_sd_city"] = out["region_sd_board"] = 0.0
    for name in set(CONCENTRATION.values()):
        out[name] = np.inf  # the limit of no allocation noise: the key shares
    return out


@pytest.mark.parametrize("agents", [None, AgentSettings()], ids=["sd", "coupled"])
def test_with_every_sd_zero_results_equal_noise_off_exactly(dataset, agents):
    design = _zero_noise(_design(dataset, 3))
    scen = Scenario(name="t", end=2023, regions=["suzhou"])
    on = simulate_design(scen, design, SEED, dataset, agents)
    off = simulate_design(scen.model_copy(update={"noise": False}), design, SEED, dataset, agents)
    pd.testing.assert_frame_equal(on.frame, off.frame, check_exact=True)
    cells = 3 * len(dataset.leaves("suzhou"))
    assert on.provenance["noise"] == {"on": True, "offsets_clipped": {k: 0 for k in on.provenance["noise"][
        "offsets_clipped"]}, "offset_cells": cells}


def _growth_deviations(dataset, runs: int, c: float, ratio: float) -> tuple[dict[str, np.ndarray], list[str]]:
    """Yearly log growth of non-core GDP (GDP - core value added, which grows at exactly growth + shock without
    agents) per leaf, minus each run's mean over the years (removing its parameters and persistent offsets)."""
    scen = Scenario(name="t", end=2026)
    # The drift's random walk is switched off: this checks the yearly shocks' correlation structure alone.
    design = _design(dataset, runs).assign(gdp_shock_common=c, board_shock_ratio=ratio, gdp_drift_sd=0.0)
    leaves = scenario_leaves(scen, dataset)
    horizon = Horizon(scen.start, scen.end, scen.steps_per_year, scen.method)
    noise = process_noise.draw(dataset, leaves, design, SEED, horizon.n_years)
    par = _quiet(parameter_arrays, design, scen, dataset, leaves, noise.offsets)
    par.pop("_offsets_clipped")
    raw = simulate_raw(par, dataset, leaves, design, SEED, horizon, None, None, noise)
    growth = np.diff(np.log(raw["gdp"] - raw["core_va"]), axis=-1)  # (run, leaf, year)
    dev = growth - growth.mean(axis=-1, keepdims=True)
    return {leaf: dev[:, i, :].ravel() for i, leaf in enumerate(leaves)}, leaves


def _within(r: float, expected: float, n: int) -> bool:
    """|r - expected| within 4 large-sample standard errors of a correlation, (1 - rho**2) / sqrt(n)."""
    return abs(r - expected) <= 4 * (1 - expected ** 2) / np.sqrt(n)


def test_simulated_gdp_growth_deviations_correlate_across_regions_as_declared(dataset):
    c, ratio = P.BY_NAME["gdp_shock_common"].default, P.BY_NAME["board_shock_ratio"].default
    runs, years = 400, 6
    dev, _ = _growth_deviations(dataset, runs, c, ratio)
    n = runs * (years - 1)  # one degree of freedom per run goes to its mean
    cities = np.corrcoef(dev["wuxi"], dev["rest_of_jiangsu"])[0, 1]
    boards = np.corrcoef(dev["kunshan"], dev["wujiang"])[0, 1]
    assert _within(cities, c, n), (cities, c)
    assert _within(boards, 1 / (1 + ratio ** 2), n), (boards, 1 / (1 + ratio ** 2))


def test_drawn_2020_allocations_keep_every_total_in_every_run(dataset):
    """Every parent's 2020 total is the sum of its leaves in every run, and a parent with a stated 2020 figure
    has the same total in every run as without allocation noise, while allocated stocks vary between runs."""
    on = _quiet(run, runs=12, seed=SEED, agents=None, data=dataset).frame
    off = _quiet(run, runs=12, seed=SEED, agents=None, data=dataset, noise=False).frame
    for seeded, indicator in STOCK_INDICATOR.items():
        rows = on[(on.year == 2020) & (on.indicator == indicator)].pivot(index="run", columns="region",
                                                                         values="value")
        fixed = off[(off.year == 2020) & (off.indicator == indicator)].groupby("region", observed=True).value.first()
        for parent in ("jiangsu", "suzhou"):
            kids = [k for k in dataset.children(parent) if k in rows.columns]
            np.testing.assert_allclose(rows[kids].sum(axis=1), rows[parent], rtol=1e-12)
            if derive(dataset, seeded).loc[parent, "how"].startswith("data"):  # stated: the same in every run
                np.testing.assert_allclose(rows[parent], fixed[parent], rtol=1e-12, err_msg=f"{indicator} {parent}")
            else:  # itself allocated: drawn, yet still the sum of its leaves (above)
                assert rows[parent].std() > 0
        if seeded != "gdp":  # every leaf's 2020 GDP is stated; the other stocks are split by a drawn key
            assert "allocated" in derive(dataset, seeded).loc["wuzhong", "how"]
            assert rows["wuzhong"].std() > 0, indicator


def test_a_scenario_override_of_a_growth_parameter_wins_over_the_offset(dataset):
    scen = Scenario(name="t", overrides={"gdp_growth": {"suzhou": 0.05}})
    design = _design(dataset, 4)
    leaves = scenario_leaves(scen, dataset)
    noise = process_noise.draw(dataset, leaves, design, SEED, 5)
    par = _quiet(parameter_arrays, design, scen, dataset, leaves, noise.offsets)
    in_suzhou = [leaves.index(leaf) for leaf in dataset.leaves("suzhou")]
    assert (par["gdp_growth"][:, in_suzhou] == 0.05).all()
    wuxi = leaves.index("wuxi")
    expected = np.clip(design.gdp_growth + noise.offsets["gdp_growth"][:, wuxi], *P.BY_NAME["gdp_growth"].bounds)
    np.testing.assert_array_equal(par["gdp_growth"][:, wuxi], expected)


def test_clipped_offsets_are_counted_never_warned_and_named_in_the_report(dataset):
    from dezsim.outputs.report import clipping_note

    scen = Scenario(name="t")
    design = _design(dataset, 3).assign(region_sd_city=P.BY_NAME["region_sd_city"].bounds[1] * 50)
    leaves = scenario_leaves(scen, dataset)
    noise = process_noise.draw(dataset, leaves, design, SEED, 5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a design choice the user cannot act on: counted, not warned
        par = parameter_arrays(design, scen, dataset, leaves, noise.offsets)
    assert par["_offsets_clipped"]["gdp_growth"] > 0
    # the report's caveat names how many cells were clipped, not only that some were
    cells = par["gdp_growth"].size
    note = clipping_note({"noise": {"on": True, "offsets_clipped": par["_offsets_clipped"], "offset_cells": cells}})
    assert f"gdp_growth {par['_offsets_clipped']['gdp_growth']:,}" in note and f"of {cells:,} (run, region)" in note
    assert clipping_note({"noise": {"on": True, "offsets_clipped": {"gdp_growth": 0}, "offset_cells": 9}}) is None
    lo, hi = P.BY_NAME["gdp_growth"].bounds
    assert par["gdp_growth"].min() >= lo and par["gdp_growth"].max() <= hi


def test_noise_switch_in_the_scenario_file_and_the_run_argument(dataset, tmp_path):
    from dezsim.model.config import load_scenario

    path = tmp_path / "quiet.yaml"
    path.write_text("name: quiet\nend: 2022\nnoise: false\n")
    assert load_scenario(path).noise is False
    a = run(path, runs=2, seed=SEED, agents=None, data=dataset).frame
    b = run(Scenario(name="quiet", end=2022), runs=2, seed=SEED, agents=None, data=dataset, noise=False).frame
    pd.testing.assert_frame_equal(a, b)


def test_with_noise_the_core_share_stays_a_share_over_the_calibrated_ensemble(dataset):
    """Shocks, offsets and drawn allocations keep the core-industry share in (0, 100) % in every region and year
    to the furthest horizon (tests/bad_inputs/test_invariants.py covers the SD core's whole parameter space)."""
    res = _quiet(simulate_design, Scenario(name="longest", end=2035), _design(dataset, 300), SEED, dataset, None)
    share = res.frame[res.frame.indicator == "core_industry_share_gdp"].value
    assert share.between(0, 100, inclusive="neither").all(), share.max()


def test_multiplicative_shocks_have_mean_one_so_calibrated_rates_stay_centred(dataset):
    """exp(shock) alone would raise a log-normal rate by exp(var / 2) on average (about +17 % a year for a
    board's adoption hazard); the multiplier is exp(shock - var / 2), whose mean is exactly 1. Checked on
    400 runs x 5 years per leaf within 4 standard errors of the sample mean."""
    design = _design(dataset, 400)
    leaves = dataset.leaves()
    noise = process_noise.draw(dataset, leaves, design, SEED, 5)
    for rate in ("adoption", "g5_build", "rack_build"):
        m = np.stack([noise.factor(rate, k) for k in range(5)], axis=-1)  # (run, leaf, year)
        board = leaves.index("taicang")
        values = m[:, board, :].ravel()
        se = values.std(ddof=1) / np.sqrt(values.size)
        assert abs(values.mean() - 1.0) < 4 * se, (rate, values.mean(), se)
        np.testing.assert_allclose(noise.factor(rate, 0), np.exp(noise.shocks[rate][:, :, 0]
                                                                 - noise.log_var[rate] / 2))
    np.testing.assert_allclose(noise.hazard_multiplier(2), noise.factor("adoption", 2))
