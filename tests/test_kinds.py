"""The kind registry: every kind has a complete entry, and dispatch goes through it."""

from __future__ import annotations

from pathlib import Path

import pytest

from archctl import kinds
from archctl.api import load_text
from archctl.load.frontends import FRONT_ENDS, by_extension, by_name
from archctl.model.spec import KINDS, TEXT_KINDS
from archctl.render.graph import DiagramGraph
from tests.conftest import EXAMPLES


def test_every_kind_has_an_entry_whose_parts_resolve() -> None:
    assert [kind.name for kind in kinds.all_kinds()] == list(KINDS)
    for kind in kinds.all_kinds():
        assert kind.summary and kind.front_ends
        assert all(by_name(name) is not None for name in kind.front_ends)
        assert callable(kind.checker()) and callable(kind.renderer())
        assert callable(kind.to_yaml()) and callable(kind.to_dsl())
        if kind.schema is None:  # imported only (PNML): no YAML form, no schema
            assert kind.name not in TEXT_KINDS
        else:
            schema = kind.schema()
            assert schema["$id"] == f"https://archctl.dev/schemas/{kind.name}.schema.json"
        assert kinds.lookup(kind.name) is kind
    assert kinds.lookup("system-that-does-not-exist") is None


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_examples_dispatch_to_their_own_kind(path: Path) -> None:
    for spec in load_text(path.read_text(encoding="utf-8")):
        kind = kinds.kind_of(spec)
        assert isinstance(spec, kind.model) and kind.name == spec.kind
        assert isinstance(kind.renderer()(spec, ()), DiagramGraph)


def test_front_ends_are_found_by_extension_and_name() -> None:
    assert [f.name for f in FRONT_ENDS] == ["yaml", "dsl", "bpmn", "scxml", "pnml"]
    assert by_extension(".yml") is by_name("yaml")
    assert by_extension(".arch") is by_name("dsl")
    assert by_extension(".bpmn") is by_name("bpmn")
    assert by_extension(".scxml") is by_name("scxml")
    assert by_extension(".pnml") is by_name("pnml")
    assert by_extension(".toml") is None
