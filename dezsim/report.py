"""The reachability report: reach.csv, levers.csv, fan charts, report.md and a self-contained report.html."""

from __future__ import annotations

import base64
import html
from pathlib import Path

import pandas as pd

from dezsim.atomic import atomic_write_text, check_output_folder
from dezsim.results import Results

#: Indicators drawn as fan charts, and the regions shown for each.
FANS = (("core_industry_share_gdp", ("jiangsu", "suzhou")), ("g5_base_stations", ("suzhou", "jiangsu")),
        ("dc_pue_new", ("jiangsu", "suzhou")), ("upgraded_firms_share", ("suzhou", "taicang", "wuzhong")),
        ("smart_workshops", ("suzhou", "jiangsu")), ("invention_patents_digital", ("suzhou", "jiangsu")))


def fan_chart(results: Results, reach: pd.DataFrame, indicator: str, regions: tuple[str, ...], path: Path,
              units: dict[str, str]) -> Path:
    """Write the fan charts of ``indicator`` in ``regions`` (see :func:`dezsim.plots.fan_charts`) to ``path``."""
    from dezsim import plots

    return plots.save(plots.fan_charts(results, indicator, regions, reach, units), path)


def _first_reached(median: float, q10: float, q90: float, end: int) -> str:
    """'2024 (2022 to later)' style; 'later' means not by the simulation's end."""
    fmt = lambda v: "later" if pd.isna(v) else f"{int(v)}"  # noqa: E731
    if pd.isna(q10):
        return f"not by {end}"
    return f"{fmt(median) if not pd.isna(median) else f'after {end}'} ({fmt(q10)} to {fmt(q90)})"


#: How a unit code reads after a number in the report (others print their code).
UNIT_TEXT = {"pct": " %", "pct_per_year": " % per year", "count": "", "ratio": "", "100m_yuan": " 100m yuan"}


def _unit(code: str) -> str:
    return UNIT_TEXT.get(code, f" {code}")


def _summary_table(reach: pd.DataFrame) -> pd.DataFrame:
    a = reach[reach.assessed].copy()
    a["p (90 % interval)"] = [f"{p:.2f} ({lo:.2f}-{hi:.2f})" for p, lo, hi in zip(a.p_reach, a.p_low, a.p_high,
                                                                                   strict=True)]
    end = int(a.year.max()) if len(a) else 0
    end = max(end, int(reach.attrs.get("end_year", end)))
    a["first reached (median, 10-90 %)"] = [_first_reached(m, lo, hi, end) for m, lo, hi in
                                            zip(a.first_year_median, a.first_year_q10, a.first_year_q90,
                                                strict=True)]
    a["gap median (10-90 %)"] = [f"{m:+,.4g} ({lo:+,.4g} to {hi:+,.4g}){_unit(u)}"
                                 for m, lo, hi, u in zip(a.gap_median, a.gap_q10, a.gap_q90, a.unit, strict=True)]
    a["target"] = [f"{rel} {thr:,.4g}{_unit(u)}" for rel, thr, u in zip(a.relation, a.threshold, a.unit, strict=True)]
    if "best_lever" in a.columns:
        a["lever to reach p = 0.8"] = [
            "" if v == "likely" else "none within bounds" if not isinstance(name, str) else f"{name}: {val:.3g}"
            for v, name, val in zip(a.verdict, a.best_lever, a.best_lever_value, strict=True)]
    cols = ["target_id", "grouped", "region", "indicator", "year", "reading", "target", "p (90 % interval)", "verdict",
            "first reached (median, 10-90 %)", "gap median (10-90 %)", "lever to reach p = 0.8", "measure",
            "caveat"]
    return a[[c for c in cols if c in a.columns]].sort_values(["region", "year", "indicator"])


def write(out: Path, results: Results, reach: pd.DataFrame, levers: pd.DataFrame | None, units: dict[str, str],
          settings: dict) -> dict[str, Path]:
    """Write every report file into ``out`` (each atomically); returns their paths."""
    figs = out / "figures"
    check_output_folder(out, "--out")
    check_output_folder(figs, "--out")
    figs.mkdir(parents=True, exist_ok=True)
    paths = {"reach.csv": out / "reach.csv"}
    atomic_write_text(paths["reach.csv"], reach.to_csv(index=False))
    if levers is not None:
        paths["levers.csv"] = out / "levers.csv"
        atomic_write_text(paths["levers.csv"], levers.to_csv(index=False))
    charts = [fan_chart(results, reach, ind, regs, figs / f"fan_{ind}.png", units) for ind, regs in FANS]
    table = _summary_table(reach)
    from dezsim.reach import headline_text

    skipped = reach[~reach.assessed][["target_id", "grouped", "region", "indicator", "year", "reason"]]
    head = headline_text(reach)
    paths["report.md"] = out / "report.md"
    atomic_write_text(paths["report.md"], _markdown(head, settings, table, skipped, charts, out))
    paths["report.html"] = out / "report.html"
    atomic_write_text(paths["report.html"], _html(head, settings, table, skipped, charts))
    return paths


INTRO = ("p is the share of ensemble runs (calibrated parameter sets, coupled SD core and agents) that reach the "
         "target by its year, with a 90 % interval for Monte Carlo error; verdict: likely if p >= 0.8, unlikely if "
         "p <= 0.2. Each target is read as declared in data/target_readings.csv (docs/targets.md lists every reading); "
         "thresholds and gaps are in the plan's unit (growth in % per year). The gap is the measure minus the "
         "threshold (threshold minus measure for caps): negative is a shortfall. The best lever is the province-wide "
         "change of one policy lever that lifts p to 0.8 with the smallest share of its range (levers.csv lists "
         "every lever).")


def _settings_text(settings: dict) -> str:
    return ", ".join(f"{k}: {v}" for k, v in settings.items())


def _markdown(head, settings, table, skipped, charts, out) -> str:
    lines = ["# dezsim: reachability of the digital-economy plan targets", "", head, "",
             f"Settings: {_settings_text(settings)}.", "", INTRO, "", "## Assessed targets", "",
             table.to_markdown(index=False), "",
             "## Fan charts (median, 50 % and 90 % bands; triangles mark level targets)", ""]
    lines += [f"![{c.stem}]({c.relative_to(out).as_posix()})" for c in charts]
    lines += ["", "## Targets not assessed", "",
              skipped.to_markdown(index=False), ""]
    return "\n".join(lines)


def _html(head, settings, table, skipped, charts) -> str:
    images = "\n".join(f'<figure><img alt="{c.stem}" src="data:image/png;base64,'
                       f'{base64.b64encode(c.read_bytes()).decode()}"><figcaption>{c.stem}</figcaption></figure>'
                       for c in charts)
    style = ("body{font-family:system-ui,sans-serif;margin:2em;max-width:1400px}table{border-collapse:collapse;"
             "font-size:12px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left}th{background:#eef}"
             "tr:nth-child(even){background:#f8f8f8}img{max-width:100%}figure{margin:1em 0}"
             ".likely{color:#1a7f37;font-weight:600}.unlikely{color:#b42318;font-weight:600}"
             ".uncertain{color:#9a6700;font-weight:600}")
    body = table.to_html(index=False, na_rep="", escape=True, classes="reach", border=0)
    for v in ("likely", "uncertain", "unlikely"):
        body = body.replace(f"<td>{v}</td>", f'<td class="{v}">{v}</td>')
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>dezsim reachability</title>"
            f"<style>{style}</style></head><body><h1>dezsim: reachability of the digital-economy plan targets</h1>"
            f"<p>{html.escape(head)}</p><p>Settings: {html.escape(_settings_text(settings))}.</p>"
            f"<p>{html.escape(INTRO)}</p><h2>Assessed targets</h2>{body}<h2>Fan charts</h2>{images}"
            f"<h2>Targets not assessed</h2>{skipped.to_html(index=False, escape=True, border=0)}</body></html>")


def build(scenario=None, runs: int = 200, seed: int = 0, out: Path | str = "out/reach-baseline",
          lever_runs: int = 40, levers: bool = True, progress: bool = False) -> tuple[pd.DataFrame, dict[str, Path]]:
    """Run the scenario, assess every target, search the levers, and write the report.

    Returns the reach table (as in ``reach.csv``) and the written files.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, \
        TimeRemainingColumn

    from dezsim import levers as L
    from dezsim.data import load
    from dezsim.reach import LIKELY, reachability
    from dezsim.views import views
    from dezsim.simulate import as_scenario, run

    check_output_folder(Path(out), "--out")  # before the work, not after it
    check_output_folder(Path(out) / "figures", "--out")
    from dezsim.scenario_checks import check_settings_simulated

    ds, scen = load(), as_scenario(scenario)
    check_settings_simulated(scen, ds)
    steps = 1 + (1 + len(L.LEVERS) * len(L.GRID) if levers else 0)
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   TimeRemainingColumn(), disable=not progress)
    with bar:
        task = bar.add_task(f"simulating {scen.name} ({runs} runs)", total=steps)
        results = run(scen, runs=runs, seed=seed, data=ds)
        reach = views(reachability(results, ds), ds, seed)
        bar.advance(task)
        lever_table = None
        below = reach[reach.assessed & (reach.p_reach < LIKELY)].target_id.tolist()
        if levers and below:
            bar.update(task, description=f"searching levers ({lever_runs} runs per point)")
            lever_table = L.search(scen, ds, below, lever_runs, seed, lambda s, **kw: run(s, data=ds, **kw),
                                   advance=lambda: bar.advance(task))
            reach = reach.merge(L.best_lever(lever_table), left_on="target_id", right_index=True, how="left")
    units = dict(zip(ds.indicators.name, ds.indicators.unit, strict=True))
    settings = {"scenario": scen.name, "runs": runs, "seed": seed, "lever runs": lever_runs if levers else "off",
                "data hash": ds.digest[:12], "code": results.provenance["code_version"]}
    return reach, write(Path(out), results, reach, lever_table, units, settings)
