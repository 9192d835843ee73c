"""The sweep results store: a manifest, the design, and one Parquet file per chunk of runs.

A chunk is written whole or not at all (a temporary file renamed into place), and carries in its metadata the
sweep id, its index, its runs and a checksum of its values; a chunk that is missing, unreadable, from another
sweep or with a wrong checksum is recomputed on resume, never used.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from dezsim.errors import DezsimError

META = b"dezsim.chunk"


def checksum(table: pd.DataFrame) -> str:
    """SHA-256 over a chunk's runs, years and values (the bits that must not change)."""
    h = hashlib.sha256()
    for col in ("run", "year", "value"):
        h.update(np.ascontiguousarray(table[col].to_numpy()).tobytes())
    h.update("|".join(table["region"].astype(str)).encode())
    h.update("|".join(table["indicator"].astype(str)).encode())
    return h.hexdigest()


def chunk_bytes(table: pd.DataFrame, sweep_id: str, index: int, runs: list[int]) -> bytes:
    """Serialise a chunk table with its identity in the Parquet metadata."""
    arrow = pa.Table.from_pandas(table, preserve_index=False)
    meta = {"sweep_id": sweep_id, "index": index, "runs": [int(r) for r in runs], "rows": len(table),
            "checksum": checksum(table)}
    arrow = arrow.replace_schema_metadata({**(arrow.schema.metadata or {}), META: json.dumps(meta).encode()})
    buf = io.BytesIO()
    pq.write_table(arrow, buf)
    return buf.getvalue()


@dataclass(frozen=True)
class Store:
    """A sweep's folder: ``manifest.json``, ``design.parquet`` and ``chunks/chunk-NNNNNN.parquet``."""

    root: Path

    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest.json"

    def chunk_path(self, index: int) -> Path:
        return self.root / "chunks" / f"chunk-{index:06d}.parquet"

    def create_or_check(self, manifest: dict, design: pd.DataFrame) -> bool:
        """Start a new store, or confirm an existing one belongs to the same sweep; True if it existed."""
        if self.manifest_path.exists():
            try:
                old = json.loads(self.manifest_path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise DezsimError(f"{self.manifest_path}: unreadable manifest ({exc})") from None
            if old.get("sweep_id") != manifest["sweep_id"]:
                raise DezsimError(f"{self.root}: holds another sweep (id {old.get('sweep_id', '?')[:12]}, this one "
                                  f"{manifest['sweep_id'][:12]}); choose another --out folder")
            for stale in (self.root / "chunks").glob(".chunk-*.tmp-*"):  # left by a killed writer
                stale.unlink(missing_ok=True)
            return True
        (self.root / "chunks").mkdir(parents=True, exist_ok=True)
        design.to_parquet(self.root / "design.parquet", index=False)
        self._atomic_write(self.manifest_path, (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode())
        return False

    def write_chunk(self, index: int, data: bytes) -> None:
        """Store a chunk atomically (a kill leaves either the old state or the whole new file)."""
        self._atomic_write(self.chunk_path(index), data)

    def valid_chunk(self, index: int, sweep_id: str, runs: list[int]) -> bool:
        """Whether chunk ``index`` exists, is readable, belongs to this sweep and matches its checksum."""
        path = self.chunk_path(index)
        if not path.exists():
            return False
        try:
            table = pq.read_table(path)
            meta = json.loads((table.schema.metadata or {}).get(META, b"{}"))
            frame = table.to_pandas()
        except (OSError, ValueError, pa.ArrowException):
            return False
        return (meta.get("sweep_id") == sweep_id and meta.get("index") == index and meta.get("runs") == runs
                and meta.get("rows") == len(frame) and meta.get("checksum") == checksum(frame))

    def frame(self, indicator: str | None = None, region: str | None = None, year: int | None = None
              ) -> pd.DataFrame:
        """The stored outputs (tidy: run, region, year, indicator, value), filtered, sorted by run."""
        import pyarrow.dataset as pads

        files = sorted((self.root / "chunks").glob("chunk-*.parquet"))
        if not files:
            raise DezsimError(f"{self.root}: no results stored")
        dataset = pads.dataset([str(f) for f in files], format="parquet")
        cond = None
        for col, val in (("indicator", indicator), ("region", region), ("year", year)):
            if val is not None:
                term = pads.field(col) == val
                cond = term if cond is None else cond & term
        table = dataset.to_table(filter=cond).to_pandas()
        return table.sort_values(["run", "region", "indicator", "year"], kind="stable").reset_index(drop=True)

    def manifest(self) -> dict:
        """The stored manifest."""
        return json.loads(self.manifest_path.read_text(encoding="utf-8"))

    def design(self) -> pd.DataFrame:
        """The stored design (one row per run)."""
        return pd.read_parquet(self.root / "design.parquet")

    @staticmethod
    def _atomic_write(path: Path, data: bytes) -> None:
        tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
