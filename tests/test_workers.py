"""Worker processes change nothing but the time: the lever search and compare give the same tables with 1 and 2
processes, and the first runs of an ensemble are the smaller ensemble (the lever search starts from them)."""

from __future__ import annotations

import pandas as pd
import pytest

import dezsim
from dezsim.base.errors import ConfigError
from dezsim.base.processes import map_ordered
from dezsim.model.config import Scenario
from dezsim.outputs.compare import compare
from dezsim.targets import levers as L
from dezsim.targets.reach import reachability

SMALL = Scenario(name="small", regions=["taicang"])


def test_first_runs_of_an_ensemble_are_the_smaller_ensemble(dataset):
    big = dezsim.run(SMALL, runs=5, seed=2, data=dataset)
    small = dezsim.run(SMALL, runs=3, seed=2, data=dataset)
    taken = big.take_runs(range(3))
    pd.testing.assert_frame_equal(taken.frame, small.frame)
    pd.testing.assert_frame_equal(taken.design, small.design)


def test_lever_search_is_the_same_in_two_processes(dataset):
    base = dezsim.run(SMALL, runs=4, seed=1, data=dataset)
    reach = reachability(base, dataset)
    targets = reach[reach.assessed].target_id.head(3).tolist()
    here = L.search(SMALL, dataset, targets, 4, 1, base=base, workers=1)
    there = L.search(SMALL, dataset, targets, 4, 1, workers=2)  # and the base simulated, not passed
    pd.testing.assert_frame_equal(here, there)
    assert len(here) == len(targets) * len(L.LEVERS)


def test_compare_is_the_same_in_two_processes(dataset):
    scens = [SMALL, SMALL.model_copy(update={"name": "more5g", "overrides": {"g5_capex_share_gdp": 0.008}})]
    one, two = (compare(scens, runs=3, seed=0, data=dataset, workers=w) for w in (1, 2))
    pd.testing.assert_frame_equal(one.table, two.table)
    assert one.table.delta.notna().any()


def test_map_ordered_keeps_the_order_and_refuses_bad_workers():
    assert map_ordered(abs, [-3, 1, -2], workers=2) == [3, 1, 2]
    with pytest.raises(ConfigError, match=r"workers = 0: allowed: a whole number >= 1"):
        map_ordered(abs, [1], workers=0)
