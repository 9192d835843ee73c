"""Seconds of the calibration: the whole ``dezsim calibrate`` fit (1,000 sets) and the simulated agent-flow
moments alone (:mod:`dezsim.calibration.calibrate_flows`: one year of Taicang's firms per candidate set, through the
vectorised engine).

Figures, medians over repeats:

* ``calibrate_s``: :func:`dezsim.calibration.calibrate.calibrate` with n = 1,000 (every group, prior draws included);
* ``flow_draws_per_s``: candidate sets whose flow moments are simulated per second (20,000 draws a batch, the
  calibration's batch size), and ``flow_us_per_agent_year``: the same per firm agent and simulated year.

Usage: python benchmarks/bench_calibrate.py [--repeats 3] [--json PATH] [--quick]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np

from dezsim.calibration import calibrate as C
from dezsim.calibration.calibrate_flows import simulate_year
from dezsim.data.loader import load
from dezsim.model import params as P
from dezsim.model.abm import population
from dezsim.model.sd.initial import derive

#: The calibration's batch of candidate sets (dezsim.calibration.calibrate.sample_group's default).
BATCH = 20_000
#: Every parameter the simulated flow moments read (the calibration's own list).
NAMES = C.FLOW_CHAIN_NAMES


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--json", dest="json_path")
    ap.add_argument("--quick", action="store_true", help="tiny sizes, seconds: a smoke test (same JSON keys; never "
                                                          "quote its figures)")
    args = ap.parse_args()
    batch, sets = (1_000, 50) if args.quick else (BATCH, 1000)
    if args.quick:
        args.repeats = 1
    ds = load()
    gdp = float(derive(ds, "gdp").value["taicang"])
    rng = np.random.default_rng(0)
    d = {name: P.BY_NAME[name].draw(rng, batch) for name in NAMES}
    simulate_year({k: v[:50] for k, v in d.items()}, NAMES, gdp, 0.15)  # compile and warm the kernel
    flows, fits = [], []
    for r in range(args.repeats):
        t = time.perf_counter()
        simulate_year({k: v + 0.0 for k, v in d.items()}, NAMES, gdp, 0.15 + 1e-6 * r)
        flows.append(time.perf_counter() - t)
        t = time.perf_counter()
        C.calibrate(ds, n=sets, seed=r)
        fits.append(time.perf_counter() - t)
    spec = population.PopulationSpec()
    above = d["firms_per_gdp"] * gdp  # real firms of each draw (dezsim.model.abm.population.counts)
    agents = float(np.mean(np.rint(above / spec.above_weight)
                           + np.rint(above * d["smes_per_above_scale"] / spec.sme_weight)))
    out = {"calibrate_s": statistics.median(fits), "flow_batch_s": statistics.median(flows),
           "flow_draws_per_s": batch / statistics.median(flows),
           "flow_us_per_agent_year": 1e6 * statistics.median(flows) / (batch * agents),
           "agents_per_draw": agents, "repeats": args.repeats}
    for k, v in out.items():
        print(f"{k:28s} {v:,.3f}" if isinstance(v, float) else f"{k:28s} {v}")
    if args.json_path:
        with open(args.json_path, "w", encoding="utf-8") as f:
            json.dump(out, f, indent=2)


if __name__ == "__main__":
    main()
