"""The dashboard in a real browser: start ``dezsim app`` on loopback, open it in the system's Chromium, move a
slider, and see the p table change.

Needs the system Chromium (/usr/bin/chromium, Debian's package; `bash tools/bootstrap.sh test` installs it) and
the Playwright Python package (the `browser`/`test` extras), which drives that executable: no browser is
downloaded.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("DEZSIM_CHROMIUM", "/usr/bin/chromium")
#: Flags for headless Chromium as root in a container, with nothing fetched from the network.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
RUNS = 8  # small: the test checks the wiring, not the numbers

# Skipped on a machine where tools/bootstrap.sh could not install Chromium (not root, no apt-get); in CI a
# missing browser fails the test.
pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists() and shutil.which("chromium") is None and not os.environ.get("CI"),
                       reason=f"no Chromium at {CHROMIUM} (apt-get install chromium; `bash tools/bootstrap.sh test` does as root)"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright's Python package (browser extra) is missing")
pytest.importorskip("solara", reason="Solara (app extra) is missing")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, timeout: float) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:  # noqa: S310 - loopback only
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"the dashboard did not answer at {url} within {timeout} s")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = _free_port()
    log = tmp_path_factory.mktemp("app") / "server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "dezsim", "app", "--port", str(port), "--runs", str(RUNS)],
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_http(f"http://127.0.0.1:{port}/", 45)
        yield f"http://127.0.0.1:{port}/"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the session this test started (the server and nothing else)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def _table_text(page) -> str:
    return page.inner_text("table.dezsim-p")


def test_moving_a_slider_changes_the_table(server, tmp_path):
    executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=FLAGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(server)
            page.wait_for_selector("table.dezsim-p", timeout=40_000)
            before = _table_text(page)
            assert "Δ" in before and "s001a-142" in before  # Suzhou's targets (core share), with the Δ column
            deltas = [line.split("\t")[-1] for line in before.splitlines()[1:]]
            assert deltas and all(d == "+0.00" for d in deltas)  # nothing moved yet: Δ is 0 everywhere
            track = page.locator(".lever-policy_capex_subsidy .v-slider-track").first
            box = track.bounding_box()
            page.mouse.click(box["x"] + 0.95 * box["width"], box["y"] + box["height"] / 2)
            page.wait_for_function("t => { const e = document.querySelector('table.dezsim-p');"
                                   " return e !== null && e.innerText !== t; }", arg=before, timeout=40_000)
            after = _table_text(page)
            moved = [line.split("\t")[-1] for line in after.splitlines()[1:]]
            assert any(d != "+0.00" for d in moved), after  # the capex subsidy moved some target's p
            page.screenshot(path=str(tmp_path / "app.png"), full_page=True)
            _province_wide_waits_for_run(page)
        finally:
            browser.close()


def _province_wide_waits_for_run(page) -> None:
    """Jiangsu as a whole: no table until Run is pressed, then the table with Jiangsu's own targets."""
    page.locator(".v-select").first.click()
    page.locator(".v-list-item", has_text="region: Jiangsu").first.click()
    page.wait_for_selector("text=press Run", timeout=20_000)
    assert page.locator("table.dezsim-p").count() == 0
    page.locator(".dezsim-run").first.click()
    page.wait_for_selector("table.dezsim-p", timeout=40_000)
    assert "s003-025" in _table_text(page)  # a target of the Jiangsu plan
