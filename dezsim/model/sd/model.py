"""Assemble the SD core: state, right-hand side, year-by-year integration, vintage book-keeping, outputs.

The state is one array shaped (stock, run, region) in :data:`dezsim.model.sd.equations.STOCKS` order.
Integration runs one calendar year at a time: within a year the vintage being built is fixed, and at each
year end it joins the earlier vintages (see :mod:`dezsim.model.sd.equations`). Two engines evaluate the same
declarations: ``"numba"`` (compiled per cell from the generated kernel, the default) and ``"numpy"``
(vectorised over cells with the pure step functions of :mod:`dezsim.model.sd.integrate`; the reference).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from dezsim.base.errors import SimulationError
from dezsim.model.exchange import AgentFlows, Observables
from dezsim.model.sd import _kernel_generated as generated
from dezsim.model.sd.integrate import integrate

IDX = {name: i for i, name in enumerate(generated.STOCK_NAMES)}
N_STOCKS = len(generated.STOCK_NAMES)
#: Hours per year, for energy from average load.
HOURS_PER_YEAR = 8760.0
#: kWh per GWh.
KWH_PER_GWH = 1e6
ENGINES = ("numba", "numpy")


@dataclass(frozen=True)
class Horizon:
    """Years ``start`` (initial state, end of year) to ``end``; steps per year; method; engine."""

    start: int = 2020
    end: int = 2025
    steps_per_year: int = 12
    method: str = "rk4"
    engine: str = "numba"

    @property
    def n_years(self) -> int:
        """Number of simulated years after ``start``."""
        return self.end - self.start

    @property
    def years(self) -> list[int]:
        """Recorded year ends, ``start`` included."""
        return list(range(self.start, self.end + 1))


@dataclass(frozen=True)
class Initial:
    """2020 stocks per leaf region (arrays shaped (region,)): GDP, EI and software revenue, 5G, racks."""

    gdp: np.ndarray
    ei: np.ndarray
    sw: np.ndarray
    g5: np.ndarray
    racks: np.ndarray


def it_load_per_rack(par: Mapping[str, np.ndarray], n_vintages: int) -> np.ndarray:
    """IT load per rack (kW) by vintage, shaped (vintage, run, region)."""
    v = np.arange(n_vintages).reshape(-1, 1, 1)
    return par["dc_it_load_2020"][None] * (1 + par["dc_density_growth"][None]) ** v


def initial_state(par: Mapping[str, np.ndarray], init: Initial) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """State at end-2020 and the region constants (gdp_2020, va_2020, racks_2020).

    The other core industries' value added is ``oc_relative_size`` times EI + software value added; the
    patent stock starts on its balanced-growth path (inflow / (lapse + growth)).
    """
    shape = par["gdp_growth"].shape
    ei_sw_va = par["ei_va_ratio"] * init.ei + par["sw_va_ratio"] * init.sw
    va0 = (1 + par["oc_relative_size"]) * ei_sw_va
    x = np.zeros((N_STOCKS, *shape))
    x[IDX["gdp"]], x[IDX["ei"]], x[IDX["sw"]], x[IDX["g5"]] = init.gdp, init.ei, init.sw, init.g5
    x[IDX["oc"]] = par["oc_relative_size"] * ei_sw_va / par["oc_va_ratio"]
    x[IDX["patents"]] = par["patent_rate"] * va0 / (par["patent_lapse"] + par["gdp_growth"])
    x[IDX["rk_old"]] = init.racks
    x[IDX["hk_old"]] = init.racks * par["dc_pue_existing"]
    consts = {"gdp_2020": np.broadcast_to(init.gdp, shape).copy(), "va_2020": va0,
              "racks_2020": np.broadcast_to(init.racks, shape).copy()}
    return x, consts


def _const_args(par, consts) -> list[np.ndarray]:
    return [consts["gdp_2020"], consts["va_2020"], consts["racks_2020"],
            *[par[name] for name in generated.PARAMETER_NAMES]]


def make_rhs(par: Mapping[str, np.ndarray], consts: Mapping[str, np.ndarray],
             it_load_current: np.ndarray) -> Callable[[float, np.ndarray], np.ndarray]:
    """Vectorised right-hand side for one year (pure: returns a new array, never modifies ``x``)."""
    from dezsim.model.sd import equations as eq  # sympy: the numpy reference engine only

    f = eq.compiled()
    rest = _const_args(par, consts)

    def rhs(t: float, x: np.ndarray) -> np.ndarray:
        rates = f(t, *x, it_load_current, *rest)
        return np.stack(np.broadcast_arrays(*rates))

    return rhs


def _cell_arrays(par, consts, shape) -> tuple[np.ndarray, np.ndarray]:
    """Parameters and constants laid out one column per cell, (quantity, cell), as the compiled kernel reads them."""
    p = np.empty((len(generated.PARAMETER_NAMES), int(np.prod(shape))))
    for j, name in enumerate(generated.PARAMETER_NAMES):
        p[j] = np.broadcast_to(par[name], shape).ravel()
    c = np.stack([consts[n].ravel() for n in ("gdp_2020", "va_2020", "racks_2020")])
    return p, c


@dataclass(frozen=True)
class Drivers:
    """A year's exogenous inputs to the SD core: the declared parameters as the scenario sets them for that year
    (schedules and shocks applied) and, in a coupled run, the agents' flows.

    The flows enter the equations through three parameters, here and nowhere else: the agents' induced demand
    *is* the year's transformation demand (it replaces the scenario's value), their rack demand adds to the
    build programme, and their productivity gain adds to GDP growth. Nothing is clipped.
    """

    par: Mapping[str, np.ndarray]
    flows: AgentFlows | None = None

    def effective(self) -> dict[str, np.ndarray]:
        """Parameter values the equations read this year."""
        par = dict(self.par)
        if self.flows is not None:
            par["transformation_demand_extra"] = self.flows.induced_demand
            par["dc_build_program"] = par["dc_build_program"] + self.flows.rack_demand
            par["gdp_growth"] = par["gdp_growth"] + self.flows.productivity_gain
        return par


@dataclass(frozen=True)
class Core:
    """What stays fixed over a run: horizon, region constants (gdp_2020, va_2020, racks_2020), IT load per rack
    by vintage (vintage, run, region)."""

    horizon: Horizon
    consts: dict[str, np.ndarray]
    load: np.ndarray
    par: Mapping[str, np.ndarray]
    cells: tuple[np.ndarray, np.ndarray] | None = None


@dataclass(frozen=True)
class State:
    """The SD state at a year end: stocks (stock, run, region), rack and facility-load vintages (vintage, run,
    region), the year index ``k`` (0 = ``horizon.start``) and the year's recorded outputs."""

    x: np.ndarray
    vint_r: np.ndarray
    vint_h: np.ndarray
    k: int
    record: dict[str, np.ndarray]


def start(par: Mapping[str, np.ndarray], init: Initial, horizon: Horizon) -> tuple[Core, State]:
    """The run's constants and its state at the end of ``horizon.start``."""
    if horizon.engine not in ENGINES or horizon.method not in ("rk4", "euler"):
        raise SimulationError(f"engine {horizon.engine!r} / method {horizon.method!r}: allowed engines "
                              f"{ENGINES}, methods ('rk4', 'euler')")
    n_v = horizon.n_years + 1
    x, consts = initial_state(par, init)
    cells = _cell_arrays(par, consts, x.shape[1:]) if horizon.engine == "numba" else None
    core = Core(horizon, consts, it_load_per_rack(par, n_v), dict(par), cells)
    vint_r = np.zeros((n_v, *x.shape[1:]))
    vint_h = np.zeros_like(vint_r)
    vint_r[0], vint_h[0] = x[IDX["rk_old"]], x[IDX["hk_old"]]
    return core, State(x, vint_r, vint_h, 0, _record(x, par, consts, core.load, vint_r, vint_h, 0.0, None))


def g5_ceiling(par: Mapping[str, np.ndarray], consts: Mapping[str, np.ndarray]) -> np.ndarray:
    """Base stations that cover a region fully: the ceiling per unit of 2020 GDP times its 2020 GDP."""
    return par["g5_ceiling_per_gdp"] * consts["gdp_2020"]


def g5_coverage(g5: np.ndarray, par: Mapping[str, np.ndarray], core: Core) -> np.ndarray:
    """5G coverage (0-1): base stations over the region's ceiling, capped at 1 (the agents' view; indicators
    recompute it from covered stations and ceilings summed over regions)."""
    return np.minimum(1.0, g5 / g5_ceiling(par, core.consts))


def observe(core: Core, state: State, par: Mapping[str, np.ndarray]) -> Observables:
    """What the agents see at the start of the year after ``state`` (``par``: that year's parameters)."""
    return Observables(coverage=g5_coverage(state.x[IDX["g5"]], par, core), gdp=state.x[IDX["gdp"]].copy(),
                       growth=np.exp(par["gdp_growth"]))


def advance(core: Core, state: State, drivers: Drivers) -> State:
    """The state one year later (pure: ``state`` is not modified); raises SimulationError naming the year, run
    and region of a non-finite result."""
    par, k, h = drivers.effective(), state.k, core.horizon
    end = _integrate_year(state.x, par, core, k)  # a new array, owned here
    # a sum is finite only if every term is (NaN and infinities propagate): one pass, no mask, when all is well
    if not np.isfinite(end.sum()) and not np.isfinite(end).all():
        _, run, region = (int(i) for i in np.argwhere(~np.isfinite(end))[0])
        raise SimulationError(f"SD state not finite at end of {h.start + k + 1} (run index {run}, region index "
                              f"{region}); check parameter values")
    vint_r, vint_h = state.vint_r.copy(), state.vint_h.copy()
    x = _close_vintage(state.x, end, vint_r, vint_h, k + 1)
    record = _record(x, par, core.consts, core.load, vint_r, vint_h, float(k + 1), state.record)
    return State(x, vint_r, vint_h, k + 1, record)


def _integrate_year(x, par, core: Core, k: int) -> np.ndarray:
    horizon, load_now = core.horizon, core.load[k + 1]
    if horizon.engine == "numpy":
        rhs = make_rhs(par, core.consts, load_now)
        return integrate(rhs, x, float(k), float(k + 1), horizon.steps_per_year, horizon.method)
    from dezsim.model.sd.kernel import integrate_cells

    cells = x.reshape(N_STOCKS, -1).copy()  # (stock, cell): the kernel's layout is the state's own
    p, c = core.cells
    changed = [(j, name) for j, name in enumerate(generated.PARAMETER_NAMES) if par[name] is not core.par[name]]
    if changed:  # only the year's scheduled or coupled parameters are laid out again
        p = p.copy()
        for j, name in changed:
            p[j] = np.broadcast_to(par[name], x.shape[1:]).ravel()
    integrate_cells(cells, p, c, np.ascontiguousarray(load_now.ravel()), float(k), horizon.steps_per_year,
                    horizon.method == "rk4")
    return cells.reshape(x.shape)


def outputs(records: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Raw outputs shaped (run, region, year) from the year-end records, additive across regions; indicators
    (and parents) follow in :func:`dezsim.model.sd.outputs.indicators`."""
    return {key: np.stack([r[key] for r in records], axis=-1) for key in records[0] if not key.startswith("_")}


def run_core(par: Mapping[str, np.ndarray], init: Initial, horizon: Horizon) -> dict[str, np.ndarray]:
    """The SD core alone with fixed parameters: :func:`start`, then :func:`advance` every year (a coupled run
    or a scenario's schedules go through :class:`dezsim.model.coupling.CoupledRun`).

    Parameters
    ----------
    par : mapping of str to ndarray
        Every parameter of :mod:`dezsim.model.params`, shaped (run, region).
    init : Initial
        2020 stocks per leaf region.
    horizon : Horizon
        Years, steps per year, method and engine.

    Returns
    -------
    dict of str to ndarray
        Raw outputs shaped (run, region, year) (see :func:`outputs`).
    """
    core, state = start(par, init, horizon)
    records = [state.record]
    for _ in range(horizon.n_years):
        state = advance(core, state, Drivers(par))
        records.append(state.record)
    return outputs(records)


def _close_vintage(start: np.ndarray, end: np.ndarray, vint_r: np.ndarray, vint_h: np.ndarray, v: int) -> np.ndarray:
    """Book the year's vintage ``v`` and scale the earlier ones by the old pool's integrated decay (in place
    on the vintage arrays); returns the state for the next year with the new vintage moved into the old pool,
    written over ``end`` (the year's integration result, which nothing else holds)."""
    for stock, pool in (("rk_old", vint_r), ("hk_old", vint_h)):
        before = start[IDX[stock]]
        factor = np.divide(end[IDX[stock]], before, out=np.ones_like(before), where=before > 0)
        pool[:v] *= factor
    vint_r[v], vint_h[v] = end[IDX["rk_new"]], end[IDX["hk_new"]]
    nxt = end
    nxt[IDX["rk_old"]] += nxt[IDX["rk_new"]]
    nxt[IDX["hk_old"]] += nxt[IDX["hk_new"]]
    nxt[IDX["rk_new"]] = nxt[IDX["hk_new"]] = 0.0
    return nxt


def _record(x, par, consts, load, vint_r, vint_h, t: float, previous: dict | None) -> dict[str, np.ndarray]:
    va, pue_new = generated.outputs(t, *x, load[0], *_const_args(par, consts))
    it_load = (load * vint_r).sum(axis=0)
    facility = (load * vint_h).sum(axis=0)
    nb_load, nb_fac = x[IDX["nb_load"]], x[IDX["nb_facility"]]
    if previous is None:  # 2020: the observed-regime value (a scenario's cap acts from 2021), fleet-weighted
        new_load = it_load
        new_fac = it_load * np.maximum(par["dc_pue_floor"], par["dc_pue_new_2020"])
    else:
        new_load, new_fac = nb_load - previous["_nb_load"], nb_fac - previous["_nb_facility"]
    ceiling = g5_ceiling(par, consts)
    with np.errstate(invalid="ignore", divide="ignore"):
        vintage_pue = np.where(vint_r > 0, vint_h / vint_r, np.nan)
    shape = x.shape[1:]
    x.flags.writeable = False  # the record holds views of the year-end state: nothing may change it afterwards
    return {
        "gdp": x[IDX["gdp"]], "core_va": np.broadcast_to(va, shape).copy(), "ei": x[IDX["ei"]],
        "sw": x[IDX["sw"]], "g5": x[IDX["g5"]], "g5_covered": np.minimum(x[IDX["g5"]], ceiling),
        "g5_ceiling": ceiling, "patents": x[IDX["patents"]], "pct": x[IDX["pct"]],
        "racks": vint_r.sum(axis=0), "it_load": it_load, "facility_load": facility,
        "new_it_load": new_load, "new_facility_load": np.broadcast_to(new_fac, shape).copy(),
        "energy": facility * par["dc_utilisation"] * HOURS_PER_YEAR / KWH_PER_GWH,
        "racks_built": x[IDX["racks_built"]], "racks_retired": x[IDX["racks_retired"]],
        # fmin/fmax skip NaN as nanmin/nanmax do, without warning on a region with no racks (an early origin)
        "pue_min": np.fmin.reduce(vintage_pue, axis=0), "pue_max": np.fmax.reduce(vintage_pue, axis=0),
        "_nb_load": nb_load, "_nb_facility": nb_fac,
    }
