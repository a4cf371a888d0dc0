"""The system checker: explores the interleavings of a system's components and reports.

Every verdict comes from one breadth-first exploration (see ``explore``) within the
configuration budget (``--max-states``). A complete exploration proves what it did not
refute; a search that hit the budget reports what it found (those traces are real runs) and
SY901 for everything it could not decide. Liveness properties (``eventually``,
``leads_to``) need a fair-cycle search that systems do not have yet: SY901, never a pass.
"""

from __future__ import annotations

from archctl.check import CheckContext
from archctl.diagnostics import Diagnostic
from archctl.model.spec import Spec
from archctl.model.statemachine import StateMachine
from archctl.model.system import System

#: Upper bound on stored configurations (also capped by --max-states).
SYSTEM_LIMIT = 2_000_000


def check(spec: Spec, context: CheckContext) -> list[Diagnostic]:
    if not isinstance(spec, System):
        return []
    from archctl.load.link import link_system

    machines = {s.name: s for s in context.specs if isinstance(s, StateMachine)}
    if any(component.machine not in machines for component in spec.components):
        return []  # a load error already says which machine is missing or unreadable
    linked, problems = link_system(spec, machines)
    if problems:
        # verify links while loading and never gets here; a single loaded text (language
        # server, Python API) does, and gets the same located load errors
        return problems
    from archctl.check.system.report import verify_system

    return verify_system(linked, machines, context, min(SYSTEM_LIMIT, context.options.max_states))
