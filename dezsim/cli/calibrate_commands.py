"""``dezsim calibrate | validate``: fit the parameters and backtest the growth equation."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from dezsim.base.errors import DezsimError
from dezsim.cli.common import DataDir, Origin, app, console, load_dataset, one_line_errors, print_frame


@app.command("calibrate")
def calibrate_cmd(
    check: Annotated[bool, typer.Option("--check", help="print the fit table and write fit plots")] = False,
    size: Annotated[int, typer.Option(min=1000, help="ensemble size (>= 1000)")] = 1000,
    seed: Annotated[int, typer.Option(min=0, help="root seed")] = 0,
    runs: Annotated[int, typer.Option(min=10, help="coupled runs for the --check of 2020 stocks")] = 100,
    data: DataDir = None,
    origin: Origin = None,
) -> None:
    """Fit the parameters to the 2020 baselines and pre-2020 history (rejection ABC); --check shows the fit.
    With --origin YEAR (before 2020), fit on figures up to YEAR only into calibration/origins/YEAR/."""
    from dezsim.base.atomic import atomic_write_text, check_output_folder
    from dezsim.calibration import calibrate as C
    from dezsim.calibration.origin_groups import calibrate_at
    from dezsim.model.calibration_store import origin_folder
    from dezsim.model.origin import BASE_ORIGIN, check_origin

    ds = load_dataset(data)
    if origin is not None and origin != BASE_ORIGIN:
        with one_line_errors():
            if check:
                raise DezsimError(f"--check with --origin {origin}: the fit table checks the 2020 baselines; "
                                  "allowed: --check without --origin")
            check_origin(origin, "--origin")
            folder = origin_folder(origin)
            check_output_folder(folder, "calibration folder")
            ensemble, manifest = calibrate_at(ds, origin, n=size, seed=seed, progress=True)
            path = C.save(ensemble, manifest, folder)
        console.print(f"{len(ensemble)} parameter sets fitted on figures up to {origin} written to "
                      f"{escape(str(path))}; fitted: {', '.join(manifest['fitted'])}")
        return
    with one_line_errors():
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
            from dezsim.outputs import plots

            path = plots.save(plots.fit_plot(table), C.ROOT / "fit.png", dpi=120)
            console.print(f"{int(table.within.sum())}/{len(table)} baselines within tolerance; "
                          f"plot: {escape(str(path))}")
            if not table.within.all():
                raise typer.Exit(code=1)
            return
        ensemble, manifest = C.calibrate(ds, n=size, seed=seed, progress=True)
    with one_line_errors():
        path = C.save(ensemble, manifest)
        atomic_write_text(C.ROOT / "initial_stocks_2020.csv",
                          C.derived_stocks(ds, ensemble).to_csv(index=False, float_format="%.6g"))
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
    from dezsim.base.atomic import check_output_file
    from dezsim.calibration import validate as V
    from dezsim.calibration.calibrate import ROOT

    with one_line_errors():
        if json_path is not None:
            check_output_file(json_path, "--json")
        table, md, png = V.run(out or ROOT, json_path)
    print_frame(table.round(2), "backtests on history up to 2020 (all origins and horizons)", index=False)
    console.print(f"report: {md}; plot: {png}")
