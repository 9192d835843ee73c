"""dezsim hindcast: a hand-written observed file works; malformed ones are rejected in one line."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from dezsim.cli import app

GOOD = """region,indicator,unit,year,value
suzhou,gdp,100m_yuan,2021,22718.3
suzhou,g5_base_stations,count,2021,29000
jiangsu,software_revenue,100m_yuan,2021,12000
"""


def write(tmp_path, text):
    path = tmp_path / "observed.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_hindcast_on_a_hand_written_file(tmp_path):
    out = tmp_path / "h.json"
    result = CliRunner().invoke(app, ["hindcast", "--observed", str(write(tmp_path, GOOD)), "--runs", "20",
                                      "--json", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads(out.read_text())
    assert summary["rows"] == 3
    assert 0 <= summary["median_ape"] < 1 and 0 <= summary["coverage_80"] <= 1
    assert summary["naive_median_ape"] is not None  # Suzhou GDP and 5G, Jiangsu software have pre-2020 trends
    assert "median APE" in result.output


def test_markdown_summary_is_what_the_json_says_and_the_report_quotes_it(tmp_path):
    from dezsim.calibration.hindcast import summary_paragraph
    from dezsim.outputs.report import hindcast_summary

    out, md = tmp_path / "h.json", tmp_path / "hindcast.md"
    result = CliRunner().invoke(app, ["hindcast", "--observed", str(write(tmp_path, GOOD)), "--runs", "20",
                                      "--json", str(out), "--markdown", str(md)])
    assert result.exit_code == 0, result.output
    summary = json.loads(out.read_text())
    para = summary_paragraph(md)
    assert para.startswith("**Figures published after 2020**: 3 figures")
    assert f"{100 * summary['median_ape']:.1f} %" in para and f"{100 * summary['coverage_80']:.0f} %" in para
    assert hindcast_summary(tmp_path) == para
    assert "hindcast.md is missing" in hindcast_summary(tmp_path / "nowhere")
    assert md.read_text().count("\n| suzhou ") == 2  # every observed row is listed


@pytest.mark.parametrize(("line", "pattern"), [
    ("suzhou,gpd,100m_yuan,2021,1", r"observed.csv:2: column 'indicator' = 'gpd': not in the indicator vocabulary "
                                    r"\(did you mean 'gdp'\?\)"),
    ("suzhou,gdp,pct,2021,1", r"observed.csv:2: column 'unit' = 'pct': gdp is measured in 100m_yuan"),
    ("suzhou,gdp,100m_yuan,2019,1", r"observed.csv:2: column 'year' = '2019': out of range; allowed: 2021 to 2035"),
    ("suzhuo,gdp,100m_yuan,2021,1", r"column 'region' = 'suzhuo': unknown region \(did you mean 'suzhou'\?\)"),
    ("suzhou,high_tech_enterprises,count,2021,1", r"column 'indicator' = 'high_tech_enterprises': not simulated"),
    ("suzhou,gdp,100m_yuan,2021", r"observed.csv:2: 4 fields, but the header has 5"),
])
def test_malformed_observed_files_are_rejected(tmp_path, line, pattern):
    path = write(tmp_path, "region,indicator,unit,year,value\n" + line + "\n")
    result = CliRunner().invoke(app, ["hindcast", "--observed", str(path), "--runs", "10"])
    assert result.exit_code == 2
    import re

    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and re.search(pattern, lines[0]), result.output


def test_provenance_columns_are_accepted_and_not_compared(tmp_path):
    """A file with source, page, quote and notes (as data/evaluation keeps them) gives the same summary; an
    unknown extra column is still refused."""
    plain = tmp_path / "plain.json"
    args = ["hindcast", "--observed", str(write(tmp_path, GOOD)), "--runs", "10", "--json", str(plain)]
    assert CliRunner().invoke(app, args).exit_code == 0
    lines = GOOD.strip().splitlines()
    rich_text = "\n".join([lines[0] + ",source,page,quote,notes"]
                          + [ln + ',https://example.org,p,"a, quoted phrase",' for ln in lines[1:]]) + "\n"
    rich_path = tmp_path / "rich.csv"
    rich_path.write_text(rich_text, encoding="utf-8")
    rich = tmp_path / "rich.json"
    result = CliRunner().invoke(app, ["hindcast", "--observed", str(rich_path), "--runs", "10", "--json", str(rich)])
    assert result.exit_code == 0, result.output
    assert json.loads(rich.read_text()) == json.loads(plain.read_text())
    bad = tmp_path / "bad.csv"
    bad.write_text(lines[0] + ",comment\n" + lines[1] + ",x\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["hindcast", "--observed", str(bad), "--runs", "10"])
    assert result.exit_code == 2 and "comment" in result.output
