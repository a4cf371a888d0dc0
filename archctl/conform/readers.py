"""JSON Lines and CSV logs, read as streams of events with per-line problems.

Both formats are line oriented, so every event knows its 1-based line and every problem
its line and column. The XES reader lives in :mod:`archctl.conform.xes`.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from archctl.conform.events import LogError, LogEvent, LogProblem
from archctl.conform.timestamps import parse_time

Report = Callable[[LogProblem], None]


@dataclass(frozen=True)
class Columns:
    """Which fields hold the case id, the activity and the time (``--case`` and friends)."""

    case: str = "case"
    activity: str = "activity"
    time: str = "time"
    #: other fields to keep as attributes (a state machine's variable names)
    watched: frozenset[str] = frozenset()


def read_jsonl(stream: IO[str], columns: Columns, report: Report) -> Iterator[LogEvent]:
    seq = 0
    for number, raw in enumerate(stream, start=1):
        text = raw.strip()
        if not text:
            continue
        try:
            record = json.loads(text)
        except json.JSONDecodeError as error:
            report(LogProblem(number, error.colno, f"malformed JSON: {error.msg}"))
            continue
        if not isinstance(record, dict):
            report(LogProblem(number, 1, "expected a JSON object per line"))
            continue
        event = _event(record, columns, seq, number, report, _json_column(raw))
        if event is not None:
            seq += 1
            yield event


def _json_column(raw: str) -> Callable[[str], int]:
    def column(key: str) -> int:
        found = raw.find(f'"{key}"')
        return found + 1 if found >= 0 else 1

    return column


def read_csv(stream: IO[str], columns: Columns, report: Report) -> Iterator[LogEvent]:
    reader = csv.reader(stream)
    try:
        header = next(reader)
    except StopIteration:
        raise LogError(LogProblem(1, 1, "the CSV log is empty: expected a header line")) from None
    except csv.Error as error:
        raise LogError(LogProblem(1, 1, f"malformed CSV header: {error}")) from None
    names = [name.strip() for name in header]
    for wanted, option in ((columns.case, "--case"), (columns.activity, "--activity")):
        if wanted not in names:
            raise LogError(
                LogProblem(
                    1,
                    1,
                    f"the CSV header has no column '{wanted}' (columns: {', '.join(names)}); "
                    f"name the right one with {option}",
                )
            )
    case_at, activity_at = names.index(columns.case), names.index(columns.activity)
    time_at = names.index(columns.time) if columns.time in names else -1
    kept = [(name, i) for i, name in enumerate(names) if name in columns.watched]
    width = len(names)
    seq = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            report(LogProblem(reader.line_num, 1, f"malformed CSV: {error}"))
            continue
        line = reader.line_num
        if len(row) != width:
            if not row or all(not cell.strip() for cell in row):
                continue
            report(LogProblem(line, 1, f"expected {width} fields as in the header, got {len(row)}"))
            continue
        case, activity = row[case_at], row[activity_at].strip()
        if not case or not activity:
            missing = columns.case if not case else columns.activity
            column = (case_at if not case else activity_at) + 1
            report(LogProblem(line, column, f"the event has no '{missing}'"))
            continue
        when: float | None = None
        if time_at >= 0 and row[time_at]:
            raw = row[time_at]
            try:
                when = float(raw)
            except ValueError:
                try:
                    when = parse_time(raw)
                except ValueError as error:
                    report(LogProblem(line, time_at + 1, str(error)))
                    continue
        attributes = tuple((name, row[i]) for name, i in kept) if kept else ()
        yield LogEvent(case, activity, when, seq, line, attributes)
        seq += 1


def _event(
    record: dict[str, Any],
    columns: Columns,
    seq: int,
    line: int,
    report: Report,
    column: Callable[[str], int],
) -> LogEvent | None:
    case = record.get(columns.case)
    activity = record.get(columns.activity)
    if case is None or (isinstance(case, str) and not case.strip()):
        report(LogProblem(line, 1, f"the event has no '{columns.case}' (the case id)"))
        return None
    if not isinstance(activity, str) or not activity.strip():
        report(
            LogProblem(
                line, column(columns.activity), f"the event has no '{columns.activity}' (a string)"
            )
        )
        return None
    when: float | None = None
    raw_time = record.get(columns.time)
    if isinstance(raw_time, float):
        when = raw_time
    elif raw_time is not None and raw_time != "":
        try:
            when = parse_time(raw_time)
        except ValueError as error:
            report(LogProblem(line, column(columns.time), str(error)))
            return None
    watched = columns.watched
    attributes = tuple(sorted((k, v) for k, v in record.items() if k in watched)) if watched else ()
    return LogEvent(str(case), activity.strip(), when, seq, line, attributes)
