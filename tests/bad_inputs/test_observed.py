"""Door: the observed file of ``dezsim hindcast``. Refused in one line before anything is simulated."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dezsim.base.errors import DataError
from dezsim.data.observations import read_observed
from dezsim.model.sd.outputs import INDICATORS

from .helpers import one_line_error

HEADER = "region,indicator,unit,year,value\n"


@pytest.fixture
def no_work(monkeypatch):
    import dezsim.model.simulate

    monkeypatch.setattr(dezsim.model.simulate, "run", lambda *a, **k: pytest.fail("simulated a refused file"))


def observed(tmp_path, body: str):
    path = tmp_path / "obs.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_a_header_only_file_is_one_line(tmp_path, no_work):
    one_line_error(["hindcast", "--observed", observed(tmp_path, "")],
                   r"obs.csv: no observed rows \(a header only\); expected at least one row of region, indicator")


@pytest.mark.parametrize(("second", "pattern"), [
    ("suzhou,gdp,100m_yuan,2021,22718.3", r"obs.csv:3: column 'value' = 22718.3: suzhou/gdp/2021 repeats line 2"),
    ("suzhou,gdp,100m_yuan,2021,23000", r"obs.csv:3: column 'value' = 23000.0: suzhou/gdp/2021 conflicts with "
                                        r"22718.3 at line 2; allowed: one row per region, indicator and year"),
])
def test_repeated_or_conflicting_rows_are_refused(tmp_path, no_work, second, pattern):
    path = observed(tmp_path, f"suzhou,gdp,100m_yuan,2021,22718.3\n{second}\n")
    one_line_error(["hindcast", "--observed", path], pattern)


@settings(max_examples=30)
@given(rows=st.lists(st.tuples(st.sampled_from(["suzhou", "wuxi", "taicang"]), st.sampled_from([2021, 2022, 2023]),
                               st.floats(1, 1e5, allow_nan=False)), min_size=1, max_size=8))
def test_no_region_indicator_year_is_ever_counted_twice(tmp_path_factory, dataset, rows):
    path = tmp_path_factory.mktemp("obs") / "obs.csv"
    path.write_text(HEADER + "".join(f"{r},gdp,100m_yuan,{y},{v!r}\n" for r, y, v in rows), encoding="utf-8")
    keys = [(r, y) for r, y, _ in rows]
    if len(set(keys)) < len(keys):
        with pytest.raises(DataError, match=r"obs.csv:\d+: column 'value' = .*(repeats|conflicts with)"):
            read_observed(path, dataset, set(INDICATORS))
    else:
        assert len(read_observed(path, dataset, set(INDICATORS))) == len(rows)
