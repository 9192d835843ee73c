"""Sensitivity (Sobol first and total indices, Morris mu* and sigma, per year) and scenario discovery (PRIM)
from a sweep store."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from dezsim.base.errors import DezsimError
from dezsim.sweep.designs import problem
from dezsim.sweep.store import Store


def _outputs(store: Store, indicator: str, region: str) -> pd.DataFrame:
    """Run x year table of one indicator in one region, in design order."""
    frame = store.frame(indicator=indicator, region=region)
    if frame.empty:
        raise DezsimError(f"{store.root}: no stored values of {indicator!r} in {region!r}")
    table = frame.pivot_table(index="run", columns="year", values="value")
    runs = store.design()["run"]
    if len(table) != len(runs):
        raise DezsimError(f"{store.root}: {len(table)} of {len(runs)} runs stored; finish the sweep first")
    return table.loc[runs.to_numpy()]


def salib_seed(store: Store) -> int:
    """The seed for SALib's bootstrap intervals: the sweep's seed plus one, because SALib's Sobol analysis
    tests ``if seed:`` and so treats 0 as "no seed" (global RNG, different intervals on every call)."""
    return int(store.manifest().get("seed", 0)) + 1


def _design(store: Store, method: str) -> tuple[dict, pd.DataFrame]:
    spec = store.manifest().get("design") or {}
    if spec.get("method") != method:
        raise DezsimError(f"{store.root}: a {spec.get('method', 'unknown')} design; {method} indices need a "
                          f"{method} sweep")
    return problem(spec["params"]), store.design()


def sobol_indices(store: Store, indicator: str, region: str) -> pd.DataFrame:
    """First-order and total Sobol indices with 95 % intervals, for every year (time-varying indices)."""
    from SALib.analyze import sobol

    prob, _ = _design(store, "sobol")
    table = _outputs(store, indicator, region)
    rows = []
    for year in table.columns:
        y = table[year].to_numpy()
        if np.allclose(y, y[0]):
            continue  # e.g. the initial year: no variance to attribute
        res = sobol.analyze(prob, y, calc_second_order=False, seed=salib_seed(store))
        for i, name in enumerate(prob["names"]):
            rows.append({"year": int(year), "parameter": name, "S1": res["S1"][i], "S1_conf": res["S1_conf"][i],
                         "ST": res["ST"][i], "ST_conf": res["ST_conf"][i]})
    return pd.DataFrame(rows)


def morris_indices(store: Store, indicator: str, region: str) -> pd.DataFrame:
    """Morris mu* (with 95 % interval) and sigma for every year."""
    from SALib.analyze import morris

    prob, design = _design(store, "morris")
    table = _outputs(store, indicator, region)
    x = design[prob["names"]].to_numpy()
    rows = []
    for year in table.columns:
        y = table[year].to_numpy()
        if np.allclose(y, y[0]):
            continue
        res = morris.analyze(prob, x, y, num_levels=4, seed=salib_seed(store))
        for i, name in enumerate(prob["names"]):
            rows.append({"year": int(year), "parameter": name, "mu_star": res["mu_star"][i],
                         "mu_star_conf": res["mu_star_conf"][i], "sigma": res["sigma"][i]})
    return pd.DataFrame(rows)


def plot_indices(indices: pd.DataFrame, path: Path, title: str) -> Path:
    """Write the indices figure (:func:`dezsim.outputs.plots.indices_plot`) to ``path``."""
    from dezsim.outputs import plots

    return plots.save(plots.indices_plot(indices, title), path)


def prim(x: pd.DataFrame, hit: np.ndarray, alpha: float = 0.05, min_support: float = 0.05) -> pd.DataFrame:
    """Patient rule induction (Friedman & Fisher 1999): peel the box that raises the share of ``hit`` runs.

    Returns the peeling trajectory: one row per box with its coverage (share of all hits inside), density
    (share of runs inside that hit), support, and each parameter's [low, high].
    """
    hit = np.asarray(hit, dtype=bool)
    if hit.sum() == 0:
        raise DezsimError("scenario discovery: no run meets the target; nothing to describe")
    inside = np.ones(len(x), dtype=bool)
    bounds = {c: (float(x[c].min()), float(x[c].max())) for c in x.columns}
    trajectory = [_box(bounds, inside, hit)]
    while inside.mean() > min_support:
        best = None
        for col in x.columns:
            values = x.loc[inside, col].to_numpy()
            for side, cut in (("low", np.quantile(values, alpha)), ("high", np.quantile(values, 1 - alpha))):
                keep = inside & ((x[col] >= cut) if side == "low" else (x[col] <= cut)).to_numpy()
                if keep.sum() == inside.sum() or keep.sum() == 0:
                    continue
                density = hit[keep].mean()
                if best is None or density > best[0]:
                    best = (density, col, side, cut, keep)
        if best is None or best[0] <= hit[inside].mean():
            break
        _, col, side, cut, inside = best
        lo, hi = bounds[col]
        bounds[col] = (float(cut), hi) if side == "low" else (lo, float(cut))
        trajectory.append(_box(bounds, inside, hit))
    return pd.DataFrame(trajectory)


def _box(bounds: dict, inside: np.ndarray, hit: np.ndarray) -> dict:
    return {"coverage": hit[inside].sum() / hit.sum(), "density": hit[inside].mean(), "support": inside.mean(),
            **{f"{c} low": lo for c, (lo, _) in bounds.items()}, **{f"{c} high": hi for c, (_, hi) in bounds.items()}}


def target_hits(store: Store, target_id: str, partial: bool = False) -> tuple[pd.DataFrame, np.ndarray]:
    """The varied parameters of every run and whether the run meets ``target_id`` (for :func:`prim`).

    An incomplete sweep raises :class:`DezsimError` unless ``partial`` (then only the stored runs count).
    """
    from dezsim.data.loader import load
    from dezsim.targets.reach import map_targets, metric

    ds = load()
    frame = store.frame(partial=partial)
    targets = map_targets(ds, sorted(frame.region.unique()), int(frame.year.max()),
                          set(frame.indicator.unique())).set_index("target_id")
    group_of = {i: t for t, g in targets.grouped.items() if g for i in g.split("; ")}
    target_id = group_of.get(target_id, target_id)  # a repeat or gloss is assessed as the target it belongs to
    if target_id not in targets.index:
        raise DezsimError(f"unknown target {target_id!r}; see data/figures")
    t = targets.loc[target_id]
    if not t.assessed:
        raise DezsimError(f"target {target_id} is not assessed: {t.reason}")
    t = t.copy()
    t["target_id"] = target_id
    wide = frame.pivot_table(index=["region", "indicator", "run"], columns="year", values="value")
    panel = {k: g.droplevel([0, 1]) for k, g in wide.groupby(level=[0, 1])}
    gap = (1 if t.relation == ">=" else -1) * (metric(t, panel, int(t.year)) - t.threshold)
    design = store.design().set_index("run")
    params = [c for c in design.columns if c not in ("seed", "calibration_set")]
    if not params:
        raise DezsimError(f"{store.root}: the design varies no parameter; run an lhs, sobol or morris sweep")
    return design.loc[panel[(t.region, t.indicator)].index, params].reset_index(drop=True), gap >= 0
