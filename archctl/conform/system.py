"""A system as replay semantics: an event names ``component.activity``.

A configuration is the system's (every replica's state and variables, every channel's
contents), stepped by the same semantics ``verify`` explores (``model/system_step.py``).
A step is visible as ``REPLICA.ACTIVITY``: the transition's ``on`` event
(``participant[1].vote``), or for a channel operation the operation without its values
(``coordinator.votes?yes``, ``participant[1].decision[1]?commit``; a rendezvous is one step,
the sender's ``CH!MSG``). Internal steps (neither) are silent. A run may end when every
replica is in a final state. Values the log cannot tell branch over
their domains, as for state machines (the log's attributes are not matched for systems).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

from archctl.model.statemachine import StateMachine
from archctl.model.system import System
from archctl.model.system_compiled import Unbounded, compile_system, initial_locals
from archctl.model.system_step import Config, Step, Stepper, operation_texts


class SystemSemantics:
    def __init__(self, system: System, machines: Mapping[str, StateMachine]) -> None:
        self.model = compile_system(system, dict(machines))
        self.stepper = Stepper(self.model)
        self._next: dict[Config, list[tuple[str | None, Config]]] = {}
        self.labels = frozenset(self._declared_labels())

    def _declared_labels(self) -> set[str]:
        """Every activity a replica's transitions can show (channel indexes left open)."""
        out: set[str] = set()
        for instance in self.model.instances:
            for moves in instance.moves:
                for move in moves:
                    transition = move.transition
                    if transition.event is not None:
                        out.add(f"{instance.name}.{transition.event}")
                    elif move.op is not None:
                        op = move.op.op
                        mark = "!" if op.send else "?"
                        channel = move.op.channel
                        for index in range(channel.count or 1):
                            name = channel.instance(index)
                            out.add(f"{instance.name}.{name}{mark}{op.message}")
        return out

    def _label(self, step: Step) -> str | None:
        actor = self.model.instances[step.actor].name
        event = step.move.transition.event
        if event is not None:
            return f"{actor}.{event}"
        send, receive = operation_texts(self.model, step)
        text = send or receive
        if text is None:
            return None
        return f"{actor}.{text.split('(', 1)[0]}"

    def initial(self) -> list[Config]:
        try:
            starts = [initial_locals(instance) for instance in self.model.instances]
        except Unbounded as error:
            raise ValueError(f"conform cannot enumerate the system's start: {error}") from None
        empty = tuple(() for _ in self.model.channels)
        return [Config(tuple(c), empty) for c in itertools.product(*starts)]

    def _steps(self, config: Config) -> list[tuple[str | None, Config]]:
        found = self._next.get(config)
        if found is None:
            found = []
            for outcome in self.stepper.steps(config):
                if not isinstance(outcome, Step):
                    continue  # an out-of-range update is no run (verify reports SY107)
                found.append((self._label(outcome), outcome.after))
            self._next[config] = found
        return found

    def silent(self, config: object) -> list[Config]:
        assert isinstance(config, Config)
        return [after for label, after in self._steps(config) if label is None]

    def visible(self, config: object) -> list[tuple[str, Config]]:
        assert isinstance(config, Config)
        return [(label, after) for label, after in self._steps(config) if label is not None]

    def observe(self, config: object, attributes: object) -> bool:
        return True

    def complete(self, config: object) -> bool:
        assert isinstance(config, Config)
        return all(
            local[0] in instance.finals
            for instance, local in zip(self.model.instances, config.locals, strict=True)
        )
