"""Door: output paths. Checked before the work (one line, nothing computed); every file written atomically."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from dezsim.base import atomic
from dezsim.base.errors import OutputError
from dezsim.cli import app

from .helpers import one_line_error, runner


@pytest.fixture
def no_work(monkeypatch):
    """Fail the test if a simulation starts: path errors must come before the work."""
    import dezsim.model.simulate

    def refuse(*args, **kwargs):
        raise AssertionError("the simulation ran before the output path was checked")

    monkeypatch.setattr(dezsim.model.simulate, "run", refuse)


def bad_paths(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    return {"missing folder": (tmp_path / "missing" / "r.parquet", r"folder .*missing does not exist"),
            "file as folder": (a_file / "r.parquet", r"a_file is a file, not a folder"),
            "read-only (/proc)": (Path("/proc/dezsim-r.parquet"), r"folder /proc is not writable"),
            "a folder": (tmp_path, r"is a folder; allowed: a file path")}


@pytest.mark.parametrize("case", ["missing folder", "file as folder", "read-only (/proc)", "a folder"])
def test_run_out_is_checked_before_the_work(tmp_path, no_work, case):
    path, pattern = bad_paths(tmp_path)[case]
    one_line_error(["run", "--runs", "1", "--out", path], r"--out .*" + pattern)


@pytest.mark.parametrize("case", ["missing folder", "file as folder", "read-only (/proc)", "a folder"])
def test_hindcast_json_is_checked_before_the_work(tmp_path, no_work, case):
    path, pattern = bad_paths(tmp_path)[case]
    observed = tmp_path / "obs.csv"
    observed.write_text("region,indicator,unit,year,value\nsuzhou,gdp,100m_yuan,2021,22718\n", encoding="utf-8")
    one_line_error(["hindcast", "--observed", observed, "--json", path], r"--json .*" + pattern)


def test_reach_out_is_checked_before_the_work(tmp_path, no_work):
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    one_line_error(["reach", "--out", a_file], r"--out .*a_file: is a file; allowed: a folder")
    one_line_error(["reach", "--out", a_file / "sub"], r"a_file is a file; allowed: a folder")
    one_line_error(["reach", "--out", "/proc/dezsim-report"], r"folder /proc is not writable")


def test_calibrate_refuses_an_unwritable_calibration_folder(tmp_path, monkeypatch):
    import dezsim.calibration.calibrate as C

    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    monkeypatch.setattr(C, "ROOT", a_file)
    monkeypatch.setattr(C, "calibrate", lambda *a, **k: pytest.fail("calibrated before checking the folder"))
    one_line_error(["calibrate"], r"calibration folder .*a_file: is a file")


def full_disk(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "x.json"
    target.write_text("old", encoding="utf-8")
    monkeypatch.setattr(atomic.os, "fsync", full_disk)
    with pytest.raises(OutputError, match=r"x.json: cannot write \(No space left on device\); any previous file"):
        atomic.atomic_write_text(target, "new" * 1000)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]


def test_an_interrupted_writer_keeps_the_old_file(tmp_path):
    target = tmp_path / "x.csv"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt), atomic.atomic_path(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise KeyboardInterrupt
    assert target.read_text(encoding="utf-8") == "old" and len(list(tmp_path.iterdir())) == 1


def test_run_out_on_a_full_disk_keeps_the_old_results(tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    old = tmp_path / "r.parquet"
    old.write_bytes(b"previous results")
    real = pq.write_table

    def write_half_then_fail(table, where, *args, **kwargs):
        Path(where).write_bytes(b"PAR1 half a file")
        full_disk()

    monkeypatch.setattr(pq, "write_table", write_half_then_fail)
    one_line_error(["run", "--runs", "1", "--no-agents", "--out", old],
                   r"r.parquet: cannot write \(No space left on device\); any previous file there is unchanged")
    assert old.read_bytes() == b"previous results" and [p.name for p in tmp_path.iterdir()] == ["r.parquet"]
    monkeypatch.setattr(pq, "write_table", real)
    result = runner.invoke(app, ["run", "--runs", "1", "--no-agents", "--out", str(old)])
    assert result.exit_code == 0, result.output
    assert pq.read_table(old).num_rows > 0


def test_report_files_are_replaced_atomically(tmp_path, monkeypatch):
    """A figure failing half-way (full disk) leaves the previous report's files as they were."""
    import matplotlib.figure

    from dezsim.model.simulate import run
    from dezsim.outputs import report

    out = tmp_path / "rep"
    (out / "figures").mkdir(parents=True)
    (out / "reach.csv").write_text("old", encoding="utf-8")
    (out / "figures" / "fan_gdp.png").write_bytes(b"old png")

    def half_then_full(self, where, *args, **kwargs):
        Path(where).write_bytes(b"\x89PNG half")
        full_disk()

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", half_then_full)
    from dezsim.data.loader import load
    from dezsim.targets.reach import reachability
    from dezsim.targets.views import views

    ds = load()
    results = run(runs=1, agents=None)
    reach = views(reachability(results, ds), ds, 0)
    with pytest.raises(OutputError, match=r"overview.png: cannot write \(No space left on device\)"):
        report.write(out, results, reach, None, ds, {})
    assert (out / "figures" / "fan_gdp.png").read_bytes() == b"old png"
    assert sorted(p.name for p in (out / "figures").iterdir()) == ["fan_gdp.png"]
