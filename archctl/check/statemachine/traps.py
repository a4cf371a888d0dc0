"""Refuting "a final state can still be reached" (SM103) over unbounded data: trap sets.

A trap is a set of configurations that no step leaves and that holds no final state; a
reachable configuration inside one can never finish. Two kinds are tried, each an actual
proof followed by a concrete run into the trap:

- the *exits are dead*: over a group of undecided states closed in the state graph, no
  transition out of the group is enabled in any reachable configuration (Spacer proves it
  with an inductive invariant: e.g. the exit needs ``x == 7`` while ``x`` stays even);
- a *half-space trap* ``pc in G and e1 OP e2``, with the comparison taken from the guards of
  the group (``x > 7`` when the exit needs ``x == 7`` and ``x`` only grows): Z3 proves that
  inside it no exit fires and every step stays inside, for every valuation of the domain;
  bounded model checking then finds the shortest run into it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import z3

from archctl.check.smt import Compiler, Outcome, new_solver, solve
from archctl.check.statemachine.evidence import Step
from archctl.check.statemachine.graph import ControlGraph
from archctl.check.statemachine.symbolic import Reach, Verdict
from archctl.model.expr import Binary, Compare, Expr, Unary

#: deepest run searched into a proved trap
TRAP_DEPTH = 40


@dataclass
class Trapped:
    """States shown to have a reachable configuration that can never finish, with runs."""

    runs: dict[str, list[Step]]
    tried: list[str]


def find_traps(
    reach: Reach,
    graph: ControlGraph,
    region: Sequence[str],
    runs: Mapping[str, list[Step] | None],
) -> Trapped:
    """``runs``: a run to each state of ``region`` (the evidence when its exits are dead)."""
    out = Trapped({}, [])
    for group in _groups(graph, region):
        if all(state in out.runs for state in group):
            continue
        if _exits_dead(reach, graph, group, out):
            for state in group:
                found = runs.get(state)
                if found is not None:
                    out.runs.setdefault(state, found)
            continue
        _half_spaces(reach, graph, group, out)
    return out


def _groups(graph: ControlGraph, region: Sequence[str]) -> list[list[str]]:
    """Per undecided state, the undecided states it can reach in the graph (smallest first)."""
    inside = set(region)
    groups: dict[tuple[str, ...], None] = {}
    for state in region:
        seen = {state}
        todo = [state]
        while todo:
            for transition in graph.outgoing[todo.pop()]:
                if transition.target in inside and transition.target not in seen:
                    seen.add(transition.target)
                    todo.append(transition.target)
        groups[tuple(sorted(seen))] = None
    return sorted((list(g) for g in groups), key=lambda g: (len(g), g))


def _exits_dead(reach: Reach, graph: ControlGraph, group: list[str], out: Trapped) -> bool:
    encoding = reach.encoding
    members = set(group)
    exits = [t for s in group for t in graph.outgoing[s] if t.target not in members]

    def goal(env: Mapping[str, Any], pc: Any, fresh: Callable[[str], Any]) -> Any:
        options = [z3.And(pc == encoding.index[t.source], encoding.fires(t, env)[0]) for t in exits]
        options += _stops(encoding, graph, group, env, pc)  # a deadlock is a way out too
        return (z3.Or(*options) if options else z3.BoolVal(False, encoding.ctx)), {}

    answer = reach.ask(goal)
    out.tried.append(f"whether an exit of {_names(group)} is ever enabled: {answer.note}")
    return answer.verdict is Verdict.UNREACHABLE


def _half_spaces(reach: Reach, graph: ControlGraph, group: list[str], out: Trapped) -> None:
    encoding = reach.encoding
    members = set(group)
    frame = encoding.frame("")
    env = {var.name: var.term for var in frame}
    moves = [t for s in group for t in graph.outgoing[s]]
    ctx = encoding.ctx
    pc = z3.Int("trap!pc", ctx)
    tried = 0
    for atom in _candidates([t.guard for t in moves if t.guard is not None]):
        tried += 1
        inside = atom(Compiler(env, ctx))
        solver = new_solver(reach.timeout_ms, ctx)
        solver.add(*encoding.in_domain(frame), z3.Or(*[pc == encoding.index[s] for s in group]))
        solver.add(inside)
        escapes = []
        for transition in moves:
            enabled, effect = encoding.fires(transition, env)
            leaves: Any = z3.BoolVal(transition.target not in members, ctx)
            if transition.target in members:
                stays = atom(Compiler(effect.after, ctx))
                leaves = z3.Not(stays)
                if effect.fresh:
                    leaves = z3.Exists(effect.fresh, z3.And(enabled, leaves))
                    enabled = z3.BoolVal(True, ctx)
            escapes.append(z3.And(pc == encoding.index[transition.source], enabled, leaves))
        escapes += _stops(encoding, graph, group, env, pc)
        solver.add(z3.Or(*escapes) if escapes else z3.BoolVal(False, ctx))
        if solve(solver) is not Outcome.UNSAT:
            continue
        found_any = False
        for state in group:
            if state in out.runs:
                continue
            found, _ = reach.bmc.search(_at_atom(encoding.index[state], atom), TRAP_DEPTH)
            if found is not None and found.steps is not None:
                out.runs[state] = found.steps
                found_any = True
        if found_any:
            out.tried.append(f"trap {_names(group)} proved closed and entered by a run")
            return
    out.tried.append(f"{tried} half-space trap candidate(s) from the guards of {_names(group)}")


def _stops(
    encoding: Any, graph: ControlGraph, group: list[str], env: Mapping[str, Any], pc: Any
) -> list[Any]:
    """Per state of the group: no transition can fire (a deadlock, reported as SM102 and not
    as SM103, or an update that would leave its range): not a trap, conservatively."""
    out = []
    for state in group:
        fires = []
        for transition in graph.outgoing[state]:
            enabled, effect = encoding.fires(transition, env)
            fires.append(z3.Exists(effect.fresh, enabled) if effect.fresh else enabled)
        stuck = z3.Not(z3.Or(*fires)) if fires else z3.BoolVal(True, encoding.ctx)
        out.append(z3.And(pc == encoding.index[state], stuck))
    return out


Atom = Callable[[Compiler], Any]


def _candidates(guards: Sequence[Expr]) -> Iterator[Atom]:
    """``l < r``, ``l > r``, ``l <= r``, ``l >= r`` for every numeric comparison in the guards."""
    seen: set[tuple[str, str]] = set()
    for guard in guards:
        for compare in _compares(guard):
            left, right = compare.left, compare.right
            key = (repr(left), repr(right))
            if key in seen or not _numeric(compare):
                continue
            seen.add(key)
            for op in ("<", ">", "<=", ">="):
                yield _atom(left, right, op)


def _atom(left: Expr, right: Expr, op: str) -> Atom:
    def build(compiler: Compiler) -> Any:
        a, b = compiler.expr(left), compiler.expr(right)
        return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]

    return build


def _compares(expr: Expr) -> Iterator[Compare]:
    if isinstance(expr, Compare):
        yield expr
    elif isinstance(expr, Binary) and expr.op in ("and", "or"):
        yield from _compares(expr.left)
        yield from _compares(expr.right)
    elif isinstance(expr, Unary) and expr.op == "not":
        yield from _compares(expr.operand)


def _numeric(compare: Compare) -> bool:
    kind = compare.left.type.kind.value if compare.left.type is not None else ""
    return kind in ("int", "real")


def _at_atom(state: int, atom: Atom) -> Any:
    def build(env: Mapping[str, Any], pc: Any, fresh: Callable[[str], Any]) -> Any:
        return z3.And(pc == state, atom(Compiler(env, pc.ctx))), {}

    return build


def _names(group: list[str]) -> str:
    return ", ".join(f"'{state}'" for state in group)
