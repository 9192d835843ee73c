"""Sweeps: designs, identical results for any executor and worker count, resume after SIGKILL, corrupt and
foreign chunks recomputed, sensitivity against an analytic answer, PRIM on a known box."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dezsim.base.errors import ConfigError, DezsimError
from dezsim.model.config import Scenario
from dezsim.sweep import Outputs, make, run_sweep
from dezsim.sweep.analysis import prim, sobol_indices

SMALL = Outputs(("gdp", "core_industry_share_gdp", "g5_base_stations"), ("suzhou", "jiangsu"))
SPEC = {"method": "lhs", "params": ["gdp_growth", "g5_bass_q"], "n": 40, "seed": 1}


def sweep(out, executor="inprocess", workers=1, chunk=10, design=None):
    design = make("lhs", SPEC["params"], 40, 1) if design is None else design
    return run_sweep(Scenario(name="t"), design, out, seed=7, agents=None, outputs=SMALL, chunk_size=chunk,
                     executor=executor, workers=workers, design_spec=SPEC)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    return sweep(tmp_path_factory.mktemp("ref") / "s").frame()


def test_designs_have_the_expected_sizes_and_bounds():
    assert len(make("sobol", ["gdp_growth", "g5_bass_q"], 8, 0)) == 8 * (2 + 2)
    assert len(make("morris", ["gdp_growth", "g5_bass_q"], 5, 0)) == 5 * (2 + 1)
    lhs = make("lhs", ["gdp_growth"], 50, 0)
    assert lhs.gdp_growth.between(0.02, 0.10).all() and lhs.run.tolist() == list(range(50))
    with pytest.raises(ConfigError, match="name the parameters to vary"):
        make("sobol", [], 8, 0)
    with pytest.raises(ConfigError, match=r"unknown parameter 'gdp_grwth' \(did you mean 'gdp_growth'\?\)"):
        make("lhs", ["gdp_grwth"], 8, 0)


def test_identical_for_any_executor_and_worker_count(tmp_path, reference):
    for executor, workers in (("processes", 1), ("processes", 2), ("dask", 2)):
        got = sweep(tmp_path / f"{executor}{workers}", executor, workers, chunk=7).frame()
        pd.testing.assert_frame_equal(got, reference, check_exact=True)


def test_coupled_sweep_identical_for_chunk_sizes_1_and_50(tmp_path):
    """The agents of a run draw from its own stream only, so how runs are grouped into ensembles (chunks) and
    how many numba threads step them changes nothing."""
    import numba

    from dezsim.model.coupling import AgentSettings

    design = make("mc", [], 6, 0)
    keep = Outputs(("upgraded_firms_share", "upgrade_projects", "core_industry_va"), ("taicang",))
    frames = []
    threads = numba.get_num_threads()
    try:
        for chunk, n_threads in ((1, 1), (50, numba.config.NUMBA_NUM_THREADS)):
            numba.set_num_threads(n_threads)
            frames.append(run_sweep(Scenario(name="t", regions=["taicang"]), design, tmp_path / f"c{chunk}", seed=3,
                                    agents=AgentSettings(), outputs=keep, chunk_size=chunk,
                                    executor="inprocess").frame())
    finally:
        numba.set_num_threads(threads)
    assert len(frames[0]) == 6 * 3 * 6
    pd.testing.assert_frame_equal(frames[0], frames[1])


def test_a_sweep_equals_plain_runs_of_its_design(reference):
    from dezsim.calibration.calibrate import central, load_ensemble
    from dezsim.data.loader import load
    from dezsim.model.simulate import simulate_design

    design = make("lhs", SPEC["params"], 40, 1).iloc[:3]
    full = pd.DataFrame([{"run": r, "seed": 7, **central(load_ensemble())} for r in design.run])
    full[SPEC["params"]] = design[SPEC["params"]].to_numpy()
    res = simulate_design(Scenario(name="t"), full, 7, load(), None).select("gdp", "suzhou", 2025)
    stored = reference[(reference.indicator == "gdp") & (reference.region == "suzhou") & (reference.year == 2025)]
    np.testing.assert_array_equal(stored.value.to_numpy()[:3], res.sort_values("run").value.to_numpy())


def test_resume_after_sigkill_at_random_points_equals_uninterrupted(tmp_path, reference):
    rng = np.random.default_rng(11)
    out = tmp_path / "killed"
    code = ("import sys; from dezsim.model.config import Scenario; from dezsim.sweep import *; "
            "from tests.test_sweep import sweep; sweep(sys.argv[1], chunk=2)")
    for _ in range(3):
        stop_after = int(rng.integers(1, 15))
        proc = subprocess.Popen([sys.executable, "-c", code, str(out)], cwd=Path(__file__).resolve().parent.parent)
        deadline = time.time() + 120
        while time.time() < deadline and proc.poll() is None:
            if len(list((out / "chunks").glob("chunk-*.parquet"))) >= stop_after:
                break
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    got = sweep(out, chunk=2).frame()  # resume: only what is missing is computed
    pd.testing.assert_frame_equal(got, reference, check_exact=True)


def test_corrupt_and_foreign_chunks_are_recomputed(tmp_path, reference):
    out = tmp_path / "s"
    store = sweep(out)
    other = sweep(tmp_path / "other", design=make("lhs", SPEC["params"], 40, 2))
    first = store.chunk_path(0)
    first.write_bytes(first.read_bytes()[: len(first.read_bytes()) // 2])  # truncated
    shutil.copy(other.chunk_path(1), store.chunk_path(1))  # another sweep's chunk
    data = bytearray(store.chunk_path(2).read_bytes())
    data[len(data) // 3] ^= 0xFF  # a flipped byte
    store.chunk_path(2).write_bytes(bytes(data))
    ids = store.manifest()["sweep_id"]
    assert not any(store.valid_chunk(i, ids, list(range(10 * i, 10 * i + 10))) for i in (0, 1))
    pd.testing.assert_frame_equal(sweep(out).frame(), reference, check_exact=True)


def test_a_store_refuses_another_sweep(tmp_path):
    sweep(tmp_path / "s")
    with pytest.raises(DezsimError, match="holds another sweep"):
        sweep(tmp_path / "s", design=make("lhs", SPEC["params"], 40, 2))


def test_sobol_indices_match_the_analytic_answer(tmp_path):
    """Without agents Suzhou's GDP depends on gdp_growth, not on 5G or patents: ST = 1 for it, 0 for the others
    (value-added ratios would count: GDP contains core value added). Process noise is off: the analytic answer
    is that of a deterministic function of the parameters (each design row is its own run, with its own shocks)."""
    params = ["gdp_growth", "g5_bass_q", "patent_rate"]
    design = make("sobol", params, 256, 3)
    store = run_sweep(Scenario(name="t", noise=False), design, tmp_path / "sob", seed=1, agents=None,
                      outputs=Outputs(("gdp",), ("suzhou",)), chunk_size=2000, executor="inprocess",
                      design_spec={"method": "sobol", "params": params, "n": 256, "seed": 3})
    idx = sobol_indices(store, "gdp", "suzhou").set_index(["year", "parameter"])
    for year in (2021, 2025):
        assert idx.loc[(year, "gdp_growth"), "ST"] == pytest.approx(1.0, abs=0.05)
        assert idx.loc[(year, "g5_bass_q"), "ST"] == pytest.approx(0.0, abs=1e-9)
        assert idx.loc[(year, "patent_rate"), "S1"] == pytest.approx(0.0, abs=1e-9)


def test_prim_finds_a_planted_box():
    rng = np.random.default_rng(0)
    x = pd.DataFrame({"a": rng.uniform(0, 1, 4000), "b": rng.uniform(0, 1, 4000)})
    hit = (x.a > 0.6).to_numpy() & (x.b < 0.5).to_numpy()
    boxes = prim(x, hit)
    best = boxes[boxes.coverage >= 0.8].sort_values("density").iloc[-1]
    assert best.density > 0.9
    assert best["a low"] == pytest.approx(0.6, abs=0.05) and best["b high"] == pytest.approx(0.5, abs=0.05)


def test_store_tidy_carries_each_indicators_unit(tmp_path):
    from dezsim.model.results import indicator_units

    store = sweep(tmp_path / "s")
    tidy = store.tidy(region="suzhou")
    units = indicator_units()
    assert len(tidy) and (tidy.region == "suzhou").all()
    assert (tidy.unit.astype(str) == tidy.indicator.astype(str).map(units)).all()
    assert tidy.drop(columns="unit").equals(store.frame(region="suzhou"))


@pytest.mark.parametrize("design, extra, noise", [("sobol", [], False), ("mc", [], True),
                                                  ("sobol", ["--noise"], True), ("mc", ["--no-noise"], False)])
def test_sweep_noise_is_off_for_sensitivity_designs_unless_asked(tmp_path, design, extra, noise):
    """Sobol and Morris indices split the variance among the varied parameters: process noise, varied by none
    of them, is off unless asked for; Monte Carlo sweeps keep it (the manifest records the scenario)."""
    import json

    from typer.testing import CliRunner

    from dezsim.cli import app

    out = tmp_path / "s"
    args = ["sweep", "--out", str(out), "--design", design, "-n", "2", "--params", "gdp_growth", "--executor",
            "inprocess", "--no-agents", "--indicators", "gdp", "--regions", "suzhou", *extra]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scenario"]["noise"] is noise
