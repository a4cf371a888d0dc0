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

#: Most digits a number in a spec may have (before or after the point, and as an exponent).
#: No architecture needs more (an IPv6 address has 39); beyond Python's own limit (4300) the
#: conversion itself raises, and a number of a million digits makes every later step slow.
MAX_DIGITS = 100
_DIGITS = re.compile(r"\d+")
_EXPONENT = re.compile(r"[eE][+-]?0*(\d+)\s*$")


class NumberTooLong(ValueError):
    """A number longer than :data:`MAX_DIGITS`: reported as such, not as "not a number"."""


def check_size(text: str) -> None:
    """Raise ValueError for a number too long (or with an exponent too large) to read safely."""
    longest = max((len(run) for run in _DIGITS.findall(text)), default=0)
    exponent = _EXPONENT.search(text)
    if exponent is not None and len(exponent.group(1)) > 3:
        longest = max(longest, MAX_DIGITS + 1)
    elif exponent is not None:
        longest = max(longest, int(exponent.group(1)))
    if longest > MAX_DIGITS:
        raise NumberTooLong(
            f"'{_abbreviate(text)}' has more than {MAX_DIGITS} digits; "
            f"numbers in specs have at most {MAX_DIGITS}"
        )


#: Most attempts a retry policy may declare. The simulator draws every attempt and the checks
#: add up every backoff, so an unbounded count is a hang; ten thousand tries of one task is
#: already "retry forever" in any system archctl models.
MAX_ATTEMPTS = 10_000


def attempts_problem(attempts: int) -> str | None:
    """Why ``attempts`` is not a usable ``max_attempts`` (None when it is)."""
    if attempts < 1:
        return "max_attempts must be a whole number of at least 1"
    if attempts > MAX_ATTEMPTS:
        return (
            f"max_attempts must be at most {MAX_ATTEMPTS:,}, found {_abbreviate(str(attempts))}; "
            "for 'retry until it works' model the loop as a flow back to the task"
        )
    return None


def _abbreviate(text: str) -> str:
    return text if len(text) <= 24 else text[:10] + "..." + text[-10:]


def parse_duration(text: str) -> int:
    """``250ms``, ``5s``, ``2m``, ``1h``, ``1m30s`` -> whole milliseconds."""
    compact = text.strip().replace(" ", "")
    check_size(compact)
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
    check_size(cleaned)
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
