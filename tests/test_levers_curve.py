"""The lever search returns its response curve: the lever's value and p at every grid point."""

import pandas as pd
import pytest

from dezsim.model.config import Scenario
from dezsim.targets import levers as L


def test_search_returns_p_at_every_grid_point(monkeypatch):
    lever = L.LEVERS[-1]  # extra digital investment: p rises with the share of GDP in this fake model
    monkeypatch.setattr(L, "_map", lambda results, ds: None)
    monkeypatch.setattr(L, "_p", lambda results, ds, mapping, targets: results)

    def simulate(scen, runs, seed, ds):
        x = scen.overrides.get(lever.param, 0.0)
        return pd.Series([min(1.0, 0.3 + 10 * x), 0.1], index=["t1", "t2"])

    monkeypatch.setattr(L, "_simulate", simulate)
    table = L.search(Scenario(name="base"), None, ["t1", "t2"], 10, 0)
    row = table[(table.lever == lever.name) & (table.target_id == "t1")].iloc[0]
    values = [lever.value(g) for g in (0.0, *L.GRID)]
    assert [row[f"value_{i}"] for i in range(4)] == pytest.approx(values)
    assert [row[f"p_{i}"] for i in range(4)] == pytest.approx([min(1.0, 0.3 + 10 * v) for v in values])
    flat = table[(table.lever == lever.name) & (table.target_id == "t2")].iloc[0]
    assert [flat[f"p_{i}"] for i in range(4)] == [0.1] * 4 and flat.status.startswith("not reachable")
