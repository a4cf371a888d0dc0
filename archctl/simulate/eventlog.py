"""``--events-out``: the process-mining event log of a simulation (JSON Lines, CSV, XES).

One event per activity occurrence, in exactly the formats ``archctl conform`` reads
(docs/conform.md), so a simulated log can be checked against its own spec, and exported to
process-mining tools. A workflow's activities are its tasks: a task that completes, one
whose last attempt fails into its ``on_error`` handler, and one whose failure ends the
instance. Times are the virtual clock in milliseconds (XES: an ISO timestamp from the
epoch). The detailed step records (tokens, attempts, routes) are ``--trace-out``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import IO, Any
from xml.sax.saxutils import quoteattr

from archctl.evidence import json_value
from archctl.simulate.gateways import Record

#: one activity event: case id, activity, time in ms, extra attributes (sorted)
Activity = tuple[str, str, float, tuple[tuple[str, Any], ...]]

_ACTIVITY_RECORDS = {"complete": "ok", "error": "error"}


def workflow_activities(instance: int, records: Sequence[Record]) -> list[Activity]:
    """The activity events of one simulated workflow instance, in time order."""
    case = str(instance)
    out: list[Activity] = []
    last_attempt: str | None = None
    for t, event, node, _attempt, outcome, data, _tokens in records:
        if "/" in node:  # inside a subprocess: the parent's task is the activity
            continue
        if event == "attempt":
            last_attempt = node
        elif event in _ACTIVITY_RECORDS:
            attributes: list[tuple[str, Any]] = [("outcome", _ACTIVITY_RECORDS[event])]
            if event == "complete" and isinstance(data, dict):
                attributes.extend((k, json_value(v)) for k, v in sorted(data.items()))
            out.append((case, node, round(t, 3), tuple(attributes)))
        elif event == "finish" and outcome == "(failed)" and last_attempt is not None:
            out.append((case, last_attempt, round(t, 3), (("outcome", "failed"),)))
    return out


class EventLogWriter:
    """Writes activity events to a file in the format its extension names."""

    def __init__(self, sink: IO[str], path: str) -> None:
        self.sink = sink
        self.format = _format(path)
        self._csv: Any = None
        self._trace: str | None = None
        if self.format == "csv":
            self._csv = csv.writer(sink, lineterminator="\n")
            self._csv.writerow(["case", "activity", "time", "outcome"])
        elif self.format == "xes":
            sink.write(
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                '<log xes.version="1849-2016" xmlns="http://www.xes-standard.org/">\n'
                '  <extension name="Concept" prefix="concept" '
                'uri="http://www.xes-standard.org/concept.xesext"/>\n'
                '  <extension name="Time" prefix="time" '
                'uri="http://www.xes-standard.org/time.xesext"/>\n'
            )

    def write(self, events: Iterable[Activity]) -> None:
        if self.format == "csv":
            for case, activity, t, attributes in events:
                outcome = dict(attributes).get("outcome", "")
                self._csv.writerow([case, activity, _number(t), outcome])
        elif self.format == "xes":
            for case, activity, t, attributes in events:
                self._xes_event(case, activity, t, attributes)
        else:
            for case, activity, t, attributes in events:
                record: dict[str, Any] = {"case": case, "activity": activity, "time": t}
                record.update(attributes)
                self.sink.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
                self.sink.write("\n")

    def _xes_event(
        self, case: str, activity: str, t: float, attributes: tuple[tuple[str, Any], ...]
    ) -> None:
        if case != self._trace:
            if self._trace is not None:
                self.sink.write("  </trace>\n")
            self.sink.write(
                f'  <trace>\n    <string key="concept:name" value={quoteattr(case)}/>\n'
            )
            self._trace = case
        self.sink.write("    <event>\n")
        self.sink.write(f'      <string key="concept:name" value={quoteattr(activity)}/>\n')
        self.sink.write(f'      <date key="time:timestamp" value="{_iso(t)}"/>\n')
        for key, value in attributes:
            self.sink.write(f"      {_xes_attribute(key, value)}\n")
        self.sink.write("    </event>\n")

    def close(self) -> None:
        if self.format == "xes":
            if self._trace is not None:
                self.sink.write("  </trace>\n")
            self.sink.write("</log>\n")


def _format(path: str) -> str:
    lower = path.lower()
    if lower.endswith(".csv"):
        return "csv"
    if lower.endswith(".xes"):
        return "xes"
    return "jsonl"


def _number(t: float) -> str:
    return repr(int(t)) if float(t).is_integer() else repr(t)


def _iso(ms: float) -> str:
    moment = datetime.fromtimestamp(ms / 1000.0, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _xes_attribute(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return f'<boolean key={quoteattr(key)} value="{"true" if value else "false"}"/>'
    if isinstance(value, int):
        return f'<int key={quoteattr(key)} value="{value}"/>'
    if isinstance(value, float):
        return f'<float key={quoteattr(key)} value="{value!r}"/>'
    return f"<string key={quoteattr(key)} value={quoteattr(str(value))}/>"
