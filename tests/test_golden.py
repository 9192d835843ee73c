"""The golden baseline (tests/golden/, written by make_golden.py before the coupled engine was rebuilt).

Both run with process noise off (``noise=False``: the golden baseline predates it).

SD alone: the parameter streams and the SD integration are unchanged, so every value must match to 1e-12.

Coupled: the agents' random numbers come from a new per-run generator, so single runs differ; but each run's
parameters and its initial firm population are drawn from the same streams as before, so the runs can be
*paired*: per region, indicator and year, the mean over runs of (new - golden) must lie within K standard
errors of 0 (a paired t-test on 32 runs). K = 4.5 is the two-sided 1e-4 quantile of Student's t with 31 degrees
of freedom: with 75 cells tested the chance of a false failure is below 1 % (Bonferroni). A real change of the
rule moves every run the same way and fails (see test_a_doubled_hazard_fails_the_golden_test).

The coupled file was rewritten twice since, each time after checking that only the intended cells moved: when
the smart-workshop lists became batched (dezsim.model.abm.recognition.recognised_in_batches; six smart_workshops cells
failed, every other indicator passed) and when districts' lists started at their stated 2020 figures
(anchor_lists; only smart_workshops of jiangsu and suzhou moved, by +30 in 2020 to +179 in 2025 on average).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from dezsim.model.config import Scenario
from dezsim.model.coupling import AgentSettings
from dezsim.model.simulate import calibrated_ensemble, draw_design, run, simulate_design

GOLDEN = Path(__file__).resolve().parent / "golden"
SEED, COUPLED_RUNS, SD_RUNS = 11, 32, 8
K = 4.5


def _kept(frame: pd.DataFrame, golden: pd.DataFrame) -> pd.DataFrame:
    frame = frame.assign(region=frame.region.astype(str), indicator=frame.indicator.astype(str))
    keys = ["run", "region", "year", "indicator"]
    return golden.merge(frame[keys + ["value"]], on=keys, how="left", suffixes=("_golden", "_new"))


def paired_failures(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells (region, indicator, year > 2020) whose mean paired difference exceeds K standard errors."""
    both = _kept(frame, pd.read_parquet(GOLDEN / "coupled.parquet"))
    assert both.value_new.notna().all()
    start = both[both.year == both.year.min()]
    np.testing.assert_allclose(start.value_new, start.value_golden, rtol=1e-12)  # same population, same 2020
    later = both[both.year > both.year.min()].assign(gap=lambda d: d.value_new - d.value_golden)
    cells = later.groupby(["region", "indicator", "year"]).gap.agg(["mean", "std", "count"])
    cells["se"] = cells["std"] / np.sqrt(cells["count"])
    return cells[cells["mean"].abs() > K * cells["se"]]


def test_sd_alone_matches_the_golden_baseline_exactly():
    golden = pd.read_parquet(GOLDEN / "sd_only.parquet")
    for name, rows in golden.groupby("scenario"):
        scen = None if name == "baseline" else name  # "scenarios/<file>": the shipped library
        both = _kept(run(scen, runs=SD_RUNS, seed=SEED, agents=None, noise=False).frame, rows.drop(columns="scenario"))
        np.testing.assert_allclose(both.value_new, both.value_golden, rtol=1e-12, atol=0, err_msg=name)


def test_coupled_run_matches_the_golden_baseline_in_distribution():
    bad = paired_failures(run(runs=COUPLED_RUNS, seed=SEED, noise=False).frame)
    assert bad.empty, bad


def test_a_doubled_hazard_fails_the_golden_test(dataset):
    design = draw_design(COUPLED_RUNS, SEED, ensemble=calibrated_ensemble(dataset)[0])
    design["hazard_cloud"] *= 2
    frame = simulate_design(Scenario(name="baseline", noise=False), design, SEED, dataset, AgentSettings()).frame
    bad = paired_failures(frame)
    assert ("jiangsu", "upgraded_firms_share") in {(r, i) for r, i, _ in bad.index}, bad
