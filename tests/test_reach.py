"""Reachability on synthetic ensembles whose probability, first-reach year and interval are known exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from dezsim.model.results import Results
from dezsim.targets.reach import REACH_COLUMNS, assess, jeffreys_interval, map_targets, verdict

YEARS = list(range(2020, 2026))


def synthetic(values: dict[tuple[str, str], np.ndarray]) -> Results:
    """Results with (region, indicator) -> array (run, year) of values."""
    rows = []
    for (region, indicator), arr in values.items():
        for run, series in enumerate(arr):
            rows += [{"scenario": "s", "run": run, "region": region, "year": y, "indicator": indicator, "value": v}
                     for y, v in zip(YEARS, series, strict=True)]
    frame = pd.DataFrame(rows)
    for col in ("scenario", "region", "indicator"):
        frame[col] = frame[col].astype("category")
    return Results(frame, pd.DataFrame({"run": sorted(frame.run.unique())}), {})


def target(**kw) -> pd.DataFrame:
    base = {"target_id": "t", "grouped": "", "region": "suzhou", "indicator": "smart_workshops", "year": 2023,
            "reading": "level", "relation": ">=", "threshold": 100.0, "unit": "count", "threshold_rule": "at_least",
            "scope": "whole_region", "period_start": np.nan, "relative_to": None, "assessed": True, "reason": "",
            "measure": "", "caveat": "", "note": "", "source": "x", "quote": "y"}
    return pd.DataFrame([base | kw])


def test_probability_interval_and_first_year_are_exact():
    # 10 runs: runs 0-6 reach 100 in 2022, runs 7-9 never do
    arr = np.array([[50, 80, 120, 130, 140, 150]] * 7 + [[50, 60, 70, 80, 90, 95]] * 3, dtype=float)
    out = assess(synthetic({("suzhou", "smart_workshops"): arr}), target()).iloc[0]
    assert out.p_reach == pytest.approx(0.7)
    lo, hi = stats.beta.ppf([0.05, 0.95], 7.5, 3.5)
    assert (out.p_low, out.p_high) == pytest.approx((lo, hi))
    assert out.first_year_median == 2022 and out.first_year_q10 == 2022 and np.isnan(out.first_year_q90)
    assert out.gap_median == pytest.approx(np.median([30] * 7 + [-20] * 3))
    assert out.verdict == "uncertain"


def test_new_in_period_growth_cap_and_relative_targets():
    arr = np.array([[100, 110, 121, 133.1, 146.41, 161.051]] * 4)  # +10 % a year
    res = synthetic({("suzhou", "core_industry_va"): arr, ("taicang", "core_industry_va"): arr * 0.5,
                     ("suzhou", "dc_pue_new"): np.array([[1.4, 1.35, 1.3, 1.26, 1.24, 1.2]] * 4)})
    growth = target(indicator="core_industry_va", reading="growth", threshold=10.0, period_start=2020,
                    unit="pct_per_year")  # growth in % per year, the plans' unit
    assert assess(res, growth).iloc[0].p_reach == 1.0
    assert assess(res, growth.assign(threshold=10.01)).iloc[0].p_reach == 0.0
    new = target(indicator="core_industry_va", reading="new_in_period", threshold=33.1, period_start=2020)
    assert assess(res, new).iloc[0].p_reach == 1.0
    cap = target(indicator="dc_pue_new", reading="cap", relation="<=", threshold=1.25, year=2025,
                 threshold_rule="at_most")
    first = assess(res, cap).iloc[0]
    assert first.p_reach == 1.0 and first.first_year_median == 2024
    rel = target(region="taicang", indicator="core_industry_va", relative_to="suzhou", threshold=0.0,
                 threshold_rule="above_region")
    assert assess(res, rel).iloc[0].p_reach == 0.0


def test_jeffreys_edges_and_verdicts():
    assert jeffreys_interval(0, 10)[0] == 0.0 and jeffreys_interval(10, 10)[1] == 1.0
    assert [verdict(p) for p in (0.8, 0.5, 0.2)] == ["likely", "uncertain", "unlikely"]


def test_every_target_is_assessed_or_has_a_reason(dataset):
    regions = dataset.leaves() + ["suzhou", "jiangsu"]
    mapped = map_targets(dataset, regions, 2025)
    assert (mapped.assessed == (mapped.reason == "")).all()
    assert mapped.assessed.sum() >= 20


def test_agent_targets_name_the_campaign_pace_and_recognition_counts_their_batches(dataset):
    from dezsim.targets.reach import BATCHED_RECOGNITIONS, RECOGNITION_CAVEAT, RECOGNITIONS
    from dezsim.targets.views import AGENT_INDICATORS

    regions = dataset.leaves() + ["suzhou", "jiangsu"]
    mapped = map_targets(dataset, regions, 2025).set_index("target_id")
    agents = mapped[mapped.assessed & mapped.indicator.isin(AGENT_INDICATORS)]
    assert len(agents) >= 5 and agents.caveat.str.contains("programme_speed").all()
    batched = mapped.indicator.isin(BATCHED_RECOGNITIONS) & mapped.assessed
    assert batched.sum() >= 2  # s001a-151, s002-008
    assert mapped.loc[batched, "caveat"].str.contains("recognition_batch_growth").all()
    recognised = mapped.indicator.isin(RECOGNITIONS) & mapped.assessed
    assert recognised.sum() >= 2  # the cloud-star targets s000-021, s002-045
    assert mapped.loc[recognised, "caveat"].str.contains(RECOGNITION_CAVEAT, regex=False).all()
    assert not mapped.loc[~recognised, "caveat"].str.contains(RECOGNITION_CAVEAT, regex=False).any()


def test_reach_table_columns_and_levers_interpolation():
    from dezsim.targets.levers import LEVERS, _needed

    assert {"target_id", "region", "indicator", "year", "relation", "threshold", "assessed", "reason", "p_reach",
            "p_low", "p_high", "first_year_median"} <= set(REACH_COLUMNS)
    lever = LEVERS[0]
    hit = _needed(lever, np.array([0.5, 0.7, 0.9, 0.95]))  # crosses 0.8 halfway between 1/3 and 2/3
    assert hit["status"] == "reachable" and hit["value_needed"] == pytest.approx(lever.value(0.5))
    miss = _needed(lever, np.array([0.1, 0.2, 0.3, 0.4]))
    assert miss["status"].startswith("not reachable") and np.isnan(miss["value_needed"])


def test_reach_command_writes_every_report_file(tmp_path):
    from typer.testing import CliRunner

    from dezsim.cli import app

    result = CliRunner().invoke(app, ["reach", "--runs", "12", "--no-levers", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for name in ("report.md", "report.html", "reach.csv", "figures/fan_core_industry_share_gdp.png"):
        assert (tmp_path / name).stat().st_size > 0, name
    reach = pd.read_csv(tmp_path / "reach.csv")
    from dezsim.data.loader import load

    unique = (load().readings.role == "target").sum()
    assert len(reach) == unique and reach.p_reach[reach.assessed].between(0, 1).all()
    assert "data:image/png;base64," in (tmp_path / "report.html").read_text(encoding="utf-8")
    # both views, a fan chart for every indicator with an assessed target, and the report's sections
    assert set(reach.basis) <= {"sd", "agents", "indicator_trend", "none"} and reach.p_outside.notna().all()
    assert (reach.basis.isin(["sd", "agents"]) == reach.assessed).all()
    for indicator in set(reach[reach.assessed].indicator):
        assert (tmp_path / "figures" / f"fan_{indicator}.png").stat().st_size > 0, indicator
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    for section in ("## How to read this", "## Overview", "## Validation", "figures/overview.png",
                    "with an outside view"):
        assert section in md, section
    assert result.output.count("unique targets") == 1 and "by the model" in result.output


@pytest.mark.slow
def test_lever_search_end_to_end(tmp_path):
    from dezsim.outputs.report import build

    reach, paths = build(runs=20, lever_runs=12, out=tmp_path)
    levers = pd.read_csv(paths["levers.csv"])
    assert set(levers.status) <= {"reachable", "not reachable with this lever within its bounds"}
    assert levers.unit.isin(["% of project cost", "% of GDP", "PUE"]).all()
    assert levers[[f"p_{i}" for i in range(4)]].stack().between(0, 1).all()
    assert (paths["levers.csv"].parent / "figures" / "levers.png").exists()


def test_the_plans_own_counts_are_assessed_on_a_small_coupled_run(dataset):
    """Targets read on the agents' counts of the plans (coverage, diagnoses, provincial + municipal lists,
    transformed SMEs) get a probability from a coupled run; counts of another unit do not."""
    from dezsim.model.simulate import run
    from dezsim.targets.reach import reachability

    table = reachability(run(runs=6, seed=3, data=dataset), dataset).set_index("target_id")
    ids = ["s000-002", "s001a-151", "s001a-153", "s001a-154", "s001b-020", "s002-008", "s004-012", "s004-014"]
    for tid in ids:
        row = table.loc[tid]
        assert row.assessed, (tid, row.reason)
        assert 0.0 <= row.p_reach <= 1.0 and row.p_low <= row.p_reach <= row.p_high, tid
    # a smart-manufacturing diagnosis service is not the first digital diagnosis the agents count
    assert not table.loc["s002-036"].assessed and "smart-manufacturing" in table.loc["s002-036"].reason
    # a transformation project of the plan is not a climb of the model's ladder
    assert not table.loc["s002-007"].assessed and "coarser unit" in table.loc["s002-007"].reason
    assert not table.reason.fillna("").str.startswith("not simulated in these results").any()
