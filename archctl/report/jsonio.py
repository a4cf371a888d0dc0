"""Indented JSON at C-encoder speed: the bytes of ``json.dumps(v, indent=2, ensure_ascii=False)``.

CPython's C encoder only runs without ``indent``; with it, every token goes through the
pure-Python generator encoder, which was a third of ``verify --format json`` on a large
machine with tens of thousands of findings. Here the containers are walked in Python
(a handful per finding) and everything else is C: strings by ``encode_basestring``, and
a container whose members are all scalars in one C call, whose item separator carries
the newline and indentation (a JSON string never holds a raw newline, so the separator
cannot be confused with content). ``chunks`` yields the document in pieces, so a report
is written as it is produced and never held twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from json.encoder import encode_basestring  # the C implementation where available
from typing import Any

INDENT = "  "
_SCALARS = (str, int, float, bool, type(None))


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == float("inf"):
        return "Infinity"
    if value == -float("inf"):
        return "-Infinity"
    return float.__repr__(value)


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return encode_basestring(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


_SCALAR_TYPES = frozenset(_SCALARS)
#: per indentation level, a C encoder whose item separator ends in that level's indent
_ENCODERS: dict[int, json.JSONEncoder] = {}


def _encoder(level: int) -> json.JSONEncoder:
    encoder = _ENCODERS.get(level)
    if encoder is None:
        separator = ",\n" + INDENT * (level + 1)
        encoder = _ENCODERS[level] = json.JSONEncoder(
            ensure_ascii=False, separators=(separator, ": ")
        )
    return encoder


def _flat(value: dict[str, Any] | list[Any], level: int) -> str | None:
    """A container of scalars in one C call; None when a member is itself a container."""
    if isinstance(value, dict):
        if not _SCALAR_TYPES.issuperset(map(type, value.values())):
            return None
        if set(map(type, value)) != {str}:
            return None  # json's key coercion (ints, floats, None) is left to the slow path
    elif not _SCALAR_TYPES.issuperset(map(type, value)):
        return None
    text = _encoder(level).encode(value)
    inner = "\n" + INDENT * (level + 1)
    return text[0] + inner + text[1:-1] + "\n" + INDENT * level + text[-1]


def encode(value: Any, level: int = 0) -> str:
    """``value`` as ``json.dumps(value, indent=2, ensure_ascii=False)`` writes it at ``level``."""
    if isinstance(value, _SCALARS):
        return _scalar(value)
    if isinstance(value, (dict, list, tuple)):
        if not value:
            return "{}" if isinstance(value, dict) else "[]"
        if isinstance(value, tuple):
            value = list(value)
        flat = _flat(value, level)
        if flat is not None:
            return flat
        inner = INDENT * (level + 1)
        if isinstance(value, dict):
            items = [
                f"{inner}{_key(key)}: {encode(member, level + 1)}" for key, member in value.items()
            ]
            return "{\n" + ",\n".join(items) + "\n" + INDENT * level + "}"
        members = [inner + encode(member, level + 1) for member in value]
        return "[\n" + ",\n".join(members) + "\n" + INDENT * level + "]"
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _key(key: Any) -> str:
    if isinstance(key, str):
        return encode_basestring(key)
    return json.dumps({key: 0}, ensure_ascii=False)[1:-4]  # json's own key coercion


def array(items: Iterable[Any], level: int) -> Iterator[str]:
    """A JSON array at ``level`` whose members are encoded one by one, as pieces."""
    inner = ",\n" + INDENT * (level + 1)
    first = True
    for item in items:
        yield ("[\n" + INDENT * (level + 1) if first else inner) + encode(item, level + 1)
        first = False
    yield "[]" if first else "\n" + INDENT * level + "]"


def document(fields: Iterable[tuple[str, Any]], level: int = 0) -> Iterator[str]:
    """A JSON object whose values may be pieces (an iterator of str from :func:`array`)."""
    inner = INDENT * (level + 1)
    first = True
    for key, value in fields:
        yield ("{\n" if first else ",\n") + f"{inner}{_key(key)}: "
        first = False
        if isinstance(value, Iterator):
            yield from value
        else:
            yield encode(value, level + 1)
    yield "{}" if first else "\n" + INDENT * level + "}"
