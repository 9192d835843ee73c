"""Run a sweep in chunks: in this process, in local processes, or on a Dask cluster; resume what is missing.

Each chunk is a self-contained task (scenario, its design rows, the seed, what to keep) whose result depends
only on its runs, so the stored results are identical, bit for bit, whatever the number of workers and after
any interruption. Workers return the chunk as Parquet bytes; only this driver writes the store.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from dezsim.base.errors import ConfigError, DezsimError
from dezsim.base.processes import share_cores
from dezsim.model.abm.settings import AgentSettings
from dezsim.model.config import Scenario
from dezsim.model.origin import BASE_ORIGIN
from dezsim.sweep.checks import check_disk, check_not_set_by_scenario, check_outputs
from dezsim.sweep.cluster import connect, parse_address, probe
from dezsim.sweep.store import IDENTITY, Store, chunk_bytes, design_digest, differs

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
    identity: dict = field(default_factory=dict)  # the sweep's code version, data and calibration digests


@cache
def _worker_data():
    from dezsim.data.loader import load

    return load()


def local_identity(ds) -> tuple[dict, tuple | None]:
    """This process's code version, data digest and calibration digest (and the calibration itself)."""
    from dezsim.model.calibration_store import digest, load_ensemble
    from dezsim.model.simulate import code_version

    stored = load_ensemble()
    return {"code_version": code_version(), "data_hash": ds.digest, "calibration": digest(stored)}, stored


def compute_chunk(task: ChunkTask) -> tuple[int, bytes, float]:
    """Simulate one chunk; returns (index, Parquet bytes, seconds spent).

    A worker first checks that its code, data/ and calibration/ are those of the sweep: a worker whose checkout
    differs refuses (the driver then fails), so one sweep never mixes results of two models.
    """
    from dezsim.model.calibration_store import central
    from dezsim.model.simulate import draw_design, simulate_design

    start = time.perf_counter()
    ds = _worker_data()
    mine, stored = local_identity(ds)
    what = differs(task.identity, mine | {k: task.identity.get(k) for k in IDENTITY if k not in mine},
                   ("the sweep", f"the worker on {socket.gethostname()}"))
    if what:
        raise DezsimError(f"chunk {task.index}: {what}; update that worker's checkout (data/, calibration/, code) "
                          "to the driver's")
    scen = Scenario.model_validate(task.scenario)
    runs = task.design["run"].astype(int).tolist()
    varied = task.design.columns.drop("run")
    if len(varied):  # a sensitivity design: every other parameter held at its calibrated central value
        held = central(stored)
        full = pd.DataFrame([{"run": r, "seed": task.seed, **held} for r in runs])
    else:  # Monte Carlo over the calibrated ensemble, exactly as an ordinary run draws it
        full = draw_design(runs, task.seed, ensemble=None if stored is None else stored[0])
    for col in varied:
        full[col] = task.design[col].to_numpy()
    frame = simulate_design(scen, full, task.seed, ds, task.agents).frame
    return task.index, chunk_bytes(_kept(frame, task.outputs), task.sweep_id, task.index, runs, task.identity), \
        time.perf_counter() - start


def _kept(frame: pd.DataFrame, outputs: Outputs) -> pd.DataFrame:
    """The rows a sweep keeps, in canonical order; an indicator asked for but not produced is refused."""
    if outputs.indicators is not None:
        absent = sorted(set(outputs.indicators) - set(frame.indicator.astype(str)))
        if absent:
            raise DezsimError(f"sweep --indicators {absent[0]!r}: not produced by these runs (indicators of firms "
                              "and districts need the agents: drop --no-agents)")
    keep = np.ones(len(frame), dtype=bool)
    for col, allowed in (("indicator", outputs.indicators), ("region", outputs.regions), ("year", outputs.years)):
        if allowed is not None:
            keep &= frame[col].isin(allowed).to_numpy()
    table = frame.loc[keep, ["run", "region", "year", "indicator", "value"]].copy()
    table["region"], table["indicator"] = table.region.astype(str), table.indicator.astype(str)
    table["run"], table["year"] = table.run.astype("int64"), table.year.astype("int64")
    return table.sort_values(["run", "region", "indicator", "year"], kind="stable").reset_index(drop=True)


def identity(scenario: Scenario, design: pd.DataFrame, seed: int, local: dict) -> dict:
    """What a sweep's results are a function of: scenario, design, seed, code, data and calibration."""
    scen = hashlib.sha256(json.dumps(scenario.model_dump(), sort_keys=True, default=str).encode()).hexdigest()
    return {"scenario": scen, "design": design_digest(design), "seed": seed} | local


def sweep_id(ident: dict, agents: AgentSettings | None, outputs: Outputs, chunk_size: int) -> str:
    """Identity of a sweep: everything that determines its results (and its chunking)."""
    text = json.dumps([ident, repr(agents), repr(outputs), chunk_size], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def run_sweep(scenario: Scenario, design: pd.DataFrame, out: Path | str, seed: int = 0, *,
              agents: AgentSettings | None = AgentSettings(), outputs: Outputs = Outputs(), chunk_size: int = 100,
              executor: str = "processes", workers: int = 2, scheduler: str | None = None, security=None,
              progress: bool = False, design_spec: dict | None = None) -> Store:
    """Run (or resume) a sweep of ``design`` under ``scenario`` into the store at ``out``.

    Parameters
    ----------
    executor : {"inprocess", "processes", "dask"}
        Where chunks run; ``scheduler`` (an address such as ``tcp://10.0.0.5:8786`` or ``tls://...`` with
        ``security``, a ``distributed.security.Security``) selects a running Dask scheduler, otherwise a local
        Dask cluster of ``workers`` processes is started.
    chunk_size : int
        Runs per chunk (each chunk is one vectorised ensemble).
    """
    from dezsim.data.loader import load

    _check_executor(executor, workers, chunk_size, scheduler)
    if scheduler:
        probe(scheduler)  # an unreachable or foreign scheduler is refused before the store is touched
    ds = load()
    check_not_set_by_scenario(scenario, [c for c in design.columns if c != "run"])
    if scenario.start != BASE_ORIGIN:  # a sweep's workers draw from the 2020 calibration and check its digest
        raise ConfigError(f"scenario {scenario.name!r}: start = {scenario.start}: a sweep starts from the "
                          f"{BASE_ORIGIN} calibration; allowed: start = {BASE_ORIGIN} (an earlier origin runs with "
                          "`dezsim run --origin` or `dezsim.run`)")
    check_disk(len(design), check_outputs(outputs, scenario, ds, agents), Path(out), "sweep")
    local, stored = local_identity(ds)
    _warn_calibration(ds, stored, design_spec, len(design.columns) > 1)
    ident = identity(scenario, design, seed, local)
    sid = sweep_id(ident, agents, outputs, chunk_size)
    store = Store(Path(out))
    manifest = {"sweep_id": sid, "identity": ident, "scenario": scenario.model_dump(), "seed": seed,
                "runs": len(design), "chunk_size": chunk_size, "agents": repr(agents), "outputs": repr(outputs),
                "design": design_spec, "data_hash": ds.digest, "code_version": local["code_version"],
                "calibration": _calibration_note(stored, len(design.columns) > 1)}
    with store.lock():
        store.create_or_check(manifest, design)
        bounds = range(0, len(design), chunk_size)
        todo = [i for i, b in enumerate(bounds) if not store.valid_chunk(
            i, sid, design["run"].iloc[b:b + chunk_size].astype(int).tolist())]
        tasks = (ChunkTask(i, sid, scenario.model_dump(), design.iloc[i * chunk_size:(i + 1) * chunk_size]
                           .reset_index(drop=True), seed, agents, outputs, ident) for i in todo)
        done = len(design) - sum(min(chunk_size, len(design) - i * chunk_size) for i in todo)
        with _bar(progress, len(design), done) as (bar, task):
            for index, data, _seconds in _execute(tasks, executor, workers, scheduler, security):
                store.write_chunk(index, data)
                bar.advance(task, min(chunk_size, len(design) - index * chunk_size))
    return store


def _check_executor(executor: str, workers: int, chunk_size: int, scheduler: str | None) -> None:
    if executor not in EXECUTORS:
        raise ConfigError(f"sweep --executor {executor!r}: allowed: {', '.join(EXECUTORS)}")
    if chunk_size < 1 or workers < 1:
        raise ConfigError(f"sweep: chunk size {chunk_size} and workers {workers} must be >= 1")
    if scheduler is not None:
        if executor != "dask":
            raise ConfigError(f"sweep --scheduler {scheduler} with --executor {executor}: a scheduler is used by "
                              "--executor dask only (allowed: add --executor dask, or drop --scheduler)")
        parse_address(scheduler)


def _warn_calibration(ds, stored: tuple | None, spec: dict | None, varies: bool) -> None:
    """Say loudly when the calibration is missing or was fitted to other data (for every design)."""
    import warnings

    from dezsim.model.calibration_store import MANIFEST

    method = (spec or {}).get("method", "this")
    if stored is None:
        held = "held at their declared defaults" if varies else "drawn from their priors"
        warnings.warn(f"no calibrated ensemble in calibration/: the parameters the {method} design does not vary "
                      f"are {held}, not calibrated (recorded in the manifest; run `dezsim calibrate`)", stacklevel=3)
    elif stored[1].get("data_hash") != ds.digest:
        warnings.warn(f"{MANIFEST}: fitted to data hash {str(stored[1].get('data_hash'))[:12]}, but data/ is now "
                      f"{ds.digest[:12]}; re-run `dezsim calibrate`", stacklevel=3)


def _calibration_note(stored: tuple | None, varies: bool) -> dict:
    """The manifest's record of where the parameters a design does not vary come from."""
    if stored is None:
        return {"ensemble": None, "others": "declared defaults" if varies else "priors"}
    keys = ("data_hash", "code_version", "seed", "size", "method")
    return {"ensemble": {k: stored[1].get(k) for k in keys},
            "others": "calibrated central values" if varies else "calibrated ensemble"}


def _execute(tasks: Iterator[ChunkTask], executor: str, workers: int, scheduler: str | None, security
             ) -> Iterator[tuple[int, bytes, float]]:
    if executor == "inprocess":
        yield from map(compute_chunk, tasks)
    elif executor == "processes":
        yield from _processes(tasks, workers)
    else:
        yield from _dask(tasks, workers, scheduler, security)


def _processes(tasks: Iterator[ChunkTask], workers: int) -> Iterator[tuple[int, bytes, float]]:
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    first = next(tasks, None)
    if first is None:
        return
    ctx = multiprocessing.get_context("spawn")  # no fork of a driver holding threads; set here, never on import
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=share_cores,
                             initargs=(workers,)) as pool:
        pending, queue = set(), itertools.chain([first], tasks)
        while True:
            # a bounded window keeps the driver's memory flat
            pending |= {pool.submit(compute_chunk, t) for t in itertools.islice(queue, 2 * workers - len(pending))}
            if not pending:
                return
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()


def _dask(tasks: Iterator[ChunkTask], workers: int, scheduler: str | None, security
          ) -> Iterator[tuple[int, bytes, float]]:
    from distributed import LocalCluster, as_completed

    first = next(tasks, None)
    if first is None:
        return
    if scheduler:
        client, cluster = connect(scheduler, security), None
    else:
        from distributed import Client

        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                               host="127.0.0.1")
        client = Client(cluster)
    try:
        queue = itertools.chain([first], tasks)
        window = as_completed([client.submit(compute_chunk, t, pure=False)
                               for t in itertools.islice(queue, 2 * workers)])
        for future in window:
            yield future.result()
            future.release()
            for t in itertools.islice(queue, 1):
                window.add(client.submit(compute_chunk, t, pure=False))
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
