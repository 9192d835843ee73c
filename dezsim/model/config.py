"""Scenario files -> a validated, frozen :class:`Scenario`: the only place that reads them.

A scenario names a horizon, the regions simulated, and changes to declared parameters:

* ``overrides``: a number fixes the parameter everywhere and in every run; a mapping ``{region: number}`` fixes
  it in those regions (a parent code covers its leaves);
* ``schedules``: ``{parameter: {year: setting}}`` -- a setting (number or region mapping) holds from that year
  until the next scheduled year (policy instruments phased in, a PUE cap from 2023, ...);
* ``shocks``: named changes of a parameter in listed years only (a demand shock in 2022, a chip-supply shock);
* ``base``: another scenario file whose settings this one starts from; it must be a regular ``.yaml`` file of at
  most :data:`MAX_SCENARIO_BYTES` inside the folder of the file naming it or the checkout's ``scenarios/``.

Duplicate keys in a mapping are errors (YAML would silently keep the last), as is a schedule naming one year
twice (``"2022"`` and ``2022``); schedule and shock years must lie inside the horizon (start + 1 to end).

Errors name the file, the field path, the value, the allowed range with its unit, and the nearest valid key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from dezsim.base.errors import ConfigError
from dezsim.base.tables import nearest
from dezsim.model import params as P
from dezsim.model.origin import BASE_ORIGIN, FIRST_ORIGIN
from dezsim.resources import scenarios_root

Override = float | dict[str, float]
#: Largest scenario file read (bytes): scenarios are a few hundred bytes; this refuses devices and dumps.
MAX_SCENARIO_BYTES = 1_000_000
#: Structural constants fixed at 2020: a scenario may override them but not change them mid-run (a value-added
#: ratio changed in a later year would move core value added without moving GDP, which contains it).
FIXED_FROM_2020 = ("ei_va_ratio", "sw_va_ratio", "oc_va_ratio", "oc_relative_size")
#: Folder of the shipped scenarios (a ``base`` may always point into it).
SCENARIOS = scenarios_root()


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
    #: The origin: the year-end the run starts from (2020, the plans' baseline, or an earlier one; see
    #: :mod:`dezsim.model.origin`).
    start: int = Field(BASE_ORIGIN, ge=FIRST_ORIGIN, le=BASE_ORIGIN)
    end: int = Field(2025, ge=FIRST_ORIGIN + 1, le=2035)
    steps_per_year: int = Field(12, ge=1, le=365)
    method: Literal["rk4", "euler"] = "rk4"
    regions: list[str] = Field(default_factory=lambda: ["jiangsu"], min_length=1)
    overrides: dict[str, Override] = Field(default_factory=dict)
    schedules: dict[str, dict[int, Override]] = Field(default_factory=dict)
    shocks: list[Shock] = Field(default_factory=list)
    #: Process noise (regional growth offsets, yearly shocks, drawn 2020 allocations); false: parameter
    #: uncertainty only.
    noise: bool = True

    @field_validator("schedules", mode="before")
    @classmethod
    def _one_key_per_year(cls, value: object) -> object:
        for name, by_year in (value.items() if isinstance(value, dict) else ()):
            years: dict[str, object] = {}
            for key in (by_year if isinstance(by_year, dict) else ()):
                norm = str(key).strip()
                if norm in years:
                    raise ValueError(f"schedules.{name}: year {norm} given twice ({years[norm]!r} and {key!r}); "
                                     "allowed: each year once")
                years[norm] = key
        return value

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
            if name in FIXED_FROM_2020:
                raise ValueError(f"schedules.{name}: fixed from 2020 (GDP contains the value added it sets); "
                                 "allowed: an override")
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
            if shock.parameter in FIXED_FROM_2020:
                raise ValueError(f"shocks.{i}.parameter = {shock.parameter!r}: fixed from 2020 (GDP contains the "
                                 "value added it sets); allowed: an override")
            P.BY_NAME[shock.parameter].check(shock.value, where=f"shocks.{i} ({shock.name}): ")
            bad = [y for y in shock.years if not FIRST_ORIGIN + 1 <= y <= 2035]
            if bad:
                raise ValueError(f"shocks.{i} ({shock.name}): years {bad} out of range; allowed: "
                                 f"{FIRST_ORIGIN + 1} to 2035")
        return value

    @field_validator("regions")
    @classmethod
    def _regions_once(cls, value: list[str]) -> list[str]:
        twice = sorted({r for r in value if value.count(r) > 1})
        if twice:
            raise ValueError(f"regions = {value}: {', '.join(map(repr, twice))} listed more than once; "
                             "allowed: each region once")
        return value

    @model_validator(mode="after")
    def _years_in_horizon(self) -> Scenario:
        first, last = self.start + 1, self.end
        if last < first:
            raise ValueError(f"end = {last}: before the first simulated year; allowed: {first} to 2035 "
                             f"(start = {self.start})")
        for name, by_year in self.schedules.items():
            bad = sorted(y for y in by_year if not first <= y <= last)
            if bad:
                raise ValueError(f"schedules.{name}: years {bad} outside the horizon; allowed: {first} to {last} "
                                 f"(end = {last})")
        for i, shock in enumerate(self.shocks):
            bad = sorted(y for y in shock.years if not first <= y <= last)
            if bad:
                raise ValueError(f"shocks.{i} ({shock.name}): years {bad} outside the horizon; allowed: {first} "
                                 f"to {last} (end = {last})")
        return self


def load_scenario(path: str | Path, sets: list[str] | None = None) -> Scenario:
    """Read and validate a YAML scenario file, after its ``base`` and any ``--set key.path=value`` changes.

    Raises
    ------
    ConfigError
        One line: ``file: field.path = value: reason (allowed ...)``.
    """
    path = library_path(Path(path))
    raw = _read_with_base(path, seen=())
    for item in sets or []:
        apply_set(raw, item)
    return scenario_from_dict(raw, source=str(path) + (" with --set " + " ".join(sets) if sets else ""))


def library_path(path: Path) -> Path:
    """``path`` itself when it exists; else, for ``NAME``, ``NAME.yaml`` or ``scenarios/NAME.yaml``, the scenario
    of that name in the shipped library (so the README's ``scenarios/...`` paths work in any folder)."""
    if path.exists() or len(path.parts) > 2 or (len(path.parts) == 2 and path.parts[0] != "scenarios"):
        return path
    shipped = SCENARIOS / (path.name if path.suffix in (".yaml", ".yml") else path.name + ".yaml")
    return shipped if shipped.is_file() else path


def apply_set(raw: dict, item: str) -> None:
    """Apply ``key.path=value`` (value parsed as YAML) to the raw mapping; a number in the path indexes a
    list (``shocks.0.value``) or names a year (``schedules.dc_pue_cap.2023``)."""
    if "=" not in item or not item.split("=", 1)[0]:
        raise ConfigError(f"--set {item!r}: expected key.path=value, e.g. overrides.dc_pue_cap=1.25")
    key, text = item.split("=", 1)
    try:
        value = yaml.load(text, Loader=UniqueKeyLoader)
    except yaml.YAMLError:
        raise ConfigError(f"--set {item!r}: value {text!r} is not valid YAML") from None
    node: dict | list = raw
    *parents, last = key.split(".")
    for done, part in enumerate(parents):
        node = _child(node, part, item, ".".join(parents[:done + 1]))
    if isinstance(node, list):
        node[_index(node, last, item, key)] = value
    else:
        node[_dict_key(node, last)] = value


def _dict_key(node: dict, part: str) -> str | int:
    """The existing key ``part`` names (a year may be written with or without quotes), else the new key."""
    if part.isdigit() and int(part) in node:
        return int(part)
    if part in node or not part.isdigit():
        return part
    return int(part)


def _index(node: list, part: str, item: str, path: str) -> int:
    if not part.isdigit() or int(part) >= len(node):
        raise ConfigError(f"--set {item!r}: {path!r}: no such item; allowed: an index 0 to {len(node) - 1}")
    return int(part)


def _child(node: dict | list, part: str, item: str, path: str) -> dict | list:
    if isinstance(node, list):
        child = node[_index(node, part, item, path)]
    else:
        child = node.setdefault(_dict_key(node, part), {})
    if not isinstance(child, (dict, list)):
        raise ConfigError(f"--set {item!r}: {path!r} is a single value in the scenario, not a mapping or list")
    return child


class UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing a mapping that names one key twice (YAML would keep the last silently)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[object, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:  # an unhashable key: SafeLoader's own error says so
                continue
            if first is not None:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (first at line {first}); allowed: each key once",
                    key_node.start_mark)
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def _read_with_base(path: Path, seen: tuple[Path, ...], named_by: Path | None = None) -> dict:
    raw = _read_yaml(path, named_by)
    base = raw.pop("base", None)
    if base is None:
        return raw
    base_path = _resolve_base(path, base)
    if base_path in seen or base_path == path.resolve():
        raise ConfigError(f"{path}: base {base!r} makes a cycle of scenario files")
    merged = _read_with_base(base_path, (*seen, path.resolve()), named_by=path)
    _check_base(base_path, merged, path)
    for key, value in raw.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def _resolve_base(path: Path, base: object) -> Path:
    """``base`` resolved (symlinks followed) inside the folder of ``path`` or the shipped scenarios/ folder."""
    allowed = (path.resolve().parent, SCENARIOS)
    where = f"{path}: base {base!r}"
    if not isinstance(base, str) or not base.endswith((".yaml", ".yml")):
        raise ConfigError(f"{where}: not a scenario file name; allowed: a .yaml file in {allowed[0]} or {SCENARIOS}")
    resolved = (path.parent / base).resolve()
    if not resolved.exists():  # not beside the file: a shipped scenario
        resolved = (SCENARIOS / base).resolve()
    if not any(resolved.is_relative_to(folder) for folder in allowed):
        raise ConfigError(f"{where}: outside the allowed folders; allowed: a .yaml file in {allowed[0]} or "
                          f"{SCENARIOS}")
    return resolved


def _check_base(base_path: Path, merged: dict, named_by: Path) -> None:
    """A base is a valid scenario on its own; its errors name only its file and field, never its values."""
    try:
        Scenario.model_validate({"name": "base", **merged})
    except ValidationError as exc:
        top = str((exc.errors()[0]["loc"] or ("",))[0])
        where = f"field {top!r}" if top in Scenario.model_fields else "a key that is not a scenario field"
        raise ConfigError(f"{named_by}: base {base_path.name}: {where} is not valid; run `dezsim run "
                          f"{base_path}` to see why") from None
    except ConfigError:
        raise ConfigError(f"{named_by}: base {base_path.name}: not a valid scenario; run `dezsim run {base_path}` "
                          "to see why") from None


def _read_yaml(path: Path, named_by: Path | None = None) -> dict:
    """The mapping in a scenario file. For a base (``named_by`` set) messages never quote the file's content."""
    label = f"{named_by}: base {path.name}" if named_by is not None else str(path)
    text = _read_text(path, label)
    try:
        raw = yaml.load(text, Loader=UniqueKeyLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = str(getattr(exc, "problem", None) or "parse error")
        if named_by is not None:
            problem = "duplicate key" if problem.startswith("duplicate key") else "parse error"
        raise ConfigError(f"{label}{where}: not valid YAML ({problem})") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{label}: a scenario is a mapping of keys (name, end, overrides, ...), "
                          f"got {type(raw).__name__}")
    return raw


def _read_text(path: Path, label: str) -> str:
    """UTF-8 text of a regular file of at most :data:`MAX_SCENARIO_BYTES` (never a device, fifo or folder)."""
    try:
        info = path.stat()
        if not path.is_file():
            raise ConfigError(f"{label}: not a regular file; allowed: a YAML file")
        if info.st_size > MAX_SCENARIO_BYTES:
            raise ConfigError(f"{label}: {info.st_size} bytes; allowed: at most {MAX_SCENARIO_BYTES} bytes")
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{label}: cannot read scenario ({exc.strerror})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{label}: not UTF-8 text ({exc.reason} at byte {exc.start}); allowed: a UTF-8 YAML "
                          "file") from None


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
