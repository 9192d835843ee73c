"""Shared helpers of the calibration, results/store and Dask catalogues: a one-line CLI call and a tiny sweep."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from dezsim.calibration.calibrate import ROOT
from dezsim.model.config import Scenario
from dezsim.sweep import Outputs, make, run_sweep

KEEP = Outputs(("gdp",), ("suzhou",))
PARAMS = ["gdp_growth", "g5_bass_q"]


def cli(*args: str) -> tuple[int, str]:
    """Run ``dezsim ARGS`` in-process; (exit code, stderr). Asserts a failure prints one line, no traceback."""
    from dezsim.cli import app

    result = CliRunner().invoke(app, list(args))
    err = result.stderr.strip()
    if result.exit_code != 0:
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return result.exit_code, err


def tiny_sweep(out: Path, method: str = "lhs", n: int = 12, seed: int = 3, chunk: int = 4, **kw):
    """A sweep of a few SD-only runs to 2022 keeping one series (well under a second)."""
    params = PARAMS if method != "mc" else []
    design = kw.pop("design", None)
    design = make(method, params, n, seed) if design is None else design
    spec = {"method": method, "params": params, "n": n, "seed": seed}
    return run_sweep(kw.pop("scenario", Scenario(name="t", end=2022)), design, out, seed=kw.pop("run_seed", 0),
                     agents=None, outputs=kw.pop("outputs", KEEP), chunk_size=chunk,
                     executor=kw.pop("executor", "inprocess"), design_spec=spec, **kw)


def calibration_copy(dest: Path) -> Path:
    """A writable copy of calibration/ (ensemble and manifest)."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("ensemble.parquet", "ensemble.json"):
        shutil.copy(ROOT / name, dest / name)
    return dest
