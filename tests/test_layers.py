"""The layer contract of pyproject.toml ([tool.importlinter]): the folders' arrows run one way, no folder's modules
import each other in a cycle, and the contract breaks on a deliberately wrong import (so it is no test that cannot
fail)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).with_name("lint-imports")


def lint(cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), "--no-cache"], cwd=cwd, capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture(scope="module")
def broken_copy(tmp_path_factory):
    """A copy of the package and its contract in an empty folder, importable first on PYTHONPATH."""
    root = tmp_path_factory.mktemp("layers")
    shutil.copytree(REPO / "dezsim", root / "dezsim", ignore=shutil.ignore_patterns("__pycache__", "resources"))
    (root / "dezsim" / "resources").mkdir()
    shutil.copy(REPO / "dezsim" / "resources" / "__init__.py", root / "dezsim" / "resources" / "__init__.py")
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")  # the contract, as the package declares it
    return root


def test_the_package_keeps_its_layer_contracts():
    run = lint(REPO)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "dezsim's layers run one way KEPT" in run.stdout
    assert "no import cycles among the modules of a folder KEPT" in run.stdout


def _with(root: Path, module: str, line: str) -> dict:
    path = root / "dezsim" / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    return {**os.environ, "PYTHONPATH": str(root)}


def test_an_upward_import_breaks_the_layers(broken_copy):
    env = _with(broken_copy, "data/pages.py", "from dezsim.outputs import report  # data must not know the report")
    run = lint(broken_copy, env)
    assert run.returncode != 0
    assert "dezsim's layers run one way BROKEN" in run.stdout
    assert "dezsim.data is not allowed to import dezsim.outputs" in run.stdout
    assert "dezsim.data.pages -> dezsim.outputs.report" in run.stdout


def test_a_cycle_inside_a_folder_breaks_the_sibling_contract(tmp_path, broken_copy):
    root = tmp_path / "cycle"
    shutil.copytree(broken_copy, root)
    shutil.copy(REPO / "dezsim" / "data" / "pages.py", root / "dezsim" / "data" / "pages.py")  # undo the other test
    env = _with(root, "data/dataset.py", "from dezsim.data import loader  # the loader imports the dataset")
    run = lint(root, env)
    assert run.returncode != 0
    assert "no import cycles among the modules of a folder BROKEN" in run.stdout
    assert "dezsim's layers run one way KEPT" in run.stdout


def test_the_architecture_page_is_current():
    from dezsim.outputs import architecture as A

    text = A.DOC.read_text(encoding="utf-8")
    assert text == A.page_with(text, A.render()), "run `python -m dezsim.outputs.architecture --write` and commit"


def test_the_architecture_page_lists_every_folder_and_module():
    from dezsim.outputs import architecture as A

    page = A.render()
    for path in (REPO / "dezsim").rglob("*.py"):
        rel = path.relative_to(REPO / "dezsim")
        if rel.parts[0] == "resources" or path.name.startswith("_"):
            continue
        assert f"`{path.stem}` — " in page, rel
    assert "targets   |   calibration" in page
