"""End-to-end smoke tests of the CLI on the shipped examples."""

from __future__ import annotations

import json

from tests.conftest import EXAMPLES
from tests.conftest import run_archctl as run


def test_examples_verify_clean() -> None:
    result = run("verify", str(EXAMPLES), "--format", "json")
    report = json.loads(result.stdout)
    errors = [d for d in report["diagnostics"] if d["severity"] != "info"]
    assert errors == []
    assert result.returncode == 0
    assert report["summary"]["specs"] >= 11


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("archctl ")
