"""``x ** e`` and ``exp(y)`` over a row of cells in arithmetic the compiler vectorises (the SD kernel's ``pow`` and
``exp``, and the agent kernel's powers of firm revenue).

Why: numba vectorises no ``libm`` call here (its SVML path needs an SVML-patched LLVM, which pip's llvmlite is
not), and taking the scalar ``pow`` out of the kernel made it about a third faster (``exp``: a seventh). On whole
rows ``pow`` costs about 3 ns per cell against 11 for the scalar call, and the kernel runs in about two thirds of
the time it took with the scalar calls. This computes
``exp(e * log(x))`` from the float's exponent and mantissa, read through integer views of the rows, and two
series whose terms are exact formulas (no fitted coefficients):

* ``log x = k ln 2 + log m`` with ``x = m 2**k``, ``m`` in [sqrt(1/2), sqrt(2)), and
  ``log m = 2 atanh(s) = 2 (s + s**3/3 + s**5/5 + ...)``, ``s = (m - 1)/(m + 1)``, ``|s| <= 0.172``:
  :data:`LOG_TERMS` terms leave a truncation below 1e-17 relative.
* ``exp y = 2**j exp(r)``, ``j`` the integer nearest ``y / ln 2``, ``|r| <= ln 2 / 2``, ``exp r`` by its Taylor
  series to :data:`EXP_TERMS` terms (truncation below 1e-17), and ``2**j`` built in the exponent bits.

The result is within a few units in the last place of ``x ** e`` for ``|e log x|`` up to :data:`EXP_LIMIT`
(a test holds it to 1e-14 relative, the numpy engine's ``**`` to the kernel at 1e-12). Cells outside the fast
range (``x`` zero, negative, subnormal, infinite or NaN, or ``|e log x|`` beyond :data:`EXP_LIMIT`) are
recomputed by the scalar ``**`` (``math.exp``) in a second pass, so every input gets the scalar answer's meaning.
"""

from __future__ import annotations

import decimal
import math

import numba
import numpy as np

#: Terms of the atanh series for log m, and of the Taylor series for exp r (see the module docstring).
LOG_TERMS = 11
EXP_TERMS = 14
#: |e log x| beyond which the scalar ``**`` answers (2**j stays a normal float well inside this).
EXP_LIMIT = 700.0
_LN2 = math.log(2.0)
# ln 2 split so that j * _LN2_HI is exact for |j| < 2**11 (the high part keeps 32 significant bits) and the low
# part carries the rest of ln 2 to 40 digits, beyond the float _LN2 (whose own error, times j up to 1000, would
# otherwise reach 1e-14 of the result).
_LN2_HI = float(np.frombuffer(np.array([_LN2]).view(np.int64) & ~np.int64(2**21 - 1), dtype=np.float64)[0])
with decimal.localcontext(decimal.Context(prec=40)):
    _LN2_LO = float(decimal.Decimal(2).ln() - decimal.Decimal(_LN2_HI))
_SQRT2 = math.sqrt(2.0)
_TINY = float(np.finfo(np.float64).tiny)
_HUGE = float(np.finfo(np.float64).max)
_MANTISSA_BITS = 52
_MANTISSA_MASK = np.int64(2**_MANTISSA_BITS - 1)
_EXPONENT_BIAS = 1023
_ONE_BITS = np.int64(_EXPONENT_BIAS << _MANTISSA_BITS)  # the bits of 1.0: a mantissa put in [1, 2)
#: 1 / (2 i + 1) and 1 / i!, highest order first (Horner's order).
_LOG_HORNER = tuple(1.0 / (2 * i + 1) for i in reversed(range(LOG_TERMS)))
_EXP_HORNER = tuple(1.0 / math.factorial(i) for i in reversed(range(EXP_TERMS)))
_L, _E = _LOG_HORNER, _EXP_HORNER
# A result beyond these came from a clamped exponent (or is within a unit of the clamp): the scalar answers.
_OUT_LO, _OUT_HI = math.exp(-(EXP_LIMIT - 1.0)), math.exp(EXP_LIMIT - 1.0)


@numba.njit(cache=True, nogil=True, inline="always")
def _horner(x, coefficients):  # pragma: no cover - compiled
    """The polynomial with ``coefficients`` (highest order first) at ``x``. The loop over the tuple is unrolled
    when numba types it and the function is inlined, so the loops over cells that call it stay loops without an
    inner loop, which the compiler vectorises."""
    value = 0.0
    for c in numba.literal_unroll(coefficients):
        value = value * x + c
    return value


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _exp_fast(y, out, scale, n):  # pragma: no cover - compiled
    """``out[:n] = exp(y[:n])`` for ``|y| <= EXP_LIMIT`` (``y`` clamped there; ``y``, ``out`` and ``scale``, a
    float64 scratch row, must be distinct rows, or the compiler's overlap check keeps the loop scalar)."""
    sbits = scale.view(np.int64)
    for i in range(n):
        v = min(max(y[i], -EXP_LIMIT), EXP_LIMIT)
        j = math.floor(v / _LN2 + 0.5)
        r = (v - j * _LN2_HI) - j * _LN2_LO
        p = _horner(r, _E)
        out[i] = p
        scale[i] = j
    for i in range(n):  # 2**j in the exponent bits
        sbits[i] = np.int64(scale[i] + _EXPONENT_BIAS) << _MANTISSA_BITS
    for i in range(n):
        out[i] = out[i] * scale[i]


@numba.njit(cache=True, nogil=True, error_model="numpy")
def exp_row(y, out, work, n):  # pragma: no cover - compiled (the plain-Python path runs the same code)
    """``out[:n] = exp(y[:n])`` (float64 rows, ``out`` not ``y``; ``work``: (2, >= n) float64 scratch)."""
    _exp_fast(y, out, work[1], n)
    outside = 0  # counted branch-free first (see pow_row)
    for i in range(n):
        o = out[i]
        outside += (o <= _OUT_LO) | (o >= _OUT_HI) | (o != o)
    if outside:
        for i in range(n):
            if not (_OUT_LO < out[i] < _OUT_HI):
                out[i] = math.exp(y[i])


@numba.njit(cache=True, nogil=True, error_model="numpy")
def pow_row(x, e, out, work, n):  # pragma: no cover - compiled (the plain-Python path runs the same code)
    """``out[:n] = x[:n] ** e[:n]`` (float64 rows; ``work``: (2, >= n) float64 scratch)."""
    xbits = x.view(np.int64)
    mant, scale = work[0], work[1]
    mbits = mant.view(np.int64)
    for i in range(n):  # split x = m 2**k: the exponent as a float in scale, the mantissa (in [1, 2)) in mant
        b = xbits[i]
        scale[i] = float(((b >> _MANTISSA_BITS) & 0x7FF) - _EXPONENT_BIAS)
        mbits[i] = (b & _MANTISSA_MASK) | _ONE_BITS
    for i in range(n):
        m, k = mant[i], scale[i]
        big = m > _SQRT2
        m = m * 0.5 if big else m
        k = k + 1.0 if big else k
        s = (m - 1.0) / (m + 1.0)
        z = s * s
        series = _horner(z, _L)
        mant[i] = e[i] * (k * _LN2 + 2.0 * s * series)  # y = e log x, over the mantissa it no longer needs
    _exp_fast(mant, out, scale, n)  # from a row other than out: rows that may overlap would keep its loop scalar
    # Cells outside the fast range get the scalar answer. They are counted first in a branch-free loop (a loop
    # holding the branch and the call ran at the speed of the scalar pow, even with the branch never taken).
    outside = 0
    for i in range(n):
        v, o = x[i], out[i]
        outside += (v < _TINY) | (v > _HUGE) | (o <= _OUT_LO) | (o >= _OUT_HI) | (o != o)
    if outside:
        for i in range(n):
            v = x[i]
            if not (_TINY <= v <= _HUGE) or not (_OUT_LO < out[i] < _OUT_HI):
                out[i] = v ** e[i]
