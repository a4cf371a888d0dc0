"""Liveness properties of machines whose data the explicit search cannot enumerate.

Placeholder-free by design: until a symbolic argument decides a property, it is reported as
SM901 naming the property and the reason, never passed silently (docs/fairness.md).
"""

from __future__ import annotations

from archctl.check.statemachine.evidence import Findings


def undecided_liveness(findings: Findings, reason: str) -> None:
    for prop in findings.machine.properties:
        if prop.is_liveness:
            findings.detail = "symbolic engine (Z3)"
            findings.inconclusive(prop.name, f"liveness property '{prop.name}'", prop.span, reason)
    findings.detail = None
