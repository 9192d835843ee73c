"""``dezsim run | hindcast | compare | equations``: project, judge against later figures, compare scenarios,
list the equations."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.markup import escape

from dezsim.cli.common import (KEY_INDICATORS, Origin, app, console, load_dataset, one_line_errors, print_frame,
                               scenario_option, with_origin)


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
    origin: Origin = None,
) -> None:
    """Project 2020-2025 (SD core coupled to the agents) and print median and 10-90 % range of key indicators
    (with --origin, from an earlier year-end)."""
    from dezsim.base.atomic import check_output_file
    from dezsim.model.coupling import AgentSettings
    from dezsim.model.origin import BASE_ORIGIN
    from dezsim.model.scenario_checks import check_names
    from dezsim.model.simulate import run

    with one_line_errors():
        if out is not None:
            check_output_file(out)
        check_names(region or (), load_dataset(None).regions.code, "--region")
        results = run(with_origin(scenario_option(scenario, set_), origin), runs=runs, seed=seed,
                      agents=AgentSettings() if agents else None, noise=noise)
        check_names(region or (), results.frame.region.cat.categories, "--region (not in these results)")
    shown = region or ["jiangsu", "suzhou", "wuxi", "taicang", "wuzhong"]
    q = results.quantiles()
    first = int(q.year.min())
    key = KEY_INDICATORS if first == BASE_ORIGIN else ("gdp", *KEY_INDICATORS)  # an early origin simulates GDP
    q = q[q.indicator.isin(key) & q.region.isin(shown) & q.year.isin(sorted({first, BASE_ORIGIN, 2023, 2025}))]
    q["range"] = [f"{m:,.4g} [{lo:,.4g}-{hi:,.4g}]" for lo, m, hi in zip(q.q10, q.q50, q.q90, strict=True)]
    table = q.pivot_table(index=["indicator", "region"], columns="year", values="range", aggfunc="first",
                          observed=True)
    table.index = [f"{i} / {r}" for i, r in table.index]
    print_frame(table, f"{results.frame.scenario.iloc[0]}: median [10-90 %] over {runs} runs, seed {seed}")
    if out is not None:
        with one_line_errors():
            results.to_parquet(out)  # written atomically
        console.print(f"results written to {escape(str(out))}")


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
    origin: Origin = None,
) -> None:
    """Compare the calibrated projection (and a naive trend line) with observed figures after 2020."""
    import json

    from dezsim.base.atomic import atomic_write_text, check_output_file
    from dezsim.calibration.hindcast import compare, markdown
    from dezsim.data.observations import read_observed
    from dezsim.model.sd.outputs import INDICATORS
    from dezsim.model.simulate import as_scenario, run

    ds = load_dataset(None)
    with one_line_errors():
        for path, option in ((json_path, "--json"), (markdown_path, "--markdown")):
            if path is not None:
                check_output_file(path, option)
        scen = with_origin(scenario, origin)
        table = read_observed(observed, ds, set(INDICATORS), as_scenario(scen).start)
        results = run(scen, runs=runs, seed=seed, noise=noise)
        rows, summary = compare(table, results, ds)
    shown = rows.copy()
    for col in ("observed", "median", "q10", "q90", "naive"):
        shown[col] = shown[col].map(lambda v: f"{v:,.4g}")
    for col in ("ape", "naive_ape"):
        shown[col] = shown[col].map(lambda v: "" if pd.isna(v) else f"{100 * v:.1f} %")
    print_frame(shown, f"hindcast against {observed} ({runs} runs, seed {seed})", index=False)
    naive = "n/a" if summary["naive_median_ape"] is None else f"{100 * summary['naive_median_ape']:.1f} %"
    console.print(f"median APE {100 * summary['median_ape']:.1f} % (naive trend: {naive} on {summary['naive_rows']} "
                  f"rows); 80 % interval coverage {100 * summary['coverage_80']:.0f} % of {summary['rows']} rows")
    with one_line_errors():
        if json_path is not None:
            atomic_write_text(json_path, json.dumps(summary, indent=2) + "\n")
        if markdown_path is not None:
            atomic_write_text(markdown_path, markdown(rows, summary, str(observed), runs, seed, noise,
                                                         str(scenario) if scenario else "baseline"))


@app.command("compare")
def compare_cmd(
    scenarios: Annotated[list[Path], typer.Argument(help="two or more scenario files; the first is the reference")],
    runs: Annotated[int, typer.Option(min=2, help="runs per scenario (the same runs in each)")] = 100,
    seed: Annotated[int, typer.Option(min=0, help="root seed (shared: common random numbers)")] = 0,
    out: Annotated[Path | None, typer.Option(help="folder for compare.csv and compare.png")] = None,
    workers: Annotated[int, typer.Option(min=1, help="processes simulating the scenarios (results do not "
                                                     "depend on it)")] = 1,
    origin: Origin = None,
) -> None:
    """Δp per target of each scenario against the first, paired run by run, with intervals; CSV and chart."""
    from dezsim.model.config import load_scenario
    from dezsim.outputs.compare import compare
    from dezsim.outputs.plots import save

    folder = out or Path("out") / ("compare-" + "-".join(p.stem for p in scenarios))
    with one_line_errors():
        scens = [with_origin(load_scenario(p), origin) for p in scenarios] if origin is not None else scenarios
        result = compare(scens, runs=runs, seed=seed, progress=True, workers=workers)
    folder.mkdir(parents=True, exist_ok=True)
    csv, png = result.to_csv(folder / "compare.csv"), save(result.plot(), folder / "compare.png")
    moved = result.moved()
    print_frame(moved[["scenario", "target_id", "region", "indicator", "year", "p", "Δp [90 %]"]],
                f"targets whose p moved (interval excludes 0) against {result.scenarios[0]}, {runs} paired runs",
                index=False)
    compared = int(result.table.delta.notna().sum())
    console.print(f"{compared} target comparisons, {len(moved)} moved; all rows: {csv}; chart: {png}")


@app.command("equations")
def equations_cmd(
    write: Annotated[bool, typer.Option("--write", help="write docs/equations.md instead of printing")] = False,
) -> None:
    """Print the SD equations; with --write regenerate docs/equations.md and the compiled kernel's source."""
    from dezsim.base.atomic import atomic_write_text
    from dezsim.model.sd.codegen import write_kernel
    from dezsim.model.sd.equations import listing

    text = listing() + "\n"
    if write:
        from dezsim.base.checkout import writable_docs_page

        with one_line_errors():
            path = writable_docs_page("equations.md")
            atomic_write_text(path, text)
        console.print(f"wrote {escape(str(path))} and {escape(str(write_kernel()))}")
    else:
        console.print(text, markup=False, highlight=False)
