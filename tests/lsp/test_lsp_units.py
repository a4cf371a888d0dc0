"""The pure parts of the server on every example: symbols, hover text, completion, fixes."""

from __future__ import annotations

from pathlib import Path

import pytest

from archctl.lsp import actions, completion, symbols
from archctl.lsp.analysis import analyse
from tests.conftest import EXAMPLES

EXAMPLE_FILES = sorted([*Path(EXAMPLES).glob("*.yaml"), *Path(EXAMPLES).glob("systems/*.yaml")])


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_every_declared_name_resolves_to_itself(path: Path) -> None:
    text = path.read_text()
    specs = analyse(str(path), text, deep=False).specs
    assert specs
    for spec in specs:
        for symbol in symbols.symbols_of(spec):
            assert symbols.hover_markdown(symbol).startswith(f"**{symbol.kind} `{symbol.name}`**")
            found = symbols.declaration(symbol.name, specs)
            assert found is not None and found.name == symbol.name
            assert symbols.references(symbol.name, {str(path): text})


def test_expression_completion_offers_variables_and_quoted_enum_values() -> None:
    path = EXAMPLES / "approval-process.yaml"
    text = path.read_text()
    specs = analyse(str(path), text, deep=False).specs
    line = '  - {from: triage, to: auto-approve, when: "category == '
    offers = completion.complete(text + line + "\n", len(text.splitlines()), len(line), specs)
    labels = {offer.label for offer in offers}
    assert {"amount", "category", "rounds"} <= labels
    enum = next(offer for offer in offers if offer.label == '"software"')
    assert enum.insert == '\\"software\\"'  # inside a YAML double-quoted string


def test_fixes_come_only_from_exact_suggestions() -> None:
    line = "  - {from: idle, to: bussy, on: go}"
    (fix,) = actions.fixes("did you mean 'busy'?", line, 3, 22, 27)
    assert (fix.text, fix.start, fix.end) == ("busy", 22, 27)
    quoted = actions.fixes(
        'enum values are quoted: "gold" (a value of tier)', 'x: "t == gold"', 0, 10, 14
    )
    assert quoted[0].text == '\\"gold\\"'
    units = actions.fixes("5s or 5ms?", "deadline: 5", 0, 10, 11)
    assert [u.text for u in units] == ["5s", "5ms"]
    assert actions.fixes("declared names: a, b", line, 0, 0, 1) == []
    add = actions.suppression("SM105", "  - a -> b  # archctl: ignore[SM101]", 4)
    assert add.text == ", SM105"
    new = actions.suppression("SM105", "  - a -> b", 4)
    assert new.text == "  # archctl: ignore[SM105]" and new.start == len("  - a -> b")


def test_system_components_and_channels_are_symbols() -> None:
    path = EXAMPLES / "systems" / "two-phase-commit.yaml"
    specs = analyse(str(path), path.read_text(), deep=False).specs
    found = {(s.kind, s.name) for spec in specs for s in symbols.symbols_of(spec)}
    assert ("component", "coordinator") in found and ("component", "participant") in found
    assert any(kind == "channel" for kind, _ in found)
