"""The reach table's panel (region, indicator) -> run x year equals a pandas pivot of the tidy frame."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dezsim.model.results import Results
from dezsim.targets.reach import _panel


def _pivot(results: Results) -> dict:
    wide = results.frame.pivot_table(index=["region", "indicator", "run"], columns="year", values="value",
                                     observed=True)
    return {key: group.droplevel([0, 1]) for key, group in wide.groupby(level=[0, 1], observed=True)}


def test_panel_is_the_pivot_of_the_frame_with_shuffled_rows_and_a_region_missing_one_indicator():
    rng = np.random.default_rng(5)
    arrays = {"gdp": rng.random((4, 3, 6)), "dc_racks": rng.random((4, 3, 6))}
    res = Results.from_arrays("s", arrays, ["a", "b", "c"], list(range(2020, 2026)),
                              pd.DataFrame({"run": [7, 2, 3, 9], "seed": 0}), {})
    frame = res.frame[~((res.frame.region == "b") & (res.frame.indicator == "dc_racks"))]
    frame = frame.sample(frac=1.0, random_state=1).reset_index(drop=True)  # no order to rely on
    shuffled = Results(frame, res.design, {})
    got, want = _panel(shuffled), _pivot(shuffled)
    assert set(got) == set(want) == {(r, i) for r in "abc" for i in arrays} - {("b", "dc_racks")}
    for key in want:
        pd.testing.assert_frame_equal(got[key], want[key], check_names=True)
    assert list(got[("a", "gdp")].index) == [2, 3, 7, 9]
