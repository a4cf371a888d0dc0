"""The plugin checker beyond the data-driven cases: selections, explanations, evidence,
optional dependencies, determinism and deep or large inputs."""

from __future__ import annotations

import random

from archctl.check.plugins.plan import PluginPlan, analyse
from archctl.evidence import Cycle, Explanation
from archctl.load.yaml.loader import load_yaml_text
from archctl.model.plugins import PluginSet
from tests.conftest import CASES, EXAMPLES


def plugin_set(text: str, path: str = "t.yaml") -> PluginSet:
    result = load_yaml_text(path, text)
    assert not result.diagnostics, result.diagnostics
    (spec,) = result.specs
    assert isinstance(spec, PluginSet)
    return spec


def plan_of(text: str) -> PluginPlan:
    return analyse(plugin_set(text))


def case(name: str) -> PluginPlan:
    path = CASES / "plugins" / name
    return analyse(plugin_set(path.read_text(encoding="utf-8"), str(path)))


def test_example_plan_prefers_newest_versions() -> None:
    text = (EXAMPLES / "plugin-manager.yaml").read_text(encoding="utf-8")
    plan = plan_of(text)
    assert plan.diagnostics == []
    assert plan.selected is not None and plan.selected["scheduler"] == "2.1.0"
    assert plan.stages == [
        ["core"],
        ["http", "metrics", "storage-postgres"],
        ["audit", "scheduler"],
        ["dashboard"],
    ]


def test_backtracking_falls_back_to_an_older_version() -> None:
    plan = case("backtracking-clean.yaml")
    assert plan.diagnostics == []
    assert plan.selected == {"app": "1.0.0", "client": "1.9.0", "proto": "1.4.2", "server": "1.0.0"}


def test_diamond_explanation_is_a_minimal_chain_naming_lines() -> None:
    plan = case("diamond.yaml")
    (finding,) = plan.diagnostics
    assert finding.code == "PL104" and finding.subject == "shared"
    assert isinstance(finding.evidence, Explanation)
    assert finding.evidence.facts == (
        "app is installed (line 23)",
        "app 1.0.0 requires left ^1 (line 9) and right ^1 (line 9)",
        "left 1.0.0 requires shared ^1 (line 12)",
        "right 1.1.0 requires shared ^2.1 (line 17)",
        "right 1.0.0 requires shared ^2 (line 15)",
        "so no version of shared fits (candidates: 2.1.0, 2.0.0, 1.0.0)",
    )
    assert "; ".join(finding.evidence.facts) in finding.message
    assert plan.selected is None and plan.stages is None


def test_explanation_leaves_out_unrelated_plugins() -> None:
    plan = plan_of(
        """
kind: plugins
name: noisy
plugins:
  base: {version: 1.0.0}
  extra: {version: 1.0.0, requires: {base: "^1"}}
  shared: {versions: {1.0.0: {}, 2.0.0: {}}}
  left: {version: 1.0.0, requires: {shared: "^1", base: "*"}}
  right: {version: 1.0.0, requires: {shared: "^2", extra: "*"}}
install: [left, right, extra]
"""
    )
    (finding,) = plan.diagnostics
    assert isinstance(finding.evidence, Explanation)
    assert finding.evidence.facts == (
        "left and right are installed (line 10)",
        "left 1.0.0 requires shared ^1 (line 8)",
        "right 1.0.0 requires shared ^2 (line 9)",
        "so no version of shared fits (candidates: 2.0.0, 1.0.0)",
    )


def test_cycles_carry_ordered_paths() -> None:
    plan = case("cycles.yaml")
    cycles = [d.evidence for d in plan.diagnostics]
    assert cycles == [Cycle(("a", "b", "c")), Cycle(("x", "y")), Cycle(("solo",))]
    assert plan.stages is None and plan.selected is not None


def test_shortest_cycle_through_smallest_member() -> None:
    plan = plan_of(
        """
kind: plugins
name: two-loops
plugins:
  a: {version: 1.0.0, requires: {d: "*", b: "*"}}
  b: {version: 1.0.0, requires: {c: "*"}}
  c: {version: 1.0.0, requires: {a: "*"}}
  d: {version: 1.0.0, requires: {a: "*"}}
"""
    )
    (finding,) = plan.diagnostics
    assert finding.evidence == Cycle(("a", "d"))
    assert "a -> d -> a" in finding.message
    assert finding.span is not None and finding.span.line == 8  # d's entry closes it


def test_optional_dependency_is_never_pulled_in_but_orders_loading() -> None:
    text = """
kind: plugins
name: optional
plugins:
  core: {version: 1.0.0}
  metrics: {version: 1.0.0, requires: {core: "^1"}}
  ui: {version: 1.0.0, requires: {core: "^1"}, optional: {metrics: "^1"}}
install: [ui]
"""
    plan = plan_of(text)
    assert plan.selected == {"core": "1.0.0", "ui": "1.0.0"}
    both = plan_of(text.replace("install: [ui]", "install: [ui, metrics]"))
    assert both.stages == [["core"], ["metrics"], ["ui"]]


def test_conflict_needs_z3_and_is_reported_not_as_unresolvable() -> None:
    plan = case("conflict.yaml")
    (finding,) = plan.diagnostics
    assert finding.code == "PL105" and finding.subject == "audit"
    assert isinstance(finding.evidence, Explanation)
    assert "audit and legacy-audit are installed (line 12)" in finding.evidence.facts


def test_conflict_avoided_by_an_older_version() -> None:
    plan = case("conflict-clean.yaml")
    assert plan.diagnostics == []
    assert plan.selected is not None and plan.selected["audit"] == "1.0.0"


def test_missing_plugin_does_not_cascade_into_unresolvable() -> None:
    plan = case("missing-dependency.yaml")
    assert sorted(d.code for d in plan.diagnostics) == ["PL101", "PL101"]
    assert "did you mean 'logger'?" in plan.diagnostics[0].message


def test_deep_chain_has_no_recursion_limit() -> None:
    depth = 6000
    lines = ["kind: plugins", "name: deep", "plugins:"]
    for n in range(depth):
        needs = f', requires: {{p{n + 1}: "^1"}}' if n + 1 < depth else ', requires: {p0: "*"}'
        lines.append(f"  p{n}: {{version: 1.0.0{needs}}}")
    plan = plan_of("\n".join(lines) + "\ninstall: [p0]\n")
    (finding,) = plan.diagnostics
    assert finding.code == "PL102" and finding.subject == "p0"
    assert isinstance(finding.evidence, Cycle) and len(finding.evidence.path) == depth
    acyclic = plan_of("\n".join(lines[:-1]) + "\n  p5999: {version: 1.0.0}\ninstall: [p0]\n")
    assert acyclic.diagnostics == [] and acyclic.stages is not None
    assert len(acyclic.stages) == depth and acyclic.stages[0] == ["p5999"]


def test_deep_multi_version_chain_through_the_solver() -> None:
    depth = 400
    lines = ["kind: plugins", "name: deep-versions", "plugins:"]
    for n in range(depth):
        older = f'{{requires: {{q{n + 1}: "^1"}}}}' if n + 1 < depth else "{}"
        newer = f'{{requires: {{q{n + 1}: "^2"}}}}' if n + 1 < depth else "{}"
        lines.append(f"  q{n}: {{versions: {{1.0.0: {older}, 2.0.0: {newer}}}}}")
    lines.append('  pin: {version: 1.0.0, requires: {q399: "^1"}}')
    plan = plan_of("\n".join(lines) + "\ninstall: [q0, pin]\n")
    assert plan.diagnostics == []
    assert plan.selected is not None
    assert all(plan.selected[f"q{n}"] == "1.0.0" for n in range(depth))


def test_same_input_same_output() -> None:
    first = case("cycles.yaml")
    second = case("cycles.yaml")
    assert first.diagnostics == second.diagnostics
    assert case("diamond.yaml").diagnostics == case("diamond.yaml").diagnostics


def _capped_registry(plugins: int, versions: int, pins: int) -> str:
    """Newer releases need newer dependencies and a `pin` caps some plugins: backtracking."""
    rng = random.Random(5)
    lines = ["kind: plugins", "name: capped", "plugins:"]
    for i in range(plugins):
        targets = sorted(rng.sample(range(i), min(i, 3)))
        lines += [f"  r{i}:", "    versions:"]
        for k in range(versions):
            needs = ", ".join(f'r{j}: ">=1.{max(0, k - rng.randint(1, 4))}.0"' for j in targets)
            lines.append(
                f"      1.{k}.0: {{requires: {{{needs}}}}}" if needs else f"      1.{k}.0: {{}}"
            )
    capped = ", ".join(
        f'r{j}: "<1.{rng.randint(2, versions - 2)}.0"' for j in rng.sample(range(plugins), pins)
    )
    lines.append(f"  pin: {{version: 1.0.0, requires: {{{capped}}}}}")
    roots = ", ".join(["pin", *(f"r{i}" for i in range(plugins - 10, plugins))])
    return "\n".join(lines) + f"\ninstall: [{roots}]\n"


def test_solver_timeout_is_inconclusive_never_a_pass() -> None:
    spec = plugin_set(_capped_registry(200, 10, 50))
    hurried = analyse(spec, timeout_ms=1)
    assert [d.code for d in hurried.diagnostics] == ["PL901"]
    assert hurried.selected is None and hurried.stages is None
    patient = analyse(spec)
    assert patient.diagnostics == [] and patient.stages is not None
    assert patient.selected is not None and patient.selected["pin"] == "1.0.0"


def test_one_conflict_entry_is_one_finding_and_both_ends_are_forced() -> None:
    plan = case("conflict-plugin-level.yaml")
    (finding,) = plan.diagnostics
    assert finding.code == "PL105" and finding.subject == "audit"
    assert finding.message.startswith("audit conflicts with legacy-audit '*', but both must be")


def test_conflicts_that_are_a_choice_are_worded_as_one() -> None:
    plan = case("conflict-either.yaml")
    first, second = plan.diagnostics
    assert "both must be selected" not in first.message + second.message
    assert first.message.startswith(
        "lib 1.0.0 conflicts with x '*', and every selection these requirements allow breaks "
        "this conflict or another one (lib 2.0.0 conflicts with y '*')"
    )
    assert second.message.startswith("lib 2.0.0 conflicts with y '*', and every selection")
    assert first.evidence == second.evidence


def test_what_was_proved_is_recorded() -> None:
    from archctl.verify import verify_paths

    clean = verify_paths([str(EXAMPLES / "plugin-manager.yaml")])
    proved = {(p.check, p.engine) for p in clean.proved}
    assert {("PL101", "lookup"), ("PL103", "lookup"), ("PL102", "graph")} <= proved
    assert ("PL104", "search") in proved and ("PL105", "search") in proved
    (resolvable,) = [p for p in clean.proved if p.check == "PL104"]
    assert resolvable.certificate is not None
    assert resolvable.certificate.startswith("selection of 7 plugins: audit 1.1.0, core 3.2.1")
    backtracked = verify_paths([str(CASES / "plugins" / "backtracking-clean.yaml")])
    assert ("PL104", "z3") in {(p.check, p.engine) for p in backtracked.proved}
    broken = verify_paths([str(CASES / "plugins" / "diamond.yaml")])
    assert {p.check for p in broken.proved} == {"PL101", "PL103"}


def test_inconclusive_resolution_proves_nothing_about_it() -> None:
    hurried = analyse(plugin_set(_capped_registry(200, 10, 50)), timeout_ms=1)
    assert {p.check for p in hurried.proofs} == {"PL101", "PL103"}
