"""The ``dezsim`` command line: thin commands that parse options, call the library and print its results.

Each group of commands lives in its own module (``data_commands``, ``run_commands``, ``calibrate_commands``,
``reach_commands``, ``sweep_commands``, ``app_command``) and registers on the one Typer :data:`app` of
:mod:`~dezsim.cli.common`. User errors (:class:`~dezsim.base.errors.DezsimError`) print as one line on stderr with exit
code 2, never a traceback. The CLI may import every layer; nothing imports it.
"""

from __future__ import annotations

import sys
import warnings

from dezsim.base.errors import DezsimError
# Importing a command module registers its commands; this order is the order of `dezsim --help`.
from dezsim.cli import (data_commands, run_commands, calibrate_commands, reach_commands,  # noqa: F401
                        sweep_commands, app_command)
from dezsim.cli.common import app

__all__ = ["app", "main"]


def show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Print a warning as one line, ``warning: <message>``, for the people at the shell.

    Python's default display adds the file, line number and source line of the code that warned, which
    speaks to developers, not to an analyst reading the run's output; the message itself names what to do.
    """
    print(f"warning: {message}", file=sys.stderr if file is None else file)


def main() -> None:  # pragma: no cover - thin wrapper for `python -m dezsim`
    warnings.showwarning = show_warning
    try:
        app()
    except DezsimError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
