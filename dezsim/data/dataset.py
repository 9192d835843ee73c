"""The validated contents of ``data/``: the :class:`Dataset`, the closed sets and the table columns it is read
with, and the digest of its tables (a run's provenance).

Reading and checking the tables is :mod:`dezsim.data.loader`'s job; this module holds what every reader of a
loaded dataset needs, so the checks that take a :class:`Dataset` (:mod:`dezsim.data.consistency`) import it
without importing the loader that calls them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from dezsim.base.errors import ConfigError
from dezsim.base.tables import Column, describe_allowed, nearest
from dezsim.data.readings import Reading, Role, Scope, ThresholdRule

#: Relations a figure can state between the indicator and its value.
RELATIONS = (">=", "<=", "=", "range")
#: What a figure is: an observed level, a level target, a growth target, an observed growth, a policy magnitude,
#: or a third party's forecast quoted by a plan (never a target, never calibrated to).
KINDS = ("baseline", "target", "growth_target", "observed_growth", "policy", "forecast")
#: How the value is measured over time (see data/README.md).
BASES = ("stock", "flow", "share", "cumulative", "new_in_period", "growth")
#: Units a growth figure may use whatever its indicator's own unit.
GROWTH_UNITS = ("pct", "pct_per_year", "pct_points")
#: Last year whose figures may enter calibration; later figures are kept for validation only.
CALIBRATION_CUTOFF = 2020

REGION_COLUMNS = [
    Column("code"),
    Column("name_zh"),
    Column("name_en"),
    Column("level", "int", bounds=(0, 3)),
    Column("parent", required=False),
    Column("modelled", "bool"),
    Column("notes", required=False),
]
UNIT_COLUMNS = [Column("code"), Column("name_zh"), Column("pint"), Column("description"), Column("range")]
#: Per-indicator physical ranges (narrower than their unit's) and tolerances of the children-sum check.
CHECK_COLUMNS = [Column("indicator"), Column("range", required=False),
                 Column("sum_tolerance", "float", required=False, bounds=(0.0, 1.0)), Column("reason")]
INDICATOR_COLUMNS = [
    Column("name"),
    Column("unit"),
    Column("description"),
    Column("name_zh", required=False),
    Column("modelled", "bool"),
]
SOURCE_COLUMNS = [Column("source"), Column("kind", allowed=("seed", "url")), Column("title")]
FIGURE_COLUMNS = [
    Column("id"),
    Column("region"),
    Column("indicator"),
    Column("unit"),
    Column("year", "int", bounds=(1990, 2035)),
    Column("value", "float", required=False),
    Column("upper", "float", required=False),
    Column("relation", allowed=RELATIONS),
    Column("kind", allowed=KINDS),
    Column("basis", allowed=BASES),
    Column("period_start", "int", required=False, bounds=(1990, 2035)),
    Column("relative_to", required=False),
    Column("scope", required=False),
    Column("source"),
    Column("quote"),
    Column("notes", required=False),
]
READING_COLUMNS = [
    Column("id"),
    Column("indicator"),
    Column("reading", allowed=[r.value for r in Reading]),
    Column("period_start", "int", required=False, bounds=(1990, 2035)),
    Column("scope", allowed=[s.value for s in Scope]),
    Column("threshold_rule", allowed=[r.value for r in ThresholdRule]),
    Column("role", allowed=[r.value for r in Role]),
    Column("duplicate_of", required=False),
    Column("quote"),
    Column("note", required=False),
]
RULE_COLUMNS = [
    Column("rule", allowed=[r.value for r in ThresholdRule]),
    Column("relation", allowed=(">=", "<=")),
    Column("level", "float", required=False, bounds=(0, 100)),
    Column("factor", "float", bounds=(0.5, 1.5)),
    Column("reason"),
]


def default_root() -> Path:
    """The ``data/`` folder in use: the one shipped in the package (``DEZSIM_DATA`` overrides it)."""
    from dezsim.resources import data_root

    return data_root()


@dataclass(frozen=True)
class Dataset:
    """Validated contents of ``data/``.

    Attributes
    ----------
    root : Path
        The folder read.
    regions, units, indicators, sources, figures : pandas.DataFrame
        One row per region / unit / indicator / source / figure, as in the CSV files (see data/README.md).
    readings, threshold_rules : pandas.DataFrame
        One declared reading per target (``target_readings.csv``) and one row per threshold rule
        (``threshold_rules.csv``); empty when the folder holds no targets.
    """

    root: Path
    regions: pd.DataFrame
    units: pd.DataFrame
    indicators: pd.DataFrame
    sources: pd.DataFrame
    figures: pd.DataFrame = field(repr=False)
    readings: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    threshold_rules: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    checks: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    @cached_property
    def digest(self) -> str:
        """SHA-256 over the parsed rows of every table (provenance of a run's inputs).

        Rows, not bytes: line endings (CRLF or LF), a final newline or CSV quoting do not change it."""
        return content_digest(self.root)

    def targets(self) -> pd.DataFrame:
        """Figures that are targets (level or growth)."""
        return self.figures[self.figures.kind.isin(["target", "growth_target"])]

    def calibration_figures(self) -> pd.DataFrame:
        """Observed figures up to :data:`CALIBRATION_CUTOFF` (the only ones calibration may use)."""
        f = self.figures
        return f[f.kind.isin(["baseline", "observed_growth"]) & (f.year <= CALIBRATION_CUTOFF)]

    @cached_property
    def _tree(self) -> dict[str, list[str]]:
        """``{region: codes of the regions directly below it}`` in file order, every region a key (read once:
        the tree is walked for every run's leaves)."""
        tree = {code: [] for code in self.regions.code}
        for code, parent in zip(self.regions.code, self.regions.parent, strict=True):
            if parent in tree:
                tree[parent].append(code)
        return tree

    def children(self, region: str) -> list[str]:
        """Codes of the regions directly below ``region`` in the tree."""
        self.require_region(region)
        return list(self._tree[region])

    def leaves(self, root: str = "jiangsu") -> list[str]:
        """Leaf regions under ``root`` (``root`` itself when it has no children), in file order."""
        kids = self.children(root)
        return [leaf for kid in kids for leaf in self.leaves(kid)] if kids else [root]

    def require_region(self, code: str) -> None:
        """Raise :class:`ConfigError` unless ``code`` is a known region."""
        if code in self._tree:
            return
        codes = self.regions.code.tolist()
        if code not in codes:
            raise ConfigError(f"unknown region {code!r}{nearest(code, codes)}; allowed: {describe_allowed(codes)}")

    def require_indicator(self, name: str) -> None:
        """Raise :class:`ConfigError` unless ``name`` is in the indicator vocabulary."""
        names = self.indicators.name.tolist()
        if name not in names:
            raise ConfigError(f"unknown indicator {name!r}{nearest(name, names)}")


def content_digest(root: Path) -> str:
    """SHA-256 over each table's relative path and parsed CSV rows (line endings and quoting do not count).

    Tables under ``evaluation/`` are left out: they hold post-2020 figures for judging a run, never its inputs,
    so adding one does not make a calibration stale."""
    import csv
    import io
    import json

    h = hashlib.sha256()
    for path in sorted(root.rglob("*.csv")):
        if path.relative_to(root).parts[0] == "evaluation":
            continue
        text = path.read_bytes().decode("utf-8", errors="replace")
        rows = [row for row in csv.reader(io.StringIO(text, newline="")) if row]
        h.update(path.relative_to(root).as_posix().encode())
        h.update(json.dumps(rows, ensure_ascii=False).encode())
    return h.hexdigest()
