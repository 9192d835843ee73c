"""Load and validate the pre-2021 infrastructure and adoption history (``data/history/infrastructure_adoption_to_2020.csv``).

The table holds public figures up to 2020 that give non-circular priors: the 4G roll-out as a reference shape,
5G stocks and the network plans published by 2020 (ceiling and pace), data-centre racks and PUE (allocation key,
fleet efficiency), and cloud-adoption and smart-manufacturing counts (adoption speed). See
``data/history/README_infrastructure.md``.

Every row is checked on load; a bad row raises :class:`~dezsim.base.errors.DataError` with one line naming file,
line, column, value and what is allowed (the conventions of :mod:`dezsim.data.dataset`). Every quote must be a
substring of its page excerpt ``data/pages/<page>.txt`` after collapsing whitespace.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from dezsim.base.errors import DataError
from dezsim.base.tables import FILE, LINE, Column, cell_error, describe_allowed, nearest, read_table
from dezsim.data.dataset import GROWTH_UNITS, INDICATOR_COLUMNS, REGION_COLUMNS, UNIT_COLUMNS, default_root
from dezsim.data.history import extended_vocabulary
from dezsim.data.pages import collapse, read_page

#: What a row is: a year-end level, an addition during the year, a plan target published by 2020, a growth rate.
KINDS = ("level", "new_in_year", "plan_target_published_by_2020", "growth")
#: Last year a figure may refer to (later years only for plan targets published by then).
HISTORY_CUTOFF = 2020
#: The table, relative to ``data/``.
TABLE = Path("history") / "infrastructure_adoption_to_2020.csv"
#: Prefix of every row id.
ID_PREFIX = "ia-"
#: A region code outside data/regions.csv: lower-case pinyin (``zhejiang``, ``hangzhou``).
PINYIN_CODE = re.compile(r"^[a-z][a-z_]*$")
#: How a plan row's notes state its publication year.
PUBLISHED = re.compile(r"\bpublished (\d{4})\b")

COLUMNS = [
    Column("id"),
    Column("region"),
    Column("indicator"),
    Column("unit"),
    Column("year", "int", bounds=(1990, 2035)),
    Column("value", "float"),
    Column("kind", allowed=KINDS),
    Column("scope", required=False),
    Column("page"),
    Column("quote"),
    Column("notes", required=False),
]


def load_infrastructure_history(root: Path | str | None = None) -> pd.DataFrame:
    """Read and validate the infrastructure and adoption history table.

    Parameters
    ----------
    root : Path or str, optional
        The ``data/`` folder (default: this checkout's, see :func:`dezsim.data.dataset.default_root`).

    Returns
    -------
    pandas.DataFrame
        One row per figure with the columns of :data:`COLUMNS` (``value`` in the row's ``unit``;
        ``year`` is the year the figure refers to, or the target year of a plan).

    Raises
    ------
    DataError
        On the first bad row, naming file, line, column, value and what is allowed.
    """
    root = Path(root) if root is not None else default_root()
    units = extended_vocabulary(root, "units", UNIT_COLUMNS, "code")
    indicators = extended_vocabulary(root, "indicators", INDICATOR_COLUMNS, "name")
    unit_of = dict(zip(indicators.name, indicators.unit, strict=True))
    regions = set(read_table(root / "regions.csv", REGION_COLUMNS, display="data/regions.csv").code)
    rows = read_table(root / TABLE, COLUMNS, display=f"data/{TABLE.as_posix()}")
    _check_ids(rows)
    pages: dict[str, str] = {}
    for row in rows.to_dict("records"):
        _check_row(row, regions, set(units.code), unit_of)
        _check_quote(row, root, pages)
    return rows.drop(columns=[FILE, LINE])



def _check_ids(rows: pd.DataFrame) -> None:
    for row in rows.to_dict("records"):
        if not row["id"].startswith(ID_PREFIX):
            raise cell_error(row[FILE], row[LINE], "id", row["id"], f"must start with {ID_PREFIX!r}")
    dup = rows[rows.id.duplicated()]
    if len(dup):
        row = dup.iloc[0]
        first = rows[rows.id == row.id].iloc[0]
        raise cell_error(row[FILE], row[LINE], "id", row.id, f"duplicate; first used at line {first[LINE]}")


def _check_row(row: dict, regions: set[str], units: set[str], unit_of: dict[str, str]) -> None:
    """Cross-column rules of one row."""

    def fail(column: str, why: str) -> DataError:
        return cell_error(row[FILE], row[LINE], column, row[column], why)

    if row["region"] not in regions and not PINYIN_CODE.match(row["region"]):
        raise fail("region", f"neither a code of data/regions.csv ({describe_allowed(regions)}) "
                             "nor a lower-case pinyin code")
    if row["indicator"] not in unit_of:
        raise fail("indicator", f"unknown{nearest(row['indicator'], unit_of)}; "
                                "add it to data/indicators_history.csv")
    if row["unit"] not in units:
        raise fail("unit", f"unknown{nearest(row['unit'], units)}; allowed: {describe_allowed(units)}")
    growth = row["kind"] == "growth"
    expected = unit_of[row["indicator"]]
    if row["unit"] != expected and not (growth and row["unit"] in GROWTH_UNITS):
        allowed = expected + (f" (or {', '.join(GROWTH_UNITS)} for growth)" if growth else "")
        raise fail("unit", f"indicator {row['indicator']!r} is measured in {allowed}")
    if not growth and row["value"] < 0:
        raise fail("value", "negative level or count; allowed: >= 0")
    _check_year(row, fail)


def _check_year(row: dict, fail) -> None:
    """Years up to the cutoff; a plan row may target later but must say when it was published."""
    if row["kind"] != "plan_target_published_by_2020":
        if row["year"] > HISTORY_CUTOFF:
            raise fail("year", f"after {HISTORY_CUTOFF}; only plan targets published by then may be later")
        return
    match = PUBLISHED.search(row["notes"] or "")
    if match is None:
        raise fail("notes", "a plan target needs 'published YYYY' (its publication year) in notes")
    if int(match.group(1)) > HISTORY_CUTOFF:
        raise fail("notes", f"published {match.group(1)}; allowed: published {HISTORY_CUTOFF} or earlier")


def _check_quote(row: dict, root: Path, cache: dict[str, str]) -> None:
    page = row["page"]
    if page not in cache:
        path = root / "pages" / f"{page}.txt"
        if not path.exists():
            raise cell_error(row[FILE], row[LINE], "page", page, f"no page excerpt {path.name} in data/pages/")
        cache[page] = read_page(path)
    if collapse(row["quote"]) not in cache[page]:
        raise cell_error(row[FILE], row[LINE], "quote", row["quote"], f"not found in data/pages/{page}.txt")
