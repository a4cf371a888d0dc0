"""Findings of the state machine checker: one place for messages, spans, subjects, traces.

All three engines (control graph, explicit states, symbolic) report through these helpers,
so a finding reads the same whichever engine decided it; only the engine note differs.

Subjects: the state name for SM101/SM102/SM103/SM106; for SM104 (the later of the two
overlapping transitions), SM105 and SM107 the transition id ``source->target:event`` (or
``source->target`` without an event; one word, so CI filters and baselines can match it);
the property name for SM201/SM202; the undecided item for SM901.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from archctl import codes
from archctl.codes import default_severity
from archctl.diagnostics import Code, Diagnostic
from archctl.evidence import Evidence, Lasso, Trace, TraceStep, Value, Witness
from archctl.model.expr import Assignment, to_source
from archctl.model.statemachine import Property, StateMachine, Transition
from archctl.model.types import TypeKind, VarType, format_value
from archctl.proof import Proof
from archctl.source import Span


@dataclass(frozen=True)
class Step:
    """One step of a concrete run: the transition taken (None for the start) and the result."""

    state: str
    values: Mapping[str, Value]
    transition: Transition | None = None
    note: str | None = None


def transition_id(transition: Transition) -> str:
    """The one-word id of a transition used as a finding's subject."""
    on = f":{transition.event}" if transition.event else ""
    return f"{transition.source}->{transition.target}{on}"


def make_trace(steps: Sequence[Step] | None) -> Trace | None:
    if steps is None:
        return None
    return Trace(
        tuple(
            TraceStep(
                state=step.state,
                event=None if step.transition is None else step.transition.event,
                values=dict(step.values),
                note=step.note,
            )
            for step in steps
        )
    )


@dataclass
class Findings:
    """Collects the findings of one machine; ``note`` names the engine that decided them."""

    machine: StateMachine
    note: str
    out: list[Diagnostic] = field(default_factory=list)
    #: how the next findings were decided, when it differs per query (symbolic engine)
    detail: str | None = None
    #: what the engines proved (the checker hands them to ``CheckContext.prove``)
    proofs: list[Proof] = field(default_factory=list)

    def proof(self, check: str, subject: str, engine: str, certificate: str | None = None) -> None:
        """Record that ``check`` holds for ``subject`` (checks.md "proved"): call it only on a
        decided answer of the engine, never on an unknown, a timeout or a bound."""
        self.proofs.append(Proof(self.machine.name, check, subject, engine, certificate))

    def settled_proofs(self) -> list[Proof]:
        """The proofs no finding contradicts. Subjects can be shared (two transitions with
        one id, two overlap pairs with one later transition), so one part proved does not
        prove the subject when another part has a finding or stayed undecided (SM901)."""
        found = {(d.code, d.subject) for d in self.out}
        undecided = {d.subject for d in self.out if d.code == codes.SM901}
        out: dict[tuple[str, str], Proof] = {}
        for proof in self.proofs:
            key = (proof.check, proof.subject)
            if key in found or key in out:
                continue  # one entry per check and subject: the first proof of it
            if (
                proof.check in (codes.SM104, codes.SM105, codes.SM107)
                and proof.subject in undecided
            ):
                continue
            out[key] = proof
        return list(out.values())

    def _add(
        self,
        code: Code,
        message: str,
        span: Span,
        subject: str,
        evidence: Evidence | None = None,
        notes: Sequence[str] = (),
        help_text: str | None = None,
    ) -> None:
        self.out.append(
            Diagnostic(
                code,
                default_severity(code),
                message,
                span,
                spec=self.machine.name,
                subject=subject,
                evidence=evidence,
                help=help_text,
                notes=(*notes, self.detail or self.note),
            )
        )

    def shown(self, values: Mapping[str, Value]) -> dict[str, Value]:
        """Values as users write them: an ip variable shows as a dotted address."""
        ips = {v.name for v in self.machine.variables if v.type.kind is TypeKind.IP}
        return {
            name: str(ipaddress.IPv4Address(value))
            if name in ips and isinstance(value, int)
            else value
            for name, value in values.items()
        }

    def trace(self, steps: Sequence[Step] | None) -> Trace | None:
        if steps is None:
            return None
        return make_trace([replace(step, values=self.shown(step.values)) for step in steps])

    @functools.cached_property
    def _state_spans(self) -> dict[str, Span]:
        return {state.name: state.span for state in self.machine.states}

    def _state_span(self, name: str) -> Span:
        # a dict, not machine.state(): 50k findings on a 100k-state machine stay linear
        return self._state_spans.get(name, self.machine.span)

    def unreachable(self, state: str) -> None:
        self._add(
            codes.SM101,
            f"state '{state}' is unreachable: no run from '{self.machine.initial}' gets there",
            self._state_span(state),
            state,
            help_text="add a transition into it, relax the guards on the way, or remove it",
        )

    def deadlock(self, state: str, steps: Sequence[Step] | None) -> None:
        self._add(
            codes.SM102,
            f"state '{state}' can be reached with no enabled transition",
            self._state_span(state),
            state,
            self.trace(steps),
            help_text="add a transition for this case, make the state final, or widen a guard",
        )

    def no_termination(self, state: str, steps: Sequence[Step] | None) -> None:
        self._add(
            codes.SM103,
            f"no final state can be reached from state '{state}'",
            self._state_span(state),
            state,
            self.trace(steps),
            help_text="add a way out of the loop towards a final state",
        )

    def nondeterminism(
        self, first: Transition, second: Transition, values: Mapping[str, Value] | None
    ) -> None:
        """``values`` is a reachable valuation where both guards hold (None: not shown)."""
        notes: list[str] = []
        if first.guard is None and second.guard is None:
            notes.append("neither transition has a guard: they overlap in every valuation")
        elif values is None:
            notes.append("no short run to such a valuation was found to show as a witness")
        self._add(
            codes.SM104,
            f"transitions '{first.label}' (line {first.span.line}) and '{second.label}' "
            f"can both fire on '{second.event}'",
            second.span,
            transition_id(second),
            Witness(self.shown(values or {})),
            notes,
            help_text="make the guards exclusive, or use distinct events",
        )

    def dead_transition(self, transition: Transition) -> None:
        self._add(
            codes.SM105,
            f"transition '{transition.label}' is never enabled in a reachable state",
            transition.span,
            transition_id(transition),
            help_text="its guard never holds where the machine can be in its source state",
        )

    def final_outgoing(self, state: str, transitions: Sequence[Transition]) -> None:
        lines = ", ".join(str(t.span.line) for t in transitions)
        self._add(
            codes.SM106,
            f"final state '{state}' has outgoing transitions (line {lines})",
            self._state_span(state),
            state,
        )

    def out_of_range(
        self,
        transition: Transition,
        assignment: Assignment,
        value: Value | None,
        var_type: VarType,
        steps: Sequence[Step] | None,
    ) -> None:
        """``value`` is the out-of-range value of the trace (None: shown reachable, no trace)."""
        shown = "a value" if value is None else format_value(value, var_type)
        text = "any" if assignment.value is None else to_source(assignment.value)
        self._add(
            codes.SM107,
            f"'{assignment.target} = {text}' on '{transition.label}' can set "
            f"{assignment.target} to {shown} outside {var_type.describe()}",
            assignment.span,
            transition_id(transition),
            self.trace(steps),
            help_text="guard the transition or clamp the update",
        )

    def violated(
        self, prop: Property, steps: Sequence[Step] | None, extra: Sequence[str] = ()
    ) -> None:
        condition = to_source(prop.condition) if prop.condition is not None else ""
        self._add(
            codes.SM201,
            f"property '{prop.name}' ({prop.kind} {condition}) is violated",
            prop.span,
            prop.name,
            self.trace(steps),
            extra,
        )

    def liveness_violated(self, prop: Property, lasso: Lasso) -> None:
        """SM203 with the lasso; its ``fairness`` says why the loop counts as a run."""
        assert prop.condition is not None
        goal = to_source(prop.condition)
        if prop.target is not None:
            goal = f"from {goal} to {to_source(prop.target)}"
        how = "stops without reaching it" if not lasso.loop else "loops forever without it"
        self._add(
            codes.SM203,
            f"property '{prop.name}' ({prop.kind} {goal}) fails: a run that is "
            f"{lasso.fairness}-fair {how}",
            prop.span,
            prop.name,
            lasso,
            help_text="add a way out of the loop, or require fairness the loop breaks",
        )

    def unreachable_property(self, prop: Property) -> None:
        self._add(
            codes.SM202,
            f"property '{prop.name}' fails: state '{prop.state}' is unreachable",
            prop.span,
            prop.name,
        )

    def inconclusive(self, subject: str, what: str, span: Span, reason: str) -> None:
        self._add(codes.SM901, f"could not decide {what}: {reason}", span, subject)
