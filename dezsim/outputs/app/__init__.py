"""``dezsim app``: a Solara dashboard to move the policy levers and watch the target probabilities.

:mod:`dezsim.outputs.app.model` computes (no UI); :mod:`dezsim.outputs.app.page` is the page; :func:`command` is what
``dezsim app`` starts.
"""

from __future__ import annotations

import importlib.util
import os
import sys

from dezsim.base.errors import DezsimError


def command(host: str = "127.0.0.1", port: int = 8765, runs: int | None = None) -> tuple[list[str], dict]:
    """The server command and environment: ``solara run dezsim.outputs.app.page`` on ``host:port`` (loopback by
    default), production mode, no browser opened, no telemetry (the machine may have no network)."""
    if importlib.util.find_spec("solara") is None:
        raise DezsimError("the dashboard needs Solara: install the app extra (pip install -e '.[app]')")
    env = dict(os.environ, SOLARA_TELEMETRY_MIXPANEL_ENABLE="False")
    if runs is not None:
        env["DEZSIM_APP_RUNS"] = str(runs)
    cmd = [sys.executable, "-m", "solara", "run", "dezsim.outputs.app.page", "--host", host, "--port", str(port),
           "--production", "--no-open"]
    return cmd, env
