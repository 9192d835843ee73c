"""Sweeps: designs (Monte Carlo, Latin hypercube, Sobol/Saltelli, Morris), chunked execution in-process, in
local processes or on Dask, a resumable Parquet store, sensitivity indices and scenario discovery.

May import outputs, targets, calibration, model, data and base; only the CLI imports it."""

from dezsim.sweep.designs import METHODS, make, problem
from dezsim.sweep.execute import EXECUTORS, Outputs, run_sweep
from dezsim.sweep.store import Store

__all__ = ["EXECUTORS", "METHODS", "Outputs", "Store", "make", "problem", "run_sweep"]
