"""``.gitignore`` rules for folder walks, matched by ``pathspec`` (git's own semantics).

``archctl verify .`` in a repository must not wander into build output, virtual
environments or vendored trees that git ignores. Every ``.gitignore`` from the project
root down to a path applies, each relative to its own folder, deeper files overriding
shallower ones (git's order). Hand-written glob matching gets negation, anchoring and
``**`` subtly wrong, hence the library.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pathspec


class GitIgnore:
    """Answers "would git ignore this path?" for paths under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._specs: dict[Path, pathspec.GitIgnoreSpec | None] = {}

    def _spec(self, folder: Path) -> pathspec.GitIgnoreSpec | None:
        """The folder's own ``.gitignore`` rules, read once per run."""
        if folder not in self._specs:
            try:
                text = (folder / ".gitignore").read_text(encoding="utf-8", errors="replace")
            except OSError:
                self._specs[folder] = None
            else:
                import pathspec  # imported only once a .gitignore is found, not at start-up

                self._specs[folder] = pathspec.GitIgnoreSpec.from_lines(text.splitlines())
        return self._specs[folder]

    def __call__(self, path: str, is_dir: bool) -> bool:
        absolute = Path(os.path.abspath(path))
        try:
            relative = absolute.relative_to(self.root)
        except ValueError:
            return False
        verdict = False
        folder = self.root
        parts = relative.parts
        for depth in range(len(parts)):
            spec = self._spec(folder)
            if spec is not None:
                rest = "/".join(parts[depth:]) + ("/" if is_dir else "")
                result = spec.check_file(rest)
                if result.include is not None:
                    verdict = result.include
            folder = folder / parts[depth]
        return verdict
