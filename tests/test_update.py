"""The mid-term update (``reach --observed``): on synthetic truth (a run of the model itself, observed with the
declared measurement error) the updated probabilities beat the prior ones; the weights are proper; bad figures and
a collapsed ensemble fail in one line; the on-track ratio matches hand computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import dezsim
from dezsim.base.errors import ConfigError
from dezsim.model.derived import add_derived
from dezsim.model.results import Results
from dezsim.targets import update as U
from dezsim.targets.reach import _panel, metric, reachability

#: Figures a mid-term review reads: two of the target indicators themselves in 2022. The ensemble spreads them
#: widely and the figures are precise, so reweighting needs many runs (2500 SD-core runs leave 41-251 effective
#: runs for the twelve truths); the SD core alone keeps that fast.
OBSERVED = [("jiangsu", "software_revenue", "100m_yuan"), ("suzhou", "g5_base_stations", "count")]
YEAR = 2022
RUNS = 2500


@pytest.fixture(scope="module")
def prior(dataset):
    return add_derived(dezsim.run(runs=RUNS, seed=0, agents=None, data=dataset), dataset)


@pytest.fixture(scope="module")
def truths(dataset):
    """Twelve runs of an independent ensemble (another seed) to play the truth."""
    return dezsim.run(runs=12, seed=11, agents=None, data=dataset)


def one_run(results: Results, run: int) -> Results:
    return Results(results.frame[results.frame.run == run].reset_index(drop=True),
                   results.design[results.design.run == run].reset_index(drop=True), results.provenance)


def observed_from(truth: Results, rng: np.random.Generator) -> pd.DataFrame:
    """The truth's figures for :data:`YEAR`, each with the plain-figure measurement error drawn."""
    f = truth.frame
    rows = []
    for region, indicator, unit in OBSERVED:
        value = float(f[(f.region == region) & (f.indicator == indicator) & (f.year == YEAR)].value.iloc[0])
        rows.append({"region": region, "indicator": indicator, "unit": unit, "year": YEAR,
                     "value": value * np.exp(rng.normal(0.0, U.error_of(None))), "qualifier": None})
    return pd.DataFrame(rows)


def met_matrix(results: Results, targets: pd.DataFrame) -> np.ndarray:
    """(run, target) whether each run meets each target, by the report's own reading of it."""
    panel = _panel(results)
    cols = []
    for t in targets.reset_index().itertuples(index=False):
        row = pd.Series(t._asdict())
        sign = 1.0 if row.relation == ">=" else -1.0
        gap = sign * (metric(row, panel, int(row.year)) - row.threshold)
        cols.append(gap >= -1e-9 * max(1.0, abs(row.threshold)))
    return np.column_stack(cols).astype(float)


def test_the_update_moves_p_toward_the_synthetic_truth(prior, truths, dataset):
    """Scored on the targets of the observed indicators: figures of one indicator say little about another (on
    the others the weights only add sampling noise, which is what a refusal below the minimum ESS bounds)."""
    before = reachability(prior, dataset).set_index("target_id")
    observed = {indicator for _, indicator, _ in OBSERVED}
    targets = before[before.assessed & before.indicator.isin(observed)]
    met = met_matrix(prior, targets)  # rows in run order, as the weights
    outcomes = met_matrix(add_derived(truths, dataset), targets)
    rng = np.random.default_rng(5)
    p0 = met.mean(axis=0)
    brier_prior, brier_after, moved_toward = [], [], []
    for i, run in enumerate(sorted(truths.frame.run.unique())):
        cond = U.condition(prior, observed_from(one_run(truths, run), rng))
        p1 = cond.weights @ met
        brier_prior.append(float(np.mean((p0 - outcomes[i]) ** 2)))
        brier_after.append(float(np.mean((p1 - outcomes[i]) ** 2)))
        moved_toward.append(float(np.mean(np.abs(p1 - outcomes[i]) < np.abs(p0 - outcomes[i]))))
    assert len(targets) >= 3
    assert np.mean(brier_after) < np.mean(brier_prior)
    assert np.mean(moved_toward) > 0.5  # most targets' p moves toward what the truth did


def test_weights_are_proper_and_the_resample_reproducible(prior, truths):
    obs = observed_from(one_run(truths, 0), np.random.default_rng(1))
    cond = U.condition(prior, obs)
    assert cond.weights.sum() == pytest.approx(1.0)
    assert (cond.weights >= 0).all()
    assert 1.0 <= cond.effective_runs <= len(cond.runs)
    a, b = U.resample(prior, cond, seed=3), U.resample(prior, cond, seed=3)
    for col in ("run", "value"):
        assert np.array_equal(a.frame[col].to_numpy(), b.frame[col].to_numpy())
    assert a.provenance["update"]["effective_runs"] == pytest.approx(cond.effective_runs, abs=0.01)
    assert sorted(a.frame.run.unique()) == list(range(len(cond.runs)))
    # every resampled run is a whole copy of its source run
    src = int(a.design.set_index("run").source_run[0])
    left = a.frame[a.frame.run == 0].drop(columns="run").reset_index(drop=True)
    right = prior.frame[prior.frame.run == src].drop(columns="run").reset_index(drop=True)
    pd.testing.assert_frame_equal(left, right)


def test_the_interval_of_an_updated_p_uses_the_effective_runs(prior, truths, dataset):
    cond = U.condition(prior, observed_from(one_run(truths, 0), np.random.default_rng(2)))
    updated = reachability(U.resample(prior, cond, seed=0), dataset)
    plain = reachability(prior, dataset)
    width = lambda r: (r.p_high - r.p_low)[r.assessed & r.p_reach.between(0.2, 0.8)].mean()  # noqa: E731
    assert width(updated) > width(plain)


def test_correlated_misses_count_less_than_independent_ones(prior):
    """Eight regions missing the same way in one year are one piece of evidence, not eight."""
    regions = np.array(["a", "b"])
    cov = U.covariance(regions, np.array([2, 2]), [None, None])
    assert cov[0, 1] > 0 and np.allclose(cov, cov.T)
    assert np.all(np.linalg.eigvalsh(cov) > 0)


def test_a_figure_far_outside_the_ensemble_is_refused_in_one_line(prior):
    obs = pd.DataFrame([{"region": "jiangsu", "indicator": "gdp", "unit": "100m_yuan", "year": 2022,
                         "value": 300000.0, "qualifier": None}])
    with pytest.raises(ConfigError) as err:
        U.condition(prior, obs)
    message = str(err.value)
    assert "\n" not in message and f"effective runs of {RUNS}" in message and "raise --runs" in message
    assert "jiangsu/gdp/2022 = 300000" in message


def test_a_figure_at_the_origin_is_refused(prior):
    obs = pd.DataFrame([{"region": "jiangsu", "indicator": "gdp", "unit": "100m_yuan", "year": 2020,
                         "value": 102700.0, "qualifier": None}])
    with pytest.raises(ConfigError, match="not after the origin 2020"):
        U.condition(prior, obs)


def test_a_bound_figure_weights_each_run_by_the_chance_it_lies_on_the_stated_side(prior):
    f = prior.frame
    values = f[(f.region == "jiangsu") & (f.indicator == "gdp") & (f.year == 2022)].set_index("run").value
    median = float(values.median())
    above = pd.DataFrame([{"region": "jiangsu", "indicator": "gdp", "unit": "100m_yuan", "year": 2022,
                           "value": median, "qualifier": "above"}])
    cond = U.condition(prior, above)
    s = np.hypot(U.error_of("above"), U._discrepancy(2))
    expected = stats.norm.cdf(np.log(values.loc[cond.runs].to_numpy() / median) / s)
    np.testing.assert_allclose(cond.weights, expected / expected.sum(), rtol=1e-9)


def _target(**kw) -> pd.DataFrame:
    row = {"target_id": "t", "region": "jiangsu", "indicator": "gdp", "year": 2025, "reading": "level",
           "period_start": np.nan, "relation": ">=", "threshold": 160000.0, "unit": "100m_yuan", "assessed": True}
    return pd.DataFrame([row | kw])


def _prior_at(value_2020: float) -> Results:
    frame = pd.DataFrame({"scenario": "x", "run": [0, 0], "region": "jiangsu", "year": [2020, 2025],
                          "indicator": "gdp", "value": [value_2020, value_2020]})
    return Results(frame, pd.DataFrame({"run": [0]}), {})


def test_on_track_ratio_of_a_level_target_follows_the_geometric_path():
    obs = pd.DataFrame([{"region": "jiangsu", "indicator": "gdp", "year": 2023, "value": 120000.0}])
    row = U.on_track(_target(), obs, _prior_at(100000.0)).iloc[0]
    required = 100000.0 * 1.6 ** (3 / 5)  # 3 of 5 years along a geometric path to 160000
    assert row.on_track_ratio == pytest.approx(20000.0 / (required - 100000.0))
    assert row.on_track == "acceleration needed"


def test_on_track_ratio_of_a_growth_target_is_the_ratio_of_rates():
    obs = pd.DataFrame([{"region": "jiangsu", "indicator": "gdp", "year": 2022, "value": 100000.0 * 1.05 ** 2}])
    target = _target(reading="growth", period_start=2020, threshold=5.0, unit="pct_per_year")
    row = U.on_track(target, obs, _prior_at(100000.0)).iloc[0]
    assert row.on_track_ratio == pytest.approx(1.0)
    assert row.on_track == "on track"


def test_a_target_met_at_the_origin_has_no_ratio():
    obs = pd.DataFrame([{"region": "jiangsu", "indicator": "gdp", "year": 2022, "value": 170000.0}])
    row = U.on_track(_target(), obs, _prior_at(165000.0)).iloc[0]
    assert np.isnan(row.on_track_ratio) and row.on_track == ""


def test_the_report_with_observed_figures_shows_p_before_and_after(tmp_path, prior):
    """``dezsim reach --observed``: the report gains the update section, reach.csv p_before and on-track columns."""
    from typer.testing import CliRunner

    from dezsim.cli import app

    f = prior.frame
    median = float(f[(f.region == "jiangsu") & (f.indicator == "gdp") & (f.year == 2023)].value.median())
    observed = tmp_path / "observed.csv"
    observed.write_text(f"region,indicator,unit,year,value,qualifier\njiangsu,gdp,100m_yuan,2023,{median:.1f},about\n",
                        encoding="utf-8")
    out = tmp_path / "report"
    result = CliRunner().invoke(app, ["reach", "--observed", str(observed), "--runs", "100", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = (out / "report.md").read_text(encoding="utf-8")
    assert "## Mid-term update: p before and after the observed figures" in text
    assert "effective runs" in text.split("## Overview")[0] or "runs' worth of information" in text
    reach = pd.read_csv(out / "reach.csv")
    assert {"p_before", "on_track_ratio", "on_track"} <= set(reach.columns)
    assessed = reach[reach.assessed]
    assert assessed.p_before.notna().all() and assessed.p_reach.notna().all()
    assert not (out / "levers.csv").exists()
