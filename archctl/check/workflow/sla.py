"""WF112 / WF113: the workflow's `sla` against its worst-case completion time.

The time of a run is computed on the token game itself, so gateways and data count exactly
as for soundness: a branch that no valuation takes is never part of a run. Tokens carry the
time they were produced; a task starts when its token arrives and finishes after its
worst-case time for the outcome taken (:mod:`timing`); a parallel join starts when its last
token arrives, so parallel branches overlap. A run ends when no token is left (or the
instance fails); its time is the latest end reached.

First the untimed game is explored: a cycle there is a loop a run may repeat without limit
(WF113 with the cycle), and a task that fires and has no bound is WF113 at the task. Only
then are the timed runs enumerated (the untimed graph is acyclic, so this ends), once with
worst-case and once with best-case times. The worst case over all runs is proved when it
is within the SLA ("proved": "worst case 3.8 s, best case 0.2 s"); otherwise WF112 carries
the slowest run, each step with its cumulative ``time_ms``.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from archctl import codes
from archctl.check import CheckContext
from archctl.check.scc import components
from archctl.check.workflow.data import DataModel, Values
from archctl.check.workflow.fire import ERROR, FAIL, Rules
from archctl.check.workflow.graph import Net
from archctl.check.workflow.net import Explorer, Key
from archctl.check.workflow.timing import TaskTime, seconds, task_times
from archctl.codes import default_severity
from archctl.diagnostics import Code, Diagnostic
from archctl.evidence import Cycle, Trace, TraceStep
from archctl.model.spec import Spec
from archctl.model.workflow import Node, Workflow
from archctl.source import Span

#: a timed token: (place, time it was produced in ms)
Token = tuple[int, float]
#: a timed state: tokens (None: the instance failed), valuation, latest end reached
State = tuple[tuple[Token, ...] | None, Values, float]


@dataclass(frozen=True)
class Firing:
    node: int
    outcome: str
    finish: float
    note: str


@dataclass
class Runs:
    """The extreme runs of one timing mode: their time and their firings in order."""

    worst: float = -1.0
    worst_run: tuple[Firing, ...] = ()
    best: float | None = None
    explored: int = 0
    bound_hit: bool = False


def check_sla(
    workflow: Workflow, net: Net, data: DataModel, context: CheckContext
) -> list[Diagnostic]:
    if workflow.sla_ms is None:
        return []
    sla = workflow.sla_ms
    explored = Explorer(net, data, context.options.max_states, reduce=False).run()
    if explored.bound_hit or explored.unsafe_stop:
        message = "the SLA is not proved: the token game stopped at its bound"
        return [_diagnostic(workflow, codes.WF901, message, workflow.name)]
    fired = {node for node, _ in explored.via if node >= 0} | set(explored.fired)
    out: list[Diagnostic] = []
    times: dict[int, tuple[TaskTime, TaskTime]] = {}
    for index in sorted(fired):
        node = net.nodes[index]
        if node.type != "task":
            continue
        found = task_times(node, lambda name: process_time(name, context.specs, (workflow.name,)))
        if found is None:
            out.append(
                _diagnostic(
                    workflow,
                    codes.WF113,
                    f"task '{node.id}' has no time bound (no deadline, "
                    f"{_why_unbounded(node)}), so sla {seconds(sla)} cannot be proved",
                    node.id,
                    span=node.span,
                )
            )
        else:
            times[index] = found
    cycle = _cycle(net, explored.keys, explored.succ)
    if cycle:
        out.append(
            _diagnostic(
                workflow,
                codes.WF113,
                "a loop may repeat without limit, so the workflow has no time bound for sla "
                f"{seconds(sla)}",
                min(cycle),
                evidence=Cycle(tuple(cycle)),
            )
        )
    if out:
        return out
    rules = Rules(net, data)
    worst = _runs(net, rules, data, times, 0, context.options.max_states)
    best = _runs(net, rules, data, times, 1, context.options.max_states)
    if worst.bound_hit or best.bound_hit:
        message = (
            "the SLA is not proved: more timed runs than the bound of "
            f"{context.options.max_states:,} states"
        )
        return [_diagnostic(workflow, codes.WF901, message, workflow.name)]
    best_text = "" if best.best is None else f", best case {seconds(best.best)}"
    if worst.worst <= sla:
        context.prove(
            workflow.name,
            codes.WF112,
            workflow.name,
            "timed token game",
            f"worst case {seconds(max(worst.worst, 0.0))}{best_text} (sla {seconds(sla)})",
        )
        return []
    return [
        _diagnostic(
            workflow,
            codes.WF112,
            f"a run can take {seconds(worst.worst)}, over the sla of {seconds(sla)}{best_text}",
            workflow.name,
            evidence=_trace(net, worst.worst_run),
        )
    ]


def process_time(
    name: str, specs: Sequence[Spec], stack: tuple[str, ...]
) -> tuple[float, float] | None:
    """(worst, best) of a subprocess's workflow; None when unbounded, missing or recursive."""
    if name in stack:
        return None  # WF111 reports the recursion
    target = next((s for s in specs if isinstance(s, Workflow) and s.name == name), None)
    if target is None:
        return None
    from archctl.check.workflow.data import build_data
    from archctl.check.workflow.graph import build_net

    net = build_net(target)
    if len(net.starts) != 1:
        return None
    data = build_data(target, 10_000)
    if data.undecided:
        return None
    explored = Explorer(net, data, 200_000, reduce=False).run()
    if explored.bound_hit or explored.unsafe_stop or _cycle(net, explored.keys, explored.succ):
        return None
    times: dict[int, tuple[TaskTime, TaskTime]] = {}
    fired = {node for node, _ in explored.via if node >= 0} | set(explored.fired)
    for index in fired:
        node = net.nodes[index]
        if node.type == "task":
            found = task_times(node, lambda inner: process_time(inner, specs, (*stack, name)))
            if found is None:
                return None
            times[index] = found
    rules = Rules(net, data)
    worst = _runs(net, rules, data, times, 0, 200_000)
    best = _runs(net, rules, data, times, 1, 200_000)
    if worst.bound_hit or best.bound_hit:
        return None
    return max(worst.worst, 0.0), best.best if best.best is not None else 0.0


def _runs(
    net: Net,
    rules: Rules,
    data: DataModel,
    times: dict[int, tuple[TaskTime, TaskTime]],
    mode: int,
    limit: int,
) -> Runs:
    """Every timed run (depth first, memoised); mode 0 is worst-case times, 1 best-case."""
    runs = Runs()
    start = net.starts[0]
    seen: set[State] = set()
    stack: list[tuple[State, tuple[Firing, ...]]] = []
    first = tuple(sorted((arc, 0.0) for arc in net.outputs[start]))
    for values in data.initial_valuations():
        stack.append(((first, values, 0.0), ()))
    while stack:
        state, run = stack.pop()
        if state in seen:
            continue
        seen.add(state)
        if len(seen) > limit:
            runs.bound_hit = True
            return runs
        held, values, ended = state
        if held is None or not held:
            _finish(runs, ended, run, held is not None)
            continue
        tokens = held
        counts: dict[int, int] = {}
        marked = 0
        for arc, _ in tokens:
            counts[arc] = counts.get(arc, 0) + 1
            marked |= 1 << arc
        for node in sorted({net.arcs[arc].target for arc in counts}):
            for move in rules.moves(node, counts, marked, values, 0):
                remaining = list(tokens)
                arrived = 0.0
                for arc in move.consume:
                    token = next(t for t in remaining if t[0] == arc)
                    remaining.remove(token)
                    arrived = max(arrived, token[1])
                spent, note = _spent(net, times, node, move.outcome, mode)
                finish = arrived + spent
                firing = Firing(node, move.outcome, finish, note)
                if move.outcome == FAIL or move.values is None:
                    stack.append(((None, values, max(ended, finish)), (*run, firing)))
                    continue
                remaining += [(arc, finish) for arc in move.produce]
                end = max(ended, finish) if net.nodes[node].type == "end" else ended
                after: State = (tuple(sorted(remaining)), move.values, end)
                stack.append((after, (*run, firing)))
    runs.explored = len(seen)
    return runs


def _spent(
    net: Net, times: dict[int, tuple[TaskTime, TaskTime]], node: int, outcome: str, mode: int
) -> tuple[float, str]:
    found = times.get(node)
    if found is None:
        return 0.0, ""
    time = found[mode]
    if outcome in (ERROR, FAIL):
        return time.failed, f"gave up: {time.note}" if time.note else ""
    return time.ok, time.note


def _finish(runs: Runs, ended: float, run: tuple[Firing, ...], completed: bool) -> None:
    if ended > runs.worst:
        runs.worst = ended
        runs.worst_run = run
    if completed and (runs.best is None or ended < runs.best):
        runs.best = ended


def _cycle(net: Net, keys: Sequence[Key], succ: Sequence[Sequence[int]]) -> list[str]:
    """Node ids fired around one loop of the untimed game, in order (empty: no loop)."""
    loops = [c for c in components([list(s) for s in succ]) if len(c) > 1 or c[0] in succ[c[0]]]
    if not loops:
        return []
    members = set(min(loops, key=lambda c: (len(list(c)), min(c))))
    home = min(members)
    parent: dict[int, int] = {}
    queue = deque([home])
    while queue:  # breadth first inside the component, back to where it started
        state = queue.popleft()
        for nxt in succ[state]:
            if nxt in members and nxt not in parent:
                parent[nxt] = state
                queue.append(nxt)
        if home in parent:
            break
    path = [home]
    while True:
        path.append(parent[path[-1]])
        if path[-1] == home:
            break
    path.reverse()
    fired: list[str] = []
    for before, after in itertools.pairwise(path):
        left = list(keys[before][0] or ())
        for arc in keys[after][0] or ():
            if arc in left:
                left.remove(arc)
        for arc in left:  # consumed by the step: their node fired
            node = net.nodes[net.arcs[arc].target].id
            if node not in fired:
                fired.append(node)
    return fired


def _trace(net: Net, run: tuple[Firing, ...]) -> Trace:
    ordered = sorted(run, key=lambda firing: firing.finish)  # stable: causal order on ties
    return Trace(
        tuple(
            TraceStep(node=net.nodes[f.node].id, time_ms=f.finish, note=f.note or None)
            for f in ordered
        )
    )


def _why_unbounded(node: Node) -> str:
    if node.task == "subprocess":
        return f"and process '{node.process}' has no time bound"
    if node.duration is None:
        return "no duration" + (" (a user task waits for a person)" if node.task == "user" else "")
    return f"a {node.duration.kind} duration has no maximum"


def _diagnostic(
    workflow: Workflow,
    code: Code,
    message: str,
    subject: str,
    span: Span | None = None,
    evidence: Trace | Cycle | None = None,
) -> Diagnostic:
    where = span or workflow.span
    return Diagnostic(
        code, default_severity(code), message, where, workflow.name, subject, evidence
    )
