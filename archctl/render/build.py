"""Pick the builder for a spec's kind and apply the overlays: the one entry point of render/."""

from __future__ import annotations

from collections.abc import Sequence

from archctl.diagnostics import Diagnostic
from archctl.evidence import Evidence
from archctl.model.plugins import PluginSet
from archctl.model.policy import Policy
from archctl.model.spec import Spec, assert_never
from archctl.model.statemachine import StateMachine
from archctl.model.system import System
from archctl.model.workflow import Workflow
from archctl.render.graph import DiagramGraph
from archctl.render.overlay import apply_findings, apply_highlight
from archctl.render.plugins import build_plugins
from archctl.render.policy import build_policy
from archctl.render.statemachine import build_statemachine
from archctl.render.system import build_system
from archctl.render.workflow import build_workflow


def build_diagram(
    spec: Spec,
    diagnostics: Sequence[Diagnostic] | None = None,
    highlight: Evidence | None = None,
    peers: Sequence[Spec] = (),
) -> DiagramGraph:
    """The diagram of one spec with findings (``--check``) and a trace (``--highlight``) drawn.

    ``peers`` are the other specs loaded with it (a system's component machines)."""
    graph = _build(spec, peers)
    graph.file = spec.span.file
    if diagnostics:
        apply_findings(graph, diagnostics)
    if highlight is not None:
        apply_highlight(graph, highlight)
    return graph


def _build(spec: Spec, peers: Sequence[Spec]) -> DiagramGraph:
    """The kind's own diagram; exhaustive, so a new kind is a mypy error here, never a
    spec drawn as a workflow (the registry, ``kinds.py``, lists the same builders)."""
    match spec:
        case StateMachine():
            return build_statemachine(spec)
        case Workflow():
            return build_workflow(spec)
        case PluginSet():
            return build_plugins(spec)
        case Policy():
            return build_policy(spec)
        case System():
            return build_system(spec, peers)
        case _:
            assert_never(spec)
