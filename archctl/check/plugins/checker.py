"""Checker for `kind: plugins`: missing plugins, cycles, unmatched constraints, version
resolution and conflicts (PL101-PL105, PL901).

The work happens in the ``pl_*`` modules (see :mod:`archctl.check.plugins.plan` for the order);
this entry point only adapts it to the checker registry. z3 is imported inside those
modules' functions, and only when versions must be searched; the graph work needs no
networkx (see :mod:`archctl.check.plugins.graph`).
"""

from __future__ import annotations

from archctl.check import CheckContext
from archctl.check.plugins.plan import analyse
from archctl.diagnostics import Diagnostic
from archctl.model.plugins import PluginSet
from archctl.model.spec import Spec


def check(spec: Spec, context: CheckContext) -> list[Diagnostic]:
    """Every PL finding of one plugin set (other kinds yield nothing)."""
    if not isinstance(spec, PluginSet):
        return []
    plan = analyse(spec, context.options.timeout_ms)
    for proof in plan.proofs:
        context.prove(proof.spec, proof.check, proof.subject, proof.engine, proof.certificate)
    return plan.diagnostics
