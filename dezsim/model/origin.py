"""The origin: the year-end a run starts from, and what the model can simulate from an earlier one.

The default origin is end-2020, the plans' baseline year: every stock has a figure then. A run may start from an
earlier year-end (2015-2019) to ask what the model would have said then, and to score it on the outcomes since
(``dezsim backtest``, ``dezsim reach --origin 2017 --observed ...``). The fence moves with it: for origin Y,
nothing published for a year after Y is read for the initial state or the calibration
(:mod:`dezsim.model.sd.initial`, :mod:`dezsim.calibration.origin_groups`).

Before 2020 only GDP has a level at most origins (data/history/series_to_2020.csv); Jiangsu's software revenue has
one at 2015 and 2018, its electronic-information manufacturing revenue none. A revenue without a figure at the origin
starts at zero, and it and the core value added and share that rest on it are left out of the results (GDP's
path barely moves with it: see :data:`EARLY_INDICATORS`). The other stocks have no figure before 2020:

* 5G stations: commercial 5G began in 2019, and the build-out parameters are fitted on 2019-2020 only;
* data-centre racks and PUE: the first figure of Jiangsu's racks is end-2020;
* patents and PCT applications: the patent block starts on its balanced path from 2020 value added and counts
  PCT applications since 2020;
* the firm and district agents: their ladder starts from the end-2020 recognised lists and is fitted on the
  2020 flows.

So from an origin before 2020 those indicators are left out of the results (not simulated from a guessed
start): :func:`dezsim.run` runs the SD core alone and records that in the provenance, and a direct coupled
:func:`dezsim.model.simulate.simulate_design` is refused with a one-line error.
"""

from __future__ import annotations

from dezsim.base.errors import ConfigError

#: The plans' baseline year-end, where every stock has a figure.
BASE_ORIGIN = 2020
#: The earliest origin offered (which origins the data allow is checked when a run starts).
FIRST_ORIGIN = 2015
ORIGINS = tuple(range(FIRST_ORIGIN, BASE_ORIGIN + 1))
#: Indicators simulated from an origin before 2020 and the seeded stocks each needs a figure of at that origin
#: (:func:`dezsim.model.sd.initial.seeded`): core value added needs both revenues, GDP only itself (GDP's own path
#: moves little with the core: its rest grows at the GDP rate, the core at its sectors').
EARLY_INDICATORS = {"gdp": ("gdp",), "software_revenue": ("software_revenue",),
                    "ei_manufacturing_revenue": ("ei_manufacturing_revenue",),
                    "core_industry_va": ("ei_manufacturing_revenue", "software_revenue"),
                    "core_industry_share_gdp": ("ei_manufacturing_revenue", "software_revenue")}


def check_origin(year: object, where: str = "origin") -> int:
    """``year`` as an origin, or a one-line :class:`ConfigError` naming it and the allowed range."""
    if isinstance(year, bool) or not isinstance(year, int) or year not in ORIGINS:
        raise ConfigError(f"{where} = {year!r}: allowed: a year-end from {FIRST_ORIGIN} to {BASE_ORIGIN}")
    return year


def simulated_indicators(origin: int, names: list[str], seeded: tuple[str, ...]) -> list[str]:
    """Those of ``names`` the model simulates from ``origin`` given the stocks ``seeded`` from a figure there (all
    of them at the base origin)."""
    if origin == BASE_ORIGIN:
        return list(names)
    return [n for n in names if n in EARLY_INDICATORS and set(EARLY_INDICATORS[n]) <= set(seeded)]
