"""2020 stocks for every leaf region, derived from data/ by one documented rule, and their uncertainty.

Rule (top-down allocation): take the Jiangsu 2020 baseline of the indicator; at each level, children with
their own 2020 figure keep it; the remainder of the parent is split among the other children by a key. The key
is the child's 2020 GDP unless :data:`HISTORY_KEYS` holds a pre-2021 figure for that child (then that figure is
its estimate and the others share what is left by GDP). A remainder below zero (children's figures exceed the
parent's) is an inconsistency: it is reported in the derivation table and the unknown children get zero, never
a negative stock.

A split by a key is uncertain: :func:`allocation_draws` draws, per run, the split shares from a Dirichlet
distribution centred on the key shares, with a declared concentration per indicator (``alloc_concentration_*``
in :mod:`dezsim.model.params`); stated figures stay fixed and every split still sums to its parent.
For GDP itself a remainder of zero or less is an error (every per-GDP quantity divides by it).

Figures chosen: kind ``baseline``, year 2020, basis ``stock`` or ``flow``, the indicator's own unit; among
several, plain values (``=``) before bounds (``>=``), figures without a narrower scope first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dezsim.base.errors import ConfigError, DataError
from dezsim.base.memo import per_dataset
from dezsim.base.seeding import component_rng
from dezsim.data.dataset import Dataset

BASE_YEAR = 2020
#: Indicators whose 2020 level seeds an SD stock (also the fixed order of :func:`allocation_draws`).
SEEDED = ("gdp", "ei_manufacturing_revenue", "software_revenue", "g5_base_stations", "dc_racks")
#: Pre-2021 figures in data/history/infrastructure_adoption_to_2020.csv used as a child's estimate where
#: data/figures has no 2020 baseline: (indicator, region) -> row id. Wuxi's plan for end-2020 (10000 stations
#: or more, published June 2020); Suzhou's comparable plan for end-2019 was met at 109 % (ia-021, ia-017).
HISTORY_KEYS = {("g5_base_stations", "wuxi"): "ia-023"}
#: Declared Dirichlet concentration of each indicator's key shares.
CONCENTRATION = {"gdp": "alloc_concentration_econ", "ei_manufacturing_revenue": "alloc_concentration_econ",
                 "software_revenue": "alloc_concentration_econ", "g5_base_stations": "alloc_concentration_g5",
                 "dc_racks": "alloc_concentration_racks"}


@dataclass(frozen=True)
class Split:
    """One parent's remainder shared among its children without a figure: ``children`` get ``shares`` (a lone
    child gets the whole remainder)."""

    parent: str
    children: tuple[str, ...]
    shares: np.ndarray
    known: float  # sum of the stated children's figures (subtracted from the parent first)


def stated_2020(ds: Dataset, indicator: str) -> pd.DataFrame:
    """The preferred 2020 baseline figure of ``indicator`` per region (index: region; columns value, id)."""
    f = ds.figures
    unit = ds.indicators.set_index("name").loc[indicator, "unit"]
    rows = f[(f.indicator == indicator) & (f.kind == "baseline") & (f.year == BASE_YEAR)
             & f.basis.isin(["stock", "flow"]) & (f.unit == unit) & f.value.notna()].copy()
    rows["rank_relation"] = (rows.relation != "=").astype(int)
    rows["rank_scope"] = rows.scope.notna().astype(int)
    rows = rows.sort_values(["region", "rank_relation", "rank_scope", "id"])
    return rows.groupby("region")[["value", "id"]].first()


@per_dataset
def derive(ds: Dataset, indicator: str, root: str = "jiangsu") -> pd.DataFrame:
    """2020 value of ``indicator`` for every region under ``root``, with how each was obtained (derived once per
    data: the table is shared, so callers must not change it).

    Returns
    -------
    pandas.DataFrame
        Index region; columns ``value`` and ``how`` (``data <id>``, ``allocated by 2020 GDP from <parent>``,
        ``key data/history <id>``, or a note on an inconsistency).
    """
    stated = stated_2020(ds, indicator)
    if root not in stated.index:
        raise DataError(f"data/figures: no 2020 baseline of {indicator!r} for {root!r}; the model needs one")
    gdp = derive(ds, "gdp").value if indicator != "gdp" else None
    out = {root: (float(stated.loc[root, "value"]), f"data {stated.loc[root, 'id']}")}
    _allocate(ds, indicator, root, stated, gdp, out, [])
    return pd.DataFrame.from_dict(out, orient="index", columns=["value", "how"]).rename_axis("region")


def splits(ds: Dataset, indicator: str, root: str = "jiangsu") -> list[Split]:
    """The keyed splits of ``indicator`` top-down (parents before their children)."""
    stated = stated_2020(ds, indicator)
    gdp = derive(ds, "gdp").value if indicator != "gdp" else None
    out: dict = {root: (float(stated.loc[root, "value"]), "")}
    found: list[Split] = []
    _allocate(ds, indicator, root, stated, gdp, out, found)
    return found


def _history_key(indicator: str, region: str) -> tuple[float, str] | None:
    rid = HISTORY_KEYS.get((indicator, region))
    if rid is None:
        return None
    from dezsim.data.history_infra import load_infrastructure_history

    row = load_infrastructure_history().set_index("id").loc[rid]
    return float(row.value), rid


def _weights(ds, indicator, parent, unknown, remainder, gdp) -> tuple[pd.Series, dict[str, str]]:
    """Key weights of the unknown children (summing to 1) and the note on each one's derivation."""
    if len(unknown) == 1:
        return pd.Series(1.0, index=unknown), {unknown[0]: f"remainder of {parent}"}
    if gdp is None:
        raise DataError(f"data/figures: 2020 GDP missing for {unknown} (needed to split {parent!r})")
    keyed = {k: _history_key(indicator, k) for k in unknown}
    keyed = {k: v for k, v in keyed.items() if v is not None}
    fixed = min(sum(v[0] for v in keyed.values()), max(remainder, 0.0))
    rest = [k for k in unknown if k not in keyed]
    w = gdp.reindex(rest) / gdp.reindex(rest).sum() * (max(remainder, 0.0) - fixed)
    w = pd.concat([w, pd.Series({k: v[0] for k, v in keyed.items()})]).reindex(unknown)
    notes = {k: f"allocated by 2020 GDP from {parent}" for k in rest}
    notes |= {k: f"key data/history {v[1]} (pre-2021 figure), rest of {parent} by GDP" for k, v in keyed.items()}
    total = float(w.sum())
    return (w / total if total > 0 else pd.Series(1.0 / len(unknown), index=unknown)), notes


def _allocate(ds, indicator, parent, stated, gdp, out: dict, found: list) -> None:
    kids = ds.children(parent)
    if not kids:
        return
    known = [k for k in kids if k in stated.index]
    unknown = [k for k in kids if k not in stated.index]
    for k in known:
        out[k] = (float(stated.loc[k, "value"]), f"data {stated.loc[k, 'id']}")
    known_sum = sum(out[k][0] for k in known)
    remainder = out[parent][0] - known_sum
    if unknown:
        if remainder <= 0 and gdp is None:  # GDP itself: every per-GDP quantity divides by it
            raise DataError(f"data/figures: 2020 gdp of {', '.join(unknown)} is {parent}'s remainder, but "
                            f"{', '.join(known)} already sum to {out[parent][0] - remainder:g} of its "
                            f"{out[parent][0]:g}; allowed: a remainder > 0")
        weights, notes = _weights(ds, indicator, parent, unknown, remainder, gdp)
        if remainder < 0:
            notes = {k: f"zero: {parent}'s children already exceed it by {-remainder:g} (inconsistency)"
                     for k in unknown}
            remainder = 0.0
        for k in unknown:
            out[k] = (remainder * float(weights[k]), notes[k])
        if remainder > 0:
            found.append(Split(parent, tuple(unknown), weights.to_numpy(dtype=float), known_sum))
    for k in kids:
        _allocate(ds, indicator, k, stated, gdp, out, found)


def initial_table(ds: Dataset, leaves: list[str]) -> pd.DataFrame:
    """2020 level of every seeded indicator for ``leaves`` (index leaf; one column per indicator)."""
    return pd.DataFrame({ind: derive(ds, ind).value.reindex(leaves) for ind in SEEDED})


def derivation_notes(ds: Dataset) -> pd.DataFrame:
    """Long table ``indicator, region, value, how`` of every derived 2020 stock (for reports and docs)."""
    frames = [derive(ds, ind).reset_index().assign(indicator=ind) for ind in SEEDED]
    return pd.concat(frames, ignore_index=True)[["indicator", "region", "value", "how"]]


def allocation_draws(seed: int | None, runs: Sequence[int], ds: Dataset, leaves: Sequence[str],
                     concentration: Mapping[str, float | np.ndarray]) -> dict[str, np.ndarray]:
    """Per-run 2020 stocks of every seeded indicator, shape (run, leaf), with the keyed splits drawn.

    Parameters
    ----------
    seed : int or None
        Root seed of the ensemble; run k draws from ``component_rng(seed, "allocation", run=k)``, every
        indicator's splits in the fixed order of :data:`SEEDED` and :func:`splits`, so run k's stocks do not
        depend on which other runs are drawn.
    runs : sequence of int
        Run ids (their order is the run axis).
    ds : Dataset
        The data the stocks are derived from.
    leaves : sequence of str
        Leaf regions (the leaf axis).
    concentration : mapping parameter name -> float or array (runs,)
        The declared ``alloc_concentration_*`` values (see :data:`CONCENTRATION`), > 0; ``inf`` is the limit of
        no allocation noise (the key shares themselves, no draw).

    Returns
    -------
    dict
        indicator -> array (run, leaf); the mean over runs is :func:`initial_table`'s value, stated figures are
        the same in every run, and every split sums to its parent's value of that run.
    """
    runs = [int(r) for r in runs]
    alpha = {}
    for name in sorted(set(CONCENTRATION.values())):
        value = concentration.get(name)
        arr = np.broadcast_to(np.asarray(value if value is not None else np.nan, float), (len(runs),))
        if not np.all(arr > 0):
            raise ConfigError(f"allocation: {name} = {value!r}: allowed: a number > 0 or one per run ({len(runs)})")
        alpha[name] = arr
    plans = _plans(ds)
    out = {ind: np.empty((len(runs), len(leaves))) for ind in SEEDED}
    for j, run in enumerate(runs):
        rng = component_rng(seed, "allocation", run=run)
        for ind in SEEDED:
            values, found = plans[ind]
            drawn = values.to_dict()
            for split in found:
                a = alpha[CONCENTRATION[ind]][j]
                shares = (rng.dirichlet(a * split.shares) if len(split.children) > 1 and np.isfinite(a)
                          else split.shares)  # a lone remainder child just follows its (drawn) parent
                remainder = max(drawn[split.parent] - split.known, 0.0)
                drawn |= dict(zip(split.children, remainder * shares))
            out[ind][j] = [drawn[leaf] for leaf in leaves]
    return out


@per_dataset
def _plans(ds: Dataset) -> dict[str, tuple[pd.Series, list[Split]]]:
    """Every seeded indicator's derived values and keyed splits, derived once per data (a lever search or a
    sweep draws allocations for many ensembles of the same data)."""
    return {ind: (derive(ds, ind).value, splits(ds, ind)) for ind in SEEDED}


#: Provincial smart workshops: Jiangsu's cumulative count at end-2019 and the leaves with their own count then
#: (data/history/infrastructure_adoption_to_2020.csv).
WORKSHOP_TOTAL = "ia-067"
WORKSHOP_KNOWN = {"wujiang": "ia-095"}


def workshop_intensity(ds: Dataset, leaves: Sequence[str]) -> pd.DataFrame:
    """Provincial smart workshops per unit of GDP by leaf, relative to the province (1 = its GDP share).

    Wujiang held 79 of Jiangsu's 928 provincial smart workshops at end-2019 (8.5 %) against about 2 % of its
    GDP; the other leaves share the rest by 2020 GDP. The GDP-weighted mean over the leaves is 1, so scaling
    each leaf's initial workshop share by its intensity keeps the province's total. (2020 GDP is used as the
    key for 2019 counts: the only year with every leaf's GDP.)

    Returns
    -------
    pandas.DataFrame
        Index leaf; columns ``intensity`` (dimensionless) and ``how``.
    """
    from dezsim.data.history_infra import load_infrastructure_history

    counts = load_infrastructure_history().set_index("id").value
    gdp = derive(ds, "gdp").value.reindex(list(leaves))
    share_gdp = gdp / gdp.sum()
    total = float(counts[WORKSHOP_TOTAL])
    known = {leaf: float(counts[rid]) / total for leaf, rid in WORKSHOP_KNOWN.items() if leaf in share_gdp.index}
    rest = (1.0 - sum(known.values())) / (1.0 - sum(share_gdp[k] for k in known))
    out = pd.DataFrame({"intensity": rest, "how": f"rest of {WORKSHOP_TOTAL} by 2020 GDP"}, index=share_gdp.index)
    for leaf, share in known.items():
        out.loc[leaf] = (share / share_gdp[leaf], f"data/history {WORKSHOP_KNOWN[leaf]} over {WORKSHOP_TOTAL}")
    return out.rename_axis("leaf")
