"""Shared fixtures and the hypothesis profiles (``ci`` is derandomized: same examples every run)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from dezsim.data.dataset import default_root
from dezsim.data.loader import load
from dezsim.resources import plans_root

settings.register_profile("ci", derandomize=True, max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

REPO = Path(__file__).resolve().parent.parent
SEEDS = plans_root()  # the plan texts shipped in data/plans


@pytest.fixture(scope="session")
def dataset():
    """The checkout's data/, loaded once."""
    return load()


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A writable copy of data/ to corrupt in a test."""
    dest = tmp_path / "data"
    shutil.copytree(default_root(), dest)
    return dest


@pytest.fixture(autouse=True)
def agents_stepped_afresh(monkeypatch):
    """Every test's agents are stepped, never replayed from an earlier run (:mod:`dezsim.model.agent_memo`):
    a test comparing run k across ensembles, chunks or processes must compare two simulations, not a
    simulation and its record. tests/test_agent_memo.py turns the memo back on and holds it to fresh runs."""
    from dezsim.model import agent_memo

    agent_memo.clear()
    monkeypatch.setattr(agent_memo, "MEMO_RUNS", 0)
    yield
    agent_memo.clear()
