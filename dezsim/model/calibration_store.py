"""The calibrated ensemble on disk: ``calibration/ensemble.parquet`` and its manifest ``ensemble.json``.

Written by :mod:`dezsim.calibration.calibrate`, read by every simulation (so neither imports the other).
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

from dezsim.base.errors import DezsimError
from dezsim.model import params as P
from dezsim.resources import shipped

ROOT = shipped("calibration")
ENSEMBLE = ROOT / "ensemble.parquet"
MANIFEST = ROOT / "ensemble.json"


def save(ensemble: pd.DataFrame, manifest: dict, folder: Path = ROOT) -> Path:
    """Write ``ensemble.parquet`` and ``ensemble.json`` (the manifest) into ``folder``."""
    from dezsim.base.atomic import atomic_path, atomic_write_text

    folder.mkdir(parents=True, exist_ok=True)
    with atomic_path(folder / ENSEMBLE.name) as tmp:
        ensemble.to_parquet(tmp, index=False)
    atomic_write_text(folder / MANIFEST.name, json.dumps(manifest, indent=2, sort_keys=True, default=float) + "\n")
    return folder / ENSEMBLE.name


def default_root() -> Path:
    """The ``calibration/`` folder in use: the one shipped in the package (``DEZSIM_CALIBRATION`` overrides it,
    as ``DEZSIM_DATA`` does for data/)."""
    env = os.environ.get("DEZSIM_CALIBRATION")
    return Path(env) if env else ROOT


def origin_folder(origin: int) -> Path:
    """The folder of the calibration of ``origin``: the calibration folder itself for the base origin (2020),
    ``origins/<year>/`` in it for an earlier one (each with its own manifest, data hash and cut-off year)."""
    from dezsim.model.origin import BASE_ORIGIN

    return default_root() if origin == BASE_ORIGIN else default_root() / "origins" / str(origin)


def load_ensemble(folder: Path | None = None) -> tuple[pd.DataFrame, dict] | None:
    """The stored ensemble and manifest, or None when none is stored.

    A damaged pair, a missing parameter, or a value outside its declared bounds (in the ensemble or in the
    manifest's point estimates) raises :class:`DezsimError` naming file, parameter, value and allowed range.
    """
    folder = default_root() if folder is None else Path(folder)
    path, meta = folder / ENSEMBLE.name, folder / MANIFEST.name
    if not path.exists():
        return None
    try:
        raw, text = path.read_bytes(), meta.read_text(encoding="utf-8")
    except (OSError, ValueError) as exc:
        raise DezsimError(f"{path}: calibrated ensemble unreadable ({exc}); re-run `dezsim calibrate`") from None
    # keyed by the files' contents, not their names or times: a changed byte is read and checked afresh, and
    # the many simulations of one process (a lever search, a sweep) read and check the same pair once
    key = (str(path), hashlib.sha256(raw).hexdigest(), hashlib.sha256(text.encode()).hexdigest())
    if key not in _LOADED:
        _LOADED.clear()
        _LOADED[key] = _read_checked(path, meta, raw, text)
    ensemble, manifest = _LOADED[key]
    return ensemble.copy(), copy.deepcopy(manifest)  # callers may change their copies


_LOADED: dict[tuple, tuple[pd.DataFrame, dict]] = {}


def _read_checked(path: Path, meta: Path, raw: bytes, text: str) -> tuple[pd.DataFrame, dict]:
    """The ensemble and manifest parsed from their bytes and checked (see :func:`load_ensemble`)."""
    import io

    try:
        ensemble = pd.read_parquet(io.BytesIO(raw))
        manifest = json.loads(text)
    except (OSError, ValueError) as exc:
        raise DezsimError(f"{path}: calibrated ensemble unreadable ({exc}); re-run `dezsim calibrate`") from None
    missing = sorted(set(P.BY_NAME) - set(ensemble.columns))
    if not isinstance(manifest, dict) or missing or len(ensemble) != manifest.get("size"):
        raise DezsimError(f"{path}: calibrated ensemble does not match the declared parameters (missing "
                          f"{missing[:5]}) or its manifest {meta.name}; re-run `dezsim calibrate`")
    _check_bounds(path, ensemble)
    point = manifest.get("point", {})
    if not isinstance(point, dict):
        raise DezsimError(f"{meta}: field 'point' = {point!r}: not a mapping; re-run `dezsim calibrate`")
    _check_bounds(meta, pd.DataFrame({k: [v] for k, v in point.items() if k in P.BY_NAME}), "point ")
    return ensemble, manifest


def _check_bounds(path: Path, table: pd.DataFrame, what: str = "") -> None:
    """Every value of every declared parameter in ``table`` is a finite number inside its bounds."""
    for name in table.columns.intersection(list(P.BY_NAME)):
        p = P.BY_NAME[name]
        values = pd.to_numeric(table[name], errors="coerce").to_numpy(dtype=float)
        bad = ~((values >= p.bounds[0]) & (values <= p.bounds[1]))  # NaN fails both comparisons
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            shown = table[name].iloc[i]
            shown = float(shown) if isinstance(shown, (int, float, np.number)) else shown
            raise DezsimError(f"{path}: {what}parameter {name!r} = {shown!r} (row {i}, {int(bad.sum())} "
                              f"such rows) out of range; allowed: {p.bounds[0]} to {p.bounds[1]} {p.unit}; "
                              "re-run `dezsim calibrate`")


def digest(stored: tuple[pd.DataFrame, dict] | None) -> str:
    """SHA-256 of a calibrated ensemble's values and manifest ("none" when no ensemble is stored): the
    calibration part of a sweep's identity."""
    if stored is None:
        return "none"
    ensemble, manifest = stored
    h = hashlib.sha256(json.dumps(list(map(str, ensemble.columns))).encode())
    h.update(pd.util.hash_pandas_object(ensemble, index=False).to_numpy().tobytes())
    h.update(json.dumps(manifest, sort_keys=True, default=str).encode())
    return h.hexdigest()


def central(stored: tuple[pd.DataFrame, dict] | None) -> dict[str, float]:
    """One value per parameter: the calibrated point estimate (posterior median) where the data speak, the
    declared default otherwise (used to hold the parameters a sensitivity design does not vary)."""
    values = P.defaults()
    if stored is not None:
        values |= {k: float(v) for k, v in stored[1]["point"].items()}
    return values
