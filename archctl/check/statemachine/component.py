"""A machine that sends or receives, checked alone: only what holds whatever its peers do.

Its reachability, deadlocks, termination and ranges depend on the messages its peers send,
so they are checked in the systems that use it (SY codes). Alone it gets the structural
checks (SM106) and, when no system of the checked files uses it, an info finding (SY108)
saying that nothing else was checked.
"""

from __future__ import annotations

from archctl import codes
from archctl.check import CheckContext
from archctl.check.statemachine.evidence import Findings
from archctl.check.statemachine.graph import final_outgoing
from archctl.codes import default_severity
from archctl.diagnostics import Diagnostic
from archctl.model.statemachine import StateMachine


def check_component(machine: StateMachine, context: CheckContext) -> list[Diagnostic]:
    findings = Findings(machine, "a component machine: checked alone only for its structure")
    final_outgoing(machine, findings)
    used = any(
        getattr(spec, "kind", None) == "system"
        and any(
            getattr(c, "machine", None) == machine.name for c in getattr(spec, "components", ())
        )
        for spec in context.specs
    )
    if not used:
        findings.out.append(
            Diagnostic(
                codes.SY108,
                default_severity(codes.SY108),
                f"machine '{machine.name}' sends or receives but no system uses it: its "
                "reachability, deadlocks and termination were not checked",
                machine.span,
                spec=machine.name,
                subject=machine.name,
                help="add it as a component of a `kind: system` spec",
            )
        )
    return findings.out
