"""The report's tables for people: thresholds and gaps with units, the Chinese name and the plan's quote, both
views of every target, and lever values in each lever's own unit (the machine columns stay as they are)."""

from __future__ import annotations

import pandas as pd

from dezsim.base.units import lever_text, lever_value, number, threshold_text, unit_text, words


def _first_reached(median: float, q10: float, q90: float, end: int) -> str:
    """'2024 (2022 to later)' style; 'later' means not by the simulation's end."""
    fmt = lambda v: "later" if pd.isna(v) else f"{int(v)}"  # noqa: E731
    if pd.isna(q10):
        return f"not by {end}"
    return f"{fmt(median) if not pd.isna(median) else f'after {end}'} ({fmt(q10)} to {fmt(q90)})"


def _gap(m: float, lo: float, hi: float, unit: str) -> str:
    """"-1,234 (-2,000 to -500) 亿元 (median -123.4 billion yuan)": the unit once, money also in words."""
    if pd.isna(m):
        return ""
    sign = lambda v: ("+" if v > 0 else "") + number(v)  # noqa: E731
    text = f"{sign(m)} ({sign(lo)} to {sign(hi)}) {unit_text(unit)}".rstrip()
    gloss = words(m, unit)
    if gloss:
        text = f"{text.split(' (100')[0]} (median {'+' if m > 0 else ''}{gloss})"
    return text


def add_text_columns(reach: pd.DataFrame, ds, plans: dict[str, str]) -> pd.DataFrame:
    """reach.csv's columns for people: ``name_zh``, ``plan``, ``target_text`` and ``gap_text``."""
    out = reach.copy()
    zh = ds.indicators.set_index("name").name_zh
    out["name_zh"] = out.indicator.map(zh)
    out["plan"] = out.target_id.map(plans)
    out["target_text"] = [threshold_text(r, v, u) for r, v, u in zip(out.relation, out.threshold, out.unit,
                                                                       strict=True)]
    out["gap_text"] = [_gap(m, lo, hi, u) for m, lo, hi, u in zip(out.gap_median, out.gap_q10, out.gap_q90,
                                                                   out.unit, strict=True)]
    return out


def plan_of(ds) -> dict[str, str]:
    """Target id -> a short plan name (as in ``dezsim compare``)."""
    from dezsim.outputs.compare import plan_label

    titles = ds.sources.set_index("source").title
    t = ds.targets()
    return {i: plan_label(titles.get(s, "")) for i, s in zip(t.id, t.source, strict=True)}


def _p_text(p: float, lo: float, hi: float) -> str:
    return "" if pd.isna(p) else f"{p:.2f} ({lo:.2f}-{hi:.2f})" if pd.notna(lo) else f"{p:.2f}"


def summary_table(reach: pd.DataFrame) -> pd.DataFrame:
    """Targets with an inside view (the model or an indicator trend), both views side by side."""
    a = reach[reach.basis.isin(["sd", "agents", "indicator_trend"])].copy()
    end = max(int(a.year.max()) if len(a) else 0, int(reach.attrs.get("end_year", 0)))
    a["indicator (中文)"] = [f"{i} ({z})" if isinstance(z, str) else i for i, z in zip(a.indicator, a.name_zh,
                                                                                       strict=True)]
    a["p inside (90 %)"] = [_p_text(p, lo, hi) for p, lo, hi in zip(a.p_inside, a.p_inside_low, a.p_inside_high,
                                                                     strict=True)]
    # a generic model's row says what it rests on (its baseline, drift and shocks) where the model's rows
    # give their caveat
    trend = a.basis == "indicator_trend"
    a.loc[trend, "caveat"] = a.loc[trend, "indicator_basis"]
    a["p outside (90 %)"] = [_p_text(p, lo, hi) for p, lo, hi in zip(a.p_outside, a.p_outside_low,
                                                                       a.p_outside_high, strict=True)]
    from dezsim.targets.reach import verdict

    a["verdict"] = [verdict(p) for p in a.p_inside]
    a["views differ"] = a.views_differ.map({True: "yes", False: ""})
    if "p_combined" in a:
        a["p combined"] = a.p_combined.map(lambda p: "" if pd.isna(p) else f"{p:.2f} ({verdict(p)})")
    a["first reached (median, 10-90 %)"] = [
        "" if b == "indicator_trend" else _first_reached(m, lo, hi, end)
        for m, lo, hi, b in zip(a.first_year_median, a.first_year_q10, a.first_year_q90, a.basis, strict=True)]
    a["target"], a["gap median (10-90 %)"] = a.target_text, a.gap_text.fillna("")
    if "best_lever" in a.columns:
        a["lever to reach p = 0.8"] = [
            "" if v == "likely" or b == "indicator_trend" else "none within bounds" if not isinstance(name, str)
            else lever_text(name, _param(name), val)
            for v, b, name, val in zip(a.verdict, a.basis, a.best_lever, a.best_lever_value, strict=True)]
    cols = ["plan", "target_id", "region", "indicator (中文)", "year", "reading", "target", "basis",
            "p inside (90 %)", "verdict", "p outside (90 %)", "views differ", "p combined", "first reached (median, 10-90 %)",
            "gap median (10-90 %)", "lever to reach p = 0.8", "quote", "caveat"]
    a["quote"] = _one_line(a.quote)
    return a[[c for c in cols if c in a.columns]].sort_values(["plan", "region", "year", "target_id"])


def outside_only_table(reach: pd.DataFrame) -> pd.DataFrame:
    """Targets with no inside view: why the model does not assess them, and the outside view."""
    a = reach[reach.basis == "none"].copy()
    a["p outside (90 %)"] = [_p_text(p, lo, hi) for p, lo, hi in zip(a.p_outside, a.p_outside_low,
                                                                       a.p_outside_high, strict=True)]
    a["target"] = a.target_text
    cols = ["plan", "target_id", "region", "indicator", "name_zh", "year", "target", "p outside (90 %)",
            "outside_class", "reason", "quote"]
    a["quote"] = _one_line(a.quote)
    return a[cols].sort_values(["plan", "region", "year", "target_id"])


def _one_line(text: pd.Series) -> pd.Series:
    """Quotes copied from the plans' tables keep their tabs and line breaks; a table cell shows spaces."""
    return text.fillna("").astype(str).str.replace(r"\s+", " ", regex=True)


def _param(lever_name: str) -> str:
    from dezsim.targets.levers import LEVERS

    return {lv.name: lv.param for lv in LEVERS}[lever_name]


def lever_columns(levers: pd.DataFrame) -> pd.DataFrame:
    """levers.csv with the lever's ``unit`` and the value needed in it, for people (``value_needed_text``)."""
    out = levers.copy()
    out["unit"] = [lever_value(p, 1.0)[1] for p in out.parameter]
    out["value_needed_in_unit"] = [lever_value(p, v)[0] for p, v in zip(out.parameter, out.value_needed,
                                                                         strict=True)]
    out["value_needed_text"] = ["" if pd.isna(v) else lever_text(n, p, v)
                                for n, p, v in zip(out.lever, out.parameter, out.value_needed, strict=True)]
    return out
