"""Concrete runs from the search: replay the breadth-first parent chain as real steps.

The store holds canonical representatives (replicas sorted under symmetry), so the chain of
stored configurations is a run only up to a permutation of replicas. Replaying it from the
concrete initial configuration, choosing at each point the real step whose canonical form
is the next stored configuration, gives a run of the system as written, with the real
replica names.
"""

from __future__ import annotations

from archctl.check.system.explore import Explorer
from archctl.evidence import Trace, TraceStep, Value
from archctl.model.system_ops import Config, replica_values
from archctl.model.system_step import Step, operation_texts


def path_to(explorer: Explorer, ident: int) -> list[int]:
    chain = [ident]
    while explorer.result.parent[chain[-1]] != -1:
        chain.append(explorer.result.parent[chain[-1]])
    return chain[::-1]


def replay(explorer: Explorer, ident: int) -> tuple[Config, list[Step]]:
    """The initial configuration and the concrete steps that reach configuration ``ident``."""
    chain = path_to(explorer, ident)
    current = explorer.decode(chain[0])
    steps: list[Step] = []
    for target in chain[1:]:
        wanted = explorer.result.keys[target]
        for outcome in explorer.stepper.steps(current):
            if isinstance(outcome, Step) and explorer.key(outcome.after) == wanted:
                steps.append(outcome)
                current = outcome.after
                break
        else:  # pragma: no cover - the parent edge came from such a step
            raise AssertionError("trace replay lost the run")
    return current, steps


def values(explorer: Explorer, config: Config) -> dict[str, Value]:
    """``COMPONENT.state`` and ``COMPONENT.VAR`` of every replica."""
    shown: dict[str, Value] = replica_values(explorer.model, config)
    return shown


def channels(explorer: Explorer, config: Config) -> dict[str, tuple[str, ...]]:
    from archctl.model.system_ops import message_text

    out = {}
    for position, queue in enumerate(config.channels):
        name = explorer.model.channel_name(position)
        out[name] = tuple(message_text("", "", message) for message in queue)
    return out


def initial_step(explorer: Explorer, config: Config) -> TraceStep:
    return TraceStep(
        values=values(explorer, config),
        channels=channels(explorer, config),
        note="initial configuration",
    )


def trace_step(explorer: Explorer, step: Step) -> TraceStep:
    """One step as evidence: who moved, its operation with values, where it is written, and
    the configuration after it (a rendezvous names the partner in the note)."""
    actor = explorer.model.instances[step.actor]
    send, receive = operation_texts(explorer.model, step)
    note = None
    if step.partner is not None:
        partner = explorer.model.instances[step.partner]
        state = partner.state_name(step.after.locals[step.partner])
        note = f"rendezvous: {partner.name} receives, now in '{state}'"
    return TraceStep(
        component=actor.name,
        event=step.move.transition.event,
        state=actor.state_name(step.after.locals[step.actor]),
        send=send,
        receive=receive,
        location=step.move.transition.span,
        values=values(explorer, step.after),
        channels=channels(explorer, step.after),
        note=note,
    )


def make_trace(explorer: Explorer, ident: int) -> tuple[Config, Trace]:
    """The shortest run to ``ident`` as trace evidence (and the configuration it ends in)."""
    start = explorer.decode(path_to(explorer, ident)[0])
    end, steps = replay(explorer, ident)
    out = [initial_step(explorer, start), *(trace_step(explorer, step) for step in steps)]
    return end, Trace(tuple(out))
