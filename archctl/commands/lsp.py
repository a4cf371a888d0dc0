"""`archctl lsp`: the language server over stdin/stdout (pygls is an optional extra)."""

from __future__ import annotations

from archctl.commands import stderr_console, usage_error


def run() -> int:
    try:
        from archctl.lsp.server import run as serve
    except ImportError as error:
        return usage_error(
            stderr_console(),
            f"the language server needs pygls ({error.name} is missing): "
            'pip install "archctl[lsp]"',
        )
    return serve()
