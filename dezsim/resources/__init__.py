"""What dezsim reads at run time, shipped inside the package: ``data/`` (every figure with its source and quote,
the plan texts in ``data/plans/`` and the stored pages in ``data/pages/``), ``calibration/`` (the fitted ensemble
and its validation pages) and ``scenarios/`` (the scenario library).

Each folder is found through :mod:`importlib.resources`, so a wheel, an editable install and a checkout read the
same files and nothing outside the installed package. One environment variable per folder points elsewhere
(``DEZSIM_DATA``, ``DEZSIM_CALIBRATION``; ``DEZSIM_SEEDS`` for the plan texts alone); a scenario file can be
anywhere already, so the library has none.
This module imports nothing of dezsim, so every layer may use it.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

#: Environment variable that replaces each shipped folder.
ENV = {"data": "DEZSIM_DATA", "calibration": "DEZSIM_CALIBRATION"}


def shipped(name: str) -> Path:
    """The folder ``name`` (``data``, ``calibration`` or ``scenarios``) as installed with the package."""
    folder = files(__name__) / name
    if not isinstance(folder, Path):  # a zipped install: the folders must be real files to be read and written
        raise RuntimeError(f"dezsim's {name}/ folder is inside an archive ({folder}); install dezsim unzipped")
    return folder


def folder(name: str) -> Path:
    """The folder ``name`` in use: the environment variable of :data:`ENV` if set, else the shipped one."""
    env = os.environ.get(ENV[name])
    return Path(env) if env else shipped(name)


def data_root() -> Path:
    """The ``data/`` folder in use (``DEZSIM_DATA`` overrides the shipped one)."""
    return folder("data")


def calibration_root() -> Path:
    """The ``calibration/`` folder in use (``DEZSIM_CALIBRATION`` overrides the shipped one)."""
    return folder("calibration")


def scenarios_root() -> Path:
    """The shipped scenario library (a scenario's ``base`` may always name a file in it)."""
    return shipped("scenarios")


def plans_root(data: Path | None = None) -> Path:
    """The folder of the five plan texts that ``data/`` cites by file name: ``DEZSIM_SEEDS`` if set, else
    ``plans/`` inside ``data`` (default: :func:`data_root`)."""
    env = os.environ.get("DEZSIM_SEEDS")
    return Path(env) if env else (data if data is not None else data_root()) / "plans"
