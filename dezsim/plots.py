"""Figures from results tables only (Results, reach tables, fit and sensitivity tables, comparisons).

Every function takes an optional matplotlib ``ax`` (or ``axes``) to draw into and returns the
:class:`matplotlib.figure.Figure`. None of them calls ``matplotlib.use`` or pyplot: a figure made here is a
plain ``Figure`` (it shows in Jupyter as it is, and :func:`save` writes it with no backend switch), so the
caller's backend is never touched and figures can be drawn from server threads (the dashboard).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

#: Colours of the verdicts (as in the report's table).
VERDICT_COLOURS = {"likely": "#1a7f37", "uncertain": "#9a6700", "unlikely": "#b42318"}


def _figure(ax, figsize: tuple[float, float]):
    """(figure, ax): ``ax``'s figure, or a new plain Figure with one axes."""
    if ax is not None:
        return ax.figure, ax
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def save(fig, path: str | Path, dpi: int = 110) -> Path:
    """Write ``fig`` to ``path`` atomically (format from the suffix) and return the path."""
    from dezsim.atomic import atomic_path

    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi, format=path.suffix.lstrip(".") or "png")
    return path


def _level_targets(reach: pd.DataFrame | None, indicator: str, region: str) -> pd.DataFrame:
    """Assessed targets of ``indicator`` in ``region`` read as the indicator's level in their year."""
    if reach is None or reach.empty:
        return reach.iloc[0:0] if reach is not None else pd.DataFrame()
    level = reach.reading.isin(["level", "cap"]) & reach.relative_to.isna()  # targets on the plotted value
    return reach[(reach.indicator == indicator) & (reach.region == region) & reach.assessed.astype(bool) & level]


def fan_chart(results, indicator: str, region: str, reach: pd.DataFrame | None = None, ax=None, *,
              unit: str = "", colour: str = "tab:blue", label: str | None = None):
    """Median, 50 % and 90 % bands of ``indicator`` in ``region`` over the years, level targets marked.

    Parameters
    ----------
    results : Results
        Any ensemble (the bands are over its runs).
    indicator, region : str
        What to draw.
    reach : DataFrame, optional
        A reach table (:func:`dezsim.reach.reachability`); its level targets for this indicator and region are
        drawn as triangles (pointing up for ``>=``, down for ``<=``).
    ax : matplotlib Axes, optional
        Draw into it (default: a new figure).
    unit : str
        y-axis label.
    colour, label : str
        Band colour and a legend prefix (to overlay two ensembles on one axes, e.g. baseline and a lever).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = _figure(ax, (4.4, 3.4))
    data = results.select(indicator, region).pivot_table(index="run", columns="year", values="value")
    years = data.columns.to_numpy()
    q = np.nanquantile(data.to_numpy(dtype=float), [0.05, 0.25, 0.5, 0.75, 0.95], axis=0)
    prefix = f"{label}: " if label else ""
    ax.fill_between(years, q[0], q[4], color=colour, alpha=0.15, label=f"{prefix}90 %")
    ax.fill_between(years, q[1], q[3], color=colour, alpha=0.3, label=f"{prefix}50 %")
    ax.plot(years, q[2], color=colour, lw=2, label=f"{prefix}median")
    for t in _level_targets(reach, indicator, region).itertuples():
        ax.plot(t.year, t.threshold, marker="v" if t.relation == "<=" else "^", color="tab:red", ms=9,
                ls="none", label=f"target {t.target_id}")
    ax.set_title(f"{region}: {indicator}", fontsize=10)
    ax.set_xlabel("year")
    ax.set_ylabel(unit)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="best")
    return fig


def fan_charts(results, indicator: str, regions: Sequence[str], reach: pd.DataFrame | None = None,
               units: dict[str, str] | None = None, axes=None):
    """One :func:`fan_chart` panel per region, side by side; returns the Figure."""
    if axes is None:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(4.2 * len(regions), 3.4), layout="constrained")
        axes = fig.subplots(1, len(regions), squeeze=False)[0]
    for ax, region in zip(axes, regions, strict=True):
        fan_chart(results, indicator, region, reach, ax, unit=(units or {}).get(indicator, ""))
    return axes[0].figure


def fit_plot(table: pd.DataFrame, ax=None):
    """Calibration fit: simulated / data ratio with 10-90 % bars for every checked baseline
    (the table of :func:`dezsim.calibrate.fit_table`)."""
    fig, ax = _figure(ax, (8, 0.35 * len(table) + 1.2))
    y = np.arange(len(table))
    ratio = table["median"] / table["data"]
    err = np.vstack([ratio - table.q10 / table.data, table.q90 / table.data - ratio])
    ax.errorbar(ratio, y, xerr=np.clip(err, 0, None), fmt="o", color="tab:blue", ecolor="tab:gray", capsize=3)
    ax.axvline(1.0, color="black", lw=1)
    ax.axvspan(0.98, 1.02, color="tab:green", alpha=0.15, label="+-2 %")
    ax.set_yticks(y, table.baseline)
    ax.invert_yaxis()
    ax.set_xlabel("simulated / data (median, 10-90 % over the calibrated ensemble)")
    ax.set_title("dezsim calibration fit to 2020 baselines and pre-2020 history")
    ax.legend(loc="lower right")
    return fig


def indices_plot(indices: pd.DataFrame, title: str, axes=None):
    """Sensitivity indices (Sobol S1/ST or Morris mu*): bars for the last year with intervals, and the main
    index over time. ``axes``: two axes to draw into (default: a new figure)."""
    if axes is None:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(11, 3.8), layout="constrained")
        axes = fig.subplots(1, 2)
    a, b = axes
    main, conf = ("ST", "ST_conf") if "ST" in indices else ("mu_star", "mu_star_conf")
    last = indices[indices.year == indices.year.max()].sort_values(main, ascending=False)
    y = np.arange(len(last))
    a.barh(y - 0.2, last[main], 0.4, xerr=last[conf], label=main, color="tab:blue")
    if "S1" in last:
        a.barh(y + 0.2, last["S1"], 0.4, xerr=last["S1_conf"], label="S1", color="tab:orange")
    a.set_yticks(y, last.parameter)
    a.invert_yaxis()
    a.set_title(f"{title}, {int(last.year.max())}", fontsize=10)
    a.legend()
    for name, group in indices.groupby("parameter"):
        b.plot(group.year, group[main], marker="o", label=name)
    b.set_title(f"{main} over time", fontsize=10)
    b.set_xlabel("year")
    b.legend(fontsize=7)
    return a.figure


def delta_plot(table: pd.DataFrame, ax=None, group: str = "plan"):
    """Δp per target against the first scenario, with its interval, grouped by ``group`` (plan or region).

    ``table`` is :attr:`dezsim.compare.Comparison.table` (columns ``scenario, target_id, <group>, delta,
    delta_low, delta_high``); one dot per scenario and target, targets sorted within their group.
    """
    shown = table.dropna(subset=["delta"]).sort_values([group, "target_id", "scenario"])
    targets = list(dict.fromkeys(shown.target_id))
    fig, ax = _figure(ax, (7.5, 0.28 * len(targets) + 1.6))
    row = {t: i for i, t in enumerate(targets)}
    scenarios = list(dict.fromkeys(shown.scenario))
    offsets = np.linspace(-0.25, 0.25, len(scenarios)) if len(scenarios) > 1 else [0.0]
    for (name, part), off in zip(shown.groupby("scenario", sort=False), offsets, strict=True):
        y = np.array([row[t] for t in part.target_id]) + off
        err = np.vstack([part.delta - part.delta_low, part.delta_high - part.delta]).clip(0)
        ax.errorbar(part.delta, y, xerr=err, fmt="o", ms=4, capsize=2, label=name)
    ax.axvline(0, color="black", lw=1)
    first = shown.drop_duplicates("target_id").set_index("target_id")
    detail = [c for c in ("region", "indicator", "year") if c in first]
    ax.set_yticks(range(len(targets)), [" ".join(str(first.loc[t, c]) for c in ["target_id", *detail][1:])
                                        .join([f"{t} ", ""]) for t in targets], fontsize=7)
    for name, members in first.groupby(group, sort=False):
        top = min(row[t] for t in members.index)
        ax.axhline(top - 0.5, color="gray", lw=0.6)
        ax.annotate(str(name), (0.99, top - 0.45), xycoords=("axes fraction", "data"), ha="right", va="top",
                    fontsize=7, color="dimgray", style="italic")
    ax.set_ylim(len(targets) - 0.5, -0.5)
    ax.set_xlabel("Δp against the first scenario (paired, with interval)")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=7, loc="best")
    return fig
