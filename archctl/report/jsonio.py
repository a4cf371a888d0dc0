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
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from archctl.diagnostics import Code

#: the C encoder's factory (None without the accelerator) and its string encoder
c_make_encoder: Any = getattr(json.encoder, "c_make_encoder", None)
encode_basestring: Callable[[str], str] = json.encoder.encode_basestring

INDENT = "  "
#: finding codes are a str subclass the C encoder writes as strings; listing the type keeps
#: every result object (``"ruleId"``, ``"code"``) on the one-C-call path
_SCALARS = (str, Code, int, float, bool, type(None))


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == float("inf"):
        return "Infinity"
    if value == -float("inf"):
        return "-Infinity"
    return float.__repr__(value)


SCALAR_TYPES = frozenset(_SCALARS)
#: per indentation level, a C encoder whose item separator ends in that level's indent
_ENCODERS: dict[int, Callable[[Any, int], Sequence[str]]] = {}


def _encoder(level: int) -> Callable[[Any, int], Sequence[str]]:
    encoder = _ENCODERS.get(level)
    if encoder is None:
        separator = ",\n" + INDENT * (level + 1)
        if c_make_encoder is None:  # no C accelerator (PyPy): json's own encoder, same bytes
            plain = json.JSONEncoder(ensure_ascii=False, separators=(separator, ": "))
            encoder = _ENCODERS[level] = lambda value, _: (plain.encode(value),)
        else:  # what JSONEncoder.iterencode builds, once instead of per call
            encoder = _ENCODERS[level] = c_make_encoder(
                None, None, encode_basestring, None, ": ", separator, False, False, True
            )
    return encoder


def _flat(value: dict[Any, Any] | list[Any], level: int) -> str:
    """A container of scalars (and, for a dict, str keys) in one C call."""
    text = "".join(_encoder(level)(value, 0))
    inner = "\n" + INDENT * (level + 1)
    return text[0] + inner + text[1:-1] + "\n" + INDENT * level + text[-1]


def _dict(value: dict[Any, Any], level: int) -> str:
    if not value:
        return "{}"
    if SCALAR_TYPES.issuperset(map(type, value.values())) and set(map(type, value)) == {str}:
        return _flat(value, level)
    inner, deeper = INDENT * (level + 1), level + 1
    items = [f"{inner}{_key(key)}: {encode(member, deeper)}" for key, member in value.items()]
    return "{\n" + ",\n".join(items) + "\n" + INDENT * level + "}"


def _list(value: list[Any] | tuple[Any, ...], level: int) -> str:
    if not value:
        return "[]"
    if SCALAR_TYPES.issuperset(map(type, value)):
        return _flat(list(value), level)
    inner, deeper = INDENT * (level + 1), level + 1
    members = [inner + encode(member, deeper) for member in value]
    return "[\n" + ",\n".join(members) + "\n" + INDENT * level + "]"


_SCALAR_ENCODERS: dict[type, Callable[[Any], str]] = {
    str: encode_basestring,
    Code: encode_basestring,
    int: int.__repr__,
    float: _float,
    bool: lambda value: "true" if value else "false",
    type(None): lambda _: "null",
}


def encode(value: Any, level: int = 0) -> str:
    """``value`` as ``json.dumps(value, indent=2, ensure_ascii=False)`` writes it at ``level``."""
    kind = type(value)
    scalar = _SCALAR_ENCODERS.get(kind)
    if scalar is not None:
        return scalar(value)
    if kind is dict:
        return _dict(value, level)
    if kind is list or kind is tuple:
        return _list(value, level)
    # subclasses (a str enum, an IntEnum, an OrderedDict) are written as their base type
    if isinstance(value, bool):
        return "true" if value else "false"
    for base in (str, int, float):
        if isinstance(value, base):
            return _SCALAR_ENCODERS[base](value)
    if isinstance(value, dict):
        return _dict(value, level)
    if isinstance(value, (list, tuple)):
        return _list(value, level)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _key(key: Any) -> str:
    if type(key) is str:
        return encode_basestring(key)
    return json.dumps({key: 0}, ensure_ascii=False)[1:-4]  # json's own key coercion


def array_chunks(batches: Iterable[Sequence[str]], level: int) -> Iterator[str]:
    """A JSON array at ``level`` of members already encoded at ``level + 1``, given and
    written a batch at a time (each batch one piece; a large report is never one string)."""
    inner = INDENT * (level + 1)
    separator = ",\n" + inner
    first = True
    for members in batches:
        if members:
            yield ("[\n" + inner if first else separator) + separator.join(members)
            first = False
    yield "[]" if first else "\n" + INDENT * level + "]"


def document(fields: Iterable[tuple[str, Any]], level: int = 0) -> Iterator[str]:
    """A JSON object whose values may be pieces (an iterator of str, :func:`array_chunks`)."""
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
