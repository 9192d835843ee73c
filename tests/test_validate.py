"""Scores against closed forms, calibration of a well-specified model on synthetic series, and the backtest's
use of history up to each origin only."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import integrate
from scipy.stats import norm
from typer.testing import CliRunner

from dezsim.calibration import scores as S, validate as V
from dezsim.cli import app

SE = 4.0  # tolerances are 4 standard errors of the sampling statistic


@pytest.mark.parametrize("mean, sd, y", [(0.0, 1.0, 0.3), (0.07, 0.01, 0.05), (2.0, 0.5, 4.0)])
def test_crps_normal_matches_its_defining_integral(mean, sd, y):
    integrand = lambda x: (norm.cdf(x, mean, sd) - (x >= y)) ** 2  # noqa: E731
    lo, hi = mean - 12 * sd, mean + 12 * sd
    exact = integrate.quad(integrand, lo, y, limit=200)[0] + integrate.quad(integrand, y, hi, limit=200)[0]
    assert float(S.crps_normal(mean, sd, y)) == pytest.approx(exact, rel=1e-6)


def test_crps_at_the_mean_is_the_known_constant():
    assert float(S.crps_normal(0.0, 2.0, 0.0)) == pytest.approx(2.0 * (np.sqrt(2) - 1) / np.sqrt(np.pi))


def test_interval_score_and_coverage_by_hand():
    assert float(S.interval_score(1.0, 3.0, 2.0, 0.8)) == pytest.approx(2.0)
    assert float(S.interval_score(1.0, 3.0, 4.0, 0.8)) == pytest.approx(2.0 + 2 / 0.2 * 1.0)
    lo, hi = S.central_interval(0.0, 1.0, 0.8)
    assert (float(lo), float(hi)) == pytest.approx((-1.2815516, 1.2815516))
    assert S.covered(0.0, 1.0, [0.5, 1.5], 0.8).tolist() == [True, False]
    assert float(S.ape_level(np.log(1.1), 0.0)) == pytest.approx(10.0)


def _synthetic(n_series: int, years: int, slope: float, seed: int, tau: float = 0.0) -> dict:
    """Log growth = drift + N(0, 0.01^2) shocks, the drift 0.07 + slope * (t - 2000) plus a random walk with steps
    of sd ``tau``; one series per key."""
    rng = np.random.default_rng(seed)
    t = np.arange(2000, 2000 + years)
    walk = np.cumsum(tau * rng.standard_normal((n_series, years)), axis=1)
    return {("gdp", f"r{i}", "real"): pd.Series(0.07 + slope * (t - 2000) + walk[i] + 0.01 * rng.standard_normal(years),
                                                t) for i in range(n_series)}


def _forecasts(series: dict, origin: int, h: int, sigma: float, tau: float) -> tuple[np.ndarray, np.ndarray]:
    window = V.WINDOW_YEARS["gdp"]
    fc = np.array([V.forecast_dezsim(x.loc[:origin], h, sigma, tau, window) for x in series.values()])
    y = np.array([x.loc[origin + 1:origin + h].sum() for x in series.values()])
    return fc, y


@pytest.mark.parametrize("tau", [0.0, 0.006])
def test_well_specified_model_covers_near_nominal_on_synthetic_series(tau):
    """With the true shock and drift-step sds the predictive variance is exact (window mean's error, its lag
    behind today's drift, and the steps ahead), so coverage and PIT must be nominal up to sampling error."""
    series, origin, h, n = _synthetic(3000, 12, 0.0, seed=1, tau=tau), 2008, 3, 3000
    fc, y = _forecasts(series, origin, h, 0.01, tau)
    for level in (0.5, 0.8):
        share = S.covered(fc[:, 0], fc[:, 1], y, level).mean()
        assert share == pytest.approx(level, abs=SE * np.sqrt(level * (1 - level) / n))
    assert S.pit(fc[:, 0], fc[:, 1], y).mean() == pytest.approx(0.5, abs=SE * np.sqrt(1 / 12 / n))


def test_pooled_estimators_recover_the_synthetic_sds():
    """The shock sd (pooled detrended sd) on fixed-drift series, and the drift step sd (pooled local-level fit
    given the shock sd) on random-walk series: 3000 series x 9 figures through the origin."""
    flat = _synthetic(3000, 12, 0.0, seed=3)
    sigma = V.pooled_shock_sd(flat, ("gdp", "r0", "real"), 2008)
    assert sigma == pytest.approx(0.01, rel=SE * np.sqrt(1 / (2 * 3000 * 7)))
    walk = _synthetic(3000, 12, 0.0, seed=4, tau=0.006)
    # 3000 x 8 steps: relative SE of the ML sd about 1/sqrt(2 x 24000) x (at most ~3 for the masking shocks)
    tau = V.pooled_drift_sd(walk, ("gdp", "r0", "real"), 2008, 0.01)
    assert tau == pytest.approx(0.006, rel=SE * 3 / np.sqrt(48000))


def test_fixed_drift_under_covers_a_slowdown_and_a_wandering_drift():
    """The failure the first backtest showed on real data: a drift that keeps falling, or wanders, escapes a
    fixed-drift forecast."""
    for slope, tau in ((-0.004, 0.0), (0.0, 0.01)):
        series, origin, h = _synthetic(500, 12, slope, seed=2, tau=tau), 2008, 3
        fc, y = _forecasts(series, origin, h, 0.01, 0.0)
        assert S.covered(fc[:, 0], fc[:, 1], y, 0.8).mean() < 0.6


@pytest.fixture(scope="module")
def bt():
    return V.backtest()


def test_backtest_uses_history_to_2020_only_and_compares_like_with_like(bt):
    assert bt.target_year.max() <= 2020 and bt.origin.max() <= V.LAST_ORIGIN
    counts = bt.groupby("forecaster").size()
    assert set(counts.index) == set(V.FORECASTERS) and counts.nunique() == 1 and counts.iloc[0] > 0


def test_forecasts_do_not_look_past_their_origin(bt):
    series = V.log_growth_series()
    key, origin = ("gdp", "suzhou", "real"), 2016
    row = bt[(bt.region == "suzhou") & (bt.basis == "real") & (bt.origin == origin) & (bt.h == 2)]
    fit = series[key].loc[:origin]
    m, sd = V.forecast_mean5(fit, 2)
    got = row.set_index("forecaster")
    assert got.loc["naive_mean5", "mean"] == pytest.approx(m) and got.loc["naive_mean5", "sd"] == pytest.approx(sd)
    assert got.loc["dezsim", "y"] == pytest.approx(series[key].loc[2017:2018].sum())
    changed = dict(series) | {key: series[key].where(series[key].index <= origin, 0.5)}  # future rewritten
    assert V.pooled_shock_sd(changed, key, origin) == pytest.approx(V.pooled_shock_sd(series, key, origin))
    sigma = V.pooled_shock_sd(series, key, origin)
    tau = V.pooled_drift_sd(series, key, origin, sigma)
    assert V.pooled_drift_sd(changed, key, origin, sigma) == pytest.approx(tau)


def test_validate_command_writes_report_plot_and_json(tmp_path):
    import json

    result = CliRunner().invoke(app, ["validate", "--out", str(tmp_path), "--json", str(tmp_path / "v.json")])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "validation.md").read_text(encoding="utf-8")
    assert "naive_mean5" in text and "naive_loglinear" in text and "PIT" in text
    assert (tmp_path / "validation.png").stat().st_size > 10_000
    scores = json.loads((tmp_path / "v.json").read_text(encoding="utf-8"))
    keys = {"n", "coverage_50", "coverage_80", "crps", "crps_naive_mean5", "crps_naive_loglinear"}
    assert keys <= set(scores["overall"]) and all(keys <= set(s) for s in scores["series"])
    # the JSON is the same backtest as the printed table: counts add up, coverage and CRPS agree with summary()
    bt = V.backtest()
    table = V.summary(bt).set_index("forecaster")
    assert scores["overall"]["n"] == sum(s["n"] for s in scores["series"]) == table.loc["dezsim", "n"]
    assert scores["overall"]["coverage_80"] == pytest.approx(table.loc["dezsim", "cover80_pct"] / 100)
    assert scores["overall"]["crps_naive_mean5"] == pytest.approx(table.loc["naive_mean5", "crps_x100"] / 100)
    assert len(scores["series"]) == bt.groupby(V.SERIES_KEYS).ngroups


def test_filtered_drift_forecast_covers_near_nominal_on_local_level_series():
    """GDP's forecaster: with the true sds, the Kalman-filtered drift and its variance (a flat prior on the first
    drift) make the predictive distribution exact, so coverage and PIT must be nominal up to sampling error."""
    from dezsim.model.drift_estimate import DriftNow
    from dezsim.model.drift import filtered_drift

    series, origin, h, n, tau = _synthetic(3000, 12, 0.0, seed=5, tau=0.008), 2008, 3, 3000, 0.008
    fc = []
    for x in series.values():
        m, p = filtered_drift(x.loc[:origin].to_numpy(), 0.01, tau)
        fc.append(V.forecast_filtered(DriftNow(m, p, 0.01, tau, float("nan"), 4), h))
    fc = np.array(fc)
    y = np.array([x.loc[origin + 1:origin + h].sum() for x in series.values()])
    for level in (0.5, 0.8):
        share = S.covered(fc[:, 0], fc[:, 1], y, level).mean()
        assert share == pytest.approx(level, abs=SE * np.sqrt(level * (1 - level) / n))
    assert S.pit(fc[:, 0], fc[:, 1], y).mean() == pytest.approx(0.5, abs=SE * np.sqrt(1 / 12 / n))
