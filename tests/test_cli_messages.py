"""What the ``dezsim`` command prints for warnings and errors: one line each, for the analyst at the shell."""

from __future__ import annotations

import warnings

import pytest

from dezsim import cli
from dezsim.base.errors import ConfigError


def test_main_prints_a_warning_and_an_error_as_one_line_each(monkeypatch, capsys):
    def app_that_warns_then_fails():
        warnings.warn("region growth offsets clipped in some cells", UserWarning, stacklevel=2)
        raise ConfigError("scenarios/x.yaml: runs = -1: allowed: an integer >= 1")

    monkeypatch.setattr(cli, "app", app_that_warns_then_fails)
    with warnings.catch_warnings():  # restores the display main() installs
        warnings.simplefilter("always")
        with pytest.raises(SystemExit) as stop:
            cli.main()
    assert stop.value.code == 2
    assert capsys.readouterr().err.splitlines() == [
        "warning: region growth offsets clipped in some cells",
        "error: scenarios/x.yaml: runs = -1: allowed: an integer >= 1"]
