"""Pick the builder for a spec's kind and apply the overlays: the one entry point of render/."""

from __future__ import annotations

from collections.abc import Sequence

from archctl.diagnostics import Diagnostic
from archctl.evidence import Evidence
from archctl.model.plugins import PluginSet
from archctl.model.policy import Policy
from archctl.model.spec import Spec
from archctl.model.statemachine import StateMachine
from archctl.render.graph import DiagramGraph
from archctl.render.overlay import apply_findings, apply_highlight
from archctl.render.plugins import build_plugins
from archctl.render.policy import build_policy
from archctl.render.statemachine import build_statemachine
from archctl.render.workflow import build_workflow


def build_diagram(
    spec: Spec,
    diagnostics: Sequence[Diagnostic] | None = None,
    highlight: Evidence | None = None,
) -> DiagramGraph:
    """The diagram of one spec with findings (``--check``) and a trace (``--highlight``) drawn."""
    if isinstance(spec, StateMachine):
        graph = build_statemachine(spec)
    elif isinstance(spec, PluginSet):
        graph = build_plugins(spec)
    elif isinstance(spec, Policy):
        graph = build_policy(spec)
    else:
        graph = build_workflow(spec)
    graph.file = spec.span.file
    if diagnostics:
        apply_findings(graph, diagnostics)
    if highlight is not None:
        apply_highlight(graph, highlight)
    return graph
