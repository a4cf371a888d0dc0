"""Soundness verdicts read off an exploration: WF103-WF106 and their evidence.

The codes are the workflow ones where they mean the same thing (docs/pnml.md): a marking
with tokens off the sinks and nothing enabled is a deadlock (WF103); a marking from which
no completion and no deadlock is reachable is stuck in a loop (WF104); a second token on a
place is unsafe (WF105, improper completion when the place is a sink); a transition that
fires in no run is dead (WF106). Each finding points at the PNML element concerned and,
except for dead transitions, carries the firing sequence from the initial marking.

The search runs on the reduced net (``reduce.py``); every trace is replayed transition by
transition in the original net, so the markings shown, the place that gets a second token
and the dead transitions are all the user's own.
"""

from __future__ import annotations

from archctl import codes
from archctl.check.petrinet.explore import Compiled, Exploration
from archctl.check.petrinet.reduce import Reduced
from archctl.check.scc import reaching
from archctl.codes import default_severity
from archctl.diagnostics import Code, Diagnostic
from archctl.evidence import Trace, TraceStep
from archctl.model.petrinet import PetriNet
from archctl.source import Span

#: at most this many deadlocks / dead transitions are reported one by one per net
_MAX_REPORTED = 20


class Verdicts:
    def __init__(self, net: PetriNet, original: Compiled, reduced: Reduced, found: Exploration):
        self.net = net
        self.original = original
        self.reduced = reduced
        self.found = found
        self.place_spans = {place.id: place.span for place in net.places}
        self.transition_spans = {t.id: t.span for t in net.transitions}

    def _tokens(self, marking: int) -> tuple[str, ...]:
        places = self.original.places
        out = []
        while marking:
            low = marking & -marking
            marking ^= low
            out.append(places[low.bit_length() - 1])
        return tuple(out)

    def _sequence(self, index: int) -> list[int]:
        """The original transitions that reach reduced marking ``index``, in order."""
        found, steps = self.found, self.reduced.steps
        path = []
        while index > 0:
            path.append(found.via[index])
            index = found.parent[index]
        return [t for reduced in reversed(path) for t in steps[reduced]]

    def _replay(self, sequence: list[int]) -> tuple[list[TraceStep], int, tuple[int, int] | None]:
        """Fire ``sequence`` in the original net: the steps, the marking reached, and the
        first step that puts a second token on a place (transition, place), if any."""
        net = self.original
        marking = net.initial
        steps = [TraceStep(tokens=self._tokens(marking), note="initial marking")]
        for t in sequence:
            rest = marking ^ net.pre[t]
            after = rest | net.post[t]
            name = net.transitions[t]
            step = TraceStep(
                node=name, tokens=self._tokens(after), location=self.transition_spans[name]
            )
            clash = rest & net.post[t]
            if clash or t in net.doubles:
                steps.append(step)
                place = (clash & -clash).bit_length() - 1 if clash else net.doubles[t]
                return steps, marking, (t, place)
            marking = after
            steps.append(step)
        return steps, marking, None

    def _finding(
        self, code: Code, message: str, span: Span, subject: str, trace: Trace | None = None
    ) -> Diagnostic:
        return Diagnostic(
            code, default_severity(code), message, span, self.net.name, subject, trace
        )

    def unsafe(self) -> Diagnostic | None:
        if self.found.unsafe is None:
            return None
        state, t, _ = self.found.unsafe
        steps, _, clash = self._replay(self._sequence(state) + list(self.reduced.steps[t]))
        if clash is None:
            raise AssertionError("a reduced unsafe step replays safely in the original net")
        transition = self.original.transitions[clash[0]]
        place = self.original.places[clash[1]]
        what = "improper completion: sink" if place in self.net.sinks else "unsafe: place"
        return self._finding(
            codes.WF105,
            f"{what} '{place}' can hold two tokens: firing '{transition}' puts a second one on it",
            self.place_spans[place],
            place,
            Trace(tuple(steps)),
        )

    def _at(self, index: int) -> tuple[Trace, int]:
        steps, marking, _ = self._replay(self._sequence(index))
        return Trace(tuple(steps)), marking

    def deadlocks(self) -> tuple[list[Diagnostic], list[int]]:
        """One WF103 per place a deadlock leaves a token on first; and every dead end."""
        found, sinks = self.found, self.original.sinks
        dead = [
            index
            for index, successors in enumerate(found.succ)
            if not successors and found.markings[index] & ~sinks
        ]
        out: list[Diagnostic] = []
        seen: set[str] = set()
        for index in dead:
            if len(out) >= _MAX_REPORTED:
                break
            trace, marking = self._at(index)
            stuck = self._tokens(marking & ~sinks)
            if stuck[0] in seen:
                continue
            seen.add(stuck[0])
            tokens = ", ".join(f"'{p}'" for p in self._tokens(marking))
            out.append(
                self._finding(
                    codes.WF103,
                    f"deadlock: tokens on {tokens} and no transition is enabled "
                    f"('{stuck[0]}' is not a sink place)",
                    self.place_spans[stuck[0]],
                    stuck[0],
                    trace,
                )
            )
        return out, dead

    def livelocks(self, dead: list[int]) -> list[Diagnostic]:
        """WF104 once, for the first marking that can reach neither completion nor a
        deadlock: its tokens circle forever (a deadlock is WF103's business)."""
        found, sinks = self.found, self.original.sinks
        final = [i for i, m in enumerate(found.markings) if not m & ~sinks]
        settled = reaching(found.succ, [*final, *dead])
        for index in range(len(found.markings)):
            if index not in settled:
                trace, marking = self._at(index)
                stuck = self._tokens(marking & ~sinks)
                tokens = ", ".join(f"'{p}'" for p in stuck)
                return [
                    self._finding(
                        codes.WF104,
                        f"no option to complete: from tokens on {tokens} no firing sequence "
                        "puts every token on a sink place",
                        self.place_spans[stuck[0]],
                        stuck[0],
                        trace,
                    )
                ]
        return []

    def dead_transitions(self) -> list[Diagnostic]:
        fired = {t for reduced in self.found.fired for t in self.reduced.steps[reduced]}
        names = [t for i, t in enumerate(self.original.transitions) if i not in fired]
        return [
            self._finding(
                codes.WF106,
                f"dead transition: '{name}' is enabled in no reachable marking",
                self.transition_spans[name],
                name,
            )
            for name in names[:_MAX_REPORTED]
        ]
