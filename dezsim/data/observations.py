"""Checks shared by every table of observed figures (``dezsim hindcast --observed`` and the evaluation file).

Each check raises :class:`~dezsim.base.errors.DataError` in one line naming file, line, column and value (rows carry
``_file`` and ``_line`` from :func:`dezsim.base.tables.read_table`).
"""

from __future__ import annotations

import pandas as pd

from dezsim.base.errors import DataError
from dezsim.base.tables import FILE, LINE, cell_error, describe_allowed, nearest


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
