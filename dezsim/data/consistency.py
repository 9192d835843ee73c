"""Cross-level consistency of the figures: children against their parent, never silently fixed.

For additive indicators (money and counts measured as stock, flow, cumulative or new-in-period) the
children's figures for the same indicator, year, kind, basis and scope are summed and compared with the
parent's: a sum above the parent is an inconsistency; with every child present the sum should match.
Ratios (shares, PUE) and growth rates are not additive: they are listed side by side for the reader.
"""

from __future__ import annotations

import pandas as pd

from dezsim.base.errors import DataError
from dezsim.base.tables import FILE, LINE
from dezsim.data.dataset import Dataset

#: Units whose values add up across regions.
ADDITIVE_UNITS = ("100m_yuan", "10k_yuan", "yuan", "count", "gwh", "10k_kwh", "10k_tce", "pflops")
#: Bases whose values add up across regions.
ADDITIVE_BASES = ("stock", "flow", "cumulative", "new_in_period")
#: Relative tolerance before a children sum counts as different from the parent (plans round figures).
SUM_TOLERANCE = 0.02

_KEY = ["indicator", "year", "kind", "basis", "unit", "period_start", "scope"]


def cross_level(ds: Dataset, indicators: list[str] | None = None) -> pd.DataFrame:
    """Compare every parent's figures with its children's.

    Returns
    -------
    pandas.DataFrame
        One row per (parent, indicator, year, kind, basis, unit, period_start, scope) that both the parent
        and at least one child state, with ``parent_value``, ``children_sum`` (additive only),
        ``children_values`` (text, every case), ``children_covered`` ("k/n") and ``status``:
        ``exceeds_parent``, ``mismatch`` (all children present, sum differs), ``ok``, ``partial``
        (some children missing, sum below parent) or ``not_additive`` (ratios and growth rates).
    """
    figs = ds.figures if indicators is None else ds.figures[ds.figures.indicator.isin(indicators)]
    figs = figs.copy()
    figs[_KEY] = figs[_KEY].astype(object).where(figs[_KEY].notna(), "")
    rows = []
    for parent in ds.regions.code:
        kids = ds.children(parent)
        if not kids:
            continue
        mine = figs[figs.region == parent]
        theirs = figs[figs.region.isin(kids)]
        for key, group in theirs.groupby(_KEY, sort=True):
            match = mine[(mine[_KEY] == pd.Series(key, index=_KEY)).all(axis=1)]
            if match.empty:
                continue
            rows.append(_compare(parent, kids, key, _largest(match), group))
    columns = ["parent", *_KEY, "parent_value", "children_sum", "children_values", "children_covered", "status"]
    return pd.DataFrame(rows, columns=columns)


def _largest(match: pd.DataFrame) -> pd.Series:
    """The parent figure to compare with: several sources may state it; bounds (超 X) differ, take the largest."""
    return match.loc[match.value.idxmax()] if match.value.notna().any() else match.iloc[0]


def _compare(parent: str, kids: list[str], key: tuple, prow: pd.Series, group: pd.DataFrame) -> dict:
    per_child = group.groupby("region").value.first()
    out = dict(zip(_KEY, key, strict=True), parent=parent, parent_value=prow.value)
    out["children_values"] = "; ".join(f"{r}={v:g}" for r, v in per_child.items())
    out["children_covered"] = f"{len(per_child)}/{len(kids)}"
    additive = prow.unit in ADDITIVE_UNITS and prow.basis in ADDITIVE_BASES
    if not additive or pd.isna(prow.value):
        return out | {"children_sum": float("nan"), "status": "not_additive"}
    total = float(per_child.sum())
    if total > prow.value * (1 + SUM_TOLERANCE):
        status = "exceeds_parent"
    elif len(per_child) == len(kids):
        status = "ok" if abs(total - prow.value) <= SUM_TOLERANCE * prow.value else "mismatch"
    else:
        status = "partial"
    return out | {"children_sum": total, "status": status}


def enforce_sums(ds: Dataset) -> None:
    """Raise :class:`DataError` where an indicator with a ``sum_tolerance`` (data/indicator_checks.csv) has
    children summing above their parent by more than it, or (all children stated) differing by more than it.

    One line naming the parent's file, line and value, the children's values and the allowed tolerance.
    """
    tolerance = {r.indicator: r.sum_tolerance for r in ds.checks.itertuples() if pd.notna(r.sum_tolerance)}
    if not tolerance:
        return
    report = cross_level(ds, list(tolerance))
    for row in report[report.status != "not_additive"].itertuples():
        tol, total, parent = tolerance[row.indicator], row.children_sum, row.parent_value
        complete = row.children_covered.split("/")[0] == row.children_covered.split("/")[1]
        if total > parent * (1 + tol) or (complete and abs(total - parent) > tol * parent):
            f = ds.figures
            prow = f[(f.region == row.parent) & (f.indicator == row.indicator) & (f.year == row.year)
                     & (f.kind == row.kind) & (f.value == parent)].iloc[0]
            raise DataError(
                f"{prow[FILE]}:{prow[LINE]}: column 'value' = {parent:g}: {row.indicator} of {row.parent} in "
                f"{row.year}, but its children sum to {total:g} ({100 * (total / parent - 1):+.1f} %: "
                f"{row.children_values}, {row.children_covered} stated); allowed: within {tol:.0%} "
                f"(indicator_checks.csv); a typo in one of these figures?")


def summary_tables(ds: Dataset) -> dict[str, pd.DataFrame]:
    """Counts for ``dezsim data summary``: figures by region x kind, targets by region x year."""
    f = ds.figures
    by_kind = pd.crosstab(f.region, f.kind, margins=True, margins_name="total")
    t = ds.targets()
    by_year = pd.crosstab(t.region, t.year, margins=True, margins_name="total")
    label = f.source.where(f.source.isin(ds.sources.loc[ds.sources.kind == "seed", "source"]), "public statistics (URL)")
    by_source = pd.crosstab(label.rename("source"), f.kind, margins=True, margins_name="total")
    return {"figures by region and kind": by_kind, "targets by region and year": by_year,
            "figures by source and kind": by_source}
