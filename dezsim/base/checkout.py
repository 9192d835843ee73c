"""The source checkout's ``docs/`` folder, for the developer commands that regenerate its pages (``--write``).

A run never reads it: ``docs/`` is not package data. Installed from a wheel there is no checkout, and writing a
page says so in one line instead of creating a stray folder in site-packages.
"""

from __future__ import annotations

from pathlib import Path

from dezsim.base.errors import ConfigError

#: ``docs/`` beside the package in a source checkout (``dezsim/base/checkout.py`` -> the checkout's root).
DOCS = Path(__file__).resolve().parents[2] / "docs"


def docs_page(name: str) -> Path:
    """Path of ``docs/<name>`` in the source checkout (it need not exist yet)."""
    return DOCS / name


def writable_docs_page(name: str) -> Path:
    """``docs/<name>`` for a ``--write`` command; raises :class:`ConfigError` outside a source checkout."""
    if not (DOCS.parent / "pyproject.toml").is_file():
        raise ConfigError(f"docs/{name}: --write regenerates a source checkout's docs/, and this dezsim is "
                          f"installed without one ({DOCS.parent}); run it from a clone of the repository")
    DOCS.mkdir(exist_ok=True)
    return DOCS / name
