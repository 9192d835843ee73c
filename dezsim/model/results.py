"""Results: one tidy table, the run design and provenance; xarray view; Parquet round-trip."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from dezsim.base.atomic import atomic_path
from dezsim.base.errors import DezsimError

COLUMNS = ["scenario", "run", "region", "year", "indicator", "value"]
#: The text columns, kept as categories.
CODED = ("scenario", "region", "indicator")
_META_DESIGN = b"dezsim.design"
_META_PROVENANCE = b"dezsim.provenance"
_META_CHECKSUM = b"dezsim.checksum"


def coded(labels, codes: np.ndarray) -> pd.Categorical:
    """The categorical column whose row i is ``labels[codes[i]]``, with the labels' sorted unique values as
    categories (what ``astype("category")`` of the strings gives, without making them)."""
    categories = pd.Index(sorted(set(labels)))
    where = categories.get_indexer(list(labels))
    return pd.Categorical.from_codes(where[np.asarray(codes)], categories=categories)


def concat_coded(frames: list[pd.DataFrame], columns: tuple[str, ...] = CODED) -> pd.DataFrame:
    """``frames`` one after the other, ``columns`` as categories with the sorted union of their values (as
    converting the concatenated strings with ``astype("category")`` gives), without turning the large frame's
    categories into strings and back."""
    union = {col: pd.Index(sorted(set().union(*(f[col].unique() for f in frames)))) for col in columns}
    recoded = [f.assign(**{col: pd.Categorical(f[col], categories=union[col]) for col in columns}) for f in frames]
    return pd.concat(recoded, ignore_index=True)


@dataclass(frozen=True)
class Results:
    """Outputs of one or more runs.

    Attributes
    ----------
    frame : pandas.DataFrame
        Columns ``scenario, run, region, year, indicator, value`` (end-of-year values; indicator names and units
        from ``data/indicators.csv``).
    design : pandas.DataFrame
        One row per ``run``: its seed and every parameter value it used.
    provenance : dict
        Code version, data hash, seed, scenario and horizon.
    """

    frame: pd.DataFrame
    design: pd.DataFrame
    provenance: dict = field(default_factory=dict)

    @classmethod
    def from_arrays(cls, scenario: str, arrays: dict[str, np.ndarray], regions: list[str], years: list[int],
                    design: pd.DataFrame, provenance: dict) -> Results:
        """Build from indicator arrays shaped (run, region, year).

        The frame's rows run indicator by indicator, then run, region and year; its text columns are categories
        (sorted, as ``astype("category")`` sorts them) built from codes, so no column of repeated strings is made
        (the lever search builds a frame at every point)."""
        runs = design["run"].to_numpy()
        names = list(arrays)
        n_e, n_r, n_y = next(iter(arrays.values())).shape
        per = n_e * n_r * n_y
        frame = pd.DataFrame({
            "scenario": coded([scenario], np.zeros(per * len(names), dtype=np.int64)),
            "run": np.tile(np.repeat(runs, n_r * n_y), len(names)),
            "region": coded(regions, np.tile(np.repeat(np.arange(n_r), n_y), n_e * len(names))),
            "year": np.tile(np.asarray(years, dtype=np.int64), n_e * n_r * len(names)),
            "indicator": coded(names, np.repeat(np.arange(len(names)), per)),
            "value": np.concatenate([np.asarray(arrays[name], dtype=float).reshape(per) for name in names]),
        })
        return cls(frame[COLUMNS], design.reset_index(drop=True), dict(provenance))

    def select(self, indicator: str | None = None, region: str | None = None, year: int | None = None) -> pd.DataFrame:
        """Rows matching the given indicator / region / year."""
        f = self.frame
        mask = np.ones(len(f), dtype=bool)
        for col, val in (("indicator", indicator), ("region", region), ("year", year)):
            if val is not None:
                mask &= (f[col] == val).to_numpy()
        return f[mask]

    def take_runs(self, runs) -> Results:
        """These results restricted to the run ids ``runs`` (frame and design; the provenance is kept).

        A run's outputs depend on its own id and seed only, so the first n runs of an ensemble are the ensemble
        of n runs with the same seed (the lever search starts from them)."""
        keep = set(int(r) for r in runs)
        frame = self.frame[self.frame.run.isin(keep)].reset_index(drop=True)
        return Results(frame, self.design[self.design.run.isin(keep)].reset_index(drop=True), dict(self.provenance))

    def quantiles(self, q: tuple[float, ...] = (0.1, 0.5, 0.9)) -> pd.DataFrame:
        """Quantiles over runs per scenario, region, year and indicator (columns named like ``q50``), with each
        indicator's ``unit`` code (``data/indicators.csv``)."""
        grouped = self.frame.groupby(["scenario", "indicator", "region", "year"], observed=True)["value"]
        table = grouped.quantile(list(q)).unstack()
        table.columns = [f"q{round(100 * c)}" for c in table.columns]
        table = table.reset_index()
        table["unit"] = table.indicator.astype(str).map(indicator_units()).astype("category")
        return table

    def tidy(self) -> pd.DataFrame:
        """:attr:`frame` with a ``unit`` column (the indicator's unit code in ``data/indicators.csv``; the codes
        are listed with their pint strings in ``data/units.csv``)."""
        out = self.frame.copy()
        out["unit"] = out.indicator.astype(str).map(indicator_units()).astype("category")
        return out

    def to_xarray(self):
        """An ``xarray.DataArray`` with dims (scenario, indicator, region, run, year).

        Units: a ``unit`` coordinate along ``indicator`` holds each indicator's pint string (e.g. ``1e8 * yuan``,
        ``percent``, ``count``; money needs ``reg.define("yuan = [currency_cny]")`` in a pint registry);
        ``attrs["units_by_indicator"]`` holds them as JSON, and ``attrs["units"]`` the one string when the array
        has one indicator (``.sel(indicator=...)`` makes the coordinate a scalar).
        """
        import xarray as xr

        series = self.frame.set_index(["scenario", "indicator", "region", "run", "year"])["value"]
        array = xr.DataArray.from_series(series)
        units = indicator_units(pint=True)
        names = [str(n) for n in array.indicator.values]
        array = array.assign_coords(unit=("indicator", [units.get(n, "") for n in names]))
        array.attrs["units_by_indicator"] = json.dumps({n: units.get(n, "") for n in names})
        if len(names) == 1:
            array.attrs["units"] = units.get(names[0], "")
        return array

    def to_parquet(self, path: str | Path) -> Path:
        """Write the frame to Parquet with the design, provenance and a checksum in the file's metadata.

        The file is written next to ``path`` under a temporary name and renamed into place, so a failure (a
        full disk, a kill) leaves any previous file at ``path`` unchanged.
        """
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(self.frame, preserve_index=False)
        meta = dict(table.schema.metadata or {})
        # Python's float repr round-trips exactly (pandas' to_json rounds to 15 digits).
        design = json.dumps(self.design.to_dict(orient="list")).encode()
        provenance = json.dumps(self.provenance, sort_keys=True).encode()
        meta |= {_META_DESIGN: design, _META_PROVENANCE: provenance,
                 _META_CHECKSUM: checksum(self.frame, design, provenance).encode()}
        path = Path(path)
        with atomic_path(path) as tmp:
            pq.write_table(table.replace_schema_metadata(meta), tmp)
        return path

    @classmethod
    def from_parquet(cls, path: str | Path) -> Results:
        """Read a file written by :meth:`to_parquet`; a foreign, damaged or altered file (its checksum does not
        match its content) raises :class:`DezsimError` with one line."""
        import pyarrow.parquet as pq

        try:
            table = pq.read_table(path)
            meta = table.schema.metadata or {}
        except Exception as exc:  # noqa: BLE001 - a damaged file fails in many ways inside pyarrow
            raise DezsimError(f"{path}: not a readable results file ({_short(exc)})") from None
        if not {_META_DESIGN, _META_PROVENANCE} <= set(meta) or list(table.column_names) != COLUMNS:
            raise DezsimError(f"{path}: not a dezsim results file (columns {table.column_names}; "
                              f"expected {COLUMNS} with design metadata)")
        if _META_CHECKSUM not in meta:
            raise DezsimError(f"{path}: results file without a checksum (written by an older dezsim or "
                              "altered); re-run to write it again")
        try:
            frame = table.to_pandas()
            ok = checksum(frame, meta[_META_DESIGN], meta[_META_PROVENANCE]) == meta[_META_CHECKSUM].decode()
            design = pd.DataFrame(json.loads(meta[_META_DESIGN].decode()))
            provenance = json.loads(meta[_META_PROVENANCE].decode())
        except Exception as exc:  # noqa: BLE001 - damaged pandas/JSON metadata fails in many ways
            raise DezsimError(f"{path}: damaged results metadata ({_short(exc)})") from None
        if not ok or not isinstance(provenance, dict):
            raise DezsimError(f"{path}: checksum mismatch: the file was damaged or altered after it was written")
        return cls(frame, design, provenance)


def indicator_units(pint: bool = False) -> dict[str, str]:
    """Indicator name -> unit code (or its pint string) from ``data/indicators.csv`` and ``data/units.csv``."""
    from dezsim.data.dataset import default_root

    root = default_root()
    ind = pd.read_csv(root / "indicators.csv", usecols=["name", "unit"], dtype=str)
    codes = dict(zip(ind.name, ind.unit, strict=True))
    if not pint:
        return codes
    units = pd.read_csv(root / "units.csv", usecols=["code", "pint"], dtype=str)
    strings = dict(zip(units.code, units.pint, strict=True))
    return {name: strings.get(code, "") for name, code in codes.items()}


def checksum(frame: pd.DataFrame, design: bytes, provenance: bytes) -> str:
    """SHA-256 over a results table (every column, by value) and its design and provenance metadata."""
    h = hashlib.sha256()
    if list(frame.columns) != COLUMNS:
        return ""
    for col, dtype in (("run", "int64"), ("year", "int64"), ("value", "float64")):
        h.update(np.ascontiguousarray(frame[col].to_numpy(dtype=dtype)).tobytes())
    for col in ("scenario", "region", "indicator"):
        # hash_pandas_object hashes a categorical by its values, so dtype (category or str) does not matter
        h.update(pd.util.hash_pandas_object(frame[col].astype(str), index=False).to_numpy().tobytes())
    h.update(design)
    h.update(provenance)
    return h.hexdigest()


def _short(exc: BaseException) -> str:
    """An exception as one short line (pyarrow messages can span lines)."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:200]}"

