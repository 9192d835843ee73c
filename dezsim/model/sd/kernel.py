"""Compiled fixed-step integration of many independent cells (one run x one region each).

The derivative is the generated ``deriv`` (from the sympy declarations, :mod:`dezsim.model.sd.codegen`),
evaluated across a block of cells at a time; this module adds the step loop, with the block's state, parameters and
stage buffers copied into contiguous (quantity, cell) arrays so every loop over cells is unit-stride. It follows
:func:`dezsim.model.sd.integrate.euler_step` / :func:`~dezsim.model.sd.integrate.rk4_step` operation for operation; a test
holds the two engines to the same numbers.
"""

from __future__ import annotations

import numba
import numpy as np

from dezsim.model.sd import _kernel_generated

# error_model="numpy": a division by zero gives inf/nan (caught after the year by the finiteness check) instead of
# a branch per division that would stop the loops over cells from vectorising.
_deriv = numba.njit(cache=True, nogil=True, error_model="numpy")(_kernel_generated.deriv)
N_TEMPS = _kernel_generated.N_TEMPS
#: Cells per block (each block has its own stage buffers: 7 x 15 + 35 rows of BLOCK doubles, about 0.6 MB, so a
#: block stays in a core's L2 cache while it is long enough to amortise the loop set-up), and the number of blocks
#: from which they run in parallel.
BLOCK = 512
PARALLEL_BLOCKS = 2

#: The files holding the compiled callees (the generated derivative and the rows of fastmath it calls; paths under
#: ``dezsim/model``), and their digest. numba's on-disk cache (``cache=True``) of the loops below only notices edits
#: of this file; a test holds GENERATED_DIGEST to those files, so regenerating the derivative (which an edit of fastmath.py requires: the
#: generated file names its digest) forces an edit here and a fresh compile instead of a stale cached kernel
#: (compiling the parallel loop takes several seconds, once per installation rather than per run).
GENERATED_FILES = ("sd/_kernel_generated.py", "fastmath.py")
GENERATED_DIGEST = "dcd7c4b6dc4a750a"


def integrate_cells(x, p, c, it_load, t0, steps, rk4):
    """Advance every column of ``x`` (stocks x cells, in place) by one time unit from ``t0`` in ``steps`` steps.

    Cells are independent: blocks of :data:`BLOCK` cells run in parallel (``numba.prange``), each with its own
    buffers, so the result does not depend on the number of threads; fewer than :data:`PARALLEL_BLOCKS` blocks run
    serially (waking the other threads would cost more than it saves).

    Parameters
    ----------
    x : ndarray (stock, cell)
        State, modified in place.
    p : ndarray (parameter, cell)
        Parameters in :data:`dezsim.model.sd.equations.P` order.
    c : ndarray (3, cell)
        gdp_2020, va_2020, racks_2020 (:data:`dezsim.model.sd.codegen.CONSTANTS`).
    it_load : ndarray (cell,)
        IT load per rack of the vintage being built (kW).
    t0 : float
        Start time (years since end-2020).
    steps : int
        Number of steps.
    rk4 : bool
        Classical Runge-Kutta if true, explicit Euler otherwise.
    """
    if x.shape[1] < PARALLEL_BLOCKS * BLOCK:
        _integrate_serial(x, p, c, it_load, t0, steps, rk4, BLOCK)
    else:
        _integrate_parallel(x, p, c, it_load, t0, steps, rk4, BLOCK)


@numba.njit(cache=True, nogil=True)
def _integrate_serial(x, p, c, it_load, t0, steps, rk4, block):  # pragma: no cover - compiled
    n_cells = x.shape[1]
    for lo in range(0, n_cells, block):
        _integrate_block(x, p, c, it_load, t0, steps, rk4, lo, min(n_cells, lo + block))


@numba.njit(cache=True, nogil=True, parallel=True)
def _integrate_parallel(x, p, c, it_load, t0, steps, rk4, block):  # pragma: no cover - compiled
    n_cells = x.shape[1]
    n_blocks = (n_cells + block - 1) // block
    for blk in numba.prange(n_blocks):
        _integrate_block(x, p, c, it_load, t0, steps, rk4, blk * block, min(n_cells, (blk + 1) * block))


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _integrate_block(x, p, c, it_load, t0, steps, rk4, lo, hi):  # pragma: no cover - compiled
    n_stocks, n = x.shape[0], hi - lo
    dt = 1.0 / steps
    y = np.ascontiguousarray(x[:, lo:hi])
    pb = np.ascontiguousarray(p[:, lo:hi])
    cb = np.ascontiguousarray(c[:, lo:hi])
    load = np.ascontiguousarray(it_load[lo:hi])
    k1 = np.empty((n_stocks, n))
    k2 = np.empty((n_stocks, n))
    k3 = np.empty((n_stocks, n))
    k4 = np.empty((n_stocks, n))
    stage = np.empty((n_stocks, n))
    scratch = np.empty((N_TEMPS, n))
    for s in range(steps):
        t = t0 + s * dt
        _deriv(t, y, pb, cb, load, k1, scratch, n)
        if not rk4:
            for j in range(n_stocks):
                for i in range(n):
                    y[j, i] = y[j, i] + dt * k1[j, i]
            continue
        for j in range(n_stocks):
            for i in range(n):
                stage[j, i] = y[j, i] + (dt / 2) * k1[j, i]
        _deriv(t + dt / 2, stage, pb, cb, load, k2, scratch, n)
        for j in range(n_stocks):
            for i in range(n):
                stage[j, i] = y[j, i] + (dt / 2) * k2[j, i]
        _deriv(t + dt / 2, stage, pb, cb, load, k3, scratch, n)
        for j in range(n_stocks):
            for i in range(n):
                stage[j, i] = y[j, i] + dt * k3[j, i]
        _deriv(t + dt, stage, pb, cb, load, k4, scratch, n)
        for j in range(n_stocks):
            for i in range(n):
                y[j, i] = y[j, i] + (dt / 6) * (k1[j, i] + 2 * k2[j, i] + 2 * k3[j, i] + k4[j, i])
    x[:, lo:hi] = y
