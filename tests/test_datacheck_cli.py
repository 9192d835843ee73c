"""Cross-level report and the `dezsim data` commands."""

from __future__ import annotations

import csv
import re

from typer.testing import CliRunner

from dezsim.cli import app
from dezsim.data.consistency import cross_level
from dezsim.data.loader import load
from dezsim.data.pages import collapse, read_page

from .test_data_loader import GOOD, write_data

runner = CliRunner()


def test_cross_level_flags_children_above_parent_and_partial_sums():
    rows = [GOOD | {"id": "a", "region": "suzhou", "value": "1000"},
            GOOD | {"id": "b", "region": "taicang", "value": "700"},
            GOOD | {"id": "c", "region": "wuzhong", "value": "500"},
            GOOD | {"id": "d", "region": "suzhou", "year": "2022", "value": "5000"},
            GOOD | {"id": "e", "region": "taicang", "year": "2022", "value": "700"}]
    report = cross_level(load(write_data(rows))).set_index("year")
    assert report.loc[2023, "status"] == "exceeds_parent"
    assert report.loc[2023, "children_sum"] == 1200
    assert report.loc[2023, "children_covered"] == "2/10"
    assert report.loc[2022, "status"] == "partial"


def test_cross_level_ratios_are_not_summed():
    share = {"indicator": "core_industry_share_gdp", "unit": "pct", "basis": "share", "value": "18"}
    rows = [GOOD | share | {"id": "a", "region": "suzhou"}, GOOD | share | {"id": "b", "region": "taicang"}]
    report = cross_level(load(write_data(rows)))
    assert report.status.tolist() == ["not_additive"]


def test_data_summary_and_check_run_on_the_real_data():
    result = runner.invoke(app, ["data", "summary"])
    assert result.exit_code == 0, result.output
    assert "targets by region and year" in result.output
    result = runner.invoke(app, ["data", "check"])
    assert result.exit_code == 0, result.output
    assert "inconsistencies" in result.output


def test_bad_data_prints_one_line_and_exits_2(tmp_path):
    root = write_data([GOOD | {"relation": "≥"}])
    result = runner.invoke(app, ["data", "check", "--data", str(root)])
    assert result.exit_code == 2
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "column 'relation'" in lines[0] and "t.csv:2" in lines[0]


def test_check_fails_when_a_quote_is_not_in_its_seed(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / GOOD["source"]).write_text("nothing quoted here", encoding="utf-8")
    result = runner.invoke(app, ["data", "check", "--data", str(write_data([GOOD])), "--seeds", str(seeds)])
    assert result.exit_code == 1
    assert "2 not found" in result.output  # the target's quote and its reading's quote


def test_public_figures_quote_the_reference_table(dataset):
    from .conftest import REPO

    reference = REPO / "tests" / "reference" / "public_facts_to_2020.csv"
    with open(reference, encoding="utf-8") as f:
        table = list(csv.DictReader(f))
    pairs = {(r["source_url"], r["quote"]) for r in table}
    urls = set(dataset.sources.loc[dataset.sources.kind == "url", "source"])
    public = dataset.figures[dataset.figures.source.isin(urls)]
    # Rows read from the same pages beyond the reference table's excerpt say so in their notes.
    extra = public.notes.fillna("").str.contains("not in shared/reference|read via the search excerpt")
    assert all((r.source, r.quote) in pairs for r in public[~extra].itertuples())
    # Rows from pages outside the table carry their own saved excerpt (data/pages/<key>.txt): its address must
    # be the row's source and its text must hold the quote; every other extra row is from a table page.
    saved = public[extra].notes.str.contains(r"page: data/pages/\S+\.txt")
    for r in public[extra][saved].itertuples():
        key = re.search(r"page: data/pages/(\S+?)\.txt", r.notes).group(1)
        path = dataset.root / "pages" / f"{key}.txt"
        assert path.read_text(encoding="utf-8").split("\n", 1)[0] == f"url: {r.source}", r.id
        assert collapse(r.quote) in read_page(path), r.id
    assert set(public[extra][~saved].source) <= {r["source_url"] for r in table}
