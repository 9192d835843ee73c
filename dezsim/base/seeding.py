"""One seed in, independent streams out: ``SeedSequence.spawn`` per run and per component.

Never the global RNGs. ``seed=None`` draws fresh entropy (recorded in provenance so the run can be repeated).
"""

from __future__ import annotations

import zlib

import numpy as np

from dezsim.base.errors import ConfigError

#: Child index of each component's stream, fixed so adding a component never shifts another's numbers.
COMPONENTS = {"parameters": 0, "agents": 1, "shocks": 2, "calibration": 3, "regions": 4, "allocation": 5, "derived": 6,
              "drift": 7, "update": 8}


def root_sequence(seed: int | None) -> np.random.SeedSequence:
    """Normalise a user seed (int >= 0 or None) into a :class:`numpy.random.SeedSequence`."""
    if seed is None:
        return np.random.SeedSequence()
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ConfigError(f"seed = {seed!r}: allowed: a whole number >= 0, or None for fresh entropy")
    return np.random.SeedSequence(int(seed))


def component_rng(seed: int | None, component: str, run: int | None = None) -> np.random.Generator:
    """Generator for ``component`` (one of :data:`COMPONENTS`), optionally for one ``run`` index.

    The stream for (seed, component, run) is the same whatever else is drawn, in whatever order, by however
    many workers: that is what makes results independent of the worker count.
    """
    key = [COMPONENTS[component]] + ([] if run is None else [int(run)])
    root = root_sequence(seed)
    return np.random.default_rng(np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, *key)))


#: Named streams sit above every run index (< 2**32), so a name never shares a stream with a run.
NAMED_OFFSET = 2**32


def named_rng(seed: int | None, component: str, name: str) -> np.random.Generator:
    """Generator for the item ``name`` of ``component`` (e.g. one parameter's prior draws in the calibration).

    Keyed by a stable hash of the name (CRC-32), not by a position, so declaring another item never changes
    this one's numbers.
    """
    root = root_sequence(seed)
    key = (COMPONENTS[component], NAMED_OFFSET + zlib.crc32(name.encode("utf-8")))
    return np.random.default_rng(np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, *key)))
