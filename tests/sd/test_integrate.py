"""Analytic checks of the fixed-step integrator and of sub-models declared in sympy."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from dezsim.model.sd import equations as eq
from dezsim.model.sd.integrate import integrate


def order_of_convergence(fun, y0, exact, t1, method, steps=(8, 16, 32)):
    errors = [np.max(np.abs(integrate(fun, y0, 0.0, t1, n, method) - exact)) for n in steps]
    return [np.log2(errors[i] / errors[i + 1]) for i in range(len(errors) - 1)], errors


@pytest.mark.parametrize(("method", "order"), [("euler", 1), ("rk4", 4)])
def test_exponential_growth_converges_at_the_methods_order(method, order):
    rates = np.array([[0.07, -0.3], [0.5, 1.2]])
    y0 = np.array([[100.0, 5.0], [1.0, 2.0]])
    exact = y0 * np.exp(rates * 2.0)
    orders, errors = order_of_convergence(lambda t, y: rates * y, y0, exact, 2.0, method, steps=(64, 128, 256))
    assert all(abs(o - order) < 0.15 for o in orders), orders
    assert errors[-1] < (1e-2 if method == "euler" else 1e-7) * np.abs(exact).max()


@pytest.mark.parametrize(("method", "order"), [("euler", 1), ("rk4", 4)])
def test_logistic_growth_matches_its_closed_form(method, order):
    r, k, y0 = 0.9, 1000.0, np.array([10.0, 200.0, 999.0])
    exact = k / (1 + (k / y0 - 1) * np.exp(-r * 5.0))
    orders, _ = order_of_convergence(lambda t, y: r * y * (1 - y / k), y0, exact, 5.0, method, steps=(16, 32, 64))
    assert all(abs(o - order) < 0.2 for o in orders), orders


def g5_rate_from_declaration(p, q, ceiling):
    """The declared 5G build rate with capex not binding, as a numpy function of stations."""
    sub = {eq.P["g5_bass_p"]: p, eq.P["g5_bass_q"]: q, eq.P["g5_ceiling_per_gdp"]: ceiling, eq.gdp_2020: 1.0,
           eq.P["g5_capex_share_gdp"]: 1e9, eq.P["g5_station_cost"]: 1.0, eq.gdp: 1.0}
    return sp.lambdify(eq.g5, eq.RATES[eq.g5].subs(sub), "numpy")


def test_declared_5g_buildout_is_the_bass_curve():
    p, q, ceiling = 0.05, 0.6, 37000.0
    rate = g5_rate_from_declaration(p, q, ceiling)
    t1 = 6.0
    decay = np.exp(-(p + q) * t1)
    exact = ceiling * (1 - decay) / (1 + (q / p) * decay)  # Bass (1969) with F(0) = 0
    y = integrate(lambda t, y: np.asarray(rate(y), dtype=float), np.array([0.0]), 0.0, t1, 72, "rk4")
    assert y[0] == pytest.approx(exact, rel=1e-6)
    orders, _ = order_of_convergence(lambda t, y: np.asarray(rate(y), dtype=float), np.array([0.0]), exact, t1,
                                     "rk4", steps=(12, 24, 48))
    assert all(abs(o - 4) < 0.3 for o in orders), orders


def test_capex_bound_caps_the_build_rate():
    sub = {eq.P["g5_bass_p"]: 0.5, eq.P["g5_bass_q"]: 1.0, eq.P["g5_ceiling_per_gdp"]: 2.0, eq.gdp_2020: 20000.0,
           eq.P["g5_capex_share_gdp"]: 0.001, eq.P["g5_station_cost"]: 0.004, eq.gdp: 20000.0}
    rate = float(eq.RATES[eq.g5].subs(sub).subs(eq.g5, 1000.0))
    assert rate == pytest.approx(0.001 * 20000.0 / 0.004)


def test_new_build_pue_learning_curve_floor_and_cap():
    sub = {eq.P["dc_pue_new_2020"]: 1.4, eq.P["dc_pue_floor"]: 1.1, eq.P["dc_pue_learning"]: 0.2}
    learned = eq.pue_new.subs(sub | {eq.P["dc_pue_cap"]: 3.0})
    for year in (0.0, 1.0, 5.0, 50.0):
        assert float(learned.subs(eq.t, year)) == pytest.approx(1.1 + 0.3 * np.exp(-0.2 * year))
    capped = eq.pue_new.subs(sub | {eq.P["dc_pue_cap"]: 1.25})
    assert float(capped.subs(eq.t, 0.0)) == pytest.approx(1.25)
    below_floor = eq.pue_new.subs(sub | {eq.P["dc_pue_cap"]: 1.05})
    assert float(below_floor.subs(eq.t, 0.0)) == pytest.approx(1.1)  # a cap below the floor cannot be met


def test_sector_revenue_with_extra_demand_matches_closed_form():
    g_e, g_y, c = sp.symbols("g_e g_y c", positive=True)
    e0, y0 = sp.symbols("e0 y0", positive=True)
    ts = sp.Symbol("ts", positive=True)
    e = sp.Function("E")
    sol = sp.dsolve(sp.Eq(e(ts).diff(ts), g_e * e(ts) + c * y0 * sp.exp(g_y * ts)), e(ts), ics={e(0): e0}).rhs
    # The declared EI rate, with GDP following its own declared exponential path, is this linear ODE:
    declared = eq.RATES[eq.ei].subs(eq.gdp, y0 * sp.exp(g_y * ts))
    sub = {eq.P["ei_trend_growth"]: g_e, eq.P["ei_supply_shock"]: 0, eq.P["ei_investment_response"]: 0,
           eq.P["ei_demand_capture"]: 1,
           eq.P["transformation_demand_extra"]: c, eq.ei: e(ts)}
    assert sp.simplify(declared.subs(sub) - (g_e * e(ts) + c * y0 * sp.exp(g_y * ts))) == 0
    values = {g_e: 0.09, g_y: 0.07, c: 0.01, e0: 700.0, y0: 1400.0, ts: 5.0}
    closed = float(sol.subs(values))
    assert closed == pytest.approx(700 * np.exp(0.45) + 0.01 * 1400 * (np.exp(0.35) - np.exp(0.45)) / (0.07 - 0.09))
