"""The pre-2021 history file: it loads, bad rows fail in one line, quotes are verbatim, the summary is right."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dezsim.base.errors import DataError
from dezsim.data import history
from dezsim.data.dataset import CALIBRATION_CUTOFF, default_root
from dezsim.data.pages import collapse, read_page

ROOT = default_root()
HEADER = [c.name for c in history.SERIES_COLUMNS]


@pytest.fixture(scope="module")
def series() -> pd.DataFrame:
    return history.load_series()


def test_file_loads_and_stays_before_2021(series):
    assert len(series) > 0
    assert series.year.max() <= CALIBRATION_CUTOFF
    assert series.id.is_unique


def test_every_quote_is_in_its_page(series):
    pages_dir = ROOT / "pages"
    missing = [(r.id, r.page) for r in series.itertuples()
               if collapse(r.quote) not in read_page(pages_dir / f"{r.page}.txt")]
    assert missing == []


def test_every_page_starts_with_url_and_title():
    for path in sorted((ROOT / "pages").glob("hist-*.txt")):
        first, second = path.read_text(encoding="utf-8").split("\n")[:2]
        assert first.startswith("url: http") and second.startswith("title: "), path.name


def _good_row(series: pd.DataFrame) -> dict:
    row = series.iloc[0]
    return {c: row[c] for c in HEADER}


def _write(tmp_path: Path, rows: list[dict]) -> Path:
    path = tmp_path / "series.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_a_good_row_loads(series, tmp_path):
    frame = history.load_series(_write(tmp_path, [_good_row(series)]), ROOT)
    assert len(frame) == 1


@pytest.mark.parametrize(("column", "value", "expect"), [
    ("year", "2021", "out of range"),
    ("year", "twenty", "not an integer"),
    ("region", "atlantis", "unknown"),
    ("indicator", "gdpp", "did you mean 'gdp'"),
    ("unit", "furlongs", "unknown"),
    ("kind", "guess", "not allowed"),
    ("value", "", "empty, but required"),
    ("id", "x-001", "must start with 'h-'"),
    ("page", "no-such-page", "no page excerpt"),
    ("page", "../etc", "not a page key"),
    ("quote", "a phrase that no page contains", "not found verbatim"),
])
def test_bad_cell_is_one_line_error(series, tmp_path, column, value, expect):
    row = _good_row(series) | {column: value}
    path = _write(tmp_path, [row])
    with pytest.raises(DataError) as info:
        history.load_series(path, ROOT)
    message = str(info.value)
    assert "\n" not in message and expect in message
    assert f"{path}:2" in message and repr(column) in message


def test_unit_must_match_kind(series, tmp_path):
    level = series[series.kind == "level"].iloc[0]
    growth = series[series.kind != "level"].iloc[0]
    for row, unit, expect in ((level, "pct", "a level of"), (growth, "100m_yuan", "a growth rate is in")):
        bad = {c: row[c] for c in HEADER} | {"unit": unit}
        with pytest.raises(DataError, match=expect):
            history.load_series(_write(tmp_path, [bad]), ROOT)


def test_duplicate_id_names_first_line(series, tmp_path):
    row = _good_row(series)
    with pytest.raises(DataError, match="duplicate; first used at line 2"):
        history.load_series(_write(tmp_path, [row, row]), ROOT)


def test_page_without_header_is_rejected(tmp_path):
    page = tmp_path / "p.txt"
    page.write_text("just text\nno header\n", encoding="utf-8")
    with pytest.raises(DataError, match="must start with 'url: <address>'"):
        read_page(page)


def _synthetic(rows: list[tuple]) -> pd.DataFrame:
    cols = ["region", "indicator", "unit", "year", "value", "kind", "page"]
    return pd.DataFrame([row if len(row) == 7 else (*row, "p") for row in rows], columns=cols)


def test_growth_from_levels_and_reported_growth():
    frame = _synthetic([
        ("a", "gdp", "100m_yuan", 2014, 100.0, "level"),
        ("a", "gdp", "100m_yuan", 2015, 110.0, "level"),
        ("a", "gdp", "pct", 2016, 4.0, "growth_nominal"),
        ("a", "gdp", "pct", 2016, 6.0, "growth_nominal"),  # a duplicate from another page: averaged
        ("a", "gdp", "pct", 2015, 7.0, "growth_real"),
    ])
    nominal = history.growth_table(frame, "nominal")[("a", "gdp")]
    assert nominal.loc[2015] == pytest.approx(10.0)
    assert nominal.loc[2016] == pytest.approx(5.0)
    assert nominal.drop([2015, 2016]).isna().all()
    assert history.growth_table(frame, "real")[("a", "gdp")].dropna().to_dict() == {2015: 7.0}


def test_levels_from_one_page_are_preferred_to_mixed_vintages():
    frame = _synthetic([
        ("a", "gdp", "100m_yuan", 2014, 100.0, "level", "old"),
        ("a", "gdp", "100m_yuan", 2014, 105.0, "level", "revised"),
        ("a", "gdp", "100m_yuan", 2015, 110.0, "level", "revised"),
        ("a", "gdp", "100m_yuan", 2016, 121.0, "level", "other"),
    ])
    nominal = history.growth_table(frame, "nominal")[("a", "gdp")]
    assert nominal.loc[2015] == pytest.approx(100.0 * (110.0 / 105.0 - 1.0))  # same page, not the 102.5 average
    assert nominal.loc[2016] == pytest.approx(10.0)  # no page has both years: pooled levels


def test_detrended_sd_removes_a_linear_drift():
    years = pd.Index(range(2011, 2020))
    drift = pd.Series([10.0 - 0.5 * i for i in range(9)], index=years)
    assert history.detrended_sd(drift) == pytest.approx(0.0, abs=1e-9)
    shocks = drift + pd.Series([1.0, -1.0] * 4 + [1.0], index=years)
    assert history.detrended_sd(shocks) > 0.9
    assert np.isnan(history.detrended_sd(drift.iloc[:3]))


def test_summary_and_correlation_on_known_series():
    years = range(2011, 2021)
    base = np.array([9.0, 8.0, 7.5, 7.0, 7.2, 6.8, 6.9, 6.6, 6.1, 3.0])
    rows = [("a", "gdp", "pct", y, v, "growth_real") for y, v in zip(years, base, strict=True)]
    rows += [("b", "gdp", "pct", y, 2 * v + 1, "growth_real") for y, v in zip(years, base, strict=True)]
    rows += [("c", "gdp", "pct", 2020, 3.0, "growth_real")]
    frame = _synthetic(rows)
    summary = history.growth_summary(frame).set_index("region")
    assert summary.loc["a", "n_years"] == 10
    assert summary.loc["a", "mean_pct"] == pytest.approx(base.mean())
    assert summary.loc["a", "sd_pct"] == pytest.approx(base.std(ddof=1))
    assert np.isnan(summary.loc["c", "sd_pct"])
    corr = history.deviation_correlation(frame)
    assert list(corr.columns) == ["a", "b"]  # c has too few years
    assert corr.loc["a", "b"] == pytest.approx(1.0)


def test_main_prints_report_and_reports_bad_file(capsys, tmp_path):
    assert history.main([]) == 0
    assert "yearly growth 2011-2020" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("id,region\n", encoding="utf-8")
    assert history.main([str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1


def test_coverage_lists_year_runs():
    frame = _synthetic([("a", "gdp", "pct", y, 5.0, "growth_real") for y in (2011, 2012, 2013, 2016, 2018, 2019)])
    row = history.coverage(frame).iloc[0]
    assert row.n_years == 6 and row.years == "2011-2013, 2016, 2018-2019"


def test_year_dispersion_across_siblings():
    rows = [(r, "gdp", "pct", 2020, v, "growth_real") for r, v in (("a", 1.0), ("b", 3.0), ("c", 5.0), ("x", 50.0))]
    rows += [("a", "gdp", "pct", 2019, 6.0, "growth_real"), ("b", "gdp", "pct", 2019, 7.0, "growth_real")]
    spread = history.year_dispersion(_synthetic(rows), ["a", "b", "c"], "real")
    assert list(spread.year) == [2020]  # 2019 has only two of the siblings
    assert spread.iloc[0].sd_pct == pytest.approx(2.0) and spread.iloc[0].max_pct == 5.0


def test_suzhou_boards_come_from_regions_file():
    assert "kunshan" in history.children(ROOT, "suzhou") and "suzhou" not in history.children(ROOT, "suzhou")


def _comparison_root(tmp_path: Path, rows: list[str]) -> Path:
    folder = tmp_path / "history"
    folder.mkdir()
    (folder / "comparison_regions.csv").write_text("code,name_zh,name_en,notes\n" + "".join(r + "\n" for r in rows),
                                                   encoding="utf-8")
    return tmp_path


def test_comparison_regions_come_from_their_data_file():
    codes = history.comparison_regions(ROOT, frozenset({"jiangsu"}))
    assert {"nanjing", "zhejiang", "changzhou"} <= codes
    assert history.vocabulary(ROOT).regions >= codes | {"jiangsu", "suzhou"}


@pytest.mark.parametrize(("row", "expect"), [
    ("Nanjing,南京市,Nanjing,", "not lower-case pinyin"),
    ("jiangsu,江苏省,Jiangsu,", "already in data/regions.csv"),
    ("nanjing,南京市,Nanjing,", "duplicate"),
    ("nantong,,Nantong,", "empty, but required"),
])
def test_bad_comparison_region_is_one_line_error(tmp_path, row, expect):
    root = _comparison_root(tmp_path, ["nanjing,南京市,Nanjing,", row])
    with pytest.raises(DataError) as info:
        history.comparison_regions(root, frozenset({"jiangsu"}))
    message = str(info.value)
    assert "\n" not in message and "comparison_regions.csv:3" in message and expect in message
