"""Semantic diff of two versions of a policy: which requests change decision, and why.

Both versions are encoded over one request (``po_encode`` with name suffixes; attributes of
the same name are the same value, enum attributes are linked by value name, so reordering or
adding enum values is fine). For each kind of change - newly allowed, newly denied, newly
undecided - the solver is asked for a request whose old and new decisions differ that way;
each answer is one *region*, named by the pair of deciding rules (old side, new side), and is
then blocked so that the next answer comes from another pair. The result is "equivalent"
only when every question is unsat: a timeout is reported as inconclusive, never as equal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from archctl import codes
from archctl.diagnostics import Diagnostic, Severity
from archctl.evidence import Value, Witness
from archctl.load.loader import load_paths
from archctl.model.policy import Policy
from archctl.source import SourceFile, Span

CHANGES = (("newly allowed", "allow"), ("newly denied", "deny"), ("newly undecided", "none"))


@dataclass(frozen=True)
class Side:
    """How one version decides the witness: the decision and the rule (None: the default)."""

    decision: str
    rule: str | None
    span: Span | None


@dataclass(frozen=True)
class Region:
    change: str
    witness: Witness
    old: Side
    new: Side


@dataclass
class DiffOutcome:
    old_file: str
    new_file: str
    old_policy: str | None = None
    new_policy: str | None = None
    regions: list[Region] = field(default_factory=list)
    inconclusive: list[str] = field(default_factory=list)
    truncated: list[str] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)
    sources: dict[str, SourceFile] = field(default_factory=dict)

    @property
    def equivalent(self) -> bool:
        return not self.problems and not self.regions and not self.inconclusive


def diff_files(
    old_path: str, new_path: str, spec: str | None = None, timeout_ms: int = 10_000, limit: int = 10
) -> DiffOutcome:
    """Load both files, pick the policy in each, and diff them (problems are diagnostics)."""
    outcome = DiffOutcome(old_path, new_path)
    old = _pick(old_path, spec, outcome)
    new = _pick(new_path, spec, outcome)
    if old is None or new is None:
        return outcome
    outcome.old_policy, outcome.new_policy = old.name, new.name
    mismatch = _mismatch(old, new)
    if mismatch:
        outcome.problems.append(
            Diagnostic(codes.LD004, Severity.ERROR, mismatch, new.span, spec=new.name)
        )
        return outcome
    _diff(old, new, outcome, timeout_ms, limit)
    return outcome


def _pick(path: str, spec: str | None, outcome: DiffOutcome) -> Policy | None:
    loaded = load_paths([path])
    outcome.sources.update(loaded.sources)
    errors = [d for d in loaded.diagnostics if d.severity is Severity.ERROR]
    if errors:
        outcome.problems.extend(errors)
        return None
    policies = [s for s in loaded.specs if isinstance(s, Policy)]
    if spec is not None:
        policies = [p for p in policies if p.name == spec]
    if len(policies) == 1:
        return policies[0]
    names = ", ".join(sorted(p.name for p in policies))
    message = (
        f"{path} has no policy" + (f" named '{spec}'" if spec else "")
        if not policies
        else f"{path} has several policies ({names}); choose one with --spec NAME"
    )
    outcome.problems.append(
        Diagnostic(codes.LD003, Severity.ERROR, message, Span.point(path, 1, 1))
    )
    return None


def _mismatch(old: Policy, new: Policy) -> str | None:
    olds = {a.name: a.type for a in old.attributes}
    for attribute in new.attributes:
        before = olds.get(attribute.name)
        if before is None:
            continue
        if before.kind is not attribute.type.kind:
            return (
                f"attribute '{attribute.name}' changed type ({before.describe()} -> "
                f"{attribute.type.describe()}); the versions cannot be compared"
            )
        if before.values and not set(before.values) & set(attribute.type.values):
            return f"enum attribute '{attribute.name}' has no value in common between versions"
    return None


def _diff(old: Policy, new: Policy, outcome: DiffOutcome, timeout_ms: int, limit: int) -> None:
    import z3

    from archctl.check.policy.encode import encode, request_of
    from archctl.check.policy.request import DECISIONS
    from archctl.check.smt import Outcome, enum_code, new_solver, solve

    ctx = z3.Context()  # a fresh context: the witnesses depend on these two policies only
    before, after = encode(old, ctx, "@old"), encode(new, ctx, "@new")
    solver = new_solver(timeout_ms, ctx)
    solver.add(*before.domain, *after.domain)
    for name, var in before.vars.items():
        other = after.vars.get(name)
        if other is None:
            continue
        if var.type.values:
            common = [v for v in var.type.values if v in other.type.values]
            solver.add(
                z3.Or(
                    *(
                        z3.And(
                            var.term == enum_code(var.type, v),
                            other.term == enum_code(other.type, v),
                        )
                        for v in common
                    )
                )
            )
        else:
            solver.add(var.term == other.term)
    old_decision, new_decision = before.decision(), after.decision()
    old_by, new_by = before.decider(), after.decider()
    for change, effect in CHANGES:
        code = DECISIONS[effect]
        solver.push()
        solver.add(old_decision != code, new_decision == code)
        found = 0
        while True:
            answer = solve(solver)
            if answer is Outcome.UNKNOWN:
                outcome.inconclusive.append(change)
                break
            if answer is Outcome.UNSAT:
                break
            if found == limit:
                outcome.truncated.append(change)
                break
            model = solver.model()
            old_rule = model.eval(old_by, model_completion=True).as_long()
            new_rule = model.eval(new_by, model_completion=True).as_long()
            witness = _witness(request_of(before, model), request_of(after, model), old, new)
            outcome.regions.append(
                Region(
                    change,
                    witness,
                    _side(old, model.eval(old_decision, True).as_long(), old_rule),
                    _side(new, code, new_rule),
                )
            )
            found += 1
            solver.add(z3.Not(z3.And(old_by == old_rule, new_by == new_rule)))
        solver.pop()
    order = {change: index for index, (change, _) in enumerate(CHANGES)}
    outcome.regions.sort(
        key=lambda r: (order[r.change], r.new.rule or "", r.old.rule or "", r.old.decision)
    )


def _side(policy: Policy, decision: int, position: int) -> Side:
    from archctl.check.policy.request import DECISION_NAMES

    if position < 0:
        return Side(DECISION_NAMES[decision], None, None)
    rule = policy.rules[position]
    return Side(DECISION_NAMES[decision], rule.id, rule.span)


def _witness(old_request: Any, new_request: Any, old: Policy, new: Policy) -> Witness:
    """One request in the vocabulary of both versions (attributes of either, bands of both).

    A band whose level differs between the versions (its intervals changed) appears twice,
    as ``band@old`` and ``band@new``.
    """
    mine, theirs = old_request.witness(old).values, new_request.witness(new).values
    values: dict[str, Value] = {}
    for name in sorted(set(mine) | set(theirs)):
        if name in mine and name in theirs and mine[name] != theirs[name]:
            values[f"{name}@old"], values[f"{name}@new"] = mine[name], theirs[name]
        else:
            values[name] = mine[name] if name in mine else theirs[name]
    return Witness(values)


def regions_of(outcome: DiffOutcome, change: str) -> Sequence[Region]:
    return [region for region in outcome.regions if region.change == change]
