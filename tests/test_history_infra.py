"""The infrastructure and adoption history loads, every quote is in its page, and each bad row is one line."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from dezsim.base.errors import DataError
from dezsim.data.dataset import default_root
from dezsim.data.history_infra import (
    COLUMNS,
    HISTORY_CUTOFF,
    KINDS,
    PUBLISHED,
    TABLE,
    load_infrastructure_history,
)
from dezsim.data.pages import collapse, read_page

HEADER = [c.name for c in COLUMNS]
PAGE = "ia-test-page"
PAGE_TEXT = "url: http://example.org/x\ntitle: test page\n\n截至2019年底,全省4G基站数超过20.9万个,\n居全国第二位。\n"
GOOD = {
    "id": "ia-900", "region": "jiangsu", "indicator": "g4_base_stations", "unit": "count", "year": "2019",
    "value": "209000", "kind": "level", "scope": "", "page": PAGE, "quote": "4G基站数超过20.9万个, 居全国第二位",
    "notes": "",
}


@pytest.fixture(scope="module")
def history():
    return load_infrastructure_history()


def write_root(tmp_path: Path, rows: list[dict]) -> Path:
    """A data folder with the real vocabularies, one test page and ``rows`` as the whole table."""
    root = tmp_path / "data"
    root.mkdir()
    for name in ("regions.csv", "units.csv", "units_history.csv", "indicators.csv", "indicators_history.csv"):
        if (default_root() / name).exists():
            shutil.copy(default_root() / name, root / name)
    (root / "pages").mkdir()
    (root / "pages" / f"{PAGE}.txt").write_text(PAGE_TEXT, encoding="utf-8")
    (root / TABLE).parent.mkdir(parents=True)
    with open(root / TABLE, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=HEADER)
        writer.writeheader()
        writer.writerows(rows)
    return root


def load_error(tmp_path: Path, rows: list[dict]) -> str:
    with pytest.raises(DataError) as info:
        load_infrastructure_history(write_root(tmp_path, rows))
    message = str(info.value)
    assert "\n" not in message
    return message


def test_real_table_loads(history):
    assert len(history) >= 30
    assert set(history.kind) <= set(KINDS)
    assert history.id.is_unique


def test_every_quote_is_in_its_page(history):
    pages = default_root() / "pages"
    for row in history.itertuples():
        assert collapse(row.quote) in read_page(pages / f"{row.page}.txt"), row.id


def test_years_up_to_cutoff_except_plans_published_by_then(history):
    for row in history.itertuples():
        if row.kind == "plan_target_published_by_2020":
            match = PUBLISHED.search(row.notes or "")
            assert match and int(match.group(1)) <= HISTORY_CUTOFF, row.id
        else:
            assert row.year <= HISTORY_CUTOFF, row.id


def test_page_files_have_the_header():
    for path in sorted((default_root() / "pages").glob("ia-*.txt")):
        lines = path.read_text(encoding="utf-8").split("\n")
        assert lines[0].startswith("url: http") and lines[1].startswith("title: ") and lines[2] == "", path.name


def test_history_units_parse_with_pint():
    """Every unit added for the history parses as pint ships it (energy, counts, money are all it needs)."""
    import pint

    from dezsim.base.tables import read_table
    from dezsim.data.dataset import UNIT_COLUMNS

    path = default_root() / "units_history.csv"
    if not path.exists():
        pytest.skip("no history units")
    reg = pint.UnitRegistry()
    reg.define("yuan = [currency]")
    for row in read_table(path, UNIT_COLUMNS).itertuples():
        quantity = reg.Quantity(1, "dimensionless") * reg(row.pint)
        assert quantity.to_base_units().magnitude > 0, row.code


def test_a_good_row_loads(tmp_path):
    table = load_infrastructure_history(write_root(tmp_path, [GOOD]))
    assert table.loc[0, "value"] == 209000
    assert table.loc[0, "year"] == 2019


@pytest.mark.parametrize(("change", "column", "why"), [
    ({"id": "x-1"}, "id", "must start with"),
    ({"region": "Jiang Su"}, "region", "pinyin"),
    ({"indicator": "g4_stations"}, "indicator", "unknown"),
    ({"unit": "parsec"}, "unit", "unknown"),
    ({"unit": "pct"}, "unit", "measured in count"),
    ({"year": "2021"}, "year", "after 2020"),
    ({"year": "twenty"}, "year", "not an integer"),
    ({"value": ""}, "value", "empty"),
    ({"value": "-5"}, "value", "negative"),
    ({"kind": "target"}, "kind", "not allowed"),
    ({"page": "ia-missing"}, "page", "no page excerpt"),
    ({"quote": "4G基站数超过21万个"}, "quote", "not found"),
    ({"kind": "plan_target_published_by_2020", "year": "2022"}, "notes", "published YYYY"),
    ({"kind": "plan_target_published_by_2020", "year": "2022", "notes": "published 2021"}, "notes",
     "published 2020 or earlier"),
])
def test_each_bad_row_is_one_line(tmp_path, change, column, why):
    message = load_error(tmp_path, [{**GOOD, **change}])
    assert f"column {column!r}" in message and why in message
    assert "infrastructure_adoption_to_2020.csv:2:" in message


def test_a_duplicate_id_names_both_lines(tmp_path):
    message = load_error(tmp_path, [GOOD, {**GOOD, "year": "2018"}])
    assert "duplicate" in message and "line 2" in message and ":3:" in message


def test_a_growth_row_may_use_a_percentage(tmp_path):
    row = {**GOOD, "kind": "growth", "unit": "pct", "value": "-3.5"}
    assert load_infrastructure_history(write_root(tmp_path, [row])).loc[0, "value"] == -3.5


def test_a_plan_published_by_2020_may_target_later(tmp_path):
    row = {**GOOD, "kind": "plan_target_published_by_2020", "year": "2022", "notes": "published 2020 (March)"}
    assert load_infrastructure_history(write_root(tmp_path, [row])).loc[0, "year"] == 2022


def test_a_page_without_the_header_is_one_line(tmp_path):
    root = write_root(tmp_path, [GOOD])
    (root / "pages" / f"{PAGE}.txt").write_text("no header here\n", encoding="utf-8")
    with pytest.raises(DataError, match="bad page header") as info:
        load_infrastructure_history(root)
    assert "\n" not in str(info.value)


def test_a_history_indicator_may_not_redefine_a_main_one(tmp_path):
    root = write_root(tmp_path, [GOOD])
    with open(root / "indicators_history.csv", "a", encoding="utf-8") as f:
        f.write("gdp,100m_yuan,again,地区生产总值,false\n")
    message = str(pytest.raises(DataError, load_infrastructure_history, root).value)
    assert "already defined in data/indicators.csv" in message
