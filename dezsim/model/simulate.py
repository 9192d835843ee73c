"""run(scenario, runs, seed) -> Results: the top-level pipeline, readable on one screen."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from dezsim.base.errors import ConfigError
from dezsim.base.memo import per_dataset
from dezsim.base.progress import ProgressArg, steps
from dezsim.base.seeding import component_rng, root_sequence
from dezsim.base.version import __version__
from dezsim.data.dataset import Dataset
from dezsim.data.loader import load
from dezsim.model import budget, coupling, process_noise
from dezsim.model import params as P
from dezsim.model.agent_memo import memoised_agents
from dezsim.model.abm import recognition
from dezsim.model.config import Scenario, load_scenario
from dezsim.model.coupling import AgentSettings
from dezsim.model.origin import BASE_ORIGIN, simulated_indicators
from dezsim.model.results import Results
from dezsim.model.scenario_checks import check_settings_simulated
from dezsim.model.sd.initial import available_origins, initial_table, origin_problem, seeded
from dezsim.model.sd.model import Horizon, Initial
from dezsim.model.sd.outputs import indicators, output_regions


def run(scenario: Scenario | str | Path | None = None, runs: int = 100, seed: int | None = 0, *,
        central: bool = False, agents: AgentSettings | None = AgentSettings(), calibrated: bool = True,
        data: Dataset | None = None, progress: ProgressArg = False, noise: bool = True) -> Results:
    """Simulate an ensemble of ``runs`` parameter sets under ``scenario``.

    Parameters
    ----------
    scenario : Scenario, path or None
        A scenario or its YAML file; None is the baseline (no overrides).
    runs : int
        Ensemble size (>= 1). Run k draws its parameters from its own stream, so results for run k do not
        depend on ``runs``.
    seed : int or None
        Root seed; None draws fresh entropy, recorded in the provenance.
    central : bool
        Ignore uncertainty: one run at the parameters' defaults (``runs`` must be 1).
    agents : AgentSettings or None
        Couple the firm and district agents (default); None runs the SD core alone, with transformation
        demand from the scenario. From an origin before 2020 (the scenario's ``start``) the SD core always runs
        alone: the agents start from the end-2020 lists (:mod:`dezsim.model.origin`); the provenance says so.
    calibrated : bool
        Draw each run's parameters from the calibrated ensemble in ``calibration/`` (default) rather than
        from the declared prior distributions.
    data : Dataset, optional
        Loaded data/ (default: this checkout's).
    progress : bool or callable
        True shows a progress bar over the simulated years (terminal or Jupyter); a callable is called as
        ``progress(done, total)``. Off by default.
    noise : bool
        Process noise (regional growth offsets, yearly shocks, drawn 2020 allocations; see
        :mod:`dezsim.model.process_noise`), on by default; False turns it off, as does ``noise: false`` in the
        scenario (parameter uncertainty only).
    """
    scen = as_scenario(scenario)
    scen = scen if noise else scen.model_copy(update={"noise": False})
    coupled = agents is not None and scen.start != BASE_ORIGIN
    agents = None if scen.start != BASE_ORIGIN else agents
    ds = data if data is not None else _data()
    check_settings_simulated(scen, ds)  # an override for a region not simulated would be dropped silently
    check_origin_data(scen, ds)
    if isinstance(runs, (int, np.integer)) and not isinstance(runs, bool) and runs >= 1:
        budget.check(request_size(int(runs), scen, ds, agents))  # before anything is allocated
    entropy = int(root_sequence(seed).entropy)
    ensemble, calibration = calibrated_ensemble(ds, scen.start) if calibrated and not central else (None, None)
    design = draw_design(runs, entropy, central, ensemble)
    with steps(progress, scen.end - scen.start, f"simulating {scen.name} ({runs} runs)") as done:
        left = {"agents_left_out": f"origin {scen.start}: the agents start from end-{BASE_ORIGIN}"} if coupled else {}
        return simulate_design(scen, design, entropy, ds, agents,
                               {"runs": runs, "central": central, "calibration": calibration} | left, on_year=done)


def request_size(runs: int, scen: Scenario, ds: Dataset, agents: AgentSettings | None) -> budget.Request:
    """The dimensions that set a request's memory (agents at the parameters' defaults)."""
    from dezsim.model.abm.population import counts
    from dezsim.model.sd.outputs import INDICATORS

    leaves = scenario_leaves(scen, ds)
    regions, _ = output_regions(ds, leaves, tuple(scen.regions))
    per_run = 0
    if agents is not None:
        above, smes = counts(initial_stocks(ds, leaves, scen.start, tuple(scen.regions)).gdp, P.defaults())
        per_run = int((above / agents.spec.above_weight + smes / agents.spec.sme_weight).sum())
    return budget.Request(runs, len(leaves), len(regions), scen.end - scen.start + 1, len(INDICATORS), per_run)


def check_origin_data(scen: Scenario, ds: Dataset) -> None:
    """A one-line :class:`ConfigError` when the data cannot start the scenario's regions from its ``start``,
    naming why and the origins they can start from."""
    if scen.start == BASE_ORIGIN or not origin_problem(ds, scen.start, tuple(scen.regions)):
        return
    why = available_origins(ds, tuple(scen.regions))  # only to name the allowed starts
    if why[scen.start]:
        ok = ", ".join(str(y) for y, reason in why.items() if not reason)
        raise ConfigError(f"scenario {scen.name!r}: start = {scen.start} for regions {scen.regions}: "
                          f"{why[scen.start]}; allowed: start = {ok}")


def scenario_leaves(scen: Scenario, ds: Dataset) -> list[str]:
    """Leaf regions the scenario simulates (every leaf under each of its ``regions``).

    Raises :class:`ConfigError` for a region not modelled (``modelled`` false in data/regions.csv) or listed
    with one of its ancestors or descendants: its leaves would be simulated twice and its parent's totals mixed.
    """
    modelled = ds.regions.loc[ds.regions.modelled, "code"].tolist()
    where = f"scenario {scen.name!r}: regions = {scen.regions}"
    for root in scen.regions:
        ds.require_region(root)
        if root not in modelled:
            raise ConfigError(f"{where}: {root!r} is not modelled (data/regions.csv); allowed: "
                              f"{', '.join(modelled)}")
    leaves = {root: ds.leaves(root) for root in scen.regions}
    for a in scen.regions:
        for b in scen.regions:
            if a != b and set(leaves[b]) <= set(leaves[a]):
                raise ConfigError(f"{where}: {b!r} lies inside {a!r} (it would be simulated twice); "
                                  f"allowed: regions that do not overlap (list {a!r} alone)")
    return [leaf for root in scen.regions for leaf in leaves[root]]


def simulate_design(scen: Scenario, design: pd.DataFrame, seed: int, ds: Dataset, agents: AgentSettings | None,
                    provenance: dict | None = None, on_year: Callable[[int], None] | None = None) -> Results:
    """Simulate the runs of ``design`` (one row per run: its id, seed and every parameter) under ``scen``.

    Run k's agents draw from the stream of (``seed``, run k) only, so a run's result does not depend on which
    other runs are simulated with it (the basis of chunked sweeps). ``on_year(k)`` is told when simulated year
    k (0-based) starts, for progress. With ``scen.noise`` the process noise of these runs (drawn by their
    global ids) is wired in: growth offsets here, drawn 2020 stocks and yearly shocks in :func:`simulate_raw`.
    """
    leaves = scenario_leaves(scen, ds)
    horizon = Horizon(scen.start, scen.end, scen.steps_per_year, scen.method)
    noise = (process_noise.draw(ds, leaves, design, seed, horizon.n_years, scen.start, tuple(scen.regions))
             if scen.noise else None)
    par = parameter_arrays(design, scen, ds, leaves, noise.offsets if noise else None)
    clipped = par.pop(CLIPPED, {})
    raw = simulate_raw(par, ds, leaves, design, seed, horizon, agents, _ticking(schedule(scen, ds, leaves), on_year),
                       noise, tuple(scen.regions))
    regions, member = output_regions(ds, leaves, tuple(scen.regions))
    meta = {"code_version": code_version(), "data_hash": ds.digest, "seed": seed, "scenario": scen.model_dump(),
            "agents": None if agents is None else repr(agents),
            "noise": {"on": noise is not None, "offsets_clipped": clipped, "offset_cells": len(design) * len(leaves)}
            } | (provenance or {})
    arrays = indicators(raw, member)
    have = seeded(ds, scen.start, tuple(scen.regions))
    arrays = {name: arrays[name] for name in simulated_indicators(scen.start, list(arrays), have)}
    return Results.from_arrays(scen.name, arrays, regions, horizon.years, design, meta | {"origin": scen.start})


def simulate_raw(par: dict[str, np.ndarray], ds: Dataset, leaves: list[str], design: pd.DataFrame, seed: int,
                 horizon: Horizon, agents: AgentSettings | None,
                 yearly: Callable[[int, dict], dict] | None = None,
                 noise: process_noise.Noise | None = None, roots: tuple[str, ...] = ("jiangsu",)
                 ) -> dict[str, np.ndarray]:
    """Raw leaf outputs (run, region, year) of the SD core, coupled to the agents unless ``agents`` is None.

    ``yearly(k, par) -> par`` applies a scenario's schedules and shocks for simulated year k (from the base
    parameters each year, so nothing accumulates). ``roots`` are the simulated regions (an origin before 2020
    starts from their levels). With ``noise``, its drawn stocks at the origin (run, leaf) replace
    the allocation by key and its yearly shocks are applied after the scenario's (see :class:`CoupledRun`).
    """
    init = initial_stocks(ds, leaves, horizon.start, roots) if noise is None else noise_stocks(noise)
    check_core_below_gdp(par, init, leaves)
    engine = None
    if agents is not None and horizon.start != BASE_ORIGIN:
        raise ConfigError(f"start = {horizon.start}: the agents start from the end-{BASE_ORIGIN} recognised lists "
                          f"(see dezsim.model.origin); allowed: start = {BASE_ORIGIN} with agents, or the SD core "
                          "alone (agents=None, --no-agents)")
    if agents is not None:
        targets = coupling.upgrade_targets(ds, leaves)
        engine = memoised_agents(design, par, init.gdp, targets, seed, agents, horizon.start, coupling.build_agents)
    raw = coupling.CoupledRun(par, init, horizon, engine, yearly, noise).run()
    if engine is None:
        return raw
    # a leaf's recognised lists start at its stated end-2020 figures, as its SD stocks do
    return recognition.anchor_lists(raw, recognition.stated_lists(ds.figures, leaves, horizon.start), leaves)


def _ticking(yearly: Callable[[int, dict], dict] | None, on_year: Callable[[int], None] | None):
    """``yearly`` that also reports the year to ``on_year`` (unchanged when there is nothing to report)."""
    if on_year is None:
        return yearly
    return lambda k, par: (on_year(k), yearly(k, par) if yearly else par)[1]


def schedule(scen: Scenario, ds: Dataset, leaves: list[str]) -> Callable[[int, dict], dict] | None:
    """The scenario's schedules and shocks as ``f(year_index, base_par) -> par`` (None when it has neither)."""
    if not scen.schedules and not scen.shocks:
        return None

    def apply(k: int, base: dict) -> dict:
        year = scen.start + k + 1
        par = dict(base)
        changes = [(name, setting) for name, by_year in scen.schedules.items()
                   for y, setting in sorted(by_year.items()) if y <= year]  # later years overwrite earlier ones
        changes += [(s.parameter, {r: s.value for r in s.regions} if s.regions else s.value)
                    for s in scen.shocks if year in s.years]
        for name, setting in changes:
            par[name] = par[name].copy() if par[name] is base[name] else par[name]
            set_values(par[name], setting, ds, leaves)
        return par

    return apply


def as_scenario(scenario: Scenario | str | Path | None) -> Scenario:
    if scenario is None:
        return Scenario(name="baseline")
    if isinstance(scenario, Scenario):
        return scenario
    return load_scenario(scenario)


@cache
def _data() -> Dataset:
    return load()


def calibrated_ensemble(ds: Dataset, origin: int = BASE_ORIGIN) -> tuple[pd.DataFrame | None, dict | None]:
    """The stored calibrated ensemble of ``origin`` and a provenance summary (None, None when none is stored)."""
    import warnings

    from dezsim.model.calibration_store import MANIFEST, load_ensemble, origin_folder

    stored = load_ensemble(origin_folder(origin))
    if stored is None:
        flag = "" if origin == BASE_ORIGIN else f" --origin {origin}"
        warnings.warn(f"no calibrated ensemble of origin {origin} in calibration/: parameters come from their "
                      f"priors (run `dezsim calibrate{flag}`)", stacklevel=3)
        return None, None
    ensemble, manifest = stored
    if manifest["data_hash"] != ds.digest:
        flag = "" if origin == BASE_ORIGIN else f" --origin {origin}"
        warnings.warn(f"{origin_folder(origin) / MANIFEST.name}: fitted to data hash {manifest['data_hash'][:12]}, "
                      f"but data/ is now {ds.digest[:12]}; re-run `dezsim calibrate{flag}`", stacklevel=3)
    if manifest.get("origin", BASE_ORIGIN) != origin:
        raise ConfigError(f"{MANIFEST.name} of origin {origin}: fitted at origin {manifest.get('origin')}; "
                          f"allowed: the calibration of origin {origin} (run `dezsim calibrate --origin {origin}`)")
    return ensemble, {k: manifest[k] for k in ("data_hash", "code_version", "seed", "size", "method")}


def draw_design(runs: int | Sequence[int], seed: int, central: bool = False,
                ensemble: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per run: ``run``, ``seed`` and a value for every parameter.

    ``runs`` is a count (runs 0..runs-1) or the run ids themselves. With an ``ensemble`` (calibrated parameter
    sets), run k takes the set its own stream picks, uniformly; otherwise it draws every parameter from its prior.
    """
    if not isinstance(runs, (int, np.integer)) or isinstance(runs, bool):
        ids = [int(r) for r in runs]
        return _design_rows(ids, seed, ensemble)
    if runs < 1:
        raise ConfigError(f"runs = {runs!r}: allowed: a whole number >= 1")
    if central:
        if runs != 1:
            raise ConfigError(f"runs = {runs}: a central run is a single run (allowed: 1)")
        return pd.DataFrame([{"run": 0, "seed": seed, **P.defaults()}])
    return _design_rows(range(runs), seed, ensemble)


def _design_rows(ids: Sequence[int], seed: int, ensemble: pd.DataFrame | None) -> pd.DataFrame:
    rngs = [component_rng(seed, "parameters", run=k) for k in ids]
    head = pd.DataFrame({"run": list(ids), "seed": seed})
    if ensemble is None:
        values = pd.DataFrame([{p.name: float(p.draw(rng, 1)[0]) for p in P.PARAMS} for rng in rngs])
        return pd.concat([head, values], axis=1)
    picks = np.array([int(rng.integers(len(ensemble))) for rng in rngs], dtype=int)
    values = ensemble.iloc[picks][[p.name for p in P.PARAMS]].reset_index(drop=True)
    return pd.concat([head.assign(calibration_set=picks), values], axis=1)


def parameter_arrays(design: pd.DataFrame, scen: Scenario, ds: Dataset, leaves: list[str],
                     offsets: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Parameter arrays shaped (run, leaf region) from the design, the regional growth offsets and the
    scenario's overrides.

    ``offsets`` (run, leaf) are added to their growth parameters and clipped to the declared bounds; a
    scenario override of a growth parameter for a region then wins over that region's offset. When offsets are
    given, the count of clipped cells per parameter is returned under the key :data:`CLIPPED` (the caller pops
    it and records it in the provenance, and the report names it among its caveats). Clipping is a declared
    design choice a user cannot act on, so it is counted, never warned about.
    """
    n = len(design)
    par = {p.name: np.repeat(design[p.name].to_numpy(dtype=float)[:, None], len(leaves), axis=1)
           for p in P.PARAMS}
    clipped = process_noise.add_offsets(par, offsets) if offsets is not None else None
    for name, setting in scen.overrides.items():
        set_values(par[name], setting, ds, leaves)
    assert all(a.shape == (n, len(leaves)) for a in par.values())
    return par if clipped is None else par | {CLIPPED: clipped}


#: Key of the clipping counts in :func:`parameter_arrays`'s result (not a parameter).
CLIPPED = "_offsets_clipped"


def noise_stocks(noise: process_noise.Noise) -> Initial:
    """The drawn stocks at the origin (run, leaf) of ``noise`` as the SD core's initial state."""
    s = noise.stocks
    return Initial(gdp=s["gdp"], ei=s["ei_manufacturing_revenue"], sw=s["software_revenue"],
                   g5=s["g5_base_stations"], racks=s["dc_racks"])


def set_values(array: np.ndarray, setting: float | dict[str, float], ds: Dataset, leaves: list[str]) -> None:
    """Write a scenario setting into a (run, leaf) parameter array in place: a number everywhere, or
    ``{region: number}`` in the simulated leaves under each region."""
    if not isinstance(setting, dict):
        array[:] = setting
        return
    for region, value in setting.items():
        ds.require_region(region)
        array[:, [leaves.index(leaf) for leaf in ds.leaves(region) if leaf in leaves]] = value


def check_core_below_gdp(par: dict[str, np.ndarray], init: Initial, leaves: list[str]) -> None:
    """Core value added at the origin (as :func:`dezsim.model.sd.model.initial_state` derives it) must be below GDP
    then: the SD core keeps GDP minus core value added positive from there on (see :mod:`dezsim.model.sd.equations`)."""
    va0 = (1 + par["oc_relative_size"]) * (par["ei_va_ratio"] * init.ei + par["sw_va_ratio"] * init.sw)
    run, leaf = np.unravel_index(np.argmax(va0 / init.gdp), va0.shape)  # init: (leaf,) or drawn (run, leaf)
    gdp = np.broadcast_to(init.gdp, va0.shape)
    if va0[run, leaf] >= gdp[run, leaf]:
        raise ConfigError(f"run {run}, region {leaves[leaf]}: core value added at the origin {va0[run, leaf]:g} >= "
                          f"GDP {gdp[run, leaf]:g} (100m yuan) with ei_va_ratio {par['ei_va_ratio'][run, leaf]:g}, "
                          f"sw_va_ratio {par['sw_va_ratio'][run, leaf]:g}, oc_relative_size "
                          f"{par['oc_relative_size'][run, leaf]:g}; allowed: a core share below 100 % at the origin")


@per_dataset
def initial_stocks(ds: Dataset, leaves: list[str], origin: int = BASE_ORIGIN,
                   roots: tuple[str, ...] = ("jiangsu",)) -> Initial:
    """Stocks per leaf at ``origin`` (see :mod:`dezsim.model.sd.initial` for the derivation); derived once per data,
    leaves and origin (a lever search or a sweep simulates the same leaves many times)."""
    table = initial_table(ds, leaves, origin, roots)
    return Initial(gdp=table["gdp"].to_numpy(), ei=table["ei_manufacturing_revenue"].to_numpy(),
                   sw=table["software_revenue"].to_numpy(), g5=table["g5_base_stations"].to_numpy(),
                   racks=table["dc_racks"].to_numpy())


@cache
def code_version() -> str:
    """Package version plus the git commit when run from a checkout."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=5,
                              cwd=Path(__file__).resolve().parent, check=True).stdout.strip()
        return f"{__version__}+g{head}"
    except (OSError, subprocess.SubprocessError):
        return __version__
