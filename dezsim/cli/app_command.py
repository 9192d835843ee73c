"""``dezsim app``: serve the dashboard."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from dezsim.cli.common import app, console, one_line_errors


@app.command("app")
def app_cmd(
    port: Annotated[int, typer.Option(min=0, max=65535, help="port to serve on (0: any free port)")] = 8765,
    host: Annotated[str, typer.Option(help="address to bind (default loopback: only this machine)")] = "127.0.0.1",
    runs: Annotated[int, typer.Option(min=2, help="runs per evaluation")] = 100,
) -> None:
    """The dashboard (Solara): pick a plan or region and a scenario, move the levers, watch p and the fan charts."""
    import os

    from dezsim.outputs.app import command

    with one_line_errors():
        cmd, env = command(host, port, runs)
    console.print(f"dezsim dashboard on http://{host}:{port} ({runs} runs per evaluation); Ctrl-C stops it")
    sys.stdout.flush()
    os.execve(cmd[0], cmd, env)  # the server replaces this process: signals reach it directly
