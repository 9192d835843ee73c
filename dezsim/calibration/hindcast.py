"""Compare the calibrated projection with figures published after 2020, and with a naive trend line.

The observed file is a CSV with columns ``region, indicator, unit, year, value`` (indicator names and units
from ``data/indicators.csv``; years after the calibration cut-off), optionally ``source, page, quote, notes``
(``data/evaluation/later_figures.csv``, published figures for 2021 and later kept for this comparison only). Each row gets the ensemble's median and
80 % interval (10-90 %), whether the figure falls inside, and the absolute percentage error of the median; the
naive comparator extrapolates the indicator's 2020 level at its pre-2020 growth rate from data/.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from dezsim.base.errors import DataError
from dezsim.base.paragraphs import lead_paragraph
from dezsim.data.dataset import CALIBRATION_CUTOFF, GROWTH_UNITS, Dataset
from dezsim.model.results import Results

def naive_forecast(ds: Dataset, region: str, indicator: str, year: int, origin: int = CALIBRATION_CUTOFF) -> float:
    """The 2020 level grown at the pre-2020 growth rate in data/ (NaN when data/ lacks either); from an earlier
    ``origin``, its published level grown at the mean growth since the earliest level of the five years before it
    (:func:`naive_from_origin`)."""
    if origin != CALIBRATION_CUTOFF:
        return naive_from_origin(ds, region, indicator, year, origin)
    f = ds.figures
    mine = f[(f.region == region) & (f.indicator == indicator) & (f.year <= CALIBRATION_CUTOFF)]
    unit = ds.indicators.set_index("name").loc[indicator, "unit"]
    levels = mine[(mine.kind == "baseline") & (mine.unit == unit) & mine.basis.isin(["stock", "flow", "share"])
                  & mine.scope.isna()].sort_values("year")
    level = levels[levels.year == CALIBRATION_CUTOFF]
    if level.empty:
        return float("nan")
    growths = mine[(mine.kind == "observed_growth") & mine.unit.isin(GROWTH_UNITS[:2])].sort_values("year")
    if len(growths):
        rate = float(growths.iloc[-1].value) / 100
    elif len(levels) >= 2 and levels.year.iloc[0] < CALIBRATION_CUTOFF:
        first, last = levels.iloc[0], level.iloc[-1]
        rate = (last.value / first.value) ** (1 / (CALIBRATION_CUTOFF - first.year)) - 1
    else:
        return float("nan")
    return float(level.iloc[-1].value) * (1 + rate) ** (year - CALIBRATION_CUTOFF)


def naive_from_origin(ds: Dataset, region: str, indicator: str, year: int, origin: int) -> float:
    """Level at ``origin`` carried to ``year`` at the mean growth from the earliest published level 2-5 years
    before it (:func:`dezsim.calibration.origin_groups.level_pair`, nothing after the origin; NaN without both)."""
    from dezsim.calibration.origin_groups import SW_WINDOW, level_pair

    pair = level_pair(ds, indicator, region, origin, SW_WINDOW)
    if pair is None:
        return float("nan")
    (first, v0, _), (_, v1, _) = pair
    return float(v1 * (v1 / v0) ** ((year - origin) / (origin - first)))


def compare(observed: pd.DataFrame, results: Results, ds: Dataset) -> tuple[pd.DataFrame, dict]:
    """Per-row comparison and the summary (median APE and 80 % coverage, model and naive)."""
    q = results.quantiles((0.1, 0.5, 0.9)).set_index(["indicator", "region", "year"])
    rows = []
    for obs in observed.itertuples(index=False):
        key = (obs.indicator, obs.region, obs.year)
        if key not in q.index:
            raise DataError(f"observed {obs.region}/{obs.indicator}/{obs.year}: not in the simulated results "
                            f"(years {results.frame.year.min()}-{results.frame.year.max()})")
        lo, med, hi = q.loc[key, ["q10", "q50", "q90"]]
        naive = naive_forecast(ds, obs.region, obs.indicator, obs.year, int(results.frame.year.min()))
        rows.append({"region": obs.region, "indicator": obs.indicator, "unit": obs.unit, "year": obs.year,
                     "observed": obs.value, "median": med, "q10": lo, "q90": hi, "inside_80": lo <= obs.value <= hi,
                     "ape": abs(med - obs.value) / obs.value, "naive": naive,
                     "naive_ape": abs(naive - obs.value) / obs.value if np.isfinite(naive) else np.nan})
    table = pd.DataFrame(rows)
    summary = {"rows": len(table), "median_ape": float(table.ape.median()),
               "coverage_80": float(table.inside_80.mean()),
               "naive_median_ape": float(table.naive_ape.median()) if table.naive_ape.notna().any() else None,
               "naive_rows": int(table.naive_ape.notna().sum())}
    return table, summary


#: Opening words of the summary paragraph the report quotes from calibration/hindcast.md.
SUMMARY_LEAD = "**Figures published after 2020**"
#: What the report says when calibration/hindcast.md is absent.
MISSING = ("calibration/hindcast.md is missing: run `dezsim hindcast --observed data/evaluation/later_figures.csv "
           "--markdown calibration/hindcast.md`.")


def markdown(rows: pd.DataFrame, summary: dict, observed: str, runs: int, seed: int, noise: bool = True,
             scenario: str = "baseline") -> str:
    """``calibration/hindcast.md``: the summary paragraph (:data:`SUMMARY_LEAD`) and the per-row table.

    Parameters
    ----------
    rows, summary
        :func:`compare`'s outputs.
    observed : str
        The observed file as the user named it.
    runs, seed : int
        Ensemble size and root seed of the projection.
    noise : bool
        Whether the projection ran with process noise.
    scenario : str
        The scenario projected (its file, or ``baseline``).
    """
    naive = ("no naive trend available" if summary["naive_median_ape"] is None else
             f"naive trend {100 * summary['naive_median_ape']:.1f} % on its {summary['naive_rows']} rows")
    by = rows.groupby("indicator").agg(rows=("ape", "size"), median_ape_pct=("ape", "median"),
                                       inside_80_pct=("inside_80", "mean"))
    by[["median_ape_pct", "inside_80_pct"]] *= 100
    shown = rows.assign(ape_pct=100 * rows.ape, naive_ape_pct=100 * rows.naive_ape)
    shown = shown.drop(columns=["ape", "naive_ape"])
    return "\n".join([
        "# Hindcast: projections from end-2020 against figures published later (`dezsim hindcast`)", "",
        f"Observed file: `{observed}`; scenario {scenario}; {runs} runs, seed {seed}, process noise "
        f"{'on' if noise else 'off'}. These figures "
        "judge the model and are never used to fit, tune or choose anything (they are read by this command only).",
        "",
        f"{SUMMARY_LEAD}: {summary['rows']} figures; median absolute percentage error of the ensemble median "
        f"{100 * summary['median_ape']:.1f} % ({naive}); {100 * summary['coverage_80']:.0f} % of the figures "
        "inside the 80 % interval.", "",
        "## By indicator", "", by.reset_index().to_markdown(index=False, floatfmt=".1f"), "",
        "## Every figure", "", shown.to_markdown(index=False, floatfmt=".4g"), ""])


def summary_paragraph(path: Path) -> str:
    """The summary paragraph of a ``hindcast.md`` written by :func:`markdown` ("" when the file is absent)."""
    return lead_paragraph(path.read_text(encoding="utf-8"), SUMMARY_LEAD) if path.exists() else ""
