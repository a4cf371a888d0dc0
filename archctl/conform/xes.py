"""XES (IEEE 1849) logs, streamed with a hardened expat parser.

A log of millions of events must not be held as a tree, so the reader is event driven:
it yields each trace's events when the trace element closes. DTDs and entity declarations
are refused (billion laughs, external entities), as defusedxml does for its parsers. The
case id is the trace's ``concept:name``, the activity the event's ``concept:name`` and the
time its ``time:timestamp``; other attributes of an event are kept for variable matching.
"""

from __future__ import annotations

import xml.parsers.expat
from collections.abc import Iterator
from typing import IO, Any

from archctl.conform.events import LogError, LogEvent, LogProblem
from archctl.conform.readers import Report
from archctl.conform.timestamps import parse_time

_TYPED = {"string", "date", "int", "float", "boolean", "id"}
_CHUNK = 1 << 16


class _Refused(Exception):
    pass


def read_xes(
    stream: IO[bytes], report: Report, watched: frozenset[str] = frozenset()
) -> Iterator[LogEvent]:
    state = _State(report, watched)
    parser = xml.parsers.expat.ParserCreate()
    parser.StartElementHandler = lambda name, attrs: state.start(name, attrs, parser)
    parser.EndElementHandler = lambda name: state.end(name, parser)

    def refuse(*_args: Any) -> None:
        raise _Refused("DTDs and entity declarations are not allowed in a log")

    def refuse_external(*_args: Any) -> int:
        raise _Refused("external entities are not allowed in a log")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse_external
    while True:
        chunk = stream.read(_CHUNK)
        try:
            parser.Parse(chunk, not chunk)
        except xml.parsers.expat.ExpatError as error:
            raise LogError(
                LogProblem(error.lineno, error.offset + 1, f"malformed XES: {error}")
            ) from None
        except _Refused as error:
            raise LogError(
                LogProblem(parser.CurrentLineNumber, parser.CurrentColumnNumber + 1, str(error))
            ) from None
        yield from state.ready
        state.ready.clear()
        if not chunk:
            break
    if not state.saw_log:
        raise LogError(LogProblem(1, 1, "not an XES log: expected a <log> root element"))
    if not state.traces:
        raise LogError(LogProblem(1, 1, "the XES log has no <trace> element"))


class _State:
    def __init__(self, report: Report, watched: frozenset[str]) -> None:
        self.report = report
        self.watched = watched
        self.path: list[str] = []
        self.saw_log = False
        self.traces = 0
        self.seq = 0
        self.case: str | None = None
        self.case_line = 0
        self.pending: list[tuple[dict[str, Any], int, int]] = []
        self.event: dict[str, Any] | None = None
        self.event_at = (0, 0)
        self.ready: list[LogEvent] = []

    def start(self, name: str, attrs: dict[str, str], parser: Any) -> None:
        local = name.rsplit(":", 1)[-1]
        parent = self.path[-1] if self.path else None
        self.path.append(local)
        if local == "log" and parent is None:
            self.saw_log = True
        elif local == "trace" and parent == "log":
            self.traces += 1
            self.case, self.pending = None, []
            self.case_line = parser.CurrentLineNumber
        elif local == "event" and parent == "trace":
            self.event = {}
            self.event_at = (parser.CurrentLineNumber, parser.CurrentColumnNumber + 1)
        elif local in _TYPED and "key" in attrs:
            if parent == "event" and self.event is not None:
                self.event[attrs["key"]] = _typed(local, attrs.get("value"))
            elif parent == "trace" and attrs["key"] == "concept:name":
                self.case = attrs.get("value")

    def end(self, name: str, parser: Any) -> None:
        local = self.path.pop()
        if local == "event" and self.event is not None and self.path[-1:] == ["trace"]:
            self.pending.append((self.event, *self.event_at))
            self.event = None
        elif local == "trace" and self.path[-1:] == ["log"]:
            self._close_trace()

    def _close_trace(self) -> None:
        if self.case is None:
            self.report(
                LogProblem(self.case_line, 1, "a <trace> without concept:name (the case id)")
            )
            return
        for attrs, line, column in self.pending:
            activity = attrs.pop("concept:name", None)
            if not isinstance(activity, str) or not activity:
                self.report(LogProblem(line, column, "an <event> without concept:name"))
                continue
            stamp = attrs.pop("time:timestamp", None)
            when: float | None = None
            if stamp is not None:
                try:
                    when = parse_time(stamp)
                except ValueError as error:
                    self.report(LogProblem(line, column, str(error)))
                    continue
            attributes = tuple(sorted(kv for kv in attrs.items() if kv[0] in self.watched))
            self.ready.append(LogEvent(self.case, activity, when, self.seq, line, attributes))
            self.seq += 1


def _typed(kind: str, value: str | None) -> Any:
    if value is None:
        return None
    try:
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
    except ValueError:
        return value
    if kind == "boolean":
        return value.strip().lower() == "true"
    return value
