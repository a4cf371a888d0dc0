"""Value types of variables and attributes, and their declarations."""

from __future__ import annotations

import enum
import ipaddress
from dataclasses import dataclass
from fractions import Fraction

from archctl.evidence import Value
from archctl.source import Span


class TypeKind(enum.Enum):
    BOOL = "bool"
    INT = "int"
    REAL = "real"
    ENUM = "enum"
    STRING = "string"
    IP = "ip"


@dataclass(frozen=True)
class VarType:
    """A type; ``low``/``high`` are inclusive bounds of int and real, ``values`` of an enum."""

    kind: TypeKind
    low: Fraction | None = None
    high: Fraction | None = None
    values: tuple[str, ...] = ()

    @property
    def is_numeric(self) -> bool:
        return self.kind in (TypeKind.INT, TypeKind.REAL)

    def describe(self) -> str:
        if self.kind is TypeKind.ENUM:
            return "enum {" + ", ".join(self.values) + "}"
        if self.is_numeric and (self.low is not None or self.high is not None):
            low = "" if self.low is None else _num(self.low)
            high = "" if self.high is None else _num(self.high)
            return f"{self.kind.value}[{low}..{high}]"
        return str(self.kind.value)

    def contains(self, value: Value) -> bool:
        """Whether a concrete value belongs to this type (and its range)."""
        if self.kind is TypeKind.BOOL:
            return isinstance(value, bool)
        if self.kind is TypeKind.ENUM:
            return isinstance(value, str) and value in self.values
        if self.kind is TypeKind.STRING:
            return isinstance(value, str)
        if self.kind is TypeKind.IP:
            return isinstance(value, int) and 0 <= value < 2**32
        if isinstance(value, bool) or not isinstance(value, (int, float, Fraction)):
            return False
        if self.kind is TypeKind.INT and not (isinstance(value, int) or value == int(value)):
            return False
        if self.low is not None and value < self.low:
            return False
        return not (self.high is not None and value > self.high)


def _num(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else str(float(value))


BOOL = VarType(TypeKind.BOOL)
INT = VarType(TypeKind.INT)
REAL = VarType(TypeKind.REAL)
STRING = VarType(TypeKind.STRING)
IP = VarType(TypeKind.IP)


def enum_type(values: tuple[str, ...]) -> VarType:
    return VarType(TypeKind.ENUM, values=values)


@dataclass(frozen=True)
class Variable:
    """A declared variable (state machine, workflow) or attribute (policy)."""

    name: str
    type: VarType
    initial: Value | None
    span: Span


def format_value(value: Value, var_type: VarType | None = None) -> str:
    """Human form of a value: IPs dotted, rationals as decimals where exact."""
    if var_type is not None and var_type.kind is TypeKind.IP and isinstance(value, int):
        return str(ipaddress.IPv4Address(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Fraction):
        return _num(value) if Fraction(float(value)) == value else str(value)
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)
