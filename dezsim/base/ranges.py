"""Physical ranges of values, declared as data: ``[0..100]``, ``(0..inf)``, ``[1..inf)``, ``(-inf..inf)``.

A bracket includes its end, a parenthesis excludes it. ``data/units.csv`` gives every unit's range (money and
counts ``[0..inf)``, percentages ``[0..100]``); ``data/indicator_checks.csv`` narrows it for an indicator (GDP
``(0..inf)``, PUE ``[1..inf)``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_PATTERN = re.compile(r"^\s*([\[(])\s*([-+]?[\w.]+)\s*\.\.\s*([-+]?[\w.]+)\s*([\])])\s*$")


@dataclass(frozen=True)
class PhysicalRange:
    """An interval of admissible values; ``text`` is its declaration."""

    low: float
    high: float
    low_closed: bool
    high_closed: bool
    text: str

    @classmethod
    def parse(cls, text: str) -> PhysicalRange:
        """Parse ``[a..b]``-style text; raises ``ValueError`` with what is allowed."""
        match = _PATTERN.match(text)
        try:
            low, high = float(match.group(2)), float(match.group(3))  # type: ignore[union-attr]
        except (AttributeError, ValueError):
            raise ValueError("not a range; allowed: e.g. [0..100], (0..inf), [1..inf)") from None
        if math.isnan(low) or math.isnan(high) or low > high:
            raise ValueError("not a range: its low end must not exceed its high end")
        return cls(low, high, match.group(1) == "[", match.group(4) == "]", text.strip())  # type: ignore[union-attr]

    def __contains__(self, value: float) -> bool:
        above = value >= self.low if self.low_closed else value > self.low
        below = value <= self.high if self.high_closed else value < self.high
        return bool(above and below)

    def describe(self) -> str:
        """``>= 0``, ``> 0``, ``0 to 100``, ``any`` ..."""
        low = None if self.low == -math.inf else f"{'>=' if self.low_closed else '>'} {self.low:g}"
        high = None if self.high == math.inf else f"{'<=' if self.high_closed else '<'} {self.high:g}"
        if low and high and self.low_closed and self.high_closed:
            return f"{self.low:g} to {self.high:g}"
        return " and ".join(p for p in (low, high) if p) or "any value"
