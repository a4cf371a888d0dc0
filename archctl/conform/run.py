"""Read a log, group it into cases, replay each distinct trace once, and collect results.

Cases are independent, and real logs repeat a few hundred *variants* (distinct activity
sequences) over many thousands of cases, so each variant is replayed, aligned and counted
once and its result shared. Per case only its events' activities, lines and times are
kept, in compact arrays; an XES log arrives a trace at a time.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from archctl.conform.align import align
from archctl.conform.events import LogError, LogEvent, LogProblem
from archctl.conform.machine import MachineSemantics
from archctl.conform.outcome import Alignment, Deviation, Tokens
from archctl.conform.readers import Columns, read_csv, read_jsonl
from archctl.conform.replay import Replayer
from archctl.conform.semantics import Attributes, Semantics
from archctl.conform.system import SystemSemantics
from archctl.conform.tokens import TokenReplayer, fitness
from archctl.conform.workflow_net import WorkflowSemantics, build_workflow_net
from archctl.conform.xes import read_xes
from archctl.model.statemachine import StateMachine
from archctl.model.system import System
from archctl.model.workflow import Workflow

FORMATS = ("jsonl", "csv", "xes")


@dataclass(frozen=True)
class CaseDeviation:
    case: str
    deviation: Deviation
    line: int | None
    activity: str | None
    alignment: Alignment | None


@dataclass
class ConformResult:
    spec: str
    kind: str
    cases: int = 0
    fitting: int = 0
    fitness: float = 1.0
    deviations: list[CaseDeviation] = field(default_factory=list)
    problems: list[LogProblem] = field(default_factory=list)
    aligned: bool = False
    #: cases whose alignment search hit its bound (no cost reported for them)
    unaligned: int = 0


def watched_fields(spec: StateMachine | Workflow | System) -> frozenset[str]:
    """The log fields replay compares: a state machine's variables (workflows: none)."""
    if isinstance(spec, StateMachine):
        return frozenset(variable.name for variable in spec.variables)
    return frozenset()


def log_format(path: str, explicit: str | None) -> str:
    if explicit is not None:
        return explicit
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix == ".xes":
        return "xes"
    return "jsonl"


def read_log(
    stream: IO[bytes], fmt: str, columns: Columns, problems: list[LogProblem]
) -> Iterable[LogEvent]:
    if fmt == "xes":
        return read_xes(stream, problems.append, columns.watched)
    import io

    text = io.TextIOWrapper(stream, encoding="utf-8", errors="replace", newline="")
    if fmt == "csv":
        return read_csv(text, columns, problems.append)
    return read_jsonl(text, columns, problems.append)


class _Case:
    __slots__ = ("activities", "attributes", "lines", "timed", "times")

    def __init__(self) -> None:
        self.activities: list[str] = []
        self.lines = array("q")
        self.times = array("d")
        self.timed = True
        self.attributes: list[Attributes] | None = None


def conform(
    spec: StateMachine | Workflow | System,
    events: Iterable[LogEvent],
    problems: list[LogProblem],
    *,
    with_alignments: bool = False,
    machines: Mapping[str, StateMachine] | None = None,
) -> ConformResult:
    """Replay every case of ``events`` on ``spec``. Raises LogError for an unreadable log.

    ``machines`` are the component machines a system names (from the same load).
    """
    semantics: Semantics
    tokens: TokenReplayer | None = None
    if isinstance(spec, Workflow):
        workflow = WorkflowSemantics(build_workflow_net(spec))
        semantics, tokens = workflow, TokenReplayer(workflow)
    elif isinstance(spec, System):
        semantics = SystemSemantics(spec, machines or {})
    else:
        semantics = MachineSemantics(spec)
    cases: dict[str, _Case] = {}
    names: dict[str, str] = {}
    for event in events:
        case = cases.get(event.case)
        if case is None:
            case = cases[event.case] = _Case()
        activity = names.get(event.activity)
        if activity is None:
            activity = names[event.activity] = event.activity
        case.activities.append(activity)
        case.lines.append(event.line or 0)
        if event.time is None:
            case.timed = False
        else:
            case.times.append(event.time)
        if event.attributes or case.attributes is not None:
            if case.attributes is None:
                case.attributes = [() for _ in range(len(case.activities) - 1)]
            case.attributes.append(event.attributes)
    if not cases and problems:
        raise LogError(problems[0])
    result = ConformResult(spec.name, spec.kind, aligned=with_alignments)
    replayer = Replayer(semantics)
    verdicts: dict[Any, tuple[Deviation | None, Tokens | None, Alignment | None]] = {}
    weights: dict[Any, int] = {}
    for case_id, case in cases.items():
        order = _order(case)
        activities = tuple(case.activities[i] for i in order)
        data = tuple(case.attributes[i] for i in order) if case.attributes is not None else None
        key = (activities, data)
        verdict = verdicts.get(key)
        if verdict is None:
            deviation = replayer.replay(activities, data)
            counted = tokens.replay(activities) if tokens is not None else None
            if counted is not None and deviation is None:
                # exact replay found a run: no token is missing or left on it (the greedy
                # token game may have picked a wrong silent branch on the way)
                counted = Tokens(counted.produced, counted.consumed, 0, 0)
            aligned = (
                align(semantics, activities, data)
                if with_alignments and deviation is not None
                else None
            )
            verdict = verdicts[key] = (deviation, counted, aligned)
        weights[key] = weights.get(key, 0) + 1
        result.cases += 1
        deviation, _counted, aligned = verdict
        if deviation is None:
            result.fitting += 1
            continue
        if with_alignments and aligned is None:
            result.unaligned += 1
        at = deviation.index
        inside = at < len(order)
        result.deviations.append(
            CaseDeviation(
                case_id,
                deviation,
                case.lines[order[at]] or None if inside else None,
                activities[at] if inside else None,
                aligned,
            )
        )
    if tokens is not None:
        result.fitness = fitness(
            [(v[1], weights[k]) for k, v in verdicts.items() if v[1] is not None]
        )
    else:
        result.fitness = result.fitting / result.cases if result.cases else 1.0
    return result


def _order(case: _Case) -> list[int]:
    """Event order in a case: by time, ties (and untimed logs) in file order."""
    count = len(case.activities)
    if not case.timed or all(case.times[i] <= case.times[i + 1] for i in range(count - 1)):
        return list(range(count))
    return sorted(range(count), key=lambda i: (case.times[i], i))
