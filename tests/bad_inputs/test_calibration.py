"""Calibration door: ensemble values outside declared bounds, a deleted ensemble under sensitivity designs,
the stale-data warning for every design."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dezsim.base.errors import DezsimError
from dezsim.calibration import calibrate as C
from dezsim.model import params as P

from .helpers_b import calibration_copy, cli, tiny_sweep

RANGED = [p.name for p in P.PARAMS if p.bounds[0] < p.bounds[1]]


@pytest.fixture(scope="module")
def stored():
    return pd.read_parquet(C.ROOT / "ensemble.parquet"), json.loads((C.ROOT / "ensemble.json").read_text())


def _write(folder, ensemble, manifest):
    folder.mkdir(parents=True, exist_ok=True)
    ensemble.to_parquet(folder / "ensemble.parquet", index=False)
    (folder / "ensemble.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def test_gdp_growth_half_is_refused_naming_file_parameter_value_and_range(tmp_path, stored):
    ensemble = stored[0].copy()
    ensemble.loc[17, "gdp_growth"] = 0.5
    folder = _write(tmp_path / "cal", ensemble, stored[1])
    with pytest.raises(DezsimError) as err:
        C.load_ensemble(folder)
    msg = str(err.value)
    assert "ensemble.parquet" in msg and "'gdp_growth' = 0.5" in msg and "allowed: 0.02 to 0.1" in msg
    assert "\n" not in msg


@settings(max_examples=40)
@given(name=st.sampled_from(RANGED), side=st.sampled_from(["low", "high", "nan", "inf"]),
       excess=st.floats(1e-9, 1e6), row=st.integers(0, 999))
def test_any_value_outside_its_bounds_is_refused(tmp_path_factory, stored, name, side, excess, row):
    lo, hi = P.BY_NAME[name].bounds
    value = {"low": lo - excess * max(1.0, abs(lo)), "high": hi + excess * max(1.0, abs(hi)), "nan": np.nan,
             "inf": np.inf}[side]
    if side in ("low", "high") and lo <= value <= hi:  # excess lost to rounding: not outside
        return
    ensemble = stored[0].copy()
    ensemble.loc[row, name] = value
    folder = _write(tmp_path_factory.mktemp("cal"), ensemble, stored[1])
    with pytest.raises(DezsimError, match=rf"parameter '{name}' = .* out of range; allowed: {lo} to {hi}"):
        C.load_ensemble(folder)


def test_point_estimate_outside_bounds_in_the_manifest_is_refused(tmp_path, stored):
    manifest = dict(stored[1], point=dict(stored[1]["point"], gdp_growth=0.5))
    folder = _write(tmp_path / "cal", stored[0], manifest)
    with pytest.raises(DezsimError, match=r"ensemble.json: point parameter 'gdp_growth' = 0.5 .*allowed: 0.02"):
        C.load_ensemble(folder)


def test_run_refuses_an_out_of_bounds_ensemble_in_one_line(tmp_path, stored, monkeypatch):
    ensemble = stored[0].copy()
    ensemble["gdp_growth"] = 0.5
    monkeypatch.setenv("DEZSIM_CALIBRATION", str(_write(tmp_path / "cal", ensemble, stored[1])))
    rc, err = cli("run", "--runs", "2", "--no-agents")
    assert rc == 2 and "'gdp_growth' = 0.5" in err and "allowed: 0.02 to 0.1" in err


@pytest.mark.parametrize("method", ["lhs", "sobol", "morris"])
def test_deleted_ensemble_warns_and_is_recorded_for_sensitivity_designs(tmp_path, monkeypatch, method):
    monkeypatch.setenv("DEZSIM_CALIBRATION", str(tmp_path / "empty"))
    with pytest.warns(UserWarning, match=f"no calibrated ensemble.*the {method} design does not vary are held at "
                                         "their declared defaults"):
        store = tiny_sweep(tmp_path / "s", method, n=4)
    manifest = store.manifest()
    assert manifest["calibration"] == {"ensemble": None, "others": "declared defaults"}
    assert manifest["identity"]["calibration"] == "none"


def test_a_store_fitted_with_the_ensemble_refuses_to_resume_without_it(tmp_path, monkeypatch):
    tiny_sweep(tmp_path / "s")
    monkeypatch.setenv("DEZSIM_CALIBRATION", str(tmp_path / "empty"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(DezsimError, match=r"holds another sweep .*calibration digest none in this request"):
            tiny_sweep(tmp_path / "s")


@pytest.mark.parametrize("method", ["mc", "lhs", "sobol", "morris"])
def test_stale_data_warning_for_every_design(tmp_path, monkeypatch, method):
    folder = calibration_copy(tmp_path / "cal")
    manifest = json.loads((folder / "ensemble.json").read_text())
    manifest["data_hash"] = "0" * 64
    (folder / "ensemble.json").write_text(json.dumps(manifest), encoding="utf-8")
    monkeypatch.setenv("DEZSIM_CALIBRATION", str(folder))
    with pytest.warns(UserWarning, match="fitted to data hash 000000000000, but data/ is now"):
        tiny_sweep(tmp_path / "s", method, n=4)
