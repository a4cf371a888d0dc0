"""PO201: `assert` entries, proved against the decision of the whole policy.

The decision term applies the combining algorithm and the default (``po_encode``), so an
assertion can fail only because of the algorithm - an allow that a deny would have
overridden under deny-overrides - and the finding says which rule decided the witness.
"""

from __future__ import annotations

from typing import Any

import z3

from archctl import codes
from archctl.check.policy.encode import Encoding, request_of
from archctl.check.policy.engine import Finder
from archctl.check.policy.report import Reporter
from archctl.check.policy.request import DECISIONS, priority_order
from archctl.check.smt import Compiler, Outcome, new_solver, solve
from archctl.model.policy import Policy


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
        if outcome is Outcome.UNSAT:
            core = _core(encoding, condition, broken, timeout_ms)
            certificate = None if core is None else _core_text(policy, core)
            report.proved(codes.PO201, "z3", certificate, assertion.name)
        elif outcome is Outcome.UNKNOWN:
            report.add(
                codes.PO901,
                f"could not prove assertion '{assertion.name}': the solver "
                "gave up (unknown or timeout)",
                assertion.span,
                assertion.name,
            )
        elif model is not None:
            request = request_of(encoding, model)
            scope = "" if assertion.when is None else " for a request matching its condition"
            report.add(
                codes.PO201,
                f"assertion '{assertion.name}' ({assertion.kind} {assertion.effect}) fails" + scope,
                assertion.span,
                assertion.name,
                request.witness(policy),
                notes=(report.decided_note(request),),
            )


def _core(encoding: Encoding, condition: Any, broken: Any, timeout_ms: int) -> list[int] | None:
    """The rules an unsatisfiable assertion query depends on (an unsat core), or None.

    The decision is rebuilt over one free boolean per rule, tied to the rule's condition by
    a tracked assumption; the core names the rules whose conditions the proof needed (not
    minimal: z3's core, a readable certificate rather than a minimum).
    """
    ctx, policy = encoding.ctx, encoding.policy
    solver = new_solver(timeout_ms, ctx)
    solver.add(*encoding.domain)
    free = [z3.Bool(f"!match{k}", ctx) for k in range(len(policy.rules))]
    track = [z3.Bool(f"!rule{k}", ctx) for k in range(len(policy.rules))]
    for k, match in enumerate(encoding.matches):
        solver.add(z3.Implies(track[k], free[k] == match))
    decision: Any = z3.IntVal(DECISIONS[policy.default], ctx)
    for k in reversed(priority_order(policy)):
        effect = z3.IntVal(DECISIONS[policy.rules[k].effect], ctx)
        decision = z3.If(free[k], effect, decision)
    wanted = z3.substitute(broken, (encoding.decision(), decision))
    solver.add(condition, wanted)
    if solve(solver, track) is not Outcome.UNSAT:
        return None
    core = {str(literal) for literal in solver.unsat_core()}
    return [k for k in range(len(policy.rules)) if f"!rule{k}" in core]


def _core_text(policy: Policy, core: list[int]) -> str:
    names = [policy.rules[k].id for k in core]
    shown = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
    return f"unsat core: {len(core)} of {len(policy.rules)} rules" + (
        f" ({shown})" if names else ""
    )
