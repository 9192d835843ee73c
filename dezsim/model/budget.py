"""Memory a request needs, estimated before any work, and the limit it must stay under.

A request of ``runs`` runs holds, at its peak, the tidy results table (one row per run, reported region, year
and indicator), the SD core's raw arrays, and (when coupled) every run's firm population. The estimate counts
those from their dtypes; it is a lower bound of the peak (Python objects and temporaries come on top), so a
refused request would certainly not have fitted.

The limit is ``DEZSIM_MAX_MEMORY_GB`` (gigabytes of 2**30 bytes) when set, else :data:`DEFAULT_MEMORY_SHARE`
of the machine's physical memory.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from dezsim.base.errors import ConfigError

#: Share of physical memory a request may use when DEZSIM_MAX_MEMORY_GB is not set (the rest: the OS, other
#: processes, and the temporaries the estimate leaves out).
DEFAULT_MEMORY_SHARE = 0.5
#: Bytes of one row of the tidy table: run, year (int64), value (float64) and three category codes (int8).
RESULT_ROW_BYTES = 8 + 8 + 8 + 3
#: Copies of the table alive while it is built (per-indicator parts, their concatenation, the final frame).
RESULT_BUILD_COPIES = 3
#: Raw SD outputs recorded per leaf, run and year (float64 each; see dezsim.model.sd.model._record).
RAW_OUTPUTS = 20
#: Bytes per firm agent: region, sector (int64), size, weight (float64), above (bool), rung (int8).
AGENT_BYTES = 8 + 8 + 8 + 8 + 1 + 1
GIB = 2**30


@dataclass(frozen=True)
class Request:
    """The dimensions of a request that set its memory."""

    runs: int
    leaves: int
    regions: int
    years: int
    indicators: int
    agents_per_run: int = 0

    def bytes(self) -> int:
        """Estimated peak bytes (a lower bound, see the module docstring)."""
        cells = self.runs * self.regions * self.years
        table = cells * self.indicators * RESULT_ROW_BYTES * RESULT_BUILD_COPIES
        raw = self.runs * self.leaves * self.years * (RAW_OUTPUTS + self.indicators) * 8
        return table + raw + self.runs * self.agents_per_run * AGENT_BYTES

    def describe(self) -> str:
        agents = f", {self.agents_per_run:,} firm agents per run" if self.agents_per_run else ""
        return (f"{self.runs:,} runs x {self.regions} regions x {self.years} years x {self.indicators} indicators"
                f"{agents}")


def limit_bytes() -> tuple[int, str]:
    """The memory limit in bytes and where it comes from."""
    text = os.environ.get("DEZSIM_MAX_MEMORY_GB")
    if text:
        try:
            gb = float(text)
        except ValueError:
            gb = float("nan")
        if not gb > 0:
            raise ConfigError(f"DEZSIM_MAX_MEMORY_GB = {text!r}: allowed: a number of gigabytes > 0")
        return int(gb * GIB), "DEZSIM_MAX_MEMORY_GB"
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return int(DEFAULT_MEMORY_SHARE * physical), f"{DEFAULT_MEMORY_SHARE:.0%} of physical memory; " \
                                                  "DEZSIM_MAX_MEMORY_GB sets another"


def check(request: Request, what: str = "--runs") -> None:
    """Raise :class:`ConfigError` (one line: the estimate, its parts and the limit) when ``request`` needs
    more memory than the limit."""
    need = request.bytes()
    limit, source = limit_bytes()
    if need > limit:
        raise ConfigError(f"{what} {request.runs:,}: needs about {need / GIB:,.1f} GiB ({request.describe()}); "
                          f"allowed: at most {limit / GIB:,.1f} GiB ({source}); run fewer, or a sweep in chunks")
