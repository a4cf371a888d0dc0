"""Parsers for the small value languages of the format: durations, versions, constraints,
band intervals, numbers. Shared by every front end (YAML, DSL, BPMN) so they agree exactly.

Each parser returns the value or raises :class:`ValueError` with a message that says what
would be right; the caller turns it into a located LD004.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

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


def parse_version(text: str) -> Any:
    """A SemVer 2.0 version; partial versions like ``1.2`` are completed with zeros."""
    from semantic_version import Version

    cleaned = text.strip()
    try:
        return Version(cleaned)
    except ValueError:
        pass
    if re.fullmatch(r"\d+(\.\d+)?", cleaned):
        return Version.coerce(cleaned)
    raise ValueError(f"'{text}' is not a SemVer version; write e.g. 1.2.0")


def parse_constraint(text: str) -> Any:
    """npm/Cargo-style range: ``^1.2``, ``~1.2.3``, ``>=1.0, <2``, ``1.x``, ``*``, ``a || b``.

    Commas (Cargo's "and") become spaces (npm's "and"); the range is then parsed by
    semantic_version's maintained npm implementation.
    """
    from semantic_version import NpmSpec

    cleaned = text.strip()
    if not cleaned:
        raise ValueError("empty constraint; write e.g. ^1.2, >=1.0, <2 or *")
    alternatives = []
    for alternative in cleaned.split("||"):
        pieces = [piece.strip() for piece in alternative.split(",")]
        if any(not piece for piece in pieces):
            raise ValueError(f"'{text}' has an empty comparator")
        alternatives.append(" ".join(re.sub(r"^(>=|<=|>|<|=|\^|~)\s+", r"\1", p) for p in pieces))
    try:
        return NpmSpec(" || ".join(alternatives))
    except ValueError:
        raise ValueError(
            f"'{text}' is not a version constraint; write e.g. ^1.2, ~1.2.3, >=1.0, <2, 1.x or *"
        ) from None


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
