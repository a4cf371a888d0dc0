"""Entry point of the load layer: paths in, specs and load diagnostics out.

Front ends are chosen by file extension from the registry in ``load/frontends.py``; each
imports its parser only when a file of its format is read, to keep start-up fast.
"""

from __future__ import annotations

import difflib
import enum
import os
import re
from collections.abc import Callable, Sequence

from archctl import codes
from archctl.codes import default_severity
from archctl.crash import at
from archctl.diagnostics import Diagnostic
from archctl.load.errors import located
from archctl.load.frontends import by_extension, extensions
from archctl.load.yaml.source import decode
from archctl.model.spec import TEXT_KINDS, LoadResult
from archctl.source import Span


def spec_extensions() -> tuple[str, ...]:
    return extensions()


def _path_error(path: str, message: str, help_text: str | None = None) -> Diagnostic:
    return located(codes.LD010, message, Span.point(path, 1, 1), help_text)


def discover(
    paths: Sequence[str],
    exclude: Callable[[str], bool] | None = None,
    force_exclude: bool = False,
    ignored: Callable[[str, bool], bool] | None = None,
) -> tuple[list[str], list[Diagnostic]]:
    """Expand folders into their spec files (sorted; hidden folders and ``exclude`` skipped).

    ``force_exclude`` applies ``exclude`` to files named explicitly too (pre-commit names
    every staged file, so the config's ``exclude`` must hold there as well, as in ruff).
    ``ignored(path, is_dir)`` prunes the walk (``.gitignore`` rules); named files are
    never dropped by it. YAML files found in folders must say they are specs (a kind of
    ours or a marker); others (Kubernetes, Compose, CI files) are passed over silently.
    """
    files: list[str] = []
    problems: list[Diagnostic] = []
    extensions = spec_extensions()
    for path in paths:
        if os.path.isdir(path):
            found = []
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(
                    d
                    for d in dirs
                    if not d.startswith(".")
                    and (ignored is None or not ignored(os.path.join(root, d), True))
                )
                for name in names:
                    if not name.endswith(extensions) or name.startswith("."):
                        continue
                    candidate = os.path.join(root, name)
                    if ignored is not None and ignored(candidate, False):
                        continue
                    if exclude is not None and exclude(_display(candidate)):
                        continue
                    if spec_kind(candidate) is SpecFile.SPEC:
                        found.append(candidate)
            if not found:
                listing = ", ".join(f"*{ext}" for ext in extensions)
                problems.append(_path_error(path, f"folder has no spec files ({listing})"))
            files.extend(sorted(found))
        elif os.path.exists(path):
            if not (force_exclude and exclude is not None and exclude(_display(path))):
                files.append(path)
        else:
            problems.append(_path_error(path, f"no such file or folder: {path}"))
    return [_display(file) for file in files], problems


def _imported(path: str) -> bool:
    return path.lower().endswith((".bpmn", ".scxml", ".pnml"))


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
    return load_bytes(path, data)


def load_bytes(path: str, data: bytes) -> LoadResult:
    """Load a spec's bytes as if read from ``path`` (whose extension picks the front end).

    ``archctl verify -`` reads standard input this way, with ``--stdin-filename`` as the
    path, so editors and pipes get the same located findings as files do.
    """
    text, problems = decode(path, data)
    if text is None:
        return LoadResult(diagnostics=problems, files=[path])
    front_end = by_extension(os.path.splitext(path)[1].lower())
    if front_end is None:  # "<stdin>" and other names without a type: YAML
        front_end = by_extension(".yaml")
        assert front_end is not None
        with at(path):
            return front_end.read(text, source=path)
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


class SpecFile(enum.Enum):
    """What a file's own text says it is, before it is parsed."""

    SPEC = "spec"  # a kind of ours (or close to one: a typo still gets its LD004), a marker
    UNMARKED = "unmarked"  # YAML with no top-level kind and no marker
    FOREIGN = "foreign"  # YAML whose top-level kind belongs to someone else (Deployment)


_TOP_KIND = re.compile(r"""^(?:\{\s*)?kind\s*:\s*["']?([^"'\s,}#]*)""")
_MARKER = re.compile(r"^#\s*archctl\b|^\$schema\s*:.*archctl", re.IGNORECASE)


def spec_kind(path: str) -> SpecFile:
    """Classify a file by a cheap line scan (no YAML parse): ``.arch``, ``.bpmn``, ``.pnml``
    files are specs.

    A YAML file is a spec when some document's top-level ``kind`` is one of archctl's
    kinds (or close enough to be a typo of one), or when a ``# archctl`` comment or a
    ``$schema`` naming archctl marks it. Unreadable files count as specs so that the
    loader reports why they cannot be read.
    """
    if not path.lower().endswith((".yaml", ".yml")):
        return SpecFile.SPEC
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return SpecFile.SPEC
    kinds = []
    for line in lines:
        if _MARKER.match(line):
            return SpecFile.SPEC
        match = _TOP_KIND.match(line)
        if match:
            kinds.append(match.group(1))
    for kind in kinds:
        if kind in TEXT_KINDS or difflib.get_close_matches(
            kind.lower(), TEXT_KINDS, n=1, cutoff=0.75
        ):
            return SpecFile.SPEC
    return SpecFile.FOREIGN if kinds else SpecFile.UNMARKED


def _not_a_spec(path: str) -> Diagnostic:
    return _path_error(
        path,
        f"{path} is not an archctl spec: its top-level `kind` is none of {', '.join(TEXT_KINDS)}",
        "pass only spec files, or add `# archctl` at the top of a spec; "
        "`--specs-only` (the pre-commit hook) skips such files silently",
    )


def load_paths(
    paths: Sequence[str],
    exclude: Callable[[str], bool] | None = None,
    specs_only: bool = False,
    *,
    duplicates: bool = True,
    ignored: Callable[[str, bool], bool] | None = None,
) -> LoadResult:
    """Load every spec under ``paths`` and check names that must be unique across files.

    ``specs_only`` is hook mode: named files that are not specs (no kind of ours) are
    skipped silently and ``exclude`` applies to named files too. Outside hook mode a named
    YAML file with someone else's ``kind`` is reported as not a spec. ``duplicates=False``
    leaves the cross-file LD006 check to the caller (:func:`duplicate_specs`).
    """
    files, problems = discover(paths, exclude, force_exclude=specs_only, ignored=ignored)
    if specs_only:
        files = [file for file in files if spec_kind(file) is SpecFile.SPEC]
        problems = [p for p in problems if "no spec files" not in p.message]
    result = LoadResult(diagnostics=list(problems))
    for file in files:
        if spec_kind(file) is SpecFile.FOREIGN:
            result.files.append(file)
            result.diagnostics.append(_not_a_spec(file))
            continue
        result.extend(load_file(file))
    if duplicates:
        result.diagnostics.extend(duplicate_specs(result))
    if any(spec.kind == "system" for spec in result.specs):
        from archctl.load.link import link_systems

        result.diagnostics.extend(link_systems(result))
    return result


def duplicate_specs(result: LoadResult) -> list[Diagnostic]:
    """Spec names must be unique per kind: subprocesses and reports refer to them by name.

    Imported BPMN processes and SCXML charts are exempt across files: their names are the
    modelling tool's process ids (``Process_1`` in every file) or file names, not names the
    user chose, and a folder of diagrams must still be checkable. Within one BPMN file ids
    are unique anyway.
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
                    codes.LD006,
                    default_severity(codes.LD006),
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
