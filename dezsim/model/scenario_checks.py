"""Checks of region names against what a scenario simulates (before any run).

A region named in an option (``--region``) or in a scenario's region mappings (``overrides``, ``schedules``,
``shocks``) must be a known region and, for settings, one whose leaves the scenario simulates: a setting for a
region that is not simulated would otherwise be accepted and silently change nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from dezsim.base.errors import ConfigError
from dezsim.base.tables import describe_allowed, nearest


def check_names(names: Iterable[str], allowed: Iterable[str], option: str) -> None:
    """Raise a one-line :class:`ConfigError` for the first name not in ``allowed``, naming the nearest."""
    allowed = list(allowed)
    for name in names:
        if name not in allowed:
            raise ConfigError(f"{option} {name!r}: unknown region{nearest(name, allowed)}; allowed: "
                              f"{describe_allowed(allowed)}")


def _region_settings(scen) -> Iterable[tuple[str, str]]:
    """(where, region) for every region a scenario's overrides, schedules and shocks name."""
    for name, setting in scen.overrides.items():
        for region in setting if isinstance(setting, dict) else ():
            yield f"overrides.{name}", region
    for name, years in scen.schedules.items():
        for year, setting in years.items():
            for region in setting if isinstance(setting, dict) else ():
                yield f"schedules.{name}.{year}", region
    for i, shock in enumerate(scen.shocks):
        for region in shock.regions or ():
            yield f"shocks.{i}.regions", region


def check_settings_simulated(scen, ds) -> None:
    """Refuse a setting for a region none of whose leaves the scenario simulates (or an unknown region)."""
    if scen is None:
        return
    simulated = {leaf for root in scen.regions for leaf in ds.leaves(root)}
    codes = ds.regions.code[ds.regions.modelled].tolist()  # reference-only regions (china, world) cannot be set
    for where, region in _region_settings(scen):
        check_names([region], codes, f"scenario {scen.name!r}: {where}:")
        if not simulated & set(ds.leaves(region)):
            raise ConfigError(f"scenario {scen.name!r}: {where}: region {region!r} is not simulated; simulated: "
                              f"{', '.join(scen.regions)} (leaves {describe_allowed(sorted(simulated))}); allowed: "
                              "a simulated region, or add it to 'regions'")
