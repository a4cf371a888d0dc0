"""`archctl graph` end to end: formats, outputs, --check, --highlight and every bad input."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from archctl.cli import app
from archctl.render.image import ImageError
from archctl.verify import verify_paths
from tests.conftest import EXAMPLES, ROOT

FIXTURES = ROOT / "tests" / "graph"
GOLDEN = ROOT / "tests" / "golden" / "graph"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' not installed")


def graph(*args: str) -> tuple[int, bytes, str]:
    """Run `archctl graph` in process: (exit code, stdout bytes, stderr text)."""
    result = CliRunner().invoke(app, ["graph", *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout_bytes, result.stderr


def test_dot_and_mermaid_to_stdout_match_goldens() -> None:
    code, out, _ = graph(str(EXAMPLES / "order-workflow.yaml"))
    assert code == 0
    assert out.decode("utf-8") == (GOLDEN / "order-workflow.dot").read_text(encoding="utf-8")
    code, out, _ = graph(str(EXAMPLES / "plugin-manager.yaml"), "-f", "mermaid")
    assert code == 0
    assert out.decode("utf-8") == (GOLDEN / "plugin-manager.mmd").read_text(encoding="utf-8")


@needs_dot
def test_svg_and_png_files(tmp_path: Path) -> None:
    svg, png = tmp_path / "o.svg", tmp_path / "o.png"
    code, _, err = graph(str(EXAMPLES / "order-workflow.yaml"), "-f", "svg", "-o", str(svg))
    assert code == 0 and err == f"wrote {svg}\n"
    assert "<title>validate&#45;order</title>" in svg.read_text(encoding="utf-8")
    code, _, _ = graph(str(EXAMPLES / "order-workflow.yaml"), "-f", "png", "-o", str(png))
    assert code == 0 and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # not a terminal: binary formats may go to standard output (a pipe or a redirect)
    code, out, _ = graph(str(EXAMPLES / "order-workflow.yaml"), "-f", "svg")
    assert code == 0 and out.startswith(b"<?xml")


def test_several_specs_need_a_choice_or_a_folder(tmp_path: Path) -> None:
    two = str(FIXTURES / "two-specs.yaml")
    code, out, err = graph(two)
    assert code == 2 and out == b""
    assert err == (
        f"error: {two} holds 2 specs (door, tiny-flow): pass --spec NAME to draw one, "
        "or -o FOLDER (an existing folder) to write each to FOLDER/<name>.dot\n"
    )
    code, out, _ = graph(two, "--spec", "tiny-flow", "-f", "mermaid")
    assert code == 0 and b'n_do_it("do-it<br/>[user]")' in out
    code, _, err = graph(two, "-o", str(tmp_path), "-f", "mermaid")
    assert code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["door.mmd", "tiny-flow.mmd"]
    assert err.splitlines() == [
        f"wrote {tmp_path / 'door.mmd'}",
        f"wrote {tmp_path / 'tiny-flow.mmd'}",
    ]
    code, _, err = graph(two, "-o", str(tmp_path / "missing"))
    assert code == 2 and "is not an existing folder" in err


def test_unknown_spec_lists_the_names() -> None:
    code, _, err = graph(str(FIXTURES / "two-specs.yaml"), "--spec", "window")
    assert code == 2
    assert err == (
        f"error: no spec named 'window' in {FIXTURES / 'two-specs.yaml'}; "
        "its specs are: door, tiny-flow\n"
    )


def test_output_in_a_missing_folder(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "x.dot"
    code, _, err = graph(str(EXAMPLES / "order-workflow.yaml"), "-o", str(target))
    assert code == 2
    assert err == f"error: cannot write {target}: the folder '{target.parent}' does not exist\n"
    assert not target.parent.exists()


def test_output_folder_gets_the_spec_name(tmp_path: Path) -> None:
    code, _, _ = graph(str(EXAMPLES / "order-workflow.yaml"), "-o", str(tmp_path))
    assert code == 0 and (tmp_path / "order-workflow.dot").is_file()


def test_load_errors_are_refused_with_diagnostics() -> None:
    code, out, err = graph(str(FIXTURES / "load-error.yaml"))
    assert code == 2 and out == b""
    assert "error[LD005]: unknown state 'nowhere'" in err
    assert "error[LD002]: unknown key 'gaurd' in a transition" in err
    assert "load-error.yaml:7:27" in err
    assert err.endswith("error: the spec cannot be drawn until it loads cleanly\n")
    code, _, err = graph(str(FIXTURES / "load-error.yaml"), "--check")
    assert code == 2 and "error[LD005]" in err


def test_missing_file() -> None:
    code, _, err = graph("tests/graph/nope.yaml")
    assert code == 2 and "no such file or folder: tests/graph/nope.yaml" in err


def test_dot_failing_is_exit_2(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def failing(dot_text: str, image_format: str) -> bytes:
        raise ImageError("Graphviz 'dot' failed (exit 1): Error: out of memory")

    monkeypatch.setattr("archctl.render.output.render_image", failing)
    code, _, err = graph(str(EXAMPLES / "order-workflow.yaml"), "-f", "png", "-o", str(tmp_path))
    assert code == 2
    assert err == "error: Graphviz 'dot' failed (exit 1): Error: out of memory\n"
    assert list(tmp_path.iterdir()) == []


def test_missing_dot_program_end_to_end(tmp_path: Path) -> None:
    env = dict(os.environ, PATH=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-m", "archctl", "graph", "examples/order-workflow.yaml", "-f", "svg"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
    )
    assert result.returncode == 2
    assert "apt-get install graphviz" in result.stderr and "brew install graphviz" in result.stderr
    assert "-f dot and -f mermaid work without it" in result.stderr
    assert "Traceback" not in result.stderr
    text = subprocess.run(
        [sys.executable, "-m", "archctl", "graph", "examples/order-workflow.yaml", "-f", "mermaid"],
        capture_output=True,
        cwd=ROOT,
        env=env,
        check=False,
    )
    assert text.returncode == 0 and text.stdout.startswith(b"---\ntitle:")


def test_check_draws_exactly_what_verify_finds() -> None:
    """Asserts only what the registered checkers report, so it holds whatever is registered."""
    fixtures = (
        "broken-machine.yaml",
        "broken-workflow.yaml",
        "plugin-cycle.yaml",
        "shadowed-policy.yaml",
    )
    for name in fixtures:
        path = str(FIXTURES / name)
        expected = [d for d in verify_paths([path]).diagnostics if d.severity.value != "info"]
        code, out, _ = graph(path, "--check")
        assert code == 0
        text = out.decode("utf-8")
        for diagnostic in expected:
            assert diagnostic.code in text, (name, diagnostic.code)
        assert ('subgraph "cluster_legend"' in text) == bool(expected)
        plain_code, plain, _ = graph(path)
        assert plain_code == 0 and "cluster_legend" not in plain.decode("utf-8")


def test_check_on_a_clean_example_changes_nothing() -> None:
    path = str(EXAMPLES / "order-workflow.yaml")
    assert graph(path, "--check")[1] == graph(path)[1]


def test_highlight_from_a_verify_report(tmp_path: Path) -> None:
    report = {
        "version": 1,
        "diagnostics": [
            {
                "code": "SM102",
                "spec": "broken-machine",
                "subject": "stuck",
                "evidence": {
                    "kind": "trace",
                    "steps": [
                        {"state": "idle", "values": {"n": 0}},
                        {"event": "start", "state": "busy", "values": {"n": 0}},
                        {"event": "jam", "state": "stuck", "values": {"n": 0}},
                    ],
                },
            }
        ],
    }
    trace = tmp_path / "trace.json"
    trace.write_text(json.dumps(report), encoding="utf-8")
    code, out, _ = graph(str(FIXTURES / "broken-machine.yaml"), "--highlight", str(trace))
    assert code == 0
    text = out.decode("utf-8")
    assert 'label="jam\\nstep 3"' in text and 'label="stuck\\nstep 3"' in text
    code, out, _ = graph(
        str(FIXTURES / "broken-machine.yaml"), "--highlight", str(trace), "-f", "mermaid"
    )
    assert code == 0 and b"linkStyle 0,1,4 stroke:#0969da" in out


def test_highlight_bad_inputs(tmp_path: Path) -> None:
    machine = str(FIXTURES / "broken-machine.yaml")
    stranger = tmp_path / "stranger.json"
    stranger.write_text('{"kind": "trace", "steps": [{"state": "elsewhere"}]}', encoding="utf-8")
    code, _, err = graph(machine, "--highlight", str(stranger))
    assert code == 2
    assert err == (
        "error: --highlight: no step of the trace names an element of spec 'broken-machine'\n"
    )
    code, _, err = graph(machine, "--highlight", str(tmp_path / "absent.json"))
    assert code == 2 and err.startswith("error: --highlight: cannot read ")
    broken = tmp_path / "broken.json"
    broken.write_text("{oops", encoding="utf-8")
    code, _, err = graph(machine, "--highlight", str(broken))
    assert code == 2 and err.startswith("error: --highlight: not JSON")
    code, _, err = graph(str(FIXTURES / "two-specs.yaml"), "--highlight", str(stranger))
    assert code == 2 and err == "error: --highlight draws on one spec: pass --spec NAME\n"


def test_unknown_format_is_a_usage_error() -> None:
    code, _, _ = graph(str(EXAMPLES / "order-workflow.yaml"), "-f", "jpeg")
    assert code == 2


def test_binary_formats_refuse_a_terminal() -> None:
    from archctl.load.loader import load_paths
    from archctl.render.output import GraphError, plan_outputs

    specs = load_paths([str(EXAMPLES / "order-workflow.yaml")]).specs
    with pytest.raises(GraphError) as raised:
        plan_outputs(specs, None, "png", True, "order-workflow.yaml")
    assert str(raised.value) == (
        "-f png writes binary data: pass -o FILE.png, or redirect standard output"
    )
    assert plan_outputs(specs, None, "dot", True, "x")[0].path is None


def test_committed_readme_diagram_shows_every_node() -> None:
    """docs/images/order-workflow.svg is generated by the tool; it must not go stale."""
    import html
    import re

    from archctl.kinds import build_diagram
    from archctl.load.loader import load_paths

    svg = (ROOT / "docs" / "images" / "order-workflow.svg").read_text(encoding="utf-8")
    titles = re.findall(r'<g id="node\d+" class="node">\s*<title>([^<]*)</title>', svg)
    spec = load_paths([str(EXAMPLES / "order-workflow.yaml")]).specs[0]
    assert {html.unescape(t) for t in titles} == {n.key for n in build_diagram(spec).nodes}
