"""Pre-2021 board-level figures of Suzhou's boards (``data/figures/public_board_baselines_to_2020.csv``).

Every row is a ``baseline`` dated up to 2020, in its indicator's declared unit, read from a page excerpt saved
under ``data/pages`` (its notes name the file; the file's address is the row's source and its text holds the
quote), and its source is declared in ``data/sources.csv``.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from dezsim.data import default_root
from dezsim.pages import collapse, read_page

FILE = "public_board_baselines_to_2020.csv"
PAGE = re.compile(r"page: data/pages/(pba-[\w.-]+)\.txt")


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    return pd.read_csv(default_root() / "figures" / FILE, dtype={"id": str})


def _page(key: str) -> tuple[str, str]:
    """(address on the first line, collapsed text) of the saved page ``key``."""
    path = default_root() / "pages" / f"{key}.txt"
    first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    return first.removeprefix("url: ").strip(), read_page(path)


def test_rows_carry_the_prefix_and_unique_ids(rows):
    assert len(rows) > 0
    assert rows.id.str.startswith("pba-").all()
    assert rows.id.is_unique


def test_every_row_is_a_baseline_up_to_2020(rows):
    assert (rows.kind == "baseline").all()
    assert (rows.year <= 2020).all(), rows.loc[rows.year > 2020, "id"].tolist()


def test_every_quote_is_on_its_saved_page(rows):
    for r in rows.itertuples():
        assert "not in shared/reference" in r.notes, r.id
        found = PAGE.search(r.notes)
        assert found, f"{r.id}: notes name no saved page"
        url, text = _page(found.group(1))
        assert url == r.source, f"{r.id}: page {found.group(1)} is of another address"
        assert collapse(r.quote) in text, f"{r.id}: quote not on page {found.group(1)}"


def test_units_are_the_indicators_own_and_sources_declared(rows, dataset):
    units = dataset.indicators.set_index("name").unit
    assert (rows.unit == units.reindex(rows.indicator).to_numpy()).all()
    declared = set(dataset.sources.loc[dataset.sources.kind == "url", "source"])
    assert set(rows.source) <= declared


def test_the_dataset_loads_every_row(rows, dataset):
    loaded = dataset.figures.set_index("id").loc[rows.id]
    assert (loaded.value.to_numpy() == rows.value.to_numpy()).all()
    assert (loaded.region.to_numpy() == rows.region.to_numpy()).all()
