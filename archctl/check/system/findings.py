"""The findings of one system: messages, spans, subjects and traces in one place.

Subjects (checks.md 1.1): ``COMPONENT.STATE`` for SY101; ``COMPONENT.FROM->TO`` for SY105 and
SY107, with ``:EVENT`` and ``:CHANNEL!MESSAGE`` / ``:CHANNEL?MESSAGE`` appended when the
transition has them (one word, for filters and baselines); the stuck (SY102) or unfinished
(SY103) replicas, sorted and comma-separated; the channels holding messages for SY104; the
property name for SY201/SY202/SY203.
"""

from __future__ import annotations

from collections.abc import Sequence

from archctl import codes
from archctl.check import CheckContext
from archctl.check.system.explore import Explorer
from archctl.check.system.stuck import waits
from archctl.check.system.trace import make_trace, path_to
from archctl.codes import default_severity
from archctl.diagnostics import Code, Diagnostic
from archctl.evidence import Evidence, Lasso
from archctl.model.statemachine import StateMachine, Transition
from archctl.model.system import Component, SystemProperty
from archctl.model.system_ops import Config
from archctl.source import Span

#: Deadlocks reported per system (one per distinct set of stuck replicas).
MAX_DEADLOCKS = 5


def transition_subject(component: str, transition: Transition) -> str:
    subject = f"{component}.{transition.source}->{transition.target}"
    if transition.event:
        subject += f":{transition.event}"
    op = transition.channel
    if op is not None:
        subject += f":{op.channel}{'!' if op.send else '?'}{op.message}"
    return subject


class SystemFindings:
    def __init__(self, explorer: Explorer, context: CheckContext) -> None:
        self.explorer = explorer
        self.model = explorer.model
        self.system = explorer.model.system
        self.context = context
        self.out: list[Diagnostic] = []
        self.found: set[str] = set()
        self.note = ""

    # -- plumbing ------------------------------------------------------------------------
    def add(
        self,
        code: Code,
        message: str,
        span: Span,
        subject: str,
        evidence: Evidence | None = None,
        help_text: str | None = None,
    ) -> None:
        self.found.add(code)
        notes = (self.note,) if self.note else ()
        self.out.append(
            Diagnostic(
                code,
                default_severity(code),
                message,
                span,
                spec=self.system.name,
                subject=subject,
                evidence=evidence,
                help=help_text,
                notes=notes,
            )
        )

    def prove(self, check: str, subject: str, certificate: str) -> None:
        self.context.prove(self.system.name, check, subject, self._engine(), certificate)

    def _engine(self) -> str:
        return "explicit-state search" + (
            " (reduced)" if self.explorer.result.reduced or self.model.groups else ""
        )

    def depth(self, ident: int) -> int:
        return len(path_to(self.explorer, ident)) - 1

    def _instance_span(self, actor: int, config: Config | None = None) -> Span:
        """Where a replica is: its component, or for a generated machine (a BPMN pool) the
        element its state stands for (where its tokens wait)."""
        instance = self.model.instances[actor]
        if config is not None and instance.component.origin is not None:
            return instance.machine.states[config.locals[actor][0]].span
        return instance.component.span

    # -- findings ------------------------------------------------------------------------
    def faults(self) -> None:
        for key in sorted(self.explorer.result.faults):
            ident, fault = self.explorer.result.faults[key]
            _, trace = make_trace(self.explorer, ident)
            transition = fault.move.transition
            self.add(
                codes.SY107,
                f"out of range: {fault.message}",
                transition.span,
                transition_subject(key[0], transition),
                trace,
                "widen the declared range, or guard the step so it cannot leave it",
            )

    def deadlocks(self) -> None:
        seen: set[str] = set()
        for ident in self.explorer.result.deadlocks:
            config = self.explorer.decode(ident)
            stuck = [
                actor
                for actor, instance in enumerate(self.model.instances)
                if config.locals[actor][0] not in instance.finals
            ]
            if not stuck:
                continue
            end, trace = make_trace(self.explorer, ident)
            actual = [
                actor
                for actor, instance in enumerate(self.model.instances)
                if end.locals[actor][0] not in instance.finals
            ]
            subject = ",".join(sorted(self.model.instances[a].name for a in actual))
            if subject in seen:
                continue
            seen.add(subject)
            reasons = "; ".join(waits(self.model, actor, end) for actor in actual)
            self.add(
                codes.SY102,
                f"deadlock: no component can move and not all are final: {reasons}",
                self._instance_span(actual[0], end),
                subject,
                trace,
            )
            if len(seen) >= MAX_DEADLOCKS:
                return

    def leftovers(self) -> None:
        for ident in self.explorer.result.finals:
            config = self.explorer.decode(ident)
            if not any(config.channels):
                continue
            end, trace = make_trace(self.explorer, ident)
            full = [
                (self.model.channel_name(pos), queue)
                for pos, queue in enumerate(end.channels)
                if queue
            ]
            described = ", ".join(f"{name} holds {len(queue)}" for name, queue in full)
            first, _ = self.model.channels[next(p for p, q in enumerate(end.channels) if q)]
            self.add(
                codes.SY104,
                f"every component is final but messages are still queued: {described}",
                # an imported message flow: its own line says which message is left
                first.span if first.unbounded else self.system.span,
                ",".join(name for name, _ in full),
                trace,
                "receive (or stop sending) what nobody reads before finishing",
            )
            return

    def termination(self) -> None:
        result = self.explorer.result
        if not self.model.can_finish:
            return
        backward: list[list[int]] = [[] for _ in range(result.size)]
        for source, targets in enumerate(result.edges):
            for target in targets:
                backward[target].append(source)
        good = set(result.finals) | set(result.deadlocks)
        frontier = list(good)
        while frontier:
            node = frontier.pop()
            for previous in backward[node]:
                if previous not in good:
                    good.add(previous)
                    frontier.append(previous)
        trapped = next((i for i in range(result.size) if i not in good), None)
        if trapped is None:
            self.prove(codes.SY103, self.system.name, f"{result.size:,} configurations")
            return
        end, trace = make_trace(self.explorer, trapped)
        moving = sorted(
            instance.name
            for actor, instance in enumerate(self.model.instances)
            if end.locals[actor][0] not in instance.finals
        )
        self.add(
            codes.SY103,
            "no termination: from this configuration no run makes every component final "
            f"(not final: {', '.join(moving)})",
            self.system.span,
            ",".join(moving),
            trace,
            "the components keep exchanging messages without progress; add an exit",
        )

    def unreached(self) -> None:
        reached = self.explorer.result.reached
        for component in self.system.components:
            if component.origin is not None:
                continue  # generated states: dead elements are reported instead
            machine = self._machine(component.name)
            for number, state in enumerate(machine.states):
                if (component.name, number) not in reached:
                    self.add(
                        codes.SY101,
                        f"state '{state.name}' of component '{component.name}' is unreachable "
                        f"in system '{self.system.name}'",
                        state.span,
                        f"{component.name}.{state.name}",
                    )

    def dead_transitions(self) -> None:
        result = self.explorer.result
        for component in self.system.components:
            if component.origin is not None:
                self._dead_elements(component)
                continue
            machine = self._machine(component.name)
            states = {state.name: number for number, state in enumerate(machine.states)}
            for number, transition in enumerate(machine.transitions):
                key = (component.name, number)
                if key in result.taken or key in result.faults:
                    continue
                if (component.name, states[transition.source]) not in result.reached:
                    continue  # its source is SY101 already
                self.add(
                    codes.SY105,
                    f"transition {transition.label} of component '{component.name}' is never "
                    f"taken in system '{self.system.name}'",
                    transition.span,
                    transition_subject(component.name, transition),
                )

    def _dead_elements(self, component: Component) -> None:
        """Elements of a generated machine (a BPMN pool) that no run executes: every
        transition made from the element (its ``description``) is never taken."""
        taken: dict[str, bool] = {}
        spans: dict[str, Span] = {}
        machine = self._machine(component.name)
        for number, transition in enumerate(machine.transitions):
            element = transition.description
            if element is None:
                continue  # a step of the construction (a listener, a join): no element
            key = (component.name, number)
            done = key in self.explorer.result.taken or key in self.explorer.result.faults
            taken[element] = taken.get(element, False) or done
            spans.setdefault(element, transition.span)
        for element, done in taken.items():
            if not done:
                self.add(
                    codes.SY105,
                    f"'{element}' of {component.origin} is never executed in system "
                    f"'{self.system.name}'",
                    spans[element],
                    f"{component.name}.{element}",
                )

    def violated(self, prop: SystemProperty, ident: int) -> None:
        _, trace = make_trace(self.explorer, ident)
        what = "is false" if prop.kind == "always" else "holds"
        self.add(
            codes.SY201,
            f"property '{prop.name}' is violated: its `{prop.kind}` condition {what} in a "
            "reachable configuration",
            prop.span,
            prop.name,
            trace,
        )

    def liveness_violated(self, prop: SystemProperty, lasso: Lasso) -> None:
        if prop.kind == "eventually":
            what = "a fair run never reaches its condition"
        else:
            what = "a fair run reaches its `from` condition and then never its `to` condition"
        ending = "stops" if not lasso.loop else "loops forever"
        self.add(
            codes.SY203,
            f"liveness property '{prop.name}' fails: {what} (the run {ending})",
            prop.span,
            prop.name,
            lasso,
        )

    def unreachable_property(self, prop: SystemProperty) -> None:
        self.add(
            codes.SY202,
            f"property '{prop.name}' fails: no run of the system reaches its condition",
            prop.span,
            prop.name,
        )

    def inconclusive(
        self,
        message: str,
        undecided: Sequence[str],
        help_text: str,
        subject: str | None = None,
        span: Span | None = None,
    ) -> None:
        self.add(
            codes.SY901,
            f"inconclusive: {message}; undecided: {', '.join(undecided)}",
            span or self.system.span,
            subject or self.system.name,
            help_text=help_text,
        )

    def budget_hit(self) -> None:
        result = self.explorer.result
        undecided = []
        if codes.SY102 not in self.found:
            undecided.append("deadlock freedom")
        if self.model.can_finish:
            undecided.append("termination (SY103)")
        undecided += ["unreachable states (SY101)", "dead transitions (SY105)"]
        for prop in self.system.properties:
            if prop.kind in ("always", "never", "reachable") and prop.name not in result.hits:
                undecided.append(f"property '{prop.name}'")
        if result.frontier is not None:
            config, actor = result.frontier
            instance = self.model.instances[actor]
            state = instance.machine.states[self.explorer.decode(config).locals[actor][0]]
            _, trace = make_trace(self.explorer, config)
            self.add(
                codes.SY901,
                f"inconclusive: a run takes {instance.component.origin or instance.name} to "
                f"'{state.name}', where its construction stopped (more tokens on one flow "
                f"than the import follows), so runs past it were not followed; undecided: "
                f"{', '.join(undecided)}",
                state.span,
                self.system.name,
                trace,
                "a loop puts tokens on a flow faster than they are taken; bound the loop",
            )
            return
        if result.overflow is not None:
            channel, _ = self.model.channels[result.overflow[1]]
            _, trace = make_trace(self.explorer, result.overflow[0])
            self.add(
                codes.SY901,
                f"inconclusive: a run sends more than {channel.capacity} messages into "
                f"{channel.name}, which has no limit in the model; archctl explores "
                f"{channel.capacity} at most, so runs past that were not followed; undecided: "
                f"{', '.join(undecided)}",
                channel.span,
                self.system.name,
                trace,
                "a loop sends without waiting for its partner; bound the loop",
            )
            return
        self.inconclusive(
            f"the search stopped at the budget of {self.explorer.budget:,} configurations",
            undecided,
            "raise --max-states (or max-states in config), shrink variable ranges or counts",
        )

    def proved_clean(self) -> None:
        size = f"{self.explorer.result.size:,} configurations"
        for code in (codes.SY101, codes.SY102, codes.SY104, codes.SY105, codes.SY107):
            if code not in self.found:
                self.prove(code, self.system.name, size)

    def _machine(self, component: str) -> StateMachine:
        return next(i.machine for i in self.model.instances if i.component.name == component)
