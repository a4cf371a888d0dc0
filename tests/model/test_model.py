"""The model's own behaviour: types, retry timing, band levels, lookups."""

from __future__ import annotations

from fractions import Fraction

import pytest

from archctl.load.values import (
    format_duration,
    parse_constraint,
    parse_duration,
    parse_interval,
    parse_version,
)
from archctl.model.policy import Band, BandLevel
from archctl.model.types import BOOL, IP, TypeKind, VarType, enum_type, format_value
from archctl.model.workflow import RetryPolicy
from archctl.source import SourceFile, Span

SPAN = Span("f", 1, 1, 1, 1)


def test_var_type_contains_respects_kind_and_range() -> None:
    small = VarType(TypeKind.INT, Fraction(0), Fraction(10))
    assert small.contains(10) and not small.contains(11) and not small.contains(True)
    assert not small.contains(Fraction(1, 2))
    real = VarType(TypeKind.REAL, Fraction(0), Fraction(1))
    assert real.contains(Fraction(1, 3)) and not real.contains(2)
    assert enum_type(("a", "b")).contains("a") and not enum_type(("a",)).contains("c")
    assert BOOL.contains(False) and not BOOL.contains(0)
    assert IP.contains(2**32 - 1) and not IP.contains(2**32)
    assert small.describe() == "int[0..10]"
    assert format_value(167772167, IP) == "10.0.0.7"


def test_retry_delays_grow_and_cap() -> None:
    policy = RetryPolicy(5, 100, 2.0, 500, SPAN)
    assert [policy.delay_after(n) for n in range(1, 5)] == [100, 200, 400, 500]
    assert RetryPolicy(3, 100, 1.0, None, SPAN).delay_after(3) == 100


def test_band_levels() -> None:
    low, low_closed, high, high_closed = parse_interval("(0.3, 0.7]")
    medium = BandLevel("medium", low, low_closed, high, high_closed, SPAN)
    assert not medium.contains(Fraction(3, 10)) and medium.contains(Fraction(7, 10))
    band = Band(
        "trust",
        "risk",
        (BandLevel("high", Fraction(0), True, Fraction(3, 10), True, SPAN), medium),
        SPAN,
    )
    assert band.level_of(Fraction(3, 10)) == "high"
    assert band.level_of(Fraction(9, 10)) is None
    assert medium.text == "(0.3, 0.7]"


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        ("250ms", 250),
        ("5s", 5000),
        ("2m", 120000),
        ("1h", 3600000),
        ("1m30s", 90000),
        ("1.5s", 1500),
    ],
)
def test_durations(text: str, ms: int) -> None:
    assert parse_duration(text) == ms
    assert parse_duration(format_duration(ms)) == ms


@pytest.mark.parametrize("bad", ["", "5", "5 sec", "1.0001s", "s5", "-1s"])
def test_bad_durations(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(bad)


@pytest.mark.parametrize(
    ("constraint", "inside", "outside"),
    [
        ("^1.2", "1.9.0", "2.0.0"),
        ("~1.2.3", "1.2.9", "1.3.0"),
        (">=1.0, <2", "1.5.0", "2.0.0"),
        ("1.x", "1.0.1", "2.0.0"),
        ("*", "9.9.9", None),
        ("=1.2.3", "1.2.3", "1.2.4"),
        ("^1 || ^3", "3.1.0", "2.0.0"),
    ],
)
def test_constraints(constraint: str, inside: str, outside: str | None) -> None:
    matcher = parse_constraint(constraint)
    assert matcher.match(parse_version(inside))
    if outside is not None:
        assert not matcher.match(parse_version(outside))


def test_source_positions() -> None:
    source = SourceFile("f", "ab\ncd\n")
    assert source.position(0) == (1, 1)
    assert source.position(3) == (2, 1)
    assert source.span(3, 5) == Span("f", 2, 1, 2, 2)
    assert source.line_text(2) == "cd"
    assert source.line_text(9) == ""
