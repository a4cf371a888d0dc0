"""Small things a newcomer hit (#15): the hints say what would be right."""

from __future__ import annotations

import json

from tests.conftest import CASES
from tests.conftest import run_archctl as run


def _diagnostics(path: str) -> list[dict[str, object]]:
    result = run("verify", "-f", "json", path)
    assert result.returncode == 2
    found: list[dict[str, object]] = json.loads(result.stdout)["diagnostics"]
    return found


def test_unitless_duration_asks_for_the_unit() -> None:
    found = _diagnostics(str(CASES / "load" / "unitless-duration.yaml"))
    assert [d["message"] for d in found] == [
        "deadline: '5' has no unit; did you mean 5s or 5ms?",
        "backoff: '100' has no unit; did you mean 100s or 100ms?",
    ]


def test_unquoted_enum_value_in_yaml_gets_the_dsl_hint() -> None:
    (found,) = _diagnostics(str(CASES / "load" / "unquoted-enum.yaml"))
    assert found["code"] == "LD005"
    assert found["help"] == 'enum values are quoted: "dim" (a value of mode)'
