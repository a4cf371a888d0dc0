"""One resolver and one error emitter: the same mistake gets the same help in every format."""

from __future__ import annotations

from archctl.diagnostics import Diagnostic
from archctl.load.dsl.frontend import load_dsl_text
from archctl.load.yaml.loader import load_yaml_text

YAML = """kind: statemachine
name: m
variables:
  tier: {type: enum, values: [gold, silver], initial: gold}
states: [a, b]
initial: a
final: [b]
events: [go]
transitions:
  - {from: a, to: bb, on: go, guard: "tier == gold"}
"""
DSL = """statemachine m {
  var tier: enum{"gold", "silver"} = "gold"
  states a, b
  initial a
  final b
  a -> bb on go [tier == gold]
}
"""


def helps(diagnostics: list[Diagnostic]) -> list[tuple[str, str, str | None]]:
    return sorted((d.code, d.message, d.help) for d in diagnostics)


def test_unknown_names_and_unquoted_enum_values_read_the_same_in_yaml_and_dsl() -> None:
    from_yaml = helps(load_yaml_text("m.yaml", YAML).diagnostics)
    from_dsl = helps(load_dsl_text("m.arch", DSL).diagnostics)
    assert from_yaml == from_dsl
    assert from_yaml == [
        ("LD005", "unknown name 'gold'", 'enum values are quoted: "gold" (a value of tier)'),
        ("LD005", "unknown state 'bb'", "did you mean 'b'?"),
    ]
