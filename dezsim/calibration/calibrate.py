"""Calibration to the 2020 baselines and pre-2020 history: approximate Bayesian computation by rejection.

Why rejection ABC: every figure the calibration uses is a level or a count with a stated tolerance, the
moments are cheap closed forms, short integrations of the model's own declared equations, or (the agents'
pre-2021 flows) one year simulated by the model's own agents (:mod:`dezsim.calibration.calibrate_flows`), and the prior is a
product of the declared parameter distributions. The likelihood then factorises over groups of parameters
(GDP; EI; software; 5G; agents' stocks; agents' flows given their stocks), so each group is sampled on its own
and accepted draws are combined: the ensemble keeps every dependence the data impose and none they do not.
Parameters no figure up to 2020 speaks to keep their prior draws (listed in the provenance as "prior only").

Only figures up to 2020 are used (each moment names its figure ids); later figures are for ``dezsim hindcast``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import sympy as sp

from dezsim.base.errors import DezsimError
from dezsim.calibration.calibrate_flows import simulate_year
from dezsim.model.drift_estimate import drift_now, log_growth_series
from dezsim.data.dataset import CALIBRATION_CUTOFF, Dataset
from dezsim.data.history import load_series
from dezsim.model import params as P
from dezsim.model.abm.population import initial_shares
from dezsim.model.drift import GDP_FILTER_LAST_YEAR, WINDOW_YEARS
from dezsim.model.origin import BASE_ORIGIN
from dezsim.model.sd import equations as eq
from dezsim.model.sd.initial import derive

# The stored ensemble lives in calibration_store (simulate reads it; calibrate writes it), re-exported here.
from dezsim.model.calibration_store import (  # noqa: F401, E402
    ENSEMBLE, MANIFEST, ROOT, central, default_root, digest, load_ensemble, save)



@dataclass(frozen=True)
class Moment:
    """One calibration target: a figure (or a quantity derived from figures) the model must reproduce."""

    name: str
    figures: tuple[str, ...]
    target: float
    tolerance: float  # absolute half-width of the acceptance window
    why: str  # why this tolerance


@dataclass(frozen=True)
class Group:
    """Parameters fitted together, the moments they must reproduce, and how to simulate those moments."""

    name: str
    params: tuple[str, ...]
    moments: tuple[Moment, ...]
    simulate: Callable[[dict[str, np.ndarray]], dict[str, np.ndarray]]
    given: str | None = None  # a group whose accepted draws this one is conditioned on


def _value(ds: Dataset, fid: str) -> float:
    row = ds.figures.set_index("id").loc[fid]
    if row.year > CALIBRATION_CUTOFF:
        raise DezsimError(f"calibration may use figures up to {CALIBRATION_CUTOFF} only; {fid} is {row.year}")
    return float(row.value)


def _rel(target: float, rel: float = 0.02) -> float:
    return abs(target) * rel


#: The history series GDP's drift is filtered on: Suzhou's real growth, the longest yearly series of the city whose
#: levels calibrate the nominal growth (Jiangsu's and Wuxi's are gappy).
GDP_DRIFT_SERIES = ("gdp", "suzhou", "real")

TWO_PCT = "a 2020 baseline (or pre-2020 level) reproduced within +-2 %"


def groups(ds: Dataset) -> list[Group]:
    """The calibration groups, built from data/ (figures up to 2020 only)."""
    v = lambda fid: _value(ds, fid)  # noqa: E731
    gdp_2015, gdp_2019 = v("pub-044"), v("pub-005")
    ei_2020, sw_2020 = v("s003-002"), v("s003-003")
    n_gdp, n_ei, n_sw = WINDOW_YEARS["gdp"], WINDOW_YEARS["ei"], WINDOW_YEARS["sw"]
    ei_2015 = ei_2020 / (1 + v("s003-004") / 100) ** n_ei
    sw_2015 = sw_2020 / (1 + v("s003-005") / 100) ** n_sw
    out = [
        _gdp_group(ds, gdp_2015, gdp_2019, n_gdp),
        Group("ei", ("ei_trend_growth",), (Moment("jiangsu_ei_2020", ("s003-002", "s003-004"), ei_2020, _rel(ei_2020),
                                                  TWO_PCT + " (from the 2015 level the 13th-FYP growth implies)"),),
              lambda d: {"jiangsu_ei_2020": ei_2015 * np.exp(n_ei * d["ei_trend_growth"])}),
        Group("sw", ("sw_trend_growth",), (Moment("jiangsu_sw_2020", ("s003-003", "s003-005"), sw_2020, _rel(sw_2020),
                                                  TWO_PCT + " (from the 2015 level the 13th-FYP growth implies)"),),
              lambda d: {"jiangsu_sw_2020": sw_2015 * np.exp(n_sw * d["sw_trend_growth"])}),
        _g5_group(ds),
    ]
    return out + _agent_groups(ds)


def _gdp_group(ds: Dataset, gdp_2015: float, gdp_2019: float, years: int) -> Group:
    """GDP's trend growth now: Suzhou's nominal mean growth 2015 -> 2019 moved by how far its real growth trend
    had moved from its own window mean by 2019 (the Kalman-filtered drift of the local-level model, the estimator
    the backtest scores, :mod:`dezsim.model.drift_estimate`); accepted within a uniform window of the filtered variance.

    Why not the window mean alone: growth slowed year after year before 2020, so a mean over 2015-2019 runs above
    the trend of 2019; the rolling-origin backtests showed that lag as outcomes piled below the forecasts.
    """
    now = drift_now(log_growth_series(load_series(root=ds.root)), GDP_DRIFT_SERIES, GDP_FILTER_LAST_YEAR, years)
    if now is None:
        raise DezsimError(f"calibration: no drift can be fitted to the history's {GDP_DRIFT_SERIES} through "
                          f"{GDP_FILTER_LAST_YEAR}; data/history/series_to_2020.csv needs its yearly figures")
    target = float(np.log(gdp_2019 / gdp_2015) / years + now.drift - now.window_mean)
    why = (f"nominal mean growth {years} years to 2019 (levels) {np.log(gdp_2019 / gdp_2015) / years:.4f} plus the "
           f"filtered real drift {now.drift:.4f} less the real window mean {now.window_mean:.4f} (data/history "
           f"{' '.join(GDP_DRIFT_SERIES[1::-1])} {GDP_DRIFT_SERIES[2]}); +- sqrt(3 P), P = {now.variance:.2e} the "
           "filtered variance: a uniform window of the same variance")
    moment = Moment("suzhou_gdp_drift_2019", ("pub-044", "pub-005"), target, float(np.sqrt(3 * now.variance)), why)
    return Group("gdp", ("gdp_growth",), (moment,), lambda d: {"suzhou_gdp_drift_2019": d["gdp_growth"]})


def _g5_group(ds: Dataset) -> Group:
    """Suzhou's 5G build-out over 2020 (5461 -> 17500 stations), through the declared build rate."""
    g2019, g2020 = _value(ds, "pub-004"), _value(ds, "s001a-037")
    y2019, y2020 = _value(ds, "pub-005"), _value(ds, "pub-006")
    names = ("g5_bass_p", "g5_bass_q", "g5_capex_share_gdp", "g5_station_cost", "g5_ceiling_per_gdp")
    rate = sp.lambdify((eq.g5, eq.gdp, eq.gdp_2020, *(eq.P[n] for n in names)), eq.RATES[eq.g5], "numpy")

    def simulate(d: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        steps, g = 48, np.full_like(d["g5_bass_p"], g2019)
        growth = np.log(y2020 / y2019)  # GDP during 2020 on its observed path
        f = lambda t, s: rate(s, y2019 * np.exp(growth * t), y2020, *(d[n] for n in names))  # noqa: E731
        for i in range(steps):  # RK4 over the year 2020
            t, h = i / steps, 1 / steps
            k1 = f(t, g)
            k2 = f(t + h / 2, g + h / 2 * k1)
            k3 = f(t + h / 2, g + h / 2 * k2)
            k4 = f(t + h, g + h * k3)
            g = g + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        return {"suzhou_g5_2020": g}

    return Group("g5", names, (Moment("suzhou_g5_2020", ("pub-004", "s001a-037"), g2020, _rel(g2020), TWO_PCT),),
                 simulate)


def _history_value(ds: Dataset, fid: str) -> float:
    """The value of row ``fid`` of data/history/infrastructure_adoption_to_2020.csv (figures up to 2020)."""
    from dezsim.data.history_infra import load_infrastructure_history

    rows = load_infrastructure_history(ds.root).set_index("id")
    if fid not in rows.index:
        raise DezsimError(f"calibration: data/history/infrastructure_adoption_to_2020.csv has no row {fid!r}")
    if rows.loc[fid, "year"] > CALIBRATION_CUTOFF:
        raise DezsimError(f"calibration may use figures up to {CALIBRATION_CUTOFF} only; {fid} is "
                          f"{rows.loc[fid, 'year']}")
    return float(rows.loc[fid, "value"])


#: Parameters of the agents' chained groups: the population and star-cloud stock (agent_cloud), the flows
#: (agent_flows), and every parameter the flows' simulation reads (dezsim.calibration.calibrate_flows): the chain up to it.
CLOUD_NAMES = ("firms_per_gdp", "smes_per_above_scale", "sme_initial_factor", "init_share_diagnosed",
               "init_share_cloud", "cloud_recognition")
FLOW_NAMES = ("hazard_cloud", "hazard_workshop", "peer_effect", "infra_effect", "attractiveness_elasticity",
              "cost_scale", "firm_size_sigma")
FLOW_CHAIN_NAMES = (*CLOUD_NAMES, "init_share_workshop", "workshop_recognition", "init_share_factory",
                    "factory_recognition", *FLOW_NAMES)


def _agent_groups(ds: Dataset) -> list[Group]:
    """Agents' end-2020 stocks (recognised demonstrations), Jiangsu's 2020 workshop flow and Taicang's 2019
    four-star cloud flow."""
    gdp = derive(ds, "gdp").value
    jiangsu_gdp = float(gdp[ds.leaves()].sum())
    suzhou_gdp, taicang_gdp = float(gdp[ds.leaves("suzhou")].sum()), float(gdp["taicang"])
    workshops, factories = _value(ds, "s003-008"), _value(ds, "s003-009")
    stars = sum(_value(ds, f) for f in ("s001a-066", "s001a-067", "s001a-068"))
    four_star = _value(ds, "s001a-067") / stars
    coverage_2019 = _value(ds, "pub-004") / (P.BY_NAME["g5_ceiling_per_gdp"].default * _value(ds, "pub-006"))

    def at_least(d, rung: int, region_gdp: float) -> np.ndarray:
        """Real firms (above-size + SMEs) at rung >= ``rung``."""
        s = initial_shares(d, upto=rung)[rung - 1]  # cumulative shares, non-increasing
        above = d["firms_per_gdp"] * region_gdp
        return s * above * (1 + d["sme_initial_factor"] * d["smes_per_above_scale"])

    # Jiangsu's provincial workshops: 928 after the 2019 batch (ia-067), 1307 at end-2020 (s003-008): 379 new in
    # 2020 on a stock of 928. The model gives every region one adoption intensity, so its flow-to-stock ratio is
    # that of any region: Taicang's firms (simulated for the cloud flow anyway) stand in for Jiangsu's.
    stock_2019 = _history_value(ds, "ia-067")
    new_2020 = workshops - stock_2019

    def flows(d):
        sim = simulate_year(d, FLOW_CHAIN_NAMES, taicang_gdp, coverage_2019)
        stock = sim["workshop_firms"]
        ratio = np.divide(sim["new_workshops"], stock, out=np.full_like(stock, np.inf), where=stock > 0)
        return {"jiangsu_workshop_flow_ratio_2020": ratio,
                "taicang_new_four_star_cloud_2019": d["cloud_recognition"] * four_star * sim["new_cloud"]}

    poisson = ("a yearly count of n events carries Poisson noise: accepted within +-sqrt(n) of one simulated year "
               "(the model's agents, Taicang's firms drawn as every run draws them)")
    ratio_why = ("the 2020 batch of n = 379 provincial workshops on the 928 recognised before it, with its Poisson "
                 "noise (+-sqrt(n) / 928); simulated as new smart workshops over the workshops at the year's start "
                 "(recognition shares cancel). It replaces Taicang's 2019 flow (9 new, pub-016), about 3.3 times "
                 "Taicang's GDP share of Jiangsu's 2019 batch (200, ia-066), with 1.6 times its share of the stock "
                 "(29, pub-015): a model with one adoption intensity for every region cannot fit a district's "
                 "level, and fitted to Taicang's it ran the whole province at Taicang's pace")
    # Chained groups: each shares only the population parameters of the one before, so each is accepted on
    # its own moment given the previous group's accepted sets (the product prior makes this exact).
    return [
        Group("agent_cloud", CLOUD_NAMES, (
            Moment("suzhou_cloud_stars_2020", ("s001a-066", "s001a-067", "s001a-068"), stars, _rel(stars), TWO_PCT),),
            lambda d: {"suzhou_cloud_stars_2020": d["cloud_recognition"] * at_least(d, 2, suzhou_gdp)}),
        Group("agent_workshops", ("init_share_workshop", "workshop_recognition"), (
            Moment("jiangsu_workshops_2020", ("s003-008",), workshops, _rel(workshops), TWO_PCT),),
            lambda d: {"jiangsu_workshops_2020": d["workshop_recognition"] * at_least(d, 3, jiangsu_gdp)},
            given="agent_cloud"),
        Group("agent_factories", ("init_share_factory", "factory_recognition"), (
            Moment("jiangsu_factories_2020", ("s003-009",), factories, _rel(factories), TWO_PCT),),
            lambda d: {"jiangsu_factories_2020": d["factory_recognition"] * at_least(d, 4, jiangsu_gdp)},
            given="agent_workshops"),
        Group("agent_flows", FLOW_NAMES, (
            Moment("jiangsu_workshop_flow_ratio_2020", ("s003-008", "ia-067"), new_2020 / stock_2019,
                   float(np.sqrt(new_2020)) / stock_2019, ratio_why),
            Moment("taicang_new_four_star_cloud_2019", ("pub-010", "s001a-067"), _value(ds, "pub-010"),
                   np.sqrt(_value(ds, "pub-010")), poisson),
        ), flows, given="agent_factories"),
        _municipal_group(ds, at_least),
    ]


def _municipal_group(ds: Dataset, at_least: Callable) -> Group:
    """Municipal-list smart workshops at end-2020: Taicang's 46 Suzhou-municipal (pub-017) and Wuzhong's 37
    provincial plus municipal (s001a-121), pooled in one moment. The model places workshops by GDP, so either
    district alone would also fit its own intensity (Taicang's 29 provincial, pub-015, are about 1.6 times its GDP
    share of Jiangsu's 1307); pooled, the two districts' excess partly averages out. Given the provincial share
    (group agent_workshops), only ``municipal_recognition`` is fitted."""
    gdp = derive(ds, "gdp").value
    taicang, wuzhong = float(gdp["taicang"]), float(gdp["wuzhong"])
    target = _value(ds, "pub-017") + _value(ds, "s001a-121")

    def simulate(d):
        muni = d["municipal_recognition"] * at_least(d, 3, taicang)
        both = (d["workshop_recognition"] + d["municipal_recognition"]) * at_least(d, 3, wuzhong)
        return {"taicang_wuzhong_municipal_2020": muni + both}

    why = ("two districts' end-2020 stocks of recognitions: the model's expected stock is held to the count "
           "within its Poisson noise, +-sqrt(n)")
    return Group("agent_municipal", ("municipal_recognition",), (
        Moment("taicang_wuzhong_municipal_2020", ("pub-017", "s001a-121"), target, float(np.sqrt(target)), why),),
        simulate, given="agent_flows")


def sample_group(group: Group, n: int, rng: np.random.Generator, given: pd.DataFrame | None = None,
                 batch: int = 20_000, max_draws: int = 4_000_000, advance: Callable[[int], None] | None = None
                 ) -> tuple[pd.DataFrame, dict]:
    """Rejection-sample ``n`` parameter sets of ``group`` whose moments all fall inside their windows.

    Prior draws come from the declared distributions; a group conditioned on another draws that group's
    accepted sets uniformly and keeps their columns. Returns the accepted sets and acceptance statistics.
    """
    accepted, drawn = [], 0
    while sum(len(a) for a in accepted) < n:
        if drawn >= max_draws:
            raise DezsimError(f"calibration group {group.name!r}: only {sum(len(a) for a in accepted)} of {n} sets "
                              f"accepted after {drawn} draws; the data and priors disagree (widen a prior or check "
                              "the figures)")
        d = {name: P.BY_NAME[name].draw(rng, batch) for name in group.params}
        if given is not None:
            pick = given.iloc[rng.integers(0, len(given), batch)].reset_index(drop=True)
            d |= {c: pick[c].to_numpy() for c in pick.columns if c not in d}
        sims = group.simulate(d)
        ok = np.ones(batch, dtype=bool)
        for m in group.moments:
            ok &= np.abs(sims[m.name] - m.target) <= m.tolerance
        accepted.append(pd.DataFrame({k: np.asarray(v)[ok] for k, v in d.items()}))
        drawn += batch
        if advance is not None:
            advance(batch)
    out = pd.concat(accepted, ignore_index=True).iloc[:n].reset_index(drop=True)
    return out, {"draws": drawn, "accepted": int(sum(len(a) for a in accepted)),
                 "rate": sum(len(a) for a in accepted) / drawn}


def calibrate(ds: Dataset, n: int = 1000, seed: int = 0, progress: bool = False, *,
              chain: list[Group] | None = None, origin: int = BASE_ORIGIN) -> tuple[pd.DataFrame, dict]:
    """Run every group and assemble an ensemble of ``n`` full parameter sets (one row each, column per
    declared parameter) with its manifest (moments, acceptance, prior-only parameters, provenance).

    ``chain`` (default: :func:`groups`, the 2020 calibration) and its ``origin`` are given for an earlier origin
    (:func:`dezsim.calibration.origin_groups.calibrate_at`)."""
    from dezsim.base.seeding import component_rng, named_rng
    from dezsim.model.simulate import code_version

    rng = component_rng(seed, "calibration")
    chain = groups(ds) if chain is None else chain
    fitted: dict[str, pd.DataFrame] = {}
    stats = {}
    bar = _progress(progress)
    with bar:
        for g in chain:
            task = bar.add_task(f"calibrating {g.name}", total=None)
            fitted[g.name], stats[g.name] = sample_group(g, n, rng, fitted.get(g.given) if g.given else None,
                                                         advance=lambda k, t=task: bar.advance(t, k))
            bar.update(task, description=f"{g.name}: {stats[g.name]['rate']:.1%} accepted")
    # every parameter's prior draws have their own stream: declaring a parameter never redraws another's
    ensemble = pd.DataFrame({p.name: p.draw(named_rng(seed, "calibration", p.name), n) for p in P.PARAMS})
    for g in chain:  # a chain's last group carries every column of the groups it was conditioned on
        for col in fitted[g.name].columns:
            ensemble[col] = fitted[g.name][col].to_numpy()
    fitted_names = sorted({c for f in fitted.values() for c in f.columns})
    manifest = {
        "method": "rejection ABC per group of parameters (see dezsim/calibration/calibrate.py)", "size": n, "seed": seed,
        "data_hash": ds.digest, "code_version": code_version(),
        "cutoff_year": CALIBRATION_CUTOFF if origin == BASE_ORIGIN else origin, "origin": origin,
        "groups": {g.name: {"params": list(g.params), "given": g.given, **stats[g.name],
                            "moments": [vars(m) | {"figures": list(m.figures)} for m in g.moments]}
                   for g in chain},
        "fitted": fitted_names, "prior_only": sorted(set(P.BY_NAME) - set(fitted_names)),
        "point": {name: float(ensemble[name].median()) for name in fitted_names},
    }
    ensemble.insert(0, "set", np.arange(n))
    return ensemble, manifest


def _progress(enabled: bool):
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed:,} draws"),
                    TimeElapsedColumn(), disable=not enabled, transient=False)


#: 2020 baselines the full model starts from or reproduces (indicator, region), checked by ``fit_table``.
INITIAL_CHECKS = (("gdp", "jiangsu"), ("gdp", "suzhou"), ("gdp", "wuxi"), ("ei_manufacturing_revenue", "jiangsu"),
                  ("ei_manufacturing_revenue", "suzhou"), ("software_revenue", "jiangsu"),
                  ("software_revenue", "suzhou"), ("g5_base_stations", "jiangsu"), ("g5_base_stations", "suzhou"),
                  ("dc_racks", "jiangsu"), ("above_scale_firms", "suzhou"))
#: Agent stocks at end-2020 and the figure ids they are compared with.
AGENT_CHECKS = (("smart_workshops", "jiangsu", ("s003-008",)), ("smart_factories", "jiangsu", ("s003-009",)),
                ("cloud_star_firms", "suzhou", ("s001a-066", "s001a-067", "s001a-068")))


def fit_table(ds: Dataset, ensemble: pd.DataFrame, runs: int = 100, seed: int = 0) -> pd.DataFrame:
    """Each covered baseline: data, simulated median and 10-90 % interval, relative error, tolerance.

    Moments are re-simulated on the ensemble; 2020 stocks come from the full coupled model run on the
    calibrated ensemble (so sampling of the firm population is included).
    """
    rows = []
    cols = {c: ensemble[c].to_numpy() for c in ensemble.columns}
    for g in groups(ds):
        sims = g.simulate(cols)
        for m in g.moments:
            rows.append(_row(m.name, ", ".join(m.figures), m.target, sims[m.name], m.tolerance / abs(m.target), m.why))
    from dezsim.model.config import Scenario
    from dezsim.model.sd.initial import stated_at
    from dezsim.model.simulate import run

    res = run(Scenario(name="calibration_check", end=2021), runs=runs, seed=seed, data=ds)
    first = res.frame[res.frame.year == 2020]
    for indicator, region in INITIAL_CHECKS:
        stated = stated_at(ds, indicator)
        sim = first[(first.indicator == indicator) & (first.region == region)].value.to_numpy()
        rows.append(_row(f"{region} {indicator} 2020", stated.loc[region, "id"], float(stated.loc[region, "value"]),
                         sim, 0.02, "initial state (derived from data; boards sum to the city)"))
    for indicator, region, ids in AGENT_CHECKS:
        sim = first[(first.indicator == indicator) & (first.region == region)].value.to_numpy()
        target = sum(_value(ds, i) for i in ids)
        # Each set's expected stock is within 2 %; drawing a finite population of weighted agents adds sampling
        # noise, so the ensemble median is held to 2 % plus three standard errors of that noise.
        tolerance = 0.02 + 3 * sim.std(ddof=1) / np.sqrt(len(sim)) / target
        rows.append(_row(f"{region} {indicator} 2020", ", ".join(ids), target, sim, tolerance,
                         "agents' end-2020 stock: 2 % + 3 standard errors of population sampling"))
    return pd.DataFrame(rows)


def _row(name: str, figures: str, target: float, sims: np.ndarray, tolerance: float, why: str) -> dict:
    q10, q50, q90 = np.quantile(sims, [0.1, 0.5, 0.9])
    error = (q50 - target) / target
    return {"baseline": name, "figures": figures, "data": target, "median": q50, "q10": q10, "q90": q90,
            "error_pct": 100 * error, "tolerance_pct": 100 * tolerance, "within": abs(error) <= tolerance,
            "why": why}


def derived_stocks(ds: Dataset, ensemble: pd.DataFrame) -> pd.DataFrame:
    """Every region's 2020 stocks as the model starts them: figures from data/ or the documented allocation,
    plus core-industry value added (EI and software revenue x value-added ratios x (1 + other core)) with its
    10-90 % range over the ensemble."""
    from dezsim.model.sd.initial import derivation_notes

    notes = derivation_notes(ds).assign(q10=np.nan, q90=np.nan)
    ei = notes[notes.indicator == "ei_manufacturing_revenue"].set_index("region").value
    sw = notes[notes.indicator == "software_revenue"].set_index("region").value
    rows = []
    for region in ei.index:
        va = (1 + ensemble.oc_relative_size) * (ensemble.ei_va_ratio * ei[region] + ensemble.sw_va_ratio * sw[region])
        q10, q50, q90 = np.quantile(va, [0.1, 0.5, 0.9])
        rows.append({"indicator": "core_industry_va", "region": region, "value": q50, "q10": q10, "q90": q90,
                     "how": "EI and software revenue x value-added ratios x (1 + other core), over the ensemble"})
    return pd.concat([notes, pd.DataFrame(rows)], ignore_index=True)
