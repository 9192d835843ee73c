"""Compiled fixed-step integration of many independent cells (one run x one region each).

The derivative is the generated ``deriv`` (from the sympy declarations, :mod:`dezsim.model.sd.codegen`); this
module only adds the step loop, with preallocated stage buffers so nothing is allocated per step. It follows
:func:`dezsim.model.sd.integrate.euler_step` / :func:`~dezsim.model.sd.integrate.rk4_step` operation for operation; a test
holds the two engines to the same numbers.
"""

from __future__ import annotations

import numba
import numpy as np

from dezsim.model.sd import _kernel_generated

_deriv = numba.njit(cache=True, nogil=True)(_kernel_generated.deriv)
#: Cells per parallel block (each block has its own stage buffers), and the blocks from which they run in parallel.
BLOCK = 256
PARALLEL_BLOCKS = 4


# Not cached on disk: numba's cache of a caller does not notice that a callee in another file changed (here the
# regenerated derivative), and would silently keep the old one. Compiling the loop takes a second or two.
def integrate_cells(x, p, c, it_load, t0, steps, rk4):
    """Advance every row of ``x`` (cells x stocks, in place) by one time unit from ``t0`` in ``steps`` steps.

    Cells are independent: blocks of :data:`BLOCK` cells run in parallel (``numba.prange``), each with its own
    stage buffers, so the result does not depend on the number of threads; fewer than :data:`PARALLEL_BLOCKS`
    blocks run serially (waking the other threads would cost more than it saves).

    Parameters
    ----------
    x : ndarray (cell, stock)
        State, modified in place.
    p : ndarray (cell, parameter)
        Parameters in :data:`dezsim.model.sd.equations.P` order.
    c : ndarray (cell, 3)
        gdp_2020, va_2020, racks_2020.
    it_load : ndarray (cell,)
        IT load per rack of the vintage being built (kW).
    t0 : float
        Start time (years since end-2020).
    steps : int
        Number of steps.
    rk4 : bool
        Classical Runge-Kutta if true, explicit Euler otherwise.
    """
    if x.shape[0] < PARALLEL_BLOCKS * BLOCK:
        _integrate_block(x, p, c, it_load, t0, steps, rk4, 0, x.shape[0])
    else:
        _integrate_parallel(x, p, c, it_load, t0, steps, rk4)


@numba.njit(cache=False, nogil=True, parallel=True)
def _integrate_parallel(x, p, c, it_load, t0, steps, rk4):  # pragma: no cover - compiled
    n_cells = x.shape[0]
    n_blocks = (n_cells + BLOCK - 1) // BLOCK
    for blk in numba.prange(n_blocks):
        _integrate_block(x, p, c, it_load, t0, steps, rk4, blk * BLOCK, min(n_cells, (blk + 1) * BLOCK))


@numba.njit(cache=False, nogil=True)
def _integrate_block(x, p, c, it_load, t0, steps, rk4, lo, hi):  # pragma: no cover - compiled
    n = x.shape[1]
    dt = 1.0 / steps
    k1 = np.empty(n)
    k2 = np.empty(n)
    k3 = np.empty(n)
    k4 = np.empty(n)
    tmp = np.empty(n)
    for i in range(lo, hi):
        y = x[i]
        for s in range(steps):
            t = t0 + s * dt
            _deriv(t, y, p[i], c[i], it_load[i], k1)
            if not rk4:
                for j in range(n):
                    y[j] = y[j] + dt * k1[j]
                continue
            for j in range(n):
                tmp[j] = y[j] + (dt / 2) * k1[j]
            _deriv(t + dt / 2, tmp, p[i], c[i], it_load[i], k2)
            for j in range(n):
                tmp[j] = y[j] + (dt / 2) * k2[j]
            _deriv(t + dt / 2, tmp, p[i], c[i], it_load[i], k3)
            for j in range(n):
                tmp[j] = y[j] + dt * k3[j]
            _deriv(t + dt, tmp, p[i], c[i], it_load[i], k4)
            for j in range(n):
                y[j] = y[j] + (dt / 6) * (k1[j] + 2 * k2[j] + 2 * k3[j] + k4[j])
