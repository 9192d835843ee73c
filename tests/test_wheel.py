"""A wheel is the whole product: built from this checkout, installed into a fresh virtual environment, and run
from an empty folder with nothing of the checkout beside it, it runs the main job and the other commands.

Slow (a fresh install of every dependency): ``pytest -m slow tests/test_wheel.py``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def _run(args: list, cwd: Path, timeout: int = 900) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEZSIM_")} | {"COLUMNS": "200"}
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    assert done.returncode == 0, f"{args}: exit {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path]:
    """(the fresh environment's bin/ folder, an empty working folder outside the checkout)."""
    root = tmp_path_factory.mktemp("wheel")
    dist = root / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", dist, REPO], cwd=root)
    wheel = next(dist.glob("dezsim-*.whl"))
    _run([sys.executable, "-m", "venv", root / "venv"], cwd=root)
    bin_ = root / "venv" / "bin"
    _run([bin_ / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", wheel], cwd=root)
    work = root / "work"
    work.mkdir()
    return bin_, work


def test_the_wheel_reads_its_own_data_and_calibration(installed):
    bin_, work = installed
    code = ("import dezsim.resources as r; print(r.data_root()); print(r.calibration_root()); "
            "print(r.scenarios_root()); print(r.plans_root())")
    folders = [Path(line) for line in _run([bin_ / "python", "-c", code], cwd=work).stdout.split()]
    assert len(folders) == 4
    for folder in folders:
        assert folder.is_relative_to(bin_.parent) and not folder.is_relative_to(REPO), folder
        assert any(folder.iterdir()), folder
    assert len(list(folders[3].glob("*.txt"))) == 5  # the five plan texts


def test_the_wheel_runs_the_main_job_quietly(installed):
    bin_, work = installed
    done = _run([bin_ / "dezsim", "reach", "--runs", 20, "--lever-runs", 10, "--out", work / "reach"], cwd=work)
    assert not re.search(r"^warning:", done.stdout + done.stderr, flags=re.M), done.stderr
    assert "unique targets" in done.stdout
    assert (work / "reach" / "report.html").stat().st_size > 10_000
    assert (work / "reach" / "reach.csv").read_text(encoding="utf-8").count("\n") > 100


def test_the_wheel_runs_a_scenario_by_its_library_path_checks_data_and_shows_the_app(installed):
    bin_, work = installed
    _run([bin_ / "dezsim", "run", "scenarios/green_data_centres.yaml", "--runs", 4, "--out", work / "r.parquet"],
         cwd=work)
    assert (work / "r.parquet").stat().st_size > 0
    check = _run([bin_ / "dezsim", "data", "check"], cwd=work).stdout
    assert "quotes checked against" in check and "all found" in check and "every quote found" in check
    assert "--port" in _run([bin_ / "dezsim", "app", "--help"], cwd=work).stdout
