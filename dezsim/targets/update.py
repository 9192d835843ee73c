"""The mid-term update: the ensemble conditioned on figures published after its origin (``reach --observed``).

A plan's mid-term review (中期评估) asks how the end-of-plan probabilities change once two or three years of
figures are out. Each run of the ensemble is weighted by the likelihood of the observed figures given that run's
own path (importance weights over the prior ensemble: parameters, offsets and shocks stay as drawn):

    log w_i = sum over indicators of  log N(log y; log x_i, S)            (figures stated plainly or rounded)
            + sum over bound figures of log Phi(±(log x_i - log y) / s)   (stated as a bound: 超, 以上 / 不到)
    S_jk    = e_j^2 [j = k] + d^2 * min(h_j, h_k) * (1 if same region else rho)

where ``y`` are the published figures of one indicator, ``x_i`` run i's values for the same regions and years,
``e_j`` a figure's measurement error by how it is stated (``qualifier``), ``d`` the model's discrepancy per year
beyond its process noise (a random walk from the origin: a miss in 2021 carries into 2022), ``h`` the years since
the origin and ``rho`` the correlation of that discrepancy between regions (one cycle drives them all). Without
the covariance, eight cities' GDP figures for one year would count as eight independent pieces of evidence about
one provincial miss, and the weights would collapse onto a handful of runs. The weights' effective sample size ``ESS = 1 / sum w_i^2``
says how much of the ensemble the figures leave; below :data:`MIN_EFFECTIVE_RUNS` the update refuses (raise
``--runs``). The updated ensemble is a systematic resample of the runs by weight (every downstream reading, fan
chart and first-reach year works on it unchanged); the probabilities' intervals use the ESS, not the run count.

Beside p before and after, each target gets the on-track ratio of actual to required progress since the origin
(:func:`on_track`), the rule of Eurostat's and Statistics Canada's SDG monitoring.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from dezsim.base.errors import ConfigError
from dezsim.base.seeding import component_rng
from dezsim.data.readings import Reading
from dezsim.model.params import Param
from dezsim.model.results import Results

_A = "assumption: "
#: The observation model's parameters, declared like the model's (unit, default, bounds, distribution, source);
#: ``fixed``: the update uses their defaults, a sweep never draws them.
OBSERVATION_PARAMS: tuple[Param, ...] = (
    Param("observed_error_plain", "dimensionless", 0.01, (0.001, 0.05), "fixed",
          _A + "first releases of Chinese provincial and city aggregates are revised by about 1 % (annual "
          "revisions, economic censuses); a plainly stated figure is read as log-normal with that relative sd",
          "Relative measurement error (log sd) of a figure stated plainly", "update"),
    Param("observed_error_about", "dimensionless", 0.02, (0.005, 0.10), "fixed",
          _A + "约/超 figures are rounded to two or three significant digits (a uniform error of up to about 3 % "
          "for a value written like 1.6万, sd 1.8 %), plus the revision error",
          "Relative measurement error (log sd) of a figure stated as about, above or below", "update"),
    Param("model_discrepancy", "1/year**0.5", 0.02, (0.0, 0.10), "fixed",
          _A + "structural error beyond the process noise, growing like a random walk; kept small because the "
          "pre-2021 growth-equation backtest covers 79 % of outcomes in its 80 % interval (calibration/"
          "validation.md): the ensemble's own spread is about right",
          "Model discrepancy (log sd per square-root year since the origin)", "update"),
    Param("discrepancy_region_correlation", "dimensionless", 0.8, (0.0, 1.0), "fixed",
          _A + "Jiangsu's cities and boards share the provincial and national cycle (the model's own shocks are "
          "mostly common, see process_noise); their misses against the model move together",
          "Correlation of the model discrepancy between two regions (same indicator and year path)", "update"),
    Param("min_effective_runs", "count", 30.0, (5.0, 1000.0), "fixed",
          _A + "below about 30 effective runs a share of met runs has a 90 % interval wider than ±0.15 at p = 0.5 "
          "and an updated p is not worth reporting",
          "Smallest effective sample size the update reports", "update"),
)
_PARAM = {p.name: p for p in OBSERVATION_PARAMS}
#: Smallest effective sample size the update accepts.
MIN_EFFECTIVE_RUNS = _PARAM["min_effective_runs"].default
#: Thresholds of the on-track ratio (actual over required progress since the origin): on track at 95 % or more,
#: acceleration needed from 60 %, off track below (Eurostat SDG monitoring, Statistics Canada's SDG progress rule).
ON_TRACK, ACCELERATE = 0.95, 0.60


def error_of(qualifier: str | None) -> float:
    """The measurement error (log sd) of a figure by how it is stated (``None``: plainly)."""
    return _PARAM["observed_error_plain" if not qualifier else "observed_error_about"].default


@dataclass(frozen=True)
class Conditioning:
    """Importance weights of an ensemble's runs given observed figures.

    Attributes
    ----------
    runs : numpy.ndarray
        Run ids, in the order of :attr:`weights`.
    weights : numpy.ndarray
        Normalised weights (sum 1).
    rows : pandas.DataFrame
        One row per observed figure: ``region, indicator, unit, year, value, qualifier``, the prior ensemble's
        ``q10, q50, q90`` and ``z_median`` (log distance of the median from the figure in units of ``s``).
    origin : int
        The ensemble's first year.
    """

    runs: np.ndarray
    weights: np.ndarray
    rows: pd.DataFrame
    origin: int

    @property
    def effective_runs(self) -> float:
        """Kish's effective sample size ``1 / sum w^2`` (runs)."""
        return float(1.0 / np.sum(self.weights ** 2))

    def summary(self) -> dict:
        """What the provenance and the report record of the update."""
        return {"figures": len(self.rows), "runs": len(self.runs), "effective_runs": round(self.effective_runs, 2),
                "years": sorted(int(y) for y in self.rows.year.unique()),
                "parameters": {p.name: p.default for p in OBSERVATION_PARAMS}}


def _values(results: Results, observed: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Run ids and the (run, figure) matrix of simulated values for the observed rows."""
    f = results.frame
    runs = np.sort(f.run.unique())
    years = sorted(int(y) for y in f.year.unique())
    columns = []
    for row in observed.itertuples(index=False):
        sel = f[(f.region == row.region) & (f.indicator == row.indicator) & (f.year == row.year)]
        if sel.empty:
            raise ConfigError(f"observed {row.region}/{row.indicator}/{row.year}: not in the simulated results "
                              f"(years {years[0]}-{years[-1]}, indicators simulated for {row.region}); allowed: "
                              f"a simulated region, indicator and year after {years[0]}")
        columns.append(sel.set_index("run").value.reindex(runs).to_numpy())
    return runs, np.column_stack(columns)


def condition(results: Results, observed: pd.DataFrame) -> Conditioning:
    """Weights of ``results``' runs given ``observed`` (:func:`dezsim.data.observations.read_observed`'s table).

    Raises :class:`ConfigError` for a figure at or before the origin, outside the simulated years, or when the
    effective sample size falls below :data:`MIN_EFFECTIVE_RUNS`."""
    origin = int(results.frame.year.min())
    early = observed[observed.year <= origin]
    if len(early):
        row = early.iloc[0]
        raise ConfigError(f"observed {row.region}/{row.indicator}/{int(row.year)}: year {int(row.year)} is not after "
                          f"the origin {origin}; allowed: figures for {origin + 1} and later")
    runs, x = _values(results, observed)
    if not np.all(np.isfinite(x)) or np.any(x <= 0):
        raise ConfigError("observed figures: the simulated values are not all positive, so a relative error is "
                          "undefined; allowed: indicators with positive levels")
    qual = [q if isinstance(q, str) and q else None for q in observed.qualifier]
    resid = np.log(x) - np.log(observed.value.to_numpy(float))  # (run, figure)
    s = np.array([np.hypot(error_of(q), _discrepancy(y - origin)) for q, y in zip(qual, observed.year, strict=True)])
    ll = np.zeros(len(runs))
    bound = np.array([q in ("above", "below") for q in qual])
    for j in np.flatnonzero(bound):
        ll += stats.norm.logcdf((1 if qual[j] == "above" else -1) * resid[:, j] / s[j])
    for _, group in observed.reset_index(drop=True)[~bound].groupby("indicator", observed=True):
        cols = group.index.to_numpy()
        cov = covariance(group.region.to_numpy(), group.year.to_numpy() - origin, [qual[j] for j in cols])
        chol = np.linalg.cholesky(cov)
        white = np.linalg.solve(chol, resid[:, cols].T)  # (figure, run)
        ll += -0.5 * np.sum(white ** 2, axis=0)
    w = np.exp(ll - ll.max())
    w /= w.sum()
    q10, q50, q90 = np.quantile(x, [0.1, 0.5, 0.9], axis=0)
    observed = observed.assign(qualifier=qual)
    rows = observed.reset_index(drop=True).assign(q10=q10, q50=q50, q90=q90,
                                                   z_median=(np.log(q50) - np.log(observed.value.to_numpy(float))) / s)
    cond = Conditioning(runs, w, rows, origin)
    if cond.effective_runs < MIN_EFFECTIVE_RUNS:
        raise ConfigError(f"--observed: the figures leave {cond.effective_runs:.1f} effective runs of {len(runs)} "
                          f"(allowed: at least {MIN_EFFECTIVE_RUNS:.0f}); raise --runs, or check the figures "
                          f"(largest miss: {_worst(rows)})")
    return cond


def _discrepancy(years: float) -> float:
    """The model discrepancy's log sd after ``years`` since the origin."""
    return _PARAM["model_discrepancy"].default * np.sqrt(years)


def covariance(regions: np.ndarray, years: np.ndarray, qualifiers: list[str | None]) -> np.ndarray:
    """Covariance of the log misses of figures of one indicator: measurement error on the diagonal, and the
    discrepancy random walk shared up to the earlier figure's year, fully within a region, ``rho`` across."""
    d2 = _PARAM["model_discrepancy"].default ** 2
    rho = _PARAM["discrepancy_region_correlation"].default
    shared = d2 * np.minimum.outer(years, years).astype(float)
    same = np.equal.outer(regions, regions)
    return shared * np.where(same, 1.0, rho) + np.diag([error_of(q) ** 2 for q in qualifiers])


def _worst(rows: pd.DataFrame) -> str:
    r = rows.iloc[int(np.argmax(np.abs(rows.z_median.to_numpy())))]
    return f"{r.region}/{r.indicator}/{int(r.year)} = {r.value:g}, ensemble median {r.q50:.4g}"


def resample(results: Results, cond: Conditioning, seed: int | None) -> Results:
    """The ensemble resampled by weight (systematic resampling, reproducible from ``seed``): as many runs as
    before, numbered 0.., each a copy of a prior run (``design.source_run``); the provenance records the update."""
    n = len(cond.runs)
    u = (component_rng(seed, "update").random() + np.arange(n)) / n
    picks = cond.runs[np.minimum(np.searchsorted(np.cumsum(cond.weights), u), n - 1)]
    f = results.frame
    position = np.searchsorted(cond.runs, f.run.to_numpy())  # cond.runs is sorted
    size = len(f) // n
    rows_of = np.argsort(position, kind="stable").reshape(n, size)  # each run's rows, in the frame's order
    frame = f.iloc[rows_of[np.searchsorted(cond.runs, picks)].ravel()].reset_index(drop=True)
    frame["run"] = np.repeat(np.arange(n), size)
    design = results.design.set_index("run").loc[picks].reset_index().rename(columns={"run": "source_run"})
    design.insert(0, "run", np.arange(n))
    provenance = dict(results.provenance) | {"update": cond.summary()}
    return Results(frame[list(results.frame.columns)], design, provenance)


def effective_runs(results: Results) -> float | None:
    """The effective sample size a resampled ensemble stands for (None: not an updated ensemble)."""
    update = results.provenance.get("update")
    return None if not update else float(update["effective_runs"])


def on_track(reach: pd.DataFrame, observed: pd.DataFrame, prior: Results) -> pd.DataFrame:
    """The on-track ratio of every assessed target with an observed figure of its region and indicator.

    Actual progress is the latest observed figure against the ensemble's origin value (its median); required
    progress is the part of the way to the target that the elapsed years ask for: a geometric path for levels of
    money and counts, a straight line for shares, the target rate itself for growth targets, a pro-rata share of a
    count of new items. ``ratio = actual / required``; ``status``: on track (>= 95 %), acceleration needed
    (60-95 %), off track (< 60 %); no ratio when the origin already meets the target.
    """
    origin = int(prior.frame.year.min())
    medians = prior.frame.groupby(["region", "indicator", "year"], observed=True).value.median()
    latest = observed.sort_values("year").groupby(["region", "indicator"]).last()
    rows = []
    for t in reach[reach.assessed].itertuples(index=False):
        key = (t.region, t.indicator)
        if key not in latest.index:
            continue
        obs = latest.loc[key]
        oy, value = int(obs.year), float(obs.value)
        if oy > t.year:
            continue
        start = int(t.period_start) if pd.notna(t.period_start) else origin
        base = medians.get((t.region, t.indicator, max(start, origin)), np.nan)
        ratio = _ratio(Reading(t.reading), t, base, value, max(start, origin), oy, t.unit)
        rows.append({"target_id": t.target_id, "observed_year": oy, "observed_value": value, "origin_value": base,
                     "on_track_ratio": ratio, "on_track": status(ratio)})
    return pd.DataFrame(rows, columns=["target_id", "observed_year", "observed_value", "origin_value",
                                       "on_track_ratio", "on_track"])


def _ratio(reading: Reading, t, base: float, value: float, start: int, oy: int, unit: str) -> float:
    span, done = int(t.year) - start, oy - start
    if not np.isfinite(base) or span <= 0 or done <= 0:
        return np.nan
    if reading is Reading.GROWTH:
        actual = 100.0 * ((value / base) ** (1.0 / done) - 1.0)
        return actual / t.threshold if t.threshold > 0 else np.nan
    if reading in (Reading.NEW_IN_PERIOD, Reading.CUMULATIVE_SINCE):
        required = t.threshold * done / span
        return (value - base) / required if required > 0 else np.nan
    target = float(t.threshold)
    if (t.relation == ">=" and base >= target) or (t.relation == "<=" and base <= target):
        return np.nan  # met at the origin: no progress is required
    share = unit.startswith("pct") or base <= 0 or target <= 0
    path = base + (target - base) * done / span if share else base * (target / base) ** (done / span)
    return (value - base) / (path - base)


def status(ratio: float) -> str:
    """on track, acceleration needed or off track ("" without a ratio)."""
    if not np.isfinite(ratio):
        return ""
    return "on track" if ratio >= ON_TRACK else "acceleration needed" if ratio >= ACCELERATE else "off track"
