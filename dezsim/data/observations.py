"""Tables of observed figures after the origin (``dezsim hindcast --observed``, ``dezsim reach --observed``): the
reader and the checks every such table shares.

Each check raises :class:`~dezsim.base.errors.DataError` in one line naming file, line, column and value (rows carry
``_file`` and ``_line`` from :func:`dezsim.base.tables.read_table`).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from dezsim.base.errors import DataError
from dezsim.base.tables import FILE, LINE, Column, cell_error, describe_allowed, nearest, read_table
from dezsim.data.dataset import CALIBRATION_CUTOFF, Dataset



def check_codes(row: dict, regions: set[str], unit_of: dict[str, str], simulated: set[str],
                region_rule: str = "unknown region") -> None:
    """Region, indicator, unit and value of one observed row: a region of ``regions``, an indicator the model
    simulates, measured in its own unit, with a positive value (errors are relative)."""
    def fail(column: str, why: str) -> DataError:
        return cell_error(row[FILE], row[LINE], column, row[column], why)

    if row["region"] not in regions:
        raise fail("region", f"{region_rule}{nearest(row['region'], regions)}; allowed: {describe_allowed(regions)}")
    if row["indicator"] not in unit_of:
        raise fail("indicator", f"not in the indicator vocabulary{nearest(row['indicator'], unit_of)}; "
                                f"allowed: {describe_allowed(simulated)}")
    if row["indicator"] not in simulated:
        raise fail("indicator", f"not simulated by the model; allowed: {describe_allowed(simulated)}")
    if row["unit"] != unit_of[row["indicator"]]:
        raise fail("unit", f"{row['indicator']} is measured in {unit_of[row['indicator']]}; "
                           f"allowed: {unit_of[row['indicator']]}")
    if row["value"] <= 0:
        raise fail("value", "must be > 0 (errors are relative); allowed: a positive level in the indicator's unit")


def check_once(table: pd.DataFrame) -> None:
    """One row per region, indicator and year: a repeat would count twice, a conflict has no single truth."""
    key = ["region", "indicator", "year"]
    repeats = table[table.duplicated(key, keep=False)]
    if repeats.empty:
        return
    first, again = repeats.iloc[0], repeats[(repeats[key] == repeats.iloc[0][key]).all(axis=1)].iloc[1]
    what = "repeats" if first.value == again.value else f"conflicts with {first.value:g} at"
    raise cell_error(again[FILE], again[LINE], "value", float(again.value),
                     f"{again.region}/{again.indicator}/{again.year} {what} line {first[LINE]}; "
                     "allowed: one row per region, indicator and year")


OBSERVED_COLUMNS = [Column("region"), Column("indicator"), Column("unit"),
                    Column("year", "int", bounds=(CALIBRATION_CUTOFF + 1, 2035)), Column("value", "float")]
#: How a figure is stated, an optional column: plainly (empty), rounded ("about": 约, 左右), or as a bound
#: ("above": 超, 以上, 逾; "below": 不到, 以下). The mid-term update reads it as the figure's measurement error.
QUALIFIERS = ("about", "above", "below")
#: Provenance columns an observed file may add (the shipped file of published figures does); never compared.
PROVENANCE_COLUMNS = ("source", "page", "quote", "notes")


def _columns(path: Path, origin: int = CALIBRATION_CUTOFF) -> list[Column]:
    """The schema of ``path``: the observed columns (years after ``origin``) plus whichever provenance columns its
    header names."""
    try:
        with open(path, encoding="utf-8", newline="") as f:
            header = next(csv.reader(f), [])
    except (OSError, UnicodeDecodeError, csv.Error):
        header = []  # read_table reports the problem with its own one-line error
    extra = [Column("qualifier", required=False, allowed=QUALIFIERS)] if "qualifier" in header else []
    columns = [c if c.name != "year" else Column("year", "int", bounds=(origin + 1, 2035)) for c in OBSERVED_COLUMNS]
    return columns + extra + [Column(c, required=False) for c in PROVENANCE_COLUMNS if c in header]


def read_observed(path: str | Path, ds: Dataset, simulated: set[str], origin: int = CALIBRATION_CUTOFF
                  ) -> pd.DataFrame:
    """Read and check an observed table of figures after ``origin`` (2020 by default); unknown regions, indicators
    the model does not simulate, units that are not the indicator's and years up to the origin raise
    :class:`DataError` naming file, line, column and value."""
    table = read_table(Path(path), _columns(Path(path), origin))
    if table.empty:
        raise DataError(f"{path}: no observed rows (a header only); expected at least one row of "
                        f"{', '.join(c.name for c in OBSERVED_COLUMNS)}")
    check_once(table)
    unit_of = dict(zip(ds.indicators.name, ds.indicators.unit, strict=True))
    regions = set(ds.regions.code)
    for row in table.to_dict("records"):
        check_codes(row, regions, unit_of, simulated)
    table = table.drop(columns=["_file", "_line", *(c for c in PROVENANCE_COLUMNS if c in table)])
    if "qualifier" not in table:
        table["qualifier"] = None
    return table
