"""CI formats: SARIF (validated against the official schema), JUnit, GitHub annotations."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from archctl.diagnostics import Diagnostic, Severity
from archctl.report.github import render_github
from archctl.source import Span
from tests.conftest import CASES, ROOT, SHARED
from tests.conftest import run_archctl as run

SARIF_SCHEMA = SHARED / "schemas" / "sarif-schema-2.1.0.json"


def test_sarif_of_all_cases_is_valid_against_the_official_schema() -> None:
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"official SARIF schema not found at {SARIF_SCHEMA}")
    import jsonschema

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    result = run("verify", "--format", "sarif", "tests/cases")
    document = json.loads(result.stdout)
    jsonschema.Draft4Validator(schema).validate(document)
    run_ = document["runs"][0]
    results = run_["results"]
    assert results, "the test cases have findings"
    rule_ids = [rule["id"] for rule in run_["tool"]["driver"]["rules"]]
    assert rule_ids == sorted(set(rule_ids))
    for item in results:
        assert rule_ids[item["ruleIndex"]] == item["ruleId"]
        location = item["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"].startswith("tests/cases/")
        assert location["region"]["startLine"] >= 1
        assert item["partialFingerprints"]["archctlFinding/v1"]


def test_sarif_fingerprints_survive_moved_lines(tmp_path: Path) -> None:
    case = (CASES / "load" / "several-errors.yaml").read_text(encoding="utf-8")
    (tmp_path / "a.yaml").write_text(case)
    first = json.loads(run("verify", "-f", "sarif", "a.yaml", cwd=tmp_path).stdout)
    (tmp_path / "a.yaml").write_text("# a new comment line\n" + case)
    second = json.loads(run("verify", "-f", "sarif", "a.yaml", cwd=tmp_path).stdout)

    def prints(document: dict[str, object]) -> list[str]:
        results = document["runs"][0]["results"]  # type: ignore[index]
        return sorted(r["partialFingerprints"]["archctlFinding/v1"] for r in results)

    def lines(document: dict[str, object]) -> list[int]:
        results = document["runs"][0]["results"]  # type: ignore[index]
        return sorted(r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results)

    assert prints(first) == prints(second)
    assert [line + 1 for line in lines(first)] == lines(second)


def test_junit_parses_with_a_junit_reader(tmp_path: Path) -> None:
    from junitparser import JUnitXml

    out = tmp_path / "report.xml"
    result = run("verify", "--format", "junit", "--output", str(out), "tests/cases", "examples")
    assert result.returncode == 2  # the load cases cannot be loaded
    assert "checked" in result.stdout  # the terminal keeps the human report
    xml = JUnitXml.fromfile(str(out))
    suites = list(xml)
    assert len(suites) > 5
    names = {suite.name for suite in suites}
    assert "tests/cases/load/several-errors.yaml" in names
    failures = 0
    passes = 0
    for suite in suites:
        for case in suite:
            if case.is_passed:
                passes += 1
            else:
                failures += 1
                assert case.result[0].message
    assert failures >= 1
    assert passes > failures


def test_github_annotations_escape_properties_and_data() -> None:
    diagnostic = Diagnostic(
        "WF108",
        Severity.WARNING,
        "conditions overlap: 100% of\nrequests",
        Span("dir,x/a:b.yaml", 3, 5, 3, 9),
        help="reorder",
    )
    line = render_github([diagnostic])
    assert line == (
        "::warning file=dir%2Cx/a%3Ab.yaml,line=3,col=5,endLine=3,endColumn=9,"
        "title=WF108 gateway-overlap"
        "::conditions overlap: 100%25 of%0Arequests%0Ahelp: reorder\n"
    )


def test_github_format_end_to_end() -> None:
    result = run("verify", "--format", "github", "tests/cases/load/several-errors.yaml")
    assert result.returncode == 2
    lines = result.stdout.splitlines()
    assert len(lines) == 6
    assert lines[0].startswith("::error file=tests/cases/load/several-errors.yaml,line=12,col=10,")


def test_unwritable_output_is_a_usage_error(tmp_path: Path) -> None:
    result = run("verify", "-f", "json", "-o", str(tmp_path / "missing" / "x.json"), "examples")
    assert result.returncode == 2
    assert "cannot write --output" in result.stdout


def _sarif(*paths: str, cwd: Path = ROOT) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(run("verify", "-f", "sarif", *paths, cwd=cwd).stdout)
    return document


def test_sarif_for_code_scanning_flows_related_help_and_unique_prints() -> None:
    document = _sarif("tests/cases")
    run_ = document["runs"][0]
    assert run_["originalUriBaseIds"]["SRCROOT"]["uri"] == ROOT.as_uri() + "/"
    results = run_["results"]
    prints = [r["partialFingerprints"]["archctlFinding/v1"] for r in results]
    assert len(prints) == len(set(prints)), "every alert keeps its own fingerprint"
    for item in results:
        artifact = item["locations"][0]["physicalLocation"]["artifactLocation"]
        assert artifact["uriBaseId"] == "SRCROOT"
        assert not artifact["uri"].startswith(("file:", "/"))
    for rule in run_["tool"]["driver"]["rules"]:
        assert rule["helpUri"].startswith("https://") and "#" in rule["helpUri"]
    flows = [r for r in results if "codeFlows" in r]
    assert flows, "traces become code flows"
    for item in flows:
        evidence = item["properties"]["evidence"]
        trace = evidence.get("steps") or [*evidence.get("prefix", []), *evidence.get("loop", [])]
        threads = item["codeFlows"][0]["threadFlows"]
        steps = [location for thread in threads for location in thread["locations"]]
        if any("component" in step for step in trace):  # a system: one thread per component
            assert len(steps) == sum(1 for step in trace if "component" in step)
        else:
            assert len(threads) == 1 and len(steps) == len(trace)
        assert all(step["location"]["message"]["text"] for step in steps)
    cycles = [r for r in results if r["ruleId"] == "PL102" and "relatedLocations" in r]
    assert any(
        [loc["message"]["text"] for loc in r["relatedLocations"]] == ["a", "b", "c"] for r in cycles
    )


def test_sarif_trace_steps_point_at_their_states(tmp_path: Path) -> None:
    (tmp_path / "door.yaml").write_text(
        "kind: statemachine\nname: door\nstates: [open, closed, stuck]\ninitial: open\n"
        "final: [closed]\ntransitions:\n  - open -> closed on close\n  - open -> stuck on jam\n"
    )
    (result,) = _sarif("door.yaml", cwd=tmp_path)["runs"][0]["results"]
    steps = result["codeFlows"][0]["threadFlows"][0]["locations"]
    columns = [s["location"]["physicalLocation"]["region"]["startColumn"] for s in steps]
    assert columns == [10, 24]  # 'open', then 'stuck' in the states list
    assert steps[1]["location"]["message"]["text"] == "2. --jam--> stuck"


def test_sarif_outside_the_root_is_an_absolute_uri_without_base(tmp_path: Path) -> None:
    from archctl.report.sarif import render_sarif

    diagnostic = Diagnostic(
        "SM102", Severity.ERROR, "m", Span(str(tmp_path / "x.yaml"), 1, 1, 1, 2)
    )
    document = json.loads(render_sarif([diagnostic], str(tmp_path / "project")))
    artifact = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"][
        "artifactLocation"
    ]
    assert artifact == {"uri": (tmp_path / "x.yaml").as_uri()}


def test_github_annotations_most_severe_first_and_step_summary(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    result = run(
        "verify", "-f", "github", "tests/cases/policy", env={"GITHUB_STEP_SUMMARY": str(summary)}
    )
    kinds = [line.split(" ", 1)[0] for line in result.stdout.splitlines()]
    rank = {"::error": 0, "::warning": 1, "::notice": 2}
    assert kinds == sorted(kinds, key=rank.__getitem__)
    assert len(set(kinds)) > 1
    titles = [line.split("title=", 1)[1].split("::", 1)[0] for line in result.stdout.splitlines()]
    assert all(len(title.split(" ")) == 2 for title in titles)  # code and name
    markdown = summary.read_text()
    assert markdown.startswith("## archctl verify\n")
    assert markdown.count("\n| error |") + markdown.count("\n| warning |") + markdown.count(
        "\n| info |"
    ) == len(kinds)
    assert "<summary>" in markdown and "```text" in markdown  # counterexamples in full


def test_gitlab_code_quality_report() -> None:
    result = run("verify", "-f", "gitlab", "tests/cases/policy")
    issues = json.loads(result.stdout)
    assert issues
    prints = [issue["fingerprint"] for issue in issues]
    assert len(prints) == len(set(prints))
    for issue in issues:
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["location"]["path"].startswith("tests/cases/policy/")
        assert issue["location"]["lines"]["begin"] >= 1


def test_sarif_related_locations_name_covering_rules_and_conflicting_plugins() -> None:
    document = _sarif(
        "tests/cases/policy/shadowed-by-union.yaml", "tests/cases/plugins/conflict.yaml"
    )
    related = {
        r["ruleId"]: [loc["message"]["text"] for loc in r.get("relatedLocations", [])]
        for r in document["runs"][0]["results"]
    }
    assert related["PO102"] == ["low-risk-deny", "high-risk-deny"]
    assert related["PL105"] == ["audit", "legacy-audit"]


def test_junit_lists_the_checks_a_petri_net_gets() -> None:
    """A net is checked for soundness only (docs/pnml.md): its suite has those five cases,
    not every workflow code (WF101, WF107... would read as passed checks that never ran)."""
    import xml.etree.ElementTree as ElementTree

    result = run("verify", "--format", "junit", str(CASES / "pnml" / "deadlock.pnml"))
    names = [
        case.get("name", "") for case in ElementTree.fromstring(result.stdout).iter("testcase")
    ]
    codes = sorted(name.split(": ")[1].split()[0] for name in names if ": WF" in name)
    assert codes == ["WF103", "WF104", "WF105", "WF106", "WF901"]
