"""The registry of spec kinds: one entry per kind, and dispatch by kind goes through it.

Each :class:`Kind` names what archctl has for one kind of spec: the model class, the front
ends that read it, its checker, its diagram builder, its JSON Schema and its simulator.
Implementations are reached through small typed functions that import on first use, so the
registry costs nothing at start-up and mypy checks every entry against the signature its
callers rely on.

The list of kinds itself is ``model.spec.KindName``; :func:`entry` maps each name to its
entry with an exhaustive ``match`` ending in ``assert_never``, so a kind added to the model
without a registry entry is a type error, not a spec silently drawn as a workflow.

Layers: this module sits above ``check``, ``render``, ``simulate`` and ``convert`` (it
imports them) and below the commands. Code in those lower layers that must tell kinds apart
(``render.build``, the converters) uses the same exhaustive ``match`` on ``spec.kind``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from archctl.model.plugins import PluginSet
from archctl.model.policy import Policy
from archctl.model.spec import KINDS, KindName, Spec, assert_never
from archctl.model.statemachine import StateMachine
from archctl.model.system import System
from archctl.model.workflow import Workflow

if TYPE_CHECKING:
    from archctl.check import Checker, CheckOptions
    from archctl.diagnostics import Diagnostic
    from archctl.proof import Proof
    from archctl.render.graph import DiagramGraph


@dataclass(frozen=True)
class Kind:
    """Everything archctl has for one spec kind (``archctl schema KIND``, docs, dispatch)."""

    name: KindName
    model: type[Spec]
    summary: str
    #: names of the front ends (``load/frontends.py``) that produce specs of this kind
    front_ends: tuple[str, ...]
    checker: Callable[[], Checker]
    renderer: Callable[[], Callable[[Any], DiagramGraph]]
    schema: Callable[[], dict[str, object]]
    #: what ``archctl simulate`` does with it, or None when it cannot be simulated
    simulator: str | None


def _statemachine_checker() -> Checker:
    from archctl.check.statemachine.checker import check

    return check


def _workflow_checker() -> Checker:
    from archctl.check.workflow.checker import check

    return check


def _plugins_checker() -> Checker:
    from archctl.check.plugins.checker import check

    return check


def _policy_checker() -> Checker:
    from archctl.check.policy.checker import check

    return check


def _system_checker() -> Checker:
    from archctl.check.system.checker import check

    return check


def _system_renderer() -> Callable[[System], DiagramGraph]:
    from archctl.render.system import build_system

    return build_system


def _statemachine_renderer() -> Callable[[StateMachine], DiagramGraph]:
    from archctl.render.statemachine import build_statemachine

    return build_statemachine


def _workflow_renderer() -> Callable[[Workflow], DiagramGraph]:
    from archctl.render.workflow import build_workflow

    return build_workflow


def _plugins_renderer() -> Callable[[PluginSet], DiagramGraph]:
    from archctl.render.plugins import build_plugins

    return build_plugins


def _policy_renderer() -> Callable[[Policy], DiagramGraph]:
    from archctl.render.policy import build_policy

    return build_policy


def _schema(kind: KindName) -> Callable[[], dict[str, object]]:
    def build() -> dict[str, object]:
        from archctl.schemas import schema_for

        return schema_for(kind)

    return build


STATEMACHINE = Kind(
    "statemachine",
    StateMachine,
    "states, events and guarded transitions over typed variables",
    ("yaml", "dsl", "scxml"),
    _statemachine_checker,
    _statemachine_renderer,
    _schema("statemachine"),
    "feeds events (--events) or walks randomly (--steps); replays SM traces",
)
WORKFLOW = Kind(
    "workflow",
    Workflow,
    "BPMN-style tasks, gateways, retries, deadlines and subprocesses",
    ("yaml", "dsl", "bpmn"),
    _workflow_checker,
    _workflow_renderer,
    _schema("workflow"),
    "runs instances on a virtual clock with latency statistics; replays WF traces",
)
PLUGINS = Kind(
    "plugins",
    PluginSet,
    "plugin versions, dependency constraints and conflicts",
    ("yaml", "dsl"),
    _plugins_checker,
    _plugins_renderer,
    _schema("plugins"),
    None,
)
POLICY = Kind(
    "policy",
    Policy,
    "attribute rules, combining algorithms and risk-score trust bands",
    ("yaml", "dsl"),
    _policy_checker,
    _policy_renderer,
    _schema("policy"),
    None,
)

SYSTEM = Kind(
    "system",
    System,
    "statemachine components exchanging messages over channels, every interleaving explored",
    ("yaml", "dsl"),
    _system_checker,
    _system_renderer,
    _schema("system"),
    "runs seeded random interleavings with channel latency and per-component statistics; "
    "replays SY traces",
)


def entry(name: KindName) -> Kind:
    """The registry entry of a kind; a kind without one fails type checking here."""
    match name:
        case "statemachine":
            return STATEMACHINE
        case "workflow":
            return WORKFLOW
        case "plugins":
            return PLUGINS
        case "policy":
            return POLICY
        case "system":
            return SYSTEM
        case _:
            assert_never(name)


def kind_of(spec: Spec) -> Kind:
    return entry(spec.kind)


def lookup(name: str) -> Kind | None:
    """The kind called ``name`` as a user typed it (``archctl schema NAME``), or None."""
    for kind in KINDS:
        if kind == name:
            return entry(kind)
    return None


def all_kinds() -> tuple[Kind, ...]:
    return tuple(entry(name) for name in KINDS)


def checker_of(spec: Spec) -> Checker:
    return kind_of(spec).checker()


def check_specs(
    specs: Sequence[Spec],
    options: CheckOptions | None = None,
    proved: list[Proof] | None = None,
    *,
    context_specs: Sequence[Spec] = (),
) -> list[Diagnostic]:
    """Run each spec's checker from the registry (``check.run_checks`` with the dispatch);
    ``context_specs`` are visible to the checkers but not checked."""
    from archctl.check import run_checks

    return run_checks(specs, checker_of, options, proved, context_specs=context_specs)
