"""`archctl diff`: golden text/JSON output, exit codes, and witnesses that really differ."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from archctl.check.policy.diff import diff_files
from archctl.check.policy.request import DECISION_NAMES, Matcher, decide, request_from
from archctl.cli import app
from archctl.load.loader import load_file
from archctl.model.policy import Policy
from tests.conftest import ROOT
from tests.golden_util import assert_golden

GOLDEN = ROOT / "tests" / "golden" / "diff"
V1, V2 = "tests/golden/diff/gateway-v1.yaml", "tests/golden/diff/gateway-v2.yaml"
REWORDED = "tests/golden/diff/gateway-v1-reworded.yaml"
TWO = "tests/golden/diff/two-policies.yaml"


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # golden outputs name files relative to the repository


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["diff", *args])
    return result.exit_code, result.stdout


@pytest.mark.parametrize("fmt,suffix", [("text", "txt"), ("json", "json")])
def test_changed_versions_golden(fmt: str, suffix: str) -> None:
    code, out = _run(V1, V2, "--format", fmt)
    assert code == 1
    assert_golden(GOLDEN / f"gateway-v1-v2.{suffix}", out)


def test_equivalent_versions_exit_zero() -> None:
    code, out = _run(V1, REWORDED)
    assert code == 0
    assert_golden(GOLDEN / "gateway-v1-reworded.txt", out)


def test_same_file_is_equivalent() -> None:
    assert _run(V1, V1)[0] == 0


def test_several_policies_need_spec() -> None:
    code, _ = _run(TWO, V1)
    assert code == 2
    code, out = _run(TWO, V1, "--spec", "gateway")
    assert code == 1 and "newly allowed" in out


def test_unloadable_input_exits_two(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("kind: policy\nname: x\nrules: [\n", encoding="utf-8")
    assert _run(V1, str(broken))[0] == 2
    assert _run(V1, str(tmp_path / "missing.yaml"))[0] == 2


def test_changed_attribute_type_is_refused(tmp_path: Path) -> None:
    changed = tmp_path / "changed.yaml"
    text = (ROOT / V1).read_text(encoding="utf-8").replace("src: {type: ip}", "src: {type: int}")
    changed.write_text(
        text.replace('src in "203.0.113.0/24"', "src > 5").replace(' and src in "10.0.0.0/16"', ""),
        encoding="utf-8",
    )
    outcome = diff_files(V1, str(changed))
    assert [d.code for d in outcome.problems] == ["LD004"]
    assert "changed type" in outcome.problems[0].message


def _policy(path: str) -> Policy:
    spec = load_file(path).specs[0]
    assert isinstance(spec, Policy)
    return spec


def test_every_region_witness_is_decided_as_reported() -> None:
    """Re-evaluate each witness with the Python evaluator on both versions."""
    outcome = diff_files(V1, V2)
    assert {region.change for region in outcome.regions} == {"newly allowed", "newly undecided"}
    for version, side in ((_policy(V1), "old"), (_policy(V2), "new")):
        for region in outcome.regions:
            raw = dict(region.witness.values)
            raw["src"] = int.from_bytes(bytes(int(p) for p in str(raw["src"]).split(".")), "big")
            request = request_from(version, {a.name: raw[a.name] for a in version.attributes})
            decision, by = decide(version, Matcher(version).matching(request))
            claimed = getattr(region, side)
            assert DECISION_NAMES[decision] == claimed.decision
            assert (None if by is None else version.rules[by].id) == claimed.rule


def test_report_formats_other_than_text_and_json_are_refused() -> None:
    assert _run(V1, V2, "--format", "sarif")[0] == 2
