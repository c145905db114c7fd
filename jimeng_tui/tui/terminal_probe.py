"""Ask the terminal how it shows images, without losing or garbling what the user types.

textual-image learns the terminal's image protocol by writing queries and reading the replies
from stdin, before Textual starts. Keys typed meanwhile used to be eaten by the probe, and its
unread reply (``ESC [ ? 1 ; 2 c``) then reached the prompt as text. Here the probe is skipped
when keys are already waiting, and whatever arrives during it is read back, the terminal's
replies removed, and handed to the app, which replays it as keys (Textual's own parser turns
the bytes into key events: text, Ctrl+G, arrows…).
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


def probe_terminal(probe: Callable[[], None]) -> str:
    """Run ``probe`` (which queries the terminal) unless keys are waiting; returns the text
    typed before or during it, for the prompt."""
    stdin = sys.__stdin__
    if stdin is None or not stdin.isatty() or os.name != "posix":
        probe()
        return ""
    fd = stdin.fileno()
    try:
        with _keys_readable(fd):
            if _waiting(fd):
                return ""  # the user is typing already: no probe, the keys stay for Textual
            probe()
            return typed_input(_drain(fd))
    except OSError:
        return ""
