"""Inconclusive is not a pass, and a clean result says what it rests on (#13, checks.md 1.1).

An x901 is an error by default (exit 1) unless the user lowers it, JUnit shows it as a
failure and checks that did not run as skipped, JSON carries the "proved" list and the
text report ends with the proved / checked / inconclusive line.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from archctl.codes import CODES
from archctl.diagnostics import Severity
from archctl.proof import Proof
from archctl.report.json import render_json
from tests.conftest import CASES, EXAMPLES
from tests.conftest import run_archctl as run

UNDECIDED = str(CASES / "statemachine" / "unbounded-undecided.yaml")
ORDER = str(EXAMPLES / "order-workflow.yaml")


@pytest.mark.parametrize("code", ["SM901", "WF901", "PL901", "PO901"])
def test_every_inconclusive_code_is_an_error_by_default(code: str) -> None:
    assert CODES[code].severity is Severity.ERROR


def test_undecided_spec_fails_the_run() -> None:
    result = run("verify", UNDECIDED)
    assert result.returncode == 1, result.stdout
    assert "error[SM901]" in result.stdout
    last = result.stdout.rstrip().splitlines()[-1]
    assert re.fullmatch(
        r"proved \d+ check\(s\) on 1 checked spec; 2 inconclusive \(not proved\)", last
    )


def test_search_bound_is_inconclusive_and_fails() -> None:
    result = run("verify", "--max-states", "3", "-f", "json", ORDER)
    assert result.returncode == 1
    document = json.loads(result.stdout)
    assert [d["code"] for d in document["diagnostics"]] == ["WF901"]
    assert document["diagnostics"][0]["severity"] == "error"
    assert isinstance(document["proved"], list)
    assert run("verify", ORDER).returncode == 0  # the same spec, unbounded: proved clean


def test_lowering_the_severity_on_the_command_line_or_in_config(tmp_path: Path) -> None:
    lowered = run("verify", "--severity", "SM901=warning", UNDECIDED)
    assert lowered.returncode == 0, lowered.stdout
    assert "warning[SM901]" in lowered.stdout
    (tmp_path / "archctl.toml").write_text('[severity]\nSM9 = "info"\n')  # a prefix
    configured = run("verify", "--config", str(tmp_path / "archctl.toml"), UNDECIDED)
    assert configured.returncode == 0, configured.stdout
    assert "info[SM901]" in configured.stdout


def test_bad_severity_options_are_usage_errors() -> None:
    assert run("verify", "--severity", "SM901", UNDECIDED).returncode == 2
    wrong_level = run("verify", "--severity", "SM901=low", UNDECIDED)
    assert wrong_level.returncode == 2
    assert "LEVEL one of error, warning, info" in wrong_level.stdout
    typo = run("verify", "--severity", "SM9O1=warning", UNDECIDED)
    assert typo.returncode == 2
    assert "did you mean 'SM901'" in typo.stdout


def _cases(xml: str) -> dict[str, ElementTree.Element]:
    root = ElementTree.fromstring(xml)
    return {case.get("name", ""): case for case in root.iter("testcase")}


def test_junit_inconclusive_is_a_failure_with_file_and_time() -> None:
    result = run("verify", "-f", "junit", UNDECIDED)
    assert result.returncode == 1
    cases = _cases(result.stdout)
    failure = cases["nested-countdown: SM901 inconclusive"].find("failure")
    assert failure is not None and failure.get("type") == "SM901"
    passed = cases["nested-countdown: SM102 deadlock"]
    assert passed.find("failure") is None and passed.find("skipped") is None
    for case in cases.values():
        assert case.get("file") == UNDECIDED.replace("\\", "/") or case.get("file", "").endswith(
            "unbounded-undecided.yaml"
        )
        assert float(case.get("time", "x")) >= 0


def test_junit_checks_that_did_not_run_are_skipped(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "kind: statemachine\nname: b\nstates: [a]\ninitial: a\nfinal: [a]\nbogus: 1\n"
    )
    result = run("verify", "-f", "junit", "--ignore", "SM104", str(broken), UNDECIDED)
    assert result.returncode == 2
    root = ElementTree.fromstring(result.stdout)
    for suite in root.iter("testsuite"):
        cases = {case.get("name", ""): case for case in suite.iter("testcase")}
        if suite.get("name", "").endswith("broken.yaml"):
            assert cases["load"].find("failure") is not None
            checks = [case for name, case in cases.items() if name != "load"]
            assert checks and all(case.find("skipped") is not None for case in checks)
            assert suite.get("skipped") == str(len(checks))
        else:
            assert cases["nested-countdown: SM104 nondeterminism"].find("skipped") is not None
            assert cases["nested-countdown: SM102 deadlock"].find("skipped") is None
    assert int(root.get("skipped", "0")) > 0


def test_json_proved_list_has_the_contract_shape() -> None:
    proofs = [
        Proof("counter", "SM103", "run", "ranking function", "10 - x decreases by 2"),
        Proof("account", "SM201", "never-negative", "spacer"),
    ]
    document = json.loads(render_json([], 1, 2, proofs))
    assert list(document) == ["version", "summary", "diagnostics", "proved"]
    assert document["proved"] == [
        {
            "spec": "counter",
            "check": "SM103",
            "subject": "run",
            "engine": "ranking function",
            "certificate": "10 - x decreases by 2",
        },
        {"spec": "account", "check": "SM201", "subject": "never-negative", "engine": "spacer"},
    ]


def test_verify_reports_what_the_checkers_proved() -> None:
    """The plugins checker records its proofs (CheckContext.prove): JSON lists them, text
    counts them, JUnit puts them on the passing testcases."""
    clean = str(CASES / "plugins" / "conflict-clean.yaml")
    document = json.loads(run("verify", "-f", "json", clean).stdout)
    proved = document["proved"]
    assert {entry["check"] for entry in proved} >= {"PL101", "PL102", "PL103"}
    assert all(set(entry) >= {"spec", "check", "subject", "engine"} for entry in proved)
    assert proved == sorted(
        proved, key=lambda e: (e["spec"], e["check"], e["subject"], e["engine"])
    )
    text = run("verify", clean).stdout.rstrip().splitlines()[-1]
    assert text == f"proved {len(proved)} check(s) on 1 checked spec; 0 inconclusive (not proved)"
    cases = _cases(run("verify", "-f", "junit", clean).stdout)
    output = cases["conflict-avoided: PL102 dependency-cycle"].find("system-out")
    assert output is not None and "proved for conflict-avoided by graph" in (output.text or "")
