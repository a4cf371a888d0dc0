"""The policy checker: bands, rules and assertions of one access policy, proved with Z3.

Entry point of the ``policy`` spec kind (registered in ``archctl/kinds.py``); z3 is imported
only here and in the ``po_*`` helpers, which this module imports lazily.
"""

from __future__ import annotations

from archctl.check import CheckContext
from archctl.diagnostics import Diagnostic
from archctl.model.policy import Policy
from archctl.model.spec import Spec


def check(spec: Spec, context: CheckContext) -> list[Diagnostic]:
    """All PO findings of one policy (PO101-PO107, PO201, PO901)."""
    if not isinstance(spec, Policy):
        return []
    from archctl.check.policy.bands import check_bands
    from archctl.check.policy.report import Reporter
    from archctl.check.policy.rules import RuleChecker

    timeout = context.options.timeout_ms
    report = Reporter(spec)
    check_bands(report)
    rules = RuleChecker(report, timeout)
    rules.run()
    if spec.asserts:
        from archctl.check.policy.asserts import check_asserts  # imports z3

        check_asserts(rules.finder, report, timeout)
    return report.found
