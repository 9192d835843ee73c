"""The kernel's vectorised ``pow`` and ``exp`` (dezsim.model.fastmath) against numpy's: within 1e-14
relative wherever the result is a normal float (the series' truncation is below 1e-17, the rest is rounding of
a few dozen operations), and the scalar answer itself where the fast path does not apply."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from dezsim.model.fastmath import EXP_LIMIT, exp_row, pow_row

#: A few dozen rounded operations, each within half a unit in the last place (2**-53 ~ 1.1e-16), and the
#: exponent's error times |e log x| (up to a few units of 1e-16 times its size): 1e-14 leaves a factor ~10.
RELATIVE = 1e-14
finite = st.floats(min_value=-EXP_LIMIT / 2, max_value=EXP_LIMIT / 2, allow_nan=False)


def _pow(x, e):
    x, e = np.asarray(x, float), np.asarray(e, float)
    out, work = np.empty_like(x), np.empty((2, x.size))
    pow_row(x, e, out, work, x.size)
    return out


def _exp(y):
    y = np.asarray(y, float)
    out, work = np.empty_like(y), np.empty((2, y.size))
    exp_row(y, out, work, y.size)
    return out


@given(st.lists(st.tuples(st.floats(min_value=1e-6, max_value=1e6), st.floats(min_value=-3, max_value=3)),
                min_size=1, max_size=40))
def test_pow_row_is_numpy_power_to_1e_14(pairs):
    x, e = (np.array(v) for v in zip(*pairs, strict=True))
    np.testing.assert_allclose(_pow(x, e), x ** e, rtol=RELATIVE, atol=0)


@given(st.lists(finite, min_size=1, max_size=40))
def test_exp_row_is_numpy_exp_to_1e_14(y):
    np.testing.assert_allclose(_exp(y), np.exp(y), rtol=RELATIVE, atol=0)


def test_the_kernel_range_is_close_to_the_last_place():
    # the kernel's base: value added over its 2020 level (0.5-3), elasticity within its bounds
    rng = np.random.default_rng(0)
    x, e = rng.uniform(0.5, 3.0, 10_000), rng.uniform(0.2, 1.5, 10_000)
    assert np.max(np.abs(_pow(x, e) / x ** e - 1)) < 4 * np.finfo(float).eps
    y = rng.uniform(-2.0, 0.0, 10_000)  # the PUE learning term, -learning x years
    assert np.max(np.abs(_exp(y) / np.exp(y) - 1)) < 4 * np.finfo(float).eps


def test_outside_the_fast_range_the_scalar_answer():
    # the scalar libm answer, which may differ from numpy's in the last place: zeros, infinities and NaN exactly
    last_place = 2 * np.finfo(float).eps
    with np.errstate(all="ignore"):
        x = np.array([0.0, -1.0, np.inf, np.nan, 5e-324, 1.0, 2.0, 1e300, 1e-300, 2.0])
        e = np.array([0.5, 0.5, 0.5, 0.5, 0.5, 0.0, np.nan, 3.0, 3.0, -2000.0])
        np.testing.assert_allclose(_pow(x, e), x ** e, rtol=last_place, atol=0)
        y = np.array([-800.0, 800.0, np.nan, np.inf, -np.inf, 0.0, 699.5, -699.5])
        np.testing.assert_allclose(_exp(y), np.exp(y), rtol=last_place, atol=0)
