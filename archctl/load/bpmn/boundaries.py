"""Boundary events: what happens to an activity's token when an event strikes while it runs.

Error boundaries become the activity's ``on_error``, unless error end events inside the
subprocess throw to them: then each such end removes every token of the subprocess and goes
on to the boundary (the subprocess fails only that way). On a task (atomic in the token game),
an interrupting boundary is an alternative after the task and a non-interrupting one a
listener loop after it that may fire again and again before the token leaves. On a
subprocess, a listener token runs inside the subprocess's scope from its start: it may fire
the non-interrupting boundaries any number of times, fire an interrupting one (a scoped
terminate: every token inside is removed and the boundary path goes on), or stop; the
subprocess completes once its inner tokens and the listener are done. A subprocess that one
token runs alone keeps the cheaper model for interrupts (a choice after every inner step).
A non-interrupting timer with a duration or date fires at most once.
"""

from __future__ import annotations

from archctl import codes
from archctl.load.bpmn.graph import GNode, Graph
from archctl.load.bpmn.process import ProcessImporter, definitions_of
from archctl.load.bpmn.xml import XElement


def attach_boundaries(importer: ProcessImporter) -> None:
    """Rewire every boundary event of the process onto its host activity."""
    graph = importer.graph
    hosts: dict[str, tuple[list[str], list[str], list[str], list[str]]] = {}
    joins = set(importer.joins)
    single = {
        host: _single_token_steps(graph, importer.entry[host], joins)
        for host in importer.subprocesses
    }
    for element, node_id in importer.boundaries:
        host = element.attrs.get("attachedToRef")
        if not host or host not in importer.entry:
            importer.error(
                codes.LD005 if host else codes.LD003,
                element,
                f"boundary event {element.attrs.get('id')} is attached to "
                + (f"a missing element '{host}'" if host else "nothing (no attachedToRef)"),
            )
            continue
        errors, interrupting, repeating, once = hosts.setdefault(host, ([], [], [], []))
        if "error" in definitions_of(element):
            errors.append(node_id)
        elif element.attrs.get("cancelActivity", "true") == "false":
            (once if _fires_once(element) else repeating).append(node_id)
            if _fires_once(element) and host in importer.subprocesses:
                importer.unsupported(
                    element,
                    "non-interrupting timer on a subprocess: modelled as firing at most "
                    "once, when the subprocess completes",
                    node_id,
                )
        else:
            interrupting.append(node_id)
    caught = _error_ends(importer, {host: errors for host, (errors, *_) in hosts.items()})
    for host, (errors, interrupting, repeating, once) in hosts.items():
        entry, exit_node = importer.entry[host], importer.exit[host]
        if exit_node not in graph.nodes:  # a subprocess that never completes normally
            exit_node = entry
        if errors and host not in caught:
            target = errors[0]
            if len(errors) > 1:
                target = _choice(graph, f"{entry}.error", errors, graph.nodes[entry])
            graph.nodes[entry].on_error = target
        scoped = any(prefix == f"{entry}." for prefix, _, _ in importer.scopes)
        if host in importer.subprocesses and scoped:
            listened = interrupting if repeating or not single.get(host) else []
            if repeating or listened:
                completion = exit_node if exit_node != entry else None
                _inner_listener(importer, entry, completion, repeating, listened)
                interrupting = [b for b in interrupting if b not in listened]
        elif repeating:  # a task, or an empty subprocess: nothing runs inside it
            importer.listener_steps.update(_task_listener(graph, exit_node, repeating))
        if once:
            fork = _reroute(graph, exit_node, f"{entry}.fork", "parallel")
            for node_id in once:
                node = graph.nodes[node_id]
                what = f"{node_id} did not fire"
                skip = graph.synthetic(f"{node_id}.skip", "end", node.span, what)
                maybe = _choice(graph, f"{node_id}.maybe", [node_id, skip.id], node)
                graph.connect(fork, maybe, node.span)
        if interrupting:
            steps = [exit_node]
            if host in importer.subprocesses:
                steps = single.get(host) or steps
            for step in steps:
                choice = _reroute(graph, step, f"{step}.exit", "exclusive")
                for node_id in interrupting:
                    graph.connect(choice, node_id, graph.nodes[node_id].span)


def _error_ends(importer: ProcessImporter, errors: dict[str, list[str]]) -> set[str]:
    """Error end events inside subprocesses, thrown to the nearest error boundary that
    catches them: a scoped terminate of that subprocess (every token inside it is removed)
    whose token goes on along the boundary's path. Returns the subprocesses whose error
    boundaries are reached this way (and only this way); an error end nothing catches is
    a normal end of its subprocess (LD009).
    """
    graph = importer.graph
    caught: set[str] = set()
    hosts = sorted(
        ((importer.entry[h], h) for h, found in errors.items() if found),
        key=lambda pair: -len(pair[0]),  # innermost subprocess first
    )
    refs = {b: _error_ref(importer, b) for found in errors.values() for b in found}
    for element, node_id in importer.error_ends:
        host = next((h for entry, h in hosts if node_id.startswith(f"{entry}.")), None)
        if host is None:
            importer.unsupported(
                element,
                "error end that no error boundary catches: modelled as a normal end of its "
                "subprocess",
                node_id,
            )
            continue
        ref = _ref_of(element)
        candidates = errors[host]
        target = next((b for b in candidates if refs[b] == ref and ref), None)
        target = target or next((b for b in candidates if refs[b] is None), candidates[0])
        entry = importer.entry[host]
        for flow in graph.outgoing(node_id):
            flow.target = target
        terminates = next(t for prefix, _, t in importer.scopes if prefix == f"{entry}.")
        terminates.append(node_id)  # a scoped terminate (wiring._scopes)
        caught.add(host)
    return caught


def _ref_of(element: XElement) -> str | None:
    definition = element.child("errorEventDefinition")
    return definition.attrs.get("errorRef") if definition is not None else None


def _error_ref(importer: ProcessImporter, boundary: str) -> str | None:
    for element, node_id in importer.boundaries:
        if node_id == boundary:
            return _ref_of(element)
    return None


def _fires_once(element: XElement) -> bool:
    """A non-interrupting timer with a duration or a date fires at most once; a cycle, a
    timer without either (fbpmn's "some time"), and every other trigger may repeat."""
    timer = element.child("timerEventDefinition")
    if timer is None:
        return False
    return timer.child("timeCycle") is None and (
        timer.child("timeDuration") is not None or timer.child("timeDate") is not None
    )


def _listen(graph: Graph, base: str, near: GNode, what: str) -> GNode:
    return graph.synthetic(f"{base}.listen", "gateway", near.span, what, gateway="exclusive")


def _fire(graph: Graph, base: str, listen: str, boundary: str) -> str:
    """``listen`` may fire ``boundary``: one token onto its path, one back to listening.
    Returns the firing gateway's id."""
    span = graph.nodes[boundary].span
    what = f"{boundary} fires; its activity keeps running"
    fire = graph.synthetic(f"{base}.fire", "gateway", span, what, gateway="parallel")
    graph.connect(listen, fire.id, span)
    graph.connect(fire.id, boundary, span)
    graph.connect(fire.id, listen, span)
    return fire.id


def _task_listener(graph: Graph, entry: str, boundaries: list[str]) -> list[str]:
    """After the task's work, before its token leaves: fire any boundary any number of
    times (one token, so "while it runs" is "before it leaves"), or go on. Returns the
    firing gateways."""
    near = graph.nodes[boundaries[0]]
    what = f"while {entry} runs: fire {', '.join(boundaries)} or go on"
    listen = _listen(graph, boundaries[0], near, what)
    for flow in graph.outgoing(entry):
        flow.source = listen.id
    graph.connect(entry, listen.id, near.span)
    return [_fire(graph, boundary, listen.id, boundary) for boundary in boundaries]


def _inner_listener(
    importer: ProcessImporter,
    entry: str,
    completion: str | None,
    repeating: list[str],
    interrupting: list[str],
) -> None:
    """A listener token inside the subprocess's scope (ids ``<sub>.<boundary>.*``)."""
    graph = importer.graph
    first = (repeating or interrupting)[0]
    near = graph.nodes[first]
    base = f"{entry}.{first}"
    what = f"while {entry} runs: fire {', '.join(repeating + interrupting)} or stop"
    listen = _listen(graph, base, near, what)
    start = entry
    if graph.outgoing(entry):
        start = _reroute(graph, entry, f"{entry}.start", "parallel")
    graph.connect(start, listen.id, near.span)
    if completion is not None:
        graph.connect(listen.id, completion, near.span)
    else:  # the subprocess never completes normally: stopping just ends the listener
        stop = graph.synthetic(f"{base}.stop", "end", near.span, "the listener stops")
        graph.connect(listen.id, stop.id, near.span)
    for boundary in repeating:
        importer.listener_steps.add(_fire(graph, base, listen.id, boundary))
    terminates = next(t for prefix, _, t in importer.scopes if prefix == f"{entry}.")
    for boundary in interrupting:
        span = graph.nodes[boundary].span
        what = f"{boundary} interrupts {entry}: every token inside is removed"
        strike = graph.synthetic(f"{base}.interrupt", "task", span, what, task="service")
        terminates.append(strike.id)  # a scoped terminate (wiring._scopes)
        importer.listener_steps.add(strike.id)
        graph.connect(listen.id, strike.id, span)
        graph.connect(strike.id, boundary, span)


def _single_token_steps(graph: Graph, entry: str, joins: set[str]) -> list[str]:
    """The steps of a subprocess where an interrupt can strike, if one token runs it alone.

    With no parallel or inclusive gateway inside, the subprocess holds exactly one token, so
    "interrupted at any time" is exactly "interrupted after its entry or after any inner
    step", which the token game can express. Returns [] when tokens can run in parallel.
    """
    inner = [
        node
        for node in graph.nodes.values()
        if node.id.startswith(f"{entry}.") and node.id not in joins
    ]
    if any(node.type == "gateway" and node.gateway != "exclusive" for node in inner):
        return []
    return [entry] + [node.id for node in inner if node.type == "task"]


def _reroute(graph: Graph, node_id: str, base: str, kind: str) -> str:
    """Insert a gateway between a node and its single outgoing flow; return the gateway id."""
    node = graph.nodes[node_id]
    gateway = graph.add(GNode(graph.fresh(base), "gateway", node.span, gateway=kind))
    for flow in graph.outgoing(node_id):
        flow.source = gateway.id
    graph.connect(node_id, gateway.id, node.span)
    return gateway.id


def _choice(graph: Graph, base: str, targets: list[str], near: GNode) -> str:
    gateway = graph.add(GNode(graph.fresh(base), "gateway", near.span, gateway="exclusive"))
    for target in targets:
        graph.connect(gateway.id, target, near.span)
    return gateway.id
