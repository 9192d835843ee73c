"""Run a sweep in chunks: in this process, in local processes, or on a Dask cluster; resume what is missing.

Each chunk is a self-contained task (scenario, its design rows, the seed, what to keep) whose result depends
only on its runs, so the stored results are identical, bit for bit, whatever the number of workers and after
any interruption. Workers return the chunk as Parquet bytes; only this driver writes the store.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from dezsim.config import Scenario
from dezsim.abm.settings import AgentSettings
from dezsim.errors import ConfigError
from dezsim.sweep.store import Store, chunk_bytes

EXECUTORS = ("inprocess", "processes", "dask")


@dataclass(frozen=True)
class Outputs:
    """What each run keeps: indicators, regions and years (None = all)."""

    indicators: tuple[str, ...] | None = None
    regions: tuple[str, ...] | None = None
    years: tuple[int, ...] | None = None


@dataclass(frozen=True)
class ChunkTask:
    """Everything a worker needs to compute one chunk (picklable)."""

    index: int
    sweep_id: str
    scenario: dict
    design: pd.DataFrame
    seed: int
    agents: AgentSettings | None
    outputs: Outputs = field(default_factory=Outputs)


@cache
def _worker_data():
    from dezsim.data import load

    return load()


def compute_chunk(task: ChunkTask) -> tuple[int, bytes, float]:
    """Simulate one chunk; returns (index, Parquet bytes, seconds spent)."""
    from dezsim.calibrate import central, load_ensemble
    from dezsim.simulate import calibrated_ensemble, draw_design, simulate_design

    start = time.perf_counter()
    ds = _worker_data()
    scen = Scenario.model_validate(task.scenario)
    runs = task.design["run"].astype(int).tolist()
    varied = task.design.columns.drop("run")
    if len(varied):  # a sensitivity design: every other parameter held at its calibrated central value
        held = central(load_ensemble())
        full = pd.DataFrame([{"run": r, "seed": task.seed, **held} for r in runs])
    else:  # Monte Carlo over the calibrated ensemble, exactly as an ordinary run draws it
        full = draw_design(runs, task.seed, ensemble=calibrated_ensemble(ds)[0])
    for col in varied:
        full[col] = task.design[col].to_numpy()
    frame = simulate_design(scen, full, task.seed, ds, task.agents).frame
    keep = np.ones(len(frame), dtype=bool)
    for col, allowed in (("indicator", task.outputs.indicators), ("region", task.outputs.regions),
                         ("year", task.outputs.years)):
        if allowed is not None:
            keep &= frame[col].isin(allowed).to_numpy()
    table = frame.loc[keep, ["run", "region", "year", "indicator", "value"]].copy()
    table["region"], table["indicator"] = table.region.astype(str), table.indicator.astype(str)
    table["run"], table["year"] = table.run.astype("int64"), table.year.astype("int64")
    table = table.sort_values(["run", "region", "indicator", "year"], kind="stable").reset_index(drop=True)
    return task.index, chunk_bytes(table, task.sweep_id, task.index, runs), time.perf_counter() - start


def sweep_id(scenario: Scenario, design: pd.DataFrame, seed: int, agents: AgentSettings | None, outputs: Outputs,
             chunk_size: int, data_hash: str, code: str) -> str:
    """Identity of a sweep: everything that determines its results (and its chunking)."""
    h = hashlib.sha256()
    h.update(json.dumps([scenario.model_dump(), seed, repr(agents), repr(outputs), chunk_size, data_hash, code],
                        sort_keys=True, default=str).encode())
    h.update(pd.util.hash_pandas_object(design, index=False).to_numpy().tobytes())
    return h.hexdigest()


def run_sweep(scenario: Scenario, design: pd.DataFrame, out: Path | str, seed: int = 0, *,
              agents: AgentSettings | None = AgentSettings(), outputs: Outputs = Outputs(), chunk_size: int = 100,
              executor: str = "processes", workers: int = 2, scheduler: str | None = None,
              progress: bool = False, design_spec: dict | None = None) -> Store:
    """Run (or resume) a sweep of ``design`` under ``scenario`` into the store at ``out``.

    Parameters
    ----------
    executor : {"inprocess", "processes", "dask"}
        Where chunks run; ``scheduler`` (an address such as ``tcp://10.0.0.5:8786``) selects a running Dask
        scheduler, otherwise a local Dask cluster of ``workers`` processes is started.
    chunk_size : int
        Runs per chunk (each chunk is one vectorised ensemble).
    """
    from dezsim.data import load
    from dezsim.simulate import code_version

    if executor not in EXECUTORS:
        raise ConfigError(f"sweep --executor {executor!r}: allowed: {', '.join(EXECUTORS)}")
    if chunk_size < 1 or workers < 1:
        raise ConfigError(f"sweep: chunk size {chunk_size} and workers {workers} must be >= 1")
    ds = load()
    sid = sweep_id(scenario, design, seed, agents, outputs, chunk_size, ds.digest, code_version())
    store = Store(Path(out))
    manifest = {"sweep_id": sid, "scenario": scenario.model_dump(), "seed": seed, "runs": len(design),
                "chunk_size": chunk_size, "agents": repr(agents), "outputs": repr(outputs), "design": design_spec,
                "data_hash": ds.digest, "code_version": code_version()}
    store.create_or_check(manifest, design)
    chunks = [design.iloc[i:i + chunk_size].reset_index(drop=True) for i in range(0, len(design), chunk_size)]
    todo = [ChunkTask(i, sid, scenario.model_dump(), c, seed, agents, outputs) for i, c in enumerate(chunks)
            if not store.valid_chunk(i, sid, c["run"].astype(int).tolist())]
    with _bar(progress, len(design), len(design) - sum(len(t.design) for t in todo)) as (bar, task):
        for index, data, _seconds in _execute(todo, executor, workers, scheduler):
            store.write_chunk(index, data)
            bar.advance(task, len(chunks[index]))
    return store


def _execute(tasks: list[ChunkTask], executor: str, workers: int, scheduler: str | None
             ) -> Iterator[tuple[int, bytes, float]]:
    if not tasks:
        return
    if executor == "inprocess":
        yield from map(compute_chunk, tasks)
    elif executor == "processes":
        yield from _processes(tasks, workers)
    else:
        yield from _dask(tasks, workers, scheduler)


def _processes(tasks: list[ChunkTask], workers: int) -> Iterator[tuple[int, bytes, float]]:
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    ctx = multiprocessing.get_context("spawn")  # no fork of a driver holding threads; set here, never on import
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_share_cores,
                             initargs=(workers,)) as pool:
        pending, queue = set(), list(tasks)
        while queue or pending:
            while queue and len(pending) < 2 * workers:  # a bounded window keeps the driver's memory flat
                pending.add(pool.submit(compute_chunk, queue.pop(0)))
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()


def _share_cores(workers: int) -> None:
    """In a worker process: split the cores among the workers, so that the compiled kernels' threads (parallel
    over runs or cells; results do not depend on their number) do not oversubscribe them."""
    import numba

    numba.set_num_threads(max(1, numba.config.NUMBA_NUM_THREADS // workers))


def _dask(tasks: list[ChunkTask], workers: int, scheduler: str | None) -> Iterator[tuple[int, bytes, float]]:
    from distributed import Client, LocalCluster, as_completed

    cluster = None if scheduler else LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                                  dashboard_address=None, host="127.0.0.1")
    client = Client(scheduler or cluster)
    try:
        queue = list(tasks)
        window = as_completed([client.submit(compute_chunk, queue.pop(0), pure=False)
                               for _ in range(min(len(queue), 2 * workers))])
        for future in window:
            yield future.result()
            future.release()
            if queue:
                window.add(client.submit(compute_chunk, queue.pop(0), pure=False))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


class _bar:
    """Progress bar with rate and time left (rich), disabled when not wanted."""

    def __init__(self, enabled: bool, total: int, done: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, \
            TimeRemainingColumn
        from rich.text import Text

        class Rate(ProgressColumn):
            def render(self, task) -> Text:
                return Text(f"{task.speed or 0:,.1f} runs/s")

        self.progress = Progress(TextColumn("sweep"), BarColumn(), MofNCompleteColumn(), Rate(),
                                 TimeRemainingColumn(), disable=not enabled)
        self.total, self.done = total, done

    def __enter__(self) -> tuple:
        self.progress.__enter__()
        return self.progress, self.progress.add_task("runs", total=self.total, completed=self.done)

    def __exit__(self, *exc) -> None:
        self.progress.__exit__(*exc)
