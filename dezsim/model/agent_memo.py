"""Agents that replay what the same runs did before, for as long as they see what those runs saw.

A run's agents are a deterministic function of their setup (run id, seed, firm parameters, policy, 2020 GDP,
upgrade targets, settings) and of the SD state they observe each year; no run depends on the others simulated
with it (:mod:`dezsim.model.abm.kernel`). So when an ensemble repeats runs already simulated (the lever search
re-runs the report's first runs at every lever point, ``compare`` re-runs a scenario's runs) and a year's
observables are bit for bit those the earlier run saw, the year's flows and stocks are the recorded ones. A lever
that never reaches what the agents observe (the new-build PUE cap moves data-centre stocks only) then costs no
agent step at all.

:class:`MemoisedAgents` is an :class:`~dezsim.model.abm.engine.AgentEngine` to the coupling. It replays while
every one of its runs has a record whose observables match; at the first year one does not, it builds the real
engine (populations and all) and steps it through the years replayed so far with the same observables (which
recreates the state exactly), then steps it live and records. Replayed numbers are the recorded numbers, so a
run's results are identical with or without the memo (a test holds this).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dezsim.model import params as P
from dezsim.model.abm.engine import AgentEngine, AgentSettings, Setup, setup
from dezsim.model.exchange import AgentFlows, Observables

#: Runs whose records are kept (oldest dropped first). A record is a few kB per run-year; this holds a report's
#: ensemble and its lever search (200 + 15 x 40 runs) with room, in a few tens of MB.
MEMO_RUNS = 2_000
#: The engine whose runs are independent of each other by construction (counter-based draws per run).
MEMOISED_ENGINE = "vectorised"


@dataclass
class _Track:
    """One run's record: its stocks at the origin, and per simulated year the observables it saw (bytes) and
    the rows of its flows and year-end record."""

    first: dict[str, np.ndarray]
    seen: list[bytes]
    flows: list[tuple[np.ndarray, np.ndarray, np.ndarray]]
    out: list[dict[str, np.ndarray]]


_tracks: OrderedDict[tuple, _Track] = OrderedDict()
_lock = threading.Lock()  # the dashboard simulates from server threads


def clear() -> None:
    """Forget every record (tests; nothing else needs it)."""
    with _lock:
        _tracks.clear()


def _observed_rows(env: Observables) -> list[bytes]:
    """Each run's observables as bytes: the key its year is replayed on."""
    hazard = np.ones_like(env.coverage) if env.hazard is None else env.hazard
    parts = np.stack([np.broadcast_to(np.asarray(a, float), env.coverage.shape)
                      for a in (env.coverage, env.gdp, env.growth, hazard)], axis=1)
    return [row.tobytes() for row in parts]


def _run_keys(design: pd.DataFrame, par: dict[str, np.ndarray], gdp: np.ndarray, targets: list, seed: int,
              settings: AgentSettings, start_year: int) -> list[tuple]:
    """Everything a run's agents are set up from (:func:`dezsim.model.abm.engine.setup`), per run."""
    gdp = np.broadcast_to(np.asarray(gdp, float), par[P.POLICY_PARAMS[0].name].shape)
    common = (seed, repr(settings), start_year, repr(targets))
    names = [p.name for p in (*P.AGENT_PARAMS, *P.POLICY_PARAMS)]
    return [(int(run), *common, gdp[j].tobytes(), tuple(np.asarray(par[n][j], float).tobytes() for n in names))
            for j, run in enumerate(design["run"])]


class MemoisedAgents:
    """An ensemble's agents, replayed from the records of the same runs while they observe the same state
    (to the coupling, an :class:`~dezsim.model.abm.engine.AgentEngine`: ``stocks()`` and ``step_year(env)``).

    Parameters
    ----------
    keys : list of tuple
        Each run's setup key (:func:`_run_keys`).
    build : callable
        ``build() -> AgentEngine``: the real engine for these runs (called at most once, when a run's
        observables first differ from its record, or a run has none).
    """

    def __init__(self, keys: list[tuple], build: Callable[[], AgentEngine]) -> None:
        self.keys, self._build = keys, build
        self._live: AgentEngine | None = None
        self._seen: list[Observables] = []
        self._new: list[_Track] | None = None
        with _lock:
            tracks = [_tracks.get(key) for key in keys]
        self._old = tracks if all(t is not None for t in tracks) else None

    def stocks(self) -> dict[str, np.ndarray]:
        """Stocks per run and region now (recorded ones before the first year, when every run has a record)."""
        if self._live is None and self._old is not None and not self._seen:
            return {k: np.stack([t.first[k] for t in self._old]) for k in self._old[0].first}
        return self._engine().stocks()

    def step_year(self, env: Observables) -> tuple[AgentFlows, dict[str, np.ndarray]]:
        """One year of every run: replayed if every run's record saw these observables this year, else stepped."""
        k, rows = len(self._seen), _observed_rows(env)
        old = self._old
        if self._live is None and old is not None and all(len(t.seen) > k and t.seen[k] == row
                                                          for t, row in zip(old, rows, strict=True)):
            self._seen.append(env)
            flows = AgentFlows(*(np.stack([t.flows[k][i] for t in old]) for i in range(3)))
            return flows, {key: np.stack([t.out[k][key] for t in old]) for key in old[0].out[k]}
        engine = self._engine()
        self._seen.append(env)
        flows, out = engine.step_year(env)
        if self._new is not None:
            for j, track in enumerate(self._new):  # what was seen last: a reader checks it before the rest
                track.flows.append((flows.induced_demand[j].copy(), flows.rack_demand[j].copy(),
                                    flows.productivity_gain[j].copy()))
                track.out.append({key: np.array(value[j]) for key, value in out.items()})
                track.seen.append(rows[j])
        return flows, out

    def _engine(self) -> AgentEngine:
        """The real engine, brought to where this ensemble stands (built once)."""
        if self._live is None:
            self._live = self._build()
            first = self._live.stocks()
            self._new = [_Track({key: np.array(value[j]) for key, value in first.items()}, [], [], [])
                         for j in range(len(self.keys))]
            for env in self._seen:  # the replayed years again, with the same observables: the same state
                self._live.step_year(env)
            if self._seen:
                self._new = None  # only a run stepped from its origin is recorded
            else:
                _remember(self.keys, self._new)
        return self._live


def _remember(keys: list[tuple], tracks: list[_Track]) -> None:
    """Keep the runs' records (filled as they are stepped), dropping the oldest beyond :data:`MEMO_RUNS`."""
    with _lock:
        for key, track in zip(keys, tracks, strict=True):
            _tracks[key] = track
            _tracks.move_to_end(key)
        while len(_tracks) > MEMO_RUNS:
            _tracks.popitem(last=False)


def memoised_agents(design: pd.DataFrame, par: dict[str, np.ndarray], gdp: np.ndarray, targets: list, seed: int,
                    settings: AgentSettings, start_year: int, build: Callable[[Setup], AgentEngine]
                    ) -> AgentEngine | MemoisedAgents:
    """The agents of ``design``'s runs: replayed where recorded (:class:`MemoisedAgents`), else built by
    ``build(setup(...))``; engines other than :data:`MEMOISED_ENGINE` are built directly."""
    make = lambda: build(setup(design, par, gdp, targets, seed, settings, start_year))  # noqa: E731
    if settings.engine != MEMOISED_ENGINE:
        return make()
    return MemoisedAgents(_run_keys(design, par, gdp, targets, seed, settings, start_year), make)
