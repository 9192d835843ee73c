"""The system-dynamics equations, declared once in sympy.

From these declarations come (1) the vectorised numpy evaluation used by the integrator
(:func:`compiled`), (2) the equation listing in ``docs/equations.md`` (:func:`listing`), and (3) closed forms
for the tests. Time ``t`` is in years since the start of 2021 (end of 2020 = 0); money in 100m yuan.

Stocks per region: ``gdp``, ``ei`` (electronic-information manufacturing revenue), ``sw`` (software and
IT-services revenue), ``oc`` (other core industries' revenue), ``g5`` (5G stations), ``patents`` (valid
digital invention patents), ``pct`` (PCT applications since 2020), ``nb_load`` and ``nb_facility``
(cumulative IT and facility load of new builds, for the yearly new-build PUE), ``racks_built`` and
``racks_retired`` (cumulative, for the conservation check), and the racks of data centres: ``rk_new`` and
``hk_new`` (racks and PUE-weighted racks of the vintage being built this year), ``rk_old`` and ``hk_old``
(all earlier vintages together). Earlier vintages share one linear fate (retirement and retrofit at constant
rates), so within a year their sum is the only state the dynamics need; :mod:`dezsim.model.sd.model` keeps each
vintage's racks and PUE by scaling them with the integrated decay at every year end.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import sympy as sp

t = sp.Symbol("t", nonnegative=True)

# Stocks.
gdp, ei, sw, oc, g5, patents, pct, nb_load, nb_facility, racks_built, racks_retired = sp.symbols(
    "gdp ei sw oc g5 patents pct nb_load nb_facility racks_built racks_retired", nonnegative=True)
rk_new, hk_new, rk_old, hk_old = sp.symbols("rk_new hk_new rk_old hk_old", nonnegative=True)
it_load_current = sp.Symbol("it_load_current", positive=True)  # kW per rack of the vintage being built

# Region constants fixed at 2020.
gdp_2020, va_2020, racks_2020 = sp.symbols("gdp_2020 va_2020 racks_2020", positive=True)

# Parameters (names match dezsim.model.params).
P = {name: sp.Symbol(name, real=True) for name in (
    "gdp_growth", "gdp_growth_shock", "ei_trend_growth", "ei_supply_shock", "sw_trend_growth", "oc_trend_growth", "ei_va_ratio", "sw_va_ratio",
    "oc_va_ratio", "ei_investment_response", "sw_investment_response", "oc_investment_response",
    "ei_demand_capture", "sw_demand_capture", "oc_demand_capture", "digital_investment_extra",
    "transformation_demand_extra", "g5_ceiling_per_gdp", "g5_bass_p", "g5_bass_q", "g5_capex_share_gdp",
    "g5_station_cost", "dc_pue_new_2020", "dc_pue_floor", "dc_pue_learning", "dc_pue_cap",
    "dc_retrofit_pue_penalty", "dc_rack_lifetime", "dc_demand_elasticity", "dc_adjustment_time",
    "dc_build_program", "dc_retrofit_rate", "patent_rate", "patent_lapse", "pct_rate")}

STOCKS = (gdp, ei, sw, oc, g5, patents, pct, nb_load, nb_facility, racks_built, racks_retired,
          rk_new, hk_new, rk_old, hk_old)

# ---- auxiliaries -------------------------------------------------------------------------------------
core_va = P["ei_va_ratio"] * ei + P["sw_va_ratio"] * sw + P["oc_va_ratio"] * oc
core_share = 100 * core_va / gdp
g5_ceiling = P["g5_ceiling_per_gdp"] * gdp_2020
g5_coverage = 100 * sp.Min(1, g5 / g5_ceiling)
g5_build_demand = sp.Max(0, (P["g5_bass_p"] + P["g5_bass_q"] * g5 / g5_ceiling) * (g5_ceiling - g5))
g5_build_capacity = P["g5_capex_share_gdp"] * gdp / P["g5_station_cost"]
g5_build = sp.Min(g5_build_demand, g5_build_capacity)
pue_learned = P["dc_pue_floor"] + (P["dc_pue_new_2020"] - P["dc_pue_floor"]) * sp.exp(-P["dc_pue_learning"] * t)
pue_new = sp.Max(P["dc_pue_floor"], sp.Min(P["dc_pue_cap"], pue_learned))
pue_retrofit = pue_new + P["dc_retrofit_pue_penalty"]
racks_total = rk_new + rk_old
racks_desired = racks_2020 * (core_va / va_2020) ** P["dc_demand_elasticity"]
rack_retire_rate = 1 / P["dc_rack_lifetime"]
rack_build = (sp.Max(0, racks_desired - racks_total) / P["dc_adjustment_time"]
              + rack_retire_rate * racks_total + P["dc_build_program"])


def _sector_rate(stock: sp.Symbol, prefix: str, shock: sp.Expr = sp.S.Zero) -> sp.Expr:
    extra = (P[f"{prefix}_investment_response"] * P["digital_investment_extra"]
             + P[f"{prefix}_demand_capture"] * P["transformation_demand_extra"])
    return (P[f"{prefix}_trend_growth"] + shock) * stock + extra * gdp


_SECTOR_RATES = {ei: _sector_rate(ei, "ei", P["ei_supply_shock"]), sw: _sector_rate(sw, "sw"),
                 oc: _sector_rate(oc, "oc")}
core_va_rate = sum(P[f"{s.name}_va_ratio"] * rate for s, rate in _SECTOR_RATES.items())

#: d(stock)/dt for every scalar stock.
#: GDP holds the core industries' value added: GDP = core VA + the rest of the economy, and the rest grows at
#: the (shocked) nominal growth rate. Hence d gdp/dt = (growth + shock) (gdp - core_va) + d core_va/dt, and
#: gdp - core_va = (gdp_2020 - core_va_2020) exp(integral of growth + shock) stays positive: the core share stays
#: below 100 % for every parameter combination (a linear invariant, kept exactly by Euler and RK4 steps). Before,
#: GDP grew on its own rate while core VA grew on the sectors' rates, and joint bounds let the share pass 100 %.
RATES: dict[sp.Symbol, sp.Expr] = {
    gdp: (P["gdp_growth"] + P["gdp_growth_shock"]) * (gdp - core_va) + core_va_rate,
    **_SECTOR_RATES,
    g5: g5_build,
    patents: P["patent_rate"] * core_va - P["patent_lapse"] * patents,
    pct: P["pct_rate"] * core_va,
    nb_load: rack_build * it_load_current,
    nb_facility: rack_build * it_load_current * pue_new,
    racks_built: rack_build,
    racks_retired: rack_retire_rate * racks_total,
    rk_new: rack_build + P["dc_retrofit_rate"] * rk_old - rack_retire_rate * rk_new,
    hk_new: rack_build * pue_new + P["dc_retrofit_rate"] * rk_old * pue_retrofit - rack_retire_rate * hk_new,
    rk_old: -(rack_retire_rate + P["dc_retrofit_rate"]) * rk_old,
    hk_old: -(rack_retire_rate + P["dc_retrofit_rate"]) * hk_old,
}

#: Named auxiliaries (also model outputs or inputs to the vintage block).
AUX: dict[str, sp.Expr] = {
    "core_va": core_va, "core_share": core_share, "g5_ceiling": g5_ceiling, "g5_coverage": g5_coverage,
    "g5_build": g5_build, "pue_new": pue_new, "pue_retrofit": pue_retrofit, "racks_desired": racks_desired,
    "rack_build": rack_build, "rack_retire_rate": rack_retire_rate,
}

#: Argument order of the compiled function.
ARGS = (t, *STOCKS, it_load_current, gdp_2020, va_2020, racks_2020, *P.values())


@cache
def compiled() -> Callable[..., list]:
    """numpy function ``f(*ARGS) -> [d(stock)/dt for STOCKS]`` built from the declarations (with common
    subexpressions eliminated); arguments broadcast, so one call covers every run and region."""
    return sp.lambdify(ARGS, [RATES[s] for s in STOCKS], modules="numpy", cse=True)


@cache
def compiled_outputs() -> Callable[..., list]:
    """numpy function ``f(*ARGS) -> [core_va, pue_new]`` for recorded outputs."""
    return sp.lambdify(ARGS, [core_va, pue_new], modules="numpy", cse=True)


def _latex(expr: sp.Expr) -> str:
    names = {s: r"\mathit{" + s.name.replace("_", r"\_") + "}" for s in expr.free_symbols}
    return sp.latex(expr, symbol_names=names)


def listing() -> str:
    """The equations as Markdown (LaTeX), regenerated by ``dezsim equations``."""
    lines = ["# dezsim system-dynamics equations", "",
             "Generated from `dezsim/model/sd/equations.py` by `dezsim equations --write`; do not edit by hand.",
             "Time $t$ in years from end-2020; money in 100m yuan; per region.", "", "## Stocks", ""]
    for stock in STOCKS:
        lines.append(f"$$\\frac{{d\\,{_latex(stock)}}}{{dt}} = {_latex(RATES[stock])}$$")
        lines.append("")
    lines += ["At each year end the vintage built that year ($rk\\_new$, $hk\\_new$) joins the earlier ones "
              "($rk\\_old$, $hk\\_old$); each earlier vintage is scaled by the year's integrated decay of the "
              "old pool, so it keeps the PUE it was built with. Fleet PUE is $\\sum_v w_v H_v / \\sum_v w_v R_v$ "
              "with IT load per rack $w_v$ of vintage $v$.", "",
              "## Auxiliaries", ""]
    for name, expr in AUX.items():
        lines.append(f"$$\\mathit{{{name.replace('_', chr(92) + '_')}}} = {_latex(expr)}$$")
        lines.append("")
    return "\n".join(lines)
