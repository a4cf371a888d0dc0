"""Diagrams of every example: golden DOT and Mermaid, real Graphviz SVG/PNG, escaping, layout."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest

from archctl.kinds import build_diagram
from archctl.load.loader import load_paths
from archctl.model.spec import Spec
from archctl.render.dot import quote, render_dot
from archctl.render.graph import DEdge, DiagramGraph, DNode, ms
from archctl.render.image import INSTALL_HINT, ImageError, render_image
from archctl.render.mermaid import label, make_ids, render_mermaid
from archctl.render.plugins import cycle_members, load_stages
from archctl.render.policy import precedence
from tests.conftest import EXAMPLES, ROOT
from tests.golden_util import assert_golden

GOLDEN = ROOT / "tests" / "golden" / "graph"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' not installed")


def load_one(path: Path) -> Spec:
    result = load_paths([str(path)])
    assert result.diagnostics == []
    assert len(result.specs) == 1
    return result.specs[0]


def load_text(tmp_path: Path, text: str) -> Spec:
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    return load_one(path)


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_golden_dot(example: Path) -> None:
    text = render_dot(build_diagram(load_one(example)))
    assert_golden(GOLDEN / f"{example.stem}.dot", text)


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_golden_mermaid(example: Path) -> None:
    text = render_mermaid(build_diagram(load_one(example)))
    assert_golden(GOLDEN / f"{example.stem}.mmd", text)


def test_every_example_has_goldens() -> None:
    stems = {path.stem for path in EXAMPLE_FILES}
    assert {p.stem for p in GOLDEN.glob("*.dot")} == stems
    assert {p.stem for p in GOLDEN.glob("*.mmd")} == stems


def test_same_spec_same_bytes() -> None:
    first = [render_dot(build_diagram(s)) for s in load_paths([str(EXAMPLES)]).specs]
    second = [render_dot(build_diagram(s)) for s in load_paths([str(EXAMPLES)]).specs]
    assert first == second


@needs_dot
@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_svg_renders_with_real_dot_and_has_every_node(example: Path) -> None:
    graph = build_diagram(load_one(example))
    svg = render_image(render_dot(graph), "svg").decode("utf-8")
    assert svg.lstrip().startswith("<?xml") and "</svg>" in svg
    titles = re.findall(r'<g id="node\d+" class="node">\s*<title>([^<]*)</title>', svg)
    assert {html.unescape(title) for title in titles} == {node.key for node in graph.nodes}


@needs_dot
def test_png_has_magic_bytes() -> None:
    graph = build_diagram(load_one(EXAMPLES / "order-workflow.yaml"))
    data = render_image(render_dot(graph), "png")
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 1000


@needs_dot
def test_dot_failure_is_a_clear_error() -> None:
    with pytest.raises(ImageError, match=r"Graphviz 'dot' failed \(exit 1\): .*syntax error"):
        render_image("digraph { a -> ", "svg")


def test_missing_dot_says_how_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ImageError) as raised:
        render_image("digraph { a -> b }", "svg")
    assert str(raised.value) == INSTALL_HINT
    assert "apt-get install graphviz" in INSTALL_HINT and "brew install graphviz" in INSTALL_HINT
    assert "-f dot and -f mermaid work without it" in INSTALL_HINT


def test_dot_quotes_and_escapes_everything() -> None:
    assert quote('say "hi"\\now\nnext') == '"say \\"hi\\"\\\\now\\nnext"'
    graph = DiagramGraph("g", "workflow")
    graph.add_node(DNode('a"b', 'label "x"', "box"))
    graph.add_node(DNode("end", "end", "end"))
    graph.add_edge(DEdge('a"b', "end", 'x == "y"'))
    text = render_dot(graph)
    assert '"a\\"b" -> "end" [label="x == \\"y\\""];' in text
    assert '"a\\"b" [label="label \\"x\\"", shape="box"];' in text


def test_mermaid_escapes_labels_and_ids() -> None:
    assert label('a "b" <c> | #d & e\nf') == '"a #quot;b#quot; #lt;c#gt; #124; #35;d #38; e<br/>f"'
    graph = DiagramGraph("g", "workflow")
    for key in ("end", "a-b", "a_b", ":initial"):
        graph.add_node(DNode(key, key, "box"))
    assert make_ids(graph) == {
        "end": "n_end",
        "a-b": "n_a_b",
        "a_b": "n_a_b_2",
        ":initial": "n__initial",
    }


def test_workflow_bpmn_shapes_and_flows() -> None:
    text = render_dot(build_diagram(load_one(EXAMPLES / "order-workflow.yaml")))
    assert '"start" [label="start", shape="circle"];' in text
    assert '"delivered" [label="delivered", penwidth="3", shape="circle"];' in text
    assert (
        'label=<<FONT POINT-SIZE="18">+</FONT>>, shape="diamond", width="0.6", xlabel="split"'
        in text
    )
    assert (
        'label=<<FONT POINT-SIZE="18">x</FONT>>, shape="diamond", width="0.6", xlabel="decide"'
        in text
    )
    assert "retry 3x, backoff 200ms x2 max 1s\\ndeadline 2s" in text
    assert '"decide" -> "ship" [label="[in_stock and paid]"];' in text
    assert '"decide" -> "compensate" [arrowtail="tee", dir="both", label="/ default"];' in text
    assert '"ship" -> "compensate" [label="on error", style="dashed"];' in text
    inclusive = render_dot(build_diagram(load_one(EXAMPLES / "approval-process.yaml")))
    assert (
        'label=<<FONT POINT-SIZE="18">o</FONT>>, shape="diamond", width="0.6", xlabel="reviews"'
        in inclusive
    )


def test_statemachine_initial_final_and_labels() -> None:
    graph = build_diagram(load_one(EXAMPLES / "workflow-state-machine.yaml"))
    text = render_dot(graph)
    assert '":initial" -> "created";' in text
    assert '"completed" [label="completed", shape="doublecircle"];' in text
    assert 'label="step_failed [retries < 3] / retries = retries + 1"' in text
    mermaid = render_mermaid(graph)
    assert 'n_completed((("completed")))' in mermaid
    assert 'n_running -->|"step_failed [retries #lt; 3] / retries = retries + 1"| n_waiting' in (
        mermaid
    )


def test_plugin_stages_and_cycles() -> None:
    graph = {"app": ["a"], "a": ["b", "base"], "b": ["a"], "base": [], "solo": ["solo"]}
    assert load_stages(graph) == {"base": 0, "a": 1, "b": 1, "app": 2, "solo": 0}
    assert cycle_members(graph) == {"a", "b", "solo"}
    chain = {f"p{i}": [f"p{i + 1}"] for i in range(300)} | {"p300": []}
    assert load_stages(chain)["p0"] == 300


def test_plugin_diagram_groups_stages_and_reds_cycles(tmp_path: Path) -> None:
    spec = load_text(
        tmp_path,
        "kind: plugins\nname: p\nplugins:\n  base: {version: 1.0.0}\n"
        '  a: {version: 1.0.0, requires: {b: "^1", base: "^1"}}\n'
        '  b: {version: 1.2.0, requires: {a: "^1"}}\n'
        '  app: {version: 0.3.0, requires: {a: "^1"}, conflicts: {old: "*"}}\n',
    )
    graph = build_diagram(spec)
    assert [(c.label, c.members) for c in graph.clusters] == [
        ("stage 0: loads first", ["base"]),
        ("stage 1", ["a", "b"]),
        ("stage 2", ["app"]),
    ]
    cyclic = sorted((e.source, e.target) for e in graph.edges if "cycle" in e.classes)
    assert cyclic == [("a", "b"), ("b", "a")]
    text = render_dot(graph)
    assert '"a" -> "b" [color="#d1242f", constraint="false"' in text
    assert '"old" [color="#8c959f", fontcolor="#8c959f", label="old\\n(not declared)"' in text
    assert '"app" -> "old" [constraint="false", label="conflicts *", style="dotted"];' in text


def test_plugin_versions_and_per_version_constraints() -> None:
    text = render_dot(build_diagram(load_one(EXAMPLES / "plugin-manager.yaml")))
    assert 'label="scheduler\\n2.1.0 | 2.0.0 | 1.9.3"' in text
    assert '"scheduler" -> "http" [label="2.1.0: ^1.4"];' in text
    assert '"dashboard" [label="dashboard\\n1.2.0", penwidth="2.5", shape="box"];' in text


def test_policy_precedence_per_combining_algorithm(tmp_path: Path) -> None:
    base = (
        "kind: policy\nname: p\nattributes:\n  x: {type: bool}\ncombine: {combine}\n"
        "default: none\nrules:\n"
        '  - {id: r1, effect: allow, when: "x"}\n'
        '  - {id: r2, effect: deny, when: "not x"}\n'
        "  - {id: r3, effect: allow}\n"
    )
    orders = {}
    for combine in ("first-applicable", "deny-overrides", "permit-overrides"):
        spec = load_text(tmp_path, base.replace("{combine}", combine))
        assert spec.kind == "policy"
        orders[combine] = [[rule.id for rule in tier] for tier in precedence(spec)]  # type: ignore[arg-type]
    assert orders == {
        "first-applicable": [["r1", "r2", "r3"]],
        "deny-overrides": [["r2"], ["r1", "r3"]],
        "permit-overrides": [["r1", "r3"], ["r2"]],
    }
    text = render_dot(
        build_diagram(load_text(tmp_path, base.replace("{combine}", "deny-overrides")))
    )
    chain = re.findall(r'^  "([^"]+)" -> "([^"]+)" \[label="no match"\];$', text, re.M)
    assert chain == [("r2", "r1"), ("r1", "r3"), ("r3", ":default")]
    assert '":default" [label="no decision", shape="note"];' in text
    assert 'label="3. r3: allow\\nalways"' in text


def test_durations_print_in_spec_style() -> None:
    assert [ms(v) for v in (250, 1000, 90_000, 1500, 3_600_000, 0)] == [
        "250ms",
        "1s",
        "1m30s",
        "1.5s",
        "1h",
        "0s",
    ]


@needs_dot
def test_special_characters_survive_dot_and_mermaid() -> None:
    graph = build_diagram(load_one(ROOT / "tests" / "graph" / "escaping.yaml"))
    expected = 'go [region == "eu|<west> #1 & \\"q\\" \\\\ end"] / n = n + 1'
    svg = render_image(render_dot(graph), "svg").decode("utf-8")
    assert html.escape(expected, quote=True).replace("&#x27;", "'") in svg
    mermaid = render_mermaid(graph)
    assert (
        '-->|"go [region == #quot;eu#124;#lt;west#gt; #35;1 #38; \\#quot;q\\#quot; \\\\ end#quot;]'
        ' / n = n + 1"|'
    ) in mermaid


@needs_dot
@pytest.mark.parametrize(
    "name", ["broken-machine", "broken-workflow", "plugin-cycle", "shadowed-policy"]
)
def test_overlays_render_with_real_dot(name: str) -> None:
    from archctl.verify import verify_paths

    path = ROOT / "tests" / "graph" / f"{name}.yaml"
    spec = load_one(path)
    graph = build_diagram(spec, verify_paths([str(path)]).diagnostics)
    svg = render_image(render_dot(graph), "svg").decode("utf-8")
    titles = re.findall(r'<g id="node\d+" class="node">\s*<title>([^<]*)</title>', svg)
    assert {html.unescape(t) for t in titles} >= {node.key for node in graph.nodes}
