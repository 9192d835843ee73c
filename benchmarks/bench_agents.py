"""Nanoseconds per firm-step of the agents: the vectorised engine (one compiled kernel call per year, runs in
parallel) at 10,000 and 100,000 firms, the per-firm Mesa engine at 10,000 firms, and the full coupled run.

A firm-step is one firm's decision in one period (4 periods a year). Figures:

* ``single run``: one run of N firms (one core: the kernel is parallel over runs);
* ``ensemble``: 8 runs of N/8 firms each, as the coupled run steps them (in parallel over runs; shown at
  1,000,000 firms with 1 and 2 threads, ``speedup_2_threads`` being their ratio);
* ``coupled``: ``dezsim.run`` with the default population (about 55,000 firm agents per run), 200 runs,
  end to end (population draws, SD core, outputs) divided by the firm-steps;
* the Mesa engine at 10,000 firms, one year; the ratio is Mesa / vectorised single run at 10,000 firms.

Medians over repeats; ``--json PATH`` writes the headline figures.

Usage: python benchmarks/bench_agents.py [--repeats 3] [--json PATH] [--quick]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time

import numba
import numpy as np

from dezsim.model import params as P
from dezsim.model.abm import population
from dezsim.model.abm.engine import AgentSettings, Setup
from dezsim.model.coupling import build_agents
from dezsim.model.exchange import Observables

FIRM = {p.name: p.default for p in P.AGENT_PARAMS}
WUXI_STYLE = {"policy_free_diagnosis": 1.0, "policy_capex_subsidy": 0.3, "policy_interest_subsidy": 0.019,
              "policy_budget_share_gdp": 0.0005}
GDP = np.linspace(800.0, 4300.0, 12)


def engine_with(n_firms: int, engine: str, runs: int = 1, seed: int = 0):
    """``runs`` runs of about ``n_firms / runs`` agents each, 12 regions, Wuxi-style support (rationing active)."""
    above, smes = population.counts(GDP, FIRM)
    scale = (above.sum() + smes.sum()) / (n_firms / runs)  # same real-firms-per-agent for both kinds
    spec = population.PopulationSpec(above_weight=scale, sme_weight=scale, n_sectors=4)
    rngs = [np.random.default_rng([seed, r]) for r in range(runs)]
    firms = [population.build(GDP, FIRM, rng, spec) for rng in rngs]
    policy = {p.name: np.full((runs, 12), WUXI_STYLE.get(p.name, p.default)) for p in P.POLICY_PARAMS}
    return build_agents(Setup([FIRM] * runs, firms, rngs, policy, [(1.0, 2023)] * 12, AgentSettings(spec, 4, engine)))


def ns_per_firm_step(n_firms: int, engine: str, repeats: int, runs: int = 1, years: int = 5
                     ) -> tuple[float, int, float]:
    """Median over repeats x years of one simulated year's time per firm-step (4 periods a year): wall clock,
    agents, and the process's CPU time per firm-step (on a shared machine the CPU time is the steadier figure;
    with 2 threads it adds both threads' time)."""
    times, cpu, size = [], [], 0
    for r in range(repeats):
        eng = engine_with(n_firms, engine, runs, seed=r)
        size = sum(len(m.firms) for m in eng.models) if engine == "mesa" else len(eng)
        env = Observables(np.full((runs, 12), 0.6), np.tile(GDP, (runs, 1)), np.full((runs, 12), 1.06))
        for _ in range(years):
            start, start_cpu = time.perf_counter(), time.process_time()
            eng.step_year(env)
            times.append((time.perf_counter() - start) / (size * 4) * 1e9)
            cpu.append((time.process_time() - start_cpu) / (size * 4) * 1e9)
    return statistics.median(times), size, statistics.median(cpu)


def coupled(runs: int = 200) -> dict:
    """A default coupled run of ``runs`` runs in a fresh process: seconds, firm agents, ns per firm-step, RSS."""
    code = (
        "import resource, time\n"
        "from dezsim.model.simulate import run\n"
        "run(runs=2, seed=1)\n"  # compile / load the kernels first
        "t = time.perf_counter()\n"
        f"res = run(runs={runs}, seed=0)\n"
        "s = time.perf_counter() - t\n"
        "print(s, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    secs, agents = float(out[0]), agent_count(runs)
    return {"seconds": secs, "agents": agents, "ns_per_firm_step": secs / (agents * 4 * 5) * 1e9,
            "peak_rss_mb": float(out[1])}


def agent_count(runs: int) -> int:
    """Firm agents of the default coupled run of ``runs`` runs (seed 0)."""
    from dezsim.model.abm.engine import setup
    from dezsim.model.simulate import (_data, as_scenario, calibrated_ensemble, draw_design, initial_stocks,
                                 parameter_arrays, scenario_leaves)

    ds, scen = _data(), as_scenario(None)
    leaves = scenario_leaves(scen, ds)
    design = draw_design(runs, 0, ensemble=calibrated_ensemble(ds)[0])
    par = parameter_arrays(design, scen, ds, leaves)
    s = setup(design, par, initial_stocks(ds, leaves).gdp, [None] * len(leaves), 0, AgentSettings())
    return sum(len(f) for f in s.firms)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", default=None)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, seconds: a smoke test (same JSON keys; never quote its figures)")
    args = parser.parse_args()
    # --quick keeps every key but measures a tenth to a fiftieth of each size, once
    small, mid, big_n, cp_runs = (1_000, 5_000, 20_000, 4) if args.quick else (10_000, 100_000, 1_000_000, 200)
    if args.quick:
        args.repeats = 1
    engine_with(1000, "vectorised").step_year(Observables(np.full((1, 12), 0.6), GDP[None], np.ones((1, 12))))
    vec10, n10, cpu10 = ns_per_firm_step(small, "vectorised", args.repeats)
    vec100, n100, cpu100 = ns_per_firm_step(mid, "vectorised", args.repeats)
    ens10, _, _ = ns_per_firm_step(small, "vectorised", args.repeats, runs=8)
    ens100, _, _ = ns_per_firm_step(mid, "vectorised", args.repeats, runs=8)
    big = {}
    threads = numba.get_num_threads()
    for n_threads in sorted({1, min(2, threads)}):  # the parallel loop over runs on 1 and 2 threads
        numba.set_num_threads(n_threads)
        big[n_threads], _, _ = ns_per_firm_step(big_n, "vectorised", args.repeats, runs=8)
    numba.set_num_threads(threads)
    mesa10, _, _ = ns_per_firm_step(small, "mesa", 1, years=1)
    print(f"vectorised, single run {n10:>7} firms: {vec10:8.1f} ns per firm-step (CPU {cpu10:.1f})")
    print(f"vectorised, single run {n100:>7} firms: {vec100:8.1f} ns per firm-step (CPU {cpu100:.1f})")
    print(f"vectorised, 8 runs,   ~{10_000:>7} firms: {ens10:8.1f} ns per firm-step")
    print(f"vectorised, 8 runs,   ~{100_000:>7} firms: {ens100:8.1f} ns per firm-step")
    for n_threads, ns in big.items():
        print(f"vectorised, 8 runs, ~1,000,000 firms, {n_threads} thread(s): {ns:8.1f} ns per firm-step")
    if 2 in big:
        print(f"speed-up from 1 to 2 threads: {big[1] / big[2]:.2f}x")
    print(f"mesa engine            {n10:>7} firms: {mesa10:8.1f} ns per firm-step")
    print(f"ratio mesa / vectorised at 10,000 firms: {mesa10 / vec10:,.0f}x")
    cp = coupled(cp_runs)
    print(f"coupled run, 200 runs x ~{cp['agents'] / 200:,.0f} firm agents, 2020-2025: {cp['seconds']:.1f} s, "
          f"{cp['ns_per_firm_step']:.1f} ns per firm-step end to end, process peak RSS {cp['peak_rss_mb']:.0f} MB")
    print(f"(this process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"ns_per_firm_step_vectorised_100000": vec100, "ns_per_firm_step_mesa_10000": mesa10,
                       "ratio_10000": mesa10 / vec10, "ns_per_firm_step_vectorised_10000": vec10,
                       "ns_per_firm_step_ensemble_10000": ens10, "ns_per_firm_step_ensemble_100000": ens100,
                       "ns_per_firm_step_ensemble_1000000_threads": {str(k): v for k, v in big.items()},
                       "speedup_2_threads": big[1] / big[2] if 2 in big else None,
                       "cpu_ns_per_firm_step_vectorised_100000": cpu100, "cpu_ns_per_firm_step_vectorised_10000": cpu10,
                       "coupled_200_runs_s": cp["seconds"], "coupled_ns_per_firm_step": cp["ns_per_firm_step"],
                       "coupled_200_runs_peak_rss_mb": cp["peak_rss_mb"]}, f, indent=2)


if __name__ == "__main__":
    main()
