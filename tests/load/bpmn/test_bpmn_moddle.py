"""The BPMN files archctl ships open in bpmn.io: bpmn-moddle reads them as the modelers do.

bpmn-js (the bpmn.io modeler and viewer) and Camunda Modeler parse through bpmn-moddle's
``fromXML``; what it cannot read is a warning and disappears from the drawing. archctl's own
importer is more forgiving in places, so passing ``archctl verify`` says nothing about
whether the tools people draw in open a file. ``moddle_read.mjs`` reads every ``.bpmn`` under
``examples/`` and ``tests/cases/bpmn/`` with the real library and reports what it saw; this
module asserts: no warnings, every ``sourceRef``/``targetRef``/``processRef``/
``attachedToRef`` resolved, and, for the examples (the case files are deliberately minimal,
without diagram interchange), a shape or edge for every flow node, sequence flow, message
flow and participant, laid out so that pools do not overlap, elements sit in their pool and
no edge runs through an element it does not connect.

Needs ``node`` and bpmn-moddle in ``.cache/npm`` (``.ci/run`` installs the pinned version);
skips with the reason otherwise.
"""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CASES, EXAMPLES, ROOT

NPM_PREFIX = ROOT / ".cache" / "npm"
SCRIPT = Path(__file__).with_name("moddle_read.mjs")
FILES = sorted(EXAMPLES.rglob("*.bpmn")) + sorted((CASES / "bpmn").rglob("*.bpmn"))
DRAWN = [path for path in FILES if path.is_relative_to(EXAMPLES)]
#: Containers: edges inside an expanded subprocess run through its shape by design.
CONTAINERS = ("bpmn:SubProcess", "bpmn:Transaction", "bpmn:AdHocSubProcess")

Box = tuple[float, float, float, float]
Point = tuple[float, float]


def _name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.fixture(scope="module")
def moddle() -> dict[str, dict[str, Any]]:
    """What bpmn-moddle read from each file, keyed by its path under the repository."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node not on PATH: bpmn-moddle runs on Node.js")
    if not (NPM_PREFIX / "node_modules" / "bpmn-moddle" / "package.json").is_file():
        pytest.skip(f"bpmn-moddle not installed in {NPM_PREFIX} (.ci/run installs it with npm)")
    run = subprocess.run(
        [node, str(SCRIPT), str(NPM_PREFIX), *(str(path) for path in FILES)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    results = json.loads(run.stdout)["results"]
    return {_name(Path(result["file"])): result for result in results}


@pytest.fixture(params=FILES, ids=_name)
def read(request: pytest.FixtureRequest, moddle: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """What bpmn-moddle read from one shipped file."""
    return moddle[_name(request.param)]


@pytest.fixture(params=DRAWN, ids=_name)
def drawn(request: pytest.FixtureRequest, moddle: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """What bpmn-moddle read from one file that carries a diagram (the examples)."""
    return moddle[_name(request.param)]


def test_reads_without_warnings(read: dict[str, Any]) -> None:
    assert read["error"] is None
    assert read["warnings"] == []


def test_every_reference_resolves(read: dict[str, Any]) -> None:
    assert read["missing"] == []
    assert [ref for ref in read["references"] if not ref["resolved"]] == []
    assert read["references"], "no references seen: did the script's filter miss them?"


def test_the_examples_hold_a_drawn_collaboration() -> None:
    assert EXAMPLES / "order-saga.bpmn" in DRAWN


def test_the_diagram_draws_every_element(drawn: dict[str, Any]) -> None:
    shaped = {p["id"] for p in drawn["participants"]} | set(drawn["flowNodes"])
    edged = {flow["id"] for flow in drawn["sequenceFlows"] + drawn["messageFlows"]}
    assert sorted(shaped - set(drawn["shapes"])) == []
    assert sorted(edged - set(drawn["edges"])) == []


def test_pools_apart_and_elements_inside_their_pool(drawn: dict[str, Any]) -> None:
    shapes = _shapes(drawn)
    pools = {p["process"]: p["id"] for p in drawn["participants"]}
    overlapping = [
        (a["id"], b["id"])
        for i, a in enumerate(drawn["participants"])
        for b in drawn["participants"][i + 1 :]
        if _overlap(shapes[a["id"]], shapes[b["id"]])
    ]
    assert overlapping == []
    outside = [
        (node, pools[info["process"]])
        for node, info in drawn["flowNodes"].items()
        if info["process"] in pools and not _inside(shapes[node], shapes[pools[info["process"]]])
    ]
    assert outside == []


def test_edges_join_their_ends_and_cross_no_element(drawn: dict[str, Any]) -> None:
    shapes = _shapes(drawn)
    nodes = drawn["flowNodes"]
    obstacles = {key: shapes[key] for key, info in nodes.items() if info["type"] not in CONTAINERS}
    loose: list[str] = []
    crossing: list[tuple[str, str]] = []
    for flow in drawn["sequenceFlows"] + drawn["messageFlows"]:
        points = [(float(x), float(y)) for x, y in drawn["edges"][flow["id"]]]
        if len(points) < 2 or not (
            _touches(points[0], shapes[flow["source"]])
            and _touches(points[-1], shapes[flow["target"]])
        ):
            loose.append(flow["id"])
            continue
        ends = {flow["source"], flow["target"]}
        ends |= {nodes[end]["host"] for end in ends if end in nodes and nodes[end]["host"]}
        crossing += [
            (flow["id"], key)
            for key, box in sorted(obstacles.items())
            if key not in ends and any(_crosses(p, q, box) for p, q in itertools.pairwise(points))
        ]
    assert loose == [], "edges whose first or last waypoint is off their source or target"
    assert crossing == [], "edges drawn through an element they do not connect"


def test_crossing_means_through_not_along() -> None:
    box = (100.0, 100.0, 100.0, 80.0)
    assert _crosses((50, 140), (250, 140), box)
    assert _crosses((150, 0), (150, 120), box)
    assert not _crosses((100, 0), (100, 300), box)  # along the outline
    assert not _crosses((50, 140), (100, 140), box)  # ends on it
    assert not _crosses((0, 0), (300, 20), box)


def _shapes(read: dict[str, Any]) -> dict[str, Box]:
    return {
        key: (bounds["x"], bounds["y"], bounds["width"], bounds["height"])
        for key, bounds in read["shapes"].items()
    }


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _inside(inner: Box, outer: Box) -> bool:
    return (
        outer[0] <= inner[0]
        and outer[1] <= inner[1]
        and inner[0] + inner[2] <= outer[0] + outer[2]
        and inner[1] + inner[3] <= outer[1] + outer[3]
    )


def _touches(point: Point, box: Box, slack: float = 2.0) -> bool:
    """A waypoint on (or within ``slack`` of) the box: edges end on their element's outline."""
    x, y, width, height = box
    return (
        x - slack <= point[0] <= x + width + slack and y - slack <= point[1] <= y + height + slack
    )


def _crosses(p: Point, q: Point, box: Box) -> bool:
    """The segment p-q runs through the box's interior (Liang-Barsky clipping); grazing an
    outline or touching a corner does not count, so edges may pass close to elements."""
    x, y, width, height = box
    low, high = 0.0, 1.0
    dx, dy = q[0] - p[0], q[1] - p[1]
    for step, room in (
        (-dx, p[0] - (x + 1)),
        (dx, (x + width - 1) - p[0]),
        (-dy, p[1] - (y + 1)),
        (dy, (y + height - 1) - p[1]),
    ):
        if step == 0:
            if room < 0:
                return False
            continue
        t = room / step
        if step < 0:
            low = max(low, t)
        else:
            high = min(high, t)
    return low < high
