"""DOT text -> SVG or PNG bytes through the real Graphviz ``dot`` program.

The ``graphviz`` Python package only drives the ``dot`` executable; when that program is not
installed, or fails, the user gets one clear sentence saying what to do (and that the text
formats work without it) instead of a traceback.
"""

from __future__ import annotations

IMAGE_FORMATS = ("svg", "png")

INSTALL_HINT = (
    "the Graphviz 'dot' program is needed for -f svg and -f png; install it with "
    "'apt-get install graphviz' (Debian/Ubuntu), 'brew install graphviz' (macOS) or from "
    "https://graphviz.org/download/; -f dot and -f mermaid work without it"
)


class ImageError(RuntimeError):
    """Rendering an image failed; the message is meant for the user as is."""


def render_image(dot_text: str, image_format: str) -> bytes:
    """Run ``dot -T<format>`` on the text and return the image bytes."""
    if image_format not in IMAGE_FORMATS:
        raise ImageError(f"unknown image format '{image_format}'; expected svg or png")
    import graphviz

    source = graphviz.Source(dot_text, engine="dot")
    try:
        data: bytes = source.pipe(format=image_format, quiet=True)
    except graphviz.ExecutableNotFound:
        raise ImageError(INSTALL_HINT) from None
    except graphviz.CalledProcessError as error:
        stderr = error.stderr
        detail = stderr.decode("utf-8", "replace").strip() if isinstance(stderr, bytes) else ""
        raise ImageError(
            f"Graphviz 'dot' failed (exit {error.returncode})" + (f": {detail}" if detail else "")
        ) from None
    except OSError as error:
        raise ImageError(f"cannot run Graphviz 'dot': {error}; {INSTALL_HINT}") from None
    return data
