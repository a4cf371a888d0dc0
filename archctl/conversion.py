"""What ``archctl convert`` and ``archctl fmt`` do, minus the printing of diagnostics.

The CLI stays thin: it calls these functions and renders a refusal (a file with load errors)
with the same text reporter as ``verify``. A file that does not load is never converted or
rewritten: a half-read model printed back would silently lose the user's broken parts.

It sits above the kind registry (the writers of each kind are the registry's), beside
``verify``; ``convert/`` below it knows the layouts, not the kinds.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Sequence
from dataclasses import dataclass

from archctl import codes
from archctl.convert.comments import Comments
from archctl.convert.petrinet import problems as net_problems
from archctl.diagnostics import Diagnostic, Severity
from archctl.kinds import specs_to_dsl, specs_to_yaml
from archctl.load.loader import discover, load_file, load_text
from archctl.model.petrinet import PetriNet
from archctl.model.spec import LoadResult

DSL_EXTENSION = ".arch"


@dataclass
class Outcome:
    """Converted or formatted text, or the load result that refused it."""

    text: str | None
    original: str = ""
    refused: LoadResult | None = None


def format_text(path: str, text: str) -> str | None:
    """The canonical layout of DSL text standing for ``path`` (an editor buffer); None when
    it does not load cleanly (a broken buffer is never rewritten)."""
    loaded = load_text(path, text)
    if _broken(loaded):
        return None
    return specs_to_dsl(loaded.specs, Comments(text, yaml=False))


def convert_file(path: str, to: str, spec: str | None = None) -> Outcome:
    """The specs of ``path`` as canonical ``yaml`` or ``dsl`` text (only ``spec`` if named)."""
    loaded = load_file(path)
    if _broken(loaded):
        return Outcome(None, refused=loaded)
    specs = loaded.specs
    if spec is not None:
        specs = [item for item in specs if item.name == spec]
        if not specs:
            listing = ", ".join(sorted(item.name for item in loaded.specs)) or "none"
            loaded.diagnostics.append(_usage(path, f"no spec named '{spec}' in {path}", listing))
            return Outcome(None, refused=loaded)
    # a net that is not free-choice has no workflow translation: refuse it, located
    refusals = [d for item in specs if isinstance(item, PetriNet) for d in net_problems(item)]
    if refusals:
        loaded.diagnostics.extend(refusals)
        return Outcome(None, refused=loaded)
    original = loaded.sources[path].text if path in loaded.sources else ""
    comments = None  # only YAML and DSL comments are ours to carry (not BPMN's XML)
    if path.endswith((".yaml", ".yml", DSL_EXTENSION)):
        comments = Comments(original, yaml=not path.endswith(DSL_EXTENSION))
    text = specs_to_yaml(specs, comments) if to == "yaml" else specs_to_dsl(specs, comments)
    return Outcome(text, original)


def format_file(path: str) -> Outcome:
    """The canonical layout of one DSL file (comments kept)."""
    if not path.endswith(DSL_EXTENSION):
        loaded = LoadResult(files=[path])
        loaded.diagnostics.append(
            _usage(path, f"fmt rewrites DSL files (*{DSL_EXTENSION}); {path} is not one", None)
        )
        return Outcome(None, refused=loaded)
    return convert_file(path, "dsl")


def dsl_files(paths: Sequence[str]) -> tuple[list[str], list[Diagnostic]]:
    """Files given, with folders expanded to the DSL files inside them."""
    out: list[str] = []
    problems: list[Diagnostic] = []
    for path in paths:
        if os.path.isdir(path):
            found, missing = discover([path])
            out.extend(file for file in found if file.endswith(DSL_EXTENSION))
            problems.extend(missing)
        else:
            out.append(path)
    return out, problems


def unified_diff(path: str, before: str, after: str) -> str:
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=path,
        tofile=f"{path} (formatted)",
    )
    return "".join(lines)


def _broken(loaded: LoadResult) -> bool:
    return any(d.severity is Severity.ERROR for d in loaded.diagnostics) or not loaded.specs


def _usage(path: str, message: str, listing: str | None) -> Diagnostic:
    from archctl.codes import default_severity
    from archctl.source import Span

    help_text = None if listing is None else f"specs in the file: {listing}"
    return Diagnostic(
        codes.LD010, default_severity(codes.LD010), message, Span.point(path, 1, 1), help=help_text
    )
