"""The calibrated ensemble on disk: ``calibration/ensemble.parquet`` and its manifest ``ensemble.json``.

Written by :mod:`dezsim.calibrate`, read by every simulation (so neither imports the other).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from dezsim import params as P
from dezsim.errors import DezsimError

ROOT = Path(__file__).resolve().parent.parent / "calibration"
ENSEMBLE = ROOT / "ensemble.parquet"
MANIFEST = ROOT / "ensemble.json"


def save(ensemble: pd.DataFrame, manifest: dict, folder: Path = ROOT) -> Path:
    """Write ``ensemble.parquet`` and ``ensemble.json`` (the manifest) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    ensemble.to_parquet(folder / ENSEMBLE.name, index=False)
    (folder / MANIFEST.name).write_text(json.dumps(manifest, indent=2, sort_keys=True, default=float) + "\n",
                                        encoding="utf-8")
    return folder / ENSEMBLE.name


def load_ensemble(folder: Path = ROOT) -> tuple[pd.DataFrame, dict] | None:
    """The stored ensemble and manifest, or None when none is stored; a damaged pair raises DezsimError."""
    path, meta = folder / ENSEMBLE.name, folder / MANIFEST.name
    if not path.exists():
        return None
    try:
        ensemble = pd.read_parquet(path)
        manifest = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DezsimError(f"{path}: calibrated ensemble unreadable ({exc}); re-run `dezsim calibrate`") from None
    missing = sorted(set(P.BY_NAME) - set(ensemble.columns))
    if missing or len(ensemble) != manifest.get("size"):
        raise DezsimError(f"{path}: calibrated ensemble does not match the declared parameters (missing "
                          f"{missing[:5]}); re-run `dezsim calibrate`")
    return ensemble, manifest


def central(stored: tuple[pd.DataFrame, dict] | None) -> dict[str, float]:
    """One value per parameter: the calibrated point estimate (posterior median) where the data speak, the
    declared default otherwise (used to hold the parameters a sensitivity design does not vary)."""
    values = P.defaults()
    if stored is not None:
        values |= {k: float(v) for k, v in stored[1]["point"].items()}
    return values
