"""Text the CLI prints from user data (prompts, paths, messages): safe and aligned.

A prompt is stored and sent exactly as typed, but printed with its control characters escaped
(``\\x1b``, ``\\x07``, ``\\u202e``): a prompt must not move the cursor, clear the screen or set
the terminal's title. Columns are measured in terminal cells, not characters (a Chinese
character takes two cells). Rich's cell measurement is imported only for text that is not
printable ASCII (one cell a character), so ``generate``, ``batch`` and an English ``history``
stay quick to start.
"""

from __future__ import annotations

import re

# C0 controls and DEL/C1 (ESC, BEL, CR, CSI 0x9b…), and the bidirectional overrides and
# isolates that reorder what follows them. Newline and tab stay in multi-line text.
_UNSAFE = "\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_UNSAFE_TEXT = re.compile(f"[{_UNSAFE}]")
_UNSAFE_LINE = re.compile(f"[\x09\x0a{_UNSAFE}]")
# What json.dumps(ensure_ascii=False) leaves raw (it escapes C0 itself).
_UNSAFE_JSON = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, *, one_line: bool = False) -> str:
    """``text`` with every control character escaped (newlines and tabs too if ``one_line``)."""
    pattern = _UNSAFE_LINE if one_line else _UNSAFE_TEXT
    return pattern.sub(_escaped, text)


def json_safe(dumped: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) with the control characters it
    leaves raw written as ``\\uXXXX``: still the same JSON values, harmless on a terminal."""
    return _UNSAFE_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)


def one_line(text: str) -> str:
    """Whitespace runs (newlines included) as one space, the rest escaped: a table cell."""
    return printable(" ".join(text.split()), one_line=True)


ELLIPSIS = "…"  # where excerpt cuts: one cell


def _one_cell_each(text: str) -> bool:
    """Printable ASCII (and the ellipsis): one cell a character, no need for Rich's table."""
    return text.replace(ELLIPSIS, "").isascii() and text.isprintable()


def cells(text: str) -> int:
    """How many terminal cells ``text`` takes."""
    if _one_cell_each(text):
        return len(text)
    from rich.cells import cell_len

    return cell_len(text)


def pad(text: str, width: int) -> str:
    """``text`` padded with spaces to ``width`` cells (never cut)."""
    return text + " " * max(0, width - cells(text))


def excerpt(text: str, width: int) -> str:
    """At most ``width`` cells of ``text``, with an ellipsis when cut."""
    if cells(text) <= width:
        return text
    if _one_cell_each(text):
        return text[: max(1, width - 1)].rstrip(" ") + ELLIPSIS
    from rich.cells import set_cell_size

    return set_cell_size(text, max(1, width - 1)).rstrip(" ") + ELLIPSIS
