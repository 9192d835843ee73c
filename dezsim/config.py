"""Scenario files -> a validated, frozen :class:`Scenario`: the only place that reads them.

A scenario names a horizon and overrides of declared parameters: a number fixes the parameter everywhere
and in every run; a mapping ``{region: number}`` fixes it in those regions (a parent code covers its leaves).
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


class Scenario(BaseModel):
    """A what-if setting of the model (frozen; unknown keys are errors)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = ""
    start: Literal[2020] = 2020
    end: int = Field(2025, ge=2021, le=2035)
    steps_per_year: int = Field(12, ge=1, le=365)
    method: Literal["rk4", "euler"] = "rk4"
    overrides: dict[str, Override] = Field(default_factory=dict)

    @field_validator("overrides")
    @classmethod
    def _known_parameters(cls, value: dict[str, Override]) -> dict[str, Override]:
        for name, setting in value.items():
            param = P.get(name, where="overrides: ")
            values = setting.values() if isinstance(setting, dict) else [setting]
            for v in values:
                param.check(v, where=f"overrides.{name}: ")
        return value


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a YAML scenario file.

    Raises
    ------
    ConfigError
        One line: ``file: field.path = value: reason (allowed ...)``.
    """
    path = Path(path)
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
    return scenario_from_dict(raw, source=str(path))


def scenario_from_dict(raw: dict, source: str = "<scenario>") -> Scenario:
    """Validate a mapping as a scenario; errors name ``source`` and the field path."""
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_one_line(source, exc, raw)) from None
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None


def _one_line(source: str, exc: ValidationError, raw: dict) -> str:
    err = exc.errors()[0]
    path = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        key = str(err["loc"][-1])
        return f"{source}: unknown key {path!r}{nearest(key, Scenario.model_fields)}; allowed: " \
               f"{', '.join(Scenario.model_fields)}"
    if err["type"] == "value_error":
        return f"{source}: {str(err.get('ctx', {}).get('error', err['msg']))}"
    return f"{source}: {path} = {err.get('input')!r}: {err['msg']}"
