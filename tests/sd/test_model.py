"""The full SD core: RK4 against solve_ivp, invariants, ensemble = single runs, aggregation, determinism."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from dezsim.model import params as P
from dezsim.model.sd.integrate import integrate
from dezsim.model.sd.model import Horizon, initial_state, it_load_per_rack, make_rhs, run_core
from dezsim.model.sd.outputs import INDICATORS, indicators, output_regions

from .helpers import sd_inputs

#: Parameters that keep every min/max switch on one side (capex never binds, racks never overshoot):
#: the right-hand side is then smooth and RK4 must show its full accuracy.
SMOOTH = {"g5_capex_share_gdp": 0.01, "g5_station_cost": 0.002, "dc_adjustment_time": 3.0,
          "dc_demand_elasticity": 1.5}


def max_relative_gap(overrides, steps_per_year):
    _, _, par, init, _ = sd_inputs(4, 3, overrides=overrides)
    x, consts = initial_state(par, init)
    load = it_load_per_rack(par, 6)
    ours, ref, gaps = x, x, []
    for k in range(5):  # one year of the ODE system (vintage book-keeping happens between years)
        rhs = make_rhs(par, consts, load[k + 1])
        ours = integrate(rhs, ours, k, k + 1, steps_per_year, "rk4")
        sol = solve_ivp(lambda t, y: rhs(t, y.reshape(x.shape)).ravel(), (k, k + 1), ref.ravel(),
                        method="DOP853", rtol=1e-12, atol=1e-9)
        ref = sol.y[:, -1].reshape(x.shape)
        gaps.append(np.max(np.abs(ours - ref) / np.maximum(np.abs(ref), 1.0)))
    return max(gaps)


def test_rk4_matches_solve_ivp_on_the_smooth_system():
    monthly, weekly = max_relative_gap(SMOOTH, 12), max_relative_gap(SMOOTH, 48)
    assert monthly < 1e-6
    assert weekly < 1e-8
    assert monthly / weekly > 64  # fourth order: 4x smaller steps, ~256x smaller error


def test_rk4_matches_solve_ivp_with_switches():
    # min(capex bound, Bass demand) and max(0, rack gap) are kinks: RK4 drops to low order on the step that
    # crosses one. The size of that one step's error depends on where the kink falls inside it, i.e. on the
    # drawn parameter sets (3e-5 to 1.2e-4 monthly across calibrations), so the check is the convergence rate:
    # a kink crossed once leaves an O(h^2) error; 4x smaller steps must cut the gap at least 4x (first order).
    assert max_relative_gap({}, 48) < max_relative_gap({}, 12) / 4


def test_numba_and_numpy_engines_agree():
    _, _, par, init, _ = sd_inputs(6, 4)
    for method in ("rk4", "euler"):
        fast = run_core(par, init, Horizon(method=method, engine="numba"))
        ref = run_core(par, init, Horizon(method=method, engine="numpy"))
        for key in fast:  # same operations in the same order; only libm's last bit may differ
            np.testing.assert_allclose(fast[key], ref[key], rtol=1e-12, atol=1e-9, err_msg=f"{method} {key}")


def run_leaves(runs=3, seed=1, overrides=None, horizon=Horizon()):
    ds, leaves, par, init, design = sd_inputs(runs, seed, overrides)
    raw = run_core(par, init, horizon)
    regions, member = output_regions(ds, leaves)
    return ds, leaves, raw, regions, indicators(raw, member), par


finite = dict(allow_nan=False, allow_infinity=False)
param_values = st.fixed_dictionaries({p.name: st.floats(*p.bounds, **finite) for p in P.PARAMS
                                      if p.bounds[0] < p.bounds[1]})


@settings(max_examples=25)
@given(values=param_values, method=st.sampled_from(["rk4", "euler"]), steps=st.sampled_from([4, 12]))
def test_invariants_hold_for_any_admissible_parameters(values, method, steps):
    ds, leaves, raw, regions, ind, par = run_leaves(1, 0, values, Horizon(steps_per_year=steps, method=method))
    for key in ("gdp", "core_va", "ei", "sw", "g5", "patents", "pct", "racks", "energy"):
        assert (raw[key] >= 0).all(), key
    assert ((ind["core_industry_share_gdp"] >= 0) & (ind["core_industry_share_gdp"] <= 100)).all()
    assert ((ind["g5_coverage"] >= 0) & (ind["g5_coverage"] <= 100 + 1e-9)).all()
    for pue in ("dc_pue_new", "dc_pue_fleet"):
        assert (ind[pue] >= 1.0).all(), pue
    fleet = raw["facility_load"] / raw["it_load"]
    assert (fleet >= raw["pue_min"] * (1 - 1e-12)).all() and (fleet <= raw["pue_max"] * (1 + 1e-12)).all()
    change = raw["racks"] - raw["racks"][..., :1]
    np.testing.assert_allclose(change, raw["racks_built"] - raw["racks_retired"], rtol=1e-9, atol=1e-6)


def test_parents_are_sums_of_children_and_ratios_are_recomputed():
    ds, leaves, raw, regions, ind, _ = run_leaves()
    idx = {r: i for i, r in enumerate(regions)}
    for parent in ("suzhou", "jiangsu"):
        kids = [idx[k] for k in ds.children(parent)]
        for name, (_num, den, _) in INDICATORS.items():
            if den is None and name in ind:
                np.testing.assert_allclose(ind[name][:, idx[parent]], ind[name][:, kids].sum(axis=1), rtol=1e-12)
    share = ind["core_industry_va"][:, idx["jiangsu"]] / ind["gdp"][:, idx["jiangsu"]] * 100
    np.testing.assert_allclose(ind["core_industry_share_gdp"][:, idx["jiangsu"]], share, rtol=1e-12)


def test_ensemble_member_equals_a_single_run_with_its_parameters():
    ds, leaves, par, init, _ = sd_inputs(5, 7)
    together = run_core(par, init, Horizon())
    for k in range(5):
        alone = run_core({n: a[k:k + 1] for n, a in par.items()}, init, Horizon())
        for key in together:
            np.testing.assert_array_equal(together[key][k:k + 1], alone[key], err_msg=key)


def test_parallel_kernel_equals_serial_for_any_thread_count(monkeypatch):
    import numba

    from dezsim.model.sd import kernel

    _, _, par, init, _ = sd_inputs(100, 3)  # 1,200 cells: more than PARALLEL_BLOCKS blocks
    results = []
    threads = numba.get_num_threads()
    try:
        for n in (1, numba.config.NUMBA_NUM_THREADS):
            numba.set_num_threads(n)
            results.append(run_core(par, init, Horizon()))
    finally:
        numba.set_num_threads(threads)
    monkeypatch.setattr(kernel, "PARALLEL_BLOCKS", 10**9)
    results.append(run_core(par, init, Horizon()))
    for key in results[0]:
        np.testing.assert_array_equal(results[0][key], results[1][key], err_msg=key)
        np.testing.assert_array_equal(results[0][key], results[2][key], err_msg=key)


def test_same_seed_same_results_and_different_seed_differs():
    from dezsim.model.simulate import run

    a, b, c = run(runs=4, seed=11), run(runs=4, seed=11), run(runs=4, seed=12)
    assert a.frame.equals(b.frame) and a.design.equals(b.design)
    assert not a.frame.value.equals(c.frame.value)


def test_run_k_does_not_depend_on_ensemble_size():
    from dezsim.model.simulate import run

    small, large = run(runs=2, seed=5), run(runs=6, seed=5)
    assert small.frame.equals(large.frame[large.frame.run < 2].reset_index(drop=True))


def test_initial_year_reproduces_the_2020_baselines():
    ds, leaves, raw, regions, ind, _ = run_leaves(2, 0, None)
    idx = {r: i for i, r in enumerate(regions)}
    assert ind["gdp"][0, idx["suzhou"], 0] == pytest.approx(20170.5, rel=1e-4)  # boards sum to 20170.21
    assert ind["g5_base_stations"][0, idx["jiangsu"], 0] == pytest.approx(71000)
    assert ind["dc_racks"][0, idx["jiangsu"], 0] == pytest.approx(350000)
    assert ind["ei_manufacturing_revenue"][0, idx["suzhou"], 0] == pytest.approx(10700)
