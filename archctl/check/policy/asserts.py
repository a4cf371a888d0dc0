"""PO201: `assert` entries, proved against the decision of the whole policy.

The decision term applies the combining algorithm and the default (``po_encode``), so an
assertion can fail only because of the algorithm - an allow that a deny would have
overridden under deny-overrides - and the finding says which rule decided the witness.
"""

from __future__ import annotations

import z3

from archctl.check.policy.encode import request_of
from archctl.check.policy.engine import Finder
from archctl.check.policy.report import Reporter
from archctl.check.policy.request import DECISIONS
from archctl.check.smt import Compiler, Outcome, new_solver, solve


def check_asserts(finder: Finder, report: Reporter, timeout_ms: int) -> None:
    policy = report.policy
    if not policy.asserts:
        return
    encoding = finder.solver().encoding
    solver = new_solver(timeout_ms, encoding.ctx)
    solver.add(*encoding.domain)
    compiler = Compiler(encoding.env, encoding.ctx)
    decision = encoding.decision()
    for assertion in policy.asserts:
        condition = (
            z3.BoolVal(True, encoding.ctx)
            if assertion.when is None
            else compiler.expr(assertion.when)
        )
        wanted = decision == DECISIONS[assertion.effect]
        broken = z3.Not(wanted) if assertion.kind == "always" else wanted
        solver.push()
        solver.add(condition, broken)
        outcome = solve(solver)
        model = solver.model() if outcome is Outcome.SAT else None
        solver.pop()
        if outcome is Outcome.UNKNOWN:
            report.add(
                "PO901",
                f"could not prove assertion '{assertion.name}': the solver "
                "gave up (unknown or timeout)",
                assertion.span,
                assertion.name,
            )
        elif model is not None:
            request = request_of(encoding, model)
            scope = "" if assertion.when is None else " for a request matching its condition"
            report.add(
                "PO201",
                f"assertion '{assertion.name}' ({assertion.kind} {assertion.effect}) fails" + scope,
                assertion.span,
                assertion.name,
                request.witness(policy),
                notes=(report.decided_note(request),),
            )
