"""Checks of a sweep request before any run is computed: what to keep, parameters the scenario also sets, and
whether the design and the results fit in memory and on disk."""

from __future__ import annotations

import shutil
from pathlib import Path

from dezsim.base.errors import ConfigError
from dezsim.base.tables import nearest
from dezsim.model.config import Scenario

#: Share of the available memory the driver's design table may take (the rest is left to the workers).
MEMORY_SHARE = 0.25
#: Bytes per stored result row, at least: the float64 value (run, region, year and indicator add more).
BYTES_PER_ROW = 8
#: Bytes per design cell (int64 run id or float64 parameter value).
BYTES_PER_CELL = 8


def design_runs(method: str, n: int, n_params: int) -> int:
    """Number of runs a design of ``method`` with ``n`` (base) samples over ``n_params`` parameters has."""
    return {"sobol": n * (n_params + 2), "morris": n * (n_params + 1)}.get(method, n)


def check_memory(runs: int, n_params: int, what: str) -> None:
    """Refuse a design whose table would take more than :data:`MEMORY_SHARE` of the available memory."""
    import psutil

    need = runs * (n_params + 1) * BYTES_PER_CELL
    free = psutil.virtual_memory().available
    if need > MEMORY_SHARE * free:
        raise ConfigError(f"{what}: the design of {runs:,} runs needs {_gib(need)} of memory, more than "
                          f"{MEMORY_SHARE:.0%} of the {_gib(free)} available; use fewer runs (or split the sweep)")


def check_disk(runs: int, rows_per_run: int, out: Path, what: str) -> None:
    """Refuse a sweep whose results need more than the free space where ``out`` is (or would be) created."""
    need = runs * rows_per_run * BYTES_PER_ROW
    folder = Path(out).absolute()
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    free = shutil.disk_usage(folder).free
    if need > free:
        raise ConfigError(f"{what}: {runs:,} runs x {rows_per_run:,} kept values need at least {_gib(need)} on "
                          f"disk; {folder} has {_gib(free)} free; keep fewer --indicators/--regions or use fewer "
                          "runs")


def _gib(nbytes: float) -> str:
    return f"{nbytes / 2**30:,.2f} GiB"


def check_outputs(outputs, scen: Scenario, ds, agents) -> int:
    """Refuse unknown indicators, regions and years to keep (before computing); return kept values per run."""
    from dezsim.model.sd.outputs import INDICATORS, output_regions
    from dezsim.model.simulate import scenario_leaves

    regions = output_regions(ds, scenario_leaves(scen, ds), tuple(scen.regions))[0]
    years = list(range(scen.start, scen.end + 1))
    counts = []
    for option, given, allowed in (("--indicators", outputs.indicators, list(INDICATORS)),
                                   ("--regions", outputs.regions, regions), ("years", outputs.years, years)):
        for item in given or ():
            if item not in allowed:
                more = ", …" if len(allowed) > 12 else ""
                raise ConfigError(f"sweep {option} {item!r}: not an output of this sweep{nearest(str(item), allowed)}"
                                  f"; allowed: {', '.join(map(str, allowed[:12]))}{more}")
        counts.append(len(set(given)) if given else len(allowed))
    return counts[0] * counts[1] * counts[2]


def check_not_set_by_scenario(scen: Scenario, varied: list[str]) -> None:
    """Refuse varying a parameter the scenario also sets: its setting would win and the design would record
    variation that never happened."""
    sets = {name: f"overrides.{name}" for name in scen.overrides}
    sets |= {name: f"schedules.{name}" for name in scen.schedules}
    sets |= {s.parameter: f"shocks ({s.name})" for s in scen.shocks}
    for name in varied:
        if name in sets:
            raise ConfigError(f"sweep --params {name}: scenario {scen.name!r} also sets it ({sets[name]}), which "
                              "would override the design's values; vary it or set it, not both")
