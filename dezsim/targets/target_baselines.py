"""Plan targets with their reference class and their pre-2021 baseline (the inputs of the outside view).

A target's baseline is a ``baseline`` figure of the same region, indicator and unit, dated up to 2020, of a
basis comparable with the target's (:data:`~dezsim.targets.outside_model.COMPARABLE_BASES` for a level to grow from;
a ``new_in_period`` or ``flow`` baseline for a count of new items), and counting what the target counts: its
``scope`` note equals the target's (both empty: the whole region and indicator). A figure of another scope is
another quantity: Jiangsu's 2020 5G "full coverage" of city and county centres (s003-023) says nothing about
the 2025 full coverage of trunk lines and parks (s003-031), and growing one into the other gave p = 1 by
construction. Among several, the latest year wins, then file order; the basis text says which was used.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dezsim.base.errors import DataError
from dezsim.data.dataset import Dataset
from dezsim.targets.outside_model import AMBITION_CLASSES, CLASS_MAP, COMPARABLE_BASES, CUTOFF, load_class_map, \
    required_growth

#: Baseline bases that give a yearly rate of new items for a ``new_in_period`` target.
FLOW_BASES = ("new_in_period", "flow")
COLUMNS = ["target_id", "region", "indicator", "kind", "basis", "unit", "relation", "class", "year", "value",
           "period_start", "baseline_id", "baseline_year", "baseline_value", "baseline_basis",
           "baseline_period_start", "g_req"]


def pick_baseline(target: dict, baselines: pd.DataFrame, bases: set[str]) -> dict | None:
    """The baseline row for ``target`` among ``baselines`` whose basis is in ``bases`` and whose scope is the
    target's (None if there is none)."""
    cand = baselines[(baselines.region == target["region"]) & (baselines.indicator == target["indicator"])
                     & (baselines.unit == target["unit"]) & baselines.basis.isin(sorted(bases))]
    cand = cand[[_same_scope(s, target.get("scope")) for s in cand.scope]]
    if cand.empty:
        return None
    cand = cand.assign(_order=np.arange(len(cand)))
    return cand.sort_values(["year", "_order"], ascending=[False, True]).iloc[0].to_dict()


def _same_scope(a, b) -> bool:
    """Two scope notes name the same population (both empty counts as the same: the whole region)."""
    a = a if isinstance(a, str) and a.strip() else None
    b = b if isinstance(b, str) and b.strip() else None
    return a == b


def baseline_rows(figures: pd.DataFrame) -> pd.DataFrame:
    """Figures a baseline may come from: kind ``baseline`` dated up to 2020 (never a later figure)."""
    return figures[(figures.kind == "baseline") & (figures.year <= CUTOFF)]


def plan_targets(ds: Dataset) -> pd.DataFrame:
    """One row per plan target: its class (from the declared class map), baseline and required growth.

    Raises
    ------
    DataError
        When a target's (indicator, kind) has no row in ``data/reference_targets/class_map.csv``.
    """
    classes = load_class_map(ds.root)
    baselines = baseline_rows(ds.figures)
    rows = []
    for t in ds.targets().to_dict("records"):
        cls = classes.get((t["indicator"], t["kind"]))
        if cls is None:
            raise DataError(f"{CLASS_MAP}: no row for indicator {t['indicator']!r}, kind {t['kind']!r} "
                            f"(target {t['id']}); add it with its class and reason")
        level_bases = {b for a, b in COMPARABLE_BASES if a == t["basis"]}
        bases = set(FLOW_BASES) if t["basis"] == "new_in_period" else level_bases
        base = pick_baseline(t, baselines, bases)
        rows.append(_row(t, cls, base))
    return pd.DataFrame(rows, columns=COLUMNS)


def _row(t: dict, cls: str, base: dict | None) -> list:
    b = base or {}
    level = cls in AMBITION_CLASSES and t["basis"] != "new_in_period" and base is not None
    g_req = required_growth(b.get("value", np.nan), b.get("year", np.nan), t["value"], t["year"],
                            t["relation"]) if level else np.nan
    return [t["id"], t["region"], t["indicator"], t["kind"], t["basis"], t["unit"], t["relation"], cls, t["year"],
            t["value"], t["period_start"], b.get("id"), b.get("year", np.nan), b.get("value", np.nan),
            b.get("basis"), b.get("period_start", np.nan), g_req]
