"""The ``dezsim`` command line: ``dezsim data summary | check`` (more commands join as the model grows).

User errors (:class:`~dezsim.errors.DezsimError`) print as one line on stderr with exit code 2, never a
traceback.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from dezsim.errors import DezsimError

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Regional digital-economy simulation.")
data_app = typer.Typer(no_args_is_help=True, help="Inspect and validate data/ (plan figures and sources).")
app.add_typer(data_app, name="data")

# Piped output (files, notebooks, CI logs) gets a wide console so tables stay readable.
console = Console() if sys.stdout.isatty() else Console(width=180)
DataDir = Annotated[Path | None, typer.Option("--data", help="data folder (default: the checkout's data/)")]


def _fail(exc: DezsimError) -> typer.Exit:
    # The message quotes user text (paths, --set items, cell values): never read it as rich markup.
    Console(stderr=True).print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


def _load(root: Path | None):
    from dezsim.data import load

    try:
        return load(root)
    except DezsimError as exc:
        raise _fail(exc) from None


def print_frame(frame: pd.DataFrame, title: str, index: bool = True) -> None:
    """Print a DataFrame as a rich table."""
    table = Table(title=escape(title), title_justify="left", show_lines=False)
    names = ([str(frame.index.name or "")] if index else []) + [str(c) for c in frame.columns]
    for name in names:
        table.add_column(escape(name), overflow="fold")
    for idx, row in frame.iterrows():
        cells = [str(idx)] if index else []  # cells quote data and user text: never markup
        cells += ["" if pd.isna(v) else f"{v:g}" if isinstance(v, float) else str(v) for v in row]
        table.add_row(*(escape(c) for c in cells))
    console.print(table)


@data_app.command("summary")
def data_summary(data: DataDir = None) -> None:
    """Counts of figures by region and kind, and of targets by region and year."""
    from dezsim.datacheck import summary_tables

    ds = _load(data)
    for title, frame in summary_tables(ds).items():
        print_frame(frame, title)
    console.print(f"{len(ds.figures)} figures ({len(ds.targets())} targets) from {len(ds.sources)} sources; "
                  f"data hash {ds.digest[:12]}")


@data_app.command("check")
def data_check(
    data: DataDir = None,
    seeds: Annotated[Path | None, typer.Option(help="folder of the plan texts, to verify every quote")] = None,
) -> None:
    """Validate every row, verify quotes against the seeds, and report cross-level inconsistencies."""
    from dezsim import reference_targets
    from dezsim.datacheck import cross_level
    from dezsim.quotes import default_seeds, missing_quotes

    ds = _load(data)
    console.print(f"[green]valid:[/] {len(ds.figures)} figures, {len(ds.regions)} regions, "
                  f"{len(ds.indicators)} indicators, {len(ds.units)} units")
    folder = seeds or default_seeds(ds.root)
    bad = None
    if folder is not None and folder.is_dir():
        bad = missing_quotes(ds, folder)
        status = "[green]all found[/]" if bad.empty else f"[red]{len(bad)} not found[/]"
        console.print(f"quotes checked against {escape(str(folder))}: {status}")
        if not bad.empty:
            print_frame(bad, "quotes not found in their seed", index=False)
        ref = reference_targets.load(ds.root, folder)  # every quote on its stored page or plan text; one line if not
        console.print(f"reference class: {len(ref.targets)} past targets of {len(ref.plans)} plans, every quote found")
    else:
        console.print("[yellow]seeds folder not found: quotes not verified[/] (pass --seeds DIR)")
    report = cross_level(ds)
    print_frame(report.drop(columns=["period_start"]), "cross-level comparison (children vs parent)", index=False)
    counts = report.status.value_counts()
    console.print(f"{counts.get('exceeds_parent', 0) + counts.get('mismatch', 0)} inconsistencies, "
                  f"{counts.get('partial', 0)} partial, {counts.get('ok', 0)} consistent, "
                  f"{counts.get('not_additive', 0)} not additive (reported, never changed)")
    if bad is not None and not bad.empty:
        raise typer.Exit(code=1)


@data_app.command("initial")
def data_initial(data: DataDir = None) -> None:
    """The 2020 stocks of every region used to start the SD core, and how each was derived."""
    from dezsim.sd.initial import derivation_notes

    notes = derivation_notes(_load(data))
    notes["value"] = notes["value"].map(lambda v: f"{v:,.1f}")
    print_frame(notes, "2020 stocks by region (data, or allocated by the documented rule)", index=False)


def _scenario(path: Path | None, sets: list[str] | None):
    """The scenario file (or the baseline) with ``--set`` changes applied and validated."""
    from dezsim.config import apply_set, load_scenario, scenario_from_dict
    from dezsim.data import load
    from dezsim.scenario_checks import check_settings_simulated

    if path is not None:
        scen = load_scenario(path, sets)
    elif not sets:
        return None
    else:
        raw: dict = {"name": "baseline"}
        for item in sets:
            apply_set(raw, item)
        scen = scenario_from_dict(raw, source="baseline with --set " + " ".join(sets))
    check_settings_simulated(scen, load())
    return scen


#: Sweep designs whose indices attribute the output variance to the varied parameters (process noise off by default).
SENSITIVITY_DESIGNS = ("sobol", "morris")


def _with_noise(scen, noise: bool):
    """The scenario (None: the baseline) with process noise turned off unless ``noise``."""
    from dezsim.simulate import as_scenario

    return scen if noise else as_scenario(scen).model_copy(update={"noise": False})


KEY_INDICATORS = ("core_industry_share_gdp", "core_industry_va", "g5_base_stations", "g5_coverage", "dc_racks",
                  "dc_pue_fleet", "invention_patents_digital", "upgraded_firms_share", "smart_workshops")


@app.command("run")
def run_cmd(
    scenario: Annotated[Path | None, typer.Argument(help="scenario YAML file (default: baseline)")] = None,
    runs: Annotated[int, typer.Option(min=1, help="ensemble size")] = 200,
    seed: Annotated[int, typer.Option(min=0, help="root seed")] = 0,
    region: Annotated[list[str] | None, typer.Option(help="regions to show (repeatable)")] = None,
    out: Annotated[Path | None, typer.Option(help="write the Results table to this Parquet file")] = None,
    agents: Annotated[bool, typer.Option(help="couple the firm and district agents")] = True,
    set_: Annotated[list[str] | None, typer.Option("--set", help="change a scenario key: key.path=value")] = None,
    noise: Annotated[bool, typer.Option(help="process noise: regional offsets, yearly shocks, drawn 2020 "
                                             "allocations (--no-noise: parameter uncertainty only)")] = True,
) -> None:
    """Project 2020-2025 (SD core coupled to the agents) and print median and 10-90 % range of key indicators."""
    from dezsim.atomic import check_output_file
    from dezsim.coupling import AgentSettings
    from dezsim.simulate import run

    from dezsim.scenario_checks import check_names

    try:
        if out is not None:
            check_output_file(out)
        check_names(region or (), _load(None).regions.code, "--region")
        results = run(_scenario(scenario, set_), runs=runs, seed=seed, agents=AgentSettings() if agents else None,
                      noise=noise)
        check_names(region or (), results.frame.region.cat.categories, "--region (not in these results)")
    except DezsimError as exc:
        raise _fail(exc) from None
    shown = region or ["jiangsu", "suzhou", "wuxi", "taicang", "wuzhong"]
    q = results.quantiles()
    q = q[q.indicator.isin(KEY_INDICATORS) & q.region.isin(shown) & q.year.isin([2020, 2023, 2025])]
    q["range"] = [f"{m:,.4g} [{lo:,.4g}-{hi:,.4g}]" for lo, m, hi in zip(q.q10, q.q50, q.q90, strict=True)]
    table = q.pivot_table(index=["indicator", "region"], columns="year", values="range", aggfunc="first",
                          observed=True)
    table.index = [f"{i} / {r}" for i, r in table.index]
    print_frame(table, f"{results.frame.scenario.iloc[0]}: median [10-90 %] over {runs} runs, seed {seed}")
    if out is not None:
        try:
            results.to_parquet(out)  # written atomically
        except DezsimError as exc:
            raise _fail(exc) from None
        console.print(f"results written to {escape(str(out))}")


@app.command("calibrate")
def calibrate_cmd(
    check: Annotated[bool, typer.Option("--check", help="print the fit table and write fit plots")] = False,
    size: Annotated[int, typer.Option(min=1000, help="ensemble size (>= 1000)")] = 1000,
    seed: Annotated[int, typer.Option(min=0, help="root seed")] = 0,
    runs: Annotated[int, typer.Option(min=10, help="coupled runs for the --check of 2020 stocks")] = 100,
    data: DataDir = None,
) -> None:
    """Fit the parameters to the 2020 baselines and pre-2020 history (rejection ABC); --check shows the fit."""
    from dezsim import calibrate as C
    from dezsim.atomic import atomic_write_text, check_output_folder

    ds = _load(data)
    try:
        check_output_folder(C.ROOT, "calibration folder")
        if check:
            stored = C.load_ensemble()
            if stored is None:
                raise DezsimError(f"{C.ENSEMBLE}: no calibrated ensemble; run `dezsim calibrate` first")
            table = C.fit_table(ds, stored[0], runs=runs, seed=seed)
            shown = table.drop(columns=["why"]).copy()
            for col in ("data", "median", "q10", "q90"):
                shown[col] = shown[col].map(lambda v: f"{v:,.4g}")
            shown["error_pct"] = shown["error_pct"].map(lambda v: f"{v:+.2f}")
            shown["tolerance_pct"] = shown["tolerance_pct"].map(lambda v: f"{v:.2f}")
            print_frame(shown, "calibration fit (median and 10-90 % over the calibrated ensemble)", index=False)
            path = C.fit_plot(table, C.ROOT / "fit.png")
            console.print(f"{int(table.within.sum())}/{len(table)} baselines within tolerance; "
                          f"plot: {escape(str(path))}")
            if not table.within.all():
                raise typer.Exit(code=1)
            return
        ensemble, manifest = C.calibrate(ds, n=size, seed=seed, progress=True)
    except DezsimError as exc:
        raise _fail(exc) from None
    try:
        path = C.save(ensemble, manifest)
        atomic_write_text(C.ROOT / "initial_stocks_2020.csv",
                          C.derived_stocks(ds, ensemble).to_csv(index=False, float_format="%.6g"))
    except DezsimError as exc:
        raise _fail(exc) from None
    rates = ", ".join(f"{g} {s['rate']:.2%}" for g, s in manifest["groups"].items())
    console.print(f"{len(ensemble)} parameter sets written to {escape(str(path))} (acceptance: {rates}); "
                  f"{len(manifest['prior_only'])} parameters prior only")


@app.command("validate")
def validate_cmd(
    out: Annotated[Path | None, typer.Option(help="folder for validation.md and validation.png (default: calibration/)")]
    = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="also write the overall and per-series scores "
                                                                  "(coverage_50/80, crps, the naive CRPS, n) here")]
    = None,
) -> None:
    """Rolling-origin backtests of the growth equation on history up to 2020 (coverage, PIT, CRPS vs naive)."""
    from dezsim import validate as V
    from dezsim.atomic import check_output_file
    from dezsim.calibrate import ROOT

    try:
        if json_path is not None:
            check_output_file(json_path, "--json")
        table, md, png = V.run(out or ROOT, json_path)
    except DezsimError as exc:
        raise _fail(exc) from None
    print_frame(table.round(2), "backtests on history up to 2020 (all origins and horizons)", index=False)
    console.print(f"report: {md}; plot: {png}")


@app.command("reach")
def reach_cmd(
    scenario: Annotated[Path | None, typer.Option(help="scenario file (default: baseline)")] = None,
    runs: Annotated[int, typer.Option(min=10, help="ensemble size")] = 200,
    seed: Annotated[int, typer.Option(min=0, help="root seed")] = 0,
    out: Annotated[Path | None, typer.Option(help="report folder (default: out/reach-<scenario>)")] = None,
    lever_runs: Annotated[int, typer.Option(min=10, help="runs per point of the lever search")] = 40,
    levers: Annotated[bool, typer.Option(help="search the levers for targets below p = 0.8")] = True,
    set_: Annotated[list[str] | None, typer.Option("--set", help="change a scenario key: key.path=value")] = None,
    noise: Annotated[bool, typer.Option(help="process noise: regional offsets, yearly shocks, drawn 2020 "
                                             "allocations (--no-noise: parameter uncertainty only)")] = True,
) -> None:
    """Target reachability for every target in the plans: report.md, report.html, reach.csv, fan charts."""
    from dezsim.report import build

    name = scenario.stem if scenario is not None else "baseline"
    folder = out or Path("out") / f"reach-{name}"
    try:
        reach, paths = build(_with_noise(_scenario(scenario, set_), noise), runs=runs, seed=seed, out=folder,
                             lever_runs=lever_runs, levers=levers, progress=True)
    except DezsimError as exc:
        raise _fail(exc) from None
    from dezsim.reach import headline_text

    console.print(headline_text(reach))
    console.print(f"report: {escape(str(paths['report.html'].resolve()))}  (also report.md, reach.csv, figures/)")


@app.command("hindcast")
def hindcast_cmd(
    observed: Annotated[Path, typer.Option(help="CSV: region, indicator, unit, year, value (figures after 2020)")],
    runs: Annotated[int, typer.Option(min=10, help="ensemble size")] = 200,
    seed: Annotated[int, typer.Option(min=0, help="root seed")] = 0,
    json_path: Annotated[Path | None, typer.Option("--json", help="also write the summary as JSON")] = None,
    scenario: Annotated[Path | None, typer.Option(help="scenario file (default: baseline)")] = None,
    noise: Annotated[bool, typer.Option(help="process noise: regional offsets, yearly shocks, drawn 2020 "
                                             "allocations (--no-noise: parameter uncertainty only)")] = True,
    markdown_path: Annotated[Path | None, typer.Option("--markdown", help="also write the summary and every row "
                                                       "as Markdown (calibration/hindcast.md, quoted by the "
                                                       "report)")] = None,
) -> None:
    """Compare the calibrated projection (and a naive trend line) with observed figures after 2020."""
    import json

    from dezsim.atomic import atomic_write_text, check_output_file
    from dezsim.hindcast import compare, markdown, read_observed
    from dezsim.sd.outputs import INDICATORS
    from dezsim.simulate import run

    ds = _load(None)
    try:
        for path, option in ((json_path, "--json"), (markdown_path, "--markdown")):
            if path is not None:
                check_output_file(path, option)
        table = read_observed(observed, ds, set(INDICATORS))
        results = run(scenario, runs=runs, seed=seed, noise=noise)
        rows, summary = compare(table, results, ds)
    except DezsimError as exc:
        raise _fail(exc) from None
    shown = rows.copy()
    for col in ("observed", "median", "q10", "q90", "naive"):
        shown[col] = shown[col].map(lambda v: f"{v:,.4g}")
    for col in ("ape", "naive_ape"):
        shown[col] = shown[col].map(lambda v: "" if pd.isna(v) else f"{100 * v:.1f} %")
    print_frame(shown, f"hindcast against {observed} ({runs} runs, seed {seed})", index=False)
    naive = "n/a" if summary["naive_median_ape"] is None else f"{100 * summary['naive_median_ape']:.1f} %"
    console.print(f"median APE {100 * summary['median_ape']:.1f} % (naive trend: {naive} on {summary['naive_rows']} "
                  f"rows); 80 % interval coverage {100 * summary['coverage_80']:.0f} % of {summary['rows']} rows")
    try:
        if json_path is not None:
            atomic_write_text(json_path, json.dumps(summary, indent=2) + "\n")
        if markdown_path is not None:
            atomic_write_text(markdown_path, markdown(rows, summary, str(observed), runs, seed, noise,
                                                         str(scenario) if scenario else "baseline"))
    except DezsimError as exc:
        raise _fail(exc) from None


def _csv(text: str | None) -> tuple[str, ...] | None:
    return tuple(t.strip() for t in text.split(",") if t.strip()) if text else None


def _count(text: str, option: str) -> int:
    """A whole number >= 1, also written like ``1e6`` (a number of runs)."""
    try:
        value = float(text)
    except ValueError:
        value = 0.5
    if not value.is_integer() or value < 1:
        raise DezsimError(f"{option} {text!r}: allowed: a whole number >= 1 (such as 1000 or 1e3)")
    return int(value)


@app.command("sweep")
def sweep_cmd(
    out: Annotated[Path, typer.Option(help="results store folder (re-running resumes it)")],
    design: Annotated[str, typer.Option(help="mc | lhs | sobol | morris")] = "mc",
    n_text: Annotated[str, typer.Option("-n", "--n", help="runs (mc, lhs) or base samples (sobol, morris)")] = "100",
    params: Annotated[str | None, typer.Option(help="parameters to vary, comma separated")] = None,
    scenario: Annotated[Path | None, typer.Option(help="scenario file (default: baseline)")] = None,
    seed: Annotated[int, typer.Option(min=0, help="root seed")] = 0,
    chunk_size: Annotated[int, typer.Option(min=1, help="runs per chunk")] = 100,
    executor: Annotated[str, typer.Option(help="inprocess | processes | dask")] = "processes",
    workers: Annotated[int, typer.Option(min=1, help="local worker processes")] = 2,
    scheduler: Annotated[str | None, typer.Option(help="a running Dask scheduler: tcp://HOST:PORT or tls://HOST:PORT"
                                                  )] = None,
    tls_ca: Annotated[Path | None, typer.Option(help="CA certificate (PEM) for a tls:// scheduler")] = None,
    tls_cert: Annotated[Path | None, typer.Option(help="client certificate (PEM) for a tls:// scheduler")] = None,
    tls_key: Annotated[Path | None, typer.Option(help="client private key (PEM) for a tls:// scheduler")] = None,
    agents: Annotated[bool, typer.Option(help="couple the firm and district agents")] = True,
    indicators: Annotated[str | None, typer.Option(help="indicators to keep, comma separated")] = None,
    regions: Annotated[str | None, typer.Option(help="regions to keep, comma separated")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="change a scenario key: key.path=value")] = None,
    noise: Annotated[bool | None, typer.Option("--noise/--no-noise", help="process noise (default: on for mc and "
                                               "lhs; off for sobol and morris, whose indices split the variance "
                                               "among the varied parameters and would give the noise to none)")
                     ] = None,
) -> None:
    """Run (or resume) a Monte Carlo / Latin hypercube / Sobol / Morris sweep into a Parquet store."""
    from dezsim.coupling import AgentSettings
    from dezsim.data import load
    from dezsim.simulate import as_scenario
    from dezsim.sweep import Outputs, make, run_sweep
    from dezsim.sweep.checks import check_disk, check_not_set_by_scenario, check_outputs, design_runs
    from dezsim.sweep.cluster import security
    from dezsim.sweep.execute import _check_executor

    try:
        n = _count(n_text, "sweep -n")
        names = list(_csv(params) or ())
        _check_executor(executor, workers, chunk_size, scheduler)
        sec = security(scheduler, tls_ca, tls_cert, tls_key) if scheduler else None
        if scheduler is None and (tls_ca or tls_cert or tls_key):
            raise DezsimError("sweep --tls-ca/--tls-cert/--tls-key: only for a tls:// --scheduler")
        scen = _with_noise(as_scenario(_scenario(scenario, set_)),
                           noise if noise is not None else design not in SENSITIVITY_DESIGNS)
        check_not_set_by_scenario(scen, names)
        keep = Outputs(_csv(indicators), _csv(regions))
        rows = check_outputs(keep, scen, load(), agents)  # before any design or run is computed
        check_disk(design_runs(design, n, len(names)), rows, out, f"sweep -n {n:,}")
        table = make(design, names, n, seed)
        store = run_sweep(scen, table, out, seed, agents=AgentSettings() if agents else None, outputs=keep,
                          chunk_size=chunk_size, executor=executor, workers=workers, scheduler=scheduler,
                          security=sec, progress=True,
                          design_spec={"method": design, "params": names, "n": n, "seed": seed})
    except DezsimError as exc:
        raise _fail(exc) from None
    console.print(f"{len(table)} runs stored in {escape(str(store.root))}")


@app.command("sensitivity")
def sensitivity_cmd(
    store: Annotated[Path, typer.Argument(help="a sobol or morris sweep store")],
    indicator: Annotated[str, typer.Option(help="indicator")] = "core_industry_share_gdp",
    region: Annotated[str, typer.Option(help="region")] = "suzhou",
) -> None:
    """Sobol first/total indices or Morris mu*/sigma per year, printed and plotted."""
    from dezsim.atomic import atomic_write_text
    from dezsim.sweep import Store
    from dezsim.sweep.analysis import morris_indices, plot_indices, sobol_indices

    from dezsim.scenario_checks import check_names

    try:
        check_names([region], _load(None).regions.code, "--region")
        st = Store(store)
        method = (st.manifest().get("design") or {}).get("method")
        table = (sobol_indices if method == "sobol" else morris_indices)(st, indicator, region)
    except DezsimError as exc:
        raise _fail(exc) from None
    last = table[table.year == table.year.max()]
    print_frame(last.round(4).set_index("parameter"), f"{method} indices: {indicator} / {region}, {last.year.max()}")
    path = plot_indices(table, store / f"{method}_{indicator}_{region}.png", f"{indicator} / {region}")
    atomic_write_text(store / f"{method}_{indicator}_{region}.csv", table.to_csv(index=False))
    console.print(f"all years: {escape(str(path.with_suffix('.csv')))}; plot: {escape(str(path))}")


@app.command("discover")
def discover_cmd(
    store: Annotated[Path, typer.Argument(help="a sweep store whose design varies parameters")],
    target: Annotated[str, typer.Option(help="target id from data/ (see reach.csv)")],
    partial: Annotated[bool, typer.Option("--partial", help="accept an unfinished sweep (its stored runs)")] = False,
) -> None:
    """Scenario discovery (PRIM): which parameter ranges lead to the target being met."""
    from dezsim.atomic import atomic_write_text
    from dezsim.sweep import Store
    from dezsim.sweep.analysis import prim, target_hits

    try:
        st = Store(store)
        x, hit = target_hits(st, target, partial=partial)
        boxes = prim(x, hit)
    except DezsimError as exc:
        raise _fail(exc) from None
    if len(hit) < st.manifest()["runs"]:
        console.print(f"[yellow]incomplete sweep:[/] {len(hit)} of {st.manifest()['runs']} runs stored; "
                      "discovering on those (--partial)")
    atomic_write_text(store / f"prim_{target}.csv", boxes.to_csv(index=False))
    best = boxes[boxes.coverage >= 0.5].sort_values("density").iloc[-1]
    console.print(f"{int(hit.sum())}/{len(hit)} runs meet {target}. Box with coverage {best.coverage:.2f}, "
                  f"density {best.density:.2f}:")
    for col in x.columns:
        lo, hi = best[f"{col} low"], best[f"{col} high"]
        if lo > x[col].min() or hi < x[col].max():
            console.print(f"  {lo:.4g} <= {col} <= {hi:.4g}")
    console.print(f"peeling trajectory: {escape(str(store / f'prim_{target}.csv'))}")


@app.command("compare")
def compare_cmd(
    scenarios: Annotated[list[Path], typer.Argument(help="two or more scenario files; the first is the reference")],
    runs: Annotated[int, typer.Option(min=2, help="runs per scenario (the same runs in each)")] = 100,
    seed: Annotated[int, typer.Option(min=0, help="root seed (shared: common random numbers)")] = 0,
    out: Annotated[Path | None, typer.Option(help="folder for compare.csv and compare.png")] = None,
) -> None:
    """Δp per target of each scenario against the first, paired run by run, with intervals; CSV and chart."""
    from dezsim.compare import compare
    from dezsim.plots import save

    folder = out or Path("out") / ("compare-" + "-".join(p.stem for p in scenarios))
    try:
        result = compare(scenarios, runs=runs, seed=seed, progress=True)
    except DezsimError as exc:
        raise _fail(exc) from None
    folder.mkdir(parents=True, exist_ok=True)
    csv, png = result.to_csv(folder / "compare.csv"), save(result.plot(), folder / "compare.png")
    t = result.table.dropna(subset=["delta"])
    moved = t[(t.delta_low > 0) | (t.delta_high < 0)].copy()
    moved["Δp [90 %]"] = [f"{d:+.2f} [{lo:+.2f}, {hi:+.2f}]" for d, lo, hi in
                          zip(moved.delta, moved.delta_low, moved.delta_high, strict=True)]
    moved["p"] = [f"{a:.2f} -> {b:.2f}" for a, b in zip(moved.p_baseline, moved.p, strict=True)]
    print_frame(moved[["scenario", "target_id", "region", "indicator", "year", "p", "Δp [90 %]"]],
                f"targets whose p moved (interval excludes 0) against {result.scenarios[0]}, {runs} paired runs",
                index=False)
    console.print(f"{len(t)} target comparisons, {len(moved)} moved; all rows: {csv}; chart: {png}")


@app.command("app")
def app_cmd(
    port: Annotated[int, typer.Option(min=0, max=65535, help="port to serve on (0: any free port)")] = 8765,
    host: Annotated[str, typer.Option(help="address to bind (default loopback: only this machine)")] = "127.0.0.1",
    runs: Annotated[int, typer.Option(min=2, help="runs per evaluation")] = 100,
) -> None:
    """The dashboard (Solara): pick a plan or region and a scenario, move the levers, watch p and the fan charts."""
    import os

    from dezsim.app import command

    try:
        cmd, env = command(host, port, runs)
    except DezsimError as exc:
        raise _fail(exc) from None
    console.print(f"dezsim dashboard on http://{host}:{port} ({runs} runs per evaluation); Ctrl-C stops it")
    sys.stdout.flush()
    os.execve(cmd[0], cmd, env)  # the server replaces this process: signals reach it directly


@app.command("equations")
def equations_cmd(
    write: Annotated[bool, typer.Option("--write", help="write docs/equations.md instead of printing")] = False,
) -> None:
    """Print the SD equations; with --write regenerate docs/equations.md and the compiled kernel's source."""
    from dezsim.atomic import atomic_write_text
    from dezsim.sd.codegen import write_kernel
    from dezsim.sd.equations import listing

    text = listing() + "\n"
    if write:
        path = Path(__file__).resolve().parent.parent / "docs" / "equations.md"
        path.parent.mkdir(exist_ok=True)
        atomic_write_text(path, text)
        console.print(f"wrote {escape(str(path))} and {escape(str(write_kernel()))}")
    else:
        console.print(text, markup=False, highlight=False)


@app.command("targets")
def targets_cmd(
    write: Annotated[bool, typer.Option("--write", help="write docs/targets.md instead of printing")] = False,
    data: DataDir = None,
) -> None:
    """Every target with its declared reading, quote and status; with --write regenerate docs/targets.md."""
    from dezsim.targetdoc import DOC, listing

    text = listing(_load(data))
    if write:
        DOC.parent.mkdir(exist_ok=True)
        DOC.write_text(text, encoding="utf-8")
        console.print(f"wrote {DOC}")
    else:
        console.print(text, markup=False, highlight=False)


def show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Print a warning as one line, ``warning: <message>``, for the people at the shell.

    Python's default display adds the file, line number and source line of the code that warned, which
    speaks to developers, not to an analyst reading the run's output; the message itself names what to do.
    """
    print(f"warning: {message}", file=sys.stderr if file is None else file)


def main() -> None:  # pragma: no cover - thin wrapper for `python -m dezsim`
    warnings.showwarning = show_warning
    try:
        app()
    except DezsimError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
