"""Declared target readings: every target read once, each reading type exact on a synthetic panel, the
thresholds reachable in principle, the loader's one-line errors, and docs/targets.md up to date."""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest

from dezsim.base.errors import DataError
from dezsim.data.loader import load
from dezsim.data.readings import Reading, Scope, ThresholdRule, threshold
from dezsim.model import params as P
from dezsim.model.sd.outputs import INDICATORS
from dezsim.targets.reach import assess, headline, map_targets, metric

from .test_reach import YEARS, synthetic, target


def mapped_all(ds, present=None):
    regions = ds.leaves() + ["suzhou", "jiangsu"]
    return map_targets(ds, regions, 2025, present)


def test_every_target_row_appears_exactly_once_after_grouping(dataset):
    mapped = mapped_all(dataset)
    listed = list(mapped.target_id) + [i for g in mapped.grouped if g for i in g.split("; ")]
    assert sorted(listed) == sorted(dataset.targets().id)
    assert len(listed) == len(set(listed))
    h = headline(mapped.assign(verdict="likely"))
    assert h["targets"] == len(mapped) == (dataset.readings.role == "target").sum()
    assert h["targets"] + h["grouped"] == len(dataset.targets())


def test_the_issue_examples_are_grouped_or_read_on_the_plans_count(dataset):
    m = mapped_all(dataset).set_index("target_id")
    assert "s001a-159" in m.loc["s001a-158", "grouped"]                 # "(全覆盖)" glosses the 37000 stations
    assert set(m.loc["s002-007", "grouped"].split("; ")) == {"s002-038", "s002-039"}
    assert m.loc["s001a-157", "grouped"] == "s001b-002"
    assert m.loc["s001a-151", "indicator"] == "smart_workshops_prov_muni"  # 省、市级, not provincial only
    assert m.loc["s000-002", "indicator"] == "covered_firms_share" and m.loc["s000-002", "threshold"] == 95
    assert {"s002-036", "s004-012", "s004-014"} <= set(m.index)          # diagnoses: targets, not policy rows
    assert m.loc["s000-001", "threshold"] == 16 and m.loc["s000-001", "unit"] == "pct_per_year"


def panel_of(values: dict) -> dict:
    return {k: pd.DataFrame(v, columns=YEARS) for k, v in values.items()}


def row(**kw) -> pd.Series:
    return target(**kw).iloc[0]


@pytest.mark.parametrize("reading, start, expected", [
    (Reading.LEVEL, None, [160.0, 80.0]),
    (Reading.CAP, None, [160.0, 80.0]),
    (Reading.GROWTH, 2020, [100 * (1.6 ** (1 / 3) - 1), 100 * (0.8 ** (1 / 3) - 1)]),
    (Reading.NEW_IN_PERIOD, 2020, [60.0, -20.0]),
    (Reading.NEW_IN_PERIOD, 2022, [30.0, -5.0]),  # added during 2023 alone
    (Reading.CUMULATIVE_SINCE, 2021, [50.0, -15.0]),
])
def test_each_reading_has_its_exact_metric(reading, start, expected):
    arr = np.array([[100, 110, 130, 160, 170, 180], [100, 95, 85, 80, 75, 70]], dtype=float)
    panel = panel_of({("suzhou", "smart_workshops"): arr})
    t = row(reading=reading.value, period_start=np.nan if start is None else start)
    np.testing.assert_allclose(metric(t, panel, 2023), expected, rtol=1e-12)


def test_each_reading_gives_the_exact_probability():
    arr = np.array([[100, 110, 130, 160, 170, 180]] * 3 + [[100, 95, 85, 80, 75, 70]], dtype=float)
    res = synthetic({("suzhou", "smart_workshops"): arr})
    cases = [(dict(reading="level", threshold=160.0), 0.75), (dict(reading="level", threshold=160.01), 0.0),
             (dict(reading="cap", relation="<=", threshold=80.0, threshold_rule="at_most"), 0.25),
             (dict(reading="growth", period_start=2020, threshold=100 * (1.6 ** (1 / 3) - 1)), 0.75),
             (dict(reading="new_in_period", period_start=2020, threshold=60.0), 0.75),
             (dict(reading="cumulative_since", period_start=2021, threshold=50.0), 0.75),
             (dict(reading="cumulative_since", period_start=2021, threshold=-15.0), 1.0)]
    for kw, p in cases:
        assert assess(res, target(**kw)).iloc[0].p_reach == p, kw


def test_threshold_rules_are_exact():
    assert threshold({"level": 95.0, "factor": 1.0}, 100.0) == 95.0
    assert threshold({"level": None, "factor": 0.95}, 11000.0) == pytest.approx(10450.0)
    assert threshold({"level": None, "factor": 1.0}, 37000.0) == 37000.0
    assert threshold({"level": None, "factor": 1.0}, None) == 0.0  # relative targets compare a difference


def test_every_rule_and_enum_value_is_declared(dataset):
    assert set(dataset.threshold_rules.rule) == {r.value for r in ThresholdRule}
    assert set(dataset.readings.reading) <= {r.value for r in Reading}
    assert set(dataset.readings.scope) <= {s.value for s in Scope}


def test_no_assessed_target_is_unreachable_by_construction(dataset):
    a = mapped_all(dataset).query("assessed")
    assert len(a) >= 20
    assert (a.threshold[a.unit == "pct"] <= 100).all()
    firm_shares = a[a.indicator.isin(["covered_firms_share", "diagnosed_above_share"])]
    assert len(firm_shares) >= 4 and (firm_shares.threshold < 100).all()  # full coverage read with its threshold
    pue = a[a.indicator == "dc_pue_new"]
    assert (pue.threshold > P.BY_NAME["dc_pue_floor"].bounds[0]).all()  # reachable by the floor's lower bound
    assert (a.threshold[a.unit == "count"] >= 0).all()
    assert a.scope.map(lambda s: Scope(s).modelled).all()


def test_an_indicator_missing_from_the_results_is_not_assessed_with_its_reason(dataset):
    present = set(INDICATORS) - {"smart_workshops_prov_muni"}
    m = mapped_all(dataset, present).set_index("target_id")
    reason = m.loc["s001a-151", "reason"]
    assert not m.loc["s001a-151", "assessed"]
    assert reason.startswith("not simulated in these results: indicator 'smart_workshops_prov_muni' is absent")


def test_targets_on_agent_counts_in_a_run_without_agents_are_not_simulated(dataset):
    from dezsim.model.sd.outputs import INDICATORS
    from dezsim.targets.views import AGENT_INDICATORS

    m = mapped_all(dataset, set(INDICATORS) - AGENT_INDICATORS).set_index("target_id")
    row = m.loc["s002-045"]  # Wuzhong's cloud-star firms: an agent count
    assert not row.assessed and row.reason.startswith("not simulated in these results: indicator 'cloud_star_firms'")


def test_suzhou_patents_are_not_assessed_on_an_unanchored_stock(dataset):
    m = mapped_all(dataset).set_index("target_id")
    assert not m.loc["s001a-146", "assessed"] and "no 2020 figure" in m.loc["s001a-146", "reason"]


def rewrite(path, edit) -> None:
    with open(path, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    fields = list(rows[0])
    rows = edit(rows)
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def set_cell(target_id, column, value):
    def edit(rows):
        for r in rows:
            if r["id"] == target_id:
                r[column] = value
        return rows
    return edit


@pytest.mark.parametrize("edit, expected", [
    (lambda rows: [r for r in rows if r["id"] != "s000-003"], "s000-003': target without a declared reading"),
    (set_cell("s000-003", "reading", "stock"), "column 'reading' = 'stock': not allowed"),
    (set_cell("s000-003", "reading", "growth"), "growth readings go with growth targets"),
    (set_cell("s000-003", "threshold_rule", "at_most"), "caps and only caps take a '<=' rule"),
    (set_cell("s000-021", "period_start", ""), "reading 'new_in_period' needs period start"),
    (set_cell("s000-003", "duplicate_of", "s000-001"), "a target names none"),
    (set_cell("s001b-002", "duplicate_of", "s001b-003x"), "column 'duplicate_of' = 's001b-003x': unknown"),
    (set_cell("s000-003", "threshold_rule", "full_coverage"), "sets a level in percent"),
    (set_cell("s000-003", "indicator", "dc_pue_new"), "measured in ratio, the figure in count"),
])
def test_bad_readings_stop_with_one_line(data_copy, edit, expected):
    rewrite(data_copy / "target_readings.csv", edit)
    with pytest.raises(DataError) as info:
        load(data_copy)
    assert expected in str(info.value) and "\n" not in str(info.value)
    assert "target_readings.csv" in str(info.value) or "figures/" in str(info.value)


def test_a_reading_quote_not_in_its_seed_is_reported(data_copy):
    from dezsim.data.quotes import missing_quotes

    from .conftest import SEEDS

    rewrite(data_copy / "target_readings.csv", set_cell("s000-003", "quote", "不在原文中的一句话"))
    bad = missing_quotes(load(data_copy), SEEDS)
    assert bad.id.tolist() == ["reading:s000-003"]


def test_targets_doc_is_up_to_date(dataset):
    from dezsim.targets.targetdoc import DOC, listing

    assert DOC.read_text(encoding="utf-8") == listing(dataset), "run `dezsim targets --write` and commit"
