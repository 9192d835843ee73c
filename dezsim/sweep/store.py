"""The sweep results store: a manifest, the design, and one Parquet file per chunk of runs.

A chunk is written whole or not at all (a temporary file renamed into place), and carries in its metadata the
sweep id, the sweep's identity (scenario, design, seed, code version, data and calibration digests), its index,
its runs and a checksum of its values. Reading verifies every chunk and refuses, in one line, a chunk that is
damaged, misplaced or from another sweep; resuming recomputes such chunks and removes files that are not
chunks of the sweep. One writer at a time: a lock file records the writer's pid and host.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import socket
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from dezsim.base.atomic import atomic_write_bytes
from dezsim.base.errors import DezsimError

META = b"dezsim.chunk"
#: What a sweep's identity records, with the words used to name a difference.
IDENTITY = {"scenario": "scenario digest", "design": "design digest", "seed": "seed", "code_version": "code version",
            "data_hash": "data digest", "calibration": "calibration digest"}
REQUIRED = ("sweep_id", "runs", "chunk_size", "identity")


#: A chunk's columns, in order.
COLUMNS = ["run", "region", "year", "indicator", "value"]


def checksum(table: pd.DataFrame) -> str:
    """SHA-256 over a chunk's column names, runs, years, values, regions and indicators."""
    if list(table.columns) != COLUMNS:
        return ""
    h = hashlib.sha256("|".join(COLUMNS).encode())
    for col in ("run", "year", "value"):
        h.update(np.ascontiguousarray(table[col].to_numpy()).tobytes())
    h.update("|".join(table["region"].astype(str)).encode())
    h.update("|".join(table["indicator"].astype(str)).encode())
    return h.hexdigest()


def design_digest(design: pd.DataFrame) -> str:
    """SHA-256 of a design table (column names and values)."""
    h = hashlib.sha256(json.dumps(list(map(str, design.columns))).encode())
    h.update(pd.util.hash_pandas_object(design, index=False).to_numpy().tobytes())
    return h.hexdigest()


def chunk_bytes(table: pd.DataFrame, sweep_id: str, index: int, runs: list[int], identity: dict | None = None
                ) -> bytes:
    """Serialise a chunk table with its identity in the Parquet metadata."""
    arrow = pa.Table.from_pandas(table, preserve_index=False)
    meta = {"sweep_id": sweep_id, "index": index, "runs": [int(r) for r in runs], "rows": len(table),
            "checksum": checksum(table), "identity": identity or {}}
    arrow = arrow.replace_schema_metadata({**(arrow.schema.metadata or {}), META: json.dumps(meta).encode()})
    buf = io.BytesIO()
    pq.write_table(arrow, buf)
    return buf.getvalue()


def differs(expected: dict, found: dict, where: tuple[str, str] = ("the sweep", "the chunk")) -> str | None:
    """The first identity field on which two identities differ, in words (None if they agree)."""
    for key, words in IDENTITY.items():
        a, b = expected.get(key), found.get(key)
        if a != b:
            return f"{words} {str(a)[:12]} in {where[0]}, {str(b)[:12]} in {where[1]}"
    return None


@dataclass(frozen=True)
class Store:
    """A sweep's folder: ``manifest.json``, ``design.parquet`` and ``chunks/chunk-NNNNNN.parquet``."""

    root: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", Path(self.root))  # Store("out/mc") as well as Store(Path(...))

    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest.json"

    @property
    def lock_path(self) -> Path:
        return self.root / ".lock"

    def chunk_path(self, index: int) -> Path:
        return self.root / "chunks" / f"chunk-{index:06d}.parquet"

    def create_or_check(self, manifest: dict, design: pd.DataFrame) -> bool:
        """Start a new store, or confirm an existing one belongs to the same sweep; True if it existed.

        Call it holding :meth:`lock`. On resume, files that are not chunks of this sweep are removed (and named
        in a warning) and a missing or altered ``design.parquet`` is written again.
        """
        if self.manifest_path.exists():
            old = self.manifest()
            if old["sweep_id"] != manifest["sweep_id"]:
                what = (differs(manifest["identity"], old["identity"], ("this request", "the store"))
                        or "chunking, agents or kept outputs differ")
                raise DezsimError(f"{self.root}: holds another sweep (id {old['sweep_id'][:12]}, this one "
                                  f"{manifest['sweep_id'][:12]}: {what}); choose another --out folder")
            if not (self.root / "design.parquet").exists() or self._design_digest() != design_digest(design):
                self._write_design(design)
            removed = self.clean()
            if removed:
                warnings.warn(f"{self.root}: removed {len(removed)} files that are not chunks of this sweep: "
                              f"{', '.join(p.name for p in removed[:5])}", stacklevel=3)
            return True
        (self.root / "chunks").mkdir(parents=True, exist_ok=True)
        self._write_design(design)
        atomic_write_bytes(self.manifest_path, (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode())
        return False

    def _write_design(self, design: pd.DataFrame) -> None:
        buf = io.BytesIO()
        design.to_parquet(buf, index=False)
        atomic_write_bytes(self.root / "design.parquet", buf.getvalue())

    def write_chunk(self, index: int, data: bytes) -> None:
        """Store a chunk atomically (a kill leaves either the old state or the whole new file)."""
        atomic_write_bytes(self.chunk_path(index), data)

    def valid_chunk(self, index: int, sweep_id: str, runs: list[int]) -> bool:
        """Whether chunk ``index`` exists, is readable, belongs to this sweep and matches its checksum."""
        return self.chunk_path(index).exists() and self._read_chunk(index, sweep_id, runs, {})[1] is None

    def _read_chunk(self, index: int, sweep_id: str, runs: list[int], identity: dict
                    ) -> tuple[pd.DataFrame | None, str | None]:
        """Chunk ``index`` and None, or None and why it cannot be used."""
        try:
            table = pq.read_table(self.chunk_path(index))
            meta = json.loads((table.schema.metadata or {}).get(META, b"{}"))
            frame = table.to_pandas()
        except Exception as exc:  # noqa: BLE001 - a damaged file fails in many ways inside pyarrow/pandas
            return None, f"unreadable ({type(exc).__name__}: {' '.join(str(exc).split())[:120]})"
        if not isinstance(meta, dict) or meta.get("sweep_id") != sweep_id:
            other = meta.get("identity") if isinstance(meta, dict) else None
            what = differs(identity, other) if isinstance(other, dict) and identity else None
            return None, f"a chunk of another sweep ({what or 'sweep id differs'})"
        if meta.get("index") != index or meta.get("runs") != runs:
            return None, f"holds the runs of chunk {meta.get('index')}, not of chunk {index} (a copied file)"
        if meta.get("rows") != len(frame) or meta.get("checksum") != checksum(frame) or not checksum(frame):
            return None, "checksum mismatch (the file was damaged or altered)"
        return frame, None

    def chunk_runs(self) -> list[list[int]]:
        """The run ids of every chunk of the sweep, from the manifest's chunk size and the design."""
        runs, size = self.design()["run"].astype(int).tolist(), int(self.manifest()["chunk_size"])
        return [runs[i:i + size] for i in range(0, len(runs), size)]

    def extras(self) -> list[Path]:
        """Files under ``chunks/`` that are not a chunk of this sweep's layout (copies, leftovers, foreign)."""
        expected = {self.chunk_path(i).name for i in range(len(self.chunk_runs()))}
        folder = self.root / "chunks"
        return sorted(p for p in folder.iterdir() if p.name not in expected) if folder.is_dir() else []

    def clean(self) -> list[Path]:
        """Remove :meth:`extras` (files only) and return them."""
        removed = [p for p in self.extras() if p.is_file() or p.is_symlink()]
        for p in removed:
            p.unlink(missing_ok=True)
        return removed

    def missing(self) -> list[int]:
        """Indices of chunks not stored yet (their files are absent)."""
        return [i for i in range(len(self.chunk_runs())) if not self.chunk_path(i).exists()]

    def frame(self, indicator: str | None = None, region: str | None = None, year: int | None = None,
              partial: bool = False) -> pd.DataFrame:
        """The stored outputs (tidy: run, region, year, indicator, value), filtered, sorted by run.

        Every chunk is verified (readable, of this sweep, in its place, checksum); a bad one raises
        :class:`DezsimError` naming it. An incomplete sweep raises too unless ``partial``. Files that are not
        chunks of the sweep are never read (a warning names them).
        """
        manifest, layout = self.manifest(), self.chunk_runs()
        extras = self.extras()
        if extras:
            warnings.warn(f"{self.root}: ignoring {len(extras)} files that are not chunks of this sweep: "
                          f"{', '.join(p.name for p in extras[:5])}", stacklevel=2)
        missing = self.missing()
        if len(missing) == len(layout):
            raise DezsimError(f"{self.root}: no results stored")
        if missing and not partial:
            stored = sum(len(r) for i, r in enumerate(layout) if i not in set(missing))
            raise DezsimError(f"{self.root}: incomplete sweep: {stored} of {manifest['runs']} runs stored "
                              f"({len(missing)} chunks missing); re-run its sweep command to finish it, or accept "
                              "the stored runs (partial=True; `dezsim discover --partial`)")
        parts = []
        for i, runs in enumerate(layout):
            if i in missing:
                continue
            frame, why = self._read_chunk(i, manifest["sweep_id"], runs, manifest["identity"])
            if why is not None:
                raise DezsimError(f"{self.chunk_path(i)}: {why}; re-run the sweep command to recompute it")
            for col, val in (("indicator", indicator), ("region", region), ("year", year)):
                if val is not None:
                    frame = frame[frame[col] == val]
            parts.append(frame)
        table = pd.concat(parts, ignore_index=True)
        return table.sort_values(["run", "region", "indicator", "year"], kind="stable").reset_index(drop=True)

    def tidy(self, **filters) -> pd.DataFrame:
        """:meth:`frame` (same ``filters``) with a ``unit`` column: each indicator's unit code from
        ``data/indicators.csv`` (pint strings in ``data/units.csv``), as :meth:`dezsim.model.results.Results.tidy`."""
        from dezsim.model.results import indicator_units

        out = self.frame(**filters)
        out["unit"] = out.indicator.astype(str).map(indicator_units()).astype("category")
        return out

    def manifest(self) -> dict:
        """The stored manifest (checked to be a sweep manifest: one-line error otherwise)."""
        try:
            manifest = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise DezsimError(f"{self.manifest_path}: missing; {self.root} is not a sweep store") from None
        except (OSError, ValueError) as exc:
            raise DezsimError(f"{self.manifest_path}: unreadable manifest ({exc})") from None
        if isinstance(manifest, dict) and "sweep_id" in manifest and "identity" not in manifest:
            raise DezsimError(f"{self.manifest_path}: written by an older dezsim (no sweep identity); its chunks "
                              "cannot be verified: re-run the sweep into a new --out folder")
        if not isinstance(manifest, dict) or not all(k in manifest for k in REQUIRED) \
                or not isinstance(manifest["identity"], dict):
            shown = json.dumps(manifest)[:60]
            raise DezsimError(f"{self.manifest_path}: not a sweep manifest (found {shown}; expected an object with "
                              f"{', '.join(REQUIRED)})")
        return manifest

    def design(self) -> pd.DataFrame:
        """The stored design (one row per run), checked against the manifest's design digest."""
        path = self.root / "design.parquet"
        try:
            design = pd.read_parquet(path)
        except FileNotFoundError:
            raise DezsimError(f"{path}: missing; re-run the sweep command to write it again") from None
        except (OSError, ValueError, pa.ArrowException) as exc:
            raise DezsimError(f"{path}: unreadable design ({type(exc).__name__}); re-run the sweep command") \
                from None
        if "run" not in design.columns or design_digest(design) != self.manifest()["identity"].get("design"):
            raise DezsimError(f"{path}: does not match the manifest's design digest (altered or from another "
                              "sweep); re-run the sweep command to write it again")
        return design

    def _design_digest(self) -> str | None:
        try:
            return design_digest(pd.read_parquet(self.root / "design.parquet"))
        except (OSError, ValueError, pa.ArrowException):
            return None

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the store's lock file (pid, host, start time) while writing; refuse if another writer holds it.

        A lock left by a process of this host that no longer runs (killed) is stale: it is taken over with a
        warning. A lock from another host cannot be checked from here: the message says how to remove it.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        mine = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        tmp = self.root / f".lock.tmp-{os.getpid()}"
        tmp.write_text(json.dumps(mine), encoding="utf-8")
        try:
            for _ in range(2):
                try:
                    os.link(tmp, self.lock_path)  # atomic: fails if the lock exists
                    break
                except FileExistsError:
                    self._break_stale_lock()
            else:
                raise DezsimError(f"{self.lock_path}: could not take the store's lock")
        finally:
            tmp.unlink(missing_ok=True)
        try:
            yield
        finally:
            self.lock_path.unlink(missing_ok=True)

    def _break_stale_lock(self) -> None:
        """Remove the lock if its writer is a dead process of this host; else refuse naming the writer."""
        try:
            text = self.lock_path.read_text(encoding="utf-8")
            holder = json.loads(text)
            pid, host = int(holder["pid"]), str(holder["host"])
        except FileNotFoundError:
            return  # released meanwhile: try again
        except (OSError, ValueError, KeyError, TypeError):
            raise DezsimError(f"{self.lock_path}: unreadable lock file; if no sweep writes to {self.root}, "
                              "delete it") from None
        if host == socket.gethostname() and not _alive(pid):
            if self.lock_path.read_text(encoding="utf-8") == text:  # still the dead writer's lock
                self.lock_path.unlink(missing_ok=True)
            warnings.warn(f"{self.lock_path}: took over the lock of pid {pid} (no longer running)", stacklevel=4)
            return
        raise DezsimError(f"{self.root}: in use by another sweep (pid {pid} on {host} since "
                          f"{holder.get('since', '?')}); wait for it to finish, or delete {self.lock_path} if no "
                          "sweep runs there")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

