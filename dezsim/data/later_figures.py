"""Published figures for 2021 and later (``data/evaluation/later_figures.csv``), kept only to judge the model.

The file holds what statistical bulletins, statistics bureaus and the press published for 2021-2024 about the
indicators the model simulates (GDP, 5G base stations, ...), one row per region, indicator and year, each quoted
verbatim from a saved page excerpt under ``data/pages/`` or from a plan seed text. ``dezsim hindcast --observed``
compares the projection with these figures; calibration, validation, priors and every fit never read them (a test
keeps any other module from naming the file).

Run ``python -m dezsim.data.later_figures`` to check the file and print a count by indicator and region.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd

from dezsim.base.errors import DataError
from dezsim.base.tables import FILE, LINE, Column, cell_error, read_table
from dezsim.data.dataset import CALIBRATION_CUTOFF, INDICATOR_COLUMNS, REGION_COLUMNS, default_root
from dezsim.data.observations import check_codes, check_once
from dezsim.data.pages import collapse, read_page

#: Where the file lives under ``data/``.
LATER_FILE = Path("evaluation") / "later_figures.csv"
#: Last year a later figure may have (the end of the projection horizon).
LAST_YEAR = 2035
#: Regions the model simulates but no one publishes (a residual it derives).
UNPUBLISHED_REGIONS = frozenset({"rest_of_jiangsu"})
#: A page key: the name of ``data/pages/<key>.txt``.
PAGE_KEY = re.compile(r"[a-z0-9][a-z0-9-]*")

LATER_COLUMNS = [
    Column("region"),
    Column("indicator"),
    Column("unit"),
    Column("year", "int", bounds=(CALIBRATION_CUTOFF + 1, LAST_YEAR)),
    Column("value", "float"),
    Column("source"),
    Column("page", required=False),
    Column("quote"),
    Column("notes", required=False),
]


def load_later(root: Path | str | None = None, *, path: Path | str | None = None,
               seeds: Path | str | None = None) -> pd.DataFrame:
    """Read and check the later figures.

    Parameters
    ----------
    root : Path, optional
        The ``data/`` folder holding the vocabularies and ``pages/`` (default: this checkout's).
    path : Path, optional
        The CSV (default ``<root>/evaluation/later_figures.csv``).
    seeds : Path, optional
        Folder of the plan texts a row may cite instead of a page (default: ``<root>/plans``).

    Returns
    -------
    pandas.DataFrame
        One row per region, indicator and year, with the file's columns (``value`` in the indicator's unit).

    Raises
    ------
    DataError
        One line ``file:line: column 'c' = 'v': why; allowed: ...`` for the first bad row.
    """
    root = Path(root) if root is not None else default_root()
    path = Path(path) if path is not None else root / LATER_FILE
    table = read_table(path, LATER_COLUMNS)
    regions = read_table(root / "regions.csv", REGION_COLUMNS, display="data/regions.csv")
    indicators = read_table(root / "indicators.csv", INDICATOR_COLUMNS, display="data/indicators.csv")
    allowed_regions = set(regions.code[regions.modelled]) - UNPUBLISHED_REGIONS
    unit_of = dict(zip(indicators.name, indicators.unit, strict=True))
    simulated = set(indicators.name[indicators.modelled])
    texts: dict[str, str | None] = {}
    for row in table.to_dict("records"):
        check_codes(row, allowed_regions, unit_of, simulated, region_rule="not a published modelled region")
        _check_source(row, root / "pages", _seed_folder(seeds, root), texts)
    check_once(table)
    return table.drop(columns=[FILE, LINE])


def _seed_folder(seeds: Path | str | None, root: Path) -> Path | None:
    if seeds is not None:
        return Path(seeds)
    from dezsim.data.quotes import default_seeds

    return default_seeds(root)


def _check_source(row: dict, pages_dir: Path, seeds: Path | None, texts: dict[str, str | None]) -> None:
    """A URL source needs a page excerpt holding the quote; a seed source (a plain file name) holds it itself."""
    def fail(column: str, why: str) -> DataError:
        return cell_error(row[FILE], row[LINE], column, row[column], why)

    source, quote = row["source"], row["quote"]
    page = row["page"] if isinstance(row["page"], str) else ""  # an empty optional cell reads as NaN
    if re.match(r"https?://", source):
        if not page:
            raise fail("page", "empty, but a URL source needs its page excerpt; allowed: a key of data/pages/*.txt")
        if not PAGE_KEY.fullmatch(page):
            raise fail("page", "not a page key; allowed: lower-case letters, digits, '-'")
        if page not in texts:
            file = pages_dir / f"{page}.txt"
            if not file.is_file():
                raise fail("page", f"no page excerpt {file}; allowed: a key of data/pages/*.txt")
            texts[page] = read_page(file)
        if collapse(quote) not in texts[page]:
            raise fail("quote", f"not found verbatim in page {page!r}; allowed: a phrase copied from that page")
        return
    if page:
        raise fail("page", "a seed source is quoted from the seed itself; allowed: empty")
    if source != Path(source).name or source in (".", "..") or "\\" in source:
        raise fail("source", "neither an http(s) address nor a plain seed file name; "
                             "allowed: https://..., or a file name in the seeds folder")
    if seeds is None:
        raise fail("source", "seed folder not found (set DEZSIM_SEEDS); allowed: a file name in the seeds folder")
    if source not in texts:
        file = seeds / source
        texts[source] = file.read_text(encoding="utf-8") if file.is_file() else None
    if texts[source] is None:
        raise fail("source", f"no seed file {seeds / source}; allowed: a file name in the seeds folder")
    if "\n" in quote or quote not in texts[source]:
        raise fail("quote", f"not found verbatim in seed {source!r}; allowed: a phrase copied from that seed")


def main() -> None:
    """Check the file and print its row count by indicator and region."""
    try:
        table = load_later()
    except DataError as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(2) from None
    print(f"{len(table)} later figures")
    print(table.pivot_table(index="indicator", columns="region", values="value", aggfunc="size",
                            fill_value=0).to_string())


if __name__ == "__main__":
    main()
