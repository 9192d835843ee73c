"""Load and validate ``data/``: the region tree, units, the indicator vocabulary and every figure.

``data/`` is the single source of numbers taken from the plans and from public statistics. Every row is
checked on load (types, closed sets, cross-references, per-row logic); a bad row raises
:class:`~dezsim.base.errors.DataError` naming file, line, column, value and what is allowed.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dezsim.base.errors import DataError
from dezsim.base.ranges import PhysicalRange
from dezsim.base.tables import FILE, LINE, cell_error, describe_allowed, nearest, read_table
from dezsim.data.consistency import enforce_sums
from dezsim.data.dataset import (CHECK_COLUMNS, FIGURE_COLUMNS, GROWTH_UNITS, INDICATOR_COLUMNS, READING_COLUMNS,
                                 REGION_COLUMNS, RULE_COLUMNS, SOURCE_COLUMNS, UNIT_COLUMNS, Dataset, default_root)
from dezsim.data.readings import NEEDS_START, Reading, Role, ThresholdRule


def load(root: Path | str | None = None) -> Dataset:
    """Read and validate every table under ``root`` (default: this checkout's ``data/``).

    Raises
    ------
    DataError
        On the first bad row, naming file, line, column, value and what is allowed.
    """
    root = Path(root) if root is not None else default_root()
    if not root.is_dir():
        raise DataError(f"{root}: data folder not found")
    regions = read_table(root / "regions.csv", REGION_COLUMNS, display=_show(root, "regions.csv"))
    _check_regions(regions)
    units = read_table(root / "units.csv", UNIT_COLUMNS, display=_show(root, "units.csv"))
    _check_unique(units, "code")
    indicators = read_table(root / "indicators.csv", INDICATOR_COLUMNS, display=_show(root, "indicators.csv"))
    _check_unique(indicators, "name")
    _check_refs(indicators, "unit", set(units.code))
    sources = read_table(root / "sources.csv", SOURCE_COLUMNS, display=_show(root, "sources.csv"))
    _check_unique(sources, "source")
    _check_sources(sources)
    checks = read_table(root / "indicator_checks.csv", CHECK_COLUMNS, display=_show(root, "indicator_checks.csv"))
    _check_unique(checks, "indicator")
    _check_refs(checks, "indicator", set(indicators.name))
    ranges = physical_ranges(units, indicators, checks)
    figures = _read_figures(root, regions, units, indicators, sources, ranges)
    readings, rules = _read_readings(root, figures, indicators)
    ds = Dataset(root, regions, units, indicators, sources, figures, readings=readings, threshold_rules=rules,
                 checks=checks)
    enforce_sums(ds)
    return ds


def _check_sources(sources: pd.DataFrame) -> None:
    """A seed source is a plain file name (read from the seeds folder only); a URL source is an http(s) address."""
    for row in sources.to_dict("records"):
        name = row["source"]
        if row["kind"] == "seed" and (name != Path(name).name or name in (".", "..") or "\\" in name):
            raise cell_error(row[FILE], row[LINE], "source", name,
                             "a seed must be a plain file name in the seeds folder (no folders, no '..')")
        if row["kind"] == "url" and not name.startswith(("https://", "http://")):
            raise cell_error(row[FILE], row[LINE], "source", name, "kind 'url' needs an http(s):// address")


def _show(root: Path, name: str) -> str:
    return f"{root.name}/{name}"


def _read_figures(root, regions, units, indicators, sources, ranges) -> pd.DataFrame:
    paths = sorted((root / "figures").glob("*.csv"))
    if not paths:
        raise DataError(f"{root / 'figures'}: no figure tables (*.csv) found")
    frames = [read_table(p, FIGURE_COLUMNS, display=_show(root, f"figures/{p.name}")) for p in paths]
    figures = pd.concat(frames, ignore_index=True)
    _check_unique(figures, "id")
    _check_refs(figures, "region", set(regions.code))
    _check_refs(figures, "relative_to", set(regions.code))
    _check_refs(figures, "indicator", set(indicators.name))
    _check_refs(figures, "unit", set(units.code))
    _check_refs(figures, "source", set(sources.source))
    unit_of = dict(zip(indicators.name, indicators.unit, strict=True))
    for row in figures.to_dict("records"):
        _check_figure_logic(row, unit_of)
        _check_range(row, unit_of, ranges)
    return figures


def _check_regions(regions: pd.DataFrame) -> None:
    _check_unique(regions, "code")
    _check_refs(regions, "parent", set(regions.code))
    level = dict(zip(regions.code, regions.level, strict=True))
    for row in regions.to_dict("records"):
        parent = row["parent"]
        if pd.notna(parent) and level[parent] != row["level"] - 1:
            raise cell_error(row[FILE], row[LINE], "parent", parent,
                             f"is at level {level[parent]}; a parent must be one level above ({row['level'] - 1})")


def _check_unique(frame: pd.DataFrame, column: str) -> None:
    dup = frame[frame[column].duplicated()]
    if len(dup):
        row = dup.iloc[0]
        first = frame[frame[column] == row[column]].iloc[0]
        raise cell_error(row[FILE], row[LINE], column, row[column],
                         f"duplicate; first used at {first[FILE]}:{first[LINE]}")


def _check_refs(frame: pd.DataFrame, column: str, allowed: set[str]) -> None:
    bad = frame[frame[column].notna() & ~frame[column].isin(allowed)]
    if len(bad):
        row = bad.iloc[0]
        value = row[column]
        raise cell_error(row[FILE], row[LINE], column, value,
                         f"unknown{nearest(value, allowed)}; allowed: {describe_allowed(allowed)}")


def physical_ranges(units: pd.DataFrame, indicators: pd.DataFrame, checks: pd.DataFrame) -> dict[str, PhysicalRange]:
    """Each indicator's range of admissible levels: its own in indicator_checks.csv, else its unit's."""
    def parse(row: dict) -> PhysicalRange:
        try:
            return PhysicalRange.parse(row["range"])
        except ValueError as exc:
            raise cell_error(row[FILE], row[LINE], "range", row["range"], str(exc)) from None

    by_unit = {row["code"]: parse(row) for row in units.to_dict("records")}
    own = {row["indicator"]: parse(row) for row in checks.to_dict("records") if row["range"] is not None}
    return {name: own.get(name, by_unit[unit]) for name, unit in zip(indicators.name, indicators.unit, strict=True)}


def _check_range(row: dict, unit_of: dict[str, str], ranges: dict[str, PhysicalRange]) -> None:
    """A level (not a growth rate) in the indicator's own unit lies in its physical range."""
    if row["basis"] == "growth" or row["unit"] != unit_of[row["indicator"]]:
        return
    allowed = ranges[row["indicator"]]
    for column in ("value", "upper"):
        value = row[column]
        if value is not None and not pd.isna(value) and value not in allowed:
            raise cell_error(row[FILE], row[LINE], column, value,
                             f"outside the physical range of {row['indicator']}; allowed: {allowed.describe()} "
                             f"{row['unit']} ({allowed.text})")


def _check_figure_logic(row: dict, unit_of: dict[str, str]) -> None:
    """Cross-column rules of one figure (see data/README.md)."""

    row = {k: (None if not isinstance(v, str) and pd.isna(v) else v) for k, v in row.items()}

    def fail(column: str, why: str) -> DataError:
        return cell_error(row[FILE], row[LINE], column, row[column], why)

    if row["value"] is None and row["relative_to"] is None:
        raise fail("value", "empty; a figure needs a value unless it is relative_to another region")
    if row["relation"] == "range":
        if row["upper"] is None or row["value"] is None or row["upper"] < row["value"]:
            raise fail("upper", f"relation 'range' needs an upper bound >= value ({row['value']})")
    elif row["upper"] is not None:
        raise fail("upper", f"given, but relation is {row['relation']!r}; only 'range' has an upper bound")
    growth = row["basis"] == "growth"
    if (row["kind"] in ("growth_target", "observed_growth")) != growth:
        raise fail("basis", f"kind {row['kind']!r} and basis {row['basis']!r} disagree; "
                            "growth kinds go with basis 'growth' and only they do")
    if row["basis"] in ("new_in_period", "growth") and row["period_start"] is None:
        raise fail("period_start", f"empty; basis {row['basis']!r} needs the year its period starts from")
    if row["period_start"] is not None and row["period_start"] >= row["year"]:
        raise fail("period_start", f"not before year {row['year']}")
    expected = unit_of[row["indicator"]]
    if row["unit"] != expected and not (growth and row["unit"] in GROWTH_UNITS):
        allowed = expected + (f" (or {', '.join(GROWTH_UNITS)} for growth)" if growth else "")
        raise fail("unit", f"indicator {row['indicator']!r} is measured in {allowed}")


def _read_readings(root: Path, figures: pd.DataFrame, indicators: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The declared reading of every target and the threshold rules (see data/README.md)."""
    targets = figures[figures.kind.isin(["target", "growth_target"])]
    if targets.empty and not (root / "target_readings.csv").is_file():
        return pd.DataFrame(), pd.DataFrame()
    for name in ("threshold_rules.csv", "target_readings.csv"):
        if not (root / name).is_file():
            raise DataError(f"{root / name}: file not found; every target needs a declared reading")
    rules = read_table(root / "threshold_rules.csv", RULE_COLUMNS, display=_show(root, "threshold_rules.csv"))
    _check_unique(rules, "rule")
    undeclared = sorted({r.value for r in ThresholdRule} - set(rules.rule))
    if undeclared:
        raise DataError(f"{_show(root, 'threshold_rules.csv')}: rule {undeclared[0]!r} not declared; every rule "
                        f"needs its relation, threshold and reason")
    readings = read_table(root / "target_readings.csv", READING_COLUMNS, display=_show(root, "target_readings.csv"))
    _check_unique(readings, "id")
    _check_refs(readings, "id", set(targets.id))
    _check_refs(readings, "indicator", set(indicators.name))
    _check_refs(readings, "duplicate_of", set(readings.id[readings.role == Role.TARGET.value]))
    missing = sorted(set(targets.id) - set(readings.id))
    if missing:
        first = targets[targets.id == missing[0]].iloc[0]
        raise cell_error(first[FILE], first[LINE], "id", missing[0],
                         f"target without a declared reading in {_show(root, 'target_readings.csv')} "
                         f"({len(missing)} in all)")
    figure_of = targets.set_index("id")
    unit_of = dict(zip(indicators.name, indicators.unit, strict=True))
    rule_of = rules.set_index("rule")
    for row in readings.to_dict("records"):
        _check_reading(row, figure_of.loc[row["id"]], unit_of, rule_of.loc[row["threshold_rule"]])
    return readings, rules


def _check_reading(row: dict, fig: pd.Series, unit_of: dict[str, str], rule: pd.Series) -> None:
    """Cross-file rules of one reading: it must agree with its figure and its threshold rule."""
    row = {k: (None if not isinstance(v, str) and pd.isna(v) else v) for k, v in row.items()}
    reading, start = Reading(row["reading"]), fig["period_start"]

    def fail(column: str, why: str) -> DataError:
        return cell_error(row[FILE], row[LINE], column, row[column], why)

    growth = reading is Reading.GROWTH
    if growth != (fig["kind"] == "growth_target"):
        raise fail("reading", f"figure {row['id']} is of kind {fig['kind']!r}; growth readings go with growth targets")
    if not growth and unit_of[row["indicator"]] != fig["unit"]:
        raise fail("indicator", f"measured in {unit_of[row['indicator']]}, the figure in {fig['unit']}")
    if (reading in NEEDS_START) != (row["period_start"] is not None):
        raise fail("period_start", f"reading {reading.value!r} {'needs' if reading in NEEDS_START else 'takes no'} "
                                   "period start")
    if row["period_start"] is not None and (pd.isna(start) or int(start) != row["period_start"]):
        raise fail("period_start", f"figure {row['id']} states period_start {start}")
    basis = {Reading.NEW_IN_PERIOD: "new_in_period", Reading.CUMULATIVE_SINCE: "cumulative"}.get(reading)
    if basis and fig["basis"] != basis:
        raise fail("reading", f"figure {row['id']} has basis {fig['basis']!r}; {reading.value!r} needs {basis!r}")
    if (reading is Reading.CAP) != (rule["relation"] == "<="):
        raise fail("threshold_rule", f"relation {rule['relation']!r}; caps and only caps take a '<=' rule")
    if (row["threshold_rule"] == ThresholdRule.ABOVE_REGION.value) != isinstance(fig["relative_to"], str):
        raise fail("threshold_rule", "above_region goes with a figure relative_to another region, and only it")
    if pd.notna(rule["level"]) and fig["unit"] != "pct":
        raise fail("threshold_rule", f"sets a level in percent; figure {row['id']} is in {fig['unit']}")
    if (row["role"] == Role.TARGET.value) == (row["duplicate_of"] is not None):
        raise fail("duplicate_of", "a repeat or gloss names the target it belongs to; a target names none")
