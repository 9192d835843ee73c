"""The report's figures: the overview of p per target, a fan chart in each assessed target's own metric (one
figure per indicator, one panel per region and measure), the lever response curves."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dezsim.model.results import Results
from dezsim.outputs import plots
from dezsim.targets.target_paths import label, metric_paths, panels

#: Panels per row in an indicator's figure.
COLUMNS = 3


def overview(reach: pd.DataFrame, folder: Path) -> Path:
    """figures/overview.png: every target with an inside view (the model or an indicator trend), with its outside
    view beside it. Targets with the outside view only are left to their table: their p is their class's base
    rate, a handful of values repeated over a hundred rows, which a chart would only stretch."""
    shown = reach[reach.p_inside.notna()]
    return plots.save(plots.overview(shown), folder / "overview.png")


def fans(results: Results, reach: pd.DataFrame, units: dict[str, str], names_zh: dict[str, str],
         folder: Path) -> list[Path]:
    """figures/fan_<indicator>.png for every indicator with an assessed target."""
    from matplotlib.figure import Figure

    from dezsim.targets.reach import _panel

    cube = _panel(results)
    by_indicator: dict[str, list] = {}
    for key, targets in panels(reach).items():
        by_indicator.setdefault(key[0], []).append((key, targets))
    family = plots.cjk_family()
    out = []
    for indicator, items in by_indicator.items():
        rows = -(-len(items) // COLUMNS)
        cols = min(COLUMNS, len(items))
        fig = Figure(figsize=(4.3 * cols, 3.2 * rows + 0.4), layout="constrained")
        axes = fig.subplots(rows, cols, squeeze=False).ravel()
        for ax, (key, targets) in zip(axes, items, strict=False):
            unit = "pct_per_year" if key[2] == "growth" else units.get(indicator, "")
            title, ylabel = label(key, unit)
            plots.metric_fan(metric_paths(results, targets.iloc[0], cube), targets, ax, title=title, ylabel=ylabel)
        for ax in axes[len(items):]:
            ax.set_visible(False)
        zh = names_zh.get(indicator)
        head = f"{indicator} ({zh})" if family and isinstance(zh, str) else indicator
        fig.suptitle(head, fontsize=11, **({"fontfamily": family} if family else {}))
        out.append(plots.save(fig, folder / f"fan_{indicator}.png"))
    return out


def lever_curves(levers: pd.DataFrame | None, folder: Path) -> list[Path]:
    """figures/levers.png (p against each lever's value), when a lever search ran."""
    if levers is None or levers.empty or "p_0" not in levers:
        return []
    return [plots.save(plots.lever_curves(levers), folder / "levers.png")]
