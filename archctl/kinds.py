"""The registry of spec kinds: one entry per kind, and dispatch by kind goes through it.

Each :class:`Kind` names what archctl has for one kind of spec: the model class, the front
ends that read it, its checker, its diagram builder, its YAML and DSL writers, its JSON
Schema and its simulator. Implementations are reached through small typed functions that
import on first use, so the registry costs nothing at start-up, and ``Kind`` is generic in
the model class, so mypy checks that every part of an entry takes that kind's model.

The list of kinds itself is ``model.spec.KindName``; :func:`entry` maps each name to its
entry with an exhaustive ``match`` ending in ``assert_never``, so a kind added to the model
without a registry entry is a type error, not a spec silently drawn as a workflow.

Layers: this module sits above ``check``, ``render``, ``simulate`` and ``convert`` (it
imports them) and below the commands. Those packages never tell kinds apart themselves:
what needs the kind's own part is handed it from here (:func:`check_specs`,
:func:`build_diagram`, :func:`specs_to_yaml`, :func:`specs_to_dsl`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from archctl.model.petrinet import PetriNet
from archctl.model.plugins import PluginSet
from archctl.model.policy import Policy
from archctl.model.spec import KINDS, KindName, Spec, assert_never
from archctl.model.statemachine import StateMachine
from archctl.model.system import System
from archctl.model.workflow import Workflow

if TYPE_CHECKING:
    from archctl.check import Checker, CheckOptions
    from archctl.convert.comments import Comments, Layout
    from archctl.convert.to_dsl import Sections
    from archctl.diagnostics import Diagnostic
    from archctl.evidence import Evidence
    from archctl.proof import Proof
    from archctl.render.graph import DiagramGraph

#: The model class of one kind.
S = TypeVar("S", StateMachine, Workflow, PluginSet, Policy, System, PetriNet)


@dataclass(frozen=True)
class Kind(Generic[S]):
    """Everything archctl has for one spec kind (``archctl schema KIND``, docs, dispatch)."""

    name: KindName
    model: type[S]
    summary: str
    #: names of the front ends (``load/frontends.py``) that produce specs of this kind
    front_ends: tuple[str, ...]
    checker: Callable[[], Checker]
    #: the diagram of a spec; the other specs loaded with it (a system's machines) beside it
    renderer: Callable[[], Callable[[S, Sequence[Spec]], DiagramGraph]]
    #: the kind's own YAML keys and DSL sections (``convert``; the header is shared)
    to_yaml: Callable[[], Callable[[Layout, S], None]]
    to_dsl: Callable[[], Callable[[S], Sections]]
    #: the JSON Schema of its YAML form; None for a kind that is only imported (petrinet)
    schema: Callable[[], dict[str, object]] | None
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


def _statemachine_renderer() -> Callable[[StateMachine, Sequence[Spec]], DiagramGraph]:
    from archctl.render.statemachine import build_statemachine

    return lambda machine, peers: build_statemachine(machine)


def _workflow_renderer() -> Callable[[Workflow, Sequence[Spec]], DiagramGraph]:
    from archctl.render.workflow import build_workflow

    return lambda workflow, peers: build_workflow(workflow)


def _plugins_renderer() -> Callable[[PluginSet, Sequence[Spec]], DiagramGraph]:
    from archctl.render.plugins import build_plugins

    return lambda plugins, peers: build_plugins(plugins)


def _policy_renderer() -> Callable[[Policy, Sequence[Spec]], DiagramGraph]:
    from archctl.render.policy import build_policy

    return lambda policy, peers: build_policy(policy)


def _system_renderer() -> Callable[[System, Sequence[Spec]], DiagramGraph]:
    from archctl.render.system import build_system

    return build_system


def _statemachine_yaml() -> Callable[[Layout, StateMachine], None]:
    from archctl.convert.to_yaml import write_statemachine

    return write_statemachine


def _workflow_yaml() -> Callable[[Layout, Workflow], None]:
    from archctl.convert.to_yaml import write_workflow

    return write_workflow


def _plugins_yaml() -> Callable[[Layout, PluginSet], None]:
    from archctl.convert.to_yaml import write_plugins

    return write_plugins


def _policy_yaml() -> Callable[[Layout, Policy], None]:
    from archctl.convert.to_yaml import write_policy

    return write_policy


def _system_yaml() -> Callable[[Layout, System], None]:
    from archctl.convert.to_yaml import write_system

    return write_system


def _statemachine_dsl() -> Callable[[StateMachine], Sections]:
    from archctl.convert.to_dsl import statemachine_sections

    return statemachine_sections


def _workflow_dsl() -> Callable[[Workflow], Sections]:
    from archctl.convert.to_dsl import workflow_sections

    return workflow_sections


def _plugins_dsl() -> Callable[[PluginSet], Sections]:
    from archctl.convert.to_dsl import plugins_sections

    return plugins_sections


def _policy_dsl() -> Callable[[Policy], Sections]:
    from archctl.convert.to_dsl import policy_sections

    return policy_sections


def _system_dsl() -> Callable[[System], Sections]:
    from archctl.convert.to_dsl import system_sections

    return system_sections


def _petrinet_checker() -> Checker:
    from archctl.check.petrinet.checker import check

    return check


def _petrinet_renderer() -> Callable[[PetriNet, Sequence[Spec]], DiagramGraph]:
    from archctl.render.petrinet import build_petrinet

    return lambda net, peers: build_petrinet(net)


def _petrinet_yaml() -> Callable[[Layout, PetriNet], None]:
    """A net is written as its workflow (``convert/petrinet.py``); :func:`specs_to_yaml`
    translates nets before the shared header is written, so the header says workflow."""
    from archctl.convert.petrinet import net_to_workflow
    from archctl.convert.to_yaml import write_workflow

    return lambda out, net: write_workflow(out, net_to_workflow(net))


def _petrinet_dsl() -> Callable[[PetriNet], Sections]:
    from archctl.convert.petrinet import net_to_workflow
    from archctl.convert.to_dsl import workflow_sections

    return lambda net: workflow_sections(net_to_workflow(net))


def _schema(kind: KindName) -> Callable[[], dict[str, object]]:
    def build() -> dict[str, object]:
        from archctl.schemas import schema_for

        return schema_for(kind)

    return build


STATEMACHINE = Kind(
    name="statemachine",
    model=StateMachine,
    summary="states, events and guarded transitions over typed variables",
    front_ends=("yaml", "dsl", "scxml", "bpmn"),  # bpmn: a collaboration's pools
    checker=_statemachine_checker,
    renderer=_statemachine_renderer,
    to_yaml=_statemachine_yaml,
    to_dsl=_statemachine_dsl,
    schema=_schema("statemachine"),
    simulator="feeds events (--events) or walks randomly (--steps); replays SM traces",
)
WORKFLOW = Kind(
    name="workflow",
    model=Workflow,
    summary="BPMN-style tasks, gateways, retries, deadlines and subprocesses",
    front_ends=("yaml", "dsl", "bpmn"),
    checker=_workflow_checker,
    renderer=_workflow_renderer,
    to_yaml=_workflow_yaml,
    to_dsl=_workflow_dsl,
    schema=_schema("workflow"),
    simulator="runs instances on a virtual clock with latency statistics; replays WF traces",
)
PLUGINS = Kind(
    name="plugins",
    model=PluginSet,
    summary="plugin versions, dependency constraints and conflicts",
    front_ends=("yaml", "dsl"),
    checker=_plugins_checker,
    renderer=_plugins_renderer,
    to_yaml=_plugins_yaml,
    to_dsl=_plugins_dsl,
    schema=_schema("plugins"),
    simulator=None,
)
POLICY = Kind(
    name="policy",
    model=Policy,
    summary="attribute rules, combining algorithms and risk-score trust bands",
    front_ends=("yaml", "dsl"),
    checker=_policy_checker,
    renderer=_policy_renderer,
    to_yaml=_policy_yaml,
    to_dsl=_policy_dsl,
    schema=_schema("policy"),
    simulator=None,
)
SYSTEM = Kind(
    name="system",
    model=System,
    summary="statemachine components exchanging messages over channels, every interleaving "
    "explored",
    front_ends=("yaml", "dsl", "bpmn"),  # bpmn: a collaboration of pools
    checker=_system_checker,
    renderer=_system_renderer,
    to_yaml=_system_yaml,
    to_dsl=_system_dsl,
    schema=_schema("system"),
    simulator="runs seeded random interleavings with channel latency and per-component "
    "statistics; replays SY traces",
)
PETRINET = Kind(
    name="petrinet",
    model=PetriNet,
    summary="workflow nets (P/T nets from PNML) checked for soundness by exact reachability",
    front_ends=("pnml",),
    checker=_petrinet_checker,
    renderer=_petrinet_renderer,
    to_yaml=_petrinet_yaml,
    to_dsl=_petrinet_dsl,
    schema=None,
    simulator=None,
)


def entry(name: KindName) -> Kind[Any]:
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
        case "petrinet":
            return PETRINET
        case _:
            assert_never(name)


def kind_of(spec: Spec) -> Kind[Any]:
    return entry(spec.kind)


def lookup(name: str) -> Kind[Any] | None:
    """The kind called ``name`` as a user typed it (``archctl schema NAME``), or None."""
    for kind in KINDS:
        if kind == name:
            return entry(kind)
    return None


def all_kinds() -> tuple[Kind[Any], ...]:
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


def build_diagram(
    spec: Spec,
    diagnostics: Sequence[Diagnostic] | None = None,
    highlight: Evidence | None = None,
    peers: Sequence[Spec] = (),
) -> DiagramGraph:
    """The kind's diagram of one spec, with findings (``--check``) and a trace
    (``--highlight``) drawn on it; ``peers`` are the specs loaded with it."""
    from archctl.render.overlay import annotate

    return annotate(kind_of(spec).renderer()(spec, peers), spec, diagnostics, highlight)


def specs_to_yaml(specs: Sequence[Spec], comments: Comments | None = None) -> str:
    """Canonical YAML of ``specs``, each kind's keys written by its registry entry."""
    from archctl.convert.petrinet import written
    from archctl.convert.to_yaml import write_yaml

    texts = [written(spec) for spec in specs]  # a net is written as its workflow
    return write_yaml(texts, lambda out, spec: kind_of(spec).to_yaml()(out, spec), comments)


def specs_to_dsl(specs: Sequence[Spec], comments: Comments | None = None) -> str:
    """Canonical DSL of ``specs``, each kind's sections written by its registry entry."""
    from archctl.convert.petrinet import written
    from archctl.convert.to_dsl import write_dsl

    texts = [written(spec) for spec in specs]  # a net is written as its workflow
    return write_dsl(texts, lambda spec: kind_of(spec).to_dsl()(spec), comments)
