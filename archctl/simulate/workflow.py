"""Compile a workflow once into flat tables the engine runs many times.

Node ids become indices; each node gets its kind code, its outgoing (target, flow) pairs,
its gateway conditions compiled with the core's evaluator, its task timing and compiled
``sets``. Nothing is looked up by name while instances run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from archctl.model.evaluate import compile_expr
from archctl.model.expr import Expr
from archctl.model.types import VarType
from archctl.model.workflow import Node, Workflow
from archctl.simulate.timing import Timing, compile_timing
from archctl.simulate.values import (
    CompiledAssignment,
    Draw,
    Env,
    compile_action,
    initial_values,
    literals,
    names,
)

START, TASK, XOR, AND, OR, END = range(6)
#: importer-only kinds (``Node.terminate`` / ``Node.scope``, docs/workflows.md): a terminate
#: that is not an end (a subprocess's inner terminate end, an interrupting boundary's step),
#: and a subprocess's completion join
TERMINATE, COMPLETE = 6, 7
_KIND = {"start": START, "task": TASK, "end": END}
_GATEWAY = {"exclusive": XOR, "parallel": AND, "inclusive": OR}

Condition = Callable[[Env], Any]
#: (compiled condition or None for the default, target node, flow index)
Route = tuple[Condition | None, int, int]


class SimulationError(Exception):
    """The spec cannot be simulated as asked (a clear message for the user, exit 2)."""


@dataclass
class Program:
    """A compiled workflow. Lists are indexed by node index."""

    name: str
    ids: list[str]
    kinds: list[int]
    out: list[tuple[tuple[int, int], ...]]
    routes: list[tuple[Route, ...]]
    defaults: list[tuple[int, int] | None]
    free: list[bool]
    incoming: list[tuple[int, ...]]
    timing: list[Timing | None]
    sets: list[tuple[CompiledAssignment, ...]]
    sub: list[Program | None]
    on_error: list[int]
    #: per task with on_error, the index of its on_error link: an incoming "flow" of the
    #: handler numbered after the real flows (so a join counts it like the checker does)
    error_flow: list[int]
    failure_end: list[bool]
    starts: tuple[int, ...]
    initial: Env
    drawn: list[tuple[str, Draw]]
    types: dict[str, VarType]
    flow_source: list[int]
    flow_target: list[int]
    #: labels of flows and on_error links as verify's traces name them
    labels: list[str]
    or_reach: dict[int, dict[int, frozenset[int]]] = field(default_factory=dict)
    #: per node: variables its outgoing conditions read, its `sets` read, its `sets` write
    #: (what the cohort engine needs to know to run instances side by side, ``plan.py``)
    reads: list[frozenset[str]] = field(default_factory=list)
    sets_reads: list[tuple[frozenset[str], ...]] = field(default_factory=list)
    writes: list[frozenset[str]] = field(default_factory=list)
    #: the literals ``any`` draws strings and addresses among (``values.literals``)
    strings: list[str] = field(default_factory=list)
    addresses: list[int] = field(default_factory=list)
    #: the cohort engine's plan for this program, made on first use (``plan.cohort_plan``)
    plan: Any = None
    #: terminate nodes (ends and ``TERMINATE`` steps): the nodes whose tokens they take, None
    #: for every token of the instance
    kill: dict[int, frozenset[int] | None] = field(default_factory=dict)
    #: ``COMPLETE`` joins: the nodes of their subprocess (a token at one keeps it running)
    scope: dict[int, frozenset[int]] = field(default_factory=dict)

    def freeze(self) -> None:
        # exclusive gateways with conditions: ((condition, next tokens), ...) and the default's
        choices: list[Any] = []
        for node, kind in enumerate(self.kinds):
            if kind != XOR or self.free[node]:
                choices.append(None)
                continue
            routes = tuple((cond, ((target, flow),)) for cond, target, flow in self.routes[node])
            default = self.defaults[node]
            choices.append((routes, (default,) if default is not None else ()))
        #: tasks whose token, on success, goes straight to their one next node: the engine
        #: then queues its arrival there at the completion time. Not with terminates or
        #: scopes, where a token must be seen where it is (in the task) until it completes
        self.direct = [
            not self.sets[node] and len(self.out[node]) == 1 and not self.scoped
            for node in range(len(self.ids))
        ]
        #: heap entries of the start tokens of an instance starting at time 0
        self.start_entries = tuple((0.0, i, s, -1, 0) for i, s in enumerate(self.starts))
        #: per exclusive gateway with conditions: ((condition, moves), ...) and the default's
        #: moves; None for every other node (a free choice included)
        self.choices = choices

    @property
    def scoped(self) -> bool:
        """Whether terminates or subprocess scopes take part: one token's move can then
        remove or release others, so tokens at one virtual time take turns (``engine``)."""
        return bool(self.kill or self.scope)

    def children(self) -> list[Program]:
        """Subprocess programs, each once, in first-use order."""
        seen: dict[str, Program] = {}
        for child in self.sub:
            if child is not None and child.name not in seen:
                seen[child.name] = child
        return list(seen.values())


def compile_workflow(workflow: Workflow, workflows: Mapping[str, Workflow]) -> Program:
    """Compile ``workflow`` and the subprocesses it calls (found by name in ``workflows``)."""
    return _compile(workflow, workflows, {}, ())


def _compile(
    workflow: Workflow,
    workflows: Mapping[str, Workflow],
    done: dict[str, Program],
    calling: tuple[str, ...],
) -> Program:
    if workflow.name in done:
        return done[workflow.name]
    index = {node.id: i for i, node in enumerate(workflow.nodes)}
    exprs: list[Expr] = [flow.when for flow in workflow.flows if flow.when is not None]
    exprs += [a.value for node in workflow.nodes for a in node.sets if a.value is not None]
    strings, addresses = literals(exprs)
    types = {variable.name: variable.type for variable in workflow.variables}
    initial, drawn = initial_values(workflow.variables, strings, addresses)
    program = Program(
        name=workflow.name,
        ids=[node.id for node in workflow.nodes],
        kinds=[],
        out=[],
        routes=[],
        defaults=[],
        free=[],
        incoming=[],
        timing=[],
        sets=[],
        sub=[],
        on_error=[],
        error_flow=[],
        failure_end=[],
        starts=tuple(i for i, node in enumerate(workflow.nodes) if node.type == "start"),
        initial=initial,
        drawn=drawn,
        types=types,
        flow_source=[index[flow.source] for flow in workflow.flows],
        flow_target=[index[flow.target] for flow in workflow.flows],
        labels=[flow.label for flow in workflow.flows],
        strings=strings,
        addresses=addresses,
    )
    if not program.starts:
        raise SimulationError(f"workflow '{workflow.name}' has no start node")
    done[workflow.name] = program
    for i, node in enumerate(workflow.nodes):
        kind = _kind(node)
        if node.terminate:
            program.kill[i] = _members(node.scope, index)
        elif kind == COMPLETE:
            program.scope[i] = _members(node.scope, index) or frozenset()
        flows = [flow for flow in workflow.flows if flow.source == node.id]
        acts = node.sets if kind != TERMINATE else ()  # a terminate's own rule: no effects
        program.kinds.append(kind)
        program.out.append(tuple((index[f.target], f.index) for f in flows))
        program.routes.append(
            tuple((compile_expr(f.when), index[f.target], f.index) for f in flows if f.when)
        )
        default = next((f for f in flows if f.default), None)
        program.defaults.append(None if default is None else (index[default.target], default.index))
        program.free.append(all(f.when is None and not f.default for f in flows))
        program.incoming.append(tuple(f.index for f in workflow.flows if f.target == node.id))
        program.timing.append(compile_timing(node) if kind == TASK else None)
        program.sets.append(compile_action(acts, types, strings, addresses))
        program.on_error.append(index.get(node.on_error or "", -1))
        program.failure_end.append(kind == END and node.result == "failure")
        program.sub.append(_subprocess(workflow, node.process, workflows, done, calling))
        program.reads.append(names(f.when for f in flows if f.when is not None))
        program.sets_reads.append(tuple(names(() if a.value is None else (a.value,)) for a in acts))
        program.writes.append(frozenset(a.target for a in acts))
    _error_links(program)
    _inclusive_joins(program, workflow)
    program.freeze()
    return program


def _kind(node: Node) -> int:
    """The engine's kind code; a terminate (other than an end) and a completion join have
    rules of their own that override the node's type, as in the checker (``fire.py``)."""
    if node.terminate and node.type != "end":
        return TERMINATE
    if node.type == "gateway":
        return COMPLETE if node.scope else _GATEWAY.get(node.gateway or "", XOR)
    return _KIND[node.type]


def _members(scope: tuple[str, ...], index: Mapping[str, int]) -> frozenset[int] | None:
    """Node indices of a scope (names that are not nodes are ignored); None when empty."""
    if not scope:
        return None
    return frozenset(index[name] for name in scope if name in index)


def _subprocess(
    workflow: Workflow,
    name: str | None,
    workflows: Mapping[str, Workflow],
    done: dict[str, Program],
    calling: tuple[str, ...],
) -> Program | None:
    if name is None:
        return None
    chain = (*calling, workflow.name)
    if name in chain:
        loop = " -> ".join([*chain[chain.index(name) :], name])
        raise SimulationError(f"subprocesses call each other in a cycle: {loop}")
    target = workflows.get(name)
    if target is None:
        known = ", ".join(sorted(workflows)) or "none"
        raise SimulationError(
            f"workflow '{workflow.name}' calls subprocess '{name}', which is not among the "
            f"loaded workflows ({known}); pass the file that defines it too"
        )
    return _compile(target, workflows, done, chain)


def _error_links(program: Program) -> None:
    for task, handler in enumerate(program.on_error):
        link = -1
        if handler >= 0:
            link = len(program.flow_source)
            program.flow_source.append(task)
            program.flow_target.append(handler)
            program.labels.append(f"{program.ids[task]} -> {program.ids[handler]} (on_error)")
            program.incoming[handler] = (*program.incoming[handler], link)
        program.error_flow.append(link)


def _inclusive_joins(program: Program, workflow: Workflow) -> None:
    """For each inclusive join, per incoming flow: the nodes from which a token can still
    reach that flow without passing through the join (BPMN 'wait for what can arrive')."""
    preds: dict[int, list[int]] = {i: [] for i in range(len(program.ids))}
    for flow in workflow.flows:
        preds[program.ids.index(flow.target)].append(program.ids.index(flow.source))
    for task, handler in enumerate(program.on_error):
        if handler >= 0:
            preds[handler].append(task)
    for join, kind in enumerate(program.kinds):
        if kind != OR or len(program.incoming[join]) < 2:
            continue
        per_flow: dict[int, frozenset[int]] = {}
        for into in program.incoming[join]:
            source = program.flow_source[into]
            seen = {source}
            stack = [source]
            while stack:
                for pred in preds[stack.pop()]:
                    if pred != join and pred not in seen:
                        seen.add(pred)
                        stack.append(pred)
            seen.discard(join)
            per_flow[into] = frozenset(seen)
        program.or_reach[join] = per_flow
