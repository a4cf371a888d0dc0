"""Entry point of the load layer: paths in, specs and load diagnostics out.

Front ends are chosen by file extension from the registry in ``load/frontends.py``; each
imports its parser only when a file of its format is read, to keep start-up fast.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence

from archctl.codes import default_severity
from archctl.crash import at
from archctl.diagnostics import Diagnostic
from archctl.load.errors import located
from archctl.load.frontends import by_extension, extensions
from archctl.load.yaml.source import decode
from archctl.model.spec import LoadResult
from archctl.source import Span


def spec_extensions() -> tuple[str, ...]:
    return extensions()


def _path_error(path: str, message: str, help_text: str | None = None) -> Diagnostic:
    return located("LD010", message, Span.point(path, 1, 1), help_text)


def discover(
    paths: Sequence[str], exclude: Callable[[str], bool] | None = None
) -> tuple[list[str], list[Diagnostic]]:
    """Expand folders into their spec files (sorted, hidden folders and ``exclude`` skipped)."""
    files: list[str] = []
    problems: list[Diagnostic] = []
    extensions = spec_extensions()
    for path in paths:
        if os.path.isdir(path):
            found = []
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in names:
                    if name.endswith(extensions) and not name.startswith("."):
                        candidate = os.path.join(root, name)
                        if exclude is None or not exclude(_display(candidate)):
                            found.append(candidate)
            if not found:
                listing = ", ".join(f"*{ext}" for ext in extensions)
                problems.append(_path_error(path, f"folder has no spec files ({listing})"))
            files.extend(sorted(found))
        elif os.path.exists(path):
            files.append(path)
        else:
            problems.append(_path_error(path, f"no such file or folder: {path}"))
    return [_display(file) for file in files], problems


def _imported(path: str) -> bool:
    return path.lower().endswith(".bpmn")


def _display(path: str) -> str:
    return os.path.normpath(path).replace(os.sep, "/")


def load_file(path: str) -> LoadResult:
    extension = os.path.splitext(path)[1].lower()
    if by_extension(extension) is None:
        return load_text(path, "")
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        result = LoadResult(files=[path])
        result.diagnostics.append(_path_error(path, f"cannot read {path}: {error.strerror}"))
        return result
    text, problems = decode(path, data)
    if text is None:
        return LoadResult(diagnostics=problems, files=[path])
    return load_text(path, text)


def load_text(path: str, text: str) -> LoadResult:
    """Load specs from text that stands for the file ``path`` (an editor's unsaved buffer)."""
    extension = os.path.splitext(path)[1].lower()
    front_end = by_extension(extension)
    if front_end is None:
        result = LoadResult(files=[path])
        listing = ", ".join(spec_extensions())
        result.diagnostics.append(
            _path_error(
                path, f"unsupported file type '{extension or path}'", f"spec files end in {listing}"
            )
        )
        return result
    with at(path):
        return front_end.read(text, source=path)


def looks_like_spec(path: str) -> bool:
    """Whether a YAML file declares a ``kind:`` at the top level of some document.

    Used by ``--specs-only`` (the pre-commit hook), where every staged YAML file is passed in
    and CI configs, Helm values and the like must be skipped, not reported. A file that has a
    ``kind:`` (even a wrong one) is a spec and gets full diagnostics.
    """
    if not path.endswith((".yaml", ".yml")):
        return True
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return any(_TOP_KIND.match(line) for line in handle)
    except OSError:
        return True


_TOP_KIND = re.compile(r"^kind\s*:")


def load_paths(
    paths: Sequence[str],
    exclude: Callable[[str], bool] | None = None,
    specs_only: bool = False,
) -> LoadResult:
    """Load every spec under ``paths`` and check names that must be unique across files."""
    files, problems = discover(paths, exclude)
    if specs_only:
        files = [file for file in files if looks_like_spec(file)]
        problems = [p for p in problems if "no spec files" not in p.message]
    result = LoadResult(diagnostics=list(problems))
    for file in files:
        result.extend(load_file(file))
    result.diagnostics.extend(_duplicate_specs(result))
    if any(spec.kind == "system" for spec in result.specs):
        from archctl.load.link import link_systems

        result.diagnostics.extend(link_systems(result))
    return result


def _duplicate_specs(result: LoadResult) -> list[Diagnostic]:
    """Spec names must be unique per kind: subprocesses and reports refer to them by name.

    Imported BPMN processes are exempt across files: their names are the modelling tool's
    process ids (``Process_1`` in every file), not names the user chose, and a folder of
    diagrams must still be checkable. Within one BPMN file ids are unique anyway.
    """
    first: dict[tuple[str, str], Span] = {}
    out = []
    for spec in result.specs:
        key = (spec.kind, spec.name)
        if key in first and _imported(spec.span.file) and first[key].file != spec.span.file:
            continue
        if key in first:
            where = first[key]
            out.append(
                Diagnostic(
                    "LD006",
                    default_severity("LD006"),
                    f"{spec.kind} '{spec.name}' is defined twice",
                    spec.span,
                    spec=spec.name,
                    subject=spec.name,
                    help=f"first defined at {where.file}:{where.line}",
                )
            )
        else:
            first[key] = spec.span
    return out
