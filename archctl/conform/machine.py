"""A state machine as replay semantics: configurations are (state, values).

Every variable's value is tracked exactly. A value the log cannot tell (a variable without
``initial``, or ``x = any``) branches over the variable's domain, so a guard on unlogged
data holds when *some* valuation makes it hold, and later guards keep constraining the
same branches. Logged attributes named like a variable must equal its value after the
event. Domains must therefore be finite and small: bool, enum, or an int range of at most
``MAX_DOMAIN`` values; anything else that the log would have to guess is refused up front
with the variable's name (the command reports it as a usage error).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from fractions import Fraction
from typing import Any, cast

from archctl.conform.semantics import Attributes
from archctl.model.evaluate import compile_expr
from archctl.model.statemachine import StateMachine
from archctl.model.types import TypeKind, Variable, VarType

MAX_DOMAIN = 1024

Values = tuple[Any, ...]
Config = tuple[str, Values]


class UnsupportedMachine(ValueError):
    """The machine needs a value replay cannot enumerate; the message names it."""


def domain(variable: Variable) -> list[Any]:
    kind = variable.type.kind
    if kind is TypeKind.BOOL:
        return [False, True]
    if kind is TypeKind.ENUM:
        return list(variable.type.values)
    low, high = variable.type.low, variable.type.high
    if kind is TypeKind.INT and low is not None and high is not None and high - low < MAX_DOMAIN:
        return list(range(int(low), int(high) + 1))
    raise UnsupportedMachine(
        f"variable '{variable.name}' ({variable.type.describe()}) has values the log does not "
        f"show and too many to try: give it an initial value and no `any`, or a range of at "
        f"most {MAX_DOMAIN} values"
    )


class MachineSemantics:
    def __init__(self, machine: StateMachine) -> None:
        self.machine = machine
        self.names = tuple(v.name for v in machine.variables)
        self.types = {v.name: v.type for v in machine.variables}
        self.position = {name: i for i, name in enumerate(self.names)}
        self.final = frozenset(machine.final)
        self.labels = frozenset(t.event for t in machine.transitions if t.event is not None)
        choices: dict[str, list[Any]] = {}
        for variable in machine.variables:
            assigned_any = any(
                a.target == variable.name and a.value is None
                for t in machine.transitions
                for a in t.action
            )
            if variable.initial is None or assigned_any:
                choices[variable.name] = domain(variable)
        self.choices = choices
        self.initial_values: list[list[Any]] = [
            [v.initial] if v.initial is not None else choices[v.name] for v in machine.variables
        ]
        self._moves: dict[str, list[tuple[str | None, str, Callable[..., Any] | None, Any]]] = {}
        for t in machine.transitions:
            guard = compile_expr(t.guard) if t.guard is not None else None
            updates = [
                (a.target, compile_expr(a.value) if a.value is not None else None) for a in t.action
            ]
            self._moves.setdefault(t.source, []).append((t.event, t.target, guard, updates))
        self._next: dict[Config, list[tuple[str | None, Config]]] = {}

    def initial(self) -> list[Config]:
        return [
            (self.machine.initial, tuple(values))
            for values in itertools.product(*self.initial_values)
        ]

    def _steps(self, config: Config) -> list[tuple[str | None, Config]]:
        found = self._next.get(config)
        if found is not None:
            return found
        state, values = config
        env = dict(zip(self.names, values, strict=True))
        found = []
        for event, target, guard, updates in self._moves.get(state, []):
            if guard is not None and not guard(env):
                continue
            for after in self._apply(env, updates):
                if self._in_range(after):
                    found.append((event, (target, tuple(after[n] for n in self.names))))
        self._next[config] = found
        return found

    def _apply(self, env: dict[str, Any], updates: Any) -> list[dict[str, Any]]:
        envs = [env]
        for target, value in updates:
            nxt: list[dict[str, Any]] = []
            for current in envs:
                if value is None:
                    nxt.extend({**current, target: choice} for choice in self.choices[target])
                else:
                    nxt.append({**current, target: _canon(value(current), self.types[target])})
            envs = nxt
        return envs

    def _in_range(self, env: dict[str, Any]) -> bool:
        return all(self.types[name].contains(env[name]) for name in self.names)

    def silent(self, config: object) -> list[Config]:
        return [after for event, after in self._steps(cast(Config, config)) if event is None]

    def visible(self, config: object) -> list[tuple[str, Config]]:
        return [(e, after) for e, after in self._steps(cast(Config, config)) if e is not None]

    def observe(self, config: object, attributes: Attributes) -> bool:
        _state, values = cast(Config, config)
        for key, logged in attributes:
            slot = self.position.get(key)
            if slot is None:
                continue
            if not _same(values[slot], logged, self.types[key]):
                return False
        return True

    def complete(self, config: object) -> bool:
        state, _values = cast(Config, config)
        return state in self.final


def _canon(value: Any, var_type: VarType) -> Any:
    if var_type.kind is TypeKind.INT and isinstance(value, Fraction) and value.denominator == 1:
        return int(value)
    return value


def _same(value: Any, logged: Any, var_type: VarType) -> bool:
    """A logged value (CSV gives strings) against a tracked one, by the variable's type."""
    if isinstance(logged, str) and not isinstance(value, str):
        text = logged.strip()
        if var_type.kind is TypeKind.BOOL:
            return text.lower() == ("true" if value else "false")
        try:
            return bool(Fraction(text) == value)
        except (ValueError, ZeroDivisionError):
            return False
    if isinstance(value, bool) or isinstance(logged, bool):
        return value is logged
    if isinstance(logged, (int, float)) and isinstance(value, (int, Fraction)):
        return Fraction(logged) == value
    return bool(value == logged)
