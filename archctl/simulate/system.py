"""Run systems: a seeded random interleaving on a virtual clock, or the replay of an SY trace.

Every step takes no time; a message sent on a channel with ``latency`` reaches the head of
its queue only once its delivery time has come (FIFO order is kept: a late message holds up
the ones behind it; on an ``ordering: bag`` channel each message may be received once it is
delivered, whatever was sent before it). When no step can be taken now but messages are in
flight, the clock jumps to the next delivery. A run ends when every component is final and
nothing is left to do, when no component can ever move again (a deadlock), or at the step
limit.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from archctl.model.statemachine import StateMachine
from archctl.model.system import System
from archctl.model.system_compiled import Message, SystemModel, compile_system, initial_locals
from archctl.model.system_ops import Config, replica_values
from archctl.model.system_step import Step, Stepper, operation_texts
from archctl.simulate.timing import Sampler, sampler
from archctl.simulate.workflow import SimulationError


@dataclass
class Run:
    """One run: its events (JSON-ready), how it ended, and per-replica / per-channel counts."""

    events: list[dict[str, Any]] = field(default_factory=list)
    ending: str = ""
    time_ms: float = 0.0
    steps: Counter[str] = field(default_factory=Counter)
    sent: Counter[str] = field(default_factory=Counter)
    received: Counter[str] = field(default_factory=Counter)
    latency_ms: dict[str, list[float]] = field(default_factory=dict)
    deepest: Counter[str] = field(default_factory=Counter)


class Simulator:
    def __init__(self, system: System, machines: dict[str, StateMachine]) -> None:
        self.model: SystemModel = compile_system(system, machines)
        self.stepper = Stepper(self.model)
        self.samplers: list[Sampler | None] = [
            None if channel.latency is None else sampler(channel.latency)
            for channel, _ in self.model.channels
        ]

    def final(self, config: Config) -> bool:
        return all(
            local[0] in instance.finals
            for instance, local in zip(self.model.instances, config.locals, strict=True)
        )

    def run(self, seed: int, max_steps: int) -> Run:
        rng = random.Random(seed)
        config = Config(
            tuple(rng.choice(initial_locals(instance)) for instance in self.model.instances),
            tuple(() for _ in self.model.channels),
        )
        due: list[list[tuple[float, Message]]] = [[] for _ in self.model.channels]
        run, now = Run(), 0.0
        while len(run.events) < max_steps:
            steps = [s for s in self.stepper.steps(config) if isinstance(s, Step)]
            ready = [s for s in steps if self._delivered(s, due, now)]
            if not ready:
                waiting = [
                    time
                    for (channel, _), times in zip(self.model.channels, due, strict=True)
                    for time, _ in (times if channel.bag else times[:1])
                    if time > now
                ]
                if waiting and steps:
                    now = min(waiting)
                    continue
                run.ending = "final" if self.final(config) else "deadlock"
                break
            step = rng.choice(ready)
            self._account(step, config, due, now, rng, run)
            config = step.after
        else:
            run.ending = "step limit"
        run.time_ms = now
        return run

    def _delivered(self, step: Step, due: list[list[tuple[float, Message]]], now: float) -> bool:
        op = step.move.op
        if op is None or op.op.send or op.rendezvous:
            return True
        return _arrival(op.channel.bag, due[step.channel], step.message, now) is not None

    def _account(
        self,
        step: Step,
        config: Config,
        due: list[list[tuple[float, Message]]],
        now: float,
        rng: random.Random,
        run: Run,
    ) -> None:
        actor = self.model.instances[step.actor]
        send, receive = operation_texts(self.model, step)
        event: dict[str, Any] = {"time_ms": round(now, 3), "component": actor.name}
        if step.move.transition.event is not None:
            event["event"] = step.move.transition.event
        op = step.move.op
        name = self.model.channel_name(step.channel) if op is not None else ""
        if op is not None and not op.rendezvous:
            if op.op.send:
                sample = self.samplers[step.channel]
                delay = 0.0 if sample is None else sample(rng)
                due[step.channel].append((now + delay, step.message))
                run.latency_ms.setdefault(name, []).append(delay)
                run.deepest[name] = max(run.deepest[name], len(step.after.channels[step.channel]))
            else:
                arrived = _arrival(op.channel.bag, due[step.channel], step.message, now)
                assert arrived is not None  # only delivered receives are chosen
                due[step.channel].pop(arrived)
        if send is not None:
            event["send"] = send
            run.sent[actor.name] += 1
        if receive is not None:
            event["receive"] = receive
            receiver = actor.name
            if step.partner is not None:
                receiver = self.model.instances[step.partner].name
                event["partner"] = receiver
            run.received[receiver] += 1
        run.steps[actor.name] += 1
        event["state"] = actor.state_name(step.after.locals[step.actor])
        run.events.append(event)

    def replay(self, steps: list[dict[str, Any]]) -> Run:
        """Follow a trace (``verify --format json``) step by step; a step that the system
        cannot take from where the run is raises :class:`SimulationError` saying why."""
        first = steps[0].get("values", {})
        starts = _combinations([initial_locals(i) for i in self.model.instances])
        config = next(
            (
                Config(c, tuple(() for _ in self.model.channels))
                for c in starts
                if _matches(self._values(Config(c, ())), first)
            ),
            None,
        )
        if config is None:
            raise SimulationError("the trace's first step is not an initial configuration")
        run = Run()
        for number, raw in enumerate(steps[1:], 2):
            options = [s for s in self.stepper.steps(config) if isinstance(s, Step)]
            chosen = next((s for s in options if self._same(s, raw)), None)
            if chosen is None:
                possible = "; ".join(sorted({self._describe(s) for s in options})) or "nothing"
                raise SimulationError(
                    f"step {number} ({raw.get('component')}: "
                    f"{raw.get('send') or raw.get('receive') or raw.get('state')}) cannot be "
                    f"taken here; possible: {possible}"
                )
            self._account(
                chosen,
                config,
                [[(0.0, message) for message in queue] for queue in config.channels],
                0.0,
                random.Random(0),
                run,
            )
            config = chosen.after
        run.ending = "final" if self.final(config) else "replayed"
        if not [s for s in self.stepper.steps(config) if isinstance(s, Step)]:
            run.ending = "final" if self.final(config) else "deadlock"
        return run

    def _values(self, config: Config) -> dict[str, Any]:
        return replica_values(self.model, config)

    def _same(self, step: Step, raw: dict[str, Any]) -> bool:
        actor = self.model.instances[step.actor]
        send, receive = operation_texts(self.model, step)
        if raw.get("component") != actor.name or raw.get("send") != send:
            return False
        if raw.get("receive") != receive:
            return False
        if raw.get("state") not in (None, actor.state_name(step.after.locals[step.actor])):
            return False
        return _matches(self._values(step.after), raw.get("values", {}))

    def _describe(self, step: Step) -> str:
        actor = self.model.instances[step.actor]
        send, receive = operation_texts(self.model, step)
        what = send or receive or f"-> {actor.state_name(step.after.locals[step.actor])}"
        return f"{actor.name}: {what}"


def _matches(ours: dict[str, Any], theirs: dict[str, Any]) -> bool:
    return all(key in ours and ours[key] == value for key, value in theirs.items())


def _combinations(choices: list[list[Any]]) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = [()]
    for options in choices:
        out = [(*prefix, option) for prefix in out for option in options]
    return out


def _arrival(
    bag: bool, times: list[tuple[float, Message]], message: Message, now: float
) -> int | None:
    """Which sent message a receive takes: the head of a FIFO once delivered; in a bag the
    first delivered copy of ``message``. None while it is still in flight."""
    if not bag:
        return 0 if times and times[0][0] <= now else None
    return next(
        (at for at, (time, sent) in enumerate(times) if sent == message and time <= now), None
    )
