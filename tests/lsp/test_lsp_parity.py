"""The editor shows what CI shows: the server's analysis of a file equals `archctl verify FILE`.

Every example and every test case is analysed as an open buffer (deep, as after a save)
and compared with `verify` on the same file: same codes, severities, messages and ranges.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from archctl.check import CheckOptions
from archctl.config import load_config
from archctl.lsp.analysis import analyse
from archctl.verify import verify_paths
from tests.conftest import CASES, EXAMPLES

FILES = sorted(
    [*Path(EXAMPLES).glob("*.yaml"), *Path(CASES).glob("*/*.yaml"), *Path(CASES).glob("*/*.arch")]
)


def _key(d):  # type: ignore[no-untyped-def]
    span = d.span
    where = (span.line, span.column, span.end_line, span.end_column) if span else None
    return (d.code, d.severity.value, d.message, where)


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_server_analysis_equals_verify(path: Path) -> None:
    config = load_config(None, start=path.parent)
    options = CheckOptions(
        timeout_ms=config.timeout_ms or CheckOptions.timeout_ms,
        max_states=config.max_states or CheckOptions.max_states,
    )
    expected = verify_paths([str(path)], options, config).diagnostics
    ours = analyse(str(path), path.read_text(encoding="utf-8"), deep=True).diagnostics
    mine = [d for d in ours if d.span is None or d.span.file == str(path)]
    assert sorted(map(_key, mine)) == sorted(map(_key, expected))
