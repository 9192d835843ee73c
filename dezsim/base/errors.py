"""Exceptions raised by dezsim.

Every error a user can cause derives from :class:`DezsimError`; its message is one line that names the
file, the field, the offending value and what is allowed, so that the CLI can print it without a traceback.
"""

from __future__ import annotations


class DezsimError(Exception):
    """Base class of all dezsim errors."""


class ConfigError(DezsimError, ValueError):
    """Bad user input: a scenario file, a parameter override, an unknown region or indicator."""


class DataError(ConfigError):
    """A malformed row or file under ``data/`` (or a user-supplied table of the same form)."""


class SimulationError(DezsimError, RuntimeError):
    """The model reached a state it cannot continue from (e.g. a non-finite stock)."""


class OutputError(DezsimError, OSError):
    """An output path that cannot be written (missing, read-only or file-typed folder; a failed write)."""
