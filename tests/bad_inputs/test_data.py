"""Door: data/. Physical ranges (declared in data, not code), cross-level sums, sources, the data hash.

A violation stops loading with one line naming file, line, column, value and the allowed range, so
``data check``, ``run``, ``calibrate`` and sweeps all refuse the same way.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dezsim.base.errors import DataError
from dezsim.data.dataset import default_root
from dezsim.data.loader import load, physical_ranges
from tests.test_data_loader import GOOD, load_error, write_data

from .helpers import one_line_error

REAL = load()


def edit(root: Path, figure_id: str, column: str, value: str) -> Path:
    """Set ``column`` of the figure ``figure_id`` in a copy of data/ (keeps every other byte)."""
    for path in (root / "figures").glob("*.csv"):
        with open(path, encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        col = rows[0].index(column)
        hits = [r for r in rows[1:] if r and r[0] == figure_id]
        if hits:
            hits[0][col] = value
            with open(path, "w", encoding="utf-8", newline="") as fh:
                csv.writer(fh, lineterminator="\n").writerows(rows)
            return root
    raise AssertionError(f"no figure {figure_id}")


def row_of(indicator: str, region: str, year: int = 2020) -> str:
    f = REAL.figures
    hit = f[(f.indicator == indicator) & (f.region == region) & (f.year == year) & (f.kind == "baseline")]
    return str(hit.id.iloc[0])


CASES = {  # (indicator, region, bad value, expected allowed text)
    "negative GDP": ("gdp", "suzhou", "-20170.5", r"allowed: > 0 100m_yuan \(\(0\.\.inf\)\)"),
    "zero GDP": ("gdp", "gusu", "0", r"allowed: > 0 100m_yuan"),
    "negative 5G stock": ("g5_base_stations", "suzhou", "-12039", r"allowed: >= 0 count \(\[0\.\.inf\)\)"),
    "negative revenue": ("software_revenue", "suzhou", "-1727.3", r"allowed: >= 0 100m_yuan"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_out_of_range_data_stop_check_run_calibrate_and_sweep(data_copy, monkeypatch, case):
    indicator, region, value, allowed = CASES[case]
    edit(data_copy, row_of(indicator, region), "value", value)
    pattern = (rf"data/figures/\w+.csv:\d+: column 'value' = {float(value)!r}: outside the physical "
               rf"range of {indicator}; {allowed}")
    one_line_error(["data", "check", "--data", data_copy], pattern)
    one_line_error(["calibrate", "--data", data_copy], pattern)
    import dezsim.model.simulate

    monkeypatch.setenv("DEZSIM_DATA", str(data_copy))
    dezsim.model.simulate._data.cache_clear()
    try:
        one_line_error(["run", "--runs", "1", "--no-agents"], pattern)
        one_line_error(["sweep", "--out", data_copy.parent / "store", "-n", "2", "--executor", "inprocess",
                        "--no-agents"], pattern)
    finally:
        dezsim.model.simulate._data.cache_clear()


def test_share_above_100_and_pue_below_1_are_refused():
    share = {"indicator": "core_industry_share_gdp", "unit": "pct", "basis": "share", "value": "120"}
    assert "allowed: 0 to 100 pct ([0..100])" in load_error([GOOD | share])
    pue = {"indicator": "dc_pue_new", "unit": "ratio", "basis": "share", "value": "0.95", "relation": "<="}
    assert "outside the physical range of dc_pue_new; allowed: >= 1 ratio ([1..inf))" in load_error([GOOD | pue])
    growth = {"indicator": "software_revenue", "unit": "pct", "kind": "growth_target", "basis": "growth",
              "period_start": "2020", "value": "-5"}
    assert load(write_data([GOOD | growth])).figures.value.iloc[0] == -5  # a growth rate may be negative


RANGES = physical_ranges(REAL.units, REAL.indicators, REAL.checks)
BOUNDED = sorted(name for name, r in RANGES.items() if r.low > -math.inf)


@settings(max_examples=25)  # each example loads a data folder (~0.3 s)
@given(indicator=st.sampled_from(BOUNDED), excess=st.floats(1e-6, 1e12, allow_nan=False), above=st.booleans())
def test_any_level_outside_its_declared_range_is_refused(indicator, excess, above):
    """For every indicator: a level below its range's low end (or above a finite high end) is one line."""
    allowed = RANGES[indicator]
    bad = allowed.high + excess if above and allowed.high < math.inf else allowed.low - excess
    unit = REAL.indicators.set_index("name").loc[indicator, "unit"]
    row = GOOD | {"indicator": indicator, "unit": unit, "basis": "stock", "value": repr(bad), "relation": "="}
    message = load_error([row])
    assert f"column 'value' = {float(repr(bad))!r}: outside the physical range of {indicator}" in message
    assert f"allowed: {allowed.describe()} {unit} ({allowed.text})" in message


@pytest.mark.parametrize("text", ["[0..100", "0..1", "[b..1]", "[2..1]", "[nan..1]"])
def test_a_malformed_range_declaration_is_one_line(data_copy, text):
    path = data_copy / "units.csv"
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    rows[1][rows[0].index("range")] = text
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    with pytest.raises(DataError, match=r"data/units.csv:2: column 'range' = .*: not a range"):
        load(data_copy)


# ---- cross-level: a tenfold typo ------------------------------------------------------------------------------

@pytest.mark.parametrize(("region", "factor", "where"), [
    ("gusu", 10, r"gdp of suzhou in 2020, but its children sum to 27549.3 \(\+36.6 %"),
    ("suzhou", 10, r"gdp of jiangsu in 2020, but its children sum to 214075 \(\+108.2 %"),
    ("kunshan", 0.1, r"gdp of suzhou in 2020, but its children sum to 16321.1 \(-19.1 %"),
])
def test_a_tenfold_gdp_typo_is_one_line_not_a_zero_division(data_copy, monkeypatch, region, factor, where):
    value = float(REAL.figures.set_index("id").loc[row_of("gdp", region), "value"]) * factor
    edit(data_copy, row_of("gdp", region), "value", f"{value:.1f}")
    one_line_error(["data", "check", "--data", data_copy], where + r".*allowed: within 5% \(indicator_checks.csv\)")
    import dezsim.model.simulate

    monkeypatch.setenv("DEZSIM_DATA", str(data_copy))
    dezsim.model.simulate._data.cache_clear()
    try:
        one_line_error(["run", "--runs", "2"], where)
    finally:
        dezsim.model.simulate._data.cache_clear()


def test_a_gdp_remainder_of_zero_is_an_error_not_a_zero_division():
    """Within the sum tolerance the children may still reach the parent; the leaf left over would get GDP 0."""
    from dezsim.model.sd.initial import derive

    rows = [GOOD | {"id": f"g{i}", "region": r, "indicator": "gdp", "unit": "100m_yuan", "year": "2020",
                    "value": v, "relation": "=", "kind": "baseline", "basis": "flow"}
            for i, (r, v) in enumerate([("jiangsu", "1000"), ("suzhou", "600"), ("wuxi", "420")])]
    with pytest.raises(DataError, match=r"2020 gdp of rest_of_jiangsu is jiangsu's remainder, but suzhou, wuxi "
                                        r"already sum to 1020 of its 1000; allowed: a remainder > 0"):
        derive(load(write_data(rows)), "gdp")


# ---- sources -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("source", "kind", "why"), [
    ("../../../../etc/passwd", "seed", "a seed must be a plain file name in the seeds folder"),
    ("/etc/passwd", "seed", "a seed must be a plain file name"),
    ("sub/000_2078fdaf42cd89f4.txt", "seed", "a seed must be a plain file name"),
    ("..", "seed", "a seed must be a plain file name"),
    ("file:///etc/passwd", "url", "kind 'url' needs an http"),
])
def test_a_source_outside_the_seeds_folder_is_refused(data_copy, source, kind, why):
    with (data_copy / "sources.csv").open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerow([source, kind, "hostile"])
    one_line_error(["data", "check", "--data", data_copy], rf"sources.csv:\d+: column 'source' = .*{why}")


def test_quotes_are_never_read_outside_the_seeds_folder(tmp_path):
    """Even a Dataset built around the loader cannot make the quote check read another file."""
    from dataclasses import replace

    from dezsim.data.quotes import missing_quotes

    secret = tmp_path / "secret.txt"
    secret.write_text("数字经济领域有效发明专利累计拥有量达到700件以上", encoding="utf-8")  # the quote, verbatim
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    sources = REAL.sources.copy()
    sources.loc[len(sources)] = {"source": "../secret.txt", "kind": "seed", "title": "x"}
    quote = "数字经济领域有效发明专利累计拥有量达到700件以上"
    figures = REAL.figures.head(1).assign(source="../secret.txt", quote=quote)
    bad = missing_quotes(replace(REAL, sources=sources, figures=figures), seeds)
    assert bad.problem.tolist() == ["seed file missing"]


# ---- the data hash -------------------------------------------------------------------------------------------

def test_crlf_line_endings_do_not_change_the_data_hash(data_copy):
    for path in data_copy.rglob("*.csv"):
        path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    assert load(data_copy).digest == REAL.digest


def test_the_data_hash_still_sees_a_changed_value(data_copy):
    edit(data_copy, row_of("gdp", "gusu"), "value", "820.0")
    assert load(data_copy).digest != REAL.digest


def test_the_calibration_was_fitted_to_this_data():
    from dezsim.calibration.calibrate import load_ensemble

    stored = load_ensemble()
    assert stored is not None and stored[1]["data_hash"] == REAL.digest


def test_the_real_data_pass_every_check():
    assert load(default_root()).digest == REAL.digest
