"""The dashboard page (Solara): pick an area and a scenario, move the levers, read p and Δ and the fan charts.

Served by ``dezsim app`` (``solara run dezsim.outputs.app.page``). A city or district is recomputed on every change; a
province-wide area waits for the Run button and shows a progress bar. Every session shares one cache of
evaluations, so the baseline of an area is simulated once per server.
"""

from __future__ import annotations

import html
import time
from functools import cache

import solara
from solara.lab import use_task

from dezsim.outputs.app.model import (LEVERS, Engine, areas, fan_indicators, is_province_wide, p_table, scenario_files,
                              shown_values)


@cache
def engine() -> Engine:
    from dezsim.data.loader import load

    return Engine(load())


@cache
def area_index() -> dict:
    """Areas by their label (what the select shows)."""
    return {a.label: a for a in areas(engine().ds)}


def _fmt_delta(d: float) -> str:
    colour = "#1a7f37" if d > 0 else "#b42318" if d < 0 else "#555"
    return f'<span style="color:{colour}">{d:+.2f}</span>'


def table_html(table) -> str:
    """The p table as HTML (class ``dezsim-p``; verdicts coloured as in the report)."""
    if table.empty:
        return "<p>No assessed target in this area for this scenario.</p>"
    head = "".join(f"<th>{html.escape(c)}</th>" for c in table.columns)
    rows = []
    for r in table.itertuples(index=False):
        cells = [html.escape(str(r[0])), html.escape(str(r[1])), html.escape(str(r[2])), str(r[3]),
                 html.escape(r[4]), f"{r[5]:.2f}", f"<b>{r[6]:.2f}</b>", f'<span class="{r[7]}">{r[7]}</span>',
                 _fmt_delta(r[8])]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    style = ("<style>.dezsim-p{border-collapse:collapse;font-size:13px}.dezsim-p td,.dezsim-p th{border:1px solid "
             "#ccc;padding:3px 7px}.dezsim-p th{background:#eef}.likely{color:#1a7f37;font-weight:600}"
             ".unlikely{color:#b42318;font-weight:600}.uncertain{color:#9a6700;font-weight:600}</style>")
    return f'{style}<table class="dezsim-p"><tr>{head}</tr>{"".join(rows)}</table>'


def fan_figures(base, now, table):
    """One figure per (indicator, region) of the table: baseline in grey, the levers' ensemble in blue."""
    from dezsim.base.units import AXIS_TEXT
    from dezsim.outputs import plots

    codes = dict(zip(engine().ds.indicators.name, engine().ds.indicators.unit, strict=True))
    units = {name: AXIS_TEXT.get(code, code) for name, code in codes.items()}  # axis labels for people
    figs = []
    for indicator, region in fan_indicators(table):
        fig = plots.fan_chart(base.results, indicator, region, colour="tab:gray", label="baseline",
                              unit=units.get(indicator, ""))
        plots.fan_chart(now.results, indicator, region, now.reach, ax=fig.axes[0], label="levers",
                        unit=units.get(indicator, ""))
        fig.set_size_inches(4.6, 3.3)
        fig.set_dpi(85)  # smaller PNGs: quicker to encode and to send
        figs.append(fig)
    return figs


@solara.component
def LeverSlider(lever, value: float, on_value):
    lo, hi = lever.bounds
    with solara.Div(classes=[f"lever-{lever.param}"]):
        solara.SliderFloat(f"{lever.label}: {lever.shown(value)}", value=value, min=lo, max=hi, step=lever.step,
                           on_value=on_value, thumb_label=False)  # the caption shows the value in its unit
        solara.Text(f"{lever.declared.doc}; {lever.shown(lo)} to {lever.shown(hi)}", style={"font-size": "11px"})


@solara.component
def Controls(area_key, scenario, moved, on_run, province):
    index = area_index()
    solara.Select("plan or region", values=list(index), value=area_key)
    solara.Select("scenario", values=scenario_files(), value=scenario, on_value=lambda _: moved.set({}))
    shown = shown_values(engine().scenario(scenario.value), moved.value)
    for lever in LEVERS:
        LeverSlider(lever, shown[lever.param], lambda v, p=lever.param: moved.set({**moved.value, p: v}))
    with solara.Row():
        solara.Button("reset levers", on_click=lambda: moved.set({}), outlined=True)
        if province:
            solara.Button("Run", on_click=on_run, color="primary", classes=["dezsim-run"])
    solara.Text("Untouched levers keep the scenario's setting (uncertain parameters are drawn per run); a moved "
                "lever holds its value everywhere in every year. A subsidy moved alone is funded at the budget's "
                "upper bound, as in the lever search.", style={"font-size": "11px"})


@solara.component
def Answer(task, progress):
    """The task's state: a progress bar (a percentage, or True for an indeterminate bar), an error, a prompt to
    press Run, or the p table and the fan charts."""
    if task.pending:
        solara.ProgressLinear(progress)
        solara.Text("computing…", classes=["dezsim-status"])
    elif task.error:  # plain text: solara's Alert widgets fail with ipyvuetify 3
        solara.Text(f"error: {task.exception}", classes=["dezsim-status"], style={"color": "#b42318"})
    elif task.value is None:
        solara.Text("Province-wide: press Run to simulate (it takes longer than a city).", classes=["dezsim-status"])
    else:
        table, figs, seconds = task.value
        solara.Text(f"answer in {seconds:.2f} s; Δ is p with the levers minus p at the scenario as written (same "
                    "runs and seed)", classes=["dezsim-status"])
        solara.HTML(tag="div", unsafe_innerHTML=table_html(table), classes=["dezsim-table"])
        with solara.Row(style={"flex-wrap": "wrap"}):
            for fig in figs:
                solara.FigureMatplotlib(fig, format="png")


@solara.component
def Page():
    eng = engine()
    area_key = solara.use_reactive("region: Suzhou")
    scenario = solara.use_reactive("baseline.yaml")
    moved = solara.use_reactive({})
    requested = solara.use_reactive(None)
    progress = solara.use_reactive(0.0)
    area = area_index()[area_key.value]
    province = is_province_wide(area)
    key = (area.key, scenario.value, tuple(sorted(moved.value.items())))
    go = not province or requested.value == key

    def compute():
        if not go:
            return None
        start = time.perf_counter()
        # Progress only where it is shown (province-wide): each update re-renders the page.
        first, second = ((lambda d, t: progress.set(50 * d / t)), (lambda d, t: progress.set(50 + 50 * d / t))) \
            if province else (None, None)
        progress.set(0.0)
        base = eng.evaluate(scenario.value, area.root, {}, first)
        now = eng.evaluate(scenario.value, area.root, dict(moved.value), second)
        table = p_table(base.reach, now.reach, area, eng.ds)
        figs = fan_figures(base, now, table)
        return table, figs, time.perf_counter() - start

    task = use_task(compute, dependencies=[key, go])
    solara.Title("dezsim dashboard")
    with solara.Columns([2, 5]):
        with solara.Column():
            Controls(area_key, scenario, moved, lambda: requested.set(key), province)
        with solara.Column():
            solara.Markdown(f"### {area.label} · {scenario.value} · {eng.runs} runs, seed {eng.seed}")
            Answer(task, progress.value if province else True)
