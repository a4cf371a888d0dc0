"""What a log reader yields: events, and the problems found while reading them.

Readers never stop at a bad line: a malformed record becomes a :class:`LogProblem` with its
line and column, is reported and counted, and reading goes on. Only a log that cannot be
read at all (no case column, no traces) is fatal, and that is a problem too, raised as
:class:`LogError` so the command can exit 2 with the location.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple


class LogEvent(NamedTuple):
    """One recorded event. ``seq`` is its position in the file (ties in time keep file order).

    A named tuple, not a dataclass: a log has millions of them and readers build them in
    their inner loop. ``attributes`` holds only the fields the replay asked for.
    """

    case: str
    activity: str
    time: float | None
    seq: int
    line: int | None
    attributes: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class LogProblem:
    """A record that could not be used: where it is and what is wrong."""

    line: int
    column: int
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "message": self.message}


class LogError(Exception):
    """The log as a whole cannot be read (exit 2): the first line that shows it, and why."""

    def __init__(self, problem: LogProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem
