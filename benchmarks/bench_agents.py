"""Nanoseconds per firm-step of the agents, vectorised engine vs the per-firm Mesa path; peak memory of a
coupled run with about 100,000 firm agents.

A firm-step is one firm's decision in one period (4 periods a year). The Mesa path is timed at 10,000 firms
only (it is the reference for small populations). Medians over repeats; the ratio is Mesa / vectorised at
10,000 firms. ``--json PATH`` writes the headline figures.

Usage: python benchmarks/bench_agents.py [--repeats 3] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time

import numpy as np

from dezsim import params as P
from dezsim.abm import population
from dezsim.abm.model import LadderModel

FIRM = {p.name: p.default for p in P.AGENT_PARAMS}
WUXI_STYLE = {"policy_free_diagnosis": 1.0, "policy_capex_subsidy": 0.3, "policy_interest_subsidy": 0.019,
              "policy_budget_share_gdp": 0.0005}


def model_with(n_firms: int, engine: str, seed: int = 0) -> LadderModel:
    """A 12-region model with about ``n_firms`` agents under Wuxi-style support (budget rationing active)."""
    gdp = np.linspace(800.0, 4300.0, 12)
    above, smes = population.counts(gdp, FIRM)
    scale = (above.sum() + smes.sum()) / n_firms  # same real-firms-per-agent for both kinds
    spec = population.PopulationSpec(above_weight=scale, sme_weight=scale, n_sectors=4)
    rng = np.random.default_rng(seed)
    firms = population.build(gdp, FIRM, rng, spec)
    policy = {p.name: np.full(12, WUXI_STYLE.get(p.name, p.default)) for p in P.POLICY_PARAMS}
    return LadderModel(firms, FIRM, policy, [(1.0, 2023)] * 12, rng, engine, 4, 4)


def ns_per_firm_step(n_firms: int, engine: str, repeats: int, years: int = 5) -> tuple[float, int]:
    """Median over repeats x years of one simulated year's time per firm-step (4 periods a year)."""
    times, size = [], 0
    for r in range(repeats):
        model = model_with(n_firms, engine, seed=r)
        size = len(model.firms)
        gdp, cov, growth = np.linspace(800.0, 4300.0, 12), np.full(12, 0.6), np.full(12, 1.06)
        for _ in range(years):
            start = time.perf_counter()
            model.step_year(cov, gdp, growth)
            times.append((time.perf_counter() - start) / (size * model.steps_per_year) * 1e9)
    return statistics.median(times), size


def coupled_peak_memory() -> dict:
    """Peak memory of one coupled run with ~100,000 firm agents, in a fresh process."""
    code = (
        "import resource, tracemalloc, time\n"
        "from dezsim.simulate import run\n"
        "from dezsim.coupling import AgentSettings\n"
        "from dezsim.abm.population import PopulationSpec\n"
        "tracemalloc.start(); t = time.perf_counter()\n"
        "res = run(runs=1, seed=0, agents=AgentSettings(spec=PopulationSpec(1.2, 11.0, 4)))\n"
        "cur, peak = tracemalloc.get_traced_memory()\n"
        "print(time.perf_counter() - t, peak / 2**20, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    return {"seconds": float(out[0]), "traced_peak_mb": float(out[1]), "peak_rss_mb": float(out[2])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    vec10, n10 = ns_per_firm_step(10_000, "vectorised", args.repeats)
    vec100, n100 = ns_per_firm_step(100_000, "vectorised", args.repeats)
    mesa10, _ = ns_per_firm_step(10_000, "mesa", 1, years=1)
    print(f"vectorised {n10:>7} firms: {vec10:8.1f} ns per firm-step")
    print(f"vectorised {n100:>7} firms: {vec100:8.1f} ns per firm-step")
    print(f"mesa path  {n10:>7} firms: {mesa10:8.1f} ns per firm-step")
    print(f"ratio mesa / vectorised at 10,000 firms: {mesa10 / vec10:,.0f}x")
    mem = coupled_peak_memory()
    print(f"coupled run, ~100,000 firm agents, 2020-2025: {mem['seconds']:.1f} s, traced peak "
          f"{mem['traced_peak_mb']:.0f} MB, process peak RSS {mem['peak_rss_mb']:.0f} MB (Python, numba and libraries "
          "included)")
    print(f"(this process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"ns_per_firm_step_vectorised_100000": vec100, "ns_per_firm_step_mesa_10000": mesa10,
                       "ratio_10000": mesa10 / vec10, "ns_per_firm_step_vectorised_10000": vec10,
                       "coupled_100000_peak_rss_mb": mem["peak_rss_mb"],
                       "coupled_100000_traced_peak_mb": mem["traced_peak_mb"]}, f, indent=2)


if __name__ == "__main__":
    main()
