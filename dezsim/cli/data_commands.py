"""``dezsim data summary | check | initial``: inspect and validate ``data/``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from dezsim.cli.common import DataDir, Origin, console, data_app, load_dataset, one_line_errors, print_frame


@data_app.command("summary")
def data_summary(data: DataDir = None) -> None:
    """Counts of figures by region and kind, and of targets by region and year."""
    from dezsim.data.consistency import summary_tables

    ds = load_dataset(data)
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
    from dezsim.data import reference_targets
    from dezsim.data.consistency import cross_level
    from dezsim.data.quotes import default_seeds, missing_quotes

    ds = load_dataset(data)
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
def data_initial(
    data: DataDir = None,
    origin: Origin = None,
    region: Annotated[str, typer.Option(help="the region the stocks are split from (an origin before 2020)")]
    = "jiangsu",
) -> None:
    """The stocks of every region used to start the SD core (2020, or --origin), and how each was derived."""
    from dezsim.model.origin import BASE_ORIGIN, check_origin
    from dezsim.model.sd.initial import derivation_notes

    year = BASE_ORIGIN if origin is None else origin
    with one_line_errors():
        check_origin(year, "--origin")
        ds = load_dataset(data)
        ds.require_region(region)
        notes = derivation_notes(ds, year, (region,))
    notes["value"] = notes["value"].map(lambda v: f"{v:,.1f}")
    left = "" if year == BASE_ORIGIN else "; the other stocks have no figure then and are not simulated"
    print_frame(notes, f"{year} stocks by region (data, or allocated by the documented rule){left}", index=False)
