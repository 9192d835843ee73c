"""Derived indicators (dezsim.model.derived): analytic checks, 2020 anchors, streams, properties, and reach gains."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import dezsim
from dezsim.base.errors import DataError, DezsimError
from dezsim.model import derived
from dezsim.model.derived_evidence import load_evidence
from dezsim.model.derived_params import ANCHORS, BY_NAME, PARAMS
from dezsim.model.results import Results
from dezsim.targets.reach import reachability

YEARS = list(range(2020, 2026))


def synthetic(runs: list[int], seed: int = 7) -> Results:
    """Results with core value added and GDP for Jiangsu and Suzhou; run k's path depends on k only."""
    core = np.array([[[1e4 * (1 + 0.01 * k) * 1.08 ** t for t in range(len(YEARS))],
                      [2.5e3 * (1 + 0.02 * k) * 1.1 ** t for t in range(len(YEARS))]] for k in runs])
    gdp = np.array([[[1.0e5 * 1.06 ** t for t in range(len(YEARS))],
                     [2.0e4 * 1.05 ** t for t in range(len(YEARS))]] for _ in runs])
    design = pd.DataFrame({"run": runs, "seed": seed})
    return Results.from_arrays("s", {"core_industry_va": core, "gdp": gdp}, ["jiangsu", "suzhou"], YEARS, design, {})


def series(res: Results, indicator: str, region: str) -> pd.DataFrame:
    part = res.frame[(res.frame.indicator == indicator) & (res.frame.region == region)]
    return part.pivot_table(index="run", columns="year", values="value", observed=True)


def quiet(monkeypatch) -> None:
    """Every derived parameter at its default with no noise."""
    calm = tuple(dataclasses.replace(p, default=0.0 if p.name.endswith("_sd") else p.default, distribution="fixed",
                                     bounds=(0.0, p.bounds[1]) if p.name.endswith("_sd") else p.bounds)
                 for p in PARAMS)
    monkeypatch.setattr(derived, "PARAMS", calm)


def test_zero_noise_share_is_multiplier_times_core_share(monkeypatch, dataset):
    quiet(monkeypatch)
    res = derived.add_derived(synthetic([0, 1, 2]), dataset)
    for a in (a for a in ANCHORS if a.indicator == "digital_economy_size"):
        core, gdp = series(res, "core_industry_va", a.region), series(res, "gdp", a.region)
        level = float(dataset.figures.set_index("id").value[a.figure])
        t = np.arange(len(YEARS))
        m = (level / core[2020].to_numpy())[:, None] * np.exp(BY_NAME["de_multiplier_drift"].default * t)
        share = series(res, "digital_economy_share_gdp", a.region).to_numpy()
        np.testing.assert_allclose(share, m * 100 * core.to_numpy() / gdp.to_numpy(), rtol=1e-12)


def test_stock_matches_closed_form_without_noise():
    core = np.array([[100.0, 110.0, 115.0, 140.0], [100.0, 90.0, 95.0, 100.0]])
    lapse, beta = np.array([0.08, 0.08]), np.array([1.5, 1.5])
    h = derived.stock_path(4000.0, core, lapse, beta, np.zeros(2), np.zeros((2, 3)))
    g = np.log(core[:, 1:] / core[:, :-1])
    rate = np.maximum(1 + beta[:, None] * g, 1 - lapse[:, None])  # the inflow floor binds when lapse + beta g < 0
    np.testing.assert_allclose(h[:, 1:], 4000.0 * np.cumprod(rate, axis=1), rtol=1e-12)
    assert h[1, 1] == pytest.approx(4000.0 * (1 - 0.08))  # a 10 % fall in core VA: only lapses, no inflow


def test_2020_values_are_the_anchors_and_respect_every_2020_baseline(dataset):
    res = derived.add_derived(dezsim.run(runs=4, agents=None, data=dataset), dataset)
    figures = dataset.figures
    for a in ANCHORS:
        got = series(res, a.indicator, a.region)[2020].to_numpy()
        np.testing.assert_array_equal(got, float(figures.set_index("id").value[a.figure]))
    base = figures[(figures.kind == "baseline") & (figures.year == 2020) & figures.indicator.isin(derived.DERIVED)]
    checked = 0
    for f in base.itertuples():
        if f.region not in set(res.frame.region.astype(str)):
            continue
        got = series(res, f.indicator, f.region)[2020].to_numpy()
        assert (got >= f.value - 1e-9).all() if f.relation == ">=" else np.allclose(got, f.value), f.id
        checked += 1
    assert checked >= 2  # Jiangsu's and Suzhou's digital-economy sizes at least


def test_deterministic_and_independent_of_the_other_runs(dataset):
    full = derived.add_derived(synthetic(list(range(6))), dataset)
    again = derived.add_derived(synthetic(list(range(6))), dataset)
    pd.testing.assert_frame_equal(full.frame, again.frame)
    chunk = derived.add_derived(synthetic([3, 4, 5]), dataset)
    for name in derived.DERIVED:
        for region in ("jiangsu", "suzhou"):
            if name == "high_tech_enterprises_digital" and region == "jiangsu":
                continue
            pd.testing.assert_frame_equal(series(full, name, region).loc[[3, 4, 5]], series(chunk, name, region))
    other = derived.add_derived(synthetic(list(range(6)), seed=8), dataset)
    assert not np.allclose(series(other, "digital_economy_size", "jiangsu")[2025],
                           series(full, "digital_economy_size", "jiangsu")[2025])


def test_idempotent_and_input_unchanged(dataset):
    res = synthetic([0, 1])
    before = res.frame.copy()
    once = derived.add_derived(res, dataset)
    pd.testing.assert_frame_equal(res.frame, before)
    assert derived.add_derived(once, dataset) is once


def test_results_not_starting_in_2020_are_refused(dataset):
    res = synthetic([0])
    late = Results(res.frame[res.frame.year > 2020].reset_index(drop=True), res.design, {})
    with pytest.raises(DezsimError, match="start from 2020"):
        derived.add_derived(late, dataset)


growth = st.lists(st.floats(-0.3, 0.4), min_size=1, max_size=12)


@given(growth, st.floats(*BY_NAME["hte_lapse_rate"].bounds), st.floats(*BY_NAME["hte_core_elasticity"].bounds),
       st.floats(0.0, 0.1), st.integers(0, 2**32 - 1))
def test_stock_never_negative(g, lapse, beta, sd, seed):
    core = 100.0 * np.exp(np.concatenate([[0.0], np.cumsum(g)]))[None, :]
    eps = np.random.default_rng(seed).standard_normal((1, len(g))) * 5  # large shocks on purpose
    h = derived.stock_path(4000.0, core, np.array([lapse]), np.array([beta]), np.array([sd]), eps)
    assert (h >= 0).all() and np.isfinite(h).all()


@given(growth, st.floats(0.0, 0.08), st.floats(0.0, 0.04), st.floats(0.05, 0.9), st.integers(0, 2**32 - 1))
def test_share_stays_within_0_and_100(g, drift, sd, core_share, seed):
    n = len(g) + 1
    gdp = 1e5 * np.exp(np.linspace(0, 0.05 * n, n))[None, :]
    core = core_share * gdp * np.exp(np.concatenate([[0.0], np.cumsum(g)]))[None, :] / np.exp(sum(g) if g else 0)
    eps = np.random.default_rng(seed).standard_normal((1, n - 1)) * 5
    m = derived.multiplier_path(np.array([0.4 / core_share]), np.array([drift]), np.array([sd]), eps)
    share = 100 * np.minimum(m * core, gdp) / gdp
    assert ((share >= 0) & (share <= 100)).all()


def test_parameter_defaults_follow_their_evidence(dataset):
    ev, fig = load_evidence().value, dataset.figures.set_index("id").value
    drift = np.log(fig["s001a-011"] / ev["dv-005"]) - np.log(fig["s001a-019"] / ev["dv-007"])
    assert BY_NAME["de_multiplier_drift"].default == pytest.approx(drift, abs=5e-4)
    changes = [np.log(ev["dv-003"] / ev["dv-001"]), np.log(ev["dv-005"] / ev["dv-003"]) / 2,
               np.log(fig["s001a-011"] / ev["dv-005"])]
    assert BY_NAME["de_multiplier_sd"].default == pytest.approx(np.std(changes, ddof=1), abs=5e-4)
    stock = np.log(fig["s001a-104"] / ev["dv-008"]) / 6.5  # mid-2014 to end-2020
    assert BY_NAME["hte_core_elasticity"].default == pytest.approx(stock / np.log(1 + fig["s003-004"] / 100),
                                                                   abs=5e-3)
    assert all(p.bounds[0] <= p.default <= p.bounds[1] for p in PARAMS)


def test_evidence_loads_and_bad_rows_fail_in_one_line(data_copy):
    ev = load_evidence()
    assert ev.index.str.startswith("dv-").all() and (ev.year <= 2020).all()
    path = data_copy / "history" / "derived_to_2020.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("dv-003,", "h-003,"), encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_evidence(root=data_copy)
    assert "derived_to_2020.csv" in str(err.value) and "'id'" in str(err.value) and "\n" not in str(err.value)


def test_derived_indicators_raise_the_assessed_targets(dataset, monkeypatch):
    res = dezsim.run(runs=20, agents=None, data=dataset)
    with_derived = reachability(res, dataset)
    monkeypatch.setattr("dezsim.targets.reach.add_derived", lambda results, ds: results)
    without = reachability(res, dataset)
    gained = set(with_derived[with_derived.assessed].target_id) - set(without[without.assessed].target_id)
    assert gained and gained == set(with_derived[with_derived.assessed
                                                 & with_derived.indicator.isin(derived.DERIVED)].target_id)
    assert "s001a-148" in gained
    assert set(without[without.assessed].target_id) <= set(with_derived[with_derived.assessed].target_id)


def test_results_of_two_scenarios_are_refused(dataset):
    a, b = synthetic([0]), synthetic([0])
    frame = pd.concat([a.frame.astype({"scenario": str}), b.frame.assign(scenario="other").astype({"scenario": str})],
                      ignore_index=True).astype({"scenario": "category"})
    with pytest.raises(DezsimError, match="one scenario at a time"):
        derived.add_derived(Results(frame, a.design, {}), dataset)
