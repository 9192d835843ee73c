"""Recognised demonstration lists: granted in the province's yearly batches, started at a region's stated figure.

Two rules, applied to the agents' outputs after the run (recognition feeds nothing back into the SD core):

- :func:`recognised_in_batches` — the provincial list of smart workshops (or factories) grows each year by the
  region's quota of the province's batch, filled as far as firms meet the bar;
- :func:`anchor_lists` — a leaf region with a stated end-2020 list (data/figures: kind ``baseline``, basis
  ``stock``) starts at it: its whole path is scaled so its 2020 value is the figure, as the SD core keeps a
  child's own 2020 figure (:mod:`dezsim.model.sd.initial`). Without it a district's list would start at its GDP share of
  the province's (Taicang: about 48 against its stated 29 + 46).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class RecognitionList:
    """One recognised list: the agents' firm count it draws on, its recognised share, its raw output keys and the
    indicators a figure of it may be stated in."""

    firms_key: str    # agents' stock of firms on the rung or higher
    share: str        # parameter: recognised share of those firms at end-2020
    provincial_key: str
    municipal_key: str
    provincial: str   # indicator of the provincial list
    municipal: str    # indicator of the municipal list
    both: str         # indicator of the two lists summed (省、市级)


LISTS = (
    RecognitionList("workshop_firms", "workshop_recognition", "workshops_recognised", "workshops_municipal",
                    "smart_workshops", "smart_workshops_municipal", "smart_workshops_prov_muni"),
    RecognitionList("factory_firms", "factory_recognition", "factories_recognised", "factories_municipal",
                    "smart_factories", "smart_factories_municipal", "smart_factories_prov_muni"),
)


def recognised_in_batches(firms: np.ndarray, share: np.ndarray, batch_share: np.ndarray,
                          growth: np.ndarray) -> np.ndarray:
    """Provincial recognitions of smart workshops (or factories), granted in yearly batches.

    The end-2020 list is ``share`` x the firms on the rung (as calibrated to Jiangsu's 1307 workshops). From 2021
    a region's yearly recognitions are the lesser of its quota, ``batch_share`` x its end-2020 list x
    exp(``growth`` x years since 2020) (its share of the province's batch, which grows from 2020's), and its
    candidates, ``share`` x its firms on the rung less those already listed (the share that meets the
    demonstration bar; a slow campaign leaves too few to fill the quota). So the list never exceeds ``share`` x
    the firms on the rung, and never falls.

    Parameters
    ----------
    firms : ndarray
        Firms on the rung or higher (count), shaped (run, region, year); year 0 is end-2020.
    share : ndarray
        Recognised share of those firms at end-2020 (dimensionless), broadcastable to (run, region, 1).
    batch_share : ndarray
        The province's 2020 batch over its end-2020 list (dimensionless), broadcastable likewise.
    growth : ndarray
        Yearly log growth of the batch (1/year), broadcastable likewise.

    Returns
    -------
    ndarray
        Recognised firms (count), shaped like ``firms``.
    """
    listed = np.empty_like(firms)
    listed[..., 0] = (share * firms[..., :1])[..., 0]
    start = listed[..., :1]
    for k in range(1, firms.shape[-1]):
        candidates = np.maximum(share[..., 0] * firms[..., k] - listed[..., k - 1], 0.0)
        quota = (batch_share * start * np.exp(growth * k))[..., 0]
        listed[..., k] = listed[..., k - 1] + np.minimum(quota, candidates)
    return listed


def stated_lists(figures: pd.DataFrame, leaves: list[str], year: int) -> pd.DataFrame:
    """Stated end-of-``year`` lists of the leaves: one row per (region, indicator) with its ``value`` and ``id``."""
    names = {name for lst in LISTS for name in (lst.provincial, lst.municipal, lst.both)}
    f = figures[(figures.kind == "baseline") & (figures.basis == "stock") & (figures.relation == "=")
                & (figures.year == year) & figures.region.isin(leaves) & figures.indicator.isin(names)]
    return f[["id", "region", "indicator", "value"]].reset_index(drop=True)


def _anchored(path: np.ndarray, target: float) -> tuple[np.ndarray, np.ndarray]:
    """``path`` (run, year) scaled so its first year is ``target``, and the factor per run. A run whose path starts
    at 0 has nothing to scale: it is lifted by ``target`` instead (factor 1)."""
    start = path[:, 0]
    factor = np.divide(target, start, out=np.ones_like(start), where=start > 0)
    lift = np.where(start > 0, 0.0, target)
    return path * factor[:, None] + lift[:, None], factor


def anchor_lists(raw: dict[str, np.ndarray], stated: pd.DataFrame, leaves: list[str]) -> dict[str, np.ndarray]:
    """``raw`` with each leaf's recognised lists started at its stated figures (see the module doc).

    A provincial figure anchors the provincial list, a municipal one the municipal list; a list without its own
    figure is scaled by the other's factor (the calibrated municipal-to-provincial ratio is kept). A figure of the
    two lists summed scales both by one factor, and is used only when neither list has its own figure.
    """
    out = dict(raw)
    for lst in LISTS:
        if lst.provincial_key not in raw:
            continue
        prov, muni = raw[lst.provincial_key].copy(), raw[lst.municipal_key].copy()
        for i, leaf in enumerate(leaves):
            own = stated[stated.region == leaf].set_index("indicator").value.to_dict()
            if lst.provincial in own or lst.municipal in own:
                if lst.provincial in own:
                    prov[:, i], factor = _anchored(prov[:, i], own[lst.provincial])
                    if lst.municipal not in own:
                        muni[:, i] *= factor[:, None]
                if lst.municipal in own:
                    muni[:, i], factor = _anchored(muni[:, i], own[lst.municipal])
                    if lst.provincial not in own:
                        prov[:, i] *= factor[:, None]
            elif lst.both in own:
                both, factor = _anchored(prov[:, i] + muni[:, i], own[lst.both])
                lifted = (prov[:, i, 0] + muni[:, i, 0]) <= 0
                prov[:, i] = np.where(lifted[:, None], both, prov[:, i] * factor[:, None])
                muni[:, i] = np.where(lifted[:, None], 0.0, muni[:, i] * factor[:, None])
        out[lst.provincial_key], out[lst.municipal_key] = prov, muni
    return out
