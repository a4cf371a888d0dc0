"""Build a :class:`StateMachine` from a composed YAML document."""

from __future__ import annotations

import re

import yaml

from archctl import codes
from archctl.load.expr.types import TypeChecker
from archctl.load.resolve import Names
from archctl.load.yaml.channel import SELF_TYPE, channel_operation, uses_channels
from archctl.load.yaml.common import HEADER_KEYS, declarations, header, property_entries
from archctl.load.yaml.reader import Fields, Reader
from archctl.model.expr import Action
from archctl.model.statemachine import Property, State, StateMachine, Transition
from archctl.model.types import enum_type

KEYS = (
    *HEADER_KEYS,
    "variables",
    "states",
    "initial",
    "final",
    "events",
    "transitions",
    "properties",
    "fairness",
)
TRANSITION_KEYS = ("from", "to", "on", "guard", "do", "send", "receive", "description", "fair")
FAIRNESS = ("weak", "strong", "none")
SHORT_TRANSITION = re.compile(r"^\s*(\S+)\s*->\s*(\S+)(?:\s+on\s+(\S+))?\s*$")


def build_statemachine(reader: Reader, fields: Fields) -> StateMachine | None:
    name, version, description = header(reader, fields)
    span = reader.span(fields.node)
    variables = declarations(reader, fields.get("variables"), "variables")
    if any(variable.name == "state" for variable in variables):
        for variable in variables:
            if variable.name == "state":
                reader.error(
                    codes.LD004, "'state' is reserved for the current state", variable.span
                )
        variables = tuple(v for v in variables if v.name != "state")
    states = _states(reader, fields.get("states"))
    names = Names(reader.error, "state", {state.name: state.span for state in states})
    initial = ""
    initial_node = fields.get("initial")
    if initial_node is not None:
        initial = names.resolve(reader.text(initial_node, "initial"), initial_node) or ""
    final: list[str] = []
    final_node = fields.get("final")
    if final_node is not None:
        for item, node in reader.names(final_node, "a final state"):
            resolved = names.resolve(item, node)
            if resolved is not None:
                final.append(resolved)
    scope = {variable.name: variable.type for variable in variables}
    readonly: frozenset[str] = frozenset()
    if uses_channels(fields.get("transitions")) and "self" not in scope:
        scope["self"] = SELF_TYPE  # the replica index, read-only
        readonly = frozenset({"self"})
    checker = TypeChecker(scope, readonly)
    transitions = _transitions(reader, fields.get("transitions"), names, checker)
    events = _events(reader, fields.get("events"), transitions)
    state_scope = dict(scope)
    state_scope["state"] = enum_type(tuple(state.name for state in states))
    properties = _properties(
        reader, fields.get("properties"), names, TypeChecker(state_scope, frozenset({"state"}))
    )
    fairness_node = fields.get("fairness")
    fairness = "weak"
    if fairness_node is not None:
        fairness = reader.choice(fairness_node, "fairness", FAIRNESS) or "weak"
    if name is None or not states or initial_node is None:
        return None
    return StateMachine(
        name=name,
        span=span,
        variables=variables,
        states=states,
        initial=initial,
        final=tuple(final),
        events=events,
        transitions=transitions,
        properties=properties,
        version=version,
        description=description,
        fairness=fairness,
    )


def _states(reader: Reader, node: yaml.Node | None) -> tuple[State, ...]:
    if node is None:
        return ()
    out: list[State] = []
    seen: dict[str, State] = {}

    def add(name: str | None, where: yaml.Node, description: str | None) -> None:
        if name is None:
            return
        if name in seen:
            reader.error(
                codes.LD006,
                f"state '{name}' is declared twice",
                where,
                f"first declared at line {seen[name].span.line}",
            )
            return
        state = State(name, reader.span(where), description)
        seen[name] = state
        out.append(state)

    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            add(reader.text(item, "a state name"), item, None)
    else:
        fields = reader.mapping(node, "states", None)
        if fields is not None:
            for name, (key_node, value_node) in fields.entries.items():
                description = None
                if not reader.is_null(value_node):
                    details = reader.mapping(value_node, f"state '{name}'", ("description",))
                    desc_node = details.get("description") if details else None
                    if desc_node is not None:
                        description = reader.text(desc_node, "description")
                add(name, key_node, description)
    if not out:
        reader.error(codes.LD004, "a state machine needs at least one state", node)
    return tuple(out)


def _transitions(
    reader: Reader, node: yaml.Node | None, names: Names, checker: TypeChecker
) -> tuple[Transition, ...]:
    if node is None:
        return ()
    items = reader.sequence(node, "transitions")
    if items is None:
        return ()
    out: list[Transition] = []
    for index, item in enumerate(items):
        if isinstance(item, yaml.ScalarNode):
            out.extend(_short_transition(reader, index, item, names))
        else:
            out.extend(_long_transition(reader, index, item, names, checker))
    return tuple(out)


def _short_transition(
    reader: Reader, index: int, node: yaml.ScalarNode, names: Names
) -> list[Transition]:
    text = reader.text(node, "a transition")
    if text is None:
        return []
    match = SHORT_TRANSITION.match(text)
    if not match:
        reader.error(
            codes.LD004,
            f"'{text}' is not a transition",
            node,
            "write `FROM -> TO on EVENT` or a mapping {from, to, on, guard, do}",
        )
        return []
    source, target = match.group(1), match.group(2)
    if source not in names.declared or target not in names.declared:
        # locating inside the scalar is only needed for the error (costly on 300k items)
        locate = reader.locator(node)
        source = names.resolve(source, locate(match.start(1), match.end(1)))
        target = names.resolve(target, locate(match.start(2), match.end(2)))
    if source is None or target is None:
        return []
    span = reader.span(node)
    return [Transition(index, source, target, match.group(3), None, (), span)]


def _long_transition(
    reader: Reader, index: int, node: yaml.Node, names: Names, checker: TypeChecker
) -> list[Transition]:
    fields = reader.mapping(node, "a transition", TRANSITION_KEYS, ("from", "to"))
    if fields is None:
        return []
    sources = []
    from_node = fields.get("from")
    if from_node is not None:
        for item, where in reader.names(from_node, "a source state"):
            resolved = names.resolve(item, where)
            if resolved is not None:
                sources.append(resolved)
    target = None
    to_node = fields.get("to")
    if to_node is not None:
        target = names.resolve(reader.text(to_node, "the target state"), to_node)
    event = None
    on_node = fields.get("on")
    if on_node is not None:
        event = reader.text(on_node, "the event")
    guard = None
    guard_node = fields.get("guard")
    if guard_node is not None:
        guard = reader.expression(guard_node, "the guard", checker)
    action: Action = ()
    do_node = fields.get("do")
    if do_node is not None:
        action = reader.action(do_node, "the `do` assignments", checker) or ()
    description = None
    desc_node = fields.get("description")
    if desc_node is not None:
        description = reader.text(desc_node, "description")
    fair = True
    fair_node = fields.get("fair")
    if fair_node is not None:
        fair = reader.boolean(fair_node, "fair") is not False
    channel, channel_failed = channel_operation(reader, fields, checker)
    if target is None or (guard_node is not None and guard is None) or channel_failed:
        return []
    span = reader.span(node)
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


def _events(
    reader: Reader, node: yaml.Node | None, transitions: tuple[Transition, ...]
) -> tuple[str, ...]:
    used = []
    for transition in transitions:
        if transition.event is not None and transition.event not in used:
            used.append(transition.event)
    if node is None:
        return tuple(used)
    declared: list[str] = []
    for name, where in reader.names(node, "an event"):
        if name in declared:
            reader.error(codes.LD006, f"event '{name}' is listed twice", where)
        else:
            declared.append(name)
    events = Names(reader.error, "event", {name: reader.span(node) for name in declared})
    for transition in transitions:
        if transition.event is not None:
            events.resolve(transition.event, transition.span)
    return tuple(declared)


def _properties(
    reader: Reader, node: yaml.Node | None, names: Names, checker: TypeChecker
) -> tuple[Property, ...]:
    out: list[Property] = []
    for item, name, kind, body in property_entries(reader, node):
        if kind == "reachable":
            text = reader.text(body, "a state name")
            state = names.resolve(text, body) if text is not None else None
            if state is not None:
                out.append(Property(name, kind, None, state, reader.span(item)))
            continue
        if kind == "leads_to":
            prop = _leads_to(reader, name, body, item, checker)
            if prop is not None:
                out.append(prop)
            continue
        condition = reader.expression(body, f"the `{kind}` condition", checker)
        if condition is not None:
            out.append(Property(name, kind, condition, None, reader.span(item)))
    return tuple(out)


def _leads_to(
    reader: Reader, name: str, body: yaml.Node, item: yaml.Node, checker: TypeChecker
) -> Property | None:
    """``leads_to: {from: A, to: B}``: both conditions are required and type-checked."""
    fields = reader.mapping(body, "leads_to", ("from", "to"), ("from", "to"))
    if fields is None:
        return None
    ends = []
    for key in ("from", "to"):
        node = fields.get(key)
        ends.append(None if node is None else reader.expression(node, f"`{key}`", checker))
    if ends[0] is None or ends[1] is None:
        return None
    return Property(name, "leads_to", ends[0], None, reader.span(item), ends[1])
