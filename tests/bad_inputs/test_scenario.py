"""Door: scenario files and ``--set``. Each bad input is one line naming file, field, value and what is allowed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dezsim.base.errors import ConfigError
from dezsim.model.config import MAX_SCENARIO_BYTES, SCENARIOS, load_scenario

from .helpers import one_line_error


def write(folder: Path, text: str | bytes, name: str = "s.yaml") -> Path:
    path = folder / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def refused(path: Path, pattern: str, sets: list[str] | None = None) -> str:
    with pytest.raises(ConfigError, match=pattern) as info:
        load_scenario(path, sets)
    assert "\n" not in str(info.value)
    return str(info.value)


# ---- regions ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("regions", "pattern"), [
    ("[suzhou, suzhou]", r"s.yaml: regions = \['suzhou', 'suzhou'\]: 'suzhou' listed more than once"),
    ("[jiangsu, suzhou]", r"regions = \['jiangsu', 'suzhou'\]: 'suzhou' lies inside 'jiangsu'"),
    ("[wuxi, taicang, suzhou]", r"'taicang' lies inside 'suzhou'"),
    ("[china]", r"regions = \['china'\]: 'china' is not modelled \(data/regions.csv\); allowed: jiangsu, "),
    ("[suzhu]", r"unknown region 'suzhu' \(did you mean 'suzhou'\?\)"),
])
def test_bad_regions_are_one_line_through_the_cli(tmp_path, regions, pattern):
    path = write(tmp_path, f"name: r\nregions: {regions}\n")
    one_line_error(["run", path, "--runs", "1", "--no-agents"], pattern)


def test_disjoint_regions_still_run():
    from dezsim.model.simulate import run

    res = run(load_scenario(SCENARIOS / "baseline.yaml", ["regions=[wuxi, taicang]"]), runs=1, agents=None)
    assert {"wuxi", "taicang"} <= set(res.frame.region)


# ---- encoding and bytes ------------------------------------------------------------------------------------

@pytest.mark.parametrize("data", ["name: 苏州\n".encode("gbk"), b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe"],
                         ids=["gbk", "binary"])
def test_a_scenario_that_is_not_utf8_is_one_line(tmp_path, data):
    path = write(tmp_path, data)
    one_line_error(["run", path, "--runs", "1"], r"s.yaml: not UTF-8 text \(.* at byte \d+\); allowed: a UTF-8")


@given(st.binary(max_size=200))
def test_any_bytes_give_a_scenario_or_one_line(data):
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder), data)
        try:
            load_scenario(path)
        except ConfigError as exc:
            assert "\n" not in str(exc) and str(exc).startswith(str(path))


# ---- YAML keys and years -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "pattern"), [
    ("name: a\nend: 2025\nend: 2024\n", r"s.yaml:3: not valid YAML \(duplicate key 'end' \(first at line 2\)"),
    ("name: a\noverrides:\n  dc_pue_cap: 1.3\n  dc_pue_cap: 1.2\n", r"s.yaml:4: .*duplicate key 'dc_pue_cap'"),
    ("name: a\nschedules:\n  dc_pue_cap: {'2022': 1.3, 2022: 1.2}\n",
     r"schedules.dc_pue_cap: year 2022 given twice \('2022' and 2022\); allowed: each year once"),
    ("name: a\nschedules:\n  dc_pue_cap: {2030: 1.3}\n",
     r"schedules.dc_pue_cap: years \[2030\] outside the horizon; allowed: 2021 to 2025 \(end = 2025\)"),
    ("name: a\nend: 2023\nshocks:\n  - {name: d, parameter: gdp_growth_shock, years: [2022, 2024], value: -0.05}\n",
     r"shocks.0 \(d\): years \[2024\] outside the horizon; allowed: 2021 to 2023"),
])
def test_duplicate_keys_and_years_outside_the_horizon_are_refused(tmp_path, text, pattern):
    refused(write(tmp_path, text), pattern)
    one_line_error(["run", write(tmp_path, text), "--runs", "1"], pattern)


def test_shortening_the_horizon_with_set_refuses_a_schedule_beyond_it():
    refused(SCENARIOS / "green_data_centres.yaml", r"schedules.dc_pue_cap: years \[2023\] outside the horizon; "
                                                   r"allowed: 2021 to 2022", ["end=2022"])


# ---- --set -----------------------------------------------------------------------------------------------------

def test_set_text_is_never_read_as_rich_markup():
    one_line_error(["run", "--runs", "1", "--set", "overrides.[/b]=1"], r"unknown parameter '\[/b\]'")
    one_line_error(["run", "--runs", "1", "--set", "[bold]x[/bold]=1"], r"unknown key '\[bold\]x\[/bold\]'")


def test_set_indexes_lists():
    scen = load_scenario(SCENARIOS / "demand_shock_2022.yaml", ["shocks.0.value=-0.06", "shocks.1.years=[2021]"])
    assert scen.shocks[0].value == -0.06 and scen.shocks[1].years == [2021]
    refused(SCENARIOS / "demand_shock_2022.yaml", r"--set 'shocks.5.value=1': 'shocks.5': no such item; "
                                                  r"allowed: an index 0 to 1", ["shocks.5.value=1"])
    refused(SCENARIOS / "baseline.yaml", r"'end' is a single value", ["end.x=1"])


def test_set_on_a_quoted_year_replaces_it():
    raw = Path(__file__).parent / "quoted.yaml"
    raw.write_text("name: q\nschedules:\n  dc_pue_cap: {'2022': 1.3}\n", encoding="utf-8")
    try:
        scen = load_scenario(raw, ["schedules.dc_pue_cap.2022=1.2"])
    finally:
        raw.unlink()
    assert scen.schedules["dc_pue_cap"] == {2022: 1.2}


# ---- base: ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("base", "pattern"), [
    ("/etc/passwd", r"base '/etc/passwd': not a scenario file name; allowed: a .yaml file in "),
    ("/dev/zero", r"base '/dev/zero': not a scenario file name"),
    ("../../../../../../etc/x.yaml", r"outside the allowed folders; allowed: a .yaml file in "),
    ("missing.yaml", r"base missing.yaml: cannot read scenario \(No such file or directory\)"),
])
def test_base_outside_the_allowed_folders_is_refused(tmp_path, base, pattern):
    one_line_error(["run", write(tmp_path, f"name: a\nbase: {base}\n"), "--runs", "1"], pattern)


def test_base_symlink_out_and_devices_are_refused(tmp_path):
    outside = write(tmp_path, "name: secret\nend: 2024\n", "outside.yaml")
    inner = tmp_path / "inner"
    inner.mkdir()
    (inner / "link.yaml").symlink_to(outside)
    refused(write(inner, "name: a\nbase: link.yaml\n"), r"base 'link.yaml': outside the allowed folders")
    (inner / "dev.yaml").symlink_to("/dev/zero")
    refused(write(inner, "name: a\nbase: dev.yaml\n"), r"base 'dev.yaml': outside the allowed folders")
    (inner / "folder.yaml").mkdir()
    refused(write(inner, "name: a\nbase: folder.yaml\n"), r"base folder.yaml: not a regular file")
    write(inner, b"name: big\n" + b"#" * MAX_SCENARIO_BYTES, "big.yaml")
    refused(write(inner, "name: a\nbase: big.yaml\n"), rf"base big.yaml: \d+ bytes; allowed: at most "
                                                         rf"{MAX_SCENARIO_BYTES} bytes")


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_device_as_the_scenario_itself_is_refused():
    one_line_error(["run", "/dev/zero", "--runs", "1"], r"/dev/zero: not a regular file")


@pytest.mark.parametrize("text", ["name: a\nend: 'hunter2-secret'\n", "name: a\nhunter2-secret: 1\n",
                                  "name: a\noverrides: {gdp_growth: 0.987654}\n", "name: [hunter2-secret\n",
                                  "name: a\nend: 2024\nend: 'hunter2-secret'\n"])
def test_errors_in_a_base_never_echo_its_values(tmp_path, text):
    write(tmp_path, text, "other.yaml")
    message = one_line_error(["run", write(tmp_path, "name: a\nbase: other.yaml\n"), "--runs", "1"],
                             r"s.yaml: base other.yaml")
    assert "hunter2" not in message and "0.987654" not in message


def test_a_valid_base_beside_the_file_or_shipped_is_used(tmp_path):
    write(tmp_path, "name: b\nend: 2024\noverrides: {dc_pue_cap: 1.3}\n", "b.yaml")
    scen = load_scenario(write(tmp_path, "name: a\nbase: b.yaml\noverrides: {policy_adaptive: 1}\n"))
    assert scen.end == 2024 and scen.overrides == {"dc_pue_cap": 1.3, "policy_adaptive": 1}
    assert load_scenario(write(tmp_path, "name: a\nbase: green_data_centres.yaml\n")).schedules


# ---- requests too large for memory ------------------------------------------------------------------------------

@pytest.mark.parametrize("command", [["run"], ["reach", "--no-levers"]])
def test_a_request_beyond_memory_is_refused_before_any_work(monkeypatch, command):
    import dezsim.model.simulate

    monkeypatch.setattr(dezsim.model.simulate, "draw_design", lambda *a, **k: pytest.fail("allocated the runs"))
    one_line_error([*command, "--runs", "1000000000"],
                   r"--runs 1,000,000,000: needs about [\d,.]+ GiB \(1,000,000,000 runs x 14 regions x 6 years x "
                   r"\d+ indicators, [\d,]+ firm agents per run\); allowed: at most [\d,.]+ GiB \(50% of physical "
                   r"memory; DEZSIM_MAX_MEMORY_GB sets another\)")


def test_the_memory_limit_is_a_setting(monkeypatch):
    from dezsim.model import budget
    from dezsim.model.simulate import _data, request_size

    small = request_size(40, load_scenario(SCENARIOS / "baseline.yaml"), _data(), None)
    monkeypatch.setenv("DEZSIM_MAX_MEMORY_GB", str(0.5 * small.bytes() / budget.GIB))
    one_line_error(["run", "--runs", "40", "--no-agents"], r"--runs 40: needs about .*\(DEZSIM_MAX_MEMORY_GB\)")
    monkeypatch.setenv("DEZSIM_MAX_MEMORY_GB", str(2 * small.bytes() / budget.GIB))
    budget.check(small)
    monkeypatch.setenv("DEZSIM_MAX_MEMORY_GB", "-1")
    one_line_error(["run", "--runs", "1"], r"DEZSIM_MAX_MEMORY_GB = '-1': allowed: a number of gigabytes > 0")


def test_the_estimate_grows_with_every_dimension():
    from dezsim.model.budget import Request

    base = Request(10, 12, 14, 6, 19, 1000)
    for bigger in (Request(20, 12, 14, 6, 19, 1000), Request(10, 12, 28, 6, 19, 1000),
                   Request(10, 12, 14, 12, 19, 1000), Request(10, 12, 14, 6, 38, 1000),
                   Request(10, 12, 14, 6, 19, 2000)):
        assert bigger.bytes() > base.bytes()


def test_python_run_refuses_an_override_for_a_region_not_simulated():
    """The Python entry point checks what the CLI checks: an override for Wuxi in a Suzhou-only run would be
    dropped without a word."""
    from dezsim.base.errors import ConfigError
    from dezsim.model.config import Scenario
    from dezsim.model.simulate import run

    scen = Scenario(name="s", regions=["suzhou"], overrides={"gdp_growth": {"wuxi": 0.05}})
    with pytest.raises(ConfigError, match="wuxi"):
        run(scen, runs=1, agents=None)
