"""One direction of data: the SD core never imports the agents, the agents never import the SD core (only the
coupling sees both), and analysis modules do not reach back into the model's internals."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "dezsim"


def imports(folder: str) -> set[str]:
    names = set()
    for path in (PACKAGE / folder).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
    return names


def test_sd_core_does_not_import_the_agents():
    assert not {m for m in imports("sd") if m.startswith(("dezsim.abm", "dezsim.coupling", "mesa"))}


def test_agents_do_not_import_the_sd_core():
    assert not {m for m in imports("abm") if m.startswith(("dezsim.sd", "dezsim.coupling", "dezsim.simulate"))}


def test_nothing_runs_on_import():
    import subprocess
    import sys

    code = "import sys, dezsim; print(sorted(m for m in ('numba', 'sympy', 'mesa', 'dask') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
