"""The policy checker: bands, rules and assertions of one access policy, proved with Z3.

Entry point of the ``policy`` spec kind (registered in ``archctl/kinds.py``); z3 is imported
only here and in the ``po_*`` helpers, which this module imports lazily.
"""

from __future__ import annotations

from archctl import codes
from archctl.check import CheckContext
from archctl.check.policy.rules import RuleChecker
from archctl.diagnostics import Diagnostic
from archctl.model.policy import Policy
from archctl.model.spec import Spec


def check(spec: Spec, context: CheckContext) -> list[Diagnostic]:
    """All PO findings of one policy (PO101-PO107, PO201, PO901)."""
    if not isinstance(spec, Policy):
        return []
    from archctl.check.policy.bands import check_bands
    from archctl.check.policy.report import Reporter

    timeout = context.options.timeout_ms
    report = Reporter(spec)
    check_bands(report)
    rules = RuleChecker(report, timeout)
    rules.run()
    if spec.asserts:
        from archctl.check.policy.asserts import check_asserts  # imports z3

        check_asserts(rules.finder, report, timeout)
    _rule_proofs(rules)
    for check_code, subject, engine, certificate in report.proofs:
        context.prove(spec.name, check_code, subject, engine, certificate)
    return report.found


RULE_CHECKS = (codes.PO101, codes.PO102, codes.PO103, codes.PO104)


def _rule_proofs(rules: RuleChecker) -> None:
    """PO101-PO104 hold for the policy when no rule has that finding and the checker gave up
    on no rule (a PO901 on a rule leaves every rule check unproved)."""
    report, policy = rules.report, rules.policy
    rule_ids = {rule.id for rule in policy.rules}
    found = {d.code for d in report.found if d.subject in rule_ids}
    if codes.PO901 in found or not policy.rules:
        return
    engine = " + ".join(sorted(rules.engines)) or "box sweep"
    count = len(policy.rules)
    certificate = (
        f"{count} rules; {rules.pairs // 2} of {count * (count - 1) // 2} rule pairs "
        "can overlap (hulls), only those were compared"
    )
    for code in RULE_CHECKS:
        if code not in found:
            report.proved(code, engine, certificate)
