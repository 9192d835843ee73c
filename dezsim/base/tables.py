"""Read a CSV table and check every cell against a declared schema, row by row.

The one place where dezsim turns text tables into typed frames. A bad cell raises :class:`DataError`
with one line: ``file:line: column 'c' = 'v': reason; allowed: ...``.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dezsim.base.errors import DataError

#: Name of the column that records each row's line number in its file (1 = header).
LINE = "_line"
#: Name of the column that records each row's file.
FILE = "_file"


@dataclass(frozen=True)
class Column:
    """One column of a table schema.

    Parameters
    ----------
    name : str
        Header name.
    dtype : {"str", "int", "float", "bool"}
        Type the text converts to.
    required : bool
        Whether an empty cell is an error (empty optional cells become ``None``/NaN).
    allowed : collection of str, optional
        Closed set of valid values (for ``str`` columns).
    bounds : (low, high), optional
        Inclusive numeric bounds (for ``int``/``float`` columns).
    """

    name: str
    dtype: str = "str"
    required: bool = True
    allowed: Collection[str] | None = None
    bounds: tuple[float, float] | None = None


def nearest(value: str, choices: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest valid key, or an empty string."""
    match = difflib.get_close_matches(str(value), list(choices), n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


def describe_allowed(allowed: Collection[str], limit: int = 12) -> str:
    """Short text listing the allowed values of a closed set."""
    items = sorted(allowed)
    text = ", ".join(items[:limit])
    return text + (f", … ({len(items)} in all)" if len(items) > limit else "")


def cell_error(path: Path | str, line: int, column: str, value: object, why: str) -> DataError:
    """Build the one-line error for a bad cell."""
    return DataError(f"{path}:{line}: column {column!r} = {value!r}: {why}")


def _convert(raw: str, col: Column, where: Callable[[str, str], DataError]) -> object:
    if raw == "":
        if col.required:
            raise where(raw, "empty, but required")
        return None
    if col.dtype == "str":
        if col.allowed is not None and raw not in col.allowed:
            raise where(raw, f"not allowed{nearest(raw, col.allowed)}; allowed: {describe_allowed(col.allowed)}")
        return raw
    if col.dtype == "bool":
        if raw.lower() not in ("true", "false"):
            raise where(raw, "not a boolean; allowed: true, false")
        return raw.lower() == "true"
    try:
        number = int(raw) if col.dtype == "int" else float(raw)
    except ValueError:
        kind = "an integer" if col.dtype == "int" else "a number"
        raise where(raw, f"not {kind}") from None
    if isinstance(number, float) and not math.isfinite(number):
        raise where(raw, "not a finite number")
    if col.bounds is not None and not (col.bounds[0] <= number <= col.bounds[1]):
        raise where(raw, f"out of range; allowed: {col.bounds[0]} to {col.bounds[1]}")
    return number


def read_table(path: Path, columns: list[Column], *, display: str | None = None) -> pd.DataFrame:
    """Read ``path`` and check every row against ``columns``.

    Parameters
    ----------
    path : Path
        CSV file, UTF-8, with a header row.
    columns : list of Column
        The schema; the header must hold every column (extra columns are an error).
    display : str, optional
        Name used for the file in messages (defaults to ``path``).

    Returns
    -------
    pandas.DataFrame
        Typed values, plus ``_file`` and ``_line`` columns for later messages.
    """
    name = display or str(path)
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except OSError as exc:
        raise DataError(f"{name}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise DataError(f"{name}:1: empty file; expected a header with {[c.name for c in columns]}")
        _check_header(name, header, columns)
        rows = []
        start = reader.line_num + 1
        for fields in reader:
            if any(fields):
                rows.append(_convert_row(name, start, header, fields, columns))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise DataError(f"{name}:{reader.line_num}: malformed CSV ({exc})") from None
    frame = pd.DataFrame(rows, columns=[c.name for c in columns] + [FILE, LINE])
    return frame


def _check_header(name: str, header: list[str], columns: list[Column]) -> None:
    expected = [c.name for c in columns]
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected]
    if missing or extra or len(set(header)) != len(header):
        parts = []
        if missing:
            parts.append(f"missing {missing}")
        if extra:
            parts.append(f"unknown {[e + nearest(e, expected) for e in extra]}")
        if len(set(header)) != len(header):
            parts.append("duplicate column names")
        raise DataError(f"{name}:1: bad header: {'; '.join(parts)}; expected columns: {', '.join(expected)}")


def _convert_row(name: str, line: int, header: list[str], fields: list[str], columns: list[Column]) -> list:
    if len(fields) != len(header):
        raise DataError(f"{name}:{line}: {len(fields)} fields, but the header has {len(header)}")
    cells = dict(zip(header, fields, strict=True))
    values = []
    for col in columns:
        raw = cells[col.name]
        values.append(_convert(raw, col, lambda v, why, c=col.name: cell_error(name, line, c, v, why)))
    return values + [name, line]
