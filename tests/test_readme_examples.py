"""The README's command examples run as written (with small run counts).

Every line of a ```bash block that starts with ``dezsim`` or ``.venv/bin/dezsim`` (continuation lines joined) is
collected. The cheap ones run from a scratch folder that sees the checkout's ``scenarios/``; sizes (``--runs``,
``-n``) are made small, nothing else is changed. Lines that cannot run as written are skipped with the reason:
placeholders (``[--option]``, ``FILE.csv``, ``SCHEDULER_HOST``), the main job, commands that rewrite the
checkout (``calibrate``), and the dashboard server (tested in a browser by tests/test_app_browser.py).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SMALL = {"--runs": "4", "-n": "8", "--lever-runs": "10"}
#: (pattern, reason) for commands not run here.
SKIP = ((r"\[", "placeholder options in brackets"), (r"FILE\.csv|SCHEDULER_HOST|PATH\b", "placeholder value"),
        (r"^reach\b(?!.*--runs)", "the main job (minutes); its pieces are tested elsewhere"),
        (r"^calibrate\b", "rewrites calibration/ in the checkout"),
        (r"^app\b", "a server that runs until stopped (tests/test_app_browser.py drives it)"),
        (r"--scheduler\s+\S+://", "a remote Dask cluster with its certificates (never contacted from the tests; "
                                   "tests/bad_inputs/test_dask.py runs a TLS cluster on loopback)"))
#: Commands that start worker processes or simulate several scenarios (15-25 s each): run with ``-m slow``; their
#: code paths are covered in the default suite by tests/test_sweep.py and tests/test_compare.py.
SLOW = r"^(sweep|sensitivity|discover|compare)\b"
#: Known failures outside this suite's reach, reported rather than hidden (issue 15, item 6).
KNOWN: dict[str, str] = {}


def commands() -> list[str]:
    """The README's dezsim command lines, in order, continuation lines joined, comments dropped."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    out = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split("  #")[0].strip()
            if re.match(r"(\.venv/bin/)?dezsim\s", line):
                out.append(re.sub(r"\s+", " ", re.sub(r"^\.venv/bin/dezsim\s", "", re.sub(r"^dezsim\s", "", line))))
    return out


def small(args: list[str]) -> list[str]:
    """``args`` with every size option set to a small value."""
    return [SMALL.get(args[i - 1], a) if i and args[i - 1] in SMALL else a for i, a in enumerate(args)]


def test_readme_has_command_examples():
    cmds = commands()
    assert any(c.startswith("compare ") for c in cmds) and any(c.startswith("sweep ") for c in cmds)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("readme")  # nothing of the checkout beside it: scenarios/ are the shipped ones


@pytest.mark.parametrize("cmd", [pytest.param(c, marks=pytest.mark.slow) if re.search(SLOW, c) else c
                                 for c in commands()], ids=lambda c: c[:60])
def test_readme_command_runs(cmd, scratch):
    for pattern, reason in SKIP:
        if re.search(pattern, cmd):
            pytest.skip(reason)
    args = small(shlex.split(cmd))
    env = dict(os.environ, COLUMNS="200")
    done = subprocess.run([sys.executable, "-m", "dezsim", *args], cwd=scratch, capture_output=True, text=True,
                          timeout=300, env=env)
    known = [reason for pattern, reason in KNOWN.items() if re.search(pattern, cmd)]
    if done.returncode != 0 and known:  # still failing for the known reason: reported, not hidden
        pytest.xfail(f"{known[0]}: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ''}")
    assert done.returncode == 0, f"dezsim {' '.join(args)}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
