"""Build a :class:`StateMachine` from a ``statemachine NAME { ... }`` block."""

from __future__ import annotations

from typing import Any

from archctl import codes
from archctl.load.dsl.common import Context, statements
from archctl.load.dsl.parse import child
from archctl.load.expr.channel import SELF_TYPE, parse_channel_op
from archctl.load.expr.tree import unquote
from archctl.load.expr.types import TypeChecker
from archctl.model.expr import Action
from archctl.model.statemachine import Property, State, StateMachine, Transition
from archctl.model.types import enum_type
from archctl.source import Span

_SINGLE = ("version", "description", "initial", "events", "fairness")
FAIRNESS = ("weak", "strong", "none")


def build_statemachine(ctx: Context, tree: Any) -> StateMachine | None:
    name = ctx.spec_name(tree.children[0])
    seen: dict[str, Span] = {}
    version = description = None
    decls: list[Any] = []
    states: list[State] = []
    declared: dict[str, Span] = {}
    initial_item: Any = None
    finals: list[Any] = []
    events_item: Any = None
    transitions: list[Any] = []
    properties: list[Any] = []
    fairness = "weak"
    for item in statements(tree):
        kind = item.data
        if kind in _SINGLE and not ctx.once(seen, kind, item, "a statemachine"):
            continue
        if kind == "version":
            version = ctx.text(item.children[0])
        elif kind == "description":
            description = ctx.text(item.children[0])
        elif kind == "var_decl" or kind == "attr_decl":
            if kind == "attr_decl":
                ctx.error(codes.LD004, "a statemachine declares variables with `var`", item)
                continue
            decls.append(item)
        elif kind == "states":
            for name_tree in item.children[0].children:
                _add_state(ctx, states, declared, ctx.name(name_tree), name_tree, None)
        elif kind == "state":
            desc = child(item, "desc")
            text = unquote(str(desc.children[0])) if desc is not None else None
            _add_state(ctx, states, declared, ctx.name(item.children[0]), item, text)
        elif kind == "initial":
            initial_item = item
        elif kind == "final":
            finals.extend(item.children[0].children)
        elif kind == "events":
            events_item = item
        elif kind == "transition":
            transitions.append(item)
        elif kind == "fairness":
            fairness = _fairness(ctx, item)
        else:
            properties.append(item)
    variables = ctx.declarations(decls, "variables")
    for variable in variables:
        if variable.name == "state":
            ctx.error(codes.LD004, "'state' is reserved for the current state", variable.span)
    variables = tuple(v for v in variables if v.name != "state")
    initial = ""
    if initial_item is not None:
        target = initial_item.children[0]
        initial = ctx.resolve("state", declared, ctx.name(target), target) or ""
    final = []
    for name_tree in finals:
        resolved = ctx.resolve("state", declared, ctx.name(name_tree), name_tree)
        if resolved is not None:
            final.append(resolved)
    scope = {variable.name: variable.type for variable in variables}
    readonly: frozenset[str] = frozenset()
    if any(child(item, "channel_op") is not None for item in transitions) and "self" not in scope:
        scope["self"] = SELF_TYPE  # the replica index, read-only
        readonly = frozenset({"self"})
    checker = TypeChecker(scope, readonly)
    built: list[Transition] = []
    for index, item in enumerate(transitions):
        built.extend(_transition(ctx, index, item, declared, checker))
    events = _events(ctx, events_item, built)
    state_scope = dict(scope)
    state_scope["state"] = enum_type(tuple(state.name for state in states))
    prop_checker = TypeChecker(state_scope, frozenset({"state"}))
    props = _properties(ctx, properties, declared, prop_checker)
    if not states:
        ctx.error(codes.LD003, "a statemachine needs `states ...`", tree.children[0])
    if initial_item is None:
        ctx.error(codes.LD003, "a statemachine needs `initial STATE`", tree.children[0])
    if name is None or not states or initial_item is None:
        return None
    return StateMachine(
        name=name,
        span=ctx.header_span(tree),
        variables=variables,
        states=tuple(states),
        initial=initial,
        final=tuple(final),
        events=events,
        transitions=tuple(built),
        properties=props,
        version=version,
        description=description,
        fairness=fairness,
    )


def _fairness(ctx: Context, item: Any) -> str:
    value = ctx.name(item.children[0])
    if value in FAIRNESS:
        return value
    ctx.error(
        codes.LD004,
        f"fairness must be one of {', '.join(FAIRNESS)}; found '{value}'",
        item.children[0],
    )
    return "weak"


def _add_state(
    ctx: Context,
    states: list[State],
    declared: dict[str, Span],
    name: str,
    where: Any,
    description: str | None,
) -> None:
    if name in declared:
        ctx.error(
            codes.LD006,
            f"state '{name}' is declared twice",
            where,
            f"first declared at line {declared[name].line}",
        )
        return
    state = State(name, ctx.span(where), description)
    declared[name] = state.span
    states.append(state)


def _transition(
    ctx: Context, index: int, item: Any, declared: dict[str, Span], checker: TypeChecker
) -> list[Transition]:
    sources = []
    for name_tree in item.children[0].children:
        resolved = ctx.resolve("state", declared, ctx.name(name_tree), name_tree)
        if resolved is not None:
            sources.append(resolved)
    target_tree = item.children[1]
    target = ctx.resolve("state", declared, ctx.name(target_tree), target_tree)
    event_tree = child(item, "event")
    event = ctx.name(event_tree.children[0]) if event_tree is not None else None
    guard_tree = child(item, "guard")
    guard = ctx.expression(guard_tree.children[0], checker) if guard_tree is not None else None
    action: Action = ()
    action_tree = child(item, "action")
    if action_tree is not None:
        action = ctx.action(action_tree.children[0], checker) or ()
    desc = child(item, "desc")
    description = unquote(str(desc.children[0])) if desc is not None else None
    op_tree = child(item, "channel_op")
    channel = None
    if op_tree is not None:
        keyword, text = op_tree.children
        channel, problems = parse_channel_op(
            str(text), str(keyword) == "send", ctx.locator(text), checker
        )
        ctx.diagnostics.extend(problems)
        if channel is None:
            return []
    fair_tree = child(item, "fair")
    fair = fair_tree is None or str(fair_tree.children[0]) == "true"
    if target is None or (guard_tree is not None and guard is None):
        return []
    span = ctx.span(item)
    return [
        Transition(
            index,
            source,
            target,
            event,
            guard,
            action,
            span,
            description,
            channel=channel,
            fair=fair,
        )
        for source in sources
    ]


def _events(ctx: Context, item: Any, transitions: list[Transition]) -> tuple[str, ...]:
    used: list[str] = []
    for transition in transitions:
        if transition.event is not None and transition.event not in used:
            used.append(transition.event)
    if item is None:
        return tuple(used)
    declared: list[str] = []
    for name_tree in item.children[0].children:
        name = ctx.name(name_tree)
        if name in declared:
            ctx.error(codes.LD006, f"event '{name}' is listed twice", name_tree)
        else:
            declared.append(name)
    spans = {name: ctx.span(item) for name in declared}
    for transition in transitions:
        if transition.event is not None:
            ctx.resolve("event", spans, transition.event, transition.span)
    return tuple(declared)


def _properties(
    ctx: Context, items: list[Any], declared: dict[str, Span], checker: TypeChecker
) -> tuple[Property, ...]:
    out: list[Property] = []
    seen: set[str] = set()
    for item in items:
        name = ctx.name(item.children[0])
        if name in seen:
            ctx.error(codes.LD006, f"property '{name}' is declared twice", item)
            continue
        seen.add(name)
        if item.data == "reachable":
            target = item.children[1]
            state = ctx.resolve("state", declared, ctx.name(target), target)
            if state is not None:
                out.append(Property(name, "reachable", None, state, ctx.span(item)))
            continue
        condition = ctx.expression(item.children[1], checker)
        if item.data == "leads_to":
            target_expr = ctx.expression(item.children[2], checker)
            if condition is not None and target_expr is not None:
                out.append(Property(name, "leads_to", condition, None, ctx.span(item), target_expr))
            continue
        if condition is not None:
            out.append(Property(name, item.data, condition, None, ctx.span(item)))
    return tuple(out)
