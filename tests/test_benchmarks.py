"""Benchmarks cannot rot: every ``benchmarks/bench_*.py`` runs with ``--quick`` (tiny sizes, seconds) and writes
the same JSON keys as a full run, each a finite positive time, rate or size. The figures themselves are never
checked here: speed is measured by the scripts, not by tests.

A marginal figure (``*_marginal_*``) is the difference of two measured CPU times over the difference of their
sizes. At quick sizes the two sweeps are tens of runs apart, so the difference lies within the fixed cost's
run-to-run spread and may be zero or negative: such a key is only required to be finite."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
#: Each script's JSON keys (a full run writes the same; quick sizes are named as the full ones).
KEYS = {
    "bench_agents.py": {"ns_per_firm_step_vectorised_100000", "ns_per_firm_step_mesa_10000", "ratio_10000",
                        "ns_per_firm_step_vectorised_10000", "ns_per_firm_step_ensemble_10000",
                        "ns_per_firm_step_ensemble_100000", "ns_per_firm_step_ensemble_1000000_threads",
                        "cpu_ns_per_firm_step_vectorised_100000", "cpu_ns_per_firm_step_vectorised_10000", "speedup_2_threads",
                        "coupled_200_runs_s", "coupled_ns_per_firm_step", "coupled_200_runs_peak_rss_mb"},
    "bench_app.py": {"app_suzhou_10_runs_s", "times_s"},  # the key names the runs: --quick answers with 10
    "bench_calibrate.py": {"calibrate_s", "flow_batch_s", "flow_draws_per_s", "flow_us_per_agent_year",
                           "agents_per_draw", "repeats"},
    "bench_report.py": {"report_default_s", "report_no_levers_s", "report_default_s_all", "report_no_levers_s_all",
                        "report_peak_rss_mb"},
    "bench_sd.py": {"member_runs_per_s_10000", "loop_runs_per_s", "ratio", "member_runs_per_s_1000",
                    "member_runs_per_s_1", "method", "engine"},
    "bench_sweep.py": {"overhead_us_per_run", "sd_runs_per_s", "coupled_suzhou_1000_s_2_workers", "peak_driver_mb",
                       "peak_worker_mb", "rows", "overhead_marginal_us_per_run", "coupled_overhead_us_per_run",
                       "coupled_overhead_marginal_us_per_run"},
    "bench_workers.py": {"lever_search_s_1_worker", "lever_search_s_2_workers", "lever_search_speedup_2_processes",
                         "compare_s_1_worker", "compare_s_2_workers", "compare_speedup_2_processes"},
}


def _numbers(value, marginal: bool = False) -> list[float]:
    """Every number in a benchmark's JSON, at any depth: those under a ``*_marginal_*`` key if ``marginal``, else
    all the others."""
    if isinstance(value, bool) or isinstance(value, str):
        return []
    if isinstance(value, int | float):
        return [] if marginal else [float(value)]
    if not isinstance(value, dict):
        return [x for item in value for x in _numbers(item, marginal)]
    found = []
    for key, item in value.items():
        if "_marginal_" in key:
            found += _numbers(item) if marginal else []
        else:
            found += _numbers(item, marginal)
    return found


def test_every_benchmark_has_its_quick_test():
    assert {p.name for p in (REPO / "benchmarks").glob("bench_*.py")} == set(KEYS)


@pytest.mark.parametrize("script", sorted(KEYS))
def test_benchmark_runs_quick_and_writes_its_keys(script, tmp_path):
    out = tmp_path / "out.json"
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / script), "--quick", "--json", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip(), "a benchmark prints its figures"
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert set(figures) == KEYS[script]
    numbers = _numbers(figures)
    assert numbers and all(math.isfinite(x) and x > 0 for x in numbers), figures
    assert all(math.isfinite(x) for x in _numbers(figures, marginal=True)), figures
