"""archctl: model architecture specs and prove properties about them.

The library API (docs/api.md)::

    import archctl
    report = archctl.verify_text(text)        # or verify_paths(["specs/"])
    report.diagnostics, report.proved, report.to_json()
    specs = archctl.load_text(text)           # the model objects

The names are imported on first use (PEP 562), so ``import archctl`` costs nothing more
than this file: the CLI's start-up and ``python -c "import archctl"`` stay fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["LoadError", "Report", "__version__", "load_text", "verify_paths", "verify_text"]

_API = {
    "LoadError": "archctl.api",
    "load_text": "archctl.api",
    "verify_paths": "archctl.api",
    "verify_text": "archctl.api",
    "Report": "archctl.api_report",
}

if TYPE_CHECKING:
    from archctl.api import LoadError, load_text, verify_paths, verify_text
    from archctl.api_report import Report


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'archctl' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(__all__)
