"""A checker for tests of the report plumbing: it records the proofs the real state
machine checker makes and adds two of its own, so the test sees both paths at once.
"""

from __future__ import annotations

from archctl.check import CheckContext
from archctl.check.statemachine.checker import check as real_check
from archctl.diagnostics import Diagnostic
from archctl.model.spec import Spec


def check(spec: Spec, context: CheckContext) -> list[Diagnostic]:
    found = real_check(spec, context)
    context.prove(spec.name, "SM102", "warm-up", "explicit")
    context.prove(spec.name, "SM101", "warm-up", "explicit", "2 states explored")
    return found
