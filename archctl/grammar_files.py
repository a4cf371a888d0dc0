"""Where the lark grammars live: in the wheel as archctl.grammars, or grammars/ in a checkout."""

from __future__ import annotations

from pathlib import Path


def grammar_path(name: str) -> Path:
    """Path of a grammar file such as ``expr.lark``."""
    here = Path(__file__).resolve().parent
    for folder in (here / "grammars", here.parent / "grammars"):
        candidate = folder / name
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"grammar {name} not found next to the archctl package")


def grammar_dir() -> Path:
    return grammar_path("expr.lark").parent
