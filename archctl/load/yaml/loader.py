"""Load the specs of one YAML file: decode, compose, dispatch each document by `kind`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import yaml

from archctl import codes
from archctl.codes import default_severity
from archctl.diagnostics import Diagnostic
from archctl.gcpause import gc_paused
from archctl.load.yaml import plugins as yaml_plugins
from archctl.load.yaml import policy as yaml_policy
from archctl.load.yaml import statemachine as yaml_statemachine
from archctl.load.yaml import system as yaml_system
from archctl.load.yaml import workflow as yaml_workflow
from archctl.load.yaml.reader import Fields, Reader
from archctl.load.yaml.source import compose
from archctl.model.spec import TEXT_KINDS, LoadResult, Spec
from archctl.source import SourceFile, Span

_BUILDERS: dict[
    str, tuple[tuple[str, ...], tuple[str, ...], Callable[[Reader, Fields], Spec | None]]
] = {
    "statemachine": (
        yaml_statemachine.KEYS,
        ("kind", "name", "states", "initial"),
        yaml_statemachine.build_statemachine,
    ),
    "workflow": (yaml_workflow.KEYS, ("kind", "name", "nodes"), yaml_workflow.build_workflow),
    "plugins": (yaml_plugins.KEYS, ("kind", "name", "plugins"), yaml_plugins.build_plugins),
    "policy": (yaml_policy.KEYS, ("kind", "name"), yaml_policy.build_policy),
    "system": (yaml_system.KEYS, ("kind", "name", "components"), yaml_system.build_system),
}


def load_yaml_text(path: str, text: str) -> LoadResult:
    """Compose and build every document, with the garbage collector paused (see gcpause)."""
    with gc_paused():
        return _load(path, text)


def _load(path: str, text: str) -> LoadResult:
    source = SourceFile(path, text)
    result = LoadResult(sources={path: source}, files=[path])
    documents, problems = compose(source)
    result.diagnostics.extend(problems)
    if not documents and not problems:
        result.diagnostics.append(
            Diagnostic(
                codes.LD003,
                default_severity(codes.LD003),
                "the file holds no spec document",
                Span.point(path, 1, 1),
                help="start with `kind: workflow|statemachine|plugins|policy` and `name: ...`",
            )
        )
    reader = Reader(source)
    for document in documents:
        spec = _document(reader, document)
        if spec is not None:
            result.specs.append(spec)
    result.diagnostics.extend(reader.diagnostics)
    return result


def _document(reader: Reader, node: yaml.Node) -> Spec | None:
    if not isinstance(node, yaml.MappingNode):
        reader.error(
            codes.LD004,
            "a spec document must be a mapping with `kind:` and `name:`",
            node,
            "start with `kind: workflow|statemachine|plugins|policy`",
        )
        return None
    probe = reader.mapping(node, "the spec", None)
    assert probe is not None
    kind_node = probe.get("kind")
    if kind_node is None:
        reader.error(
            codes.LD003,
            "the spec is missing the required key 'kind'",
            reader.span(node.value[0][0]) if node.value else node,
            "add `kind: workflow|statemachine|plugins|policy`",
        )
        return None
    kind = reader.choice(kind_node, "kind", TEXT_KINDS)
    if kind is None:
        return None
    allowed, required, build = _BUILDERS[kind]
    before = len(reader.diagnostics)
    fields = reader.restrict(probe, f"a {kind} spec", allowed, required)
    spec = build(reader, fields)
    name_node = probe.get("name")
    if name_node is not None and isinstance(name_node, yaml.ScalarNode):
        name = str(name_node.value)
        reader.diagnostics[before:] = [
            replace(diagnostic, spec=name) for diagnostic in reader.diagnostics[before:]
        ]
    return spec
