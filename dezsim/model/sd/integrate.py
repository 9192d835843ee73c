"""Fixed-step integration from pure step functions (scipy ``_ivp/rk.py`` style: a step is data in, data out).

``fun(t, y) -> dy/dt`` works on arrays of any shape (here (stock, ensemble, region)), so one call advances
thousands of parameter sets at once.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Rhs = Callable[[float, np.ndarray], np.ndarray]


def euler_step(fun: Rhs, t: float, y: np.ndarray, dt: float) -> np.ndarray:
    """One explicit Euler step (first order)."""
    return y + dt * fun(t, y)


def rk4_step(fun: Rhs, t: float, y: np.ndarray, dt: float) -> np.ndarray:
    """One classical Runge-Kutta step (fourth order)."""
    k1 = fun(t, y)
    k2 = fun(t + dt / 2, y + (dt / 2) * k1)
    k3 = fun(t + dt / 2, y + (dt / 2) * k2)
    k4 = fun(t + dt, y + dt * k3)
    return y + (dt / 6) * (k1 + 2 * k2 + 2 * k3 + k4)


STEPPERS: dict[str, Callable[[Rhs, float, np.ndarray, float], np.ndarray]] = {
    "euler": euler_step, "rk4": rk4_step}


def integrate(fun: Rhs, y0: np.ndarray, t0: float, t1: float, steps: int, method: str = "rk4") -> np.ndarray:
    """Advance ``y0`` from ``t0`` to ``t1`` in ``steps`` equal steps; returns the state at ``t1``.

    Parameters
    ----------
    fun : callable
        Right-hand side ``fun(t, y)``; must not modify ``y``.
    y0 : ndarray
        State at ``t0`` (not modified).
    t0, t1 : float
        Interval (same time unit as ``fun``).
    steps : int
        Number of fixed steps (>= 1).
    method : {"euler", "rk4"}
        Step function.
    """
    step = STEPPERS[method]
    dt = (t1 - t0) / steps
    y = y0
    for i in range(steps):
        y = step(fun, t0 + i * dt, y, dt)
    return y
