"""The combined p's pool (dezsim.targets.pooling): the declared formula, centred on the outside view, pulled by
evidence only as far as the chosen prior lets it, the prior sd chosen leave-one-plan-out with ties to the outside
view, and every held-out p fitted without its own plan."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dezsim.targets import pooling


def _past(n: int, seed: int, inside_skill: float) -> pd.DataFrame:
    """Synthetic past targets: outcomes drawn from a truth p; the outside view a blurred truth, the inside view
    the truth mixed with noise by ``inside_skill`` (1: the inside view is the truth)."""
    rng = np.random.default_rng(seed)
    truth = rng.uniform(0.05, 0.95, n)
    met = (rng.uniform(size=n) < truth).astype(int)
    outside = 0.5 + 0.3 * (truth - 0.5)
    inside = inside_skill * truth + (1 - inside_skill) * rng.uniform(0.05, 0.95, n)
    return pd.DataFrame({"plan": [f"p{i % 12}" for i in range(n)], "p_inside": inside, "p_outside": outside,
                         "met": met})


def test_the_prior_pool_is_the_outside_view():
    p = pooling.Pool.outside_view().predict(np.array([0.9, np.nan]), np.array([0.3, 0.6]))
    assert p == pytest.approx([0.3, 0.6])


def test_a_tight_prior_keeps_the_outside_view_and_a_loose_one_follows_a_skilled_inside_view():
    past = _past(400, 1, inside_skill=1.0)
    tight, loose = pooling.fit(past, 1e-4), pooling.fit(past, 2.0)
    assert (tight.intercept, tight.outside, tight.inside) == pytest.approx(pooling.PRIOR_MEAN, abs=1e-3)
    assert loose.inside > 0.5  # the truth is the inside view: the fit leans on it
    assert pooling.log_loss(pooling.held_out(past, 2.0), past.met) < pooling.log_loss(past.p_outside, past.met)


def test_an_uninformative_inside_view_gets_little_weight():
    past = _past(400, 2, inside_skill=0.0)
    assert abs(pooling.fit(past, 2.0).inside) < 0.3  # pure noise: about 0 (sd of the estimate about 0.1)


def test_ties_go_to_the_smallest_prior_sd():
    flat = pd.DataFrame({"plan": list("aabbcc"), "p_inside": np.nan, "p_outside": 0.5, "met": [1, 0] * 3})
    assert pooling.choose_prior_sd(flat) == pooling.PRIOR_SD_GRID[0]


def test_a_held_out_plan_never_informs_its_own_p():
    past = _past(120, 3, inside_skill=0.7)
    held = (past.plan == "p0").to_numpy()
    flipped = past.assign(met=np.where(held, 1 - past.met, past.met))
    assert pooling.held_out(flipped)[held] == pytest.approx(pooling.held_out(past)[held], abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.floats(-3, 3), st.floats(0, 3), st.floats(-2, 2),
       st.lists(st.floats(0.0, 1.0), min_size=1, max_size=8), st.lists(st.floats(0.0, 1.0), min_size=1, max_size=8))
def test_the_pool_is_a_probability(a, b_out, b_in, p_in, p_out):
    n = min(len(p_in), len(p_out))
    p = pooling.Pool(a, b_out, b_in, 1.0, 10).predict(np.array(p_in[:n]), np.array(p_out[:n]))
    assert np.all((p >= 0) & (p <= 1))
