"""Results: tidy columns, design and provenance, xarray view, Parquet round-trip, bad files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dezsim.base.errors import DezsimError
from dezsim.model.results import COLUMNS, Results
from dezsim.model.simulate import run


@pytest.fixture(scope="module")
def results():
    return run(runs=3, seed=2)


def test_tidy_frame_design_and_provenance(results, dataset):
    f = results.frame
    assert list(f.columns) == COLUMNS
    assert set(f.indicator) <= set(dataset.indicators.name)
    assert sorted(f.year.unique()) == list(range(2020, 2026))
    assert set(f.region) == set(dataset.leaves()) | {"suzhou", "jiangsu"}
    assert results.design.run.tolist() == [0, 1, 2]
    assert {"seed", "gdp_growth", "dc_pue_floor"} <= set(results.design.columns)
    assert results.provenance["data_hash"] == dataset.digest
    assert results.provenance["seed"] == 2


def test_to_xarray_has_the_five_dimensions(results):
    da = results.to_xarray()
    assert da.dims == ("scenario", "indicator", "region", "run", "year")
    assert float(da.sel(indicator="dc_racks", region="jiangsu", run=0, year=2020).squeeze()) == pytest.approx(350000)


def test_parquet_round_trip(results, tmp_path):
    back = Results.from_parquet(results.to_parquet(tmp_path / "r.parquet"))
    assert back.frame.astype(str).equals(results.frame.astype(str))
    assert (back.frame.value.to_numpy() == results.frame.value.to_numpy()).all()
    assert back.design.equals(results.design)
    assert back.provenance == results.provenance


def test_corrupt_and_foreign_files_are_rejected(results, tmp_path):
    path = results.to_parquet(tmp_path / "r.parquet")
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(DezsimError, match="not a readable results file"):
        Results.from_parquet(path)
    foreign = tmp_path / "f.parquet"
    results.frame.rename(columns={"value": "v"}).to_parquet(foreign)
    with pytest.raises(DezsimError, match="not a dezsim results file"):
        Results.from_parquet(foreign)


def test_units_in_tidy_frames_and_xarray():
    import pint

    from dezsim.model.results import Results

    design = pd.DataFrame({"run": [0, 1], "seed": [1, 2]})
    arrays = {"gdp": np.ones((2, 1, 2)), "core_industry_share_gdp": np.full((2, 1, 2), 10.0)}
    res = Results.from_arrays("s", arrays, ["suzhou"], [2020, 2021], design, {})
    tidy = res.tidy()
    assert dict(zip(tidy.indicator.astype(str), tidy.unit.astype(str))) == {"gdp": "100m_yuan",
                                                                          "core_industry_share_gdp": "pct"}
    q = res.quantiles()
    assert set(zip(q.indicator.astype(str), q.unit.astype(str))) == {("gdp", "100m_yuan"),
                                                                   ("core_industry_share_gdp", "pct")}
    x = res.to_xarray()
    ureg = pint.UnitRegistry()
    ureg.define("yuan = [currency_cny]")  # money units need the currency defined, as data/units.csv says
    assert ureg(str(x.sel(indicator="gdp").unit.item())).to("yuan").magnitude == 1e8
    assert ureg(str(x.sel(indicator="core_industry_share_gdp").unit.item())).to("").magnitude == 0.01
    one = Results.from_arrays("s", {"gdp": np.ones((2, 1, 2))}, ["suzhou"], [2020, 2021], design, {}).to_xarray()
    assert one.attrs["units"] == "1e8 * yuan"


@settings(max_examples=40, deadline=None)
@given(n_runs=st.integers(1, 4), regions=st.lists(st.sampled_from(["wuxi", "suzhou", "jiangsu_rest", "taicang"]),
                                                   min_size=1, max_size=4, unique=True),
       names=st.lists(st.sampled_from(["gdp", "dc_racks", "core_industry_va", "g5_coverage"]), min_size=1,
                      max_size=4, unique=True), seed=st.integers(0, 2**16))
def test_from_arrays_puts_every_value_under_its_labels(n_runs, regions, names, seed):
    """The frame built from codes holds arrays[name][run, region, year] on the row labelled so, and its text
    columns are categories sorted as astype("category") sorts them."""
    rng = np.random.default_rng(seed)
    years = [2020, 2021, 2022]
    arrays = {n: rng.random((n_runs, len(regions), len(years))) for n in names}
    runs = rng.permutation(10)[:n_runs]
    res = Results.from_arrays("s", arrays, regions, years, pd.DataFrame({"run": runs, "seed": 0}), {})
    f = res.frame
    assert len(f) == n_runs * len(regions) * len(years) * len(names)
    for col, values in (("region", regions), ("indicator", names), ("scenario", ["s"])):
        assert list(f[col].cat.categories) == sorted(values)
    where = {r: i for i, r in enumerate(runs)}
    for row in f.sample(min(len(f), 30), random_state=seed).itertuples():
        expected = arrays[row.indicator][where[row.run], regions.index(row.region), years.index(row.year)]
        assert row.value == expected
