"""Shared checks of the bad-input catalogue: a refused input is one line on stderr, rc != 0, no traceback."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from dezsim.cli import app

runner = CliRunner()


def one_line_error(args: list[str], pattern: str | None = None) -> str:
    """Invoke ``dezsim args``; assert it fails with exactly one line on stderr (matching ``pattern``).

    Returns the line. Exceptions other than a handled exit (a traceback) fail the test.
    """
    result = runner.invoke(app, [str(a) for a in args], catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"traceback instead of one line: {result.exception!r}") from result.exception
    lines = result.stderr.strip().splitlines()
    assert result.exit_code != 0, result.output
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    if pattern is not None:
        assert re.search(pattern, lines[0]), lines[0]
    return lines[0]
