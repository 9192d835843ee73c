"""Dashboard answer time: how long the app's engine takes to simulate and assess one city after a lever moves.

The dashboard recomputes a city (here Suzhou, 100 coupled runs) on every slider change; this times the same call
the page makes (:meth:`dezsim.outputs.app.model.Engine.evaluate`) for new lever values, once warm (kernels compiled,
data loaded, baseline cached). Figures are drawn after it (about 0.4 s, not timed here). Medians over the
moves; ``--json PATH`` writes ``app_suzhou_100_runs_s`` (median) and the individual times.

Usage: python benchmarks/bench_app.py [--runs 100] [--moves 7] [--json PATH] [--quick]
"""

from __future__ import annotations

import argparse
import json
import statistics

from dezsim.data.loader import load
from dezsim.model.params import BY_NAME
from dezsim.outputs.app.model import Engine

LEVER = "policy_capex_subsidy"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--moves", type=int, default=7)
    parser.add_argument("--json", default=None)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, seconds: a smoke test (same JSON keys; never quote its figures)")
    args = parser.parse_args()
    if args.quick:
        args.runs, args.moves = 10, 2
    engine = Engine(load(), runs=args.runs)
    engine.evaluate("baseline.yaml", "suzhou", {})  # warm: compile, load, cache the baseline
    lo, hi = BY_NAME[LEVER].bounds
    values = [lo + (hi - lo) * (i + 1) / args.moves for i in range(args.moves)]  # each a new (uncached) setting
    times = [engine.evaluate("baseline.yaml", "suzhou", {LEVER: v}).seconds for v in values]
    median = statistics.median(times)
    print(f"Suzhou, {args.runs} coupled runs, one lever moved: median {median:.2f} s per answer "
          f"(min {min(times):.2f}, max {max(times):.2f}; {args.moves} moves)")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({f"app_suzhou_{args.runs}_runs_s": median, "times_s": times}, fh, indent=2)


if __name__ == "__main__":
    main()
