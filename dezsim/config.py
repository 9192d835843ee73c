"""Scenario files -> a validated, frozen :class:`Scenario`: the only place that reads them.

A scenario names a horizon, the regions simulated, and changes to declared parameters:

* ``overrides``: a number fixes the parameter everywhere and in every run; a mapping ``{region: number}`` fixes
  it in those regions (a parent code covers its leaves);
* ``schedules``: ``{parameter: {year: setting}}`` -- a setting (number or region mapping) holds from that year
  until the next scheduled year (policy instruments phased in, a PUE cap from 2023, ...);
* ``shocks``: named changes of a parameter in listed years only (a demand shock in 2022, a chip-supply shock);
* ``base``: another scenario file (relative path) whose settings this one starts from.

Errors name the file, the field path, the value, the allowed range with its unit, and the nearest valid key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from dezsim import params as P
from dezsim.errors import ConfigError
from dezsim.tables import nearest

Override = float | dict[str, float]


def _check_setting(name: str, setting: Override, where: str) -> None:
    param = P.get(name, where=where)
    for v in setting.values() if isinstance(setting, dict) else [setting]:
        param.check(v, where=f"{where}{name}: ")


class Shock(BaseModel):
    """A parameter set to ``value`` in the listed years only (in ``regions``, or everywhere)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    parameter: str
    years: list[int] = Field(min_length=1)
    value: float
    regions: list[str] | None = None


class Scenario(BaseModel):
    """A what-if setting of the model (frozen; unknown keys are errors)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = ""
    start: Literal[2020] = 2020
    end: int = Field(2025, ge=2021, le=2035)
    steps_per_year: int = Field(12, ge=1, le=365)
    method: Literal["rk4", "euler"] = "rk4"
    regions: list[str] = Field(default_factory=lambda: ["jiangsu"], min_length=1)
    overrides: dict[str, Override] = Field(default_factory=dict)
    schedules: dict[str, dict[int, Override]] = Field(default_factory=dict)
    shocks: list[Shock] = Field(default_factory=list)

    @field_validator("overrides")
    @classmethod
    def _known_parameters(cls, value: dict[str, Override]) -> dict[str, Override]:
        for name, setting in value.items():
            _check_setting(name, setting, "overrides: " if name not in P.BY_NAME else "overrides.")
        return value

    @field_validator("schedules")
    @classmethod
    def _known_schedules(cls, value: dict[str, dict[int, Override]]) -> dict[str, dict[int, Override]]:
        for name, by_year in value.items():
            P.get(name, where="schedules: ")
            for year, setting in by_year.items():
                if not 2021 <= year <= 2035:
                    raise ValueError(f"schedules.{name}: year {year} out of range; allowed: 2021 to 2035")
                _check_setting(name, setting, f"schedules.{year}.")
        return value

    @field_validator("shocks")
    @classmethod
    def _known_shocks(cls, value: list[Shock]) -> list[Shock]:
        for i, shock in enumerate(value):
            P.get(shock.parameter, where=f"shocks.{i}.parameter: ")
            P.BY_NAME[shock.parameter].check(shock.value, where=f"shocks.{i} ({shock.name}): ")
            bad = [y for y in shock.years if not 2021 <= y <= 2035]
            if bad:
                raise ValueError(f"shocks.{i} ({shock.name}): years {bad} out of range; allowed: 2021 to 2035")
        return value


def load_scenario(path: str | Path, sets: list[str] | None = None) -> Scenario:
    """Read and validate a YAML scenario file, after its ``base`` and any ``--set key.path=value`` changes.

    Raises
    ------
    ConfigError
        One line: ``file: field.path = value: reason (allowed ...)``.
    """
    path = Path(path)
    raw = _read_with_base(path, seen=())
    for item in sets or []:
        apply_set(raw, item)
    return scenario_from_dict(raw, source=str(path) + (" with --set " + " ".join(sets) if sets else ""))


def apply_set(raw: dict, item: str) -> None:
    """Apply ``key.path=value`` (value parsed as YAML) to the raw mapping."""
    if "=" not in item or not item.split("=", 1)[0]:
        raise ConfigError(f"--set {item!r}: expected key.path=value, e.g. overrides.dc_pue_cap=1.25")
    key, text = item.split("=", 1)
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        raise ConfigError(f"--set {item!r}: value {text!r} is not valid YAML") from None
    node = raw
    *parents, last = key.split(".")
    for part in parents:
        node = node.setdefault(int(part) if part.isdigit() else part, {})
        if not isinstance(node, dict):
            raise ConfigError(f"--set {item!r}: {part!r} is not a mapping in the scenario")
    node[int(last) if last.isdigit() else last] = value


def _read_with_base(path: Path, seen: tuple[Path, ...]) -> dict:
    raw = _read_yaml(path)
    base = raw.pop("base", None)
    if base is None:
        return raw
    base_path = (path.parent / str(base)).resolve()
    if base_path in seen:
        raise ConfigError(f"{path}: base {base!r} makes a cycle of scenario files")
    merged = _read_with_base(base_path, (*seen, path.resolve()))
    for key, value in raw.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def _read_yaml(path: Path) -> dict:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read scenario ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: a scenario is a mapping of keys (name, end, overrides, ...), got {type(raw).__name__}")
    return raw


def scenario_from_dict(raw: dict, source: str = "<scenario>") -> Scenario:
    """Validate a mapping as a scenario; errors name ``source`` and the field path."""
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_one_line(source, exc, raw)) from None
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None


def _one_line(source: str, exc: ValidationError, raw: dict) -> str:
    errors = exc.errors()
    err = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])  # a typo explains the rest
    path = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        key = str(err["loc"][-1])
        fields = Shock.model_fields if err["loc"][0] == "shocks" else Scenario.model_fields
        return f"{source}: unknown key {path!r}{nearest(key, fields)}; allowed: {', '.join(fields)}"
    if err["type"] == "value_error":
        return f"{source}: {str(err.get('ctx', {}).get('error', err['msg']))}"
    return f"{source}: {path} = {err.get('input')!r}: {err['msg']}"
