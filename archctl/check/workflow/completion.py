"""Proper completion (WF114): no completing run reaches one BPMN end event twice.

BPMN analysers (BPMN Analyzer's ProperCompletion, fbpmn's soundness) call an instance whose
end event consumes a second token improperly completed: two branches that should have been
joined both finish the process. archctl's own ends may take several tokens (spec-format.md),
so the check applies only to ends an importer marked ``once`` (the end events of a BPMN
process; tokens that reach the end events inside a subprocess are absorbed by its completion,
as in fbpmn). A ``once`` node inside a scope counts per run of it.

The question is about runs, not markings: is there a path in the state graph to the empty
marking along which the end fires twice? A search over (state, firings so far: 0 or 1)
answers it on the explored graph. The stubborn-set reduction keeps it exact: every run to a
terminal marking has a permutation in the reduced graph, with the same firings; merging by
dead values keeps runs too. A violation found on part of the state space is real; proving
the absence needs the whole of it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import replace

from archctl import codes
from archctl.check.workflow.fire import OK
from archctl.check.workflow.graph import Net
from archctl.check.workflow.net import Exploration
from archctl.check.workflow.soundness import Soundness
from archctl.diagnostics import Diagnostic


def improper(sound: Soundness) -> list[Diagnostic]:
    net, found = sound.net, sound.found
    ends = proper_ends(net)
    if not ends or not found.keys:
        return []
    completes = sound.backward([sid for sid, (mark, _) in enumerate(found.keys) if mark == ()])
    out = []
    for end in ends:
        path = _twice(found, end, completes, _restarts(sound, end))
        if path is None:
            continue
        states = [state for state, _ in path]
        moves = [(node, _outcome(found, state, node)) for state, node in path]
        spec = net.nodes[end]
        message = (
            f"improper completion: a run reaches end '{spec.id}' a second time and the "
            "instance still completes (two tokens end the process where one should)"
        )
        diagnostic = sound.diagnostic(codes.WF114, message, spec.span, spec.id)
        out.append(replace(diagnostic, evidence=sound.trace_of(states, moves)))
    return out


def proper_ends(net: Net) -> list[int]:
    """The ends WF114 is about: ``once`` ends, except terminate ends of the whole instance,
    which end it at their first token and so can never take a second."""
    return [
        n
        for n, spec in enumerate(net.nodes)
        if spec.once and not (spec.terminate and not spec.scope)
    ]


def _outcome(found: Exploration, state: int, node: int) -> str:
    via_node, outcome = found.via[state]
    return outcome if via_node == node else OK


def _restarts(sound: Soundness, end: int) -> set[int]:
    """The completion joins of the subprocesses around an inner end: once one fires, that
    run of the subprocess is over and the next run may pass the end again."""
    name = sound.net.nodes[end].id
    return {
        node
        for node, spec in enumerate(sound.net.nodes)
        if spec.type == "gateway" and name in spec.scope
    }


def _twice(
    found: Exploration, end: int, completes: set[int], restarts: set[int]
) -> list[tuple[int, int]] | None:
    """Shortest (state, node fired to enter it) path whose last step fires ``end`` a second
    time (since the last of ``restarts`` fired) into a state that can still complete.

    The search runs over (state, firings so far), numbered ``2 * state + firings``, with
    flat parent lists: it runs once per end event on every workflow, so it stays cheap.
    """
    size = 2 * len(found.keys)
    parent = [-2] * size  # -2: not reached; -1: a root
    via = [0] * size
    todo: deque[int] = deque()
    for sid, parent_sid in enumerate(found.parent):
        if parent_sid < 0:
            parent[2 * sid] = -1
            todo.append(2 * sid)
    succ, by = found.succ, found.by
    while todo:
        key = todo.popleft()
        sid, count = key >> 1, key & 1
        for target, node in zip(succ[sid], by[sid], strict=True):
            fired = 0 if node in restarts else count + (node == end)
            if fired == 2:
                if target in completes:
                    return _path(found, parent, via, key, target, node)
                continue
            nxt = 2 * target + fired
            if parent[nxt] == -2:
                parent[nxt], via[nxt] = key, node
                todo.append(nxt)
    return None


def _path(
    found: Exploration, parent: list[int], via: list[int], key: int, target: int, node: int
) -> list[tuple[int, int]]:
    path = [(target, node)]
    while key >= 0:
        sid = key >> 1
        path.append((sid, via[key] if parent[key] >= 0 else found.via[sid][0]))
        key = parent[key]
    path.reverse()
    return path
