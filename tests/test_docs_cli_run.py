"""The generated equation listing is current; `dezsim run` prints a projection and writes Results."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from dezsim.cli import app
from dezsim.model.results import Results
from dezsim.model.sd.equations import listing

DOC = Path(__file__).resolve().parent.parent / "docs" / "equations.md"


def test_equation_listing_is_not_stale():
    assert DOC.read_text(encoding="utf-8") == listing() + "\n", "run `dezsim equations --write` and commit"


def test_generated_kernel_is_not_stale():
    from dezsim.model.sd.codegen import GENERATED, kernel_source

    assert GENERATED.read_text(encoding="utf-8") == kernel_source(), "run `dezsim equations --write` and commit"


def test_dezsim_run_prints_summary_and_writes_results(tmp_path):
    out = tmp_path / "r.parquet"
    result = CliRunner().invoke(app, ["run", "--runs", "4", "--seed", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "core_industry_share_gdp / suzhou" in result.output
    assert Results.from_parquet(out).design.run.tolist() == [0, 1, 2, 3]


def test_dezsim_run_rejects_a_bad_scenario_in_one_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\noverrides: {dc_pue_cap: 0.9}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["run", str(bad), "--runs", "2"])
    assert result.exit_code == 2
    assert "bad.yaml: overrides.dc_pue_cap: parameter 'dc_pue_cap' = 0.9: out of range" in result.output
