"""Read a log as a stream, replay every case as its events arrive, and collect results.

Memory grows with the number of cases, not with the events: a case keeps only where its
replay is (an interned set of configurations, a token-game state), where its first
deviation was, and, with ``--align``, a node of a shared prefix tree of its activities
(real logs repeat a few hundred *variants*, so the tree stays small; alignments are
computed once per variant from it). Every step is memoised, so a million events cost a
few dictionary look-ups each.
A case whose events arrive out of time order is set aside and, after the stream, its
events alone are read again, sorted and replayed; only those are held in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from archctl.conform.align import align
from archctl.conform.events import LogError, LogEvent, LogProblem
from archctl.conform.machine import MachineSemantics
from archctl.conform.outcome import INCOMPLETE, Alignment, Deviation, Tokens
from archctl.conform.readers import Columns, read_csv, read_jsonl
from archctl.conform.replay import Replayer
from archctl.conform.semantics import Attributes, Semantics
from archctl.conform.system import SystemSemantics
from archctl.conform.tokens import Counts, TokenReplayer, fitness
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


class _Trie:
    """A shared prefix tree of (activity, logged data) steps: one node per distinct prefix."""

    def __init__(self) -> None:
        self.parent: list[int] = [-1]
        self.step: list[tuple[str, Attributes]] = [("", ())]
        self.children: dict[tuple[int, str, Attributes], int] = {}

    def child(self, node: int, activity: str, data: Attributes) -> int:
        key = (node, activity, data)
        found = self.children.get(key)
        if found is None:
            found = self.children[key] = len(self.parent)
            self.parent.append(node)
            self.step.append((activity, data))
        return found

    def path(self, node: int) -> tuple[tuple[str, ...], tuple[Attributes, ...]]:
        steps: list[tuple[str, Attributes]] = []
        while node > 0:
            steps.append(self.step[node])
            node = self.parent[node]
        steps.reverse()
        return tuple(a for a, _ in steps), tuple(d for _, d in steps)


class _Case:
    __slots__ = ("activity", "count", "deviation", "line", "node", "set_id", "time", "tokens")

    def __init__(self, set_id: int, tokens: Counts | None) -> None:
        self.set_id = set_id
        self.tokens = tokens
        self.node = 0
        self.count = 0
        self.time: float | None = None
        self.deviation: Deviation | None = None
        self.line: int | None = None
        self.activity: str | None = None


def conform(
    spec: StateMachine | Workflow | System,
    events: Callable[[], Iterable[LogEvent]],
    problems: list[LogProblem],
    *,
    with_alignments: bool = False,
    machines: Mapping[str, StateMachine] | None = None,
) -> ConformResult:
    """Replay every case of the log on ``spec``. Raises LogError for an unreadable log.

    ``events()`` streams the log; it is called a second time only when some case's events
    are out of time order. ``machines`` are the component machines a system names.
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
    replayer = Replayer(semantics)
    trie = _Trie() if with_alignments else None  # only alignments need the traces back
    start_tokens = tokens.start() if tokens is not None else None
    cases: dict[str, _Case] = {}
    unsorted: set[str] = set()
    for event in events():
        case = cases.get(event.case)
        if case is None:
            case = cases[event.case] = _Case(replayer.start, start_tokens)
        elif event.case in unsorted:
            continue
        if event.time is not None:
            if case.time is not None and event.time < case.time:
                unsorted.add(event.case)
                continue
            case.time = event.time
        _advance(case, event.activity, event.attributes, event.line, replayer, tokens, trie)
    if not cases and problems:
        raise LogError(problems[0])
    if unsorted:
        _replay_unsorted(cases, unsorted, events, replayer, tokens, trie)
    return _collect(spec, cases, replayer, tokens, trie, semantics, with_alignments)


def _advance(
    case: _Case,
    activity: str,
    data: Attributes,
    line: int | None,
    replayer: Replayer,
    tokens: TokenReplayer | None,
    trie: _Trie | None,
) -> None:
    if trie is not None:
        case.node = trie.child(case.node, activity, data)
    if case.deviation is None:
        after = replayer.step(case.set_id, activity, data)
        if replayer.is_empty(after):
            case.deviation = replayer.deviation(case.set_id, case.count, activity, data)
            case.line, case.activity = line, activity
        else:
            case.set_id = after
    if tokens is not None and case.tokens is not None:
        case.tokens = tokens.advance(case.tokens, activity)
    case.count += 1


def _replay_unsorted(
    cases: dict[str, _Case],
    unsorted: set[str],
    events: Callable[[], Iterable[LogEvent]],
    replayer: Replayer,
    tokens: TokenReplayer | None,
    trie: _Trie | None,
) -> None:
    """Read the log again for the out-of-order cases only; sort and replay each."""
    held: dict[str, list[LogEvent]] = {case: [] for case in unsorted}
    for event in events():
        bucket = held.get(event.case)
        if bucket is not None:
            bucket.append(event)
    start_tokens = tokens.start() if tokens is not None else None
    for name, bucket in held.items():
        timed = all(e.time is not None for e in bucket)
        ordered = sorted(bucket, key=lambda e: (e.time, e.seq)) if timed else bucket
        case = cases[name] = _Case(replayer.start, start_tokens)
        for event in ordered:
            _advance(case, event.activity, event.attributes, event.line, replayer, tokens, trie)


def _collect(
    spec: StateMachine | Workflow | System,
    cases: dict[str, _Case],
    replayer: Replayer,
    tokens: TokenReplayer | None,
    trie: _Trie | None,
    semantics: Semantics,
    with_alignments: bool,
) -> ConformResult:
    result = ConformResult(spec.name, spec.kind, aligned=with_alignments)
    counted: list[tuple[Tokens, int]] = []
    finished: dict[Counts, Tokens] = {}
    alignments: dict[int, Alignment | None] = {}
    for name, case in cases.items():
        result.cases += 1
        deviation = case.deviation
        if deviation is None and not replayer.can_end(case.set_id):
            deviation = Deviation(INCOMPLETE, case.count, replayer.allowed(case.set_id))
        if tokens is not None and case.tokens is not None:
            final = finished.get(case.tokens)
            if final is None:
                final = finished[case.tokens] = tokens.finish(case.tokens)
            if deviation is None:
                # exact replay found a run: no token is missing or left on it (the greedy
                # token game may have picked a wrong silent branch on the way)
                final = Tokens(final.produced, final.consumed, 0, 0)
            counted.append((final, 1))
        if deviation is None:
            result.fitting += 1
            continue
        aligned: Alignment | None = None
        if trie is not None:
            if case.node not in alignments:
                activities, data = trie.path(case.node)
                has_data = any(data)
                alignments[case.node] = align(semantics, activities, data if has_data else None)
            aligned = alignments[case.node]
            if aligned is None:
                result.unaligned += 1
        result.deviations.append(CaseDeviation(name, deviation, case.line, case.activity, aligned))
    if tokens is not None:
        result.fitness = fitness(counted)
    else:
        result.fitness = result.fitting / result.cases if result.cases else 1.0
    return result
