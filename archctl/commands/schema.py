"""`archctl schema KIND|all`: the JSON Schema of a spec kind, for editors and validators."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from archctl.commands import EXIT_OK, stderr_console, usage_error

if TYPE_CHECKING:
    from rich.console import Console


def run(kind: str, console: Console) -> int:
    """Write the schema to stdout; an unknown kind is a usage error naming the known ones."""
    from archctl.schemas import KINDS, combined_json, schema_json

    if kind == "all":
        sys.stdout.write(combined_json())
        return EXIT_OK
    if kind not in KINDS:
        expected = ", ".join([*KINDS, "all"])
        return usage_error(stderr_console(), f"unknown kind '{kind}'; expected one of {expected}")
    sys.stdout.write(schema_json(kind))
    return EXIT_OK
