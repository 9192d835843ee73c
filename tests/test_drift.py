"""The drift's random walk: closed forms, the pooled local-level fit on synthetic series, and the drawn paths."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from dezsim.model import drift, noise, params as P
from dezsim.model.process_noise import drift_settings


@given(st.integers(1, 12))
def test_cumulative_variance_is_the_sum_of_squared_step_weights(h):
    assert drift.cumulative_variance(h) == pytest.approx(sum((h - i + 1) ** 2 for i in range(1, h + 1)))


@given(st.integers(1, 12))
def test_lag_variance_is_the_variance_of_today_minus_the_window_mean(n):
    # mu_t - mean(mu_{t-n+1..t}) = sum_{j=1}^{n-1} (j / n) eta: exact weights, no simulation
    assert drift.lag_variance(n) == pytest.approx(sum((j / n) ** 2 for j in range(1, n)))


def _synthetic(rng, n_series, years, sd_eps, sd_eta, mu0=0.07):
    mu = mu0 + np.cumsum(sd_eta * rng.standard_normal((n_series, years)), axis=1)
    return list(mu + sd_eps * rng.standard_normal((n_series, years)))


@pytest.mark.parametrize("sd_eta", [0.004, 0.01])
def test_local_level_fit_recovers_the_drift_sd_of_synthetic_series(sd_eta):
    """200 series x 21 years = 4000 drift steps: the ML sd's relative standard error is about 1/sqrt(2 x 4000)
    inflated by at most ~3 for the shocks that hide each step, about 3.5 %; 15 % is more than 4 of them."""
    rng = np.random.default_rng(1)
    series = _synthetic(rng, 200, 21, 0.008, sd_eta)
    eps, eta = drift.local_level_fit(series, sigma_eps=0.008)
    assert eps == 0.008
    assert eta == pytest.approx(sd_eta, rel=0.15)


def test_local_level_fit_skips_short_series_and_returns_none_without_any():
    assert drift.local_level_fit([np.array([0.07, 0.06, np.nan])]) is None
    series = _synthetic(np.random.default_rng(2), 50, 15, 0.008, 0.006) + [np.array([0.5, -0.5, 0.5])]
    assert drift.local_level_fit(series, 0.008) == drift.local_level_fit(series[:-1], 0.008)


@pytest.fixture(scope="module")
def tree(dataset):
    return noise.tree_from_data(dataset)


def test_drift_paths_have_the_declared_variance_and_boards_follow_their_city(tree):
    runs, years = 6000, 5
    kw = drift_settings(P.defaults())
    d = drift.draw_drift_paths(3, range(runs), tree, years, **kw)
    sd = P.BY_NAME["gdp_drift_sd"].default
    wuxi, kun, tai = (tree.leaves.index(x) for x in ("wuxi", "kunshan", "taicang"))
    se = 4 * np.sqrt(2 / runs)  # relative sampling error of a variance, 4 standard errors
    for k in range(years):
        expected = sd ** 2 * (drift.start_variance("gdp") + k + 1)
        assert np.var(d["gdp"][:, wuxi, k]) == pytest.approx(expected, rel=se)
    np.testing.assert_array_equal(d["gdp"][:, kun], d["gdp"][:, tai])  # a board's drift is its city's
    steps = np.diff(d["gdp"][:, wuxi], axis=1)
    assert abs(np.corrcoef(steps[:, 0], steps[:, 1])[0, 1]) < 4 / np.sqrt(runs)  # independent yearly steps


def test_drift_paths_are_deterministic_chunk_invariant_and_apart_from_the_shocks(tree):
    kw = drift_settings(P.defaults())
    whole = drift.draw_drift_paths(5, range(8), tree, 4, **kw)
    chunk = drift.draw_drift_paths(5, [6, 1], tree, 4, **kw)
    np.testing.assert_array_equal(chunk["sw"][0], whole["sw"][6])
    np.testing.assert_array_equal(chunk["ei"][1], whole["ei"][1])
    shocks = noise.draw_shocks(5, range(8), tree, range(5), sds={"gdp": 1.0}, common={"gdp": 0.5}, board_ratio=0.0)
    steps = noise.draw_shocks(5, range(8), tree, range(5), sds={"gdp": 1.0}, common={"gdp": 0.5}, board_ratio=0.0,
                              component="drift")
    assert not np.allclose(shocks["gdp"], steps["gdp"])


@settings(max_examples=20, deadline=None)
@given(st.one_of(st.just(0.0), st.floats(1e-6, 0.05)), st.integers(1, 8))  # no subnormal sds
def test_zero_drift_sd_gives_zero_paths_and_paths_scale_with_the_sd(sd, years):
    tree = noise.Tree(("a", "b"), (("c", "root"), ("root",)))
    base = drift.draw_drift_paths(0, [0, 1], tree, years, sds={"gdp": 1.0}, common={"gdp": 0.5}, start={"gdp": 1.0})
    got = drift.draw_drift_paths(0, [0, 1], tree, years, sds={"gdp": sd}, common={"gdp": 0.5}, start={"gdp": 1.0})
    np.testing.assert_allclose(got["gdp"], sd * base["gdp"], rtol=1e-12, atol=1e-18)
