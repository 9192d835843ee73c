"""Results and sweep-store door: atomic writes, checksums against bit flips, one-line errors for damaged
metadata, manifests and chunks; sweep identity; extra and foreign files; one writer; sizes; SALib seeds."""

from __future__ import annotations

import errno
import json
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dezsim.base.errors import ConfigError, DezsimError
from dezsim.model.config import Scenario
from dezsim.model.results import Results
from dezsim.sweep import Store, make
from dezsim.sweep.analysis import morris_indices, sobol_indices

from .helpers_b import calibration_copy, cli, tiny_sweep

REPO = Path(__file__).resolve().parents[2]


def small_results() -> Results:
    rng = np.random.default_rng(5)
    design = pd.DataFrame({"run": [0, 1, 2], "seed": 1, "gdp_growth": rng.uniform(0.02, 0.1, 3)})
    arrays = {"gdp": rng.lognormal(8, 1, (3, 2, 4)), "g5_base_stations": rng.lognormal(9, 1, (3, 2, 4))}
    return Results.from_arrays("t", arrays, ["suzhou", "wuxi"], [2020, 2021, 2022, 2023], design,
                               {"seed": 1, "code_version": "x"})


@pytest.fixture(scope="module")
def results_file(tmp_path_factory) -> tuple[Results, bytes]:
    path = small_results().to_parquet(tmp_path_factory.mktemp("r") / "r.parquet")
    return Results.from_parquet(path), path.read_bytes()


# --- Results ------------------------------------------------------------------------------------------------

def test_a_full_disk_leaves_the_old_results_file_intact(tmp_path, monkeypatch):
    import pyarrow.parquet as pq_module

    path = small_results().to_parquet(tmp_path / "r.parquet")
    before = path.read_bytes()
    real = pq_module.write_table

    def full_disk(table, where, **kw):
        real(table.slice(0, 1), where, **kw)  # something reaches the disk, then it is full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pq_module, "write_table", full_disk)
    with pytest.raises(DezsimError, match=r"r.parquet: cannot write \(No space left on device\); any previous file there is unchanged"):
        small_results().to_parquet(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.parquet"]  # no temporary file left


@settings(max_examples=200)
@given(bit=st.integers(min_value=0))
def test_a_flipped_bit_never_returns_different_numbers(tmp_path_factory, results_file, bit):
    original, data = results_file
    flipped = bytearray(data)
    i = bit % (8 * len(data))
    flipped[i // 8] ^= 1 << (i % 8)
    path = tmp_path_factory.mktemp("flip") / "r.parquet"
    path.write_bytes(bytes(flipped))
    try:
        back = Results.from_parquet(path)
    except DezsimError as exc:
        assert "\n" not in str(exc)
        return
    pd.testing.assert_frame_equal(back.frame, original.frame, check_exact=True)
    pd.testing.assert_frame_equal(back.design, original.design, check_exact=True)
    assert back.provenance == original.provenance


@pytest.mark.parametrize("key, value, words", [
    (b"dezsim.design", b"{not json", "damaged results metadata"),
    (b"dezsim.provenance", b"\xff\xfe", "damaged results metadata"),
    (b"dezsim.provenance", b"[1, 2]", "checksum mismatch"),
    (b"dezsim.checksum", b"0" * 64, "checksum mismatch"),
])
def test_bad_metadata_is_one_line(tmp_path, key, value, words):
    path = small_results().to_parquet(tmp_path / "r.parquet")
    table = pq.read_table(path)
    pq.write_table(table.replace_schema_metadata({**table.schema.metadata, key: value}), path)
    with pytest.raises(DezsimError, match=words) as err:
        Results.from_parquet(path)
    assert "\n" not in str(err.value)


# --- Store: identity, checksums, foreign files ------------------------------------------------------------

@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    store = tiny_sweep(tmp_path_factory.mktemp("ref") / "s")
    return store.frame(), store.root


def fresh(tmp_path, reference) -> Store:
    shutil.copytree(reference[1], tmp_path / "s")
    return Store(str(tmp_path / "s"))  # a str works as well as a Path


def test_store_accepts_a_str(tmp_path, reference):
    store = fresh(tmp_path, reference)
    assert isinstance(store.root, Path)
    pd.testing.assert_frame_equal(store.frame(), reference[0], check_exact=True)


@settings(max_examples=30)
@given(bit=st.integers(min_value=0))
def test_a_flipped_bit_in_a_chunk_is_refused_by_frame_and_recomputed_on_resume(tmp_path_factory, reference, bit):
    store = fresh(tmp_path_factory.mktemp("flip"), reference)
    path = store.chunk_path(1)
    data = bytearray(path.read_bytes())
    i = bit % (8 * len(data))
    data[i // 8] ^= 1 << (i % 8)
    path.write_bytes(bytes(data))
    try:
        got = store.frame()
    except DezsimError as exc:
        assert "chunk-000001.parquet" in str(exc) and "\n" not in str(exc)
        pd.testing.assert_frame_equal(tiny_sweep(store.root).frame(), reference[0], check_exact=True)
        return
    pd.testing.assert_frame_equal(got, reference[0], check_exact=True)


def test_extra_copied_and_foreign_chunk_files_are_never_included_and_removed_on_resume(tmp_path, reference):
    store = fresh(tmp_path, reference)
    other = tiny_sweep(tmp_path / "other", seed=4)
    shutil.copy(store.chunk_path(0), store.root / "chunks" / "chunk-000000 (copy).parquet")
    shutil.copy(store.chunk_path(0), store.chunk_path(99))  # beyond the sweep's 3 chunks
    shutil.copy(other.chunk_path(0), store.root / "chunks" / "foreign.parquet")
    with pytest.warns(UserWarning, match="ignoring 3 files that are not chunks of this sweep"):
        pd.testing.assert_frame_equal(store.frame(), reference[0], check_exact=True)
    with pytest.warns(UserWarning, match="removed 3 files that are not chunks of this sweep"):
        tiny_sweep(store.root)
    assert sorted(p.name for p in (store.root / "chunks").iterdir()) == [f"chunk-00000{i}.parquet" for i in range(3)]


def test_a_chunk_copied_into_another_place_is_refused_naming_it(tmp_path, reference):
    store = fresh(tmp_path, reference)
    shutil.copy(store.chunk_path(0), store.chunk_path(2))
    with pytest.raises(DezsimError, match=r"chunk-000002.parquet: holds the runs of chunk 0, not of chunk 2"):
        store.frame()
    pd.testing.assert_frame_equal(tiny_sweep(store.root).frame(), reference[0], check_exact=True)


def test_a_chunk_of_another_calibration_is_refused_naming_the_calibration(tmp_path, reference, monkeypatch):
    store = fresh(tmp_path, reference)
    folder = calibration_copy(tmp_path / "cal")
    ensemble = pd.read_parquet(folder / "ensemble.parquet")
    ensemble.loc[0, "g5_station_cost"] = ensemble.loc[1, "g5_station_cost"]  # refitted: another ensemble
    ensemble.to_parquet(folder / "ensemble.parquet", index=False)
    monkeypatch.setenv("DEZSIM_CALIBRATION", str(folder))
    other = tiny_sweep(tmp_path / "other")
    shutil.copy(other.chunk_path(1), store.chunk_path(1))
    with pytest.raises(DezsimError, match=r"chunk-000001.parquet: a chunk of another sweep \(calibration digest"):
        store.frame()
    with pytest.raises(DezsimError, match=r"holds another sweep .*: calibration digest"):
        tiny_sweep(store.root)  # after `dezsim calibrate`, resuming the old store is refused


def test_a_truncated_chunk_is_one_line(tmp_path, reference):
    store = fresh(tmp_path, reference)
    data = store.chunk_path(0).read_bytes()
    store.chunk_path(0).write_bytes(data[: len(data) // 2])
    with pytest.raises(DezsimError, match=r"chunk-000000.parquet: unreadable \((ArrowInvalid|OSError)"):
        store.frame()


BAD_MANIFEST = r"manifest.json: (not a sweep manifest|unreadable manifest|written by an older dezsim)"


@pytest.mark.parametrize("content", ["[]", "{}", "null", '{"sweep_id": 1}', "{broken"])
def test_a_bad_manifest_is_one_line(tmp_path, reference, content):
    store = fresh(tmp_path, reference)
    store.manifest_path.write_text(content)
    with pytest.raises(DezsimError, match=BAD_MANIFEST) as err:
        store.frame()
    assert "\n" not in str(err.value)
    with pytest.raises(DezsimError, match=BAD_MANIFEST):
        tiny_sweep(store.root)


def test_a_missing_design_is_one_line_and_rewritten_on_resume(tmp_path, reference):
    store = fresh(tmp_path, reference)
    (store.root / "design.parquet").unlink()
    rc, err = cli("discover", str(store.root), "--target", "s001b-020")
    assert rc == 2 and "design.parquet: missing" in err
    pd.testing.assert_frame_equal(tiny_sweep(store.root).frame(), reference[0], check_exact=True)


def test_an_incomplete_store_is_refused_unless_partial(tmp_path, reference):
    store = fresh(tmp_path, reference)
    store.chunk_path(2).unlink()
    with pytest.raises(DezsimError, match=r"incomplete sweep: 8 of 12 runs stored \(1 chunks missing\)"):
        store.frame()
    assert sorted(store.frame(partial=True).run.unique()) == list(range(8))
    rc, err = cli("discover", str(store.root), "--target", "s001b-020")
    assert rc == 2 and "incomplete sweep: 8 of 12 runs stored" in err and "--partial" in err


# --- Store: one writer, two sweeps ----------------------------------------------------------------------------

def test_a_second_writer_is_refused_and_a_stale_lock_taken_over(tmp_path):
    store = Store(tmp_path / "s")
    with store.lock():
        with pytest.raises(DezsimError, match=r"in use by another sweep \(pid \d+ on "):
            tiny_sweep(store.root)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    import socket

    store.lock_path.write_text(json.dumps({"pid": int(dead.stdout), "host": socket.gethostname(), "since": "x"}))
    with pytest.warns(UserWarning, match="took over the lock of pid"):
        tiny_sweep(store.root)
    assert not store.lock_path.exists()
    store.lock_path.write_text(json.dumps({"pid": 1, "host": "elsewhere", "since": "x"}))
    with pytest.raises(DezsimError, match=r"in use by another sweep \(pid 1 on elsewhere .*delete .*\.lock"):
        tiny_sweep(store.root)


def test_two_different_sweeps_on_one_new_folder_never_both_succeed(tmp_path):
    # Both processes meet at a file barrier, then start their sweeps on the same new folder at the same moment.
    code = ("import sys, time, warnings; from pathlib import Path; warnings.simplefilter('ignore'); "
            "from tests.bad_inputs.helpers_b import tiny_sweep; b = Path(sys.argv[3]); "
            "(b / sys.argv[2]).touch(); t = time.time()\n"
            "while len(list(b.iterdir())) < 2 and time.time() - t < 60: time.sleep(0.001)\n"
            "tiny_sweep(sys.argv[1], seed=int(sys.argv[2]), n=16)")
    (tmp_path / "barrier").mkdir()
    procs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path / "s"), str(seed), str(tmp_path / "barrier")],
                              cwd=REPO, stderr=subprocess.PIPE, text=True) for seed in (1, 2)]
    codes = [p.wait(timeout=120) for p in procs]
    errors = [p.stderr.read() for p in procs]
    assert codes.count(0) == 1, errors
    assert "in use by another sweep" in errors[codes.index(1)] or "holds another sweep" in errors[codes.index(1)]
    store = Store(tmp_path / "s")
    assert store.manifest()["design"]["seed"] == (1 if codes[0] == 0 else 2)
    store.frame()  # every chunk verified against the winner's manifest


# --- Sweep requests refused before computing ------------------------------------------------------------------

def test_sweeping_a_parameter_the_scenario_overrides_is_refused_naming_both(tmp_path):
    scen = Scenario(name="plan", end=2022, overrides={"gdp_growth": 0.05})
    with pytest.raises(ConfigError, match=r"--params gdp_growth: scenario 'plan' also sets it "
                                          r"\(overrides.gdp_growth\)"):
        tiny_sweep(tmp_path / "s", scenario=scen)
    rc, err = cli("sweep", "--out", str(tmp_path / "c"), "--design", "lhs", "--params", "policy_free_diagnosis",
                  "--set", "overrides.policy_free_diagnosis=1", "-n", "4")
    assert rc == 2 and "policy_free_diagnosis" in err and "overrides.policy_free_diagnosis" in err
    assert not (tmp_path / "c").exists()


@pytest.mark.parametrize("option, value, hint", [("--indicators", "gpd", "did you mean 'gdp'"),
                                                 ("--regions", "suzhuo", "did you mean 'suzhou'")])
def test_a_typo_in_what_to_keep_is_one_line_before_computing(tmp_path, option, value, hint):
    rc, err = cli("sweep", "--out", str(tmp_path / "s"), "-n", "4", "--no-agents", option, value)
    assert rc == 2 and f"{option} '{value}'" in err and hint in err
    assert not (tmp_path / "s").exists()


def test_an_agent_indicator_without_agents_is_refused(tmp_path):
    rc, err = cli("sweep", "--out", str(tmp_path / "s"), "-n", "4", "--no-agents", "--indicators",
                  "smart_workshops", "--executor", "inprocess")
    assert rc == 2 and "'smart_workshops': not produced by these runs" in err


@pytest.mark.parametrize("args", [["-n", "1e9"], ["-n", "1000000000", "--indicators", "gdp", "--regions", "suzhou"],
                                  ["--design", "sobol", "--params", "gdp_growth", "-n", "1e9"]])
def test_a_huge_sweep_is_refused_naming_the_estimate_without_allocating(tmp_path, args):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rc, err = cli("sweep", "--out", str(tmp_path / "s"), *args)
    assert rc == 2 and "GiB" in err and "1,000,000,000" in err
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak < 512 * 1024  # KiB: nothing big allocated


def test_a_design_larger_than_a_share_of_memory_is_refused(monkeypatch):
    import psutil

    class Tiny:
        available = 2**20

    monkeypatch.setattr(psutil, "virtual_memory", lambda: Tiny())
    with pytest.raises(ConfigError, match=r"the design of 200,000 runs needs 0.00 GiB .*of the 0.00 GiB available"):
        make("lhs", ["gdp_growth"], 100_000 * 2, 0)


# --- Sensitivity: reproducible intervals ----------------------------------------------------------------------

@pytest.mark.parametrize("method, analyse", [("sobol", sobol_indices), ("morris", morris_indices)])
def test_sensitivity_intervals_are_identical_on_repeated_calls_with_seed_0(tmp_path, method, analyse):
    store = tiny_sweep(tmp_path / "s", method, n=16, chunk=100)
    assert store.manifest()["seed"] == 0
    first = analyse(store, "gdp", "suzhou")
    np.random.seed(12345)  # SALib falls back to the global RNG when given seed 0
    np.random.random(1000)
    pd.testing.assert_frame_equal(analyse(store, "gdp", "suzhou"), first, check_exact=True)
