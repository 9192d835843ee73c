"""Agents: ladder invariants, budgets, weights, the analytic no-policy limit, Mesa engine = vectorised engine in
distribution, and the vectorised results independent of threads and of how runs are grouped."""

from __future__ import annotations

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dezsim.model import params as P
from dezsim.model.abm import kernel, population, rule
from dezsim.model.abm.engine import AgentSettings, Setup
from dezsim.model.abm.population import PopulationSpec
from dezsim.model.coupling import build_agents as build
from dezsim.model.exchange import Observables

FIRM = {p.name: p.default for p in P.AGENT_PARAMS}
LEAVES = 3
GDP = np.array([1400.0, 900.0, 2000.0])


def policy(**values) -> dict[str, np.ndarray]:
    base = {p.name: np.full(LEAVES, p.default) for p in P.POLICY_PARAMS}
    return base | {k: np.full(LEAVES, float(v)) for k, v in values.items()}


def make_engine(seed=0, firm=None, pol=None, engine="vectorised", spec=PopulationSpec(5.0, 50.0, 2), targets=None,
                runs=(0,), steps=4):
    """An engine over ``runs`` (run r draws from the generator of (seed, r) only)."""
    firm = FIRM | (firm or {})
    rngs = [np.random.default_rng([seed, r]) for r in runs]
    firms = [population.build(GDP, firm, rng, spec) for rng in rngs]
    pols = {k: np.tile(v, (len(runs), 1)) for k, v in (pol or policy()).items()}
    return build(Setup([firm] * len(runs), firms, rngs, pols, targets or [None] * LEAVES,
                       AgentSettings(spec, steps, engine)))


def env(n_runs=1, coverage=0.5, growth=1.05) -> Observables:
    return Observables(np.full((n_runs, LEAVES), coverage), np.tile(GDP, (n_runs, 1)),
                       np.full((n_runs, LEAVES), growth))


def rungs(eng) -> np.ndarray:
    if hasattr(eng, "rung"):
        return eng.rung.copy()
    return np.array([f.rung for m in eng.models for f in m.firms])


def run_years(eng, years=3, coverage=0.5, growth=1.05):
    history = [eng.stocks()]
    n = len(eng.firm_par)
    for _ in range(years):
        history.append(eng.step_year(env(n, coverage, growth))[1])
    return history


def test_population_counts_respect_weights():
    firms = population.build(GDP, FIRM, np.random.default_rng(1), PopulationSpec(3.0, 30.0, 4))
    above = np.bincount(firms.region, weights=firms.weight * firms.above, minlength=LEAVES)
    smes = np.bincount(firms.region, weights=firms.weight * ~firms.above, minlength=LEAVES)
    np.testing.assert_allclose(above, FIRM["firms_per_gdp"] * GDP)
    np.testing.assert_allclose(smes, FIRM["firms_per_gdp"] * GDP * FIRM["smes_per_above_scale"])


policy_values = st.fixed_dictionaries({
    "policy_free_diagnosis": st.floats(0, 1), "policy_capex_subsidy": st.floats(0, 0.5),
    "policy_interest_subsidy": st.floats(0, 0.05), "policy_budget_share_gdp": st.floats(0, 0.005),
    "policy_adaptive": st.sampled_from([0.0, 1.0])})


@settings(max_examples=20)
@given(pol=policy_values, seed=st.integers(0, 2**32 - 1), engine=st.sampled_from(["vectorised", "mesa"]))
def test_ladder_and_budget_invariants(pol, seed, engine):
    spec = PopulationSpec(20.0, 400.0, 2) if engine == "mesa" else PopulationSpec(5.0, 50.0, 2)
    eng = make_engine(seed, pol=policy(**pol), engine=engine, spec=spec, targets=[(1.0, 2023)] * LEAVES,
                      runs=(0, 1))
    appropriated, history, before = 0.0, [eng.stocks()], rungs(eng)
    for _ in range(3):
        history.append(eng.step_year(env(2))[1])
        appropriated = appropriated + pol["policy_budget_share_gdp"] * GDP
        after = rungs(eng)
        assert ((after >= before) & (after - before <= 4) & (after <= population.TOP)).all()  # never down, <= 1/period
        before = after
    paid = sum(h["subsidy_paid"] for h in history[1:])
    np.testing.assert_allclose(history[-1]["budget_left"] + paid, np.broadcast_to(appropriated, paid.shape),
                               rtol=1e-9, atol=1e-12)  # left + paid = appropriated
    for a, b in zip(history, history[1:], strict=False):
        for key in ("upgraded_above", "cloud_firms", "workshop_firms", "factory_firms", "projects"):
            assert (b[key] >= a[key] - 1e-9).all(), key  # counts monotone
        assert (b["budget_left"] >= 0).all()
        share = b["upgraded_above"] / b["above_firms"]
        assert ((share >= 0) & (share <= 1)).all()
        np.testing.assert_allclose(b["above_firms"], a["above_firms"])  # weights respected, no entry/exit
    check_plan_counts(history)


#: The plans' own counts: covered_above is a stock, the others are cumulative since end-2020.
SINCE_2020 = ("diagnosed", "diagnosed_above", "projects_above", "smes_transformed")


def check_plan_counts(history: list[dict]) -> None:
    """Invariants of the plans' counts over a run's yearly records (the first is end-2020)."""
    for key in SINCE_2020:
        np.testing.assert_array_equal(history[0][key], 0.0)  # counted since end-2020
    tol = 1e-9 * history[0]["above_firms"].max()
    for a, b in zip(history, history[1:], strict=False):
        for key in ("covered_above", *SINCE_2020):
            assert (b[key] >= 0).all() and (b[key] >= a[key] - tol).all(), key  # non-negative, non-decreasing
        assert (b["covered_above"] <= b["above_firms"] + tol).all()
        assert (b["diagnosed_above"] <= b["diagnosed"] + tol).all()
        assert (b["projects_above"] <= b["projects"] + tol).all()
        assert (b["upgraded_above"] <= b["covered_above"] + tol).all()  # an upgraded firm has started
    for b in history[1:]:  # a firm leaves rung 0 once: newly covered above-size firms are the ones diagnosed
        np.testing.assert_allclose(b["covered_above"] - history[0]["covered_above"], b["diagnosed_above"],
                                   rtol=1e-9, atol=tol)


@pytest.mark.parametrize("engine", ["vectorised", "mesa"])
def test_one_rung_per_period_at_most(engine):
    spec = PopulationSpec(20.0, 400.0, 2)
    eng = make_engine(3, firm={name: 0.5 for name in rule.BASE_HAZARDS}, engine=engine, spec=spec, steps=1,
                      pol=policy(policy_capex_subsidy=0.5, policy_budget_share_gdp=0.005))
    before = rungs(eng)
    eng.step_year(env(1, 1.0, 1.0))
    assert set(np.unique(rungs(eng) - before)) <= {0, 1}


def test_budget_is_never_overspent_and_carries_over():
    eng = make_engine(4, pol=policy(policy_capex_subsidy=0.5, policy_budget_share_gdp=1e-5))
    for _ in range(3):
        out = eng.step_year(env(1, 0.5, 1.0))[1]
        assert (out["budget_left"] >= 0).all()
    np.testing.assert_allclose(out["budget_left"] + eng.paid, 3 * 1e-5 * GDP[None], rtol=1e-9)
    assert (eng.paid > 0).any() and (eng.paid < 3 * 1e-5 * GDP).any()  # support paid, and rationed somewhere


@pytest.mark.parametrize("speed", [1.0, 0.5, 2.0])
def test_without_support_and_peers_the_rung_0_share_decays_at_the_analytic_hazard(speed):
    """exp(-h s t): the base hazard h = 0.2 times the run's programme_speed s, for t = 2 years (4 SE: one
    failure in about 16,000 runs of a correct engine)."""
    firm = {"peer_effect": 0.0, "infra_effect": 0.0, "attractiveness_elasticity": 0.0, "init_share_diagnosed": 0.0,
            "init_share_cloud": 0.0, "init_share_workshop": 0.0, "init_share_factory": 0.0, "hazard_diagnose": 0.2,
            "programme_speed": speed}
    eng = make_engine(5, firm=firm, spec=PopulationSpec(0.05, 50.0, 2))
    assert (eng.rung == 0).all()
    run_years(eng, 2)
    still = (eng.rung == 0).mean()  # every agent has the same hazard: count agents, not firms
    n = len(eng.rung)
    expected = np.exp(-0.2 * speed * 2)
    se = np.sqrt(expected * (1 - expected) / n)
    assert abs(still - expected) < 4 * se, (still, expected, n)


def test_programme_speed_multiplies_every_base_hazard_once():
    fp = rule.rule_vector(FIRM | {"programme_speed": 1.5})
    base = rule.rule_vector(FIRM | {"programme_speed": 1.0})
    k = len(rule.BASE_HAZARDS)
    np.testing.assert_allclose(fp[:k], 1.5 * base[:k], rtol=0, atol=0)
    np.testing.assert_array_equal(fp[k:], base[k:])


def test_mesa_engine_agrees_with_vectorised_in_distribution():
    pol = policy(policy_capex_subsidy=0.3, policy_free_diagnosis=1.0, policy_budget_share_gdp=2e-5)
    spec = PopulationSpec(40.0, 800.0, 2)
    shares = {}
    keys = ("upgraded_above", "covered_above", *SINCE_2020)
    for engine in ("vectorised", "mesa"):
        out = run_years(make_engine(0, pol=pol, engine=engine, spec=spec, runs=range(200)), 2)[-1]
        shares[engine] = {k: out[k] / out["above_firms"] for k in keys}  # per above-size firm: comparable scale
    for key in keys:
        v, m = shares["vectorised"][key], shares["mesa"][key]
        se = np.sqrt(v.var(ddof=1) / len(v) + m.var(ddof=1) / len(m))
        assert (se > 0).all(), key  # the counts vary between runs, so the comparison has power
        assert (np.abs(v.mean(0) - m.mean(0)) < 3 * se).all(), (key, v.mean(0), m.mean(0), se)


@pytest.mark.parametrize("engine", ["vectorised", "mesa"])
def test_plan_counts_follow_from_each_firms_rungs(engine):
    """Each engine's counts equal a direct count over its firms' end-2020 and current rungs."""
    spec = PopulationSpec(20.0, 400.0, 2)
    eng = make_engine(6, pol=policy(policy_capex_subsidy=0.3, policy_budget_share_gdp=2e-4), engine=engine, spec=spec)
    start = rungs(eng)
    out = run_years(eng, 3)[-1]
    now = rungs(eng)
    if engine == "vectorised":
        w, above, region = eng.weight, eng.above, eng.region
    else:
        firms = eng.models[0].firms
        w, above = np.array([f.weight for f in firms]), np.array([f.above for f in firms])
        region = np.array([f.region for f in firms])
    count = lambda mask: np.bincount(region, weights=w * mask, minlength=LEAVES)  # noqa: E731
    climbs_from_1 = np.maximum(0, now.astype(int) - np.maximum(start, 1))
    expected = {"covered_above": count(above & (now >= 1)), "diagnosed": count((start == 0) & (now >= 1)),
                "diagnosed_above": count(above & (start == 0) & (now >= 1)),
                "projects_above": count(above * climbs_from_1), "smes_transformed": count(~above & (now > start))}
    for key, value in expected.items():
        np.testing.assert_allclose(out[key][0], value, rtol=1e-12, err_msg=key)
        assert value.sum() > 0, key  # the run exercised the count


def test_same_seed_same_agents():
    a, b = run_years(make_engine(9), 2)[-1], run_years(make_engine(9), 2)[-1]
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])


def test_vectorised_results_do_not_depend_on_threads_or_grouping(monkeypatch):
    pol = policy(policy_capex_subsidy=0.3, policy_free_diagnosis=1.0, policy_budget_share_gdp=2e-5)
    threads = numba.get_num_threads()
    results = []
    monkeypatch.setattr(kernel, "PARALLEL_FIRMS", 0)  # the parallel kernel even for this small ensemble
    try:
        for n in (1, 2):
            numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))
            results.append(run_years(make_engine(7, pol=pol, runs=range(6)), 3)[-1])
    finally:
        numba.set_num_threads(threads)
    monkeypatch.setattr(kernel, "PARALLEL_FIRMS", 10**12)  # the serial kernel
    alone = [run_years(make_engine(7, pol=pol, runs=(r,)), 3)[-1] for r in range(6)]
    serial = run_years(make_engine(7, pol=pol, runs=range(6)), 3)[-1]
    assert {"covered_above", *SINCE_2020} <= set(results[0])  # the plans' counts are among the compared keys
    for key in results[0]:
        np.testing.assert_array_equal(results[0][key], results[1][key])
        np.testing.assert_array_equal(results[0][key], np.concatenate([a[key] for a in alone]))
        np.testing.assert_array_equal(results[0][key], serial[key])


def test_mesa_clock_counts_decision_periods_and_firms_are_agents():
    eng = make_engine(1, engine="mesa", spec=PopulationSpec(40.0, 800.0, 2))
    run_years(eng, 2)
    model = eng.models[0]
    assert model.steps == 8 and model.time == 8.0
    first = list(model.inspect(5))[0]
    assert len(model.inspect(5)) == 5 and 0 <= first.rung <= population.TOP


def test_rationing_follows_the_queue_and_stops_at_the_first_refusal():
    amount = np.array([1.0, 5.0, 1.0, 2.0, 0.5])  # asked by the applicants
    funded = np.zeros(5, dtype=bool)
    key = np.uint64(kernel.stream_key(123, 2021, 0, 1))
    paid = kernel._ration(amount, 5, key, 3.0, funded)
    order, expected, total = list(range(5)), set(), 0.0
    for j in range(5):  # the queue as drawn, served until the first refusal
        r = kernel.queue_position(key, j, 5)
        order[j], order[r] = order[r], order[j]
        if total + amount[order[j]] > 3.0:
            break
        expected.add(order[j])
        total += amount[order[j]]
    assert set(np.flatnonzero(funded)) == expected and paid == total and total <= 3.0


def test_the_queue_is_a_uniformly_random_order():
    """Each applicant is first in line equally often (chi-square over 4,000 periods, 4 applicants)."""
    firsts = np.zeros(4)
    for period in range(4000):
        key = np.uint64(kernel.stream_key(7, 2021, period, 1))
        firsts[kernel.queue_position(key, 0, 4)] += 1
    chi2 = ((firsts - 1000) ** 2 / 1000).sum()
    assert chi2 < 16.27, firsts  # 99.9 % quantile of chi-square with 3 degrees of freedom


@pytest.mark.parametrize("engine", ["vectorised", "mesa"])
def test_adaptive_district_raises_support_when_behind(engine):
    pol = policy(policy_adaptive=1.0, policy_capex_subsidy=0.0, policy_adaptive_step=0.05)
    eng = make_engine(2, pol=pol, engine=engine, spec=PopulationSpec(20.0, 400.0, 2), targets=[(1.0, 2023)] * LEAVES)
    run_years(eng, 2)
    capex = eng.districts.support[..., 1] if engine == "vectorised" else [d.capex_subsidy for d in
                                                                         eng.models[0].districts]
    np.testing.assert_allclose(capex, 0.10)


@settings(max_examples=300, deadline=None)
@given(rung=st.integers(0, population.TOP), size=st.floats(1e-3, 1e3), coverage=st.floats(0, 1),
       free_diag=st.floats(0, 1), share=st.floats(0, 0.9), award=st.floats(1e-4, 10), peers=st.floats(0, 1),
       hazard=st.floats(0.05, 5), speed=st.floats(0.2, 5), steps=st.sampled_from([1, 2, 4, 12]))
def test_reach_bound_is_never_below_a_chance(rung, size, coverage, free_diag, share, award, peers, hazard, speed,
                                              steps):
    """The kernel decides a firm from ``u >= reach_bound x period_scale`` alone (no climb, no application), so the
    bound must be at or above both chances at every rung, else a firm that should climb would be skipped."""
    fp = rule.rule_vector(FIRM | {"programme_speed": speed})
    dt = 1.0 / steps
    reliefs = rule.region_reliefs(free_diag, share, fp)
    terms = rule.year_terms(size, *rule.size_powers(size, fp), coverage, free_diag, share, award, *reliefs, fp)
    _, _, base, relief = rule.at_rung(rung, *terms, fp)
    bound = rule.reach_bound(base, relief) * rule.period_scale(hazard, peers, fp, dt)
    p_none, p_pol = rule.chances(base * hazard, relief, peers, fp, dt)
    assert p_none <= bound and p_pol <= bound, (p_none, p_pol, bound)
    if rung == population.TOP:
        assert bound == 0.0  # nothing left to climb: every draw is at or above it
