"""The snippets in docs/ci.md are exercised: configs parse, commands run as written."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

from archctl.config import parse_config, tomllib
from tests.conftest import ROOT

DOC = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC, flags=re.S)


def archctl_commands() -> list[str]:
    commands = []
    for block in blocks("yaml"):
        document = yaml.safe_load(block)
        for line in re.findall(r"archctl verify[^\n]*", yaml.safe_dump(document, width=1000)):
            commands.append(line.strip().strip("'\""))
    for block in blocks("sh"):
        commands += [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    return commands


def test_yaml_snippets_parse() -> None:
    found = blocks("yaml")
    assert len(found) >= 4
    for block in found:
        assert yaml.safe_load(block) is not None


def test_toml_snippet_is_a_valid_config() -> None:
    (block,) = blocks("toml")
    table = tomllib.loads(block)["tool"]["archctl"]
    config = parse_config(table, "docs/ci.md", ROOT)
    assert config.fail_on == "warning"
    assert config.severity["WF108"].value == "error"


def test_commands_in_snippets_run(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    for example in sorted((ROOT / "examples").glob("*.yaml"))[:4]:
        (specs / example.name).write_text(example.read_text(encoding="utf-8"))
    commands = archctl_commands()
    assert any("--format sarif" in c for c in commands)
    assert any("--format junit" in c for c in commands)
    for command in commands:
        argv = shlex.split(command)
        assert argv[:2] == ["archctl", "verify"]
        result = subprocess.run(
            [sys.executable, "-m", "archctl", *argv[1:]],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        )
        assert result.returncode == 0, (command, result.stdout, result.stderr)
