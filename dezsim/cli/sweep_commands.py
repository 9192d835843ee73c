"""``dezsim sweep | sensitivity | discover``: many runs, their indices and scenario discovery."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from dezsim.base.errors import DezsimError
from dezsim.cli.common import (SENSITIVITY_DESIGNS, app, console, count_option, csv_option, load_dataset,
                               one_line_errors, print_frame, scenario_option, with_noise)


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
    from dezsim.data.loader import load
    from dezsim.model.coupling import AgentSettings
    from dezsim.model.simulate import as_scenario
    from dezsim.sweep import Outputs, make, run_sweep
    from dezsim.sweep.checks import check_disk, check_not_set_by_scenario, check_outputs, design_runs
    from dezsim.sweep.cluster import security
    from dezsim.sweep.execute import _check_executor

    with one_line_errors():
        n = count_option(n_text, "sweep -n")
        names = list(csv_option(params) or ())
        _check_executor(executor, workers, chunk_size, scheduler)
        sec = security(scheduler, tls_ca, tls_cert, tls_key) if scheduler else None
        if scheduler is None and (tls_ca or tls_cert or tls_key):
            raise DezsimError("sweep --tls-ca/--tls-cert/--tls-key: only for a tls:// --scheduler")
        scen = with_noise(as_scenario(scenario_option(scenario, set_)),
                           noise if noise is not None else design not in SENSITIVITY_DESIGNS)
        check_not_set_by_scenario(scen, names)
        keep = Outputs(csv_option(indicators), csv_option(regions))
        rows = check_outputs(keep, scen, load(), agents)  # before any design or run is computed
        check_disk(design_runs(design, n, len(names)), rows, out, f"sweep -n {n:,}")
        table = make(design, names, n, seed)
        store = run_sweep(scen, table, out, seed, agents=AgentSettings() if agents else None, outputs=keep,
                          chunk_size=chunk_size, executor=executor, workers=workers, scheduler=scheduler,
                          security=sec, progress=True,
                          design_spec={"method": design, "params": names, "n": n, "seed": seed})
    console.print(f"{len(table)} runs stored in {escape(str(store.root))}")


@app.command("sensitivity")
def sensitivity_cmd(
    store: Annotated[Path, typer.Argument(help="a sobol or morris sweep store")],
    indicator: Annotated[str, typer.Option(help="indicator")] = "core_industry_share_gdp",
    region: Annotated[str, typer.Option(help="region")] = "suzhou",
) -> None:
    """Sobol first/total indices or Morris mu*/sigma per year, printed and plotted."""
    from dezsim.base.atomic import atomic_write_text
    from dezsim.model.scenario_checks import check_names
    from dezsim.sweep import Store
    from dezsim.sweep.analysis import morris_indices, plot_indices, sobol_indices

    with one_line_errors():
        check_names([region], load_dataset(None).regions.code, "--region")
        st = Store(store)
        method = (st.manifest().get("design") or {}).get("method")
        table = (sobol_indices if method == "sobol" else morris_indices)(st, indicator, region)
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
    from dezsim.base.atomic import atomic_write_text
    from dezsim.sweep import Store
    from dezsim.sweep.analysis import prim, target_hits

    with one_line_errors():
        st = Store(store)
        x, hit = target_hits(st, target, partial=partial)
        boxes = prim(x, hit)
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
