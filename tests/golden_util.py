"""Golden-file comparison: set ARCHCTL_UPDATE_GOLDEN=1 to rewrite the expected outputs."""

from __future__ import annotations

import os
from pathlib import Path


def assert_golden(path: Path, actual: str) -> None:
    if os.environ.get("ARCHCTL_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}; run with ARCHCTL_UPDATE_GOLDEN=1"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"output differs from {path} (ARCHCTL_UPDATE_GOLDEN=1 rewrites)"
