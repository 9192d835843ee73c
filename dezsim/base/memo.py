"""One cache for functions of the loaded data: computed once per data set and arguments, not once per run.

A lever search, a comparison or a sweep simulates the same data and regions many times; what is derived from
them alone (2020 stocks, allocation plans, the districts' goals) is the same every time.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

R = TypeVar("R")


def per_dataset(fn: Callable[..., R]) -> Callable[..., R]:
    """Cache ``fn(ds, *args, **kwargs)`` by the data set (the object itself) and the arguments (lists as tuples).

    Only the latest data set's results are kept, with a reference to it, so that a data set built after it was
    freed can never be taken for it (a test builds many). The cached value is shared: callers must not change it.
    """
    held: dict = {"ds": None, "values": {}}

    @functools.wraps(fn)
    def cached(ds, *args, **kwargs):
        if held["ds"] is not ds:
            held["ds"], held["values"] = ds, {}
        key = (*(tuple(a) if isinstance(a, list) else a for a in args), *sorted(kwargs.items()))
        values = held["values"]
        if key not in values:
            values[key] = fn(ds, *args, **kwargs)
        return values[key]

    cached.cache_clear = lambda: held.update(ds=None, values={})  # type: ignore[attr-defined]
    return cached
