"""Pre-2021 yearly history (``data/history/series_to_2020.csv``): loader, validation and growth summary.

The history file holds published yearly figures, 2010-2020, of GDP and of the core digital industries for
Jiangsu, its cities and Suzhou's boards (plus a few comparison regions). Each row is either a level (current
prices) or a reported growth rate (real: at comparable prices; nominal: current prices), quoted verbatim from
a saved page excerpt under ``data/pages/``. The summary gives, per region and indicator, the mean and standard
deviation of yearly growth 2011-2020 and the cross-region correlation of growth deviations: the raw material
for process-noise variances and the spread of regional growth parameters. No figure after 2020 is accepted.

Run ``python -m dezsim.data.history`` to print the summary.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from dezsim.base.errors import DataError
from dezsim.base.tables import FILE, LINE, Column, cell_error, describe_allowed, nearest, read_table
from dezsim.data.dataset import CALIBRATION_CUTOFF, INDICATOR_COLUMNS, REGION_COLUMNS, UNIT_COLUMNS, default_root
from dezsim.data.pages import collapse, read_page

#: What a row is: a level at current prices, or a reported growth rate (real or nominal), in % a year.
KINDS = ("level", "growth_real", "growth_nominal")
#: Unit every growth row must use.
GROWTH_UNIT = "pct"
#: Regions outside ``data/regions.csv`` the history may name (comparison cities and provinces), one row each in
#: this file under ``data/``: the backtests need long series of peers, which the model does not simulate.
COMPARISON_FILE = "history/comparison_regions.csv"
#: A comparison region's code: lower-case pinyin with optional underscores (``nanjing``, ``inner_mongolia``).
COMPARISON_CODE = re.compile(r"[a-z][a-z_]*")
#: First year of the history window and first year whose growth the summary uses.
FIRST_YEAR, FIRST_GROWTH_YEAR = 2010, 2011
#: Fewest common years for a correlation between two regions' growth deviations; fewer gives too noisy a value.
MIN_OVERLAP_YEARS = 4
#: Growth rates outside this range (% a year) are typing errors, not history.
GROWTH_BOUNDS = (-50.0, 100.0)

COMPARISON_COLUMNS = [Column("code"), Column("name_zh"), Column("name_en"), Column("notes", required=False)]

SERIES_COLUMNS = [
    Column("id"),
    Column("region"),
    Column("indicator"),
    Column("unit"),
    Column("year", "int", bounds=(FIRST_YEAR, CALIBRATION_CUTOFF)),
    Column("value", "float"),
    Column("kind", allowed=KINDS),
    Column("page"),
    Column("quote"),
    Column("notes", required=False),
]


@dataclass(frozen=True)
class Vocabulary:
    """Codes a history row may use: regions, indicators (name -> unit) and units."""

    regions: frozenset[str]
    unit_of: dict[str, str]
    units: frozenset[str]



def vocabulary(root: Path) -> Vocabulary:
    """Regions, indicators and units from ``data/`` plus the history's own additions (optional files)."""
    regions = frozenset(read_table(root / "regions.csv", REGION_COLUMNS).code)
    units = extended_vocabulary(root, "units", UNIT_COLUMNS, "code")
    ind = extended_vocabulary(root, "indicators", INDICATOR_COLUMNS, "name")
    return Vocabulary(
        regions=regions | comparison_regions(root, regions),
        unit_of=dict(zip(ind.name, ind.unit, strict=True)),
        units=frozenset(units.code),
    )


def comparison_regions(root: Path, modelled: frozenset[str]) -> frozenset[str]:
    """Codes of ``data/history/comparison_regions.csv``: pinyin, unique, none already in ``data/regions.csv``."""
    table = read_table(root / COMPARISON_FILE, COMPARISON_COLUMNS, display=f"data/{COMPARISON_FILE}")
    seen: set[str] = set()
    for row in table.to_dict("records"):
        code = row["code"]
        why = ("not lower-case pinyin; allowed: letters a-z and '_'" if not COMPARISON_CODE.fullmatch(code)
               else "already in data/regions.csv" if code in modelled
               else "duplicate" if code in seen else None)
        if why:
            raise cell_error(row[FILE], row[LINE], "code", code, why)
        seen.add(code)
    return frozenset(seen)


def extended_vocabulary(root: Path, stem: str, columns: list[Column], key: str) -> pd.DataFrame:
    """The main vocabulary plus its ``*_history.csv`` extension when present (the extension may not redefine)."""
    main = read_table(root / f"{stem}.csv", columns, display=f"data/{stem}.csv")
    extra_path = root / f"{stem}_history.csv"
    if not extra_path.exists():
        return main
    extra = read_table(extra_path, columns, display=f"data/{stem}_history.csv")
    known = set(main[key])
    for row in extra.to_dict("records"):
        if row[key] in known:
            raise cell_error(row[FILE], row[LINE], key, row[key], f"already defined in data/{stem}.csv")
        known.add(row[key])
    return pd.concat([main, extra], ignore_index=True)


def load_series(path: Path | str | None = None, root: Path | str | None = None) -> pd.DataFrame:
    """Read and validate the history file.

    Parameters
    ----------
    path : Path, optional
        The CSV (default ``<root>/history/series_to_2020.csv``).
    root : Path, optional
        The ``data/`` folder holding the vocabularies and ``pages/`` (default: this checkout's).

    Returns
    -------
    pandas.DataFrame
        One row per figure; ``value`` in the row's unit (100 million yuan for levels, % a year for growth).

    Raises
    ------
    DataError
        One line naming file, line, column, value and what is allowed, for the first bad row.
    """
    root = Path(root) if root is not None else default_root()
    path = Path(path) if path is not None else root / "history" / "series_to_2020.csv"
    frame = read_table(path, SERIES_COLUMNS)
    vocab = vocabulary(root)
    pages: dict[str, str] = {}
    seen: dict[str, int] = {}
    for row in frame.to_dict("records"):
        _check_row(row, vocab, seen)
        _check_quote(row, root / "pages", pages)
    return frame


def _check_row(row: dict, vocab: Vocabulary, seen: dict[str, int]) -> None:
    def fail(column: str, why: str) -> DataError:
        return cell_error(row[FILE], row[LINE], column, row[column], why)

    if not row["id"].startswith("h-"):
        raise fail("id", "must start with 'h-'")
    if row["id"] in seen:
        raise fail("id", f"duplicate; first used at line {seen[row['id']]}")
    seen[row["id"]] = row[LINE]
    for column, allowed in (("region", vocab.regions), ("indicator", vocab.unit_of), ("unit", vocab.units)):
        if row[column] not in allowed:
            raise fail(column, f"unknown{nearest(row[column], allowed)}; allowed: {describe_allowed(allowed)}")
    if row["kind"] == "level":
        if row["unit"] != vocab.unit_of[row["indicator"]]:
            raise fail("unit", f"a level of {row['indicator']!r} is in {vocab.unit_of[row['indicator']]!r}")
        if row["value"] <= 0:
            raise fail("value", "a level must be > 0")
    else:
        if row["unit"] != GROWTH_UNIT:
            raise fail("unit", f"a growth rate is in {GROWTH_UNIT!r}")
        if not GROWTH_BOUNDS[0] <= row["value"] <= GROWTH_BOUNDS[1]:
            raise fail("value", f"out of range; allowed: {GROWTH_BOUNDS[0]} to {GROWTH_BOUNDS[1]} (% a year)")


def _check_quote(row: dict, pages_dir: Path, pages: dict[str, str]) -> None:
    page = row["page"]
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", page):
        raise cell_error(row[FILE], row[LINE], "page", page, "not a page key; allowed: lower-case letters, digits, '-'")
    if page not in pages:
        file = pages_dir / f"{page}.txt"
        if not file.is_file():
            raise cell_error(row[FILE], row[LINE], "page", page, f"no page excerpt {file}")
        pages[page] = read_page(file)
    if collapse(row["quote"]) not in pages[page]:
        raise cell_error(row[FILE], row[LINE], "quote", row["quote"], f"not found verbatim in page {page!r}")


def level_growth(series: pd.DataFrame) -> pd.Series:
    """Nominal growth (% a year) from consecutive published levels, indexed by region, indicator and year.

    Levels are revised between vintages (initial figure, verification, census), so a pair of levels printed on
    the same page is preferred; only where no page holds both years are levels from different pages (averaged
    per year) compared.
    """
    key = ["region", "indicator", "year"]
    levels = series[series.kind == "level"]
    same_page = levels.groupby(["page", "region", "indicator", "year"]).value.mean()
    previous = same_page.rename(lambda y: y + 1, level="year")
    paired = (100.0 * (same_page / previous - 1.0)).dropna().groupby(level=key).mean()
    pooled = levels.groupby(key).value.mean()
    pooled_prev = pooled.rename(lambda y: y + 1, level="year")
    cross = (100.0 * (pooled / pooled_prev - 1.0)).dropna()
    return paired.combine_first(cross)


def growth_table(series: pd.DataFrame, basis: str) -> pd.DataFrame:
    """Yearly growth (% a year), one column per (region, indicator), years 2011-2020 as the index.

    Parameters
    ----------
    series : pandas.DataFrame
        Output of :func:`load_series`.
    basis : {"real", "nominal"}
        ``real``: reported growth at comparable prices only. ``nominal``: reported nominal growth, else the
        change between two consecutive published levels (current prices; see :func:`level_growth`).
        Duplicates (several pages for the same figure) are averaged.
    """
    if basis not in ("real", "nominal"):
        raise ValueError(f"basis {basis!r}; allowed: real, nominal")
    key = ["region", "indicator", "year"]
    years = pd.Index(range(FIRST_GROWTH_YEAR, CALIBRATION_CUTOFF + 1), name="year")
    reported = series[series.kind == f"growth_{basis}"].groupby(key).value.mean()
    if basis == "nominal":
        reported = reported.combine_first(level_growth(series))
    reported = reported[reported.index.get_level_values("year") >= FIRST_GROWTH_YEAR]
    table = reported.unstack(["region", "indicator"]) if len(reported) else pd.DataFrame(index=years)
    return table.reindex(years).sort_index(axis=1)


def detrended_sd(values: pd.Series) -> float:
    """Standard deviation (% points) of growth around a straight-line trend over the years; NaN below 4 years.

    Growth slowed steadily over 2011-2019, so the plain sd mixes that drift with year-to-year shocks; the
    residual sd (ddof=2) is the better estimate of the shock size.
    """
    if len(values) < MIN_OVERLAP_YEARS:
        return np.nan
    years = values.index.to_numpy(dtype=float)
    slope, intercept = np.polyfit(years, values.to_numpy(), 1)
    residuals = values.to_numpy() - (slope * years + intercept)
    return float(np.sqrt((residuals ** 2).sum() / (len(values) - 2)))


def growth_summary(series: pd.DataFrame) -> pd.DataFrame:
    """Mean and standard deviation (ddof=1) of yearly growth 2011-2020 per region, indicator and basis.

    Returns
    -------
    pandas.DataFrame
        ``region, indicator, basis, n_years, first, last, mean_pct, sd_pct, sd_detrended_pct`` (sd is NaN with
        fewer than 2 years, the detrended sd with fewer than 4).
    """
    rows = []
    for basis in ("real", "nominal"):
        table = growth_table(series, basis)
        for (region, indicator), col in table.items():
            values = col.dropna()
            if values.empty:
                continue
            rows.append((region, indicator, basis, len(values), int(values.index.min()), int(values.index.max()),
                         float(values.mean()), float(values.std(ddof=1)) if len(values) > 1 else np.nan,
                         detrended_sd(values)))
    columns = ["region", "indicator", "basis", "n_years", "first", "last", "mean_pct", "sd_pct", "sd_detrended_pct"]
    return pd.DataFrame(rows, columns=columns)


def deviation_correlation(series: pd.DataFrame, indicator: str = "gdp", basis: str = "real",
                          last_year: int = CALIBRATION_CUTOFF) -> pd.DataFrame:
    """Pairwise correlation of regions' growth deviations (growth minus the region's own mean).

    Pairs with fewer than :data:`MIN_OVERLAP_YEARS` common years are NaN; regions with fewer are dropped.
    ``last_year`` < 2020 leaves out the pandemic year, whose common shock dominates every correlation.
    """
    table = growth_table(series, basis).loc[:last_year]
    if table.empty or indicator not in table.columns.get_level_values("indicator"):
        return pd.DataFrame()
    growth = table.xs(indicator, axis=1, level="indicator")
    growth = growth.loc[:, growth.notna().sum() >= MIN_OVERLAP_YEARS]
    deviations = growth - growth.mean()
    return deviations.corr(min_periods=MIN_OVERLAP_YEARS)


def dispersion(summary: pd.DataFrame, indicator: str = "gdp", basis: str = "real") -> dict[str, float]:
    """Spread across regions of mean growth, and the median within-region sd (regions with >= 2 years)."""
    sel = summary[(summary.indicator == indicator) & (summary.basis == basis) & (summary.n_years >= 2)]
    return {"regions": float(len(sel)), "sd_of_means_pct": float(sel.mean_pct.std(ddof=1)) if len(sel) > 1 else np.nan,
            "median_within_sd_pct": float(sel.sd_pct.median()) if len(sel) else np.nan}


def year_dispersion(series: pd.DataFrame, regions: list[str], basis: str, indicator: str = "gdp") -> pd.DataFrame:
    """Cross-region spread of one year's growth among ``regions`` (e.g. Suzhou's boards), per year.

    This is the direct evidence for how far sibling regions' growth differs in a given year, free of the
    slowdown over time that inflates spreads of multi-year means.

    Returns
    -------
    pandas.DataFrame
        ``year, n_regions, mean_pct, sd_pct, min_pct, max_pct`` for years with at least 3 regions.
    """
    table = growth_table(series, basis)
    cols = [c for c in table.columns if c[1] == indicator and c[0] in regions]
    rows = []
    for year, values in table[cols].iterrows():
        values = values.dropna()
        if len(values) >= 3:
            rows.append((year, len(values), values.mean(), values.std(ddof=1), values.min(), values.max()))
    return pd.DataFrame(rows, columns=["year", "n_regions", "mean_pct", "sd_pct", "min_pct", "max_pct"])


def children(root: Path, parent: str) -> list[str]:
    """Region codes whose parent in ``data/regions.csv`` is ``parent``."""
    regions = read_table(root / "regions.csv", REGION_COLUMNS)
    return sorted(regions.loc[regions.parent == parent, "code"])


def coverage(series: pd.DataFrame) -> pd.DataFrame:
    """Years on file per region, indicator and kind, as compact text (e.g. ``2011-2016, 2019``)."""

    def spans(years: pd.Series) -> str:
        runs: list[list[int]] = []
        for year in sorted(set(years)):
            if runs and year == runs[-1][-1] + 1:
                runs[-1].append(year)
            else:
                runs.append([year])
        return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)

    grouped = series.groupby(["region", "indicator", "kind"]).year
    return grouped.agg(n_years="nunique", years=spans).reset_index()


def report(series: pd.DataFrame, root: Path | None = None) -> str:
    """The printed summary: coverage, growth mean/sd per region, dispersion and deviation correlations."""
    summary = growth_summary(series)
    boards = children(Path(root) if root is not None else default_root(), "suzhou")
    parts = [f"history: {len(series)} figures, {series.region.nunique()} regions, years "
             f"{series.year.min()}-{series.year.max()}", "", "coverage:", coverage(series).to_string(index=False),
             "", "yearly growth 2011-2020 (% a year):",
             summary.to_string(index=False, float_format=lambda v: f"{v:.2f}")]
    for indicator, basis in (("gdp", "real"), ("gdp", "nominal"), ("software_revenue", "nominal")):
        spread = dispersion(summary, indicator, basis)
        parts += ["", f"{indicator} ({basis}) across regions: " + ", ".join(f"{k}={v:.2f}" for k, v in spread.items())]
        for last in (CALIBRATION_CUTOFF, CALIBRATION_CUTOFF - 1):
            corr = deviation_correlation(series, indicator, basis, last)
            if not corr.empty and corr.shape[0] > 1:
                parts += [f"correlation of growth deviations, {indicator} ({basis}), {FIRST_GROWTH_YEAR}-{last}, "
                          f">= {MIN_OVERLAP_YEARS} common years:", corr.to_string(float_format=lambda v: f"{v:.2f}")]
    for basis in ("real", "nominal"):
        spread = year_dispersion(series, boards, basis)
        if not spread.empty:
            parts += ["", f"gdp ({basis}) growth across Suzhou's boards, same year:",
                      spread.to_string(index=False, float_format=lambda v: f"{v:.2f}")]
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    """Print :func:`report` for the checkout's history file; a bad file prints its one-line error."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        series = load_series(argv[0] if argv else None)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(report(series))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
