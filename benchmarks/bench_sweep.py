"""Sweep throughput and driver overhead: a 10,000-run SD-only sweep and a 1,000-run coupled Suzhou sweep, with
1 and 2 worker processes; peak memory of the 10,000-run sweep.

Driver overhead per run = the driver process's own CPU time (scheduling, receiving and writing chunks; the
simulation runs in the workers) divided by the runs. It mixes a fixed cost (loading data, checking the scenario,
starting the pool, writing the manifest) with the cost per run, so each sweep is also run at half its size and the
marginal overhead is the difference of the two CPU times over the difference of the runs: what one more run costs
the driver. A small warm-up sweep runs first so both sweeps find the same caches; the marginal figure is still a
difference of two noisy times, and at ``--quick`` sizes (runs apart by tens) it can come out at or below zero. Peak memory is the largest resident set of the driver and of any worker. ``--json PATH`` writes the
headline figures.

Usage: python benchmarks/bench_sweep.py [--json PATH] [--quick]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import tempfile
import time
from pathlib import Path

from dezsim.model.config import Scenario
from dezsim.model.coupling import AgentSettings
from dezsim.sweep import Outputs, make, run_sweep

#: What each sweep keeps: the SD core's own indicators, and with the agents one of theirs too.
SD_KEEP = Outputs(("core_industry_share_gdp", "g5_base_stations", "dc_pue_fleet"))
COUPLED_KEEP = Outputs((*SD_KEEP.indicators, "upgraded_firms_share"))


def timed_sweep(scenario: Scenario, runs: int, workers: int, agents, chunk: int) -> dict:
    out = Path(tempfile.mkdtemp(prefix="dezsim-bench-")) / "store"
    before = time.process_time()
    start = time.perf_counter()
    run_sweep(scenario, make("mc", [], runs, 0), out, seed=0, agents=agents, outputs=COUPLED_KEEP if agents is not None else SD_KEEP, chunk_size=chunk,
              executor="processes", workers=workers)
    wall = time.perf_counter() - start
    # process_time is the driver's own CPU (user + system, nanosecond clock); the workers' CPU is not in it.
    cpu = time.process_time() - before
    shutil.rmtree(out.parent)
    return {"runs": runs, "workers": workers, "seconds": wall, "runs_per_s": runs / wall,
            "overhead_us_per_run": cpu / runs * 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", default=None)
    parser.add_argument("--quick", action="store_true", help="a fiftieth of the runs: a smoke test (same JSON keys; "
                                                              "never quote its figures)")
    args = parser.parse_args()
    scale = 50 if args.quick else 1
    rows = []
    for workers in (1, 2):
        for label, scen, runs, agents, chunk in (
                ("SD-only", Scenario(name="baseline"), 10_000 // scale, None, 1000 // scale),
                ("coupled Suzhou", Scenario(name="suzhou", regions=["suzhou"]), 1000 // scale, AgentSettings(),
                 50 // scale or 1)):
            timed_sweep(scen, max(runs // 10, 1), workers, agents, chunk)  # warm-up: not recorded
            full = timed_sweep(scen, runs, workers, agents, chunk)
            half = timed_sweep(scen, runs // 2, workers, agents, chunk)
            cpu = (full["overhead_us_per_run"] * full["runs"] - half["overhead_us_per_run"] * half["runs"]) / 1e6
            full["overhead_marginal_us_per_run"] = cpu / (full["runs"] - half["runs"]) * 1e6
            rows.append((label, full))
            print(f"{label:15s} {full['runs']:>6} runs, {workers} worker(s): {full['seconds']:7.1f} s, "
                  f"{full['runs_per_s']:8.1f} runs/s, driver overhead {full['overhead_us_per_run']:6.1f} us/run "
                  f"(marginal {full['overhead_marginal_us_per_run']:6.1f} us/run)")
    driver = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory: driver {driver:.0f} MB, largest worker {workers_peak:.0f} MB")
    if args.json:
        sd2 = [r for label, r in rows if label == "SD-only" and r["workers"] == 2][0]
        c2 = [r for label, r in rows if label == "coupled Suzhou" and r["workers"] == 2][0]
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"overhead_us_per_run": sd2["overhead_us_per_run"], "sd_runs_per_s": sd2["runs_per_s"],
                       "overhead_marginal_us_per_run": sd2["overhead_marginal_us_per_run"],
                       "coupled_overhead_us_per_run": c2["overhead_us_per_run"],
                       "coupled_overhead_marginal_us_per_run": c2["overhead_marginal_us_per_run"],
                       "coupled_suzhou_1000_s_2_workers": c2["seconds"], "peak_driver_mb": driver,
                       "peak_worker_mb": workers_peak, "rows": [dict(r, kind=k) for k, r in rows]}, f, indent=2)


if __name__ == "__main__":
    main()
