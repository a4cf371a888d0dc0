"""Carry a file's comments through ``convert`` and ``fmt``.

Comments are not part of the model, so the printers place them by source line: every model
element keeps the span of the line it came from, and a comment is printed just before the
first element printed after it (or at the end of that element's line, when it trailed it).
Nothing is dropped: comments left over at the end are printed at the end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass
class _Comment:
    line: int
    text: str
    own_line: bool


_BLOCK_SCALAR = re.compile(r"(:|^\s*-)\s*[|>][-+0-9]*\s*(#.*)?$")
_DSL_SPEC = re.compile(r"^\s*(statemachine|workflow|plugins|policy)\s")
_YAML_SPEC = re.compile(r"^(---|kind\s*:)")


class Comments:
    """The ``#`` comments of a DSL (or, with ``yaml=True``, YAML) text, in line order.

    Statements the model keeps no span for (``initial``, ``combine``, ``version``, ...) are
    found by :meth:`anchor`, so a comment above them stays above them.
    """

    def __init__(self, text: str, yaml: bool = False) -> None:
        self._items: list[_Comment] = []
        self._yaml = yaml
        self._lines = text.splitlines()
        block_parent: int | None = None  # indent of a YAML key whose value is a `|`/`>` block
        for number, line in enumerate(self._lines, 1):
            indent = len(line) - len(line.lstrip())
            if block_parent is not None:
                if not line.strip() or indent > block_parent:
                    continue  # text of a block scalar: a '#' there is content, not a comment
                block_parent = None
            if yaml and _BLOCK_SCALAR.search(line):
                block_parent = indent
            start = _comment_start(line, yaml)
            if start is not None:
                body = line[start:].rstrip()
                self._items.append(_Comment(number, body, not line[:start].strip()))

    def before(self, line: int) -> list[str]:
        """Comments above ``line`` not printed yet (taken out of the pool)."""
        taken = [item for item in self._items if item.line < line]
        self._items = [item for item in self._items if item.line >= line]
        return [item.text for item in taken]

    def trailing(self, line: int) -> str | None:
        """The comment at the end of ``line``, if any (taken out of the pool)."""
        for item in self._items:
            if item.line == line and not item.own_line:
                self._items.remove(item)
                return item.text
        return None

    def anchor(self, spec_line: int, word: str) -> int | None:
        """Line of the ``word`` statement (DSL) or top-level ``word:`` key (YAML) of a spec."""
        if self._yaml:
            pattern = re.compile(rf"^{re.escape(word)}\s*:")
        else:
            pattern = re.compile(rf"^\s*{re.escape(word)}\s+(?!->|,)\S")
        for number in range(spec_line + 1, len(self._lines) + 1):
            line = self._lines[number - 1]
            if (_YAML_SPEC if self._yaml else _DSL_SPEC).match(line):
                return None
            if pattern.match(line):
                return number
        return None

    def block_end(self, spec_line: int) -> int | None:
        """Line of the ``}`` closing the DSL block that starts at ``spec_line``."""
        if self._yaml:
            return None
        end = None
        for number in range(spec_line + 1, len(self._lines) + 1):
            line = self._lines[number - 1]
            if _DSL_SPEC.match(line):
                break
            if line.strip() == "}":
                end = number
        return end

    def rest(self) -> list[str]:
        taken = [item.text for item in self._items]
        self._items = []
        return taken


def _comment_start(line: str, yaml: bool) -> int | None:
    """Index of the ``#`` that starts a comment (not one inside a quoted string)."""
    quote: str | None = None
    index = 0
    while index < len(line):
        char = line[index]
        if quote is not None:
            if char == "\\" and quote == '"':
                index += 2
                continue
            if char == quote:
                if quote == "'" and line[index + 1 : index + 2] == "'":
                    index += 2
                    continue
                quote = None
        elif char in "\"'" and (not yaml or _starts_scalar(line, index)) and (yaml or char == '"'):
            quote = char
        elif char == "#" and (not yaml or index == 0 or line[index - 1] in " \t"):
            return index
        index += 1
    return None


def _starts_scalar(line: str, index: int) -> bool:
    before = line[:index].rstrip()
    return not before or before[-1] in ":-[{,?"


class Layout:
    """Lines of output with the comment pool applied: ``add(text, line, indent)``."""

    def __init__(self, comments: Comments | None) -> None:
        self.comments = comments
        self.lines: list[str] = []

    def add(self, text: str, line: int | None = None, indent: str = "") -> None:
        if self.comments is not None and line is not None:
            pad = indent + text[: len(text) - len(text.lstrip(" "))]
            self.lines.extend(pad + comment for comment in self.comments.before(line))
            trailing = self.comments.trailing(line)
            if trailing is not None:
                text = f"{text}  {trailing}" if text else trailing
        self.lines.append(indent + text if text else "")

    def anchor(self, spec_line: int, word: str) -> int | None:
        return None if self.comments is None else self.comments.anchor(spec_line, word)

    def close(self, spec_line: int, text: str = "}", indent: str = "  ") -> None:
        """End a DSL block: comments still inside it are printed before its ``}``."""
        end = None if self.comments is None else self.comments.block_end(spec_line)
        if self.comments is not None and end is not None:
            self.lines.extend(indent + comment for comment in self.comments.before(end))
        self.add(text, end)

    def finish(self) -> str:
        if self.comments is not None:
            self.lines.extend(self.comments.rest())
        return "\n".join(self.lines) + "\n"
