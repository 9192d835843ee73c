"""Figures from results tables only (Results, reach tables, fit and sensitivity tables, comparisons).

Every function takes an optional matplotlib ``ax`` (or ``axes``) to draw into and returns the
:class:`matplotlib.figure.Figure`. None of them calls ``matplotlib.use`` or pyplot: a figure made here is a
plain ``Figure`` (it shows in Jupyter as it is, and :func:`save` writes it with no backend switch), so the
caller's backend is never touched and figures can be drawn from server threads (the dashboard).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from dezsim.base.atomic import save_figure as save  # noqa: F401 (the figures' writer, re-exported)

#: Colours of the verdicts (as in the report's table).
VERDICT_COLOURS = {"likely": "#1a7f37", "uncertain": "#9a6700", "unlikely": "#b42318"}


def _figure(ax, figsize: tuple[float, float]):
    """(figure, ax): ``ax``'s figure, or a new plain Figure with one axes."""
    if ax is not None:
        return ax.figure, ax
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


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
        A reach table (:func:`dezsim.targets.reach.reachability`); its level targets for this indicator and region are
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
    (the table of :func:`dezsim.calibration.calibrate.fit_table`)."""
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

    ``table`` is :attr:`dezsim.outputs.compare.Comparison.table` (columns ``scenario, target_id, <group>, delta,
    delta_low, delta_high``); one dot per scenario and target, targets sorted within their group.
    """
    shown = table.dropna(subset=["delta"]).sort_values([group, "target_id", "scenario"])
    targets = list(dict.fromkeys(shown.target_id))
    fig, ax = _figure(ax, (7.5, 0.28 * len(targets) + 1.6))
    if not targets:  # e.g. from an origin before 2020, where no plan target's indicator is simulated
        ax.text(0.5, 0.5, "no target is assessed in these runs", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return fig
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


#: Marker of each basis in the overview (the inside view's tier).
BASIS_MARKERS = {"sd": "o", "agents": "s", "indicator_trend": "D"}
#: Font families for CJK text, tried in order after the default (the first one installed is used).
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "WenQuanYi Zen Hei", "SimHei")


def cjk_family() -> list[str] | None:
    """A font-family fallback list that renders Chinese, or None when no CJK font is installed (then callers
    leave Chinese text out rather than draw boxes)."""
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    found = [f for f in CJK_FAMILIES if f in names]
    return ["DejaVu Sans", found[0]] if found else None


def metric_fan(paths: pd.DataFrame, targets: pd.DataFrame, ax=None, *, title: str = "", ylabel: str = "",
               colour: str = "tab:blue"):
    """Median, 50 % and 90 % bands of a target's measure (``paths``: run x year, from
    :func:`dezsim.targets.target_paths.metric_paths`) with each target of ``targets`` marked at its year and threshold
    (triangle up for ``>=``, down for ``<=``); a growth target also draws its required growth as a dashed line
    over its period. Returns the Figure."""
    fig, ax = _figure(ax, (4.4, 3.2))
    years = paths.columns.to_numpy(dtype=float)
    q = np.nanquantile(paths.to_numpy(dtype=float), [0.05, 0.25, 0.5, 0.75, 0.95], axis=0)
    ax.fill_between(years, q[0], q[4], color=colour, alpha=0.15, label="90 %")
    ax.fill_between(years, q[1], q[3], color=colour, alpha=0.3, label="50 %")
    ax.plot(years, q[2], color=colour, lw=2, label="median")
    for t in targets.itertuples():
        colour_t = VERDICT_COLOURS.get(getattr(t, "verdict", ""), "tab:red")
        if t.reading == "growth":
            ax.hlines(t.threshold, years.min(), t.year, colors=colour_t, linestyles="--", lw=1)
        p = getattr(t, "p_reach", np.nan)
        ax.plot(t.year, t.threshold, marker="v" if t.relation == "<=" else "^", color=colour_t, ms=9, ls="none",
                label=f"{t.target_id} (p {p:.2f})" if pd.notna(p) else t.target_id)
    ax.set_title(title, fontsize=9)
    ax.set_xlabel("year")
    ax.set_ylabel(ylabel, fontsize=8)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=6, loc="best")
    return fig


def overview(reach: pd.DataFrame, ax=None, group: str = "plan"):
    """p per target, grouped by ``group``: the inside view (dot: SD core, square: agents, diamond: indicator
    trend) with its 90 % interval in its verdict colour, and the outside view (grey ring, thin interval) of every
    target. ``reach`` needs ``target_id, <group>, basis, p_inside, p_inside_low, p_inside_high, p_outside,
    p_outside_low, p_outside_high`` (:func:`dezsim.targets.views.with_views`). Returns the Figure."""
    from dezsim.targets.reach import verdict

    rank = {b: i for i, b in enumerate([*BASIS_MARKERS, "none"])}  # model first, then trend, then outside only
    shown = reach.assign(_rank=reach.basis.map(rank)).sort_values([group, "_rank", "target_id"])
    shown = shown.reset_index(drop=True)
    fig, ax = _figure(ax, (9.5, 0.24 * len(shown) + 1.6))
    y = np.arange(len(shown))
    ax.hlines(y, shown.p_outside_low, shown.p_outside_high, color="0.6", lw=0.8)
    ax.plot(shown.p_outside, y, "o", mfc="none", mec="0.45", ms=4, label="outside view (past plans)")
    for basis, marker in BASIS_MARKERS.items():
        part = shown[shown.basis == basis]
        lo, hi = part.p_inside_low, part.p_inside_high
        colours = [VERDICT_COLOURS[verdict(p)] for p in part.p_inside]
        ax.hlines(part.index, lo, hi, colors=colours, lw=2)
        ax.scatter(part.p_inside, part.index, c=colours, marker=marker, s=22, zorder=3,
                   label={"sd": "model: SD core", "agents": "model: agents",
                          "indicator_trend": "indicator trend"}[basis])
    for v in (0.2, 0.8):
        ax.axvline(v, color="0.3", lw=0.6, ls=":")
    ax.set_yticks(y, [f"{t.target_id} {t.region} {t.indicator} {t.year}" for t in shown.itertuples()], fontsize=7)
    for name, members in shown.groupby(group, sort=False):
        top = members.index.min()
        ax.axhline(top - 0.5, color="gray", lw=0.6)
        ax.annotate(str(name), (0.99, top - 0.4), xycoords=("axes fraction", "data"), ha="right", va="top",
                    fontsize=7, color="dimgray", style="italic")
    ax.set_ylim(len(shown) - 0.5, -0.5)
    ax.set_xlim(-0.02, 1.02)
    ax.set_xlabel("p (probability the target is met), with 90 % interval; dotted: 0.2 and 0.8")
    ax.legend(fontsize=7, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=4, frameon=False)
    return fig


def lever_curves(levers: pd.DataFrame, axes=None, top: int = 6):
    """p against each lever's value (in its own unit), one panel per lever, one line per target; the ``top``
    targets whose p moves most are labelled. ``levers`` is levers.csv (``value_i``/``p_i`` grid columns).
    Returns the Figure."""
    from dezsim.base.units import lever_value

    names = list(dict.fromkeys(levers.lever))
    if axes is None:
        from matplotlib.figure import Figure

        cols = min(3, len(names))
        fig = Figure(figsize=(4.3 * cols, 3.3 * -(-len(names) // cols)), layout="constrained")
        axes = fig.subplots(-(-len(names) // cols), cols, squeeze=False).ravel()
    n = len([c for c in levers if re.fullmatch(r"value_\d+", c)])
    for ax, name in zip(axes, names, strict=False):
        part = levers[levers.lever == name]
        p = part[[f"p_{i}" for i in range(n)]].to_numpy(dtype=float)
        moved = np.argsort(-(p.max(axis=1) - p.min(axis=1)))[:top]
        unit = ""
        for j, r in enumerate(part.itertuples()):
            x = [lever_value(r.parameter, getattr(r, f"value_{i}")) for i in range(n)]
            unit = x[0][1]
            ax.plot([v for v, _ in x], p[j], marker=".", lw=1.4 if j in moved else 0.6,
                    color=None if j in moved else "0.75", label=r.target_id if j in moved else None,
                    zorder=2 if j in moved else 1)
        ax.axhline(0.8, color="0.3", lw=0.6, ls=":")
        ax.set_ylim(-0.03, 1.03)
        ax.set_title(name, fontsize=9)
        ax.set_xlabel(unit or "value")
        ax.set_ylabel("p")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=6, loc="best")
    for ax in list(axes)[len(names):]:
        ax.set_visible(False)
    return axes[0].figure
