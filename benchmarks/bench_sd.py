"""Member-runs per second of the full SD core (all leaf regions, 2020-2025, monthly steps).

Prints, for ensemble sizes 1, 1,000 and 10,000, the median over repeats of the vectorised core, and in the
same run a plain per-run Python loop over the same equations (the numpy reference engine with an ensemble
of one, called once per member);
the ratio is vectorised / loop throughput. ``--json PATH`` also writes the headline figures.

Usage: python benchmarks/bench_sd.py [--method rk4|euler] [--repeats 3] [--json PATH] [--quick]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from dezsim.data.loader import load
from dezsim.model.config import Scenario
from dezsim.model.sd.model import Horizon, run_core
from dezsim.model.simulate import draw_design, initial_stocks, parameter_arrays


def inputs(runs: int):
    ds = load()
    leaves = ds.leaves()
    par = parameter_arrays(draw_design(runs, 0), Scenario(name="bench"), ds, leaves)
    return par, initial_stocks(ds, leaves), len(leaves)


def median_seconds(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--method", default="rk4", choices=["rk4", "euler"])
    parser.add_argument("--engine", default="numba", choices=["numba", "numpy"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--loop-runs", type=int, default=50, help="members timed in the per-run loop")
    parser.add_argument("--json", default=None)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, seconds: a smoke test (same JSON keys; never quote its figures)")
    args = parser.parse_args()
    sizes = {1: 1, 1000: 100, 10000: 1000} if args.quick else {1: 1, 1000: 1000, 10000: 10000}  # key -> members
    if args.quick:
        args.repeats, args.loop_runs = 1, 5
    horizon = Horizon(steps_per_year=12, method=args.method, engine=args.engine)
    loop_horizon = Horizon(steps_per_year=12, method=args.method, engine="numpy")
    run_core(*inputs(2)[:2], horizon)  # warm-up: compile the sympy functions
    rates = {}
    for key, n in sizes.items():
        par, init, n_regions = inputs(n)
        secs = median_seconds(lambda par=par, init=init: run_core(par, init, horizon), args.repeats)
        rates[key] = n / secs
        print(f"vectorised  ensemble {n:>6}: {secs * 1e3:9.1f} ms  {n / secs:>11,.0f} member-runs/s "
              f"({n_regions} regions, {horizon.n_years} years, {horizon.steps_per_year} steps/yr, {args.method}, "
              f"{args.engine})")
    par, init, _ = inputs(args.loop_runs)
    members = [{k: v[i:i + 1] for k, v in par.items()} for i in range(args.loop_runs)]
    secs = median_seconds(lambda: [run_core(m, init, loop_horizon) for m in members], args.repeats)
    loop_rate = args.loop_runs / secs
    ratio = rates[10000] / loop_rate
    print(f"per-run loop ({args.loop_runs} members, numpy reference, one member per call): "
          f"{loop_rate:,.0f} member-runs/s")
    print(f"ratio vectorised(10,000) / loop: {ratio:,.0f}x")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"member_runs_per_s_10000": rates[10000], "loop_runs_per_s": loop_rate, "ratio": ratio,
                       "member_runs_per_s_1000": rates[1000], "member_runs_per_s_1": rates[1],
                       "method": args.method, "engine": args.engine}, f, indent=2)


if __name__ == "__main__":
    main()
