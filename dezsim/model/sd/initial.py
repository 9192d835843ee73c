"""Stocks at the origin (2020 by default) for every leaf region, derived from data/ by one documented rule, and
their uncertainty.

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

From an earlier origin Y (:mod:`dezsim.model.origin`) the same rule runs on the history's published levels of
year Y (data/history/series_to_2020.csv) and the key is the children's GDP at Y; GDP itself is split by the
children's levels in the latest year up to Y in which the history has all of them. Only the economic core is
seeded there (:data:`EARLY_SEEDED`); nothing of a year after Y is read.
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
CONCENTRATION = {"gdp": "alloc_concentration_gdp", "ei_manufacturing_revenue": "alloc_concentration_econ",
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


def stated_at(ds: Dataset, indicator: str, year: int = BASE_YEAR) -> pd.DataFrame:
    """The preferred figure of ``indicator`` per region at the end of ``year`` (index: region; columns value, id).

    At 2020 it is the plans' baseline (data/figures). At an earlier origin it is the published level of that
    year (:func:`published_levels`); where several versions of one year's level are published (initial and
    verified, before and after a census revision, a work report's estimate and the bulletin), their mean, with
    every id listed. Nothing of a later year is read.
    """
    unit = ds.indicators.set_index("name").loc[indicator, "unit"]
    if year != BASE_YEAR:
        s = published_levels(ds)
        rows = s[(s.indicator == indicator) & (s.year == year) & (s.unit == unit)]
        return rows.groupby("region").agg(value=("value", "mean"), id=("id", "+".join))
    f = ds.figures
    rows = f[(f.indicator == indicator) & (f.kind == "baseline") & (f.year == BASE_YEAR)
             & f.basis.isin(["stock", "flow"]) & (f.unit == unit) & f.value.notna()].copy()
    rows["rank_relation"] = (rows.relation != "=").astype(int)
    rows["rank_scope"] = rows.scope.notna().astype(int)
    rows = rows.sort_values(["region", "rank_relation", "rank_scope", "id"])
    return rows.groupby("region")[["value", "id"]].first()


@per_dataset
def published_levels(ds: Dataset) -> pd.DataFrame:
    """Every published level of a modelled region before 2020, read once per data: the history's
    (data/history/series_to_2020.csv, kind ``level``) and data/figures' plain pre-2020 baselines (``=``, whole
    scope). Columns id, region, indicator, unit, year, value."""
    from dezsim.data.history import load_series

    cols = ["id", "region", "indicator", "unit", "year", "value"]
    s = load_series(root=ds.root)
    f = ds.figures
    f = f[(f.kind == "baseline") & (f.year < BASE_YEAR) & f.basis.isin(["stock", "flow"]) & (f.relation == "=")
          & f.scope.isna() & f.value.notna()]
    out = pd.concat([s[s.kind == "level"][cols], f[cols]], ignore_index=True)
    out = out[out.region.isin(ds.regions.code[ds.regions.modelled])]
    return out.astype({"year": int, "value": float}).sort_values("id").reset_index(drop=True)


@per_dataset
def derive(ds: Dataset, indicator: str, root: str = "jiangsu", year: int = BASE_YEAR) -> pd.DataFrame:
    """Value of ``indicator`` at the end of ``year`` (the origin) for every region under ``root``, with how each
    was obtained (derived once per data: the table is shared, so callers must not change it).

    Returns
    -------
    pandas.DataFrame
        Index region; columns ``value`` and ``how`` (``data <id>``, ``allocated by <year> GDP from <parent>``,
        ``key data/history <id>``, or a note on an inconsistency).

    Raises
    ------
    DataError
        When ``root`` has no figure of ``indicator`` at ``year``, naming the years that have one.
    """
    stated = _stated_root(ds, indicator, root, year)
    gdp = derive(ds, "gdp", root, year).value if indicator != "gdp" else None
    out = {root: (float(stated.loc[root, "value"]), f"data {stated.loc[root, 'id']}")}
    _allocate(ds, indicator, root, stated, gdp, out, [], year)
    return pd.DataFrame.from_dict(out, orient="index", columns=["value", "how"]).rename_axis("region")


def _stated_root(ds: Dataset, indicator: str, root: str, year: int) -> pd.DataFrame:
    stated = stated_at(ds, indicator, year)
    if root in stated.index:
        return stated
    if year == BASE_YEAR:
        raise DataError(f"data/figures: no 2020 baseline of {indicator!r} for {root!r}; the model needs one")
    s = published_levels(ds)
    have = sorted(set(s[(s.indicator == indicator) & (s.region == root)].year) - {BASE_YEAR})
    raise DataError(f"data/history/series_to_2020.csv, data/figures: no {year} level of {indicator!r} for "
                    f"{root!r}, needed to start from origin {year}; allowed: an origin with one "
                    f"({', '.join(map(str, [*have, BASE_YEAR]))})")


def splits(ds: Dataset, indicator: str, root: str = "jiangsu", year: int = BASE_YEAR) -> list[Split]:
    """The keyed splits of ``indicator`` at ``year`` top-down (parents before their children)."""
    stated = _stated_root(ds, indicator, root, year)
    gdp = derive(ds, "gdp", root, year).value if indicator != "gdp" else None
    out: dict = {root: (float(stated.loc[root, "value"]), "")}
    found: list[Split] = []
    _allocate(ds, indicator, root, stated, gdp, out, found, year)
    return found


def _history_key(indicator: str, region: str, year: int) -> tuple[float, str] | None:
    rid = HISTORY_KEYS.get((indicator, region)) if year == BASE_YEAR else None
    if rid is None:
        return None
    from dezsim.data.history_infra import load_infrastructure_history

    row = load_infrastructure_history().set_index("id").loc[rid]
    return float(row.value), rid


def _gdp_key(ds: Dataset, parent: str, unknown: list[str], year: int) -> tuple[pd.Series, str]:
    """GDP levels of ``unknown`` in the latest year up to ``year`` in which the history has every one of them
    (one year for all: levels of different years would mix growth into the key), and a label of that key.

    A child without a level of its own in a year (the derived rest of the province) has the parent's level less
    all its siblings' that year, when the history has each of those.
    """
    s = published_levels(ds)
    kids = ds.children(parent)
    s = s[(s.indicator == "gdp") & s.region.isin([parent, *kids]) & (s.year <= year)]
    table = s.groupby(["year", "region"]).value.mean().unstack().reindex(columns=[parent, *kids])
    for key_year in sorted(table.index, reverse=True):
        row = table.loc[key_year]
        missing = [k for k in kids if pd.isna(row[k])]
        if len(missing) == 1 and missing[0] in unknown and pd.notna(row[parent]):
            row = row.copy()
            row[missing[0]] = row[parent] - row[[k for k in kids if k != missing[0]]].sum()
            missing = [] if row[missing[0]] > 0 else missing
        if all(pd.notna(row[k]) for k in unknown) and not (set(missing) & set(unknown)):
            return row[unknown].astype(float), f"{int(key_year)} GDP"
    raise DataError(f"data/history/series_to_2020.csv, data/figures: no year up to {year} with a GDP level of each of "
                    f"{', '.join(unknown)} (needed to split the {year} GDP of {parent}); allowed: an origin "
                    f"with such a year at or before it, or {BASE_YEAR}")


def _weights(ds, indicator, parent, unknown, remainder, gdp, year) -> tuple[pd.Series, dict[str, str]]:
    """Key weights of the unknown children (summing to 1) and the note on each one's derivation."""
    if len(unknown) == 1:
        return pd.Series(1.0, index=unknown), {unknown[0]: f"remainder of {parent}"}
    label = f"{year} GDP"
    if gdp is None and year != BASE_YEAR:  # GDP itself before 2020: keyed by the children's latest common year
        gdp, label = _gdp_key(ds, parent, unknown, year)
    if gdp is None:
        raise DataError(f"data/figures: 2020 GDP missing for {unknown} (needed to split {parent!r})")
    keyed = {k: _history_key(indicator, k, year) for k in unknown}
    keyed = {k: v for k, v in keyed.items() if v is not None}
    fixed = min(sum(v[0] for v in keyed.values()), max(remainder, 0.0))
    rest = [k for k in unknown if k not in keyed]
    w = gdp.reindex(rest) / gdp.reindex(rest).sum() * (max(remainder, 0.0) - fixed)
    w = pd.concat([w, pd.Series({k: v[0] for k, v in keyed.items()})]).reindex(unknown)
    notes = {k: f"allocated by {label} from {parent}" for k in rest}
    notes |= {k: f"key data/history {v[1]} (pre-2021 figure), rest of {parent} by GDP" for k, v in keyed.items()}
    total = float(w.sum())
    return (w / total if total > 0 else pd.Series(1.0 / len(unknown), index=unknown)), notes


def _allocate(ds, indicator, parent, stated, gdp, out: dict, found: list, year: int = BASE_YEAR) -> None:
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
        weights, notes = _weights(ds, indicator, parent, unknown, remainder, gdp, year)
        if remainder < 0:
            notes = {k: f"zero: {parent}'s children already exceed it by {-remainder:g} (inconsistency)"
                     for k in unknown}
            remainder = 0.0
        for k in unknown:
            out[k] = (remainder * float(weights[k]), notes[k])
        if remainder > 0:
            found.append(Split(parent, tuple(unknown), weights.to_numpy(dtype=float), known_sum))
    for k in kids:
        _allocate(ds, indicator, k, stated, gdp, out, found, year)


def seeded(ds: Dataset, year: int = BASE_YEAR, roots: Sequence[str] = ("jiangsu",)) -> tuple[str, ...]:
    """The seeded indicators with a figure at origin ``year`` for every root: all of :data:`SEEDED` at 2020;
    before it those of :data:`EARLY_SEEDED` whose roots each have a level then (GDP must). The others start at zero
    and their indicators are left out of the results (see :mod:`dezsim.model.origin`)."""
    if year == BASE_YEAR:
        return SEEDED
    have = tuple(ind for ind in EARLY_SEEDED if all(r in stated_at(ds, ind, year).index for r in roots))
    if "gdp" not in have:
        missing = [r for r in roots if r not in stated_at(ds, "gdp", year).index]
        _stated_root(ds, "gdp", missing[0], year)  # raises, naming the origins that have one
    return have


def available_origins(ds: Dataset, roots: Sequence[str] = ("jiangsu",)) -> dict[int, str]:
    """Each origin of :data:`dezsim.model.origin.ORIGINS` -> "" when the model can start ``roots`` from it, else
    why not (the data lack a level of that year, or a key to split it)."""
    from dezsim.model.origin import ORIGINS

    return {year: origin_problem(ds, year, roots) for year in ORIGINS}


def origin_problem(ds: Dataset, year: int, roots: Sequence[str] = ("jiangsu",)) -> str:
    """"" when the model can start ``roots`` from ``year``, else why not (the data lack a level of that year, or
    a key to split it)."""
    try:
        for ind in seeded(ds, year, _roots(year, roots)):
            _derived(ds, ind, year, roots)
    except DataError as exc:
        return str(exc).split("; allowed:")[0]
    return ""


#: Seeded indicators that may have a figure at an origin before 2020 (the economic core).
EARLY_SEEDED = ("gdp", "ei_manufacturing_revenue", "software_revenue")


def _roots(year: int, roots: Sequence[str]) -> tuple[str, ...]:
    """The regions the allocation starts from: the province at 2020 (whatever is simulated, so the numbers do not
    depend on the scenario's regions), the scenario's own regions before it (only their levels are needed)."""
    return ("jiangsu",) if year == BASE_YEAR else tuple(roots)


def _derived(ds: Dataset, indicator: str, year: int, roots: Sequence[str]) -> pd.Series:
    return pd.concat([derive(ds, indicator, root, year).value for root in _roots(year, roots)])


def initial_table(ds: Dataset, leaves: list[str], year: int = BASE_YEAR,
                  roots: Sequence[str] = ("jiangsu",)) -> pd.DataFrame:
    """Level at the end of ``year`` of every seeded indicator for ``leaves`` under ``roots`` (index leaf; one
    column per indicator; zero for an indicator without a figure at that origin)."""
    have = seeded(ds, year, _roots(year, roots))
    return pd.DataFrame({ind: _derived(ds, ind, year, roots).reindex(leaves) if ind in have
                         else pd.Series(0.0, index=leaves) for ind in SEEDED})


def derivation_notes(ds: Dataset, year: int = BASE_YEAR, roots: Sequence[str] = ("jiangsu",)) -> pd.DataFrame:
    """Long table ``indicator, region, value, how`` of every derived stock at ``year`` (for reports and docs)."""
    frames = [derive(ds, ind, root, year).reset_index().assign(indicator=ind)
              for ind in seeded(ds, year, _roots(year, roots)) for root in _roots(year, roots)]
    return pd.concat(frames, ignore_index=True)[["indicator", "region", "value", "how"]]


def allocation_draws(seed: int | None, runs: Sequence[int], ds: Dataset, leaves: Sequence[str],
                     concentration: Mapping[str, float | np.ndarray], year: int = BASE_YEAR,
                     roots: Sequence[str] = ("jiangsu",)) -> dict[str, np.ndarray]:
    """Per-run stocks at origin ``year`` (2020 by default) of every seeded indicator, shape (run, leaf), with the
    keyed splits drawn (an indicator without a figure at that origin is zero, as in :func:`initial_table`).

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
    year : int
        The origin (see :mod:`dezsim.model.origin`).
    roots : sequence of str
        The simulated regions (the allocation starts from them before 2020, from Jiangsu at 2020).

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
    plans = _plans(ds, year, _roots(year, roots))
    out = {ind: np.zeros((len(runs), len(leaves))) for ind in SEEDED}
    for j, run in enumerate(runs):
        rng = component_rng(seed, "allocation", run=run)
        for ind in plans:
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
def _plans(ds: Dataset, year: int = BASE_YEAR, roots: tuple[str, ...] = ("jiangsu",)
           ) -> dict[str, tuple[pd.Series, list[Split]]]:
    """Every seeded indicator's derived values and keyed splits at ``year`` under ``roots``, in the fixed order of
    :data:`SEEDED`, derived once per data (a lever search or a sweep draws allocations for many ensembles of the
    same data)."""
    return {ind: (_derived(ds, ind, year, roots), [sp for r in roots for sp in splits(ds, ind, r, year)])
            for ind in seeded(ds, year, roots)}


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
