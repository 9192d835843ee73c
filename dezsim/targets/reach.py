"""Target reachability: every target in data/ read as its plan means it, then assessed per run.

Each target carries a declared reading (``data/target_readings.csv``, see :mod:`dezsim.data.readings`); the
comparison dispatches on that :class:`~dezsim.data.readings.Reading` only, never on the wording of a quote or note:

* ``level``: the indicator's value in the target year (minus another region's value for ``above_region``);
* ``cap``: the same value, which must stay at or below the threshold;
* ``growth``: compound annual growth 100 * ((value(year) / value(start)) ** (1 / (year - start)) - 1), in % per year;
* ``new_in_period`` and ``cumulative_since``: value(year) - value(start).

Thresholds come from the threshold rule of the wording (``data/threshold_rules.csv``: full coverage, "基本实现",
"左右", …), in the plan's own unit. Repeats and glosses of a target are grouped under it: the table has one row
per unique target, with the grouped ids listed. A target is assessed when its indicator is in the results for its
region and year, its counting scope is one the model counts and its 2020 stock rests on a figure; every other
target is listed with the reason. Probabilities carry a 90 % interval for Monte Carlo error (Jeffreys).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from dezsim.data.dataset import Dataset
from dezsim.data.readings import SCOPE_GAPS, Reading, Role, Scope, ThresholdRule, threshold
from dezsim.model.derived import DERIVED, add_derived
from dezsim.model.derived import DRIVERS as DERIVED_DRIVERS
from dezsim.model.results import Results
from dezsim.model.sd.outputs import INDICATORS
from dezsim.targets.views import AGENT_INDICATORS

LIKELY, UNLIKELY = 0.8, 0.2
#: 2020 stocks (data/ indicators seeding the SD core) each simulated indicator's level rests on.
RESTS_ON = {"ei_manufacturing_revenue": ("ei_manufacturing_revenue",), "software_revenue": ("software_revenue",),
            "core_industry_va": ("ei_manufacturing_revenue", "software_revenue"),
            "core_industry_share_gdp": ("ei_manufacturing_revenue", "software_revenue"),
            "pct_applications": ("ei_manufacturing_revenue", "software_revenue"),
            "dc_racks": ("dc_racks",), "dc_racks_built": ("dc_racks",), "g5_base_stations": ("g5_base_stations",),
            "g5_coverage": ("g5_base_stations",)}
#: Indicators whose 2020 level no figure anchors, so a level target on them cannot be assessed.
UNANCHORED = {"invention_patents_digital": (
    "no 2020 figure of valid invention patents in the digital-economy field: the model's 2020 stock is "
    "patent_rate x core value added / (lapse + growth), an assumed rate (in Suzhou it starts above the plan's own "
    "2025 target of 8000), and all-field holdings (有效发明专利拥有量) are another measure")}
REACH_COLUMNS = ["target_id", "grouped", "region", "indicator", "year", "reading", "period_start", "relation",
                 "threshold", "unit", "threshold_rule", "scope", "assessed", "reason", "p_reach", "p_low", "p_high",
                 "first_year_median", "first_year_q10", "first_year_q90", "gap_q10", "gap_median", "gap_q90",
                 "verdict", "measure", "caveat", "note", "source", "quote"]


#: Recognition lists granted in the province's yearly batches (dezsim.model.abm.recognition.recognised_in_batches).
BATCHED_RECOGNITIONS = frozenset({"smart_workshops", "smart_factories", "smart_workshops_municipal",
                                  "smart_factories_municipal", "smart_workshops_prov_muni",
                                  "smart_factories_prov_muni"})
#: Parameters that drive each indicator's projection most directly (for the "uncalibrated" caveat).
DRIVERS = {"core_industry_va": ("ei_va_ratio", "sw_va_ratio", "oc_va_ratio", "oc_relative_size", "oc_trend_growth"),
           "core_industry_share_gdp": ("ei_va_ratio", "sw_va_ratio", "oc_va_ratio", "oc_relative_size",
                                       "oc_trend_growth"),
           "invention_patents_digital": ("patent_rate", "patent_lapse"), "pct_applications": ("pct_rate",),
           "dc_pue_new": ("dc_pue_new_2020", "dc_pue_floor", "dc_pue_learning"),
           "dc_racks": ("dc_demand_elasticity", "dc_adjustment_time", "dc_rack_lifetime")} | DERIVED_DRIVERS | {
    # every count the agents produce from adoption runs at the 2021 campaign's pace, which no figure up to 2020
    # can measure (the firm count itself follows GDP)
    name: ("programme_speed",) for name in AGENT_INDICATORS - {"above_scale_firms"}} | {
    # the workshop and factory lists grow by the province's batches (dezsim.model.abm.recognition); the campaign's pace
    # matters only when too few firms qualify to fill them
    name: ("recognition_batch_growth", "programme_speed") for name in BATCHED_RECOGNITIONS}
#: Indicators counted as recognitions without a batch: the star cloud ratings are a fixed share of the cloud-enabled
#: firms, with no yearly batch or quota, so their counts can run far past the ratings granted before 2021; the
#: caveat says so wherever such a target is assessed.
RECOGNITION_CAVEAT = (
    "star ratings are a fixed share of the cloud-enabled firms, with no yearly batch or quota (unlike the workshop "
    "and factory lists, which grow by the province's batches); counts far above past ratings are possible: read "
    "with the outside view")
RECOGNITIONS = frozenset({"cloud_star_firms"})


def _prior_only() -> set[str]:
    """Parameters no figure up to 2020 constrains (all of them when no calibrated ensemble is stored)."""
    from dezsim.model.calibration_store import load_ensemble

    stored = load_ensemble()
    derived = {n for names in DERIVED_DRIVERS.values() for n in names}  # drawn after the run, never fitted
    return (set(stored[1]["prior_only"]) | derived) if stored else {n for names in DRIVERS.values() for n in names}


def _uncalibrated(indicator: str, prior_only: set[str]) -> str:
    """A caveat naming the indicator's driving parameters that no figure up to 2020 constrains."""
    names = [n for n in DRIVERS.get(indicator, ()) if n in prior_only]
    return f"rests on parameters no figure up to 2020 constrains: {', '.join(names)}" if names else ""


def map_targets(ds: Dataset, regions: list[str], end_year: int, present: set[str] | None = None) -> pd.DataFrame:
    """One row per unique target in data/: its reading, threshold and grouped repeats, or why it is not assessed.

    Parameters
    ----------
    ds : Dataset
    regions : list of str
        Regions the results hold.
    end_year : int
        Last simulated year.
    present : set of str, optional
        Indicators the results hold (default: every indicator the model declares).
    """
    allocated, prior_only = _allocated_stocks(ds), _prior_only()
    figures = ds.targets().set_index("id")
    readings = ds.readings
    members = readings[readings.role != Role.TARGET.value].groupby("duplicate_of")
    grouped = {k: list(g.id) for k, g in members}
    glosses = {k: [f"{r.id} ({r.role}): {r.note}" for r in g.itertuples()] for k, g in members}
    rule_of = ds.threshold_rules.set_index("rule")
    unit_of = ds.indicators.set_index("name").unit
    rows = []
    for r in readings[readings.role == Role.TARGET.value].itertuples(index=False):
        fig = figures.loc[r.id]
        reason = _reason(r, fig, set(regions), end_year, present, allocated)
        caveats = (fig.scope if isinstance(fig.scope, str) else "",
                   _uncalibrated(r.indicator, prior_only) if not reason else "",
                   RECOGNITION_CAVEAT if not reason and r.indicator in RECOGNITIONS else "",
                   _split_growth(r, fig, allocated) if not reason else "")
        notes = [r.note if isinstance(r.note, str) else ""] + glosses.get(r.id, [])
        rows.append(_row(r, fig, rule_of.loc[r.threshold_rule], unit_of[r.indicator], reason) | {
            "grouped": "; ".join(grouped.get(r.id, [])), "caveat": "; ".join(c for c in caveats if c),
            "note": " | ".join(n for n in notes if n)})
    return pd.DataFrame(rows)


def _row(r, fig, rule: pd.Series, unit: str, reason: str) -> dict:
    """The reach-table columns one target's reading and figure fix."""
    value = None if pd.isna(fig.value) else float(fig.value)
    growth = r.reading == Reading.GROWTH.value
    return {"target_id": r.id, "region": fig.region, "indicator": r.indicator, "year": int(fig.year),
            "reading": r.reading, "period_start": r.period_start, "relation": rule.relation,
            "threshold": threshold(rule.to_dict(), value), "unit": "pct_per_year" if growth else unit,
            "threshold_rule": r.threshold_rule, "scope": r.scope, "relative_to": fig.relative_to,
            "assessed": reason == "", "reason": reason, "measure": _measure(r, fig), "source": fig.source,
            "quote": r.quote}


def _allocated_stocks(ds: Dataset) -> set[tuple[str, str]]:
    """(region, indicator) pairs whose 2020 stock is allocated from the parent rather than stated."""
    from dezsim.model.sd.initial import SEEDED, derive

    out = set()
    for indicator in SEEDED:
        how = derive(ds, indicator).how
        out |= {(region, indicator) for region, text in how.items() if text.startswith(("allocated", "zero"))}
    return out


def _reason(r, fig, regions: set[str], end_year: int, present: set[str] | None, allocated: set) -> str:
    """Why the target cannot be assessed, or "" when it can."""
    reading, scope = Reading(r.reading), Scope(r.scope)
    if r.indicator not in INDICATORS and r.indicator not in DERIVED:
        return f"indicator '{r.indicator}' is not simulated by the model"
    if fig.region not in regions:
        return f"region '{fig.region}' is not simulated"
    if fig.year > end_year:
        return f"target year {fig.year} is after the simulation's end ({end_year})"
    if not scope.modelled:
        return f"scope '{scope.value}': {SCOPE_GAPS[scope]}"
    if present is not None and r.indicator not in present:
        return (f"not simulated in these results: indicator '{r.indicator}' is absent (agent counts exist only in "
                "runs coupled to the agents)")
    if reading in (Reading.LEVEL, Reading.CAP) and r.indicator in UNANCHORED:
        return UNANCHORED[r.indicator]
    if reading is not Reading.GROWTH:
        missing = [i for i in RESTS_ON.get(r.indicator, ()) if (fig.region, i) in allocated]
        if missing:
            return (f"no 2020 figure of {', '.join(missing)} for {fig.region}: its stock is its parent's split by "
                    "GDP, which cannot speak to the region's own target")
    return ""


def _split_growth(r, fig, allocated: set) -> str:
    """A caveat for growth read on a stock split from its parent: its path follows the parent's dynamics."""
    missing = [i for i in RESTS_ON.get(r.indicator, ()) if (fig.region, i) in allocated]
    if r.reading != Reading.GROWTH.value or not missing:
        return ""
    return (f"no 2020 figure of {', '.join(missing)} for {fig.region}: its growth follows the model's common "
            "dynamics, not the region's own")


def _measure(r, fig) -> str:
    """The comparison in words (for readers; nothing dispatches on it)."""
    reading, year = Reading(r.reading), int(fig.year)
    if reading in (Reading.LEVEL, Reading.CAP):
        other = f" minus {fig.relative_to}'s" if isinstance(fig.relative_to, str) else ""
        return f"{r.indicator} in {year}{other}"
    start = int(r.period_start)
    if reading is Reading.GROWTH:
        return f"compound annual growth of {r.indicator} {start}-{year}, % per year"
    if reading is Reading.NEW_IN_PERIOD:
        return f"{r.indicator} added " + (f"during {year}" if start == year - 1 else f"{start + 1}-{year}")
    return f"{r.indicator} accumulated since end-{start} to {year}"


def metric(target: pd.Series, panel: dict, year: int) -> np.ndarray:
    """The target's measure in ``year`` for every run, by its declared reading; ``panel[(region, indicator)]`` is
    (run, year) with columns labelled by year. Growth is in % per year, other readings in the indicator's unit."""
    series = panel[(target.region, target.indicator)]
    value = series[year].to_numpy()
    reading = Reading(target.reading)
    if reading in (Reading.LEVEL, Reading.CAP):
        if target.threshold_rule == ThresholdRule.ABOVE_REGION.value:
            return value - panel[(target.relative_to, target.indicator)][year].to_numpy()
        return value
    start = int(target.period_start)
    if reading is Reading.GROWTH:
        return 100.0 * ((value / series[start].to_numpy()) ** (1.0 / (year - start)) - 1.0)
    return value - series[start].to_numpy()  # NEW_IN_PERIOD, CUMULATIVE_SINCE


def headline(reach: pd.DataFrame) -> dict[str, int]:
    """Unique targets, how many are assessed, the verdicts, and how many repeats/glosses were grouped; with the
    views joined (:func:`dezsim.targets.views.with_views`), also how many each basis covers and their verdicts."""
    counts = reach[reach.assessed].verdict.value_counts()
    grouped = int(sum(len(g.split("; ")) for g in reach.grouped.fillna("") if g))
    out = {"targets": len(reach), "assessed": int(reach.assessed.sum()), "likely": int(counts.get("likely", 0)),
           "uncertain": int(counts.get("uncertain", 0)), "unlikely": int(counts.get("unlikely", 0)),
           "not_assessed": int((~reach.assessed).sum()), "grouped": grouped}
    if "basis" in reach:
        trend = reach[reach.basis == "indicator_trend"].p_inside.map(verdict).value_counts()
        out |= {"by_sd": int((reach.basis == "sd").sum()), "by_agents": int((reach.basis == "agents").sum()),
                "by_indicator_trend": int((reach.basis == "indicator_trend").sum()),
                "trend_likely": int(trend.get("likely", 0)), "trend_uncertain": int(trend.get("uncertain", 0)),
                "trend_unlikely": int(trend.get("unlikely", 0)), "no_inside_view": int((reach.basis == "none").sum()),
                "outside": int(reach.p_outside.notna().sum()), "views_differ": int(reach.views_differ.sum())}
    if "p_combined" in reach and reach.p_combined.notna().any():
        both = reach.p_combined.dropna().map(verdict).value_counts()
        from dezsim.targets.pooling import POOLED_INDICATORS

        pooled = reach.indicator.isin(POOLED_INDICATORS) & reach.p_inside.notna()
        out |= {"combined": int(reach.p_combined.notna().sum()), "combined_with_inside": int(pooled.sum()),
                "combined_likely": int(both.get("likely", 0)), "combined_uncertain": int(both.get("uncertain", 0)),
                "combined_unlikely": int(both.get("unlikely", 0))}
    return out


def headline_text(reach: pd.DataFrame) -> str:
    """The headline sentence printed by ``dezsim reach`` and written into report.md."""
    from dezsim.targets.views import VIEWS_DIFFER

    h = headline(reach)
    model = (f"{h['assessed']} by the model ({h['likely']} likely, {h['uncertain']} uncertain, {h['unlikely']} "
             "unlikely)")
    if "basis" not in reach:
        return (f"{h['targets']} unique targets from the five plans ({h['grouped']} repeats and glosses grouped "
                f"under them): {model.replace('by the model', 'assessed')}, {h['not_assessed']} not assessed "
                "(reasons listed).")
    return (f"{h['targets']} unique targets from the five plans ({h['grouped']} repeats and glosses grouped under "
            f"them): {model} ({h['by_sd']} SD core, {h['by_agents']} agents), {h['by_indicator_trend']} by an "
            f"indicator trend ({h['trend_likely']} likely, {h['trend_uncertain']} uncertain, {h['trend_unlikely']} "
            f"unlikely), {h['no_inside_view']} with no inside view; {h['outside']} with an outside view (past plans' "
            f"base rates); the two views differ by more than {VIEWS_DIFFER} on {h['views_differ']}."
            + ("" if "combined" not in h else
               f" Combined p (both views pooled as `dezsim backtest` fitted on past plans' targets; the inside "
               f"view enters for the {h['combined_with_inside']} targets of the growth equation it scored): "
               f"{h['combined_likely']} likely, {h['combined_uncertain']} uncertain, {h['combined_unlikely']} "
               "unlikely."))


def assess(results: Results, targets: pd.DataFrame) -> pd.DataFrame:
    """Probability, first-reach year and gap for every assessed target (others keep their reason).

    The gap is metric - threshold for ``>=`` targets and threshold - metric for ``<=`` targets: negative is a
    shortfall, positive a surplus (in the target's unit; growth in % per year).
    """
    from dezsim.targets.update import effective_runs

    panel = _panel(results)
    years = sorted(results.frame.year.unique())
    n_eff = effective_runs(results)  # an updated (resampled) ensemble stands for fewer runs than it holds
    out = []
    for t in targets.itertuples(index=False):
        row = t._asdict()
        if t.assessed:
            row |= _assess_one(pd.Series(row), panel, years, n_eff)
        out.append(row)
    frame = pd.DataFrame(out)
    for col in REACH_COLUMNS:
        if col not in frame:
            frame[col] = np.nan
    return frame[REACH_COLUMNS + ["relative_to"]]


def _panel(results: Results) -> dict:
    """``{(region, indicator): DataFrame (run x year)}`` of the results' values.

    Built by placing every value in a (region-indicator pair, run, year) cube by its codes: one pass over the
    frame instead of a pivot and a group-by per pair (the lever search reads a panel at every point). A
    (pair, run) with no value at all is left out, a missing year of a present run is NaN."""
    f = results.frame
    regions, names = f.region.cat.categories, f.indicator.cat.categories
    pair = f.region.cat.codes.to_numpy().astype(np.int64) * len(names) + f.indicator.cat.codes.to_numpy()
    pair_codes, pairs = pd.factorize(pair, sort=True)
    run_codes, runs = pd.factorize(f.run.to_numpy(), sort=True)
    year_codes, years = pd.factorize(f.year.to_numpy(), sort=True)
    cube = np.full((len(pairs), len(runs), len(years)), np.nan)
    cube[pair_codes, run_codes, year_codes] = f.value.to_numpy()
    seen = np.zeros((len(pairs), len(runs)), dtype=bool)
    seen[pair_codes, run_codes] = True
    run_index, columns = pd.Index(runs, name="run"), pd.Index(years, name="year")
    return {(regions[p // len(names)], names[p % len(names)]): pd.DataFrame(cube[i][seen[i]], index=run_index[seen[i]],
                                                                            columns=columns)
            for i, p in enumerate(pairs)}


def _gap(t, panel: dict, year: int) -> np.ndarray:
    """Per run, the target's measure in ``year`` minus its threshold (threshold minus measure for caps)."""
    sign = 1.0 if t.relation == ">=" else -1.0
    return sign * (metric(t, panel, year) - t.threshold)


def _met(t, gap: np.ndarray) -> np.ndarray:
    """Per run, whether ``gap`` meets the target (a relative 1e-9 for rounding in the threshold's arithmetic)."""
    return gap >= -1e-9 * max(1.0, abs(t.threshold))


def met_by_run(results: Results, ds: Dataset) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per run, whether each target is met by its year: (flags, reach).

    ``flags`` is indexed by target id with one column per run id: 1.0 met, 0.0 not, NaN for a target not
    assessed; ``reach`` is :func:`reachability` of the whole ensemble. Run k's flag is what the reach table of
    run k alone would give (its p of 0 or 1): the mapping of targets, the derived indicators (drawn from run k's
    own stream) and the comparison are the same, so paired comparisons read targets exactly as the report does.
    """
    results = add_derived(results, ds)
    reach = reachability(results, ds)
    panel = _panel(results)
    runs = next(iter(panel.values())).index.to_numpy()
    flags = np.full((len(reach), len(runs)), np.nan)
    for i, t in enumerate(reach.itertuples(index=False)):
        if t.assessed:
            flags[i] = _met(t, _gap(t, panel, int(t.year)))
    return pd.DataFrame(flags, index=pd.Index(reach.target_id, name="target_id"), columns=runs), reach


def _assess_one(t: pd.Series, panel: dict, years: list[int], n_eff: float | None = None) -> dict:
    gap = _gap(t, panel, int(t.year))
    met = _met(t, gap)
    n, k = len(gap), int(met.sum())
    lo, hi = jeffreys_interval(k, n) if n_eff is None else jeffreys_interval(k / n * n_eff, n_eff)
    first = np.full(n, np.inf)
    start = int(t.period_start) + 1 if pd.notna(t.period_start) else min(years) + 1
    for year in (y for y in years if y >= max(start, min(years) + 1)):
        ok = _met(t, _gap(t, panel, year))
        first = np.where(np.isinf(first) & ok, year, first)
    never = max(years) + 1  # sorts after every simulated year; reported as NaN ("not by the end")
    q10, q50, q90 = (np.nan if q >= never else q for q in np.quantile(np.minimum(first, never), [0.1, 0.5, 0.9]))
    g10, g50, g90 = np.quantile(gap, [0.1, 0.5, 0.9])
    p = k / n
    return {"p_reach": p, "p_low": lo, "p_high": hi, "first_year_median": q50, "first_year_q10": q10,
            "first_year_q90": q90, "gap_q10": g10, "gap_median": g50, "gap_q90": g90, "verdict": verdict(p)}


def jeffreys_interval(k: float, n: float, level: float = 0.90) -> tuple[float, float]:
    """Jeffreys interval for a binomial proportion k/n (Brown, Cai & DasGupta 2001); 0 and 1 at the edges.
    ``k`` and ``n`` may be effective (non-integer) counts, as for a weighted ensemble."""
    a = (1 - level) / 2
    lo = 0.0 if k == 0 else float(stats.beta.ppf(a, k + 0.5, n - k + 0.5))
    hi = 1.0 if k == n else float(stats.beta.ppf(1 - a, k + 0.5, n - k + 0.5))
    return lo, hi


def verdict(p: float) -> str:
    """likely (p >= 0.8), unlikely (p <= 0.2) or uncertain."""
    return "likely" if p >= LIKELY else "unlikely" if p <= UNLIKELY else "uncertain"


def reachability(results: Results, ds: Dataset) -> pd.DataFrame:
    """The reach table for ``results`` (one row per target in data/), as written to ``reach.csv``; the derived
    indicators (:mod:`dezsim.model.derived`) are added to ``results`` first."""
    results = add_derived(results, ds)
    regions = list(results.frame.region.cat.categories)
    end = int(results.frame.year.max())
    present = set(results.frame.indicator.unique())
    table = assess(results, map_targets(ds, regions, end, present))
    table.attrs["end_year"] = end
    return table
