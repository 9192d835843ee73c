"""Pre-2021 evidence of the derived indicators (``data/history/derived_to_2020.csv``): loader and validation.

The file follows ``data/history``'s format (see data/history/README.md): one published figure a row, quoted
verbatim from a page excerpt ``data/pages/dv-*.txt``. Ids start with ``dv-``. The rows are the evidence the
declared parameters of :mod:`dezsim.model.derived_params` cite; nothing here refers to a year after 2020.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dezsim.base.tables import FILE, LINE, cell_error, describe_allowed, nearest, read_table
from dezsim.data.dataset import default_root
from dezsim.data.history import SERIES_COLUMNS, _check_quote, vocabulary

PREFIX = "dv-"


def load_evidence(path: Path | str | None = None, root: Path | str | None = None) -> pd.DataFrame:
    """Read and validate the derived indicators' evidence.

    Parameters
    ----------
    path : Path, optional
        The CSV (default ``<root>/history/derived_to_2020.csv``).
    root : Path, optional
        The ``data/`` folder holding the vocabularies and ``pages/`` (default: this checkout's).

    Returns
    -------
    pandas.DataFrame
        One row per figure (columns of ``data/history/series_to_2020.csv``), indexed by ``id``.

    Raises
    ------
    DataError
        One line naming file, line, column, value and what is allowed, for the first bad row.
    """
    root = Path(root) if root is not None else default_root()
    path = Path(path) if path is not None else root / "history" / "derived_to_2020.csv"
    frame = read_table(path, SERIES_COLUMNS)
    vocab = vocabulary(root)
    pages: dict[str, str] = {}
    seen: set[str] = set()
    for row in frame.to_dict("records"):
        _check_row(row, vocab, seen)
        _check_quote(row, root / "pages", pages)
    return frame.drop(columns=[c for c in (FILE, LINE) if c in frame]).set_index("id")


def _check_row(row: dict, vocab, seen: set[str]) -> None:
    def fail(column: str, why: str):
        return cell_error(row[FILE], row[LINE], column, row[column], why)

    if not str(row["id"]).startswith(PREFIX) or row["id"] in seen:
        raise fail("id", f"must start with {PREFIX!r} and be unique")
    seen.add(row["id"])
    if not str(row["page"]).startswith(PREFIX):
        raise fail("page", f"a derived-evidence page key starts with {PREFIX!r}")
    for column, allowed in (("region", vocab.regions), ("indicator", vocab.unit_of), ("unit", vocab.units)):
        if row[column] not in allowed:
            raise fail(column, f"unknown{nearest(row[column], allowed)}; allowed: {describe_allowed(allowed)}")
    if row["kind"] != "level":
        raise fail("kind", "allowed: level (the derived evidence holds levels only)")
    if row["unit"] != vocab.unit_of[row["indicator"]]:
        raise fail("unit", f"a level of {row['indicator']!r} is in {vocab.unit_of[row['indicator']]!r}")
    if row["value"] <= 0:
        raise fail("value", "a level must be > 0")
