"""Replay a workflow counterexample from ``archctl verify`` as a token game, step by step.

A workflow trace step names the node that fired, the tokens alive after it (flow labels, and
``task -> handler (on_error)`` for error links) and the values after it. Each step is checked
against the token semantics the engine runs: the node must hold the tokens it consumes (all
incoming flows for a parallel join; an inclusive join only once nothing else can reach it), and
what it produces must be what the node can do with those values (the first `when` that holds at
an exclusive gateway, a task's outgoing flow or its on_error link if it can fail, and so on).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from archctl.simulate.replay import TraceInput, initial_env, mismatch, typed
from archctl.simulate.values import Env
from archctl.simulate.workflow import (
    AND,
    COMPLETE,
    END,
    OR,
    START,
    TASK,
    XOR,
    Program,
    SimulationError,
)


@dataclass(frozen=True)
class NodeStep:
    number: int
    node: str
    tokens: tuple[str, ...]
    values: Env
    changes: Env
    note: str | None = None


def _can_fail(program: Program, node: int) -> bool:
    timing = program.timing[node]
    if timing is None:
        return False
    if timing.failure_rate > 0 or program.sub[node] is not None:
        return True
    return timing.deadline != float("inf") and timing.sample is not None


def _holding(program: Program, node: int, env: Env) -> list[int]:
    return [flow for cond, _target, flow in program.routes[node] if cond is not None and cond(env)]


def _expected(program: Program, node: int, env: Env, produced: Counter[str]) -> str | None:
    """None when ``produced`` is something the gateway/end can emit, else why not."""
    labels = program.labels
    outs = [flow for _target, flow in program.out[node]]
    got = sorted(produced.elements())
    kind = program.kinds[node]
    if kind == END:
        return None if not got else "an end emits no token"
    if kind == AND or (kind == OR and len(outs) < 2) or (kind == XOR and len(outs) < 2):
        want = sorted(labels[f] for f in outs)
        return None if got == want else f"it emits {want}"
    default = program.defaults[node]
    fallback = [] if default is None else [labels[default[1]]]
    if program.free[node]:  # a sub-multiset: two flows to one node share a label
        ok = bool(got) and not Counter(got) - Counter(labels[f] for f in outs)
        if kind == XOR:
            ok = ok and len(got) == 1
        return None if ok else f"it emits one of {sorted(labels[f] for f in outs)}"
    holding = _holding(program, node, env)
    if kind == XOR:
        want = [labels[holding[0]]] if holding else fallback
    else:
        want = sorted(labels[f] for f in holding) or fallback
    if not want:
        return "no condition holds and there is no default: it cannot fire"
    return None if got == sorted(want) else f"with these values it emits {sorted(want)}"


def enabled_nodes(program: Program, marking: Counter[str], env: Env) -> list[str]:
    """Nodes that can fire with these tokens and values, by the rules the checker uses.

    A node needs its tokens (every input of a parallel join; an inclusive join also waits
    while a token elsewhere can still reach an empty input), and a gateway with conditions
    also needs one that holds in ``env`` or a default: otherwise the token is stuck there.
    """
    names = []
    scoped = _scoped(program)
    for node, inputs in enumerate(program.incoming):
        present = [program.labels[f] for f in inputs if marking[program.labels[f]]]
        kind = program.kinds[node]
        if not present or (kind == AND and len(present) < len(inputs)):
            continue
        if kind == COMPLETE and any(
            marking[label] for label in scoped[program.ids[node]].scope or ()
        ):
            continue  # its subprocess still runs
        if kind == OR and len(inputs) > 1 and not _or_ready(program, node, marking, present):
            continue
        if kind in (XOR, OR) and _stuck(program, node, env):
            continue
        names.append(program.ids[node])
    return sorted(names)


def _stuck(program: Program, node: int, env: Env) -> bool:
    """A conditional gateway where no condition holds and no default exists."""
    if program.free[node] or program.defaults[node] is not None:
        return False
    if not any(cond is not None for cond, _target, _flow in program.routes[node]):
        return False
    return not _holding(program, node, env)


@dataclass(frozen=True)
class _Scoped:
    """An importer's node with a rule of its own (a terminate, a completion join)."""

    terminate: bool
    scope: frozenset[str] | None  # labels of the flows into the scope; None: the instance


def _scoped(program: Program) -> dict[str, _Scoped]:
    """Terminates and completion joins by id, their scopes as the places inside: every flow
    and on_error link into one of their nodes (``check/workflow/fire.py: scope_bits``)."""

    def inside(nodes: frozenset[int] | None) -> frozenset[str] | None:
        if nodes is None:
            return None
        return frozenset(
            label
            for label, target in zip(program.labels, program.flow_target, strict=True)
            if target in nodes
        )

    out = {program.ids[node]: _Scoped(True, inside(nodes)) for node, nodes in program.kill.items()}
    for node, nodes in program.scope.items():
        out[program.ids[node]] = _Scoped(False, inside(nodes))
    return out


def replay_workflow(program: Program, trace: TraceInput) -> list[NodeStep]:
    """Check a trace against the token game, terminate ends and subprocess completions
    included (the importers' nodes, whose rules the checker applies)."""
    scoped = _scoped(program)
    first = trace.steps[0]
    starts = [program.ids[s] for s in program.starts]
    if first.get("node") not in starts:
        raise SimulationError(f"step 1: the trace starts at '{first.get('node')}', not a start")
    env = initial_env(first, program.initial, program.drawn, program.types)
    start = program.ids.index(first["node"])
    marking: Counter[str] = Counter(program.labels[f] for _t, f in program.out[start])
    tokens = Counter(str(t) for t in first.get("tokens") or ())
    if tokens != marking:
        raise SimulationError(f"step 1: a start emits {sorted(marking.elements())}")
    steps = [NodeStep(1, first["node"], tuple(sorted(marking.elements())), dict(env), {})]
    for number, raw in enumerate(trace.steps[1:], 2):
        special = scoped.get(str(raw.get("node")))
        if special is not None:
            step = _fire_scoped(program, special, marking, env, raw, number)
        else:
            step = _fire(program, marking, env, raw, number)
        marking = Counter(step.tokens)
        env = dict(step.values)
        steps.append(step)
    return steps


def _fire(
    program: Program, marking: Counter[str], env: Env, raw: dict[str, Any], number: int
) -> NodeStep:
    name = raw.get("node")
    if name not in program.ids:
        raise SimulationError(f"step {number}: no node '{name}' in '{program.name}'")
    node = program.ids.index(str(name))
    after = Counter(str(t) for t in raw.get("tokens") or ())
    wanted = dict(raw.get("values") or {})
    inputs = [program.labels[f] for f in program.incoming[node]]
    present = [label for label in inputs if marking[label]]
    kind = program.kinds[node]
    if not present or (kind == AND and len(present) < len(inputs)):
        raise SimulationError(
            f"step {number}: '{name}' is not enabled: it needs a token on "
            f"{'every one' if kind == AND else 'one'} of {inputs}; enabled: "
            f"{', '.join(enabled_nodes(program, marking, env)) or 'none'}"
        )
    if kind == OR and len(inputs) > 1 and not _or_ready(program, node, marking, present):
        raise SimulationError(
            f"step {number}: inclusive join '{name}' is not enabled: a token can still reach "
            "one of its empty incoming flows"
        )
    if kind in (AND, OR) and len(inputs) > 1:
        choices = [present]
    else:
        choices = [[label] for label in dict.fromkeys(present)]
    problems: list[str] = []
    for consumed in choices:
        rest = marking - Counter(consumed)
        if any(after[label] < count for label, count in rest.items()):
            problems.append(f"the tokens after it drop some that '{name}' did not consume")
            continue
        produced = after - rest
        why = _check(program, node, env, wanted, produced, raw.get("note"))
        if why is None:
            new_env = _effects(program, node, env, wanted, produced)
            wrong = mismatch(new_env, wanted)
            if not wrong:
                changes = {k: v for k, v in new_env.items() if env.get(k) != v}
                note = raw.get("note") if isinstance(raw.get("note"), str) else None
                return NodeStep(
                    number, str(name), tuple(sorted(after.elements())), new_env, changes, note
                )
            why = "values differ: " + "; ".join(wrong)
        problems.append(why)
    raise SimulationError(f"step {number}: '{name}' cannot fire this way: " + " | ".join(problems))


def _fire_scoped(
    program: Program,
    special: _Scoped,
    marking: Counter[str],
    env: Env,
    raw: dict[str, Any],
    number: int,
) -> NodeStep:
    """A terminate end takes every token (of its scope); a completion waits for an empty
    scope and takes every token on its inputs. Either leaves the values as they are."""
    name = str(raw.get("node"))
    node = program.ids.index(name)
    inputs = [program.labels[f] for f in program.incoming[node]]
    if not any(marking[label] for label in inputs):
        raise SimulationError(f"step {number}: '{name}' is not enabled: no token on {inputs}")
    inside = special.scope
    if special.terminate:
        consumed = Counter(
            {label: n for label, n in marking.items() if inside is None or label in inside}
        )
    else:
        if any(marking[label] for label in inside or ()):
            raise SimulationError(
                f"step {number}: '{name}' is not enabled: tokens are left inside its subprocess"
            )
        consumed = Counter({label: marking[label] for label in inputs if marking[label]})
    produced = Counter(program.labels[f] for _t, f in program.out[node])
    if special.terminate and inside is None:
        produced = Counter()
    after = marking - consumed + produced
    wanted = Counter(str(t) for t in raw.get("tokens") or ())
    if wanted != after:
        raise SimulationError(
            f"step {number}: '{name}' leaves {sorted(after.elements())}, "
            f"not {sorted(wanted.elements())}"
        )
    wrong = mismatch(env, dict(raw.get("values") or {}))
    if wrong:
        raise SimulationError(f"step {number}: values differ: " + "; ".join(wrong))
    return NodeStep(number, name, tuple(sorted(after.elements())), dict(env), {})


def _or_ready(program: Program, node: int, marking: Counter[str], present: list[str]) -> bool:
    index = {label: i for i, label in enumerate(program.labels)}
    rest = marking - Counter(present)
    positions = {program.flow_target[index[label]] for label in rest if label in index}
    reach = program.or_reach.get(node, {})
    return not any(
        positions & reach.get(flow, frozenset())
        for flow in program.incoming[node]
        if program.labels[flow] not in present
    )


def _check(
    program: Program, node: int, env: Env, wanted: Env, produced: Counter[str], note: Any
) -> str | None:
    kind = program.kinds[node]
    if kind == START:
        return "a start fires only once, first"
    if kind != TASK:
        return _expected(program, node, env, produced)
    outs = Counter(program.labels[f] for _t, f in program.out[node])
    if produced == outs:
        return None
    if not _can_fail(program, node):
        return f"it emits {sorted(outs.elements())} (it cannot fail)"
    link = program.error_flow[node]
    if link >= 0 and produced == Counter([program.labels[link]]):
        return None
    if link < 0 and not produced:
        return None  # its last attempt failed without on_error: the instance fails
    return f"it emits {sorted(outs.elements())}, or on failure its on_error link"


def _effects(program: Program, node: int, env: Env, wanted: Env, produced: Counter[str]) -> Env:
    new_env = dict(env)
    outs = Counter(program.labels[f] for _t, f in program.out[node])
    if program.kinds[node] == TASK and produced == outs:
        for target, value, _draw in program.sets[node]:  # `any` takes the trace's value
            if value is not None:
                new_env[target] = value(new_env)
            else:
                new_env[target] = typed(program.types, target, wanted.get(target), "trace")
    return new_env
