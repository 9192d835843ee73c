"""Calibration: ensemble size and fit, data cut-off, determinism, and recovery of a synthetic truth."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from dezsim.base.errors import DezsimError
from dezsim.calibration import calibrate as C
from dezsim.model import params as P


@pytest.fixture(scope="module")
def fitted(dataset):
    return C.calibrate(dataset, n=1000, seed=3)


def test_ensemble_has_every_parameter_and_at_least_1000_sets(fitted):
    ensemble, manifest = fitted
    assert len(ensemble) >= 1000 and set(P.BY_NAME) <= set(ensemble.columns)
    assert manifest["size"] == len(ensemble) and manifest["cutoff_year"] == 2020
    assert set(manifest["fitted"]) | set(manifest["prior_only"]) == set(P.BY_NAME)
    for p in P.PARAMS:  # every set stays inside the declared bounds
        assert ensemble[p.name].between(*p.bounds).all(), p.name


def test_every_set_reproduces_every_moment_within_its_tolerance(fitted, dataset):
    ensemble, _ = fitted
    cols = {c: ensemble[c].to_numpy() for c in ensemble.columns}
    for g in C.groups(dataset):
        sims = g.simulate(cols)
        for m in g.moments:
            assert (np.abs(sims[m.name] - m.target) <= m.tolerance).all(), m.name


def test_calibration_uses_figures_up_to_2020_only(dataset):
    """Every figure a moment cites, in data/figures or in the pre-2021 infrastructure history, is dated <= 2020."""
    from dezsim.data.history_infra import load_infrastructure_history

    years = pd.concat([dataset.figures.set_index("id").year,
                       load_infrastructure_history(dataset.root).set_index("id").year])
    for g in C.groups(dataset):
        for m in g.moments:
            assert all(years[f] <= 2020 for f in m.figures), m.name


def test_same_seed_same_ensemble(dataset):
    # determinism does not depend on the ensemble's size: 150 sets go through every group and every stream that
    # 1000 do, at a seventh of the time
    first, _ = C.calibrate(dataset, n=150, seed=3)
    again, _ = C.calibrate(dataset, n=150, seed=3)
    pd.testing.assert_frame_equal(again, first)
    other, _ = C.calibrate(dataset, n=150, seed=4)
    assert not other.equals(first)


def test_recovers_a_synthetic_truth_within_its_intervals(dataset):
    """Moments computed from known parameters; the posterior must cover them (99 % intervals)."""
    rng = np.random.default_rng(2024)
    truth, posterior = {}, {}
    for g in C.groups(dataset):
        draw = {name: P.BY_NAME[name].draw(rng, 1) for name in g.params}
        truth |= draw
        known = {k: np.asarray(v) for k, v in truth.items()}
        sims = g.simulate(known)
        moments = tuple(dataclasses.replace(m, target=float(sims[m.name][0]),
                                            tolerance=m.tolerance / m.target * float(sims[m.name][0]))
                        for m in g.moments)
        synthetic = dataclasses.replace(g, moments=moments)
        posterior[g.name], _ = C.sample_group(synthetic, 1000, rng, posterior.get(g.given) if g.given else None)
        for name in g.params:
            lo, hi = np.quantile(posterior[g.name][name], [0.005, 0.995])
            assert lo <= truth[name][0] <= hi, (g.name, name, lo, truth[name][0], hi)
    # identified one-dimensional groups are pinned around the truth: EI and software by a +-2 % level window over
    # five years (growth +-0.004), GDP's drift by its filtered variance (a window of half-width sqrt(3 P) in
    # growth, whose uniform sd bounds the posterior's; 4 standard errors of an sd from 1000 draws on top)
    for name, group in (("ei_trend_growth", "ei"), ("sw_trend_growth", "sw")):
        assert posterior[group][name].std() < 0.005
    gdp = next(g for g in C.groups(dataset) if g.name == "gdp").moments[0]
    half = gdp.tolerance / gdp.target * float(truth["gdp_growth"][0])
    assert posterior["gdp"]["gdp_growth"].std() <= half / np.sqrt(3) * (1 + 4 / np.sqrt(2 * 1000))


def test_stored_ensemble_round_trips_and_bad_files_are_named(fitted, tmp_path):
    ensemble, manifest = fitted
    C.save(ensemble, manifest, tmp_path)
    back, meta = C.load_ensemble(tmp_path)
    pd.testing.assert_frame_equal(back, ensemble)
    assert meta["data_hash"] == manifest["data_hash"]
    (tmp_path / "ensemble.parquet").write_bytes(b"not parquet")
    with pytest.raises(DezsimError, match="calibrated ensemble unreadable"):
        C.load_ensemble(tmp_path)


def test_runs_use_the_stored_calibrated_ensemble():
    from dezsim.model.simulate import run

    stored, _ = C.load_ensemble()
    res = run(runs=3, seed=1, agents=None)
    for row in res.design.itertuples():
        assert row.gdp_growth == stored.gdp_growth.iat[row.calibration_set]
    assert res.provenance["calibration"]["size"] == len(stored)


def test_the_committed_calibration_is_fitted_to_todays_data(dataset):
    """A change to data/ without `dezsim calibrate` would make every run warn of a stale calibration."""
    _, manifest = C.load_ensemble()
    assert manifest["data_hash"] == dataset.digest, "data/ changed since the stored calibration: dezsim calibrate"


def test_fit_check_holds_every_baseline_within_tolerance(dataset):
    stored, _ = C.load_ensemble()
    table = C.fit_table(dataset, stored, runs=40)
    assert table.within.all(), table[~table.within].to_string()


def test_derived_stocks_cover_every_region_with_core_value_added(dataset, fitted):
    table = C.derived_stocks(dataset, fitted[0])
    va = table[table.indicator == "core_industry_va"].set_index("region")
    assert set(dataset.leaves()) <= set(va.index)
    assert (va.q10 <= va.value).all() and (va.value <= va.q90).all()
    assert table.how.notna().all()


def test_declaring_a_parameter_never_redraws_another_ones_prior(dataset, monkeypatch):
    """Prior-only columns come from a stream per parameter name (dezsim.base.seeding.named_rng). The groups whose
    moments are simulated by the agents are left out (they take seconds and have nothing to do with the draws
    under test)."""
    every = C.groups
    monkeypatch.setattr(C, "groups", lambda ds: [g for g in every(ds) if g.name not in ("agent_flows",
                                                                                       "agent_municipal")])
    before, manifest = C.calibrate(dataset, n=60, seed=5)
    extra = P.Param(name="zz_extra", unit="dimensionless", default=0.5, bounds=(0.0, 1.0),
                    distribution="uniform", source="assumption: test only", doc="test", group="agents")
    monkeypatch.setattr(P, "PARAMS", (extra, *P.PARAMS))
    monkeypatch.setattr(P, "BY_NAME", {**P.BY_NAME, "zz_extra": extra})
    after, _ = C.calibrate(dataset, n=60, seed=5)
    assert after["zz_extra"].between(0, 1).all()
    pd.testing.assert_frame_equal(after.drop(columns="zz_extra"), before)
    assert manifest["prior_only"]  # the check above covered prior-only columns, not only fitted ones


def test_named_streams_depend_on_the_name_and_seed_only():
    from dezsim.base.seeding import named_rng

    a = named_rng(1, "calibration", "gdp_growth").random(4)
    np.testing.assert_array_equal(a, named_rng(1, "calibration", "gdp_growth").random(4))
    assert not np.array_equal(a, named_rng(1, "calibration", "ei_trend_growth").random(4))
    assert not np.array_equal(a, named_rng(2, "calibration", "gdp_growth").random(4))
