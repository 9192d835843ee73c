"""The reachability report: reach.csv, levers.csv, fan charts, report.md and a self-contained report.html."""

from __future__ import annotations

import base64
import html
from pathlib import Path

import pandas as pd

from dezsim.base.atomic import atomic_write_text, check_output_folder
from dezsim.base.paragraphs import lead_paragraph
from dezsim.model.params import BY_NAME
from dezsim.model.results import Results

_SPEED, _BATCH = BY_NAME["programme_speed"].bounds, BY_NAME["recognition_batch_growth"].bounds

HOW_TO_READ = [
    "p is the probability that a target is met by its year: the share of ensemble runs (calibrated parameter sets, "
    "the SD core coupled to the firm agents) that meet it, with a 90 % interval for Monte Carlo error. Verdict: "
    "likely if p >= 0.8, unlikely if p <= 0.2, uncertain between.",
    "What the runs differ in: parameters drawn from the calibrated ensemble (fitted to figures up to 2020), yearly "
    "shocks and drifting trend growth estimated from 2010-2020 series, each region's own growth offsets and 2020 "
    "split of stocks without a figure, and the pace of the 2021 campaign (programme_speed: one multiplier of the "
    f"firms' adoption hazards per run, {_SPEED[0]:g}-{_SPEED[1]:g} times the pre-2021 pace) and of the province's "
    "recognition batches (recognition_batch_growth: one yearly growth of the smart-workshop and factory batches "
    f"per run, {_BATCH[0]:g} to {_BATCH[1]:g} a year). calibration/validation.md and "
    "calibration/hindcast.md say how well such bands held against history and against figures published later.",
    "Two views of every target. The inside view comes from a mechanism: the model (basis sd or agents), or, where "
    "the model has none but a baseline exists, a generic indicator trend (basis indicator_trend: the trend with its "
    "historical noise, logistic diffusion for shares, yearly counts for additions). The outside view asks how often "
    "past plans' targets of the same class were met (data/reference_targets/, outcomes up to 2020; docs/"
    "outside_view.md). 'views differ' flags targets whose two p are more than 0.4 apart: read those twice. On the "
    "full-coverage targets (covered_firms_share) they measure different things: pre-2021 campaigns counted firms "
    "administratively (enrolled, mobilised or self-assessed) and reported such counts reached, sometimes years late "
    "(data/reference_targets/README.md), which is what the outside view's rate speaks to; the agents count firms "
    "that have climbed a rung of the upgrade ladder. The data-centre PUE caps have no past cap in the reference "
    "class, so their outside view borrows the rate of other shares and ratios.",
    "The combined p pools the two views by a logistic model fitted on past plans' targets with known outcomes "
    "(logit p = a + b_outside logit p_outside + b_inside logit p_inside; `dezsim backtest`, leave one plan out, "
    "priors centred on the outside view; calibration/backtest_targets.md). The inside view enters only where its "
    "mechanism was scored on past targets (the growth equation of GDP and the SD core's money stocks); for the "
    "agents, the 5G build-out, data-centre PUE and patents no past outcome has scored the mechanism, so there the "
    "combined p is the outside view as recalibrated on past targets. The model's p stays beside it as the inside "
    "view.",
    "Each target is read as declared in data/target_readings.csv (level, cap, compound growth in % per year, new "
    "within a period, cumulative since a start); thresholds and gaps are in the plan's unit (亿元 is 100 million "
    "yuan). The gap is the measure minus the threshold (threshold minus measure for caps): negative is a shortfall.",
    "Fan charts draw each target in its own metric: the median and the 50 % and 90 % bands over runs; triangles "
    "mark thresholds in the target year (coloured by verdict); a dashed line is a growth target's required rate.",
    "The lever curves show p as one policy lever is raised province-wide from today's setting to the end of its "
    "bounds (same runs at every point); the best lever is the one that reaches p = 0.8 with the smallest share of "
    "its range (levers.csv lists every lever and target).",
]


OVERVIEW_CAPTION = ("Filled marks: the inside view (dot: SD core, square: agents, diamond: indicator trend) with its "
                    "90 % interval, coloured by verdict (green likely, amber uncertain, red unlikely); grey rings: "
                    "the outside view with its 90 % interval. Targets with the outside view only are in the last "
                    "table.")


def _settings_text(settings: dict) -> str:
    return ", ".join(f"{k}: {v}" for k, v in settings.items())


def validation_summary(root: Path) -> tuple[str, str, Path | None]:
    """(the "how little there is" paragraph, the all-forecasts table, validation.png) of calibration/validation.md."""
    md = root / "validation.md"
    if not md.exists():
        return "calibration/validation.md is missing: run `dezsim validate`.", "", None
    text = md.read_text(encoding="utf-8")
    para = lead_paragraph(text, "**How little")
    table = text.split("## All forecasts", 1)[1].split("\n\n")[1].strip() if "## All forecasts" in text else ""
    png = root / "validation.png"
    return para, table, png if png.exists() else None


def clipping_note(provenance: dict) -> str | None:
    """The caveat on the regional growth offsets clipped at their parameters' bounds, from a run's provenance
    (None when nothing was clipped or the run had no process noise)."""
    noise = provenance.get("noise") or {}
    counts = {name: k for name, k in (noise.get("offsets_clipped") or {}).items() if k}
    if not counts:
        return None
    cells = noise.get("offset_cells")
    of = f" of {cells:,} (run, region) cells" if cells else " (run, region) cells"
    listed = ", ".join(f"{name} {k:,}" for name, k in counts.items())
    return ("Each region's growth offset is added to its run's growth rates and clipped to each rate's declared "
            f"bounds (dezsim/model/params.py), so no run grows outside the range the evidence allows: here {listed}{of} "
            "were clipped (provenance: noise.offsets_clipped). Clipping narrows the regional spread of those "
            "runs a little; it is a design choice, not an error.")


def _updated(results: Results, reach: pd.DataFrame, observed: pd.DataFrame, ds, seed: int, outside: pd.DataFrame,
             pool=None):
    """The ensemble conditioned on ``observed`` and its reach table, with p before the update and the on-track
    ratio beside each target (``outside``: the outside view and indicator table, which the update leaves as is;
    ``pool``: the combined p's pool, None for the stored one)."""
    from dezsim.targets.reach import reachability
    from dezsim.targets.update import condition, on_track, resample
    from dezsim.targets.views import with_views

    updated = resample(results, condition(results, observed), seed)
    after = with_views(reachability(updated, ds), outside, pool)
    before = reach.set_index("target_id")
    after["p_before"] = after.target_id.map(before.p_reach)
    if "p_inside" in before:
        after["p_inside_before"] = after.target_id.map(before.p_inside)
    track = on_track(after, observed, results).set_index("target_id")
    for col in track.columns:
        after[col] = after.target_id.map(track[col])
    return updated, after


def update_table(reach: pd.DataFrame) -> pd.DataFrame:
    """The mid-term update's table: every assessed target with p before and after and its on-track ratio."""
    rows = reach[reach.assessed & reach.p_before.notna()].copy()
    rows["p before"] = rows.p_before.map(lambda p: f"{p:.2f}")
    rows["p after [90 %]"] = [f"{p:.2f} [{lo:.2f}-{hi:.2f}]" for p, lo, hi in
                              zip(rows.p_reach, rows.p_low, rows.p_high, strict=True)]
    status = rows.on_track.astype(object).where(rows.on_track.notna(), "")  # all NaN (float) without figures
    rows["on track"] = [f"{s} ({100 * r:.0f} %, {int(y)})" if s else "" for s, r, y in
                        zip(status, rows.on_track_ratio, rows.observed_year.fillna(0), strict=True)]
    cols = {"target_id": "target", "region": "region", "indicator": "indicator", "year": "year"}
    return rows.rename(columns=cols)[[*cols.values(), "p before", "p after [90 %]", "on track"]]


def backtest_summary(root: Path) -> str:
    """The summary paragraph of calibration/backtest_targets.md (P(target) judged on past plans), or how to make it."""
    from dezsim.targets.backtest import PAGE, SUMMARY_LEAD

    path = root / PAGE
    if not path.exists():
        return f"calibration/{PAGE} is missing: run `dezsim backtest`."
    return lead_paragraph(path.read_text(encoding="utf-8"), SUMMARY_LEAD)


def hindcast_summary(root: Path) -> str:
    """The summary paragraph of calibration/hindcast.md (figures published after 2020), or how to make it."""
    from dezsim.calibration.hindcast import MISSING, summary_paragraph

    return summary_paragraph(root / "hindcast.md") or MISSING


#: The chart files a report writes (figures/); an earlier report's charts this one did not write are removed,
#: so the folder never shows a chart of another run (any other file there is left alone).
CHART_PATTERNS = ("overview.png", "fan_*.png", "levers.png")


def _remove_stale_charts(figs: Path, written: set[Path]) -> None:
    for pattern in CHART_PATTERNS:
        for path in figs.glob(pattern):
            if path not in written:
                path.unlink()


def ensemble_charts(out: Path, results: Results, reach: pd.DataFrame, ds) -> dict[str, list[Path]]:
    """figures/overview.png and the fan charts (everything drawn from the ensemble alone, not the lever search):
    ``{"overview": [path], "fans": [paths]}``. The report draws them while the levers are searched."""
    from dezsim.outputs import report_figures as F
    from dezsim.outputs import report_tables as T

    figs = _figures_folder(out)
    reach = T.add_text_columns(reach, ds, T.plan_of(ds))
    units = dict(zip(ds.indicators.name, ds.indicators.unit, strict=True))
    zh = dict(zip(ds.indicators.name, ds.indicators.name_zh, strict=True))
    return {"overview": [F.overview(reach, figs)], "fans": F.fans(results, reach, units, zh, figs)}


def _figures_folder(out: Path) -> Path:
    figs = out / "figures"
    check_output_folder(out, "--out")
    check_output_folder(figs, "--out")
    figs.mkdir(parents=True, exist_ok=True)
    return figs


def write(out: Path, results: Results, reach: pd.DataFrame, levers: pd.DataFrame | None, ds,
          settings: dict, charts: dict[str, list[Path]] | None = None) -> dict[str, Path]:
    """Write every report file into ``out`` (each atomically); returns their paths. ``charts``: what
    :func:`ensemble_charts` already drew for these results (drawn here when None)."""
    from dezsim.outputs import report_figures as F
    from dezsim.outputs import report_tables as T
    from dezsim.targets.reach import headline_text

    figs = _figures_folder(out)
    charts = dict(charts if charts is not None else ensemble_charts(out, results, reach, ds))
    reach = T.add_text_columns(reach, ds, T.plan_of(ds))
    paths = {"reach.csv": out / "reach.csv"}
    atomic_write_text(paths["reach.csv"], reach.drop(columns=["relative_to"], errors="ignore").to_csv(index=False))
    if levers is not None:
        levers = T.lever_columns(levers)
        paths["levers.csv"] = out / "levers.csv"
        atomic_write_text(paths["levers.csv"], levers.to_csv(index=False))
    charts["levers"] = F.lever_curves(levers, figs)
    _remove_stale_charts(figs, {p for group in charts.values() for p in group})
    from dezsim.model.calibration_store import ROOT as CALIBRATION

    notes = [*HOW_TO_READ, *filter(None, [clipping_note(results.provenance)])]
    parts = {"head": headline_text(reach), "settings": _settings_text(settings), "how_to_read": notes,
             "table": T.summary_table(reach), "outside": T.outside_only_table(reach),
             "validation": validation_summary(CALIBRATION), "hindcast": hindcast_summary(CALIBRATION),
             "backtest": backtest_summary(CALIBRATION),
             "update": update_table(reach) if "p_before" in reach else None,
             "update_note": _update_note(results.provenance.get("update"))}
    paths["report.md"] = out / "report.md"
    atomic_write_text(paths["report.md"], _markdown(parts, charts, out))
    paths["report.html"] = out / "report.html"
    atomic_write_text(paths["report.html"], _html(parts, charts))
    return paths


def _update_note(update: dict | None) -> str:
    if not update:
        return ""
    return (f"The ensemble is conditioned on {update['figures']} figures published for {', '.join(map(str, update['years']))}"
            f": each run weighted by their likelihood under its own path (measurement error by how a figure is "
            f"stated, a model discrepancy growing with the years since the origin), then resampled; "
            f"{update['effective_runs']:.1f} of {update['runs']} runs' worth of information is left (the intervals "
            "use it). On track: the ratio of actual to required progress since the origin (on track >= 95 %, "
            "acceleration needed 60-95 %, off track below). Levers are not searched in an update.")


def _markdown(parts: dict, charts: dict, out: Path) -> str:
    img = lambda c: f"![{c.stem}]({c.relative_to(out).as_posix()})"  # noqa: E731
    para, vtable, _ = parts["validation"]
    lines = ["# dezsim: reachability of the digital-economy plan targets", "", parts["head"], "",
             f"Settings: {parts['settings']}.", "", "## How to read this", ""]
    lines += [f"- {t}" for t in parts["how_to_read"]]
    if parts.get("update") is not None:
        lines += ["", "## Mid-term update: p before and after the observed figures", "", parts["update_note"], "",
                  parts["update"].to_markdown(index=False)]
    lines += ["", "## Overview: p per target with an inside view, by plan", "", *map(img, charts["overview"]), "",
             OVERVIEW_CAPTION, "",
              "## Targets with an inside view (the model or an indicator trend)", "",
              parts["table"].to_markdown(index=False), "", "## Fan charts in each target's own metric", ""]
    lines += [img(c) for c in charts["fans"]]
    if charts["levers"]:
        lines += ["", "## Lever response curves", "", *map(img, charts["levers"])]
    lines += ["", "## Targets with the outside view only (why the model does not assess them)", "",
              parts["outside"].to_markdown(index=False), "", "## Validation (calibration/validation.md)", "",
              para, "", vtable, "", "Full scores: calibration/validation.md; figure: calibration/validation.png.", "",
              "## Backtest of p on past plans' targets (calibration/backtest_targets.md)", "", parts["backtest"], "",
              "## Hindcast on figures published after 2020 (calibration/hindcast.md)", "", parts["hindcast"], ""]
    return "\n".join(lines)


STYLE = ("body{font-family:system-ui,'Noto Sans CJK SC',sans-serif;margin:2em;max-width:1500px}table{border-collapse:"
         "collapse;font-size:11px;width:100%}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}"
         "th{background:#eef}tr:nth-child(even){background:#f8f8f8}img{max-width:100%}figure{margin:1em 0}"
         ".likely{color:#1a7f37;font-weight:600}.unlikely{color:#b42318;font-weight:600}"
         ".uncertain{color:#9a6700;font-weight:600}.differ{background:#fff3cd}")


def _figure(path: Path, caption: str = "") -> str:
    data = base64.b64encode(path.read_bytes()).decode()
    return (f'<figure><img alt="{html.escape(path.stem)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{html.escape(caption or path.stem)}</figcaption></figure>")


def _html(parts: dict, charts: dict) -> str:
    body = parts["table"].to_html(index=False, na_rep="", escape=True, classes="reach", border=0)
    for v in ("likely", "uncertain", "unlikely"):
        body = body.replace(f"<td>{v}</td>", f'<td class="{v}">{v}</td>')
    body = body.replace("<td>yes</td>", '<td class="differ">yes</td>')
    para, vtable, vpng = parts["validation"]
    sections = [f"<p>{html.escape(parts['head'])}</p><p>Settings: {html.escape(parts['settings'])}.</p>",
                "<h2>How to read this</h2><ul>" + "".join(f"<li>{html.escape(t)}</li>" for t in parts["how_to_read"])
                + "</ul>"]
    if parts.get("update") is not None:
        sections.append("<h2>Mid-term update: p before and after the observed figures</h2>"
                        f"<p>{html.escape(parts['update_note'])}</p>"
                        + parts["update"].to_html(index=False, na_rep="", escape=True, border=0))
    sections += ["<h2>Overview: p per target with an inside view, by plan</h2>"
                + "".join(_figure(c, OVERVIEW_CAPTION) for c in charts["overview"]),
                "<h2>Targets with an inside view (the model or an indicator trend)</h2>" + body,
                "<h2>Fan charts in each target's own metric</h2>" + "".join(map(_figure, charts["fans"]))]
    if charts["levers"]:
        sections.append("<h2>Lever response curves</h2>" + "".join(map(_figure, charts["levers"])))
    sections.append("<h2>Targets with the outside view only</h2>"
                    + parts["outside"].to_html(index=False, na_rep="", escape=True, border=0))
    sections.append("<h2>Validation (calibration/validation.md)</h2>"
                    f"<p>{html.escape(para.replace('**', ''))}</p><pre>{html.escape(vtable)}</pre>"
                    + (_figure(vpng, "calibration/validation.png") if vpng else "")
                    + "<p>Full scores: calibration/validation.md.</p>")
    sections.append("<h2>Backtest of p on past plans' targets (calibration/backtest_targets.md)</h2>"
                    f"<p>{html.escape(parts['backtest'].replace('**', ''))}</p>")
    sections.append("<h2>Hindcast on figures published after 2020 (calibration/hindcast.md)</h2>"
                    f"<p>{html.escape(parts['hindcast'].replace('**', ''))}</p>")
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>dezsim reachability</title>"
            f"<style>{STYLE}</style></head><body><h1>dezsim: reachability of the digital-economy plan targets</h1>"
            + "".join(sections) + "</body></html>")


def build(scenario=None, runs: int = 200, seed: int = 0, out: Path | str = "out/reach-baseline",
          lever_runs: int = 40, levers: bool = True, progress: bool = False,
          observed: Path | str | None = None, workers: int = 1) -> tuple[pd.DataFrame, dict[str, Path]]:
    """Run the scenario, assess every target, search the levers, and write the report.

    With ``observed`` (a CSV of figures after the origin, as for ``dezsim hindcast``) the ensemble is conditioned
    on them (:mod:`dezsim.targets.update`): the report shows p before and after and each target's on-track ratio,
    and the lever search is left out (a lever changes policy from the origin, before the figures it is judged on).
    ``workers`` processes compute the lever points (the report does not depend on their number).
    Returns the reach table (as in ``reach.csv``) and the written files.
    """
    from concurrent.futures import ThreadPoolExecutor

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, \
        TimeRemainingColumn

    from dezsim.base.processes import check_workers
    from dezsim.data.loader import load
    from dezsim.model.derived import add_derived
    from dezsim.model.simulate import as_scenario, run
    from dezsim.model.origin import BASE_ORIGIN
    from dezsim.targets import levers as L
    from dezsim.targets.backtest import fenced_pool
    from dezsim.targets.outside_view import outside_and_indicator_table
    from dezsim.targets.reach import LIKELY, reachability
    from dezsim.targets.views import with_views

    check_workers(workers)
    check_output_folder(Path(out), "--out")  # before the work, not after it
    check_output_folder(Path(out) / "figures", "--out")
    from dezsim.model.scenario_checks import check_settings_simulated

    ds, scen = load(), as_scenario(scenario)
    check_settings_simulated(scen, ds)
    table = None
    if observed is not None:
        from dezsim.data.observations import read_observed
        from dezsim.model.sd.outputs import INDICATORS

        table = read_observed(observed, ds, set(INDICATORS), scen.start)  # before the work: fails in seconds
        levers = False
    steps = 1 + (1 + len(L.LEVERS) * len(L.GRID) if levers else 0)
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   TimeRemainingColumn(), disable=not progress)
    # Work that needs no simulation runs on a side thread while the compiled kernels (which release the GIL)
    # simulate: the outside view beside the ensemble, the ensemble's charts beside the lever search. Both are
    # deterministic, so the report is the same as done one after the other.
    with bar, ThreadPoolExecutor(max_workers=1, thread_name_prefix="dezsim-report") as side:
        task = bar.add_task(f"simulating {scen.name} ({runs} runs)", total=steps)
        # the views' outside half, once; from an earlier origin fenced at it, with the pool fitted on what was known
        outside_soon = side.submit(outside_and_indicator_table, ds, seed, scen.start)
        pool_soon = side.submit(fenced_pool, ds, scen.start) if scen.start != BASE_ORIGIN else None
        results = add_derived(run(scen, runs=runs, seed=seed, data=ds), ds)  # the report draws them too
        outside = outside_soon.result()
        pool = pool_soon.result() if pool_soon is not None else None
        reach = with_views(reachability(results, ds), outside, pool)
        if table is not None:
            results, reach = _updated(results, reach, table, ds, seed, outside, pool)
        bar.advance(task)
        lever_table, charts = None, None
        below = reach[reach.assessed & (reach.p_reach < LIKELY)].target_id.tolist()
        if levers and below:
            charts_soon = side.submit(ensemble_charts, Path(out), results, reach, ds)
            bar.update(task, description=f"searching levers ({lever_runs} runs per point)")
            base = results.take_runs(range(lever_runs)) if lever_runs <= runs else None  # run k is run k
            lever_table = L.search(scen, ds, below, lever_runs, seed, base=base, workers=workers,
                                   advance=lambda: bar.advance(task))
            reach = reach.merge(L.best_lever(lever_table), left_on="target_id", right_index=True, how="left")
            charts = charts_soon.result()
    settings = {"scenario": scen.name, "origin": scen.start, "runs": runs, "seed": seed,
                "lever runs": lever_runs if levers else "off",
                "data hash": ds.digest[:12], "code": results.provenance["code_version"]}
    if table is not None:
        update = results.provenance["update"]
        settings |= {"observed": str(observed), "figures": update["figures"],
                     "effective runs": f"{update['effective_runs']:.1f} of {update['runs']}"}
    return reach, write(Path(out), results, reach, lever_table, ds, settings, charts)
