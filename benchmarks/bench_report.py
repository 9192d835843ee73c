"""Wall time of the default report, end to end: ``dezsim reach`` (200 runs, lever search at 40 runs per point)
and ``dezsim reach --no-levers``, each in a fresh process as a user runs it once the package is installed (the
compiled kernels are cached on disk after the first call, which is run once first and not timed).

Medians over repeats; peak resident memory is the largest of the timed processes. ``--json PATH`` writes the
figures (``report_default_s``, ``report_no_levers_s``, ``report_peak_rss_mb``).

Usage: python benchmarks/bench_report.py [--repeats 3] [--json PATH] [--quick]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(args: list[str], out: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "dezsim", "reach", "--out", str(out), *args], check=True,
                   capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", default=None)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, seconds: a smoke test (same JSON keys; never quote its figures)")
    args = parser.parse_args()
    size = ["--runs", "10", "--lever-runs", "10"] if args.quick else []
    if args.quick:
        args.repeats = 1
    folder = Path(tempfile.mkdtemp(prefix="dezsim-bench-report-"))
    try:
        timed(["--no-levers", "--runs", "10"], folder / "warm")  # fill numba's on-disk cache
        default = [timed(size, folder / f"d{i}") for i in range(args.repeats)]
        bare = [timed(["--no-levers", *size[:2]], folder / f"n{i}") for i in range(args.repeats)]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"dezsim reach (default, levers):  median {statistics.median(default):6.1f} s  "
          f"({', '.join(f'{t:.1f}' for t in default)})")
    print(f"dezsim reach --no-levers:        median {statistics.median(bare):6.1f} s  "
          f"({', '.join(f'{t:.1f}' for t in bare)})")
    print(f"peak resident memory of a report process: {rss:.0f} MB")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"report_default_s": statistics.median(default), "report_no_levers_s": statistics.median(bare),
                       "report_default_s_all": default, "report_no_levers_s_all": bare, "report_peak_rss_mb": rss},
                      f, indent=2)


if __name__ == "__main__":
    main()
