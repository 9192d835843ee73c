"""The report's pieces on small synthetic tables: target metrics over the years, the charts, units for people."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from dezsim.base.units import lever_text, threshold_text, with_unit
from dezsim.model.results import Results
from dezsim.outputs import plots
from dezsim.targets.target_paths import metric_paths, panel_key, panels


def _results() -> Results:
    years = list(range(2020, 2026))
    # run k: gdp = 100 * (1 + 0.1 k) ** (year - 2020): compound growth exactly 10 k % per year
    values = np.array([[[100 * (1 + 0.1 * k) ** (y - 2020) for y in years]] for k in range(3)])
    design = pd.DataFrame({"run": range(3), "seed": 0})
    return Results.from_arrays("s", {"gdp": values}, ["suzhou"], years, design, {})


def _target(**kw) -> pd.Series:
    base = {"target_id": "t", "region": "suzhou", "indicator": "gdp", "year": 2025, "reading": "level",
            "period_start": np.nan, "relation": ">=", "threshold": 150.0, "threshold_rule": "at_least",
            "relative_to": None, "assessed": True, "p_reach": 0.5, "verdict": "uncertain"}
    return pd.Series(base | kw)


def test_growth_and_change_paths_are_in_the_targets_own_metric():
    res = _results()
    growth = metric_paths(res, _target(reading="growth", period_start=2020, threshold=16.0))
    assert list(growth.columns) == [2021, 2022, 2023, 2024, 2025]
    assert growth.to_numpy() == pytest.approx(np.array([[0.0] * 5, [10.0] * 5, [20.0] * 5]))
    change = metric_paths(res, _target(reading="new_in_period", period_start=2023))
    assert list(change.columns) == [2024, 2025]
    assert change[2025].to_numpy() == pytest.approx([0.0, 100 * (1.1 ** 5 - 1.1 ** 3), 100 * (1.2 ** 5 - 1.2 ** 3)])
    level = metric_paths(res, _target())
    assert list(level.columns) == list(range(2020, 2026)) and level[2020].tolist() == [100.0] * 3


def test_targets_sharing_a_measure_share_a_panel():
    reach = pd.DataFrame([_target(target_id="a"), _target(target_id="b", year=2023, reading="cap"),
                          _target(target_id="c", reading="growth", period_start=2020),
                          _target(target_id="d", assessed=False)])
    groups = panels(reach)
    assert sorted(groups) == [("gdp", "suzhou", "growth", 2020, None), ("gdp", "suzhou", "level", None, None)]
    assert sorted(groups[("gdp", "suzhou", "level", None, None)].target_id) == ["a", "b"]
    assert panel_key(reach.iloc[2]) == ("gdp", "suzhou", "growth", 2020, None)


def test_metric_fan_marks_the_required_growth():
    t = pd.DataFrame([_target(reading="growth", period_start=2020, threshold=16.0)])
    fig = Figure()
    ax = fig.add_subplot()
    assert plots.metric_fan(metric_paths(_results(), t.iloc[0]), t, ax) is fig
    assert np.allclose(ax.lines[0].get_ydata(), 10.0)  # the median run grows 10 % per year
    mark = [ln for ln in ax.lines if ln.get_label().startswith("t (p 0.50)")]
    assert mark[0].get_xydata().tolist() == [[2025.0, 16.0]]
    dashed = ax.collections[-1].get_segments()[0]  # the required rate over the period
    assert dashed.tolist() == [[2021.0, 16.0], [2025.0, 16.0]]


def test_overview_has_one_row_per_target_with_both_views():
    reach = pd.DataFrame({"target_id": ["a", "b", "c"], "plan": ["P1", "P1", "P2"], "region": "suzhou",
                          "indicator": "gdp", "year": 2025, "basis": ["sd", "indicator_trend", "none"],
                          "p_inside": [0.9, 0.3, np.nan], "p_inside_low": [0.8, 0.28, np.nan],
                          "p_inside_high": [0.95, 0.33, np.nan], "p_outside": [0.6, 0.7, 0.5],
                          "p_outside_low": 0.4, "p_outside_high": 0.8})
    fig = plots.overview(reach)
    ax = fig.axes[0]
    assert [t.get_text().split()[0] for t in ax.get_yticklabels()] == ["a", "b", "c"]
    outside = [ln for ln in ax.lines if ln.get_label().startswith("outside")][0]
    assert outside.get_xdata().tolist() == [0.6, 0.7, 0.5]
    inside = {c.get_label(): c.get_offsets().tolist() for c in ax.collections if c.get_label()[0] != "_"}
    assert inside["model: SD core"] == [[0.9, 0.0]] and inside["indicator trend"] == [[0.3, 1.0]]
    # every inside view draws its own 90 % interval, the generic trend's too
    drawn = [seg.tolist() for c in ax.collections if c.get_label()[0] == "_" for seg in c.get_segments()]
    assert [[0.8, 0.0], [0.95, 0.0]] in drawn and [[0.28, 1.0], [0.33, 1.0]] in drawn


def test_lever_curves_plot_p_against_the_value_in_the_levers_unit():
    levers = pd.DataFrame({"target_id": ["a"], "lever": ["capex subsidy rate"], "parameter": ["policy_capex_subsidy"],
                           "value_0": [0.0], "value_1": [0.1], "p_0": [0.2], "p_1": [0.9]})
    fig = plots.lever_curves(levers)
    ax = fig.axes[0]
    line = [ln for ln in ax.lines if ln.get_label() == "a"][0]
    assert line.get_xydata().tolist() == [[0.0, 0.2], [10.0, 0.9]] and ax.get_xlabel() == "% of project cost"


def test_numbers_and_thresholds_for_people():
    assert threshold_text(">=", 40000, "100m_yuan") == "≥ 40,000 亿元 (4 trillion yuan)"
    assert threshold_text(">=", 16, "pct_per_year") == "≥ 16 % per year"
    assert threshold_text("<=", 1.3, "ratio") == "≤ 1.3"
    assert with_unit(-250.0, "100m_yuan", sign=True) == "-250 亿元 (-25 billion yuan)"
    assert with_unit(37000, "count") == "37,000" and with_unit(95, "pct") == "95 %"
    assert lever_text("new-build PUE cap", "dc_pue_cap", 1.24) == "new-build PUE cap 1.24"
    assert lever_text("capex subsidy rate", "policy_capex_subsidy", 0.3) == "capex subsidy rate 30 % of project cost"
    assert (lever_text("extra digital investment (share of GDP)", "digital_investment_extra", 0.028)
            == "extra digital investment 2.8 % of GDP")


def test_quotes_with_tabs_show_as_one_line():
    from dezsim.outputs.report_tables import _one_line

    assert _one_line(pd.Series(["省、市级示范智能车间（个）\t2000", None])).tolist() == ["省、市级示范智能车间（个） 2000", ""]


def test_a_report_removes_only_the_charts_of_an_earlier_report_it_did_not_write(tmp_path):
    from dezsim.outputs.report import _remove_stale_charts

    for name in ("overview.png", "fan_gdp.png", "fan_old_indicator.png", "levers.png", "notes.txt", "my_chart.png"):
        (tmp_path / name).write_bytes(b"x")
    _remove_stale_charts(tmp_path, {tmp_path / "overview.png", tmp_path / "fan_gdp.png"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fan_gdp.png", "my_chart.png", "notes.txt", "overview.png"]
