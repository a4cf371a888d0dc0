"""The text report without rich, where rich would write exactly the text: large reports.

rich spends about a third of a millisecond per finding (splitting lines into segments,
stripping control codes, resolving styles) even when the console has no colours, which
made a 30,000-finding report cost more than the analysis. When the console writes no
colours (a pipe, a file, ``--output``, ``--color never``) and the text holds nothing rich
would change (no tab, no control code it strips, no ``:name:`` that is an emoji code), the
bytes rich would write are the text itself, so it is written directly.
"""

from __future__ import annotations

from rich.console import Console

#: the control codes rich strips from printed text (rich.control._CONTROL_STRIP_TRANSLATE)
_STRIPPED = ("\x07", "\x08", "\x0b", "\x0c", "\r")


def plain_console(console: Console) -> bool:
    """Whether ``console`` writes text as is: no colour, no recording, no capture."""
    return (
        console.color_system is None
        and not console.record
        and not getattr(console, "_buffer_index", 0)  # inside ``with console:``
        and not getattr(console, "_record_buffer", None)
        and not console.is_dumb_terminal
    )


def _emoji_free(text: str) -> bool:
    """No ``:name:`` (between two consecutive colons) is an emoji code rich would replace."""
    if text.count(":") < 2:
        return True
    from rich._emoji_codes import EMOJI

    for name in text.split(":")[1:-1]:
        if not name or any(space in name for space in " \t\n\r\f\v"):
            continue
        lowered = name.lower()
        if lowered in EMOJI or lowered.rpartition("-")[0] in EMOJI:
            return False
    return True


def write_plain(console: Console, text: str, emoji: bool) -> bool:
    """Write ``text`` and a newline as ``console.print(text, soft_wrap=True)`` would; or
    write nothing and return False when rich might change a byte."""
    if not plain_console(console) or "\t" in text or any(c in text for c in _STRIPPED):
        return False
    if emoji and not _emoji_free(text):
        return False
    console.file.write(text)  # not text + "\n": a large report is not copied once more
    console.file.write("\n")
    return True
