"""Turns policy proof outcomes into diagnostics: messages, spans, witnesses, notes.

Kept apart from the solver logic so that the wording (which users read and tests pin) lives
in one place, and every finding of a rule points at the rule's item in the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Union

from archctl import codes
from archctl.check.policy.request import (
    DECISION_NAMES,
    DECISIONS,
    Matcher,
    Request,
    decide,
    rule_names,
)
from archctl.codes import default_severity
from archctl.diagnostics import Code, Diagnostic, Severity
from archctl.evidence import Witness
from archctl.model.policy import Policy
from archctl.source import Span


@dataclass(frozen=True)
class Decided:
    """The rule that decides a witness (None: the default), when the caller already knows
    it, so that the note does not evaluate rules again."""

    by: int | None


Among = Union[Sequence[int], Decided, None]


class Reporter:
    """Collects the findings of one policy."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.matcher = Matcher(policy)
        self.found: list[Diagnostic] = []
        #: (check, subject, engine, certificate) of what was proved to hold
        self.proofs: list[tuple[str, str, str, str | None]] = []

    def proved(
        self, check: str, engine: str, certificate: str | None, subject: str | None = None
    ) -> None:
        """Record a check that was proved to hold (subject: the policy unless given)."""
        self.proofs.append((check, subject or self.policy.name, engine, certificate))

    def add(
        self,
        code: Code,
        message: str,
        span: Span,
        subject: str,
        witness: Witness | None = None,
        notes: tuple[str, ...] = (),
        help_text: str | None = None,
        severity: Severity | None = None,
    ) -> None:
        self.found.append(
            Diagnostic(
                code,
                severity or default_severity(code),
                message,
                span,
                spec=self.policy.name,
                subject=subject,
                evidence=witness,
                help=help_text,
                notes=notes,
            )
        )

    def _rule(self, position: int) -> tuple[str, Span, str]:
        rule = self.policy.rules[position]
        return rule.id, rule.span, rule.effect

    def decided_note(self, request: Request, among: Among = None) -> str:
        """Which rule decides the witness (or the default), and what.

        ``among`` limits evaluation to the rules that can match it (those near the rule), or
        names the deciding rule outright.
        """
        if isinstance(among, Decided):
            by = among.by
            effect = self.policy.default if by is None else self.policy.rules[by].effect
            decision = DECISIONS[effect]
        else:
            decision, by = decide(self.policy, self.matcher.matching(request, among))
        who = "the default" if by is None else f"rule '{self.policy.rules[by].id}'"
        return f"the witness gets {DECISION_NAMES[decision]} from {who} ({self.policy.combine})"

    def never_applies(self, position: int, proved_by: str) -> None:
        rule_id, span, _ = self._rule(position)
        self.add(
            codes.PO101,
            f"rule '{rule_id}' never applies: {proved_by}",
            span,
            rule_id,
            help_text="fix or remove the condition",
        )

    def shadowed(
        self,
        position: int,
        cover: list[int],
        request: Request,
        among: Among,
        minimal: bool = True,
    ) -> None:
        rule_id, span, effect = self._rule(position)
        names = rule_names(self.policy, cover)
        self.add(
            codes.PO102,
            f"rule '{rule_id}' ({effect}) never decides: every request it matches is decided "
            f"first by {names}, and some get a different decision",
            span,
            rule_id,
            request.witness(self.policy),
            notes=(_covered(names, minimal), self.decided_note(request, among)),
            help_text="move the rule before the rules that cover it, narrow them, or remove it",
        )

    def redundant(
        self,
        position: int,
        request: Request,
        cover: list[int] | None,
        among: Among,
        minimal: bool = True,
    ) -> None:
        rule_id, span, effect = self._rule(position)
        if cover is not None:
            names = rule_names(self.policy, cover)
            message = (
                f"rule '{rule_id}' ({effect}) is redundant: every request it matches is "
                f"already decided the same way by {names}"
            )
            notes: tuple[str, ...] = (_covered(names, minimal),)
        else:
            message = (
                f"rule '{rule_id}' ({effect}) is redundant: without it every request gets the "
                f"same decision (other rules or the default '{self.policy.default}' give {effect})"
            )
            notes = ()
        self.add(
            codes.PO103,
            message,
            span,
            rule_id,
            request.witness(self.policy),
            notes=(*notes, "example request it matches: " + self.decided_note(request, among)),
            help_text="remove the rule, or narrow the rules that make it unnecessary",
        )

    def conflict(
        self,
        position: int,
        partners: list[int],
        request: Request,
        wins: str,
        among: Among,
    ) -> None:
        rule_id, span, effect = self._rule(position)
        names = rule_names(self.policy, partners)
        first = self.policy.combine == "first-applicable"
        message = (
            f"{effect} rule '{rule_id}' and {'allow' if effect == 'deny' else 'deny'} "
            f"rule(s) {names} match a common request; {self.policy.combine} gives {wins}"
        )
        notes = [self.decided_note(request, among)]
        if first:
            notes.append(f"rule '{rule_id}' comes later and never decides such requests")
        self.add(
            codes.PO104,
            message,
            span,
            rule_id,
            request.witness(self.policy),
            notes=tuple(notes),
            severity=Severity.WARNING if first else None,
        )

    def gap(self, request: Request) -> None:
        self.add(
            codes.PO105,
            f"policy '{self.policy.name}' leaves requests undecided: no rule matches the "
            "witness and the default is 'none'",
            self.policy.span,
            self.policy.name,
            request.witness(self.policy),
            help_text="add a rule for these requests or set `default: deny`",
        )

    def inconclusive(self, position: int | None, question: str) -> None:
        if position is None:
            subject, span, what = self.policy.name, self.policy.span, f"policy '{self.policy.name}'"
        else:
            subject, span, _ = self._rule(position)
            what = f"rule '{subject}'"
        self.add(
            codes.PO901,
            f"could not prove {question} for {what}: the solver gave up (unknown or timeout)",
            span,
            subject,
            help_text="raise --timeout or simplify the condition",
        )


def _covered(names: str, minimal: bool) -> str:
    """The cover note; a cover is minimal (no member can be dropped) unless the solver gave
    up while minimising it, which the note then says instead of claiming it."""
    note = f"covered by {names} together"
    return note if minimal else note + " (not proved minimal: the solver gave up)"
