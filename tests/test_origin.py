"""The origin as a setting: a run from an earlier year-end starts from that year's published levels, is fitted on
figures up to it only, simulates its economic core only, fences the other views at it, and updates on the figures
published since (synthetic truth and the 13th Five-Year period's own figures)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import dezsim
from dezsim.base.errors import ConfigError, DataError
from dezsim.calibration.origin_groups import calibrate_at, origin_groups
from dezsim.data.loader import load
from dezsim.data.observations import read_observed
from dezsim.model.calibration_store import load_ensemble, origin_folder
from dezsim.model.config import Scenario
from dezsim.model.origin import BASE_ORIGIN, EARLY_INDICATORS, ORIGINS
from dezsim.model.sd.initial import available_origins, derive, initial_table, published_levels
from dezsim.model.sd.outputs import INDICATORS
from dezsim.targets import update as U
from dezsim.targets.backtest import fenced_pool
from dezsim.targets.outside_view import fenced, outside_and_indicator_table

ORIGIN = 2017
JIANGSU_TREE = ["jiangsu", "suzhou", "wuxi"]


def early(start=ORIGIN, end=2020, regions=("jiangsu",), **kw) -> Scenario:
    return Scenario(name=f"from{start}", start=start, end=end, regions=list(regions), **kw)


def test_the_stocks_at_an_origin_are_its_published_levels(dataset):
    gdp = derive(dataset, "gdp", year=ORIGIN)
    levels = published_levels(dataset)
    at = levels[(levels.indicator == "gdp") & (levels.year == ORIGIN)]
    for region in JIANGSU_TREE:
        assert gdp.loc[region, "value"] == pytest.approx(at[at.region == region].value.mean())
    # every split sums to its parent and is positive
    for parent in ("jiangsu", "suzhou"):
        kids = dataset.children(parent)
        assert gdp.loc[kids, "value"].sum() == pytest.approx(gdp.loc[parent, "value"])
        assert (gdp.loc[kids, "value"] > 0).all()
    assert gdp.loc["taicang", "how"].startswith("allocated by 2013 GDP")  # the latest year with every board


def test_an_early_origin_reads_no_figure_of_a_later_year(data_copy):
    """Every level after the origin (history and data/figures) is changed by half: the origin's stocks and its
    calibration do not move."""
    before = load(data_copy)
    stocks = initial_table(before, before.leaves("jiangsu"), ORIGIN).copy()
    moments = {m.name: m.target for g in origin_groups(before, ORIGIN) for m in g.moments}
    for name in ("history/series_to_2020.csv", "figures/public_to_2020.csv"):
        path = data_copy / name
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        later = (table.year.astype(int) > ORIGIN) & (table.kind.isin(["level", "baseline"]))
        later &= table.value != ""
        table.loc[later, "value"] = (table.loc[later, "value"].astype(float) * 1.5).map(repr)
        table.to_csv(path, index=False)
    after = load(data_copy)
    pd.testing.assert_frame_equal(initial_table(after, after.leaves("jiangsu"), ORIGIN), stocks)
    assert {m.name: m.target for g in origin_groups(after, ORIGIN) for m in g.moments} == moments
    # ... while the 2020 stocks do read them
    assert not initial_table(after, after.leaves("jiangsu")).equals(initial_table(before, before.leaves("jiangsu")))


def test_an_early_origin_simulates_its_economic_core_only(dataset):
    res = dezsim.run(early(), runs=6, seed=3, data=dataset)  # the default asks for agents: left out, and said so
    assert set(res.frame.indicator.unique()) <= set(EARLY_INDICATORS) and "gdp" in set(res.frame.indicator)
    assert sorted(res.frame.year.unique()) == list(range(ORIGIN, 2021))
    assert res.provenance["origin"] == ORIGIN and "agents_left_out" in res.provenance
    first = res.frame[(res.frame.year == ORIGIN) & (res.frame.indicator == "gdp")]
    for region in JIANGSU_TREE:  # the provinces and cities start at their stated levels in every run
        assert first[first.region == region].value.to_numpy() == pytest.approx(
            derive(dataset, "gdp", year=ORIGIN).loc[region, "value"])
    f = res.frame[res.frame.indicator == "gdp"]
    assert np.isfinite(f.value).all() and (f.value > 0).all()
    again = dezsim.run(early(), runs=6, seed=3, data=dataset)
    pd.testing.assert_frame_equal(res.frame, again.frame)


@pytest.mark.parametrize("origin", [y for y in ORIGINS if y != BASE_ORIGIN])
def test_every_origin_the_data_allow_runs_and_grows(dataset, origin):
    regions = ["jiangsu"] if not available_origins(dataset, ("jiangsu",))[origin] else ["suzhou"]
    res = dezsim.run(early(origin, regions=regions), runs=8, seed=1, agents=None, data=dataset)
    g = res.frame[(res.frame.indicator == "gdp") & (res.frame.region == regions[0])]
    start, end = (g[g.year == y].value.to_numpy() for y in (origin, 2020))
    assert (end > start).mean() > 0.5  # nominal GDP grows in most runs
    assert np.isfinite(end).all() and (end > 0).all()


def test_a_start_the_data_cannot_split_is_one_line(dataset):
    with pytest.raises(ConfigError, match=r"start = 2016 for regions \['jiangsu'\]: .*wuxi.*; allowed: start = "
                                          r"2017, 2018, 2019, 2020$"):
        dezsim.run(early(2016), runs=2, agents=None, data=dataset)
    with pytest.raises(DataError, match=r"no 2016 level of 'software_revenue' for 'jiangsu'.*allowed: an origin "
                                        r"with one \(2015, 2018, 2020\)"):
        derive(dataset, "software_revenue", year=2016)


def test_an_origin_outside_the_range_and_a_coupled_early_run_fail_in_one_line(dataset):
    from dezsim.cli.common import with_origin

    with pytest.raises(ConfigError, match=r"baseline with --origin 2014: start = 2014: .*2015"):
        with_origin(None, 2014)
    from dezsim.model import simulate as S
    from dezsim.model.coupling import AgentSettings

    scen = early()
    design = S.draw_design(2, 0)
    with pytest.raises(ConfigError, match=r"start = 2017: the agents start from the end-2020 recognised lists"):
        S.simulate_design(scen, design, 0, dataset, AgentSettings())


def test_each_origin_has_its_own_calibration_fitted_up_to_it(dataset):
    for origin in (2015, 2017, 2018, 2019):
        stored = load_ensemble(origin_folder(origin))
        assert stored is not None, origin
        ensemble, manifest = stored
        assert manifest["origin"] == origin and manifest["cutoff_year"] == origin
        assert manifest["data_hash"] == dataset.digest  # re-run `dezsim calibrate --origin` after a data change
        levels = published_levels(dataset).set_index("id")
        for group in manifest["groups"].values():
            for moment in group["moments"]:
                assert all(int(levels.loc[fid, "year"]) <= origin for fid in moment["figures"])
        fresh, _ = calibrate_at(dataset, origin)
        pd.testing.assert_frame_equal(fresh, ensemble, check_dtype=False)  # the stored one is this code's
    assert "sw_trend_growth" in load_ensemble(origin_folder(2018))[1]["fitted"]  # 2015 -> 2018 levels


def test_the_base_calibration_is_refused_for_an_early_origin(tmp_path, monkeypatch, dataset):
    import shutil

    from dezsim.model.calibration_store import default_root
    from dezsim.model.simulate import calibrated_ensemble

    root = tmp_path / "calibration"
    shutil.copytree(default_root(), root)
    shutil.copy(root / "ensemble.json", root / "origins" / "2017" / "ensemble.json")
    shutil.copy(root / "ensemble.parquet", root / "origins" / "2017" / "ensemble.parquet")
    monkeypatch.setenv("DEZSIM_CALIBRATION", str(root))
    with pytest.raises(ConfigError, match=r"of origin 2017: fitted at origin 2020; allowed: the calibration of "
                                          r"origin 2017"):
        calibrated_ensemble(dataset, 2017)


def test_views_from_an_early_origin_are_fenced_at_it(dataset):
    from dezsim.data import reference_targets as rt

    ref = rt.load(quotes=False)
    known = fenced(ref, ORIGIN)
    assert (known.targets.target_year <= ORIGIN).all() and len(known.targets) < len(ref.targets)
    assert (known.targets.outcome_year.dropna() <= ORIGIN).all()
    table = outside_and_indicator_table(dataset, 0, ORIGIN)
    assert table.p_indicator.isna().all() and table.p_outside.between(0, 1).all()
    assert not np.allclose(table.p_outside, outside_and_indicator_table(dataset, 0).p_outside)
    pool = fenced_pool(dataset, 2016)  # no past target of a modelled region was known by then
    assert (pool.intercept, pool.outside, pool.inside, pool.targets) == (0.0, 1.0, 0.0, 0)
    assert fenced_pool(dataset, 2019).targets < json.loads(
        (origin_folder(BASE_ORIGIN) / "backtest_targets.json").read_text())["targets"]


def test_observed_figures_must_follow_the_origin(tmp_path, dataset):
    path = tmp_path / "obs.csv"
    path.write_text("region,indicator,unit,year,value\nsuzhou,gdp,100m_yuan,2018,18600\n", encoding="utf-8")
    assert len(read_observed(path, dataset, set(INDICATORS), ORIGIN)) == 1
    with pytest.raises(DataError, match=r"obs.csv:2: column 'year' = '2018': out of range; allowed: 2021 to 2035"):
        read_observed(path, dataset, set(INDICATORS))
    path.write_text("region,indicator,unit,year,value\nsuzhou,gdp,100m_yuan,2017,17300\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"column 'year' = '2017': out of range; allowed: 2018 to 2035"):
        read_observed(path, dataset, set(INDICATORS), ORIGIN)


def test_the_update_from_2017_moves_p_toward_the_synthetic_truth(dataset):
    """Truths: runs of another seed from 2017; observed: their 2018-2019 GDP (rounded-figure error drawn);
    targets: each region's 2020 GDP at or above the prior median (so the prior p is about one half)."""
    prior = dezsim.run(early(), runs=1500, seed=0, agents=None, data=dataset)
    truths = dezsim.run(early(), runs=12, seed=11, agents=None, data=dataset)
    pf, tf = prior.frame, truths.frame
    runs = np.sort(pf.run.unique())
    final = {r: pf[(pf.indicator == "gdp") & (pf.region == r) & (pf.year == 2020)].set_index("run").value
             .reindex(runs).to_numpy() for r in JIANGSU_TREE}
    thresholds = {r: float(np.median(v)) for r, v in final.items()}
    met = np.column_stack([final[r] >= thresholds[r] for r in JIANGSU_TREE]).astype(float)
    p0 = met.mean(axis=0)
    rng = np.random.default_rng(5)
    brier0, brier1, toward = [], [], []
    for run in sorted(tf.run.unique()):
        one = tf[(tf.run == run) & (tf.indicator == "gdp")]
        obs = pd.DataFrame([{"region": r, "indicator": "gdp", "unit": "100m_yuan", "year": y, "qualifier": "about",
                             "value": float(one[(one.region == r) & (one.year == y)].value.iloc[0])
                             * np.exp(rng.normal(0.0, U.error_of("about")))}
                            for r in JIANGSU_TREE for y in (2018, 2019)])
        outcome = np.array([float(one[(one.region == r) & (one.year == 2020)].value.iloc[0]) >= thresholds[r]
                            for r in JIANGSU_TREE], dtype=float)
        p1 = U.condition(prior, obs).weights @ met
        brier0.append(np.mean((p0 - outcome) ** 2))
        brier1.append(np.mean((p1 - outcome) ** 2))
        toward.append(np.mean(np.abs(p1 - outcome) < np.abs(p0 - outcome)))
    assert np.mean(brier1) < np.mean(brier0)
    assert np.mean(toward) > 0.5


def test_the_update_on_the_13th_five_year_period_moves_toward_the_outcome(dataset):
    """Real figures, not a property of the method: from end-2017, Jiangsu's published 2018-2019 levels must move
    P(GDP 2020 >= 10 trillion yuan, rt-062, met) toward its outcome. It fails if the model's GDP path or the
    update mislead on the one period where the answer is known."""
    from dezsim.targets.midterm_backtest import midterm

    rows = midterm(dataset, runs=1000).set_index(["id", "origin"])
    row = rows.loc[("rt-062", ORIGIN)]
    assert row.observed >= 4 and row.effective_runs >= U.MIN_EFFECTIVE_RUNS
    assert 0 < row.p_before < 1 and 0 < row.p_after < 1
    assert abs(row.p_after - row.met) < abs(row.p_before - row.met)


def test_the_hindcast_from_an_early_origin_compares_with_a_naive_trend_from_it(dataset):
    from dezsim.calibration.hindcast import compare, naive_forecast

    obs = pd.DataFrame([{"region": "suzhou", "indicator": "gdp", "unit": "100m_yuan", "year": 2019, "value": 19235.8,
                         "qualifier": None}])
    res = dezsim.run(early(), runs=20, seed=0, agents=None, data=dataset)
    rows, summary = compare(obs, res, dataset)
    levels = published_levels(dataset)
    s = levels[(levels.region == "suzhou") & (levels.indicator == "gdp")].groupby("year").value.mean()
    first = int(s.loc[ORIGIN - 5:ORIGIN - 2].index.min())
    expected = s[ORIGIN] * (s[ORIGIN] / s[first]) ** ((2019 - ORIGIN) / (ORIGIN - first))
    assert rows.naive.iloc[0] == pytest.approx(expected)
    assert naive_forecast(dataset, "suzhou", "gdp", 2019) != pytest.approx(expected)  # from 2020: another trend
    assert summary["rows"] == 1 and np.isfinite(rows["median"].iloc[0])


def test_the_commands_take_an_origin(tmp_path):
    from typer.testing import CliRunner

    from dezsim.cli import app
    from dezsim.resources import scenarios_root

    runner = CliRunner()
    done = runner.invoke(app, ["run", "--origin", "2017", "--runs", "5"])
    assert done.exit_code == 0, done.output
    assert "gdp / jiangsu" in done.output and "2017" in done.output
    bad = runner.invoke(app, ["run", "--origin", "2016", "--runs", "5"])
    assert bad.exit_code == 2 and bad.output.count("\n") == 1 and bad.output.startswith("error: ")
    assert bad.output.rstrip().endswith("allowed: start = 2017, 2018, 2019, 2020")
    scens = [str(scenarios_root() / n) for n in ("baseline.yaml", "demand_shock_2022.yaml")]
    cmp = runner.invoke(app, ["compare", *scens, "--origin", "2017", "--runs", "4", "--out", str(tmp_path / "c")])
    assert cmp.exit_code == 0, cmp.output
    assert (tmp_path / "c" / "compare.png").exists()
    init = runner.invoke(app, ["data", "initial", "--origin", "2016", "--region", "suzhou"])
    assert init.exit_code == 0 and "allocated by 2013 GDP from suzhou" in init.output


def test_a_sweep_from_an_early_origin_is_refused_in_one_line(tmp_path):
    from dezsim.sweep import make, run_sweep

    with pytest.raises(ConfigError, match=r"start = 2017: a sweep starts from the 2020 calibration; allowed: "
                                          r"start = 2020"):
        run_sweep(early(), make("mc", [], 4, 0), tmp_path / "store", agents=None)
    assert not (tmp_path / "store").exists()  # refused before anything is written


def test_the_committed_midterm_page_is_current(dataset):
    from dezsim.resources import calibration_root
    from dezsim.targets import midterm_backtest as M

    page = (calibration_root() / M.PAGE).read_text(encoding="utf-8")
    assert page == M.page(M.midterm(dataset)), "run `dezsim backtest` and commit"
