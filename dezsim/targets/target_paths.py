"""Each assessed target's measure over the years, per run: what a fan chart in the target's own metric draws.

A level or cap target is the indicator's level (minus the other region's, for "above another region"); a growth
target is the compound growth since its period start, in % per year, in each year after the start; a "new
within a period" or "cumulative since" target is the change since the start. Targets that share a measure
(same indicator, region, metric and start) share a panel.
"""

from __future__ import annotations

import pandas as pd

from dezsim.data.readings import Reading
from dezsim.model.results import Results


def metric_kind(t) -> str:
    """``level``, ``difference`` (relative to another region), ``growth`` or ``change`` (since the start)."""
    reading = Reading(t.reading)
    if reading in (Reading.LEVEL, Reading.CAP):
        return "difference" if isinstance(t.relative_to, str) else "level"
    return "growth" if reading is Reading.GROWTH else "change"


def panel_key(t) -> tuple:
    """Targets with the same key are drawn on one panel."""
    kind = metric_kind(t)
    start = int(t.period_start) if kind in ("growth", "change") else None
    return (t.indicator, t.region, kind, start, t.relative_to if kind == "difference" else None)


def panels(reach: pd.DataFrame) -> dict[tuple, pd.DataFrame]:
    """Assessed targets grouped by :func:`panel_key`, in indicator, region order."""
    a = reach[reach.assessed.astype(bool)].sort_values(["indicator", "region", "year"])
    groups: dict[tuple, list] = {}
    for t in a.itertuples(index=False):
        groups.setdefault(panel_key(t), []).append(t._asdict())
    return {k: pd.DataFrame(v) for k, v in groups.items()}


def metric_paths(results: Results, target: pd.Series, panel: dict | None = None) -> pd.DataFrame:
    """(run x year) of the target's measure, from the first year it is defined to the last simulated year."""
    from dezsim.targets.reach import _panel, metric

    panel = panel if panel is not None else _panel(results)
    years = sorted(results.frame.year.unique())
    if metric_kind(target) in ("growth", "change"):
        years = [y for y in years if y > int(target.period_start)]
    return pd.DataFrame({y: metric(target, panel, y) for y in years})


def label(key: tuple, unit: str) -> tuple[str, str]:
    """(title, y-axis text) of a panel."""
    indicator, region, kind, start, other = key
    from dezsim.base.units import AXIS_TEXT

    axis = AXIS_TEXT.get(unit, unit)
    if kind == "growth":
        return f"{region}: {indicator}, growth since {start}", "compound growth, % per year"
    if kind == "change":
        return f"{region}: {indicator}, added since end-{start}", axis
    if kind == "difference":
        return f"{region} minus {other}: {indicator}", axis
    return f"{region}: {indicator}", axis
