"""Load and validate the reference class of past plan targets (``data/reference_targets/``).

The reference class holds quantitative targets of plans that ended by 2020 (Five-Year plans 2016-2020 and
2018-2020 action plans for informatization, the digital economy, industry and infrastructure), each with its
stated outcome up to 2020 and whether it was met. It is the data of the outside view: how often were targets
of a class met? Every row cites the page (``data/pages/<page>.txt``) or seed file its target and its outcome
are quoted from; a bad row raises :class:`~dezsim.base.errors.DataError` naming file, line, column, value and
what is allowed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dezsim.base.errors import DataError
from dezsim.base.tables import FILE, LINE, Column, cell_error, describe_allowed, nearest, read_table
from dezsim.data.pages import HEADER_RULE, collapse, read_page

#: Target classes (see data/reference_targets/README.md for what each holds).
CLASSES = ("money_level", "growth_rate", "share_of_gdp", "infrastructure_count", "recognitions_count",
           "coverage_share", "projects_count", "other_share", "other_count")
#: Relations a target states between the indicator and its value.
RELATIONS = (">=", "<=", "=")
#: Administrative level of a plan.
LEVELS = ("national", "provincial", "city", "district")
#: Last year a plan may end and an outcome may refer to: the reference class is history up to 2020.
LAST_YEAR = 2020
#: Seed files are cited by name, e.g. ``003_c4958285404594e1.txt``.
SEED_NAME = re.compile(r"^\d{3}_[0-9a-f]{16}\.txt$")
#: Page slugs of this table start with ``rt-``, or ``ia-`` / ``hist-`` for a page the adoption or GDP history
#: already holds (a page is not stored twice).
PAGE_NAME = re.compile(r"^(rt|ia|hist)-[a-z0-9][a-z0-9-]*$")
#: Region codes not in data/regions.csv are lower-case pinyin.
PINYIN = re.compile(r"^[a-z][a-z_]*$")
#: Indicator codes are lower_snake.
SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")

YEARS = (1990, 2035)
PLAN_COLUMNS = [
    Column("code"),
    Column("title"),
    Column("region"),
    Column("level", allowed=LEVELS),
    Column("period"),
    Column("source_page"),
]
TARGET_COLUMNS = [
    Column("id"),
    Column("plan"),
    Column("plan_title"),
    Column("plan_start", "int", bounds=YEARS),
    Column("plan_end", "int", bounds=YEARS),
    Column("region"),
    Column("indicator"),
    Column("class", allowed=CLASSES),
    Column("unit"),
    Column("baseline_year", "int", required=False, bounds=YEARS),
    Column("baseline_value", "float", required=False),
    Column("target_year", "int", bounds=YEARS),
    Column("target_value", "float"),
    Column("relation", allowed=RELATIONS),
    Column("outcome_year", "int", required=False, bounds=YEARS),
    Column("outcome_value", "float", required=False),
    Column("met", "bool", required=False),
    Column("met_rule", required=False),
    Column("target_page"),
    Column("target_quote"),
    Column("outcome_page", required=False),
    Column("outcome_quote", required=False),
    Column("notes", required=False),
]


@dataclass(frozen=True)
class ReferenceTargets:
    """Validated reference class: ``plans`` (one row per plan) and ``targets`` (one row per past target)."""

    plans: pd.DataFrame
    targets: pd.DataFrame


def default_root() -> Path:
    """The ``data/`` folder of this checkout (``DEZSIM_DATA`` overrides it)."""
    from dezsim.data.dataset import default_root as data_root

    return data_root()


def default_seeds(root: Path | None = None) -> Path:
    """Folder of the five plan texts: ``plans/`` of the ``data`` folder ``root`` (``DEZSIM_SEEDS`` overrides it)."""
    from dezsim.resources import plans_root

    return plans_root(root)


def load(root: Path | str | None = None, seeds: Path | str | None = None, *, quotes: bool = True) -> ReferenceTargets:
    """Read and validate ``<root>/reference_targets/{plans,targets}.csv`` and every quote they cite.

    Parameters
    ----------
    root : Path or str, optional
        The ``data/`` folder (default: this checkout's); pages are read from ``<root>/pages``.
    seeds : Path or str, optional
        Folder of the plan texts cited by name (default: ``<root>/plans``).
    quotes : bool
        Verify every quote against its stored page or plan text (``dezsim data check`` and the tests do). A run
        passes False: a page or plan text missing from an install must never stop it.

    Raises
    ------
    DataError
        On the first bad row, naming file, line, column, value and what is allowed.
    """
    root = Path(root) if root is not None else default_root()
    folder = root / "reference_targets"
    if not folder.is_dir():
        raise DataError(f"{folder}: reference-target folder not found")
    regions = set(read_table(root / "regions.csv", [Column("code"), Column("name_zh"), Column("name_en"),
                             Column("level", "int"), Column("parent", required=False), Column("modelled", "bool"),
                             Column("notes", required=False)], display="regions.csv").code)
    units = set(pd.read_csv(root / "units.csv").code)
    plans = read_table(folder / "plans.csv", PLAN_COLUMNS, display="reference_targets/plans.csv")
    targets = read_table(folder / "targets.csv", TARGET_COLUMNS, display="reference_targets/targets.csv")
    texts = _Texts(root / "pages", Path(seeds) if seeds is not None else default_seeds(root), read=quotes)
    _check_plans(plans, regions, texts)
    _check_unique(targets, "id")
    known = {row["code"]: row for row in plans.to_dict("records")}
    for row in targets.to_dict("records"):
        _check_target(_clean(row), known, regions, units, texts)
    return ReferenceTargets(plans.drop(columns=[FILE, LINE]), targets)


def _clean(row: dict) -> dict:
    return {k: (None if not isinstance(v, str) and pd.isna(v) else v) for k, v in row.items()}


def _check_unique(frame: pd.DataFrame, column: str) -> None:
    dup = frame[frame[column].duplicated()]
    if len(dup):
        row = dup.iloc[0]
        raise cell_error(row[FILE], row[LINE], column, row[column], "duplicate; ids are unique")


def _check_region(row: dict, regions: set[str]) -> None:
    code = row["region"]
    if code not in regions and not PINYIN.match(code):
        raise cell_error(row[FILE], row[LINE], "region", code,
                         f"neither a code of data/regions.csv{nearest(code, regions)} nor lower-case pinyin")


def _check_plans(plans: pd.DataFrame, regions: set[str], texts: _Texts) -> None:
    _check_unique(plans, "code")
    for row in plans.to_dict("records"):
        _check_region(row, regions)
        if not re.match(r"^\d{4}-\d{4}$", row["period"]):
            raise cell_error(row[FILE], row[LINE], "period", row["period"], "not a year range like 2016-2020")
        start, end = (int(y) for y in row["period"].split("-"))
        if start > end or end > LAST_YEAR:
            raise cell_error(row[FILE], row[LINE], "period", row["period"],
                             f"must run forwards and end by {LAST_YEAR} (the reference class is history)")
        texts.check_page(row, "source_page")


def _check_target(row: dict, plans: dict, regions: set[str], units: set[str], texts: _Texts) -> None:
    def fail(column: str, why: str) -> DataError:
        return cell_error(row[FILE], row[LINE], column, row[column], why)

    if not row["id"].startswith("rt-"):
        raise fail("id", "must start with 'rt-'")
    plan = plans.get(row["plan"])
    if plan is None:
        raise fail("plan", f"unknown{nearest(row['plan'], plans)}; allowed: {describe_allowed(plans)}")
    if f"{row['plan_start']}-{row['plan_end']}" != plan["period"]:
        raise fail("plan_end", f"period {row['plan_start']}-{row['plan_end']} differs from plans.csv ({plan['period']})")
    if row["plan_title"] != plan["title"]:
        raise fail("plan_title", f"differs from plans.csv ({plan['title']!r})")
    _check_region(row, regions)
    if not SNAKE.match(row["indicator"]):
        raise fail("indicator", "not a lower_snake code")
    if row["unit"] not in units:
        raise fail("unit", f"unknown{nearest(row['unit'], units)}; allowed: {describe_allowed(units)}")
    if (row["baseline_year"] is None) != (row["baseline_value"] is None):
        raise fail("baseline_value", "baseline_year and baseline_value go together (both or neither)")
    if not row["plan_start"] <= row["target_year"] <= row["plan_end"]:
        raise fail("target_year", f"outside the plan period {plan['period']}")
    _check_outcome(row, fail)
    texts.check_quote(row, "target_page", "target_quote")
    if row["outcome_page"] is not None or row["outcome_quote"] is not None:
        texts.check_quote(row, "outcome_page", "outcome_quote")


def _check_outcome(row: dict, fail) -> None:
    """Outcome columns: all or none, up to 2020, and ``met`` consistent with relation, target and outcome."""
    have = [row[c] is not None for c in ("outcome_year", "outcome_value", "met", "outcome_page")]
    if any(have) and not all(have):
        raise fail("met", "outcome_year, outcome_value, met and outcome_page go together (all or none)")
    if not any(have):
        return
    if row["outcome_year"] > LAST_YEAR:
        raise fail("outcome_year", f"after {LAST_YEAR}; the reference class holds outcomes up to {LAST_YEAR} only")
    if not row["met_rule"]:
        raise fail("met_rule", "empty; say how 'met' was judged")
    reached = _reaches(row["outcome_value"], row["relation"], row["target_value"])
    if row["met"] != reached:
        raise fail("met", f"outcome {row['outcome_value']} {'reaches' if reached else 'misses'} target "
                          f"{row['relation']} {row['target_value']}, so met must be {str(reached).lower()}")
    if not reached and row["outcome_year"] != row["target_year"]:
        raise fail("outcome_year", f"a miss is judged in the target year {row['target_year']}; "
                                   "give the target-year outcome")
    if reached and row["outcome_year"] > row["target_year"]:
        raise fail("outcome_year", f"reaching the target after its year {row['target_year']} is not meeting it; "
                                   "give the target-year outcome")


def _reaches(outcome: float, relation: str, target: float) -> bool:
    """Whether ``outcome`` satisfies ``relation target`` (``=`` read as reaching the level, within 0.5 %)."""
    if relation == ">=":
        return outcome >= target
    if relation == "<=":
        return outcome <= target
    return abs(outcome - target) <= 0.005 * abs(target)


class _Texts:
    """Page and seed texts, read once, with whitespace collapsed for quote checks."""

    def __init__(self, pages: Path, seeds: Path, read: bool = True) -> None:
        self.pages, self.seeds, self.read, self.cache = pages, seeds, read, {}

    def text(self, row: dict, column: str) -> str:
        name = row[column]
        if name not in self.cache:
            self.cache[name] = self._read(row, column)
        return self.cache[name]

    def _read(self, row: dict, column: str) -> str:
        name = row[column]
        if SEED_NAME.match(name):
            path = self.seeds / name
        elif PAGE_NAME.match(name):
            path = self.pages / f"{name}.txt"
        else:
            raise cell_error(row[FILE], row[LINE], column, name, "neither a seed file name nor a page slug 'rt-…', 'ia-…' or 'hist-…'")
        if not path.is_file():
            raise cell_error(row[FILE], row[LINE], column, name, f"file {path} not found")
        if not PAGE_NAME.match(name):
            return collapse(path.read_text(encoding="utf-8"))  # a plan's own text: no header
        try:
            return read_page(path)
        except DataError:
            raise cell_error(row[FILE], row[LINE], column, name, f"bad page header; {HEADER_RULE}") from None

    def check_page(self, row: dict, column: str) -> None:
        if self.read:
            self.text(row, column)

    def check_quote(self, row: dict, page_col: str, quote_col: str) -> None:
        if row[page_col] is None or not row[quote_col]:
            raise cell_error(row[FILE], row[LINE], quote_col if row[page_col] else page_col,
                             row[quote_col] if row[page_col] else row[page_col], "page and quote go together")
        if self.read and collapse(row[quote_col]) not in self.text(row, page_col):
            raise cell_error(row[FILE], row[LINE], quote_col, row[quote_col], f"not found in {row[page_col]}")



def base_rates(ref: ReferenceTargets | None = None) -> pd.DataFrame:
    """Share of past targets met, per class.

    Parameters
    ----------
    ref : ReferenceTargets, optional
        Loaded reference class (default: :func:`load` of this checkout).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``class`` (every class of :data:`CLASSES`), columns ``targets`` (all rows),
        ``with_outcome``, ``met``, ``share_met`` (met / with_outcome; NaN when no outcome is known) and
        ``no_outcome`` (rows kept without an outcome, not counted in the share).
    """
    ref = ref if ref is not None else load()
    frame = ref.targets
    known = frame[frame.met.notna()]
    out = pd.DataFrame(index=pd.Index(CLASSES, name="class"))
    out["targets"] = frame.groupby("class").size().reindex(CLASSES, fill_value=0)
    out["with_outcome"] = known.groupby("class").size().reindex(CLASSES, fill_value=0)
    out["met"] = known[known.met.astype(bool)].groupby("class").size().reindex(CLASSES, fill_value=0)
    out["share_met"] = out.met / out.with_outcome.where(out.with_outcome > 0)
    out["no_outcome"] = out.targets - out.with_outcome
    return out
