"""Project configuration: ``[tool.archctl]`` in pyproject.toml, or archctl.toml.

Found by walking up from the working directory, so ``archctl verify`` behaves the same from
any subfolder of a repository. Unknown keys and wrong types are errors (exit 2), never
ignored: a misspelt ``ignroe`` must not silently re-enable findings in CI.
"""

from __future__ import annotations

import difflib
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archctl.codes import CODES
from archctl.diagnostics import Severity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

KEYS = (
    "paths",
    "exclude",
    "select",
    "extend-select",
    "ignore",
    "per-file-ignores",
    "severity",
    "fail-on",
    "timeout-ms",
    "max-states",
)


class ConfigError(Exception):
    """A configuration problem; the message says where and what would be right."""


@dataclass(frozen=True)
class Config:
    source: str | None = None
    paths: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    select: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    #: (glob pattern relative to ``root``, codes or prefixes ignored in matching files)
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    severity: dict[str, Severity] = field(default_factory=dict)
    fail_on: str | None = None
    timeout_ms: int | None = None
    max_states: int | None = None
    #: The project root: the config file's folder, else the nearest ``.git`` folder's
    #: parent, else the working directory. Baselines and excludes are relative to it.
    root: Path = field(default_factory=lambda: project_root(Path.cwd()))


def project_root(start: Path) -> Path:
    """The nearest folder holding ``.git`` (a repository), else ``start`` itself."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start


def find_config(start: Path) -> Path | None:
    """The nearest archctl.toml, or pyproject.toml with a [tool.archctl] table."""
    for folder in (start, *start.parents):
        candidate = folder / "archctl.toml"
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            try:
                data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError):
                continue
            if "archctl" in data.get("tool", {}):
                return pyproject
    return None


def load_config(explicit: str | None = None, start: Path | None = None) -> Config:
    """Load the explicit file, else the one found from ``start``; defaults when none."""
    path = Path(explicit) if explicit else find_config(start or Path.cwd())
    if path is None:
        return Config()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("archctl")
        if table is None:
            raise ConfigError(f"{path}: has no [tool.archctl] table")
        where = f"{path} [tool.archctl]"
    else:
        table = data.get("tool", {}).get("archctl", data)
        where = str(path)
    return parse_config(table, where, path.parent.resolve())


def parse_config(table: dict[str, Any], where: str, root: Path) -> Config:
    for key in table:
        if key not in KEYS:
            close = difflib.get_close_matches(key, KEYS, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f"; allowed: {', '.join(KEYS)}"
            raise ConfigError(f"{where}: unknown key '{key}'{hint}")
    severity: dict[str, Severity] = {}
    overrides = table.get("severity", {})
    if not isinstance(overrides, dict):
        raise ConfigError(f"{where}: 'severity' must be a table of CODE = \"error|warning|info\"")
    for code, level in overrides.items():
        check_code(code, f"{where}: 'severity'")
        if level not in ("error", "warning", "info"):
            raise ConfigError(f"{where}: severity of {code} must be error, warning or info")
        severity[code.upper()] = Severity(level)
    per_file = table.get("per-file-ignores", {})
    if not isinstance(per_file, dict) or not all(
        isinstance(codes, list) and all(isinstance(c, str) for c in codes)
        for codes in per_file.values()
    ):
        raise ConfigError(
            f'{where}: \'per-file-ignores\' must be a table of "GLOB" = ["CODE", ...]'
        )
    per_file_ignores = tuple(
        (pattern, tuple(check_code(c, f"{where}: 'per-file-ignores'") for c in codes))
        for pattern, codes in sorted(per_file.items())
    )
    fail_on = table.get("fail-on")
    if fail_on is not None and fail_on not in ("error", "warning", "info"):
        raise ConfigError(f"{where}: 'fail-on' must be error, warning or info")
    return Config(
        source=where,
        paths=_strings(table, "paths", where),
        exclude=_strings(table, "exclude", where),
        select=_codes(table, "select", where),
        extend_select=_codes(table, "extend-select", where),
        ignore=_codes(table, "ignore", where),
        per_file_ignores=per_file_ignores,
        severity=severity,
        fail_on=fail_on,
        timeout_ms=_positive(table, "timeout-ms", where),
        max_states=_positive(table, "max-states", where),
        root=root,
    )


def _strings(table: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where}: '{key}' must be a list of strings")
    return tuple(value)


def _positive(table: dict[str, Any], key: str, where: str) -> int | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ConfigError(f"{where}: '{key}' must be a positive whole number")
    return value


def _codes(table: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    return tuple(check_code(code, f"{where}: '{key}'") for code in _strings(table, key, where))


def check_code(code: str, where: str) -> str:
    """A known code, or a code prefix such as ``WF`` or ``WF1`` selecting a family.

    Anything else is an error with the closest known code or family: a typo in ``select``
    would otherwise select nothing and turn CI green.
    """
    upper = code.strip().upper()
    if upper and (upper in CODES or any(known.startswith(upper) for known in CODES)):
        return upper
    families = sorted({known[:2] for known in CODES})
    close = difflib.get_close_matches(upper, [*CODES, *families], n=1, cutoff=0.5)
    hint = f"; did you mean '{close[0]}'?" if close else f"; families: {', '.join(families)}"
    raise ConfigError(f"{where}: '{code}' is not a known code or code prefix{hint}")
