"""Is a P/T net a workflow net? The structural conditions archctl requires (docs/pnml.md).

- exactly one *source* place, the only place without incoming arcs;
- at least one *sink* place (no outgoing arcs); several are allowed, because industrial
  process models have several end events: a run completes when every token is on a sink;
- every place and transition lies on a path from the source to some sink;
- the initial marking is one token on the source (a file without any marking gets it).

A net that breaks one gets a located LD004 per reason, at the element concerned, so the user
learns every reason at once; it is not checked (soundness is only defined for workflow nets).
"""

from __future__ import annotations

from collections.abc import Sequence

from archctl import codes
from archctl.diagnostics import Diagnostic
from archctl.load.errors import located
from archctl.model.petrinet import Arc, PetriNet, Place, Transition
from archctl.source import Span

_HELP = (
    "a workflow net has one source place (no incoming arcs), sink places (no outgoing arcs), "
    "and every node on a path from the source to a sink"
)


def _problem(message: str, span: Span, help_text: str = _HELP) -> Diagnostic:
    return located(codes.LD004, message, span, help_text)


def _closure(start: Sequence[str], edges: dict[str, list[str]]) -> set[str]:
    seen = set(start)
    stack = list(start)
    while stack:
        for nxt in edges.get(stack.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def workflow_net(
    name: str,
    span: Span,
    places: Sequence[Place],
    transitions: Sequence[Transition],
    arcs: Sequence[Arc],
    marking: dict[str, tuple[int, Span]],
) -> tuple[PetriNet | None, list[Diagnostic]]:
    """The net as a :class:`PetriNet`, or None and every reason it is not a workflow net."""
    forward: dict[str, list[str]] = {}
    backward: dict[str, list[str]] = {}
    for arc in arcs:
        forward.setdefault(arc.source, []).append(arc.target)
        backward.setdefault(arc.target, []).append(arc.source)
    sources = [p for p in places if p.id not in backward]
    sinks = [p for p in places if p.id not in forward]
    out: list[Diagnostic] = []
    no = f"net '{name}' is not a workflow net"
    if not sources:
        out.append(
            _problem(
                f"{no}: every place has an incoming arc, so none is the source",
                span,
            )
        )
    for extra in sources[1:]:
        out.append(
            _problem(
                f"{no}: '{extra.id}' is a second source place (no incoming arcs; "
                f"the first is '{sources[0].id}')",
                extra.span,
            )
        )
    if not sinks:
        out.append(
            _problem(
                f"{no}: every place has an outgoing arc, so none is a sink",
                span,
            )
        )
    if len(sources) == 1 and sinks:
        reach = _closure([sources[0].id], forward)
        coreach = _closure([p.id for p in sinks], backward)
        nodes: list[Place | Transition] = [*places, *transitions]
        for node in nodes:
            what = "place" if isinstance(node, Place) else "transition"
            if node.id not in reach:
                out.append(
                    _problem(
                        f"{no}: no path from the source '{sources[0].id}' reaches "
                        f"{what} '{node.id}'",
                        node.span,
                    )
                )
            elif node.id not in coreach:
                out.append(
                    _problem(
                        f"{no}: no path leads from {what} '{node.id}' to a sink place",
                        node.span,
                    )
                )
    source = sources[0].id if sources else ""
    for place_id, (count, where) in sorted(
        marking.items(), key=lambda item: (item[1][1].line, item[1][1].column)
    ):
        if place_id != source or count != 1:
            out.append(
                _problem(
                    f"initial marking: {count} token(s) on '{place_id}'; a workflow net starts "
                    f"with exactly one token on its source place '{source}'",
                    where,
                    "mark only the source place, with one token",
                )
            )
    if out:
        return None, out
    net = PetriNet(
        name,
        span,
        tuple(places),
        tuple(transitions),
        tuple(arcs),
        source,
        tuple(sorted(p.id for p in sinks)),
    )
    return net, []
