"""Ask the terminal how it shows images, without losing or garbling what the user types.

textual-image learns the terminal's image protocol by writing queries and reading the replies
from stdin, before Textual starts. Keys typed meanwhile used to be eaten by the probe, and its
unread reply (``ESC [ ? 1 ; 2 c``) then reached the prompt as text. Here the probe is skipped
when keys are already waiting, and whatever arrives during it (including a key the probe read
while it waited for a reply) is read back, the terminal's replies removed, and handed to the
app, which replays it as keys (Textual's own parser turns the bytes into key events: text,
Ctrl+G, arrows…).
"""

from __future__ import annotations

import contextlib
import os
import re
import select
import sys
from collections.abc import Callable
from typing import Any

# Replies to the probe's queries: device attributes, kitty graphics, cell/window size.
TERMINAL_REPLY = re.compile(rb"\x1b\[\?[0-9;]*c|\x1b_G[^\x1b]*\x1b\\|\x1b\[[0-9;]*t")


def typed_input(raw: bytes) -> str:
    """What the user typed in ``raw``: the terminal's replies to the probe removed."""
    return TERMINAL_REPLY.sub(b"", raw).decode("utf-8", errors="ignore")


def key_events(typed: str) -> list[Any]:
    """``typed`` (terminal input) as Textual key events, parsed the way Textual's driver does."""
    from textual import events
    from textual._xterm_parser import XTermParser  # the driver's own parser

    return [event for event in XTermParser().feed(typed) if isinstance(event, events.Key)]


@contextlib.contextmanager
def _keys_readable(fd: int):
    """Let typed keys be read one by one (not only after Enter), then restore the mode."""
    import termios
    import tty

    saved = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd, termios.TCSANOW)
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSANOW, saved)


def _waiting(fd: int) -> bool:
    return bool(select.select([fd], [], [], 0)[0])


def _drain(fd: int) -> bytes:
    data = b""
    while _waiting(fd):
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        data += chunk
    return data


@contextlib.contextmanager
def _recording_image_probe_reads(seen: bytearray):
    """textual-image reads the replies one byte at a time with its ``_terminal.read``, and a
    byte that is no reply (a key typed meanwhile) ends its wait and is gone. For the probe's
    duration, read through here instead (the same three steps, plus a record), so such keys
    can be kept. Best effort: if textual-image's internals differ, nothing changes."""
    try:
        from textual_image import _terminal
    except Exception:
        yield
        return
    original = getattr(_terminal, "read", None)
    if not callable(original):
        yield
        return

    def read(fd: int, length: int, timeout: float | None = None) -> str:
        if not select.select([fd], [], [], timeout)[0]:
            raise TimeoutError("Timeout waiting for data")
        data = os.read(fd, length)
        if not data:  # end of input: textual-image would wait for more forever
            raise TimeoutError("The terminal closed its input")
        seen.extend(data)
        return data.decode("utf-8", errors="replace")

    _terminal.read = read
    try:
        yield
    finally:
        _terminal.read = original


def probe_terminal(probe: Callable[[], None]) -> str:
    """Run ``probe`` (which queries the terminal) unless keys are waiting; returns the text
    typed before or during it, for the prompt."""
    stdin = sys.__stdin__
    if stdin is None or not stdin.isatty() or os.name != "posix":
        probe()
        return ""
    fd = stdin.fileno()
    seen = bytearray()  # what the probe itself read: replies, and maybe a key
    try:
        with _keys_readable(fd):
            if _waiting(fd):
                return ""  # the user is typing already: no probe, the keys stay for Textual
            with _recording_image_probe_reads(seen):
                probe()
            return typed_input(bytes(seen) + _drain(fd))
    except OSError:
        return typed_input(bytes(seen))
