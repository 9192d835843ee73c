"""Reference class of past plan targets: the shipped table loads, every quote is verbatim, bad rows fail in one line."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from dezsim.base.errors import DataError
from dezsim.data.dataset import default_root
from dezsim.data.pages import collapse
from dezsim.data.reference_targets import CLASSES, LAST_YEAR, base_rates, load
from dezsim.resources import plans_root

DATA = default_root()


@pytest.fixture(scope="module")
def ref():
    return load(DATA)


def test_shipped_table_loads_and_meets_the_size_goal(ref):
    targets = ref.targets
    assert len(targets) >= 150
    assert targets.plan.nunique() >= 8
    assert set(targets.plan) <= set(ref.plans.code)
    assert targets.id.is_unique


def test_the_table_holds_misses_not_only_successes(ref):
    known = ref.targets[ref.targets.met.notna()]
    assert (~known.met.astype(bool)).sum() >= 10


def test_every_quote_is_verbatim_in_its_page(ref):
    seeds = plans_root(DATA)

    def text(name):
        path = seeds / name if name.endswith(".txt") else DATA / "pages" / f"{name}.txt"
        return collapse(path.read_text(encoding="utf-8"))

    for row in ref.targets.itertuples():
        assert collapse(row.target_quote) in text(row.target_page), row.id
        if isinstance(row.outcome_page, str):
            assert collapse(row.outcome_quote) in text(row.outcome_page), row.id


def test_outcomes_are_history_and_met_agrees_with_the_numbers(ref):
    known = ref.targets[ref.targets.met.notna()]
    assert (known.outcome_year <= LAST_YEAR).all()
    assert (ref.targets.plan_end <= LAST_YEAR).all()
    for row in known.itertuples():
        if row.relation == ">=":
            assert bool(row.met) == (row.outcome_value >= row.target_value), row.id
        elif row.relation == "<=":
            assert bool(row.met) == (row.outcome_value <= row.target_value), row.id


def test_base_rates_count_every_row_once(ref):
    rates = base_rates(ref)
    assert list(rates.index) == list(CLASSES)
    assert rates.targets.sum() == len(ref.targets)
    assert (rates.with_outcome + rates.no_outcome == rates.targets).all()
    with open(DATA / "reference_targets" / "targets.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for cls in CLASSES:
        judged = [r["met"] for r in rows if r["class"] == cls and r["met"]]
        assert rates.loc[cls, "with_outcome"] == len(judged)
        assert rates.loc[cls, "met"] == judged.count("true")
        if judged:
            assert rates.loc[cls, "share_met"] == pytest.approx(judged.count("true") / len(judged))


# --- bad rows: a tiny synthetic data folder, one defect at a time -------------------------------------------

PLAN = {"code": "p1", "title": "测试规划", "region": "china", "level": "national", "period": "2016-2020",
        "source_page": "rt-test"}
ROW = {"id": "rt-001", "plan": "p1", "plan_title": "测试规划", "plan_start": "2016", "plan_end": "2020",
       "region": "china", "indicator": "software_revenue", "class": "money_level", "unit": "100m_yuan",
       "baseline_year": "2015", "baseline_value": "43000", "target_year": "2020", "target_value": "80000",
       "relation": ">=", "outcome_year": "2020", "outcome_value": "81616", "met": "true",
       "met_rule": "outcome at or above target", "target_page": "rt-test", "target_quote": "收入突破8万亿元",
       "outcome_page": "rt-test", "outcome_quote": "收入81616亿元", "notes": ""}


def _folder(tmp_path: Path, **changes) -> Path:
    root = tmp_path / "data"
    (root / "reference_targets").mkdir(parents=True)
    (root / "pages").mkdir()
    shutil.copy(DATA / "regions.csv", root / "regions.csv")
    shutil.copy(DATA / "units.csv", root / "units.csv")
    (root / "pages" / "rt-test.txt").write_text(
        "url: https://example.org/x\ntitle: 测试\n\n到2020年软件业务收入突破8万亿元。\n2020年完成软件业务收入81616亿元。\n",
        encoding="utf-8")
    for name, rows in (("plans.csv", [PLAN]), ("targets.csv", [{**ROW, **changes}])):
        with open(root / "reference_targets" / name, "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return root


def test_a_good_synthetic_row_loads(tmp_path):
    ref = load(_folder(tmp_path))
    assert len(ref.targets) == 1
    assert base_rates(ref).loc["money_level", "share_met"] == 1.0


@pytest.mark.parametrize(("changes", "column", "fragment"), [
    ({"class": "money"}, "class", "not allowed"),
    ({"id": "x-001"}, "id", "rt-"),
    ({"plan": "p9"}, "plan", "unknown"),
    ({"plan_end": "2021"}, "plan_end", "differs from plans.csv"),
    ({"unit": "yuan_bn"}, "unit", "unknown"),
    ({"region": "Jiangsu Province"}, "region", "pinyin"),
    ({"target_year": "2025"}, "target_year", "outside the plan period"),
    ({"outcome_year": "2021"}, "outcome_year", "after 2020"),
    ({"met": "false"}, "met", "met must be true"),
    ({"outcome_value": "70000", "met": "true"}, "met", "met must be false"),
    ({"outcome_value": "70000", "met": "false", "outcome_year": "2018"}, "outcome_year", "judged in the target year"),
    ({"target_year": "2018", "outcome_year": "2020"}, "outcome_year", "after its year"),
    ({"met": ""}, "met", "go together"),
    ({"met_rule": ""}, "met_rule", "empty"),
    ({"target_quote": "收入突破9万亿元"}, "target_quote", "not found in rt-test"),
    ({"outcome_page": "rt-missing"}, "outcome_page", "not found"),
    ({"target_page": "page.txt"}, "target_page", "neither a seed"),
    ({"baseline_value": ""}, "baseline_value", "go together"),
    ({"target_value": "abc"}, "target_value", "not a number"),
])
def test_each_bad_row_is_one_line_naming_file_line_and_column(tmp_path, changes, column, fragment):
    with pytest.raises(DataError) as err:
        load(_folder(tmp_path, **changes))
    message = str(err.value)
    assert "\n" not in message
    assert "reference_targets/targets.csv:2" in message
    assert repr(column) in message
    assert fragment in message


def test_a_plan_ending_after_2020_is_refused(tmp_path):
    root = _folder(tmp_path)
    path = root / "reference_targets" / "plans.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("2016-2020", "2021-2025"), encoding="utf-8")
    with pytest.raises(DataError, match=r"plans.csv:2: column 'period' = '2021-2025': .*end by 2020"):
        load(root)


def test_a_page_without_its_header_is_refused(tmp_path):
    root = _folder(tmp_path)
    (root / "pages" / "rt-test.txt").write_text("到2020年软件业务收入突破8万亿元。\n", encoding="utf-8")
    with pytest.raises(DataError, match="bad page header; a page excerpt must start with 'url: <address>'"):
        load(root)
