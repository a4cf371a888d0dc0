"""Differential test of archctl's npm ranges against node-semver itself (seeded, random).

node-semver is the reference the table in ``test_semver.py`` was written from; when a
``node`` with the ``semver`` package is on this machine (npm bundles one), thousands of
random (range, version) pairs are asked of both and must agree. Skipped elsewhere.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from archctl.model.semver import parse_range, parse_version

_SCRIPT = """
const semver = require(process.argv[1]);
const pairs = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = pairs.map(([r, v]) => {
  try { return semver.satisfies(v, r); } catch (e) { return null; }
});
process.stdout.write(JSON.stringify(out));
"""


def _node_semver() -> tuple[str, str] | None:
    node = shutil.which("node")
    if node is None:
        return None
    for root in (
        Path(node).resolve().parent.parent / "lib",
        Path("/usr/lib"),
        Path("/usr/local/lib"),
    ):
        module = root / "node_modules" / "npm" / "node_modules" / "semver"
        if (module / "package.json").is_file():
            return node, str(module)
    return None


_PRE = ["alpha", "beta", "rc", "0", "1", "2", "alpha.1", "beta.2", "beta.11", "rc.1", "x-y"]


def _version(rng: random.Random) -> str:
    text = ".".join(str(rng.randint(0, 2)) for _ in range(3))
    if rng.random() < 0.35:
        text += "-" + rng.choice(_PRE)
    if rng.random() < 0.1:
        text += "+build." + str(rng.randint(0, 9))
    return text


def _partial(rng: random.Random) -> str:
    parts = [str(rng.randint(0, 2)) for _ in range(3)]
    cut = rng.choice([1, 2, 3, 3, 3])
    if rng.random() < 0.2:
        parts[cut - 1] = rng.choice(["x", "*", "X"])
    text = ".".join(parts[:cut])
    if cut == 3 and parts[2].isdigit() and rng.random() < 0.3:
        text += "-" + rng.choice(_PRE)
    return text


def _range(rng: random.Random) -> str:
    alternatives = []
    for _ in range(rng.choice([1, 1, 1, 2])):
        if rng.random() < 0.15:
            alternatives.append(f"{_partial(rng)} - {_partial(rng)}")
            continue
        count = rng.choice([1, 1, 2])
        ops = ["", "=", "<", "<=", ">", ">=", "^", "~"]
        alternatives.append(" ".join(rng.choice(ops) + _partial(rng) for _ in range(count)))
    return " || ".join(alternatives)


def test_random_ranges_agree_with_node_semver() -> None:
    found = _node_semver()
    if found is None:
        pytest.skip("node with npm's bundled semver is not installed")
    node, module = found
    rng = random.Random(20261204)
    pairs = [(_range(rng), _version(rng)) for _ in range(4000)]
    answer = subprocess.run(
        [node, "-e", _SCRIPT, module],
        input=json.dumps(pairs),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    expected = json.loads(answer.stdout)
    disagreements = []
    for (text, version), reference in zip(pairs, expected, strict=True):
        assert reference is not None, f"node-semver rejected generated range {text!r}"
        ours = parse_range(text).match(parse_version(version))
        if ours is not reference:
            disagreements.append((text, version, reference))
    assert not disagreements, disagreements[:20]
