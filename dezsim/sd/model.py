"""Assemble the SD core: state layout, right-hand side, year-by-year integration and recorded outputs.

The state is one array shaped (stock, ensemble, region): the scalar stocks of
:data:`dezsim.sd.equations.SCALAR_STOCKS`, then racks ``R_v`` and PUE-weighted racks ``H_v`` for each vintage
``v`` (0 = in service at end-2020, 1 = built in 2021, ...). Integration runs one calendar year at a time so
that the vintage being built is fixed within each call (a year boundary is never inside a step).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from dezsim.errors import SimulationError
from dezsim.sd import equations as eq
from dezsim.sd.integrate import integrate

N_SCALAR = len(eq.SCALAR_STOCKS)
#: Hours per year, for energy from average load.
HOURS_PER_YEAR = 8760.0
#: kWh per GWh.
KWH_PER_GWH = 1e6


@dataclass(frozen=True)
class Horizon:
    """Time settings of a run: years ``start`` (initial state, end of year) to ``end``; steps per year; method."""

    start: int = 2020
    end: int = 2025
    steps_per_year: int = 12
    method: str = "rk4"

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
    """IT load per rack (kW) by vintage, shaped (vintage, ensemble, region)."""
    v = np.arange(n_vintages).reshape(-1, 1, 1)
    return par["dc_it_load_2020"][None] * (1 + par["dc_density_growth"][None]) ** v


def initial_state(par: Mapping[str, np.ndarray], init: Initial, n_vintages: int) -> tuple[np.ndarray, dict]:
    """State at end-2020 and the region constants the equations need.

    The other core industries' revenue follows from ``oc_relative_size``: their value added is that multiple
    of EI + software value added.
    """
    shape = par["gdp_growth"].shape
    ei_sw_va = par["ei_va_ratio"] * init.ei + par["sw_va_ratio"] * init.sw
    oc0 = par["oc_relative_size"] * ei_sw_va / par["oc_va_ratio"]
    x = np.zeros((N_SCALAR + 2 * n_vintages, *shape))
    x[0], x[1], x[2], x[3], x[4] = init.gdp, init.ei, init.sw, oc0, init.g5
    va0 = (1 + par["oc_relative_size"]) * ei_sw_va
    x[5] = par["patent_rate"] * va0 / (par["patent_lapse"] + par["gdp_growth"])  # on its balanced-growth path
    x[N_SCALAR] = init.racks
    x[N_SCALAR + n_vintages] = init.racks * par["dc_pue_existing"]
    consts = {"gdp_2020": np.broadcast_to(init.gdp, shape), "va_2020": va0,
              "racks_2020": np.broadcast_to(init.racks, shape)}
    return x, consts


def make_rhs(par: Mapping[str, np.ndarray], consts: Mapping[str, np.ndarray], load: np.ndarray,
             vintage: int) -> Callable[[float, np.ndarray], np.ndarray]:
    """Right-hand side for a year in which racks are built into ``vintage`` (pure: returns a new array)."""
    f = eq.compiled()
    pvals = [par[s.name] for s in eq.P.values()]
    n_v = load.shape[0]
    rho = par["dc_retrofit_rate"]

    def rhs(t: float, x: np.ndarray) -> np.ndarray:
        racks, heat = x[N_SCALAR:N_SCALAR + n_v], x[N_SCALAR + n_v:]
        total = racks.sum(axis=0)
        *rates, build, mu, pue_new, pue_retro = f(t, *x[:N_SCALAR], total, load[vintage], consts["gdp_2020"],
                                                   consts["va_2020"], consts["racks_2020"], *pvals)
        dx = np.empty_like(x)
        for i, rate in enumerate(rates):
            dx[i] = rate
        old = racks[:vintage].sum(axis=0)
        leave = mu + rho
        dx[N_SCALAR:N_SCALAR + n_v] = -leave * racks
        dx[N_SCALAR + n_v:] = -leave * heat
        dx[N_SCALAR + vintage] = build + rho * old - mu * racks[vintage]
        dx[N_SCALAR + n_v + vintage] = build * pue_new + rho * old * pue_retro - mu * heat[vintage]
        return dx

    return rhs


YearHook = Callable[[int, np.ndarray, dict], dict]


def run_core(par: Mapping[str, np.ndarray], init: Initial, horizon: Horizon,
             between_years: YearHook | None = None) -> dict[str, np.ndarray]:
    """Integrate the SD core and record leaf-level raw outputs at each year end.

    Parameters
    ----------
    par : mapping of str to ndarray
        Every parameter of :mod:`dezsim.params`, shaped (ensemble, region).
    init : Initial
        2020 stocks per leaf region.
    horizon : Horizon
        Years, steps per year and method.
    between_years : callable, optional
        ``hook(year_index, state, par) -> par`` called after each simulated year (the coupling to the agents);
        it returns the parameters for the next year and must not modify ``state``.

    Returns
    -------
    dict of str to ndarray
        Raw outputs shaped (ensemble, region, year): additive quantities from which every indicator (and every
        parent region's indicator) is computed by :func:`dezsim.sd.outputs.indicators`.
    """
    n_v = horizon.n_years + 1
    par = dict(par)
    x, consts = initial_state(par, init, n_v)
    load = it_load_per_rack(par, n_v)
    records = [_record(x, par, consts, load, t=0.0, previous=None)]
    for k in range(horizon.n_years):
        rhs = make_rhs(par, consts, load, vintage=k + 1)
        x = integrate(rhs, x, float(k), float(k + 1), horizon.steps_per_year, horizon.method)
        if not np.isfinite(x).all():
            raise SimulationError(f"SD state not finite at end of {horizon.start + k + 1}; check parameter values")
        records.append(_record(x, par, consts, load, t=float(k + 1), previous=records[-1]))
        if between_years is not None:
            par = dict(between_years(k, x, par))
    return {key: np.stack([r[key] for r in records], axis=-1) for key in records[0]}


def _record(x, par, consts, load, t: float, previous: dict | None) -> dict[str, np.ndarray]:
    n_v = load.shape[0]
    racks, heat = x[N_SCALAR:N_SCALAR + n_v], x[N_SCALAR + n_v:]
    args = (t, *x[:N_SCALAR], racks.sum(axis=0), load[0], consts["gdp_2020"], consts["va_2020"],
            consts["racks_2020"], *[par[s.name] for s in eq.P.values()])
    va, _share, _cov, pue_new = eq.compiled_outputs()(*args)
    it_load = (load * racks).sum(axis=0)
    facility = (load * heat).sum(axis=0)
    nb_load, nb_fac = x[7], x[8]
    if previous is None:  # 2020: new-build PUE is the 2020 learning-curve value, weighted by the fleet's IT load
        new_load, new_fac = it_load, it_load * pue_new
    else:
        new_load, new_fac = nb_load - previous["_nb_load"], nb_fac - previous["_nb_facility"]
    ceiling = par["g5_ceiling_per_gdp"] * consts["gdp_2020"]
    return {
        "gdp": x[0].copy(), "core_va": np.broadcast_to(va, x[0].shape).copy(), "ei": x[1].copy(),
        "sw": x[2].copy(), "g5": x[4].copy(), "g5_covered": np.minimum(x[4], ceiling), "g5_ceiling": ceiling,
        "patents": x[5].copy(), "pct": x[6].copy(), "racks": racks.sum(axis=0), "it_load": it_load,
        "facility_load": facility, "new_it_load": new_load, "new_facility_load": new_fac,
        "energy": facility * par["dc_utilisation"] * HOURS_PER_YEAR / KWH_PER_GWH,
        "_nb_load": nb_load.copy(), "_nb_facility": nb_fac.copy(),
        "racks_built": x[9].copy(), "racks_retired": x[10].copy(),
        "pue_min": np.where(racks > 0, heat / np.where(racks > 0, racks, 1), np.inf).min(axis=0),
        "pue_max": np.where(racks > 0, heat / np.where(racks > 0, racks, 1), -np.inf).max(axis=0),
    }
