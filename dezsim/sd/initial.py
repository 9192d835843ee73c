"""2020 stocks for every leaf region, derived from data/ by one documented rule.

Rule (top-down allocation): take the Jiangsu 2020 baseline of the indicator; at each level, children with
their own 2020 figure keep it; the remainder of the parent is split among the other children in proportion to
their 2020 GDP. A remainder below zero (children's figures exceed the parent's) is an inconsistency: it is
reported in the derivation table and the unknown children get zero, never a negative stock; for GDP itself a
remainder of zero or less is an error (every per-GDP quantity divides by it).

Figures chosen: kind ``baseline``, year 2020, basis ``stock`` or ``flow``, the indicator's own unit; among
several, plain values (``=``) before bounds (``>=``), figures without a narrower scope first.
"""

from __future__ import annotations

import pandas as pd

from dezsim.data import Dataset
from dezsim.errors import DataError

BASE_YEAR = 2020
#: Indicators whose 2020 level seeds an SD stock.
SEEDED = ("gdp", "ei_manufacturing_revenue", "software_revenue", "g5_base_stations", "dc_racks")


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


def derive(ds: Dataset, indicator: str, root: str = "jiangsu") -> pd.DataFrame:
    """2020 value of ``indicator`` for every region under ``root``, with how each was obtained.

    Returns
    -------
    pandas.DataFrame
        Index region; columns ``value`` and ``how`` (``data <id>``, ``allocated by 2020 GDP from <parent>``,
        or a note on an inconsistency).
    """
    stated = stated_2020(ds, indicator)
    if root not in stated.index:
        raise DataError(f"data/figures: no 2020 baseline of {indicator!r} for {root!r}; the model needs one")
    gdp = derive(ds, "gdp").value if indicator != "gdp" else None
    out = {root: (float(stated.loc[root, "value"]), f"data {stated.loc[root, 'id']}")}
    _allocate(ds, root, stated, gdp, out)
    return pd.DataFrame.from_dict(out, orient="index", columns=["value", "how"]).rename_axis("region")


def _allocate(ds: Dataset, parent: str, stated: pd.DataFrame, gdp: pd.Series | None, out: dict) -> None:
    kids = ds.children(parent)
    if not kids:
        return
    known = [k for k in kids if k in stated.index]
    unknown = [k for k in kids if k not in stated.index]
    for k in known:
        out[k] = (float(stated.loc[k, "value"]), f"data {stated.loc[k, 'id']}")
    remainder = out[parent][0] - sum(out[k][0] for k in known)
    if unknown:
        if len(unknown) == 1:
            weights, note = pd.Series(1.0, index=unknown), f"remainder of {parent}"
        elif gdp is None:
            raise DataError(f"data/figures: 2020 GDP missing for {unknown} (needed to split {parent!r})")
        else:
            weights, note = gdp.reindex(unknown), f"allocated by 2020 GDP from {parent}"
        if remainder <= 0 and gdp is None:  # GDP itself: every per-GDP quantity divides by it
            raise DataError(f"data/figures: 2020 gdp of {', '.join(unknown)} is {parent}'s remainder, but "
                            f"{', '.join(known)} already sum to {out[parent][0] - remainder:g} of its "
                            f"{out[parent][0]:g}; allowed: a remainder > 0")
        if remainder < 0:
            note = f"zero: {parent}'s children already exceed it by {-remainder:g} (inconsistency)"
            remainder = 0.0
        for k in unknown:
            out[k] = (remainder * float(weights[k]) / float(weights.sum()), note)
    for k in kids:
        _allocate(ds, k, stated, gdp, out)


def initial_table(ds: Dataset, leaves: list[str]) -> pd.DataFrame:
    """2020 level of every seeded indicator for ``leaves`` (index leaf; one column per indicator)."""
    return pd.DataFrame({ind: derive(ds, ind).value.reindex(leaves) for ind in SEEDED})


def derivation_notes(ds: Dataset) -> pd.DataFrame:
    """Long table ``indicator, region, value, how`` of every derived 2020 stock (for reports and docs)."""
    frames = [derive(ds, ind).reset_index().assign(indicator=ind) for ind in SEEDED]
    return pd.concat(frames, ignore_index=True)[["indicator", "region", "value", "how"]]
