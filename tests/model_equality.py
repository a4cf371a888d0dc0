"""Compare models across formats: everything but where it was written (spans) must match."""

from __future__ import annotations

import dataclasses
import enum
from typing import Any

from archctl.source import Span


def strip_spans(value: Any) -> Any:
    """A plain, comparable structure of a model with every Span (and span field) removed.

    Parsed versions and constraints become their text, so two loads compare by meaning.
    """
    if isinstance(value, Span):
        return None
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {}
        for field in dataclasses.fields(value):
            if (
                field.name == "span"
                or field.name.endswith("_span")
                or field.name.endswith("_spans")
            ):
                continue
            fields[field.name] = strip_spans(getattr(value, field.name))
        return (type(value).__name__, tuple(sorted(fields.items())))
    if isinstance(value, (list, tuple)):
        return tuple(strip_spans(item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted((key, strip_spans(item)) for key, item in value.items()))
    if isinstance(value, enum.Enum):
        return value.value
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    from fractions import Fraction

    if isinstance(value, Fraction):
        return value
    return (type(value).__name__, str(value))  # semver Version / Range
