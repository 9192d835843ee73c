"""The agent memo changes nothing but the time: replayed agents give the numbers of agents stepped afresh, a
lever that never reaches what the agents observe replays every year, one that does is stepped, and the memo
keeps at most MEMO_RUNS runs."""

from __future__ import annotations

import pandas as pd
import pytest

import dezsim
from dezsim.model import agent_memo
from dezsim.model.abm import engine
from dezsim.model.config import Scenario
from dezsim.targets import levers as L
from dezsim.targets.reach import reachability

SMALL = Scenario(name="small", regions=["suzhou"], end=2023)
PUE_CAP = {"dc_pue_cap": 1.3}  # data-centre stocks only: nothing the agents observe
MORE_INVESTMENT = {"digital_investment_extra": 0.004}  # raises GDP from the first year: the agents see it


@pytest.fixture
def memo(monkeypatch):
    """The memo as it runs outside the tests (conftest turns it off), and a count of agent years stepped."""
    monkeypatch.setattr(agent_memo, "MEMO_RUNS", 2_000)
    agent_memo.clear()
    stepped = []
    year = engine.VectorisedAgents._year
    monkeypatch.setattr(engine.VectorisedAgents, "_year", lambda self, env: (stepped.append(1), year(self, env))[1])
    return stepped


def _fresh(scenario: Scenario, runs: int, dataset, monkeypatch) -> pd.DataFrame:
    monkeypatch.setattr(agent_memo, "MEMO_RUNS", 0)
    agent_memo.clear()
    try:
        return dezsim.run(scenario, runs=runs, seed=4, data=dataset).frame
    finally:
        monkeypatch.setattr(agent_memo, "MEMO_RUNS", 2_000)


def _with(overrides: dict) -> Scenario:
    return SMALL.model_copy(update={"overrides": overrides, "name": "lever"})


def test_a_lever_the_agents_never_see_replays_every_year_and_changes_nothing(memo, dataset, monkeypatch):
    dezsim.run(SMALL, runs=5, seed=4, data=dataset)
    assert len(memo) == 3  # 2021-2023 stepped once
    replayed = dezsim.run(_with(PUE_CAP), runs=3, seed=4, data=dataset).frame  # runs 0-2 of the five
    assert len(memo) == 3  # not one agent year stepped again
    fresh = _fresh(_with(PUE_CAP), 3, dataset, monkeypatch)
    pd.testing.assert_frame_equal(replayed, fresh, check_exact=True)


def test_a_lever_the_agents_see_is_stepped_and_equals_a_fresh_run(memo, dataset, monkeypatch):
    dezsim.run(SMALL, runs=3, seed=4, data=dataset)
    before = len(memo)
    stepped = dezsim.run(_with(MORE_INVESTMENT), runs=3, seed=4, data=dataset).frame
    assert len(memo) - before >= 3  # GDP differs from 2022: every year stepped (2021 again, to rebuild the state)
    fresh = _fresh(_with(MORE_INVESTMENT), 3, dataset, monkeypatch)
    pd.testing.assert_frame_equal(stepped, fresh, check_exact=True)
    base_again = dezsim.run(SMALL, runs=3, seed=4, data=dataset).frame  # the base's record was kept
    pd.testing.assert_frame_equal(base_again, _fresh(SMALL, 3, dataset, monkeypatch), check_exact=True)


def test_runs_not_recorded_are_stepped(memo, dataset):
    dezsim.run(SMALL, runs=2, seed=4, data=dataset)
    before = len(memo)
    dezsim.run(SMALL, runs=3, seed=4, data=dataset)  # run 2 has no record: the ensemble is stepped
    assert len(memo) - before == 3


def test_the_lever_search_is_the_same_with_the_memo(memo, dataset, monkeypatch):
    base = dezsim.run(SMALL, runs=4, seed=1, data=dataset)
    targets = reachability(base, dataset).query("assessed").target_id.head(4).tolist()
    with_memo = L.search(SMALL, dataset, targets, 4, 1, base=base)
    monkeypatch.setattr(agent_memo, "MEMO_RUNS", 0)
    agent_memo.clear()
    pd.testing.assert_frame_equal(with_memo, L.search(SMALL, dataset, targets, 4, 1, base=base), check_exact=True)


def test_the_memo_keeps_at_most_memo_runs(memo, dataset, monkeypatch):
    monkeypatch.setattr(agent_memo, "MEMO_RUNS", 3)
    dezsim.run(SMALL, runs=5, seed=4, data=dataset)
    assert len(agent_memo._tracks) == 3
