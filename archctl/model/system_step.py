"""The steps of a configuration: which replica moves, how, and what the result is.

Semantics (spec-format 1.1, kind: system): a send is enabled while its channel has room (or,
for a rendezvous channel, together with a matching receive of another replica: one step for
both); a receive is enabled when the head of its channel is its message with the same
number of arguments and its guard holds on the received values (on an ``ordering: bag``
channel: any queued message, see :func:`archctl.model.system_ops.offers`). A send's guard, index and
arguments are evaluated before its ``do``. An update or received value outside its declared
range, or a channel index outside the array, is a :class:`Fault` (SY107), not a step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from archctl.model.system_compiled import Contents, Instance, Local, Message, Move, SystemModel
from archctl.model.system_ops import (
    Config,
    bind,
    channel_position,
    local_after,
    message_text,
    offers,
    put,
    replace,
    updates,
)

__all__ = ["Config", "Fault", "Outcome", "Step", "Stepper", "channel_position", "operation_texts"]


@dataclass(frozen=True)
class Step:
    """One step; ``channel``/``message`` say what a channel operation carried (texts are
    made only for traces, see :func:`operation_texts`)."""

    actor: int
    move: Move
    after: Config
    channel: int = -1
    message: tuple[Any, ...] = ()
    partner: int | None = None
    partner_move: Move | None = None


def operation_texts(model: SystemModel, step: Step) -> tuple[str | None, str | None]:
    """The step's send and receive with values (``votes!yes(1)``), as trace steps show them."""
    op = step.move.op
    if op is None:
        return None, None
    name = model.channel_name(step.channel)
    send = message_text(name, "!", step.message)
    receive = message_text(name, "?", step.message)
    if op.rendezvous:
        return send, receive
    return (send, None) if op.op.send else (None, receive)


@dataclass(frozen=True)
class Fault:
    """A step that would leave a range: reported as SY107 and not taken."""

    actor: int
    move: Move
    message: str


Outcome = Step | Fault


#: What a replica's own part of a step gives: new local states, or the text of a range fault.
Results = tuple[Local | str, ...]


class Stepper:
    """Generates the steps of configurations of one compiled system.

    A replica's part of a step depends only on its local state (and, for a receive, the
    message it takes), never on the rest of the configuration, so those parts are computed
    once per local state and reused: the search revisits the same local states many times.
    """

    def __init__(self, model: SystemModel) -> None:
        self.model = model
        #: channel position -> replicas that may receive there (rendezvous partners)
        self.partners: dict[int, list[int]] = {}
        for replica, positions in sorted(model.receivers.items()):
            for position in positions:
                self.partners.setdefault(position, []).append(replica)
        self._envs: dict[tuple[int, Local], dict[str, Any]] = {}
        self._sends: dict[tuple[int, Local], list[tuple[Move, int | str, Message, Results]]] = {}
        self._takes: dict[tuple[int, int, Local, Message], Results | str | None] = {}
        self._reads: dict[tuple[int, Local], list[tuple[int, Move, int | str]]] = {}
        self._starts: dict[tuple[int, Local], bool] = {}
        self._partners: dict[
            tuple[int, Local, int, Message], list[Fault | tuple[int, Move, Local]]
        ] = {}

    def env(self, actor: int, local: Local) -> dict[str, Any]:
        """A replica's environment, shared per local state: callers copy before they write."""
        key = (actor, local)
        found = self._envs.get(key)
        if found is None:
            found = self._envs[key] = self.model.instances[actor].env(local)
        return found

    def steps(self, config: Config) -> list[Outcome]:
        out: list[Outcome] = []
        for actor, local in enumerate(config.locals):
            if self.starts(actor, local):
                out.extend(self.instance_steps(config, actor))
        return out

    def starts(self, actor: int, local: Local) -> bool:
        """Whether the replica can start any step from ``local`` at all (a replica that only
        waits for a rendezvous sender starts none: the sender's step moves it)."""
        key = (actor, local)
        found = self._starts.get(key)
        if found is None:
            found = self._starts[key] = bool(
                self._own(actor, local) or self._receives(actor, local)
            )
        return found

    def overflows(self, config: Config) -> list[int]:
        """Channel positions of ``unbounded`` channels that some replica would send to now
        but that hold ``capacity`` messages: the exploration bound, not a waiting sender."""
        out = []
        for actor, local in enumerate(config.locals):
            for move, position, _, _ in self._own(actor, local):
                op = move.op
                if op is None or isinstance(position, str) or not op.channel.unbounded:
                    continue
                if not op.rendezvous and len(config.channels[position]) >= op.channel.capacity:
                    out.append(position)
        return out

    # -- a replica's own part, memoised ----------------------------------------------------
    def _own(self, actor: int, local: Local) -> list[tuple[Move, int | str, Message, Results]]:
        """Internal steps and sends from ``local`` whose guard holds: (move, channel position
        or index fault, message, results); receives are in :meth:`_take`."""
        key = (actor, local)
        found = self._sends.get(key)
        if found is not None:
            return found
        instance = self.model.instances[actor]
        env = self.env(actor, local)
        out: list[tuple[Move, int | str, Message, Results]] = []
        for move in instance.moves[local[0]]:
            op = move.op
            if op is not None and not op.op.send:
                continue
            if move.guard is not None and not move.guard(env):
                continue
            position: int | str = -1
            message: Message = ()
            if op is not None:
                position = channel_position(instance, op, env)
                if not isinstance(position, str):
                    message = (op.op.message, *(arg(env) for arg in op.args))
            out.append((move, position, message, self._results(instance, move, env)))
        self._sends[key] = out
        return out

    def _take(
        self, actor: int, move_at: int, local: Local, message: Message
    ) -> Results | str | None:
        """A receive taking ``message``: its results, a range fault of the received values,
        or None when the guard (on the received values) is false."""
        key = (actor, move_at, local, message)
        if key in self._takes:
            return self._takes[key]
        instance = self.model.instances[actor]
        move = instance.moves[local[0]][move_at]
        assert move.op is not None
        bound = bind(instance, move.op, self.env(actor, local), message)
        found: Results | str | None
        if isinstance(bound, str):
            found = bound
        elif move.guard is not None and not move.guard(bound):
            found = None
        else:
            found = self._results(instance, move, bound)
        self._takes[key] = found
        return found

    def _receives(self, actor: int, local: Local) -> list[tuple[int, Move, int | str]]:
        """The buffered receives from ``local`` and the channel position each reads."""
        key = (actor, local)
        found = self._reads.get(key)
        if found is None:
            instance = self.model.instances[actor]
            env = self.env(actor, local)
            found = self._reads[key] = [
                (move_at, move, channel_position(instance, move.op, env))
                for move_at, move in enumerate(instance.moves[local[0]])
                if move.op is not None and not move.op.op.send and not move.op.rendezvous
            ]
        return found

    @staticmethod
    def _results(instance: Instance, move: Move, env: dict[str, Any]) -> Results:
        return tuple(
            result if isinstance(result, str) else local_after(instance, move, result)
            for result in updates(instance, move, env)
        )

    # -- whole steps -----------------------------------------------------------------------
    def instance_steps(self, config: Config, actor: int) -> list[Outcome]:
        """Steps the replica ``actor`` starts (a rendezvous is started by its sender)."""
        local = config.locals[actor]
        out: list[Outcome] = []
        for move, position, message, results in self._own(actor, local):
            op = move.op
            if isinstance(position, str):
                out.append(Fault(actor, move, position))
            elif op is None:
                self._emit(out, config, actor, move, results, config.channels)
            elif op.rendezvous:
                self._rendezvous(out, config, actor, move, position, message, results)
            elif len(config.channels[position]) < op.channel.capacity:
                queue = put(op.channel, config.channels[position], message)
                channels = replace(config.channels, position, queue)
                self._emit(out, config, actor, move, results, channels, position, message)
        for move_at, move, where in self._receives(actor, local):
            op = move.op
            assert op is not None
            if isinstance(where, str):
                out.append(Fault(actor, move, where))
                continue
            for head, rest in offers(op.channel, config.channels[where]):
                if head[0] != op.op.message or len(head) - 1 != len(op.binds):
                    continue
                taken = self._take(actor, move_at, local, head)
                if isinstance(taken, str):
                    out.append(Fault(actor, move, taken))
                elif taken is not None:
                    channels = replace(config.channels, where, rest)
                    self._emit(out, config, actor, move, taken, channels, where, head)
        return out

    @staticmethod
    def _emit(
        out: list[Outcome],
        config: Config,
        actor: int,
        move: Move,
        results: Results,
        channels: tuple[Contents, ...],
        position: int = -1,
        message: Message = (),
    ) -> None:
        for result in results:
            if isinstance(result, str):
                out.append(Fault(actor, move, result))
            else:
                after = Config(replace(config.locals, actor, result), channels)
                out.append(Step(actor, move, after, position, message))

    def _rendezvous(
        self,
        out: list[Outcome],
        config: Config,
        actor: int,
        move: Move,
        position: int,
        message: Message,
        results: Results,
    ) -> None:
        meets: list[tuple[int, Move, Local]] = []
        for partner in self.partners.get(position, ()):
            if partner != actor:
                self._meet(out, config, partner, position, message, meets)
        if not meets:
            return
        for before in results:
            if isinstance(before, str):
                out.append(Fault(actor, move, before))
                continue
            moved = replace(config.locals, actor, before)
            for partner, other, local in meets:
                after = Config(replace(moved, partner, local), config.channels)
                out.append(Step(actor, move, after, position, message, partner, other))

    def _meet(
        self,
        out: list[Outcome],
        config: Config,
        partner: int,
        position: int,
        message: Message,
        meets: list[tuple[int, Move, Local]],
    ) -> None:
        """The receiving moves of ``partner`` that take ``message`` on ``position``."""
        local = config.locals[partner]
        key = (partner, local, position, message)
        found = self._partners.get(key)
        if found is None:
            found = self._partners[key] = self._receivers(partner, local, position, message)
        for item in found:
            if isinstance(item, Fault):
                out.append(item)
            else:
                meets.append(item)

    def _receivers(
        self, partner: int, local: Local, position: int, message: Message
    ) -> list[Fault | tuple[int, Move, Local]]:
        instance = self.model.instances[partner]
        found: list[Fault | tuple[int, Move, Local]] = []
        for move_at, other in enumerate(instance.moves[local[0]]):
            op = other.op
            if op is None or op.op.send or not op.rendezvous:
                continue
            if op.op.message != message[0] or len(op.binds) != len(message) - 1:
                continue
            where = channel_position(instance, op, self.env(partner, local))
            if isinstance(where, str):
                found.append(Fault(partner, other, where))
                continue
            if where != position:
                continue
            taken = self._take(partner, move_at, local, message)
            if isinstance(taken, str):
                found.append(Fault(partner, other, taken))
            elif taken is not None:
                for result in taken:
                    if isinstance(result, str):
                        found.append(Fault(partner, other, result))
                    else:
                        found.append((partner, other, result))
        return found
