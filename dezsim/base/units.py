"""Units for people and for machines: unit codes of ``data/units.csv`` as report text, pint strings, and
numbers formatted with their unit ("≥ 40,000 亿元 (4 trillion yuan)", "≥ 16 % per year").

Lever parameters are declared dimensionless shares in :mod:`dezsim.model.params`; :data:`LEVER_UNITS` says how each
reads in its own unit (a share of project cost or of GDP shown in %, a PUE as it is).
"""

from __future__ import annotations

import math

import pandas as pd

#: English text of a unit code after a number ("100m_yuan" is 亿元, a hundred million yuan).
UNIT_TEXT = {"100m_yuan": "亿元 (100 million yuan)", "10k_yuan": "万元 (10,000 yuan)", "yuan": "yuan",
             "pct": "%", "pct_per_year": "% per year", "pct_points": "percentage points", "count": "",
             "ratio": "", "gwh": "GWh", "10k_kwh": "万千瓦时 (10,000 kWh)", "10k_tce": "万吨标准煤 (10,000 tce)",
             "100m_usd": "亿美元 (100 million US dollars)"}
#: Short axis labels.
AXIS_TEXT = {"100m_yuan": "100 million yuan", "pct": "%", "pct_per_year": "% per year", "count": "count",
             "ratio": "ratio", "gwh": "GWh"}
#: yuan per unit code, for the plain-words gloss of money.
YUAN = {"100m_yuan": 1e8, "10k_yuan": 1e4, "yuan": 1.0}
_SCALES = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"))
#: Lever parameter -> (unit text, factor from the declared share to that unit).
LEVER_UNITS = {"policy_capex_subsidy": ("% of project cost", 100.0),
               "policy_interest_subsidy": ("% of project cost", 100.0),
               "policy_budget_share_gdp": ("% of GDP", 100.0),
               "g5_capex_share_gdp": ("% of GDP", 100.0),
               "dc_pue_cap": ("PUE", 1.0),
               "digital_investment_extra": ("% of GDP", 100.0)}


def number(value: float) -> str:
    """A number for people: thousands separated, at most 4 significant digits, no exponent."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if value != 0 and abs(value) < 0.01:
        return f"{value:.2g}"
    digits = max(0, 3 - int(math.floor(math.log10(abs(value))))) if value else 0
    text = f"{round(value, digits):,.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def words(value: float, unit: str) -> str:
    """Money in plain words ("4 trillion yuan"), or "" for other units."""
    if unit not in YUAN or not value:
        return ""
    yuan = abs(value) * YUAN[unit]
    for size, name in _SCALES:
        if yuan >= size:
            return f"{'-' if value < 0 else ''}{number(yuan / size)} {name} yuan"
    return f"{number(value * YUAN[unit])} yuan"


def with_unit(value: float, unit: str, sign: bool = False) -> str:
    """``value`` and its unit for people: "40,000 亿元 (4 trillion yuan)", "16 % per year", "+1.2 %"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = ("+" if sign and value > 0 else "") + number(value)
    if unit in YUAN and unit != "yuan":
        return f"{text} {unit_text(unit).split(' ')[0]} ({'+' if sign and value > 0 else ''}{words(value, unit)})"
    suffix = unit_text(unit)
    return f"{text} {suffix}".rstrip() if suffix else text


def unit_text(unit: str) -> str:
    """A unit code as text after a number (unknown codes print as they are)."""
    return UNIT_TEXT.get(unit, unit)


def threshold_text(relation: str, value: float, unit: str) -> str:
    """A threshold for people: "≥ 40,000 亿元 (4 trillion yuan)", "≤ 1.3", "≥ 16 % per year"."""
    rel = {">=": "≥", "<=": "≤", "=": "=", "range": "≥"}.get(relation, relation)
    return f"{rel} {with_unit(value, unit)}"


def pint_units(units: pd.DataFrame) -> dict[str, str]:
    """Unit code -> pint string (``data/units.csv``'s ``pint`` column)."""
    return dict(zip(units.code, units.pint, strict=True))


def lever_value(param: str, value: float) -> tuple[float, str]:
    """A lever parameter's value in the lever's own unit: (number, unit text)."""
    unit, factor = LEVER_UNITS.get(param, ("", 1.0))
    return value * factor, unit


def lever_text(name: str, param: str, value: float) -> str:
    """"capex subsidy rate 30 % of project cost", "new-build PUE cap 1.24"."""
    v, unit = lever_value(param, value)
    label = name.split(" (")[0]
    return f"{label} {number(v)}{'' if unit == 'PUE' or not unit else ' ' + unit}"
