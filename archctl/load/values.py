"""Parsers for the small value languages of the format: durations, versions, constraints,
band intervals, numbers. Shared by every front end (YAML, DSL, BPMN) so they agree exactly.

Each parser returns the value or raises :class:`ValueError` with a message that says what
would be right; the caller turns it into a located LD004.
"""

from __future__ import annotations

import re
from fractions import Fraction

from archctl.model import semver
from archctl.model.semver import Range, Version

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")
_UNIT_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000}
IDENTIFIER = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
SPEC_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


def parse_duration(text: str) -> int:
    """``250ms``, ``5s``, ``2m``, ``1h``, ``1m30s`` -> whole milliseconds."""
    compact = text.strip().replace(" ", "")
    if not compact:
        raise ValueError("empty duration; write e.g. 250ms, 5s, 2m, 1h or 1m30s")
    position = 0
    total = Fraction(0)
    for match in _DURATION_PART.finditer(compact):
        if match.start() != position:
            break
        total += Fraction(match.group(1)) * _UNIT_MS[match.group(2)]
        position = match.end()
    if position != len(compact):
        raise ValueError(f"'{text}' is not a duration; write e.g. 250ms, 5s, 2m, 1h or 1m30s")
    if total.denominator != 1:
        raise ValueError(f"'{text}' is not a whole number of milliseconds")
    return int(total)


def format_duration(ms: int) -> str:
    """Inverse of :func:`parse_duration` in the shortest canonical form."""
    if ms == 0:
        return "0ms"
    parts = []
    for unit, size in (("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)):
        if ms >= size:
            count, ms = divmod(ms, size)
            parts.append(f"{count}{unit}")
    return "".join(parts)


def parse_number(text: str) -> int | Fraction:
    """An int or exact decimal (YAML ``1_000`` and ``1e3`` forms accepted)."""
    cleaned = text.strip().replace("_", "")
    try:
        return int(cleaned)
    except ValueError:
        pass
    try:
        value = Fraction(cleaned)
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"'{text}' is not a number") from None
    return value


def parse_version(text: str) -> Version:
    """A SemVer 2.0 version; partial versions like ``1.2`` are completed with zeros."""
    cleaned = text.strip()
    if re.fullmatch(r"(0|[1-9]\d*)(\.(0|[1-9]\d*))?", cleaned):
        cleaned += ".0" if "." in cleaned else ".0.0"
    return semver.parse_version(cleaned)


def parse_constraint(text: str) -> Range:
    """An npm range (``^1.2``, ``~1.2.3``, ``1.x``, ``1.2 - 2``, ``a || b``, ``*``), with
    Cargo's ``,`` accepted as "and" (``>=1.0, <2``); matched exactly as npm matches, see
    :mod:`archctl.model.semver` (pre-releases, build metadata)."""
    return semver.parse_range(text)


_INTERVAL = re.compile(r"^\s*([\[(])\s*([^,\s]+)\s*,\s*([^\]\s)]+)\s*([\])])\s*$")


def parse_interval(text: str) -> tuple[Fraction, bool, Fraction, bool]:
    """``[0, 0.3]`` / ``(0.3, 0.7]`` -> (low, low_closed, high, high_closed)."""
    match = _INTERVAL.match(text)
    if not match:
        raise ValueError(f"'{text}' is not an interval; write e.g. [0, 0.3] or (0.3, 0.7]")
    low = Fraction(parse_number(match.group(2)))
    high = Fraction(parse_number(match.group(3)))
    low_closed = match.group(1) == "["
    high_closed = match.group(4) == "]"
    if low > high or (low == high and not (low_closed and high_closed)):
        raise ValueError(f"'{text}' is empty: its low end is not below its high end")
    return low, low_closed, high, high_closed
