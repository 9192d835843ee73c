"""What every command shares: the Typer apps, the console, one-line errors, tables, and the scenario options."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from dezsim.base.errors import DezsimError

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Regional digital-economy simulation.")
data_app = typer.Typer(no_args_is_help=True, help="Inspect and validate data/ (plan figures and sources).")
app.add_typer(data_app, name="data")

# Piped output (files, notebooks, CI logs) gets a wide console so tables stay readable.
console = Console() if sys.stdout.isatty() else Console(width=180)
DataDir = Annotated[Path | None, typer.Option("--data", help="data folder (default: the checkout's data/)")]


def fail(exc: DezsimError) -> typer.Exit:
    # The message quotes user text (paths, --set items, cell values): never read it as rich markup.
    Console(stderr=True).print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


@contextmanager
def one_line_errors() -> Iterator[None]:
    """Turn a :class:`DezsimError` raised in the block into the one-line message and exit code 2."""
    try:
        yield
    except DezsimError as exc:
        raise fail(exc) from None


def load_dataset(root: Path | None):
    from dezsim.data.loader import load

    with one_line_errors():
        return load(root)


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


def scenario_option(path: Path | None, sets: list[str] | None):
    """The scenario file (or the baseline) with ``--set`` changes applied and validated."""
    from dezsim.data.loader import load
    from dezsim.model.config import apply_set, load_scenario, scenario_from_dict
    from dezsim.model.scenario_checks import check_settings_simulated

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


Origin = Annotated[int | None, typer.Option("--origin", help="the year-end the run starts from, 2015-2020 "
                                             "(default: the scenario's start, 2020); before 2020 the SD core's "
                                             "economic stocks only, fitted on figures up to it")]


def with_origin(scen, origin: int | None):
    """The scenario (None: the baseline) started from ``origin`` (unchanged when None), validated as a file is."""
    from dezsim.model.config import scenario_from_dict
    from dezsim.model.simulate import as_scenario

    if origin is None:
        return scen
    base = as_scenario(scen)
    return scenario_from_dict(base.model_dump() | {"start": origin}, source=f"{base.name} with --origin {origin}")


def with_noise(scen, noise: bool):
    """The scenario (None: the baseline) with process noise turned off unless ``noise``."""
    from dezsim.model.simulate import as_scenario

    return scen if noise else as_scenario(scen).model_copy(update={"noise": False})


KEY_INDICATORS = ("core_industry_share_gdp", "core_industry_va", "g5_base_stations", "g5_coverage", "dc_racks",
                  "dc_pue_fleet", "invention_patents_digital", "upgraded_firms_share", "smart_workshops")


def csv_option(text: str | None) -> tuple[str, ...] | None:
    return tuple(t.strip() for t in text.split(",") if t.strip()) if text else None


def count_option(text: str, option: str) -> int:
    """A whole number >= 1, also written like ``1e6`` (a number of runs)."""
    try:
        value = float(text)
    except ValueError:
        value = 0.5
    if not value.is_integer() or value < 1:
        raise DezsimError(f"{option} {text!r}: allowed: a whole number >= 1 (such as 1000 or 1e3)")
    return int(value)
