"""Public pre-2021 baselines read from saved pages (``data/figures/public_*_baselines_to_2020.csv``).

Every row is a ``baseline`` dated up to 2020, in its indicator's declared unit, with its file's id prefix; its
quote is on the page excerpt its notes name (saved under ``data/pages`` with the row's source as its address),
and its source is declared in ``data/sources.csv``. The indicator file exists to give plan targets a baseline:
each of its rows must be the one some target picks.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from dezsim.data.dataset import default_root
from dezsim.data.pages import collapse, read_page
from dezsim.targets.target_baselines import plan_targets

FILES = {"public_board_baselines_to_2020.csv": "pba-", "public_indicator_baselines_to_2020.csv": "pbb-"}
PAGE_NOTE = re.compile(r"page: data/pages/([\w.-]+)\.txt")


@pytest.fixture(scope="module", params=sorted(FILES))
def table(request) -> tuple[str, pd.DataFrame]:
    return request.param, pd.read_csv(default_root() / "figures" / request.param, dtype={"id": str})


def _page(key: str) -> tuple[str, str]:
    """(address on the first line, collapsed text) of the saved page ``key``."""
    path = default_root() / "pages" / f"{key}.txt"
    first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    return first.removeprefix("url: ").strip(), read_page(path)


def test_rows_are_baselines_up_to_2020_with_the_file_prefix(table):
    name, rows = table
    assert len(rows) > 0 and rows.id.str.startswith(FILES[name]).all() and rows.id.is_unique
    assert (rows.kind == "baseline").all()
    assert (rows.year <= 2020).all(), rows.loc[rows.year > 2020, "id"].tolist()


def test_every_quote_is_on_its_saved_page_and_a_changed_number_is_not(table):
    _, rows = table
    for r in rows.itertuples():
        assert "not in shared/reference" in r.notes, r.id
        found = PAGE_NOTE.search(r.notes)
        assert found, f"{r.id}: notes name no saved page"
        url, text = _page(found.group(1))
        assert url == r.source, f"{r.id}: page {found.group(1)} is of another address"
        assert collapse(r.quote) in text, f"{r.id}: quote not on page {found.group(1)}"
        if re.search(r"\d", r.quote):  # a quote in Chinese numerals (千亿) has no digit to change
            altered = re.sub(r"\d", lambda m: str((int(m.group()) + 1) % 10), r.quote, count=1)
            assert collapse(altered) not in text, f"{r.id}: the page check cannot fail"


def test_units_are_the_indicators_own_sources_declared_and_rows_loaded(table, dataset):
    _, rows = table
    units = dataset.indicators.set_index("name").unit
    assert (rows.unit == units.reindex(rows.indicator).to_numpy()).all()
    assert set(rows.source) <= set(dataset.sources.loc[dataset.sources.kind == "url", "source"])
    loaded = dataset.figures.set_index("id").loc[rows.id]
    assert (loaded.value.to_numpy() == rows.value.to_numpy()).all()


def test_every_indicator_baseline_is_the_one_a_plan_target_picks(dataset):
    rows = pd.read_csv(default_root() / "figures" / "public_indicator_baselines_to_2020.csv", dtype={"id": str})
    picked = set(plan_targets(dataset).baseline_id.dropna())
    assert set(rows.id) <= picked, sorted(set(rows.id) - picked)
