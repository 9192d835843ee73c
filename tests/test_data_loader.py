"""The data loader accepts data/ and rejects each kind of bad row with a one-line message."""

from __future__ import annotations

import csv
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dezsim.base.errors import DataError
from dezsim.data.dataset import BASES, FIGURE_COLUMNS, KINDS, READING_COLUMNS, RELATIONS, default_root
from dezsim.data.loader import load

HEADER = [c.name for c in FIGURE_COLUMNS]
GOOD = {
    "id": "t-001", "region": "taicang", "indicator": "invention_patents_digital", "unit": "count",
    "year": "2023", "value": "700", "upper": "", "relation": ">=", "kind": "target", "basis": "stock",
    "period_start": "", "relative_to": "", "scope": "", "source": "000_2078fdaf42cd89f4.txt",
    "quote": "数字经济领域有效发明专利累计拥有量达到700件以上", "notes": "",
}


def write_data(rows: list[dict]) -> Path:
    """A data folder with the real vocabularies and ``rows`` as its only figures (each target read plainly)."""
    root = Path(tempfile.mkdtemp(prefix="dezsim-data-"))
    for name in ("regions.csv", "units.csv", "indicators.csv", "sources.csv", "threshold_rules.csv",
                 "indicator_checks.csv"):
        shutil.copy(default_root() / name, root / name)
    (root / "figures").mkdir()
    with open(root / "figures" / "t.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=HEADER)
        writer.writeheader()
        writer.writerows(rows)
    with open(root / "target_readings.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=[c.name for c in READING_COLUMNS])
        writer.writeheader()
        writer.writerows(plain_reading(r) for r in rows if r.get("kind") in ("target", "growth_target"))
    return root


def plain_reading(row: dict) -> dict:
    """The reading a target row's own columns suggest (what the tests' small data folders need)."""
    growth, cap = row["kind"] == "growth_target", row["relation"] == "<="
    reading = ("growth" if growth else "cap" if cap else row["basis"] if row["basis"] == "new_in_period"
               else "cumulative_since" if row["basis"] == "cumulative" and row["period_start"] else "level")
    rule = ("above_region" if row["relative_to"] else "range" if row["relation"] == "range"
            else "at_most" if cap else "at_least")
    start = row["period_start"] if reading in ("growth", "new_in_period", "cumulative_since") else ""
    return {"id": row["id"], "indicator": row["indicator"], "reading": reading, "period_start": start,
            "scope": "whole_region", "threshold_rule": rule, "role": "target", "duplicate_of": "",
            "quote": row["quote"], "note": ""}


def load_error(rows: list[dict]) -> str:
    root = write_data(rows)
    try:
        with pytest.raises(DataError) as info:
            load(root)
    finally:
        shutil.rmtree(root)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_real_data_loads(dataset):
    assert len(dataset.figures) >= 250
    assert len(dataset.targets()) >= 100
    assert set(dataset.figures.relation) <= set(RELATIONS)


def test_a_good_row_loads():
    root = write_data([GOOD])
    try:
        assert load(root).figures.loc[0, "value"] == 700
    finally:
        shutil.rmtree(root)


text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=12)
BAD_CELLS = {
    "region": text.filter(lambda s: s.strip() and s not in load().regions.code.tolist()),
    "indicator": text.filter(lambda s: s.strip() and s not in load().indicators.name.tolist()),
    "unit": text.filter(lambda s: s.strip() and s not in load().units.code.tolist()),
    "relation": text.filter(lambda s: s.strip() and s not in RELATIONS),
    "kind": text.filter(lambda s: s.strip() and s not in KINDS),
    "basis": text.filter(lambda s: s.strip() and s not in BASES),
    "year": st.one_of(st.integers(-10**6, 1989).map(str), st.integers(2036, 10**6).map(str),
                      st.sampled_from(["2023.5", "twenty", "二〇二三"])),
    "value": st.sampled_from(["abc", "nan", "inf", "-inf", "7OO", "1,000"]),
    "period_start": st.integers(2023, 2035).map(str),
    "upper": st.floats(0, 1e6, allow_nan=False).map(repr),
    "source": text.filter(lambda s: s.strip() and not s.startswith("0")),
    "quote": st.just(""),
}


@given(column=st.sampled_from(sorted(BAD_CELLS)), data=st.data())
def test_each_bad_cell_is_named_with_file_line_column_and_value(column, data):
    value = data.draw(BAD_CELLS[column])
    message = load_error([GOOD | {column: value}])
    assert "figures/t.csv:2:" in message
    assert f"column {column!r}" in message
    assert value in message or repr(value) in message


def test_unknown_region_suggests_the_nearest_code():
    message = load_error([GOOD | {"region": "taican"}])
    assert "did you mean 'taicang'" in message and "allowed:" in message


def test_duplicate_id_points_to_first_use():
    message = load_error([GOOD, GOOD | {"value": "800"}])
    assert "figures/t.csv:3:" in message and "duplicate" in message and "t.csv:2" in message


def test_range_needs_an_upper_bound():
    message = load_error([GOOD | {"relation": "range"}])
    assert "column 'upper'" in message and "needs an upper bound" in message


def test_growth_kind_needs_growth_basis():
    message = load_error([GOOD | {"kind": "growth_target", "unit": "pct_per_year", "period_start": "2020"}])
    assert "column 'basis'" in message and "disagree" in message


def test_unit_must_match_the_indicator():
    message = load_error([GOOD | {"unit": "100m_yuan"}])
    assert "column 'unit'" in message and "measured in count" in message


def test_new_in_period_needs_its_start_year():
    message = load_error([GOOD | {"basis": "new_in_period"}])
    assert "column 'period_start'" in message


def test_bad_header_lists_what_is_expected():
    root = write_data([GOOD])
    path = root / "figures" / "t.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("relation", "relaton", 1), encoding="utf-8")
    with pytest.raises(DataError, match=r"t.csv:1: bad header: missing \['relation'\]; unknown \[\"relaton"):
        load(root)
    shutil.rmtree(root)


def test_ragged_row_and_non_utf8_file_are_named(tmp_path):
    root = write_data([GOOD])
    path = root / "figures" / "t.csv"
    path.write_text(path.read_text(encoding="utf-8") + "x,y\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"t.csv:3: 2 fields, but the header has 16"):
        load(root)
    path.write_bytes("id\n太仓".encode("gbk"))  # GBK, as some exports are
    with pytest.raises(DataError, match=r"t.csv: not UTF-8"):
        load(root)
    shutil.rmtree(root)


def test_region_parent_must_be_one_level_up(data_copy):
    path = data_copy / "regions.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",3,suzhou,", ",3,jiangsu,", 1), encoding="utf-8")
    with pytest.raises(DataError, match=r"regions.csv:\d+: column 'parent' = 'jiangsu': is at level 1"):
        load(data_copy)
