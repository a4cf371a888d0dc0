"""Structure checks that need no token game: WF101, WF102, WF110 and WF111.

These are cheap graph facts, so they run first and decide whether the token game can run
at all (it needs exactly one start).
"""

from __future__ import annotations

from collections.abc import Sequence

from archctl import codes
from archctl.check.scc import components
from archctl.check.workflow.graph import Net, task_failure
from archctl.codes import default_severity
from archctl.diagnostics import Code, Diagnostic
from archctl.evidence import Cycle, Evidence
from archctl.model.spec import Spec
from archctl.model.workflow import Node, Workflow
from archctl.source import Span


def _diag(
    code: Code, message: str, span: Span, spec: str, subject: str, evidence: Evidence | None = None
) -> Diagnostic:
    return Diagnostic(code, default_severity(code), message, span, spec, subject, evidence)


def structure(net: Net) -> list[Diagnostic]:
    """WF101: start/end/gateway arity and placement rules."""
    workflow = net.workflow
    name = workflow.name
    out: list[Diagnostic] = []
    if not net.starts:
        out.append(_diag(codes.WF101, "the workflow has no start node", workflow.span, name, name))
    for extra in net.starts[1:]:
        node = net.nodes[extra]
        message = f"a second start node '{node.id}': a workflow has exactly one start"
        out.append(_diag(codes.WF101, message, node.span, name, node.id))
    if not any(node.type == "end" for node in net.nodes):
        out.append(_diag(codes.WF101, "the workflow has no end node", workflow.span, name, name))
    for index, node in enumerate(net.nodes):
        for problem in _node_problems(net, index, node):
            out.append(_diag(codes.WF101, problem, node.span, name, node.id))
    return out


def _node_problems(net: Net, index: int, node: Node) -> list[str]:
    problems: list[str] = []
    outgoing = [net.arcs[a].flow for a in net.outputs[index]]
    flows = [flow for flow in outgoing if flow is not None]
    if node.type == "start":
        if net.inputs[index]:
            problems.append(f"start node '{node.id}' has incoming flows")
        if not flows:
            problems.append(f"start node '{node.id}' has no outgoing flow")
    elif node.type == "end" and flows:
        problems.append(f"end node '{node.id}' has outgoing flows")
    elif node.type == "task" and not flows:
        problems.append(f"task '{node.id}' has no outgoing flow")
    elif node.type == "gateway" and not flows:
        problems.append(f"gateway '{node.id}' has no outgoing flow")
    choice = node.type == "gateway" and node.gateway in ("exclusive", "inclusive")
    guarded = [flow for flow in flows if flow.when is not None]
    defaults = [flow for flow in flows if flow.default]
    if (guarded or defaults) and not choice:
        what = "gateway" if node.type == "gateway" else node.type
        problems.append(
            f"flows out of {what} '{node.id}' carry conditions or a default; only exclusive "
            "and inclusive gateways choose"
        )
    if choice and len(defaults) > 1:
        problems.append(f"gateway '{node.id}' has {len(defaults)} default flows")
    plain = [flow for flow in flows if flow.when is None and not flow.default]
    if choice and (guarded or defaults) and plain:
        problems.append(
            f"gateway '{node.id}' mixes conditioned and unconditioned flows "
            f"('{plain[0].label}' has neither `when` nor `default`)"
        )
    if node.on_error is not None and net.ids.get(node.on_error) in net.starts:
        problems.append(f"on_error of '{node.id}' leads back to the start")
    return problems


def reachable(net: Net) -> set[int]:
    """Nodes a path of flows and on_error links from a start reaches."""
    seen = set(net.starts)
    todo = list(net.starts)
    while todo:
        node = todo.pop()
        for arc in net.followers(node):
            target = net.arcs[arc].target
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def unreachable(net: Net, seen: set[int]) -> list[Diagnostic]:
    """WF102 (only meaningful with a start)."""
    if not net.starts:
        return []
    name = net.workflow.name
    return [
        _diag(
            codes.WF102,
            f"no flow path from the start reaches '{node.id}'",
            node.span,
            name,
            node.id,
        )
        for index, node in enumerate(net.nodes)
        if index not in seen
    ]


def _caller_deadline(workflow: Workflow, specs: Sequence[Spec]) -> tuple[int, str] | None:
    """The tightest deadline of a subprocess task that runs this workflow, and who sets it."""
    bounds = [
        (node.deadline_ms, f"subprocess task '{node.id}' of '{spec.name}'")
        for spec in specs
        if isinstance(spec, Workflow)
        for node in spec.nodes
        if node.task == "subprocess"
        and node.process == workflow.name
        and node.deadline_ms is not None
    ]
    return min(bounds) if bounds else None


def retry_policies(workflow: Workflow, specs: Sequence[Spec] = ()) -> list[Diagnostic]:
    """WF110: retry policies, deadlines and error handlers that cannot work as written."""
    out: list[Diagnostic] = []
    bound = _caller_deadline(workflow, specs)
    for node in workflow.nodes:
        if node.type != "task":
            continue
        can_fail, always = task_failure(node)
        retry = node.retry
        problems: list[tuple[str, Span]] = []
        if retry is not None:
            if retry.max_backoff_ms is not None and retry.max_backoff_ms < retry.backoff_ms:
                problems.append(
                    (
                        f"max_backoff {retry.max_backoff_ms}ms is below backoff "
                        f"{retry.backoff_ms}ms",
                        retry.span,
                    )
                )
            elif (
                retry.multiplier > 1
                and retry.max_backoff_ms is not None
                and retry.max_backoff_ms == retry.backoff_ms
                and retry.max_attempts > 2
            ):
                problems.append(
                    (
                        "max_backoff equals backoff, so the multiplier never has an effect",
                        retry.span,
                    )
                )
            if retry.max_attempts > 1 and not can_fail:
                problems.append(
                    (
                        f"'{node.id}' retries but cannot fail (no failure_rate, and no "
                        "deadline its duration can exceed)",
                        retry.span,
                    )
                )
        if node.on_error is not None and not can_fail:
            problems.append(
                (
                    f"'{node.id}' has an on_error handler but cannot fail (no failure_rate, and no "
                    "deadline its duration can exceed)",
                    node.on_error_span or node.span,
                )
            )
        if bound is not None and retry is not None and node.deadline_ms is not None:
            worst = retry.max_attempts * node.deadline_ms + sum(
                retry.delay_after(n) for n in range(1, retry.max_attempts)
            )
            if worst > bound[0]:
                problems.append(
                    (
                        f"'{node.id}' may take {worst / 1000:g}s ({retry.max_attempts} attempts "
                        f"of up to {node.deadline_ms / 1000:g}s plus backoff), beyond the "
                        f"{bound[0] / 1000:g}s deadline of {bound[1]} that runs this workflow: "
                        "its last attempts can never happen",
                        retry.span,
                    )
                )
        if always:
            why = (
                "failure_rate is 1"
                if node.failure_rate >= 1
                else "its duration always exceeds its deadline"
            )
            problems.append((f"every attempt of '{node.id}' fails ({why})", node.span))
        for message, span in problems:
            out.append(_diag(codes.WF110, message, span, workflow.name, node.id))
    return out


def subprocesses(workflow: Workflow, specs: Sequence[Spec]) -> list[Diagnostic]:
    """WF111: missing subprocess workflows, and call cycles (reported by their least member)."""
    workflows = {spec.name: spec for spec in specs if isinstance(spec, Workflow)}
    out: list[Diagnostic] = []
    for node in workflow.nodes:
        missing = node.task == "subprocess" and node.process is not None
        if missing and node.process not in workflows:
            message = (
                f"subprocess '{node.id}' names workflow '{node.process}', which is not in the "
                "file set"
            )
            span = node.process_span or node.span
            out.append(_diag(codes.WF111, message, span, workflow.name, node.id))
    calls = {
        name: sorted(
            {n.process for n in spec.nodes if n.task == "subprocess" and n.process in workflows}
        )
        for name, spec in workflows.items()
    }
    names = sorted(calls)
    graph = [[names.index(callee) for callee in calls[name]] for name in names]
    component = next(c for c in components(graph) if names.index(workflow.name) in c)
    members = sorted(names[i] for i in component)
    looping = len(component) > 1 or workflow.name in calls[workflow.name]
    cycle = _cycle_from(workflow.name, calls) if looping and members[0] == workflow.name else None
    if cycle is not None:
        caller = next(
            n
            for n in workflow.nodes
            if n.task == "subprocess" and n.process == ([*cycle, cycle[0]])[1]
        )
        path = " -> ".join([*cycle, cycle[0]])
        message = f"workflows call each other in a cycle ({path}): unbounded recursion"
        out.append(
            _diag(
                codes.WF111,
                message,
                caller.process_span or caller.span,
                workflow.name,
                workflow.name,
                Cycle(tuple(cycle)),
            )
        )
    return out


def _cycle_from(name: str, calls: dict[str, list[str]]) -> list[str] | None:
    """The cycle through ``name`` found by a deterministic search, rotated to its least member."""
    todo: list[tuple[str, list[str]]] = [
        (callee, [name]) for callee in reversed(calls.get(name, []))
    ]
    visited: set[str] = set()
    while todo:
        current, path = todo.pop()
        if current == name:
            least = path.index(min(path))
            return path[least:] + path[:least]
        if current in visited:
            continue
        visited.add(current)
        for callee in reversed(calls.get(current, [])):
            todo.append((callee, [*path, current]))
    return None
