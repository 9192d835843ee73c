"""Reachability backtests on past targets: the inside view reads history through its origin only, the pooling is
scored leave-one-plan-out (no held-out outcome informs its own combined p), the calibration slope of a calibrated
forecast is 1, and the shipped page and pool are those of the current data (the pool itself: test_pooling.py)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from dezsim.cli import app
from dezsim.model.drift_estimate import log_growth_series
from dezsim.resources import calibration_root
from dezsim.targets import backtest as B
from dezsim.targets import pooling


@pytest.fixture(scope="module")
def assessed(dataset):
    return B.assess(dataset)


def test_past_targets_are_scored_with_outcomes_and_regions_the_model_simulates(assessed, dataset):
    frame, _ = assessed
    assert len(frame) >= 20 and frame.met.isin([0, 1]).all()
    assert set(frame.region) <= B.simulated_regions(dataset)
    assert frame[["constant", "class", "outside", "combined"]].notna().all().all()
    assert frame.inside.notna().sum() >= 5
    values = frame[["outside", "inside", "combined"]].to_numpy(float)
    assert np.all((values[np.isfinite(values)] >= 0) & (values[np.isfinite(values)] <= 1))


def test_the_inside_view_reads_no_figure_after_its_origin(assessed):
    frame, _ = assessed
    series = log_growth_series()
    row = pd.Series({"indicator": "gdp_growth", "relation": ">=", "region": "jiangsu", "plan_start": 2017,
                     "target_year": 2017, "target_value": 7.0})
    before = B.inside_view(row, series)
    changed = dict(series)
    key = ("gdp", "jiangsu", "real")
    later = changed[key].copy()
    later[later.index > 2016] = np.log1p(0.5)  # 50 % growth after the origin: must not matter
    changed[key] = later
    assert before["origin"] == 2016
    assert B.inside_view(row, changed)["p_inside"] == pytest.approx(before["p_inside"], abs=1e-12)


def test_no_held_out_outcome_informs_its_own_combined_p(assessed):
    frame, _ = assessed
    plan = frame.plan.value_counts().index[0]
    flipped = frame.assign(met=np.where(frame.plan == plan, 1 - frame.met, frame.met))
    pooled = lambda f: pooling.held_out(f.rename(columns={"inside": "p_inside", "outside": "p_outside"}))  # noqa: E731
    mine = (frame.plan == plan).to_numpy()
    assert pooled(flipped)[mine] == pytest.approx(pooled(frame)[mine], abs=1e-12)
    assert pooled(frame)[mine] == pytest.approx(frame.combined[mine].to_numpy(), abs=1e-12)


def test_a_calibrated_forecast_has_slope_one_and_a_constant_none():
    rng = np.random.default_rng(0)
    p = rng.uniform(0.05, 0.95, 20000)
    met = (rng.uniform(size=p.size) < p).astype(float)
    assert B.calibration_slope(p, met) == pytest.approx(1.0, abs=0.1)  # sd of the estimate is about 0.03
    assert B.calibration_slope(np.full(50, 0.6), met[:50]) != B.calibration_slope(np.full(50, 0.6), met[:50])  # NaN
    overconfident = np.clip(0.5 + 2 * (p - 0.5), 0.001, 0.999)
    assert B.calibration_slope(overconfident, met) < 0.8


def test_the_shipped_page_and_weight_are_those_of_the_current_data(assessed):
    frame, pool = assessed
    root = calibration_root()
    stored = json.loads((root / B.WEIGHTS).read_text(encoding="utf-8"))
    assert stored["pool"] == pytest.approx(pooling.save(pool))
    assert stored["targets"] == len(frame)
    page = (root / B.PAGE).read_text(encoding="utf-8")
    assert page == B.page(frame, B.summary(frame, pool)), "run `dezsim backtest` and commit"


def test_the_command_writes_page_figure_and_json(tmp_path):
    result = CliRunner().invoke(app, ["backtest", "--out", str(tmp_path), "--json", str(tmp_path / "s.json")])
    assert result.exit_code == 0, result.output
    for name in (B.PAGE, B.FIGURE, B.WEIGHTS, "s.json"):
        assert (tmp_path / name).stat().st_size > 0
    scores = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))["scores_all"]
    assert {"brier", "log_score", "slope", "sharpness", "d_brier_low", "d_brier_high"} <= set(scores["outside"])


def test_a_level_target_is_carried_from_the_origin_level_by_the_growth_equation():
    rng = np.random.default_rng(5)
    years = range(2011, 2016)
    nominal = pd.Series(np.log(1.08) + 0.01 * rng.standard_normal(len(years)), index=list(years))
    series = {("software_revenue", "jiangsu", "nominal"): nominal,
              ("software_revenue", "china", "nominal"): nominal + 0.01}
    levels = {("jiangsu", "software_revenue", 2015): 7000.0}
    row = pd.Series({"indicator": "software_revenue", "relation": ">=", "region": "jiangsu", "plan_start": 2016,
                     "target_year": 2020})
    at_trend = 7000.0 * np.exp(5 * nominal.iloc[-5:].mean())
    p = {v: B.inside_view(pd.concat([row, pd.Series({"target_value": v})]), series, levels)["p_inside"]
         for v in (0.8 * at_trend, at_trend, 1.25 * at_trend)}
    assert p[at_trend] == pytest.approx(0.5, abs=0.01)  # the window mean carries the level to the trend exactly
    assert p[0.8 * at_trend] > 0.9 and p[1.25 * at_trend] < 0.1
    assert B.inside_view(pd.concat([row, pd.Series({"target_value": at_trend})]), series, {}) is None  # no level
