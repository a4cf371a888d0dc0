"""Link systems to their component machines once every file of the run is loaded.

A system refers to machines by name and machines refer to the system's channels by name, in
any files of the set, so these references, the message signatures shared by senders and
receivers, and the component names in property expressions are resolved here, after all
front ends ran. Problems are ordinary located load diagnostics (LD004/LD005/LD008).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import replace

from archctl import codes
from archctl.codes import default_severity
from archctl.diagnostics import Code, Diagnostic
from archctl.load.expr.types import TypeChecker, assignable
from archctl.model.spec import LoadResult
from archctl.model.statemachine import ChannelOp, StateMachine
from archctl.model.system import System, SystemProperty
from archctl.model.types import TypeKind, VarType, enum_type
from archctl.source import Span


def link_systems(result: LoadResult) -> list[Diagnostic]:
    """Check every system against the machines of the set; typed systems replace the parsed."""
    machines = {spec.name: spec for spec in result.specs if isinstance(spec, StateMachine)}
    out: list[Diagnostic] = []
    for position, spec in enumerate(result.specs):
        if isinstance(spec, System):
            linked, problems = _link(spec, machines)
            out.extend(problems)
            result.specs[position] = linked
    return out


def link_system(
    system: System, machines: Mapping[str, StateMachine]
) -> tuple[System, list[Diagnostic]]:
    """One system against the given machines (the checker's entry when a caller loaded a
    single text, as the language server and the Python API do, and did not link)."""
    return _link(system, machines)


def _error(code: Code, message: str, span: Span, spec: str, hint: str | None = None) -> Diagnostic:
    return Diagnostic(code, default_severity(code), message, span, spec=spec, help=hint)


def _link(system: System, machines: Mapping[str, StateMachine]) -> tuple[System, list[Diagnostic]]:
    out: list[Diagnostic] = []
    used: dict[str, StateMachine] = {}
    for component in system.components:
        machine = machines.get(component.machine)
        if machine is None:
            close = difflib.get_close_matches(component.machine, list(machines), n=1)
            hint = f"did you mean '{close[0]}'?" if close else "declare a statemachine of that name"
            out.append(
                _error(
                    codes.LD005,
                    f"unknown machine '{component.machine}' for component '{component.name}'",
                    component.machine_span,
                    system.name,
                    hint,
                )
            )
        else:
            used[component.name] = machine
    signatures: dict[tuple[str, str], tuple[VarType, ...]] = {}
    ops = [
        (machine, t.channel)
        for machine in _unique(used.values())
        for t in machine.transitions
        if t.channel is not None
    ]
    for machine, op in ops:
        out.extend(_check_channel(system, machine, op))
    for machine, op in sorted(ops, key=lambda item: not item[1].send):
        out.extend(_check_signature(system, machine, op, signatures))
    properties = []
    checker = TypeChecker(_scope(system, used))
    checker.readonly = frozenset(checker.scope)
    for prop in system.properties:
        typed = _typed(prop, checker)
        if typed is not None:
            properties.append(typed)
    out.extend(replace(d, spec=system.name) for d in checker.diagnostics)
    return replace(system, properties=tuple(properties)), out


def _unique(machines: Iterable[StateMachine]) -> list[StateMachine]:
    seen: dict[str, StateMachine] = {}
    for machine in machines:
        seen.setdefault(machine.name, machine)
    return list(seen.values())


def _check_channel(system: System, machine: StateMachine, op: ChannelOp) -> list[Diagnostic]:
    channel = system.channel(op.channel)
    if channel is None:
        close = difflib.get_close_matches(op.channel, [c.name for c in system.channels], n=1)
        hint = (
            f"did you mean '{close[0]}'?"
            if close
            else f"declare it under channels: of system '{system.name}'"
        )
        return [
            _error(
                codes.LD005,
                f"unknown channel '{op.channel}' "
                f"(machine '{machine.name}' in system '{system.name}')",
                op.span,
                machine.name,
                hint,
            )
        ]
    if channel.count is None and op.index is not None:
        return [
            _error(
                codes.LD004,
                f"channel '{op.channel}' is not an array; drop the index",
                op.span,
                machine.name,
            )
        ]
    if channel.count is not None and op.index is None:
        return [
            _error(
                codes.LD004,
                f"channel '{op.channel}' is an array of {channel.count}; index it",
                op.span,
                machine.name,
                f"write {op.channel}[self] or {op.channel}[i]",
            )
        ]
    return []


def _check_signature(
    system: System,
    machine: StateMachine,
    op: ChannelOp,
    signatures: dict[tuple[str, str], tuple[VarType, ...]],
) -> list[Diagnostic]:
    """The first send of a message fixes its argument types; every other use must agree."""
    key = (op.channel, op.message)
    if op.send:
        types = tuple(arg.type for arg in op.args if arg.type is not None)
        known = signatures.setdefault(key, types)
        if len(known) != len(types) or any(
            not _compatible(a, b) for a, b in zip(known, types, strict=False)
        ):
            return [
                _error(
                    codes.LD008,
                    f"message {op.channel}!{op.message} is sent with ({_describe(types)}) "
                    f"here and ({_describe(known)}) elsewhere",
                    op.span,
                    machine.name,
                    "every send of one message on one channel carries the same argument types",
                )
            ]
        return []
    known_types = signatures.get(key)
    if known_types is None:
        return []
    variables = {v.name: v.type for v in machine.variables}
    if len(known_types) != len(op.variables):
        return [
            _error(
                codes.LD008,
                f"{op.channel}?{op.message} receives {len(op.variables)} value(s) but the "
                f"message carries {len(known_types)} ({_describe(known_types)})",
                op.span,
                machine.name,
            )
        ]
    out = []
    for name, sent in zip(op.variables, known_types, strict=False):
        target = variables[name]
        if not _compatible(target, sent):
            out.append(
                _error(
                    codes.LD008,
                    f"'{name}' of type {target.describe()} cannot receive a "
                    f"{sent.describe()} from {op.channel}!{op.message}",
                    op.span,
                    machine.name,
                )
            )
    return out


def _compatible(target: VarType, value: VarType) -> bool:
    """Assignable ignoring ranges (a received value outside the range is SY107 at run time)."""
    if target.kind is TypeKind.ENUM and value.kind is TypeKind.ENUM:
        return set(value.values) <= set(target.values)
    return assignable(target, value)


def _describe(types: tuple[VarType, ...]) -> str:
    return ", ".join(t.describe() for t in types) or "no arguments"


def _scope(system: System, used: Mapping[str, StateMachine]) -> dict[str, VarType]:
    """``C.state``, ``C.VAR`` for a single component; ``C[i].state``, ``C[i].VAR`` per replica."""
    scope: dict[str, VarType] = {}
    for component in system.components:
        machine = used.get(component.name)
        if machine is None:
            continue
        fields = {"state": enum_type(tuple(s.name for s in machine.states))}
        fields.update({v.name: v.type for v in machine.variables})
        prefixes = [f"{component.name}[{i}]" for i in range(component.replicas)]
        if component.count is None:
            prefixes.append(component.name)
        for prefix in prefixes:
            for field, var_type in fields.items():
                scope[f"{prefix}.{field}"] = var_type
    return scope


def _typed(prop: SystemProperty, checker: TypeChecker) -> SystemProperty | None:
    condition = checker.condition(prop.condition)
    target = None if prop.target is None else checker.condition(prop.target)
    if condition is None or (prop.target is not None and target is None):
        return None
    return replace(prop, condition=condition, target=target)
