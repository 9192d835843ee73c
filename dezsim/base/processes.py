"""Local worker processes: tasks mapped over spawn-started processes that share the machine's cores.

The lever search, ``compare`` and local sweeps run independent simulations; each task's result depends on the
task alone (its scenario, runs and seed), so the results are identical whatever the number of workers. Workers
are started with ``spawn`` (never ``fork`` a parent holding threads) and split the compiled kernels' threads
among themselves, so that two workers on two cores do not run four threads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from dezsim.base.errors import ConfigError

T = TypeVar("T")
R = TypeVar("R")


def check_workers(workers: int, what: str = "workers") -> int:
    """``workers`` if it is a whole number >= 1; else a :class:`ConfigError` naming it."""
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ConfigError(f"{what} = {workers!r}: allowed: a whole number >= 1")
    return workers


def share_cores(workers: int) -> None:
    """In a worker process: split the cores among the workers, so that the compiled kernels' threads (parallel
    over runs or cells; results do not depend on their number) do not oversubscribe them."""
    import numba

    numba.set_num_threads(max(1, numba.config.NUMBA_NUM_THREADS // workers))


def map_ordered(fn: Callable[[T], R], items: Iterable[T], workers: int = 1,
                on_done: Callable[[], None] | None = None) -> list[R]:
    """``[fn(item) for item in items]``, in order, computed in ``workers`` processes (in this one when 1).

    ``fn`` and the items must be picklable (a module-level function, plain data); ``on_done()`` is called in
    this process as each task finishes (for progress). With one item there is nothing to share, so it runs
    here: starting a process costs more than it could save.
    """
    tasks = list(items)
    done = on_done or (lambda: None)
    if check_workers(workers) == 1 or len(tasks) <= 1:
        out = []
        for task in tasks:
            out.append(fn(task))
            done()
        return out
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    ctx = multiprocessing.get_context("spawn")  # set here, never on import
    size = min(workers, len(tasks))
    with ProcessPoolExecutor(max_workers=size, mp_context=ctx, initializer=share_cores, initargs=(size,)) as pool:
        futures = {pool.submit(fn, task): i for i, task in enumerate(tasks)}
        out: list = [None] * len(tasks)
        for future in as_completed(futures):
            out[futures[future]] = future.result()
            done()
    return out
