"""Wall time of the lever search and of ``compare`` with 1 and 2 worker processes (``--workers``).

The lever search is the report's: every lever point (5 levers x 3 intensities, 40 runs each, the default
``--lever-runs``) for the baseline's targets below p = 0.8, starting from the baseline's own runs. ``compare`` runs
the baseline and one scenario file at 100 runs each (its default). With 1 worker everything runs in this process
and the compiled kernels use every core; with 2, each worker process uses half of them. Each timing includes the
workers' start (a fresh pool per call, as a user's call makes). The tables are checked equal across worker counts.

Medians over repeats; ``--json PATH`` writes ``lever_search_s_1_worker``, ``lever_search_s_2_workers``,
``lever_search_speedup_2_processes``, ``compare_s_1_worker``, ``compare_s_2_workers`` and
``compare_speedup_2_processes`` (speed-up: time with 1 worker over time with 2).

Usage: python benchmarks/bench_workers.py [--repeats 3] [--json PATH] [--quick]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import pandas as pd


def _timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main() -> None:
    import dezsim
    from dezsim.data.loader import load
    from dezsim.model.config import SCENARIOS, Scenario
    from dezsim.outputs.compare import compare
    from dezsim.targets import levers as L
    from dezsim.targets.reach import LIKELY, reachability

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", default=None)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, seconds: a smoke test (same JSON keys; "
                                                             "never quote its figures)")
    args = parser.parse_args()
    scen = Scenario(name="baseline", regions=["taicang"]) if args.quick else Scenario(name="baseline")
    lever_runs, compare_runs = (4, 4) if args.quick else (40, 100)
    repeats = 1 if args.quick else args.repeats
    ds = load()
    base = dezsim.run(scen, runs=lever_runs, seed=0, data=ds)  # also compiles the kernels before any timing
    reach = reachability(base, ds)
    below = reach[reach.assessed & (reach.p_reach < LIKELY)].target_id.tolist()
    files = [scen, SCENARIOS / "wuxi_style_support.yaml"] if not args.quick else [
        scen, scen.model_copy(update={"name": "more5g", "overrides": {"g5_capex_share_gdp": 0.008}})]
    times: dict[str, list[float]] = {k: [] for k in ("lever_1", "lever_2", "compare_1", "compare_2")}
    tables: dict[str, pd.DataFrame] = {}
    for _ in range(repeats):
        for w in (1, 2):
            t, tables[f"lever_{w}"] = _timed(lambda w=w: L.search(scen, ds, below, lever_runs, 0, base=base, workers=w))
            times[f"lever_{w}"].append(t)
            t, out = _timed(lambda w=w: compare(files, runs=compare_runs, seed=0, data=ds, workers=w))
            tables[f"compare_{w}"] = out.table
            times[f"compare_{w}"].append(t)
    pd.testing.assert_frame_equal(tables["lever_1"], tables["lever_2"])
    pd.testing.assert_frame_equal(tables["compare_1"], tables["compare_2"])
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"lever search ({len(below)} targets, 15 points x {lever_runs} runs): 1 worker {med['lever_1']:.1f} s, "
          f"2 workers {med['lever_2']:.1f} s, speed-up {med['lever_1'] / med['lever_2']:.2f}x")
    print(f"compare (2 scenarios x {compare_runs} runs): 1 worker {med['compare_1']:.1f} s, 2 workers "
          f"{med['compare_2']:.1f} s, speed-up {med['compare_1'] / med['compare_2']:.2f}x")
    print("(tables equal for 1 and 2 workers)")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"lever_search_s_1_worker": med["lever_1"], "lever_search_s_2_workers": med["lever_2"],
                       "lever_search_speedup_2_processes": med["lever_1"] / med["lever_2"],
                       "compare_s_1_worker": med["compare_1"], "compare_s_2_workers": med["compare_2"],
                       "compare_speedup_2_processes": med["compare_1"] / med["compare_2"]}, f, indent=2)


if __name__ == "__main__":  # worker processes are spawned: they import this file without running it
    main()
