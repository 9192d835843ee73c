"""Derived indicators: mechanisms computed after the simulation from its outputs and per-run priors.

* Broad digital economy (digital industrialisation plus industrial digitalisation, CAICT's measure):
  ``size_t = m_t * core_va_t`` with the multiplier starting at its 2020 figure, ``m_2020 = size_2020 /
  core_va_2020`` (per run), and drifting as ``ln m_t = ln m_{t-1} + drift + sd * e_t``; its share of GDP is
  ``100 * size_t / gdp_t`` (``m_t`` times the core share; the size is value added within GDP, so it is capped
  at GDP: a guard for long horizons, not a mechanism). Regions with a 2020 figure only.
* High-tech enterprises of the digital-economy field, a stock with inflow:
  ``H_t = H_{t-1} (1 - lapse) + inflow_t``, ``inflow_t = H_{t-1} max(0, lapse + elasticity * g_t + sd * e_t)``,
  ``g_t = ln(core_va_t / core_va_{t-1})``; with no noise ``H_t = H_2020 prod(1 + elasticity * g_s)``.

Parameters come from :mod:`dezsim.model.derived_params`; run k draws them, then its shocks, from the stream
``component_rng(seed, "derived", run=k)`` only, so its values do not depend on which runs come with it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dezsim.base.errors import DezsimError
from dezsim.base.seeding import component_rng
from dezsim.data.dataset import Dataset
from dezsim.model.derived_params import ANCHORS, PARAMS, Anchor
from dezsim.model.results import COLUMNS, Results, concat_coded

#: Indicators this layer adds (names of data/indicators.csv).
DERIVED = ("digital_economy_size", "digital_economy_share_gdp", "high_tech_enterprises_digital")
#: Parameters behind each derived indicator (for reach's "uncalibrated" caveat: none is fitted).
DRIVERS = {"digital_economy_size": ("de_multiplier_drift", "de_multiplier_sd"),
           "digital_economy_share_gdp": ("de_multiplier_drift", "de_multiplier_sd"),
           "high_tech_enterprises_digital": ("hte_lapse_rate", "hte_core_elasticity", "hte_sd")}


def multiplier_path(m0: np.ndarray, drift: np.ndarray, sd: np.ndarray, eps: np.ndarray) -> np.ndarray:
    """Multiplier paths (run, year) from ``m0`` (run,), yearly ``drift`` and ``sd`` (run,), shocks (run, year-1)."""
    steps = drift[:, None] + sd[:, None] * eps
    return m0[:, None] * np.exp(np.concatenate([np.zeros((len(m0), 1)), np.cumsum(steps, axis=1)], axis=1))


def stock_path(h0: float, core: np.ndarray, lapse: np.ndarray, elasticity: np.ndarray, sd: np.ndarray,
               eps: np.ndarray) -> np.ndarray:
    """Stock paths (run, year) of certified enterprises from ``h0`` (count) and core value added (run, year).

    The yearly inflow is floored at zero (certifications cannot be negative), so the stock never falls by
    more than its lapse rate in a year and stays non-negative.
    """
    g = np.log(core[:, 1:] / core[:, :-1])
    h = np.empty_like(core, dtype=float)
    h[:, 0] = h0
    for t in range(1, core.shape[1]):
        rate = np.maximum(lapse + elasticity * g[:, t - 1] + sd * eps[:, t - 1], 0.0)
        h[:, t] = h[:, t - 1] * (1.0 - lapse) + h[:, t - 1] * rate
    return h


def draws(seeds: np.ndarray, runs: np.ndarray, n_years: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Per-run parameters {name: (run,)} and shocks (run, anchor, year-1), run k from its own stream."""
    values = {p.name: np.empty(len(runs)) for p in PARAMS}
    eps = np.empty((len(runs), len(ANCHORS), max(n_years - 1, 0)))
    for i, (seed, run) in enumerate(zip(seeds, runs, strict=True)):
        rng = component_rng(int(seed), "derived", run=int(run))
        for p in PARAMS:  # declaration order, then the shocks: the stream is consumed the same way every time
            values[p.name][i] = p.draw(rng, 1)[0]
        eps[i] = rng.standard_normal(eps.shape[1:])
    return values, eps


def add_derived(results: Results, ds: Dataset, seed: int | None = None) -> Results:
    """``results`` plus the derived indicators, per run, region (those with a 2020 anchor) and year.

    Parameters
    ----------
    results : Results
        Simulated results holding ``core_industry_va`` and ``gdp`` (100m yuan) from 2020 on.
    ds : Dataset
        Loaded data/ (the anchors' 2020 figures).
    seed : int, optional
        Root seed of the draws; default the ``seed`` of each run's design row (the run's own root entropy).

    Returns
    -------
    Results
        A new Results (the input is not changed); unchanged when it already holds a derived indicator.
    """
    frame = results.frame
    if set(DERIVED) & set(frame.indicator.unique()):
        return results
    if frame.scenario.nunique() > 1:
        raise DezsimError("add_derived takes the results of one scenario at a time; these hold "
                          f"{sorted(frame.scenario.astype(str).unique())}")
    core, gdp = _wide(frame, "core_industry_va"), _wide(frame, "gdp")
    if not core:
        return results  # nothing to derive from (e.g. results of other indicators only)
    years = list(next(iter(core.values())).columns)
    runs = next(iter(core.values())).index.to_numpy()
    design = results.design.set_index("run").reindex(runs)
    seeds = np.full(len(runs), seed) if seed is not None else design["seed"].to_numpy()
    par, eps = draws(seeds, runs, len(years))
    if years[0] != 2020:
        raise DezsimError(f"derived indicators start from 2020 figures; these results start in {years[0]}")
    figures = ds.figures.set_index("id").value
    parts = [p for j, a in enumerate(ANCHORS) if a.region in core
             for p in _anchored(a, float(figures[a.figure]), core[a.region].to_numpy(), gdp[a.region].to_numpy(),
                                par, eps[:, j])]
    if not parts:
        return results
    scenario = frame.scenario.iloc[0]
    new = concat_coded([frame, *[_long(values, scenario, runs, region, name, years) for name, region, values in parts]])
    return Results(new[COLUMNS], results.design, results.provenance | {"derived": list(DERIVED)})


def _anchored(a: Anchor, level: float, core: np.ndarray, gdp: np.ndarray, par: dict[str, np.ndarray],
              eps: np.ndarray) -> list[tuple[str, str, np.ndarray]]:
    """The derived series of one anchor, [(indicator, region, values (run, year))], from its 2020 ``level`` and
    the region's core value added and GDP (run, year), the runs' parameters and its shocks (run, year-1)."""
    if a.indicator == "high_tech_enterprises_digital":
        h = stock_path(level, core, par["hte_lapse_rate"], par["hte_core_elasticity"], par["hte_sd"], eps)
        return [(a.indicator, a.region, h)]
    # level x (m_t / m_2020) x (core_t / core_2020): exactly the 2020 figure in 2020, m_t x core_t after it
    rel = multiplier_path(np.ones(len(core)), par["de_multiplier_drift"], par["de_multiplier_sd"], eps)
    size = np.minimum(level * rel * (core / core[:, :1]), gdp)  # value added within GDP: never above it
    return [(a.indicator, a.region, size), ("digital_economy_share_gdp", a.region, 100.0 * size / gdp)]


def _wide(frame: pd.DataFrame, indicator: str) -> dict[str, pd.DataFrame]:
    """{region: (run x year) table} of one indicator."""
    part = frame[frame.indicator == indicator]
    table = part.pivot_table(index=["region", "run"], columns="year", values="value", observed=True)
    return {region: g.droplevel(0) for region, g in table.groupby(level=0, observed=True)}


def _long(values: np.ndarray, scenario: str, runs: np.ndarray, region: str, indicator: str,
          years: list[int]) -> pd.DataFrame:
    idx = pd.MultiIndex.from_product([runs, years], names=["run", "year"]).to_frame(index=False)
    return idx.assign(scenario=scenario, region=region, indicator=indicator, value=values.reshape(-1))[COLUMNS]
