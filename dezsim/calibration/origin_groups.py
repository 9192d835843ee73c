"""Calibration groups at an origin before 2020: the same moments as at 2020, built from the history up to it.

At origin Y (:mod:`dezsim.model.origin`) the fence moves to Y: only figures of year Y or earlier are read.

* ``gdp``: Suzhou's nominal mean growth over the longest window of up to :data:`WINDOW_YEARS` ``["gdp"]`` years
  ending at Y (its published levels, the mean of a year's versions), moved by the Kalman-filtered real drift
  through Y less its window mean: the 2020 moment (:func:`dezsim.calibration.calibrate._gdp_group`) with Y for 2019.
* ``sw``: Jiangsu's software revenue at Y reproduced within 2 % from its level up to 5 years before, when the
  history has both (at 2018: 2015 -> 2018).

Every other parameter keeps its prior draw (the stocks it drives are left out of an early origin's results). The
noise priors rest on the growth history through 2020 (data/history), as at the base origin: a stricter fence
would re-estimate them per origin, which is not done.
"""

from __future__ import annotations

import numpy as np

from dezsim.base.errors import DezsimError
from dezsim.calibration.calibrate import GDP_DRIFT_SERIES, Group, Moment, calibrate
from dezsim.data.dataset import Dataset
from dezsim.data.history import load_series
from dezsim.model.drift import WINDOW_YEARS
from dezsim.model.drift_estimate import drift_now, log_growth_series
from dezsim.model.sd.initial import published_levels

#: The shortest window (years between two levels) a trend growth is fitted on.
MIN_WINDOW = 2
#: Longest window of the software moment, as at 2020 (WINDOW_YEARS["sw"]).
SW_WINDOW = WINDOW_YEARS["sw"]
TWO_PCT = "a level up to the origin reproduced within +-2 %"


def origin_groups(ds: Dataset, origin: int) -> list[Group]:
    """The calibration groups at ``origin`` (before 2020): GDP always, software where the history allows."""
    out = [_gdp_group(ds, origin)]
    sw = level_pair(ds, "software_revenue", "jiangsu", origin, SW_WINDOW)
    if sw is not None:
        (y0, v0, ids0), (_, v1, ids1) = sw
        n = origin - y0
        why = f"{TWO_PCT} (from its {y0} level, {n} years before)"
        out.append(Group("sw", ("sw_trend_growth",),
                         (Moment(f"jiangsu_sw_{origin}", (*ids0, *ids1), v1, 0.02 * v1, why),),
                         lambda d, v0=v0, n=n, name=f"jiangsu_sw_{origin}": {
                             name: v0 * np.exp(n * d["sw_trend_growth"])}))
    return out


def level_pair(ds: Dataset, indicator: str, region: str, origin: int, window: int):
    """The level at ``origin`` and the earliest within ``window`` years before it (>= MIN_WINDOW), each as
    (year, value, ids): the mean of a year's published versions; None when the history lacks either."""
    s = published_levels(ds)
    s = s[(s.indicator == indicator) & (s.region == region) & (s.year <= origin)]
    by_year = {int(y): (float(g.value.mean()), tuple(g.id)) for y, g in s.groupby("year")}
    if origin not in by_year:
        return None
    earlier = [y for y in by_year if origin - window <= y <= origin - MIN_WINDOW]
    if not earlier:
        return None
    y0 = min(earlier)
    return (y0, *by_year[y0]), (origin, *by_year[origin])


def _gdp_group(ds: Dataset, origin: int) -> Group:
    pair = level_pair(ds, "gdp", "suzhou", origin, WINDOW_YEARS["gdp"])
    if pair is None:
        raise DezsimError(f"calibration at origin {origin}: data/history/series_to_2020.csv needs Suzhou GDP levels "
                          f"at {origin} and {MIN_WINDOW}-{WINDOW_YEARS['gdp']} years before; allowed: an origin "
                          "with both")
    (y0, v0, ids0), (_, v1, ids1) = pair
    years = origin - y0
    now = drift_now(log_growth_series(load_series(root=ds.root)), GDP_DRIFT_SERIES, origin, years)
    if now is None:
        raise DezsimError(f"calibration at origin {origin}: no drift can be fitted to the history's "
                          f"{GDP_DRIFT_SERIES} through {origin}")
    nominal = float(np.log(v1 / v0) / years)
    target = nominal + now.drift - now.window_mean
    why = (f"nominal mean growth {y0}->{origin} (levels) {nominal:.4f} plus the filtered real drift {now.drift:.4f} "
           f"less the real window mean {now.window_mean:.4f}; +- sqrt(3 P), P = {now.variance:.2e}")
    name = f"suzhou_gdp_drift_{origin}"
    moment = Moment(name, (*ids0, *ids1), target, float(np.sqrt(3 * now.variance)), why)
    return Group("gdp", ("gdp_growth",), (moment,), lambda d: {name: d["gdp_growth"]})


def calibrate_at(ds: Dataset, origin: int, n: int = 1000, seed: int = 0, progress: bool = False):
    """The calibrated ensemble and manifest at ``origin`` (the 2020 calibration at the base origin)."""
    from dezsim.model.origin import BASE_ORIGIN, check_origin

    check_origin(origin)
    if origin == BASE_ORIGIN:
        return calibrate(ds, n, seed, progress)
    return calibrate(ds, n, seed, progress, chain=origin_groups(ds, origin), origin=origin)
