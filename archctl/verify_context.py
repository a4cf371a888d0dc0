"""Specs a checked spec refers to but that were not among the files given.

pre-commit passes only the staged files, so a workflow whose subprocess lives in an
unstaged sibling would get a false WF111 ("not in the file set"). References are resolved
against the project instead: the files under the configured ``paths``, or else the folder
of the referring file. Such specs are context: checkers see them, but they are not checked
or reported themselves (their own findings belong to the commit that changes them).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence

from archctl.load.loader import discover, load_file
from archctl.model.spec import Spec


def references(spec: Spec) -> set[str]:
    """Names of other specs that ``spec`` needs (a workflow's subprocesses)."""
    nodes = getattr(spec, "nodes", ())
    return {
        node.process
        for node in nodes
        if getattr(node, "task", None) == "subprocess" and getattr(node, "process", None)
    }


def context_specs(
    specs: Sequence[Spec],
    loaded_files: Iterable[str],
    roots: Sequence[str],
    exclude: Callable[[str], bool] | None = None,
) -> list[Spec]:
    """Load, from ``roots`` (or each referring file's folder), the specs named but missing.

    Only files whose text mentions a missing name are parsed, and the search follows the
    references of what it loads (a subprocess with its own subprocess), so the cost stays
    proportional to what is referenced, not to the size of the project.
    """
    have = {spec.name for spec in specs}
    missing = set().union(*(references(spec) for spec in specs)) - have
    if not missing:
        return []
    folders = list(roots) or sorted(
        {os.path.dirname(spec.span.file) or "." for spec in specs if references(spec) - have}
    )
    seen = {os.path.normpath(file) for file in loaded_files}
    candidates = [
        file
        for file in discover([f for f in folders if os.path.isdir(f)], exclude)[0]
        if os.path.normpath(file) not in seen
    ]
    found: list[Spec] = []
    while missing and candidates:
        wanted = [file for file in candidates if _mentions(file, missing)]
        if not wanted:
            break
        candidates = [file for file in candidates if file not in wanted]
        for file in wanted:
            result = load_file(file)
            if any(d.severity.value == "error" for d in result.diagnostics):
                continue
            found.extend(result.specs)
        have |= {spec.name for spec in found}
        missing = set().union(*(references(spec) for spec in found), missing) - have
    return found


def _mentions(path: str, names: set[str]) -> bool:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return False
    return any(name in text for name in names)
