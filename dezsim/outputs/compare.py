"""Compare scenarios: Δp per target against the first scenario, paired over common random numbers.

Every scenario is run with the same seed and run count, so run k draws the same parameter set and the same
agent random streams in every scenario (common random numbers): run k under scenario B differs from run k
under A only by what the scenarios change. Whether run k meets a target is read from
:func:`dezsim.targets.reach.met_by_run`: the reach table's own comparison, per run, so the comparison reads targets
exactly as the report does (a test holds it equal to the reach table of each run alone).

Interval for Δp = p_B - p_A: Newcombe's hybrid score interval for a difference of paired proportions (Newcombe
1998, *Statistics in Medicine* 17:2635, method 10), from the 2 x 2 table of paired outcomes with Wilson score
limits for each margin and the phi correlation of the pairs. Why this one: it uses the pairing (the
discordant runs carry the information, so a lever that moves few runs gets a narrow interval), it is closed
form and deterministic (no resampling seed to report), it stays within [-1, 1] and is not degenerate when
no run changes (unlike a percentile bootstrap over runs, which then collapses to [0, 0]), and its coverage is
close to nominal for small samples (Fagerland, Lydersen & Laake 2014, *Stat Methods Med Res* 24:224). The
phi correlation is Newcombe's corrected one (``ad - bc`` shrunk by n/2 when positive), since common random
numbers make concordant pairs the rule and the uncorrected phi = 1 would give a zero-width interval.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
import re
import sys
import types
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from dezsim.base.errors import DezsimError
from dezsim.base.processes import check_workers, map_ordered
from dezsim.data.dataset import Dataset
from dezsim.model.results import Results

#: Interval level of Δp (as the reach table's intervals).
LEVEL = 0.90
#: Columns of the comparison table (and of compare.csv), with their units in :data:`UNITS`.
COLUMNS = ["scenario", "baseline", "target_id", "plan", "region", "indicator", "year", "relation", "target_value",
           "target_unit", "p_baseline", "p", "delta", "delta_low", "delta_high", "runs", "runs_gained",
           "runs_lost", "note"]
UNITS = {"p_baseline": "probability (0-1)", "p": "probability (0-1)", "delta": "probability (-1 to 1)",
         "delta_low": "probability (-1 to 1)", "delta_high": "probability (-1 to 1)", "runs": "count",
         "runs_gained": "count", "runs_lost": "count", "year": "year"}


def wilson_interval(k: int, n: int, level: float = LEVEL) -> tuple[float, float]:
    """Wilson score interval for the proportion k/n."""
    z = stats.norm.ppf(0.5 + level / 2)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe_paired(both: int, only_base: int, only_other: int, neither: int,
                    level: float = LEVEL) -> tuple[float, float, float]:
    """Δp = p_other - p_base and its paired interval (Newcombe 1998, method 10, with his corrected phi).

    Parameters
    ----------
    both, only_base, only_other, neither : int
        Runs meeting the target in both scenarios, in the base only, in the other only, in neither.
    level : float
        Interval level.

    Returns
    -------
    (delta, low, high) : tuple of float
    """
    n = both + only_base + only_other + neither
    if n == 0:
        raise DezsimError("paired comparison of zero runs")
    p1, p2 = (both + only_other) / n, (both + only_base) / n  # p1: other scenario, p2: base
    l1, u1 = wilson_interval(both + only_other, n, level)
    l2, u2 = wilson_interval(both + only_base, n, level)
    margins = (both + only_other) * (only_base + neither) * (both + only_base) * (only_other + neither)
    phi = 0.0 if margins == 0 else _phi(both * neither - only_other * only_base, n) / np.sqrt(margins)
    delta = p1 - p2
    dl = np.sqrt(max(0.0, (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2))
    du = np.sqrt(max(0.0, (u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2))
    return delta, max(-1.0, delta - dl), min(1.0, delta + du)


def _phi(cross: float, n: int) -> float:
    """Numerator of the phi correlation, shrunk by n/2 when positive (Newcombe's correction: without it, a
    table with no discordant runs and p near 0.5 gets phi = 1 and a zero-width interval)."""
    return max(cross - n / 2, 0.0) if cross > 0 else cross


def outcomes(results: Results, ds: Dataset) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per run, whether each target is met: (flags, reach) with flags indexed by target id, one column per
    run (1.0 met, 0.0 not, NaN not assessed) and reach the table of the whole ensemble
    (:func:`dezsim.targets.reach.met_by_run`)."""
    from dezsim.targets.reach import met_by_run

    return met_by_run(results, ds)


def paired_delta(base: Results, other: Results, ds: Dataset, level: float = LEVEL) -> pd.DataFrame:
    """Δp per target of ``other`` against ``base`` (paired run by run), one row per target in data/.

    Both must hold the same run ids drawn with the same seed (common random numbers); otherwise the pairing
    would be meaningless and a :class:`DezsimError` says so.
    """
    _check_paired(base.design, other.design)
    return _paired(outcomes(base, ds), outcomes(other, ds), level)


def _paired(base: tuple[pd.DataFrame, pd.DataFrame], other: tuple[pd.DataFrame, pd.DataFrame],
            level: float) -> pd.DataFrame:
    """Δp rows from the (flags, reach) of two paired ensembles (see :func:`outcomes`)."""
    (fa, reach_a), (fb, reach_b) = base, other
    rows = []
    for t in reach_a.itertuples(index=False):
        a, b = fa.loc[t.target_id], fb.loc[t.target_id]
        row = {"target_id": t.target_id, "region": t.region, "indicator": t.indicator, "year": t.year,
               "relation": t.relation, "runs": len(a)}
        if a.isna().any() or b.isna().any():
            row["note"] = _why_not(t.target_id, reach_a, reach_b)
        else:
            a, b = a.to_numpy(dtype=bool), b.to_numpy(dtype=bool)
            cells = int((a & b).sum()), int((a & ~b).sum()), int((~a & b).sum()), int((~a & ~b).sum())
            delta, lo, hi = newcombe_paired(*cells, level=level)
            row |= {"p_baseline": a.mean(), "p": b.mean(), "delta": delta, "delta_low": lo, "delta_high": hi,
                    "runs_gained": cells[2], "runs_lost": cells[1], "note": ""}
        rows.append(row)
    return pd.DataFrame(rows)


def _check_paired(base: pd.DataFrame, other: pd.DataFrame) -> None:
    """Refuse designs whose run ids and seeds differ (no common random numbers)."""
    key = ["run", "seed"]
    if not base[key].reset_index(drop=True).equals(other[key].reset_index(drop=True)):
        raise DezsimError("scenarios to compare must be run with the same seed and runs (common random numbers); "
                          f"got runs/seeds {base[key].to_dict('list')} and {other[key].to_dict('list')}")


@dataclass(frozen=True)
class ScenarioTask:
    """One scenario of a comparison, everything a worker process needs (picklable)."""

    scenario: object
    runs: int
    seed: int
    data: Dataset
    agents: dict = field(default_factory=dict)  # {} for the default agents, else {"agents": settings}


def scenario_outcomes(task: ScenarioTask) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Simulate one scenario of a comparison and read its targets per run: (design's run and seed, flags, reach)."""
    from dezsim.model.simulate import run

    results = run(task.scenario, runs=task.runs, seed=task.seed, data=task.data, **task.agents)
    return (results.design[["run", "seed"]], *outcomes(results, task.data))


def _why_not(target_id: str, reach_a: pd.DataFrame, reach_b: pd.DataFrame) -> str:
    reasons = []
    for name, reach in (("baseline", reach_a), ("scenario", reach_b)):
        r = reach.set_index("target_id").loc[target_id]
        if not bool(r.assessed):
            reasons.append(f"not assessed in the {name}: {r.reason}")
    return "; ".join(reasons) or "not assessed in some runs"


@dataclass(frozen=True)
class Comparison:
    """Δp of every scenario against the first, per target.

    Attributes
    ----------
    table : DataFrame
        :data:`COLUMNS`; one row per scenario after the first and target (rows whose target is not assessed in
        both carry the reason in ``note`` and no Δp).
    scenarios : list of str
        Scenario names, the first being the reference.
    settings : dict
        Runs, seed, interval level and method.
    """

    table: pd.DataFrame
    scenarios: list[str]
    settings: dict = field(default_factory=dict)

    def plot(self, ax=None, group: str = "plan"):
        """Dot-and-interval chart of Δp per target, grouped by ``group`` (``plan`` or ``region``); a Figure."""
        from dezsim.outputs.plots import delta_plot

        fig = delta_plot(self.table, ax=ax, group=group)
        fig.axes[0].set_title(f"Δp against {self.scenarios[0]} ({self.settings.get('runs')} paired runs, "
                              f"{100 * self.settings.get('level', LEVEL):.0f} % Newcombe interval)", fontsize=9)
        return fig

    def moved(self) -> pd.DataFrame:
        """The rows whose Δp interval excludes 0 (the targets a scenario moved), with the printed columns
        ``p`` ("p_baseline -> p") and ``Δp [90 %]`` ("Δp [low, high]") beside the table's own."""
        t = self.table.dropna(subset=["delta"])
        moved = t[(t.delta_low > 0) | (t.delta_high < 0)].copy()
        moved["Δp [90 %]"] = [f"{d:+.2f} [{lo:+.2f}, {hi:+.2f}]" for d, lo, hi in
                              zip(moved.delta, moved.delta_low, moved.delta_high, strict=True)]
        moved["p"] = [f"{a:.2f} -> {b:.2f}" for a, b in zip(moved.p_baseline, moved.p, strict=True)]
        return moved

    def to_csv(self, path: str | Path) -> Path:
        """Write the table with a second header line of units (``unit`` row first, as IAMC-style tables do)."""
        path = Path(path)
        units = pd.DataFrame([{c: UNITS.get(c, "") for c in COLUMNS}])
        units.loc[0, "scenario"] = "unit"
        pd.concat([units, self.table[COLUMNS]], ignore_index=True).to_csv(path, index=False)
        return path


def compare(scenarios: Sequence, runs: int = 100, seed: int = 0, *, data: Dataset | None = None,
            agents="default", level: float = LEVEL, progress=False, workers: int = 1) -> Comparison:
    """Run every scenario with the same seed and runs and compare each with the first.

    Parameters
    ----------
    scenarios : sequence of Scenario, path or None
        At least two; the first is the reference (None is the baseline).
    runs, seed : int
        Ensemble size and root seed, shared by all (common random numbers).
    data : Dataset, optional
        Loaded data/ (default: this checkout's).
    agents : AgentSettings, None or "default"
        As in :func:`dezsim.run` ("default": coupled agents with default settings).
    level : float
        Interval level of Δp.
    progress : bool or callable
        Progress over scenarios (see :mod:`dezsim.base.progress`).
    workers : int
        Processes simulating the scenarios (1: in this process); the comparison does not depend on it.
    """
    from dezsim.base.progress import steps
    from dezsim.model.simulate import as_scenario

    check_workers(workers)
    scens = [as_scenario(s) for s in scenarios]
    if len(scens) < 2:
        raise DezsimError(f"compare needs at least two scenarios; got {len(scens)}")
    names = [s.name for s in scens]
    if len(set(names)) < len(names):
        raise DezsimError(f"scenario names must differ to be compared; got {names}")
    ds = data if data is not None else _data()
    from dezsim.model.scenario_checks import check_settings_simulated

    for s in scens:
        check_settings_simulated(s, ds)
    kw = {} if isinstance(agents, str) and agents == "default" else {"agents": agents}
    tasks = [ScenarioTask(s, runs, seed, ds, kw) for s in scens]
    with steps(progress, len(scens), "comparing scenarios") as done:
        count = iter(range(1, len(scens) + 1))
        read = map_ordered(scenario_outcomes, tasks, workers, lambda: done(next(count)))
    for other in read[1:]:
        _check_paired(read[0][0], other[0])
    parts = [_paired(read[0][1:], r[1:], level).assign(scenario=s.name) for s, r in zip(scens[1:], read[1:])]
    table = _finish(pd.concat(parts, ignore_index=True), names[0], ds)
    return Comparison(table, names, {"runs": runs, "seed": seed, "level": level,
                                     "interval": "Newcombe 1998 paired hybrid score (method 10)"})


def _finish(table: pd.DataFrame, baseline: str, ds: Dataset) -> pd.DataFrame:
    """Add the plan each target comes from and the target as the plan states it (value and unit from data/);
    order the columns."""
    targets = ds.targets().set_index("id")
    titles = ds.sources.set_index("source").title
    table["baseline"] = baseline
    table["plan"] = [plan_label(titles.get(targets.source.get(t, ""), "")) for t in table.target_id]
    table["target_value"] = [targets.value.get(t, np.nan) for t in table.target_id]
    table["target_unit"] = [targets.unit.get(t, "") for t in table.target_id]
    for col in COLUMNS:
        if col not in table:
            table[col] = np.nan
    return table[COLUMNS]


def plan_label(title: str) -> str:
    """A short ASCII name for a plan from its title in data/sources.csv (charts have no CJK font): the English
    name in parentheses where there is one, else the title up to its first non-ASCII character."""
    english = [m for m in re.findall(r"\(([^()]*)\)", title) if m.isascii() and "plan" in m]
    if english:
        return english[-1].split(",")[0]
    head = re.split(r"[^\x00-\x7f]", title, maxsplit=1)[0]
    return re.sub(r"[\s:,]*(by)?[\s:,]*$", "", head) or title


def _data() -> Dataset:
    from dezsim.model.simulate import _data as cached

    return cached()


class _CallableModule(types.ModuleType):
    """``dezsim.outputs.compare(...)`` calls :func:`compare`: importing this submodule binds ``dezsim.outputs.compare`` to the
    module, so the module itself forwards calls (the attribute and the function cannot otherwise share the name)."""

    def __call__(self, *args, **kwargs) -> Comparison:
        return compare(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
