"""Translate the ECMAScript subset SCXML charts use in ``cond`` and ``expr`` into archctl text.

A chart's conditions are JavaScript; archctl can check the part that is also its own
language: numbers, strings, booleans, data names, ``=== !== == != < <= > >=``, ``&& || !``,
``+ - *`` and parentheses, plus SCXML's ``In('state')``, which becomes a boolean name the
flattener fixes per configuration. Anything else (calls, member access, ``_event``, ``/``,
the conditional operator...) is refused with the offset of the first thing not understood,
so the importer can report an LD009 at that column instead of guessing. Each output piece
remembers the offset it came from, so a type error in the translation points back into the
original attribute.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

_TOKEN = re.compile(
    r"""(?P<space>\s+)
      | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<number>\d+(?:\.\d+)?(?![\w.]))
      | (?P<name>[A-Za-z_$][\w$]*)
      | (?P<op>===|!==|==|!=|<=|>=|&&|\|\||[<>!+\-*()])
    """,
    re.VERBOSE,
)
_OPS = {"===": "==", "!==": "!=", "&&": "and", "||": "or"}
_WORDS = {"true": "true", "false": "false"}
_REFUSED_WORDS = {"null", "undefined", "typeof", "new", "this", "function", "void", "delete"}
_IN_CALL = re.compile(r"In\s*\(\s*(?:'([^']*)'|\"([^\"]*)\"|([\w.\-]+))\s*\)")


class Untranslatable(Exception):
    """The text leaves the subset; ``offset`` is where, ``reason`` what was met."""

    def __init__(self, reason: str, offset: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.offset = offset


@dataclass
class Translation:
    """archctl text, the original offset of each output piece, and the ``In()`` state ids."""

    text: str = ""
    starts: list[int] = field(default_factory=list)  # output offsets where pieces begin
    origins: list[int] = field(default_factory=list)  # their offsets in the original
    in_states: list[str] = field(default_factory=list)

    def emit(self, piece: str, origin: int) -> None:
        if self.text and not self.text.endswith((" ", "(")) and piece not in (")",):
            self.text += " "
        self.starts.append(len(self.text))
        self.origins.append(origin)
        self.text += piece

    def original(self, offset: int) -> int:
        """The offset in the original text that output ``offset`` was translated from."""
        index = max(0, bisect.bisect_right(self.starts, offset) - 1)
        if not self.starts:
            return 0
        return self.origins[index] + max(0, offset - self.starts[index])


def in_name(index: int) -> str:
    """The boolean name ``In('s')`` becomes for the state numbered ``index``."""
    return f"in__{index}"


def translate(text: str, state_index: dict[str, int]) -> Translation:
    """archctl text for ECMAScript ``text``; raises :class:`Untranslatable`."""
    out = Translation()
    depth = 0
    # ``!x`` binds tighter than comparisons in JS but ``not`` looser in archctl: ``!`` opens a
    # parenthesis that closes after its operand (at the paren depth where it was written)
    pending: list[int] = []
    position = 0

    def operand_done() -> None:
        while pending and pending[-1] == depth:
            pending.pop()
            out.emit(")", position)

    while position < len(text):
        call = _IN_CALL.match(text, position)
        if call is not None:
            state = next(group for group in call.groups() if group is not None)
            if state not in state_index:
                raise Untranslatable(f"In('{state}') names no state of the chart", position)
            out.in_states.append(state)
            out.emit(in_name(state_index[state]), position)
            position = call.end()
            operand_done()
            continue
        match = _TOKEN.match(text, position)
        if match is None:
            raise Untranslatable(f"'{text[position]}' is not in the supported subset", position)
        kind, value = match.lastgroup, match.group(0)
        if kind == "space":
            position = match.end()
            continue
        if kind == "string":
            body = value[1:-1]
            if value[0] == "'":
                body = body.replace("\\'", "'").replace('"', '\\"')
            out.emit(f'"{body}"', position)
        elif kind == "number":
            out.emit(value, position)
        elif kind == "name":
            _check_name(text, match.end(), value, position)
            out.emit(_WORDS.get(value, value), position)
        elif value == "!":
            pending.append(depth)
            out.emit("(not", position)
            position = match.end()
            continue
        elif value == "(":
            depth += 1
            out.emit("(", position)
            position = match.end()
            continue
        elif value == ")":
            depth -= 1
            if depth < 0:
                raise Untranslatable("')' without '('", position)
            out.emit(")", position)
        else:
            out.emit(_OPS.get(value, value), position)
            position = match.end()
            continue
        position = match.end()
        operand_done()
    if pending:
        raise Untranslatable("'!' without an operand", len(text))
    return out


def _check_name(text: str, end: int, name: str, position: int) -> None:
    if name in _REFUSED_WORDS:
        raise Untranslatable(f"'{name}' has no counterpart in archctl's expressions", position)
    if name.startswith(("_", "$")):
        raise Untranslatable(f"'{name}' is SCXML system data (not modelled)", position)
    rest = text[end:].lstrip()
    if rest.startswith("("):
        raise Untranslatable(f"calls '{name}(...)' (functions are not modelled)", position)
    if rest.startswith((".", "[")):
        raise Untranslatable(f"reads a member of '{name}' (objects are not modelled)", position)
