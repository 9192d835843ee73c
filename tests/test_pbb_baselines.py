"""Public pre-2021 baselines of the plan indicators (``data/figures/public_indicator_baselines_to_2020.csv``).

Every row is a ``baseline`` dated up to 2020 whose quote is on the page excerpt its notes name, saved under
``data/pages`` with the row's source as its address; each source is declared in ``data/sources.csv``.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from dezsim.data import default_root
from dezsim.pages import collapse, read_page
from dezsim.target_baselines import baseline_rows

FILE = "public_indicator_baselines_to_2020.csv"
PAGE_NOTE = re.compile(r"page: data/pages/(pbb-[\w.-]+)\.txt")


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    return pd.read_csv(default_root() / "figures" / FILE, dtype={"id": str})


def _page_header_url(key: str) -> str:
    first = (default_root() / "pages" / f"{key}.txt").read_text(encoding="utf-8").split("\n", 1)[0]
    return first.removeprefix("url: ").strip()


def test_the_file_has_rows_with_the_prefix(rows):
    assert len(rows) > 0
    assert rows.id.str.startswith("pbb-").all()
    assert rows.id.is_unique


def test_every_row_is_a_baseline_up_to_2020(rows):
    assert (rows.kind == "baseline").all()
    assert (rows.year <= 2020).all(), rows[rows.year > 2020].id.tolist()
    assert rows.notes.str.contains("not in shared/reference").all()


def test_every_quote_is_on_its_saved_page(rows):
    for r in rows.itertuples():
        found = PAGE_NOTE.search(r.notes)
        assert found, f"{r.id}: notes name no page file"
        key = found.group(1)
        assert _page_header_url(key) == r.source, f"{r.id}: page {key} is of another address"
        text = read_page(default_root() / "pages" / f"{key}.txt")
        assert collapse(r.quote) in text, f"{r.id}: quote not on page {key}"


def test_every_source_is_declared(rows, dataset):
    declared = set(dataset.sources.loc[dataset.sources.kind == "url", "source"])
    assert set(rows.source) <= declared


def test_the_rows_are_loaded_as_baselines(rows, dataset):
    picked = set(baseline_rows(dataset.figures).id)
    assert set(rows.id) <= picked


def test_a_quote_missing_from_its_page_is_caught(rows):
    """The page check can fail: a quote with one number changed is not on the page."""
    r = rows.iloc[0]
    key = PAGE_NOTE.search(r.notes).group(1)
    text = read_page(default_root() / "pages" / f"{key}.txt")
    altered = re.sub(r"\d", lambda m: str((int(m.group()) + 1) % 10), r.quote, count=1)
    assert collapse(altered) not in text


def test_every_row_is_the_baseline_a_plan_target_picks(rows, dataset):
    """A row here exists to give a target its baseline: some plan target must pick it."""
    from dezsim.target_baselines import plan_targets

    picked = set(plan_targets(dataset).baseline_id.dropna())
    assert set(rows.id) <= picked, sorted(set(rows.id) - picked)
