"""Plotting helpers: draw into a given axes, return the Figure, never switch the caller's backend."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from dezsim.model.results import Results
from dezsim.outputs import plots


def _results(runs: int = 5) -> Results:
    years = list(range(2020, 2026))
    values = np.arange(runs, dtype=float)[:, None, None] + np.array(years, dtype=float)[None, None, :]
    design = pd.DataFrame({"run": range(runs), "seed": 0})
    return Results.from_arrays("s", {"gdp": values}, ["suzhou"], years, design, {})


def test_fan_chart_draws_into_the_given_axes_and_returns_its_figure():
    fig = Figure()
    ax = fig.add_subplot()
    out = plots.fan_chart(_results(), "gdp", "suzhou", ax=ax, unit="1e8 yuan")
    assert out is fig
    median = ax.lines[0].get_ydata()
    assert np.allclose(median, np.arange(2020, 2026) + 2.0)  # runs 0..4 offset the year: median offset 2
    assert ax.get_ylabel() == "1e8 yuan"


def test_fan_chart_marks_level_targets():
    reach = pd.DataFrame({"target_id": ["t1"], "region": ["suzhou"], "indicator": ["gdp"], "year": [2025],
                          "relation": [">="], "threshold": [2030.0], "assessed": [True], "reading": ["level"],
                          "relative_to": [None]})
    fig = plots.fan_chart(_results(), "gdp", "suzhou", reach)
    marks = [ln for ln in fig.axes[0].lines if ln.get_label() == "target t1"]
    assert len(marks) == 1 and marks[0].get_xydata().tolist() == [[2025.0, 2030.0]]


def test_delta_plot_one_dot_per_scenario_and_target(tmp_path):
    table = pd.DataFrame({"scenario": ["b", "b", "c", "c"], "target_id": ["x", "y", "x", "y"],
                          "plan": ["p1", "p2", "p1", "p2"], "delta": [0.1, -0.2, 0.3, np.nan],
                          "delta_low": [0.0, -0.3, 0.2, np.nan], "delta_high": [0.2, -0.1, 0.4, np.nan]})
    fig = plots.delta_plot(table)
    assert isinstance(fig, Figure)
    dots = sorted(float(x) for ln in fig.axes[0].lines for x in ln.get_xdata() if ln.get_marker() == "o")
    assert dots == pytest.approx([-0.2, 0.1, 0.3])
    assert plots.save(fig, tmp_path / "d.png").stat().st_size > 0


def test_plots_never_switch_the_backend(tmp_path):
    code = ("import matplotlib; matplotlib.use('svg'); import dezsim.outputs.plots as p, dezsim.outputs.report, dezsim.calibration.calibrate; "
            "import dezsim.sweep.analysis; import pandas as pd; "
            "t = pd.DataFrame({'baseline': ['a'], 'data': [1.0], 'median': [1.1], 'q10': [0.9], 'q90': [1.2]}); "
            f"p.save(p.fit_plot(t), r'{tmp_path / 'f.png'}'); print(matplotlib.get_backend())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "svg"
    assert (tmp_path / "f.png").stat().st_size > 0


def test_no_module_calls_matplotlib_use():
    from pathlib import Path

    root = Path(plots.__file__).resolve().parents[1]
    offenders = [p for p in root.rglob("*.py") if "matplotlib.use(" in p.read_text(encoding="utf-8")]
    assert offenders == []
