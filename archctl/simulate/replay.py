"""Replay a counterexample trace from ``archctl verify --format json`` step by step.

Input is either a whole verify report (the first finding with a trace is taken, or the one
chosen by index or code) or a bare ``{"kind": "trace", "steps": [...]}`` object. A ``lasso``
(SM203) is replayed as its prefix, then its loop ``LOOP_REPEATS`` times: each pass must come
back to where the loop started, which is what makes it a run that can repeat forever. Each step is
checked against the machine: the named event must be enabled in the current state and lead to
the step's state and values, so a replay proves the trace is a real run of the spec as it is.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from archctl.model.types import TypeKind, VarType
from archctl.simulate.statemachine import Machine, Step, describe_enabled, enabled
from archctl.simulate.values import Env
from archctl.simulate.workflow import SimulationError

#: how many times a lasso's loop is replayed after its prefix
LOOP_REPEATS = 3
REPLAYABLE = ("trace", "lasso")


@dataclass(frozen=True)
class TraceInput:
    steps: list[dict[str, Any]]
    spec: str | None = None
    code: str | None = None
    message: str | None = None

    @property
    def fires_nodes(self) -> bool:
        """A workflow trace: its steps name the node that fired and the tokens after it."""
        return any("node" in step or "tokens" in step for step in self.steps)


def read_trace(path: str, finding: str | None = None) -> TraceInput:
    """Read a trace from a verify JSON report or a bare trace object."""
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except OSError as error:
        raise SimulationError(f"cannot read {path}: {error.strerror or error}") from None
    except json.JSONDecodeError as error:
        raise SimulationError(f"{path} is not JSON: {error}") from None
    if isinstance(document, dict) and document.get("kind") in REPLAYABLE:
        return TraceInput(_steps(document, path))
    if not isinstance(document, dict) or not isinstance(document.get("diagnostics"), list):
        raise SimulationError(
            f"{path} is neither an `archctl verify --format json` report nor a trace object"
        )
    traced = [
        d
        for d in document["diagnostics"]
        if isinstance(d, dict)
        and isinstance(d.get("evidence"), dict)
        and d["evidence"].get("kind") in REPLAYABLE
    ]
    if not traced:
        raise SimulationError(f"{path} has no finding with a trace to replay")
    chosen = _choose(traced, finding, path)
    return TraceInput(
        _steps(chosen["evidence"], path),
        chosen.get("spec"),
        chosen.get("code"),
        chosen.get("message"),
    )


def _choose(traced: list[dict[str, Any]], finding: str | None, path: str) -> dict[str, Any]:
    if finding is None:
        return traced[0]
    if finding.isdigit():
        number = int(finding)
        if 1 <= number <= len(traced):
            return traced[number - 1]
        raise SimulationError(
            f"{path} has {len(traced)} finding(s) with a trace; no number {number}"
        )
    for diagnostic in traced:
        if str(diagnostic.get("code", "")).upper() == finding.upper():
            return diagnostic
    codes = ", ".join(sorted({str(d.get("code")) for d in traced}))
    raise SimulationError(f"no finding '{finding}' with a trace in {path}; traced codes: {codes}")


def _steps(evidence: dict[str, Any], path: str) -> list[dict[str, Any]]:
    steps = evidence.get("steps")
    if evidence.get("kind") == "lasso":
        prefix, loop = evidence.get("prefix"), evidence.get("loop")
        if isinstance(prefix, list) and isinstance(loop, list):
            steps = [*prefix, *loop * LOOP_REPEATS]
    if not isinstance(steps, list) or not steps or not all(isinstance(s, dict) for s in steps):
        raise SimulationError(f"the trace in {path} has no steps")
    for number, step in enumerate(steps, 1):
        shapes = (("values", dict), ("tokens", list), ("event", str), ("state", str), ("node", str))
        for key, kind in shapes:
            if key in step and step[key] is not None and not isinstance(step[key], kind):
                raise SimulationError(
                    f"step {number} of the trace in {path}: '{key}' should be a {kind.__name__}"
                )
    return steps


def typed(types: dict[str, VarType], name: str, value: Any, where: str) -> Any:
    """A value the trace supplies (initial or `any`), checked against the declared type."""
    var_type = types.get(name)
    if var_type is None:
        return value
    if var_type.kind is TypeKind.REAL and isinstance(value, str):
        with contextlib.suppress(ValueError, ZeroDivisionError):
            value = Fraction(value)
    if isinstance(value, bool) and var_type.kind is not TypeKind.BOOL:
        value = None
    if value is None or not var_type.contains(value):
        raise SimulationError(f"{where}: '{name}' = {value!r} is not a {var_type.describe()}")
    return value


def same(ours: Any, theirs: Any) -> bool:
    if isinstance(ours, bool) or isinstance(theirs, bool):
        return type(ours) is type(theirs) and ours == theirs
    if isinstance(ours, (int, float, Fraction)) and isinstance(theirs, (int, float, str)):
        try:
            return Fraction(ours) == Fraction(theirs)
        except (ValueError, ZeroDivisionError):
            return False
    return bool(ours == theirs)


def mismatch(ours: Env, theirs: dict[str, Any]) -> list[str]:
    return [
        f"{name}: trace {theirs[name]!r}, run {ours.get(name)!r}"
        for name in sorted(theirs)
        if name not in ours or not same(ours[name], theirs[name])
    ]


def replay(machine: Machine, trace: TraceInput) -> list[Step]:
    """Check and rebuild the run; raise SimulationError at the first step that is not possible."""
    first = trace.steps[0]
    if first.get("state", machine.initial) != machine.initial:
        raise SimulationError(
            f"step 1: the trace starts in '{first.get('state')}', "
            f"the machine in '{machine.initial}'"
        )
    env = initial_env(first, machine.fixed, machine.drawn, machine.types)
    steps = [Step(0, None, None, machine.initial, {n: env[n] for n in machine.order if n in env})]
    for number, raw in enumerate(trace.steps[1:], 2):
        steps.append(_advance(machine, steps[-1], raw, number))
    return steps


def _advance(machine: Machine, current: Step, raw: dict[str, Any], number: int) -> Step:
    event = raw.get("event")
    target = raw.get("state")
    wanted = dict(raw.get("values") or {})
    options = enabled(machine, current.target, current.values)
    named = [m for m in options if m.event == event]
    if not named:
        shown = f"event '{event}'" if event else "a transition without event"
        raise SimulationError(
            f"step {number}: {shown} is not enabled in state '{current.target}'; "
            f"enabled: {describe_enabled(options)}"
        )
    problems = []
    for move in named:
        if target is not None and move.target != target:
            problems.append(
                f"{move.label} (line {move.line}) goes to '{move.target}', not '{target}'"
            )
            continue
        env = dict(current.values)
        for name, value, _draw in move.action:  # `any` takes the value the trace shows
            if value is not None:
                env[name] = value(env)
            else:
                env[name] = typed(machine.types, name, wanted.get(name), f"step {number}")
        wrong = mismatch(env, wanted)
        if not wrong:
            changes = {k: env[k] for k in env if env[k] != current.values.get(k)}
            ordered = {n: env[n] for n in machine.order if n in env}
            return Step(current.number + 1, event, current.target, move.target, ordered, changes)
        problems.append(f"{move.label} (line {move.line}) gives " + "; ".join(wrong))
    raise SimulationError(
        f"step {number}: the trace's step is not a run of the spec: " + " | ".join(problems)
    )


def initial_env(
    first: Mapping[str, Any],
    fixed: Mapping[str, Any],
    drawn: Sequence[tuple[str, Any]],
    types: dict[str, VarType],
) -> dict[str, Any]:
    """The valuation a replay starts from: declared initial values, plus the trace's values
    for variables the engine would draw; a trace that contradicts a declared value is refused.
    Shared by state machine and workflow replays."""
    values = dict(first.get("values") or {})
    env = dict(fixed)
    for name, _draw in drawn:
        if name not in values:
            raise SimulationError(f"step 1: the trace gives no initial value for '{name}'")
        env[name] = typed(types, name, values[name], "step 1")
    wrong = mismatch(env, {k: v for k, v in values.items() if k in fixed})
    if wrong:
        raise SimulationError("step 1: initial values differ: " + "; ".join(wrong))
    return env
