"""``dezsim reach | targets``: the reachability report, and the listing of every target."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from dezsim.cli.common import (DataDir, Origin, app, console, load_dataset, one_line_errors, print_frame,
                               scenario_option, with_noise, with_origin)


@app.command("reach")
def reach_cmd(
    scenario: Annotated[Path | None, typer.Option(help="scenario file (default: baseline)")] = None,
    runs: Annotated[int, typer.Option(min=10, help="ensemble size")] = 200,
    seed: Annotated[int, typer.Option(min=0, help="root seed")] = 0,
    out: Annotated[Path | None, typer.Option(help="report folder (default: out/reach-<scenario>)")] = None,
    lever_runs: Annotated[int, typer.Option(min=10, help="runs per point of the lever search")] = 40,
    levers: Annotated[bool, typer.Option(help="search the levers for targets below p = 0.8")] = True,
    workers: Annotated[int, typer.Option(min=1, help="processes computing the lever points (the report does not "
                                                     "depend on it)")] = 1,
    set_: Annotated[list[str] | None, typer.Option("--set", help="change a scenario key: key.path=value")] = None,
    noise: Annotated[bool, typer.Option(help="process noise: regional offsets, yearly shocks, drawn 2020 "
                                             "allocations (--no-noise: parameter uncertainty only)")] = True,
    observed: Annotated[Path | None, typer.Option(help="mid-term update: CSV of figures after the origin (region, "
                                                  "indicator, unit, year, value[, qualifier]); conditions the "
                                                  "ensemble on them")] = None,
    origin: Origin = None,
) -> None:
    """Target reachability for every target in the plans: report.md, report.html, reach.csv, fan charts; with
    --observed, p before and after the figures published since the origin, and each target's on-track ratio."""
    from dezsim.outputs.report import build

    name = scenario.stem if scenario is not None else "baseline"
    folder = out or Path("out") / f"reach-{name}"
    with one_line_errors():
        scen = with_origin(with_noise(scenario_option(scenario, set_), noise), origin)
        reach, paths = build(scen, runs=runs, seed=seed, out=folder,
                             lever_runs=lever_runs, levers=levers, progress=True, observed=observed,
                             workers=workers)
    from dezsim.targets.reach import headline_text

    console.print(headline_text(reach))
    console.print(f"report: {escape(str(paths['report.html'].resolve()))}  (also report.md, reach.csv, figures/)")


@app.command("targets")
def targets_cmd(
    write: Annotated[bool, typer.Option("--write", help="write docs/targets.md instead of printing")] = False,
    data: DataDir = None,
) -> None:
    """Every target with its declared reading, quote and status; with --write regenerate docs/targets.md."""
    from dezsim.base.atomic import atomic_write_text
    from dezsim.base.checkout import writable_docs_page
    from dezsim.targets.targetdoc import DOC, listing

    text = listing(load_dataset(data))
    if write:
        with one_line_errors():
            path = atomic_write_text(writable_docs_page(DOC.name), text)
        console.print(f"wrote {escape(str(path))}")
    else:
        console.print(text, markup=False, highlight=False)


@app.command("backtest")
def backtest_cmd(
    out: Annotated[Path | None, typer.Option(help="folder for backtest_targets.md/.png/.json (default: the "
                                                  "calibration folder, where the report and the combined p read "
                                                  "them)")] = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="also write the scores and the weight here")] = None,
    data: DataDir = None,
) -> None:
    """P(target) judged on past plans' targets (outcomes up to 2020): outside, inside and combined views, leave one
    plan out; Brier, log score, calibration slope and sharpness with bootstrap intervals; the fitted pool."""
    from dezsim.base.atomic import check_output_file, check_output_folder
    from dezsim.resources import calibration_root
    from dezsim.targets import backtest as B
    from dezsim.targets import midterm_backtest as M

    ds = load_dataset(data)
    folder = out or calibration_root()
    with one_line_errors():
        check_output_folder(folder, "--out")
        if json_path is not None:
            check_output_file(json_path, "--json")
        frame, summary, paths = B.run(ds, folder, json_path)
        midterm, midterm_page = M.write(ds, folder)
    cols = ["n", "brier", "d_brier", "d_brier_low", "d_brier_high", "log_score", "slope", "sharpness"]
    print_frame(summary["all"][cols].round(3), f"{summary['targets']} past targets of modelled regions")
    if len(summary["inside"]):
        print_frame(summary["inside"][cols].round(3), f"{summary['with_inside_view']} with an inside view")
    shown = midterm[["id", "region", "indicator", "target_year", "met", "origin", "p_before", "p_after",
                     "effective_runs"]]
    print_frame(shown.round(3), "mid-term update on pre-2021 data: p before and after the figures since the origin",
                index=False)
    console.print(f"mid-term page: {escape(str(midterm_page))}")
    pool = summary["pool"]
    console.print(f"pool: logit p = {pool.intercept:+.2f} + {pool.outside:.2f} logit p_outside + {pool.inside:.2f} "
                  f"logit p_inside (prior sd {pool.prior_sd:g}); "
                  f"page: {escape(str(paths['page']))}; figure: {escape(str(paths['figure']))}")
