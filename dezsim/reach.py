"""Target reachability: every target in data/ mapped to what the model computes, then assessed per run.

Mapping (one rule per basis):

* level (basis stock, flow, share; cumulative counts of recognised demonstrations and 5G stations): the
  indicator's value in the target year;
* ``new_in_period`` and ``cumulative`` with a start year: value(year) - value(start);
* an annual flow of a cumulative indicator (PCT applications in a year): value(year) - value(year - 1);
* growth targets: compound annual growth (value(year) / value(start)) ** (1 / (year - start)) - 1;
* ``relative_to``: the region's value minus the named region's value, against 0;
* relation ``=`` in a target is read as reaching the stated value (``>=``); full coverage is 100 %.

A target is assessed when its indicator and region are simulated and its measure matches the model's; every
other target is listed with the reason. Probabilities carry a 90 % interval for Monte Carlo error (Jeffreys).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from dezsim.data import Dataset
from dezsim.results import Results
from dezsim.sd.outputs import INDICATORS

LIKELY, UNLIKELY = 0.8, 0.2
#: Indicators the model accumulates from 2020 (a flow target reads the yearly increment).
CUMULATIVE_FROM_2020 = ("pct_applications", "upgrade_projects")
#: Indicators whose plan scopes measure a narrower area than the model does (coverage of the whole region).
SCOPE_SENSITIVE = ("g5_coverage",)
#: 2020 stocks (data/ indicators seeding the SD core) each simulated indicator's level rests on.
RESTS_ON = {"ei_manufacturing_revenue": ("ei_manufacturing_revenue",), "software_revenue": ("software_revenue",),
            "core_industry_va": ("ei_manufacturing_revenue", "software_revenue"),
            "core_industry_share_gdp": ("ei_manufacturing_revenue", "software_revenue"),
            "invention_patents_digital": ("ei_manufacturing_revenue", "software_revenue"),
            "pct_applications": ("ei_manufacturing_revenue", "software_revenue"),
            "dc_racks": ("dc_racks",), "g5_base_stations": ("g5_base_stations",),
            "g5_coverage": ("g5_base_stations",)}
REACH_COLUMNS = ["target_id", "region", "indicator", "year", "relation", "threshold", "assessed", "reason",
                 "p_reach", "p_low", "p_high", "first_year_median", "first_year_q10", "first_year_q90",
                 "gap_q10", "gap_median", "gap_q90", "verdict", "measure", "caveat", "source", "quote"]


#: Parameters that drive each indicator's projection most directly (for the "uncalibrated" caveat).
DRIVERS = {"core_industry_va": ("ei_va_ratio", "sw_va_ratio", "oc_va_ratio", "oc_relative_size", "oc_trend_growth"),
           "core_industry_share_gdp": ("ei_va_ratio", "sw_va_ratio", "oc_va_ratio", "oc_relative_size",
                                       "oc_trend_growth"),
           "invention_patents_digital": ("patent_rate", "patent_lapse"), "pct_applications": ("pct_rate",),
           "dc_pue_new": ("dc_pue_new_2020", "dc_pue_floor", "dc_pue_learning"),
           "dc_racks": ("dc_demand_elasticity", "dc_adjustment_time", "dc_rack_lifetime")}


def _prior_only() -> set[str]:
    """Parameters no figure up to 2020 constrains (all of them when no calibrated ensemble is stored)."""
    from dezsim.calibrate import load_ensemble

    stored = load_ensemble()
    return set(stored[1]["prior_only"]) if stored else {n for names in DRIVERS.values() for n in names}


def _uncalibrated(indicator: str, prior_only: set[str]) -> str:
    """A caveat naming the indicator's driving parameters that no figure up to 2020 constrains."""
    names = [n for n in DRIVERS.get(indicator, ()) if n in prior_only]
    return f"rests on parameters no figure up to 2020 constrains: {', '.join(names)}" if names else ""


def map_targets(ds: Dataset, regions: list[str], end_year: int) -> pd.DataFrame:
    """One row per target in data/: what is compared with what, or why it cannot be assessed."""
    allocated, prior_only = _allocated_stocks(ds), _prior_only()
    rows = []
    for t in ds.targets().itertuples(index=False):
        measure, reason = _measure(t, set(regions), end_year)
        if not reason and t.kind != "growth_target":
            missing = [i for i in RESTS_ON.get(t.indicator, ()) if (t.region, i) in allocated]
            if missing:
                reason = (f"no 2020 figure of {', '.join(missing)} for {t.region}: its stock is its parent's split by "
                          "GDP, which cannot speak to the region's own target")
        threshold = 0.0 if isinstance(t.relative_to, str) else float(t.value)
        if t.kind == "growth_target":
            threshold = threshold / 100  # a growth rate as a fraction per year
        rows.append({"target_id": t.id, "region": t.region, "indicator": t.indicator, "year": int(t.year),
                     "relation": "<=" if t.relation == "<=" else ">=", "threshold": threshold,
                     "period_start": t.period_start, "relative_to": t.relative_to, "assessed": reason == "",
                     "reason": reason, "measure": measure,
                     "caveat": "; ".join(c for c in (t.scope if isinstance(t.scope, str) else "",
                                                     _uncalibrated(t.indicator, prior_only) if not reason else "") if c),
                     "source": t.source, "quote": t.quote})
    return pd.DataFrame(rows)


def _allocated_stocks(ds: Dataset) -> set[tuple[str, str]]:
    """(region, indicator) pairs whose 2020 stock is allocated from the parent rather than stated."""
    from dezsim.sd.initial import SEEDED, derive

    out = set()
    for indicator in SEEDED:
        how = derive(ds, indicator).how
        out |= {(region, indicator) for region, text in how.items() if text.startswith(("allocated", "zero"))}
    return out


def _measure(t, regions: set[str], end_year: int) -> tuple[str, str]:
    """(measure, reason): how the target is computed, or why it is not assessed."""
    if t.indicator not in INDICATORS:
        return "", f"indicator '{t.indicator}' is not simulated by the model"
    if t.region not in regions:
        return "", f"region '{t.region}' is not simulated"
    if t.year > end_year:
        return "", f"target year {t.year} is after the simulation's end ({end_year})"
    if t.indicator in SCOPE_SENSITIVE and isinstance(t.scope, str):
        return "", f"scope '{t.scope}' is narrower than the model's whole-region coverage"
    if isinstance(t.relative_to, str):
        return f"{t.indicator}({t.region}) - {t.indicator}({t.relative_to}) in {t.year}", ""
    if t.kind == "growth_target":
        return f"compound annual growth of {t.indicator} {int(t.period_start)}-{t.year}", ""
    if t.basis in ("new_in_period", "cumulative") and pd.notna(t.period_start):
        return f"{t.indicator} {t.year} minus {int(t.period_start)}", ""
    if t.basis == "cumulative" and t.indicator in CUMULATIVE_FROM_2020:
        return "", f"cumulative {t.indicator} since an unstated start; the model counts from 2020"
    if t.basis == "flow" and t.indicator in CUMULATIVE_FROM_2020:
        return f"{t.indicator} added during {t.year}", ""
    return f"{t.indicator} in {t.year}", ""


def metric(target: pd.Series, panel: dict, year: int) -> np.ndarray:
    """The target's measure in ``year`` for every run; ``panel[(region, indicator)]`` is (run, year) with columns
    labelled by year."""
    series = panel[(target.region, target.indicator)]
    value = series[year].to_numpy()
    if isinstance(target.relative_to, str):
        return value - panel[(target.relative_to, target.indicator)][year].to_numpy()
    if target.measure.startswith("compound annual growth"):
        start = int(target.period_start)
        return (value / series[start].to_numpy()) ** (1.0 / (year - start)) - 1.0
    if " minus " in target.measure:
        return value - series[int(target.period_start)].to_numpy()
    if target.measure.endswith(f"added during {target.year}"):
        return value - series[year - 1].to_numpy()
    return value


def assess(results: Results, targets: pd.DataFrame) -> pd.DataFrame:
    """Probability, first-reach year and gap for every assessed target (others keep their reason).

    The gap is metric - threshold for ``>=`` targets and threshold - metric for ``<=`` targets: negative is a
    shortfall, positive a surplus (in the target's unit; growth as a fraction per year).
    """
    panel = _panel(results)
    years = sorted(results.frame.year.unique())
    out = []
    for t in targets.itertuples(index=False):
        row = t._asdict()
        if t.assessed:
            row |= _assess_one(pd.Series(row), panel, years)
        out.append(row)
    frame = pd.DataFrame(out)
    for col in REACH_COLUMNS:
        if col not in frame:
            frame[col] = np.nan
    return frame[REACH_COLUMNS + ["period_start", "relative_to"]]


def _panel(results: Results) -> dict:
    wide = results.frame.pivot_table(index=["region", "indicator", "run"], columns="year", values="value",
                                     observed=True)
    return {key: group.droplevel([0, 1]) for key, group in wide.groupby(level=[0, 1], observed=True)}


def _assess_one(t: pd.Series, panel: dict, years: list[int]) -> dict:
    sign = 1.0 if t.relation == ">=" else -1.0
    gap = sign * (metric(t, panel, int(t.year)) - t.threshold)
    met = gap >= -1e-9 * max(1.0, abs(t.threshold))
    n, k = len(gap), int(met.sum())
    lo, hi = jeffreys_interval(k, n)
    first = np.full(n, np.inf)
    start = int(t.period_start) + 1 if pd.notna(t.period_start) else min(years) + 1
    for year in (y for y in years if y >= max(start, min(years) + 1)):
        ok = sign * (metric(t, panel, year) - t.threshold) >= -1e-9 * max(1.0, abs(t.threshold))
        first = np.where(np.isinf(first) & ok, year, first)
    never = max(years) + 1  # sorts after every simulated year; reported as NaN ("not by the end")
    q10, q50, q90 = (np.nan if q >= never else q for q in np.quantile(np.minimum(first, never), [0.1, 0.5, 0.9]))
    g10, g50, g90 = np.quantile(gap, [0.1, 0.5, 0.9])
    p = k / n
    return {"p_reach": p, "p_low": lo, "p_high": hi, "first_year_median": q50, "first_year_q10": q10,
            "first_year_q90": q90, "gap_q10": g10, "gap_median": g50, "gap_q90": g90, "verdict": verdict(p)}


def jeffreys_interval(k: int, n: int, level: float = 0.90) -> tuple[float, float]:
    """Jeffreys interval for a binomial proportion k/n (Brown, Cai & DasGupta 2001); 0 and 1 at the edges."""
    a = (1 - level) / 2
    lo = 0.0 if k == 0 else float(stats.beta.ppf(a, k + 0.5, n - k + 0.5))
    hi = 1.0 if k == n else float(stats.beta.ppf(1 - a, k + 0.5, n - k + 0.5))
    return lo, hi


def verdict(p: float) -> str:
    """likely (p >= 0.8), unlikely (p <= 0.2) or uncertain."""
    return "likely" if p >= LIKELY else "unlikely" if p <= UNLIKELY else "uncertain"


def reachability(results: Results, ds: Dataset) -> pd.DataFrame:
    """The reach table for ``results`` (one row per target in data/), as written to ``reach.csv``."""
    regions = list(results.frame.region.cat.categories)
    end = int(results.frame.year.max())
    table = assess(results, map_targets(ds, regions, end))
    table.attrs["end_year"] = end
    return table
