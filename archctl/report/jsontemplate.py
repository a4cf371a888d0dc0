"""Indented JSON by templates: the text of a fixed shape computed once, its leaves per use.

A SARIF result is a dozen nested objects whose keys and nesting are the same for every
finding; only leaves change (a message, a line number). Walking each object in Python to
indent it (:func:`archctl.report.jsonio.encode`) was most of the time of a large SARIF log.
A :class:`Template` is that encoder's own text for a skeleton whose leaves are holes,
split at the holes into one ``%``-format string, so a value of that shape is one C call.

The bytes are :func:`~archctl.report.jsonio.encode`'s (so ``json.dumps(indent=2)``'s) by
construction, provided each hole receives the JSON text of its value encoded at the hole's
indentation level (:attr:`Template.levels`): an int is its own text, a string goes through
``encode_basestring``, a container through ``encode(value, level)``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain, islice
from typing import Any, Final

from archctl.report.jsonio import (
    INDENT,
    SCALAR_TYPES,
    array_chunks,
    c_make_encoder,
    encode,
    encode_basestring,
)


class Hole:
    """Marks a leaf of a skeleton that is filled per use."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "HOLE"


HOLE: Final = Hole()


class Template:
    """A JSON value of one shape at one indentation level, with holes for its leaves."""

    __slots__ = ("_format", "levels", "pieces")

    def __init__(self, skeleton: Any, level: int = 0) -> None:
        sentinels: list[str] = []
        marked = _mark(skeleton, sentinels)
        text = encode(marked, level)
        pieces: list[str] = []
        levels: list[int] = []
        start = 0
        for sentinel in sentinels:
            token = encode_basestring(sentinel)
            at = text.find(token, start)
            if at < 0 or text.find(token, at + len(token)) >= 0:
                raise ValueError(f"a template's literal text holds its hole marker {token}")
            piece = text[start:at]
            pieces.append(piece)
            newline = text.rfind("\n", 0, at)
            # a hole on its own line (an array member) or after ``"key": `` on a member
            # line is encoded at that line's indentation; the skeleton itself, at ``level``
            line = text[newline + 1 : at]
            levels.append(len(line) - len(line.lstrip(" ")) if newline >= 0 else level * 2)
            start = at + len(token)
        pieces.append(text[start:])
        #: the literal text around and between the holes
        self.pieces: tuple[str, ...] = tuple(pieces)
        self._format = "%s".join(piece.replace("%", "%%") for piece in pieces)
        self.levels: tuple[int, ...] = tuple(indent // len(INDENT) for indent in levels)

    def fill(self, *texts: str | int) -> str:
        """The value with each hole, in document order, replaced by its JSON text."""
        return self._format % texts

    def fill_rows(self, rows: Iterable[Sequence[Any]]) -> list[str]:
        """One value per row of scalar leaves (str, int, float, bool, None), which are
        JSON-encoded here, the leaves of all rows in one C call."""
        width = len(self.levels)
        texts = leaf_texts(list(chain.from_iterable(rows)))
        form = self._format
        return [form % tuple(texts[at : at + width]) for at in range(0, len(texts), width)]


def _mark(value: Any, sentinels: list[str]) -> Any:
    """``value`` with each hole replaced by a fresh sentinel string, in encoding order."""
    if value is HOLE:
        sentinel = f"\0{len(sentinels)}\0"  # NUL: in no path, name or message of ours
        sentinels.append(sentinel)
        return sentinel
    if isinstance(value, dict):
        return {key: _mark(member, sentinels) for key, member in value.items()}
    if isinstance(value, (list, tuple)):
        return [_mark(member, sentinels) for member in value]
    return value


#: a JSON array's item separator that no encoded value holds (a string's NUL is ``\\u0000``)
_SEPARATOR = "\0"
if c_make_encoder is None:  # no C accelerator (PyPy): json's own encoder, same bytes
    _plain = json.JSONEncoder(ensure_ascii=False, separators=(_SEPARATOR, ": "))

    def _leaves(values: list[Any], _: int) -> Sequence[str]:
        return (_plain.encode(values),)

else:
    _leaves = c_make_encoder(
        None, None, encode_basestring, None, ": ", _SEPARATOR, False, False, True
    )


def leaf_texts(values: list[Any]) -> list[str]:
    """The JSON text of each scalar in ``values``: one C call for all of them."""
    if not values:
        return []
    if not SCALAR_TYPES.issuperset(map(type, values)):
        raise TypeError("leaf_texts encodes scalars only (str, int, float, bool, None)")
    return "".join(_leaves(values, 0))[1:-1].split(_SEPARATOR)


@functools.lru_cache(maxsize=256)
def _object(keys: tuple[Any, ...], level: int) -> Template:
    return Template(dict.fromkeys(keys, HOLE), level)


def objects(values: Iterable[dict[Any, Any]], level: int, batch: int = 1024) -> Iterator[list[str]]:
    """Each dict encoded at ``level``, as :func:`~archctl.report.jsonio.encode` would, a
    list per ``batch`` dicts: through one template per key tuple, the scalar members of a
    batch in one C call, nested members one by one."""
    iterator = iter(values)
    while chunk := list(islice(iterator, batch)):
        templates = [_object(tuple(value), level) for value in chunk]
        members = list(chain.from_iterable(value.values() for value in chunk))
        nested = [at for at, kind in enumerate(map(type, members)) if kind not in SCALAR_TYPES]
        originals = [members[at] for at in nested]
        for at in nested:
            members[at] = None
        texts = leaf_texts(members)
        for at, member in zip(nested, originals, strict=True):
            texts[at] = encode(member, level + 1)
        out = []
        start = 0
        for template in templates:
            end = start + len(template.levels)
            out.append(template.fill(*texts[start:end]))
            start = end
        yield out


def array_text(members: Sequence[str], level: int) -> str:
    """A JSON array at ``level`` of members already encoded at ``level + 1``."""
    return "".join(array_chunks((members,), level))
