"""data/evaluation/later_figures.csv: the shipped file passes its checks, bad rows fail in one line, and no
module but the hindcast's reads it (the fence that keeps post-2020 figures out of every fit)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from dezsim.base.errors import DataError
from dezsim.data.dataset import default_root
from dezsim.data.later_figures import LATER_COLUMNS, load_later

from .conftest import SEEDS

PACKAGE = Path(__file__).resolve().parent.parent / "dezsim"
HEADER = ",".join(c.name for c in LATER_COLUMNS)
PAGE = "eval-test-page"
GOOD = (f"jiangsu,gdp,100m_yuan,2022,122876,https://example.org/a,{PAGE},"
        "\"实现 122876 亿元\",a note")



def test_the_shipped_file_loads_and_passes():
    table = load_later()
    assert len(table) >= 20
    assert table.year.between(2021, 2035).all() and (table.value > 0).all()
    assert not table.duplicated(["region", "indicator", "year"]).any()
    cities = table[(table.indicator == "gdp") & table.region.isin(["jiangsu", "suzhou", "wuxi"])]
    assert set(cities.region) == {"jiangsu", "suzhou", "wuxi"}


def test_every_saved_page_of_the_file_has_a_valid_header():
    from dezsim.data.pages import read_page

    pages = sorted((default_root() / "pages").glob("eval-*.txt"))
    assert pages
    for page in pages:
        assert read_page(page)


@pytest.fixture
def data_root(tmp_path) -> Path:
    """A data/ folder with the vocabularies and one page holding '实现 122876 亿元'."""
    root = tmp_path / "data"
    (root / "pages").mkdir(parents=True)
    (root / "evaluation").mkdir()
    for name in ("regions.csv", "indicators.csv"):
        shutil.copy(default_root() / name, root / name)
    (root / "pages" / f"{PAGE}.txt").write_text(
        "url: https://example.org/a\ntitle: a test page\n\n江苏省 GDP 迈上 12 万亿新台阶,实现\n122876 亿元。\n",
        encoding="utf-8")
    return root


def write(root: Path, *lines: str) -> Path:
    path = root / "evaluation" / "later_figures.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def one_line_error(root: Path, *lines: str, seeds: Path | None = None) -> str:
    write(root, *lines)
    with pytest.raises(DataError) as info:
        load_later(root, seeds=seeds or root)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_a_good_row_loads(data_root):
    write(data_root, GOOD)
    table = load_later(data_root, seeds=data_root)
    assert table.value.tolist() == [122876.0] and "_line" not in table


@pytest.mark.parametrize(("line", "pattern"), [
    (GOOD.replace('"实现 122876 亿元"', '"实现 122877 亿元"'),
     r"later_figures.csv:2: column 'quote' = '实现 122877 亿元': not found verbatim in page 'eval-test-page'"),
    (GOOD.replace(",2022,", ",2020,"),
     r"later_figures.csv:2: column 'year' = '2020': out of range; allowed: 2021 to 2035"),
    (GOOD.replace(",gdp,", ",gpd,"),
     r"later_figures.csv:2: column 'indicator' = 'gpd': not in the indicator vocabulary \(did you mean 'gdp'\?\)"),
    (GOOD.replace(",gdp,", ",high_tech_enterprises,"),
     r"column 'indicator' = 'high_tech_enterprises': not simulated by the model; allowed: "),
    (GOOD.replace(",100m_yuan,", ",pct,"), r"column 'unit' = 'pct': gdp is measured in 100m_yuan; allowed: 100m_yuan"),
    (GOOD.replace("jiangsu,", "rest_of_jiangsu,"), r"column 'region' = 'rest_of_jiangsu': not a published"),
    (GOOD.replace(",122876,", ",-1,"), r"column 'value' = -1.0: must be > 0"),
    (GOOD.replace(PAGE, "eval-missing"), r"column 'page' = 'eval-missing': no page excerpt .*eval-missing.txt"),
    (GOOD.replace(f",{PAGE},", ",,"), r"column 'page' = .*: empty, but a URL source needs its page excerpt"),
])
def test_a_bad_row_gives_one_line(data_root, line, pattern):
    assert re.search(pattern, one_line_error(data_root, line))


def test_a_duplicate_row_gives_one_line(data_root):
    message = one_line_error(data_root, GOOD, GOOD.replace("a note", "again"))
    assert re.search(r"later_figures.csv:3: column 'value' = 122876.0: jiangsu/gdp/2022 repeats line 2; "
                     r"allowed: one row per region, indicator and year", message)


def test_a_seed_quote_must_be_in_the_seed(data_root, tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "001_x.txt").write_text("全市累計建成5G基站16430個,", encoding="utf-8")
    row = "wuxi,g5_base_stations,count,2022,16430,001_x.txt,,{quote},"
    write(data_root, row.format(quote="全市累計建成5G基站16430個"))
    assert len(load_later(data_root, seeds=seeds)) == 1
    message = one_line_error(data_root, row.format(quote="累计建成5G基站16430个"), seeds=seeds)
    assert re.search(r"column 'quote' = '累计建成5G基站16430个': not found verbatim in seed '001_x.txt'", message)
    message = one_line_error(data_root, row.replace("001_x.txt", "../001_x.txt").format(quote="x"), seeds=seeds)
    assert "neither an http(s) address nor a plain seed file name" in message


def test_only_the_hindcast_reads_the_later_figures():
    """The fence: calibration, validation, priors and every fit must not be able to reach the file."""
    allowed = {"data/later_figures.py", "calibration/hindcast.py"}
    offenders = [str(p.relative_to(PACKAGE.parent)) for p in PACKAGE.rglob("*.py")
                 if p.relative_to(PACKAGE).as_posix() not in allowed
                 if re.search(r"later_figures|data/evaluation", p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_the_data_digest_ignores_the_later_figures(tmp_path):
    """Adding or editing a later figure does not make a calibration stale (it is no input of a run)."""
    from dezsim.data.dataset import content_digest

    root = tmp_path / "data"
    shutil.copytree(default_root(), root)
    before = content_digest(root)
    write(root, GOOD)
    assert content_digest(root) == before
