"""Source files and spans.

Every model element and every diagnostic carries a :class:`Span` so that findings point at
the user's own line and column. This module has no dependencies so every layer can use it.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A region of a file; lines and columns are 1-based, the end is the last character."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    @staticmethod
    def point(file: str, line: int, column: int) -> Span:
        return Span(file, line, column, line, column)


@dataclass(frozen=True)
class SourceFile:
    """The text of one input file, with a fast offset -> (line, column) mapping."""

    path: str
    text: str
    _line_starts: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        starts = [0]
        find = self.text.find
        pos = find("\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = find("\n", pos + 1)
        object.__setattr__(self, "_line_starts", tuple(starts))

    def position(self, offset: int) -> tuple[int, int]:
        """Return the 1-based (line, column) of a character offset."""
        index = bisect.bisect_right(self._line_starts, offset) - 1
        return index + 1, offset - self._line_starts[index] + 1

    def span(self, start: int, end: int) -> Span:
        """Span of the characters ``text[start:end]`` (end exclusive)."""
        line, column = self.position(start)
        end_line, end_column = self.position(max(start, end - 1))
        return Span(self.path, line, column, end_line, end_column)

    def line_text(self, line: int) -> str:
        """The text of a 1-based line without its newline ('' past the end)."""
        if line < 1 or line > len(self._line_starts):
            return ""
        start = self._line_starts[line - 1]
        end = self.text.find("\n", start)
        return self.text[start:] if end == -1 else self.text[start:end]
