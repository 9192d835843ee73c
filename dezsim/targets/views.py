"""Both views of every target side by side: the inside view (the model, or a generic indicator trend) and the
outside view (how often past targets of its class were met, :mod:`dezsim.targets.outside_view`).

``basis`` says which tier gives the inside view of a target:

* ``sd`` / ``agents``: the coupled model assesses it (the indicator comes from the SD core or from the agents);
* ``indicator_trend``: no model assessment, but a generic indicator model (trend with historical noise,
  logistic diffusion, yearly counts) applies where a baseline exists;
* ``none``: no inside view; only the outside view speaks to it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

#: Indicators the Mesa agents produce (every other simulated indicator comes from the SD core).
AGENT_INDICATORS = frozenset({
    "above_scale_firms", "upgraded_firms_share", "upgrade_projects", "cloud_star_firms", "smart_workshops",
    "smart_factories", "dc_racks_built", "covered_firms_share", "diagnosed_firms", "diagnosed_above_share",
    "smart_workshops_municipal", "smart_workshops_prov_muni", "smart_factories_municipal",
    "smart_factories_prov_muni", "upgrade_projects_above", "sme_transformed_firms"})
#: Two views of a target "differ" when their p are further apart than this. 0.4 is the issue's choice: it is
#: wider than the uncertain band (0.2-0.8 is 0.6 wide, so 0.4 apart nearly always straddles a verdict boundary)
#: and wider than the outside view's typical 90 % interval half-width (about 0.15-0.3 for the classes in
#: docs/outside_view.md), so a flag is a disagreement of substance, not of sampling.
VIEWS_DIFFER = 0.4
BASES = ("sd", "agents", "indicator_trend", "none")
#: Columns the views add to the reach table (reach.csv).
VIEW_COLUMNS = ["basis", "p_inside", "p_inside_low", "p_inside_high", "p_indicator", "p_indicator_mc_se",
                "indicator_basis", "p_outside", "p_outside_low", "p_outside_high", "outside_class", "outside_basis",
                "views_differ", "p_combined", "pool_weight"]
#: Level of the inside view's Monte Carlo interval (the model's Jeffreys interval in :mod:`dezsim.targets.reach` uses
#: the same level).
INSIDE_LEVEL = 0.90


def basis_of(assessed: bool, indicator: str, p_indicator: float) -> str:
    """The tier giving a target's inside view (see the module docstring)."""
    if assessed:
        return "agents" if indicator in AGENT_INDICATORS else "sd"
    return "indicator_trend" if pd.notna(p_indicator) else "none"


def with_views(reach: pd.DataFrame, outside: pd.DataFrame, pool=None) -> pd.DataFrame:
    """The reach table with :data:`VIEW_COLUMNS`, joined on ``target_id``.

    Parameters
    ----------
    reach : DataFrame
        :func:`dezsim.targets.reach.reachability` (one row per unique target).
    outside : DataFrame
        :func:`dezsim.targets.outside_view.outside_and_indicator_table` (one row per figure id; ``p_indicator`` may be
        absent or NaN).
    pool : dezsim.targets.pooling.Pool, optional
        The pool of the combined p (default: the one ``dezsim backtest`` stored; an earlier origin passes the
        pool fitted on the targets known then, :func:`dezsim.targets.backtest.fenced_pool`).
    """
    cols = ["target_id", "p_outside", "p_outside_low", "p_outside_high", "class", "basis"]
    optional = [c for c in ("p_indicator", "p_indicator_mc_se", "indicator_basis") if c in outside]
    o = outside[cols + optional].rename(columns={"class": "outside_class", "basis": "outside_basis"})
    out = reach.drop(columns=[c for c in VIEW_COLUMNS if c in reach], errors="ignore")
    out = out.merge(o, on="target_id", how="left", validate="one_to_one")
    for col, empty in (("p_indicator", np.nan), ("p_indicator_mc_se", np.nan), ("indicator_basis", "")):
        if col not in out:
            out[col] = empty
    assessed = out.assessed.astype(bool)
    out["basis"] = [basis_of(a, i, p) for a, i, p in zip(assessed, out.indicator, out.p_indicator, strict=True)]
    out["p_inside"] = np.where(assessed, out.p_reach.astype(float), out.p_indicator.astype(float))
    # the inside view's Monte Carlo interval: the model's own (reach's Jeffreys interval over runs), else the
    # generic model's normal interval from its paths' standard error (zero width where its p is exact)
    half = stats.norm.ppf(0.5 + INSIDE_LEVEL / 2) * out.p_indicator_mc_se.astype(float)
    model_low = out["p_low"].astype(float) if "p_low" in out else np.nan
    model_high = out["p_high"].astype(float) if "p_high" in out else np.nan
    out["p_inside_low"] = np.where(assessed, model_low, (out.p_indicator - half).clip(lower=0.0))
    out["p_inside_high"] = np.where(assessed, model_high, (out.p_indicator + half).clip(upper=1.0))
    out["indicator_basis"] = out.indicator_basis.fillna("")
    gap = (out.p_inside - out.p_outside).abs()
    out["views_differ"] = (gap > VIEWS_DIFFER).fillna(False).astype(bool)
    out["pool_weight"], out["p_combined"] = combined(out.p_inside.to_numpy(float), out.p_outside.to_numpy(float),
                                                     out.indicator.to_numpy(), pool)
    out.attrs = dict(reach.attrs)
    return out


def combined(p_inside: np.ndarray, p_outside: np.ndarray, indicators, pool=None) -> tuple[np.ndarray, np.ndarray]:
    """The combined p: the two views pooled by the pool the reachability backtest fitted
    (:mod:`dezsim.targets.pooling`); the inside view enters only for indicators whose mechanism the backtest
    scored (:data:`~dezsim.targets.pooling.POOLED_INDICATORS`), elsewhere the pool recalibrates the outside view;
    NaN when the backtest has not been run (``dezsim backtest``).

    Parameters
    ----------
    p_inside, p_outside : numpy.ndarray
        Each target's two views (NaN: none).
    indicators : sequence of str
        Each target's indicator (decides whether its inside view is pooled).
    pool : dezsim.targets.pooling.Pool, optional
        The pool to use (default: the one ``dezsim backtest`` stored).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Per target the coefficient on its inside view's logit (0 where it is not pooled, NaN without a pool) and
        the combined p.
    """
    from dezsim.targets import pooling

    pool = pooling.stored() if pool is None else pool
    if pool is None:
        return np.full(len(p_inside), np.nan), np.full(len(p_inside), np.nan)
    scored = np.isin(np.asarray(indicators, dtype=object), list(pooling.POOLED_INDICATORS))
    p = np.where(np.isfinite(p_outside), pool.predict(np.where(scored, p_inside, np.nan), p_outside), p_inside)
    return np.where(scored & np.isfinite(p_inside) & np.isfinite(p_outside), pool.inside, 0.0), p


def views(reach: pd.DataFrame, ds, seed: int) -> pd.DataFrame:
    """:func:`with_views` with this checkout's outside view and indicator models (seeded)."""
    from dezsim.targets.outside_view import outside_and_indicator_table

    return with_views(reach, outside_and_indicator_table(ds, seed))
