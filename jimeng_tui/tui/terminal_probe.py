"""Ask the terminal how it shows images, without losing or garbling what the user types.

The terminal's image protocol is learnt by writing queries and reading the replies from stdin,
before Textual starts (it reads stdin from then on). Keys typed meanwhile used to be eaten by
the probe, and its unread reply (``ESC [ ? 1 ; 2 c``) then reached the prompt as text. Here the
probe is skipped when keys are already waiting, and whatever arrives during it is read back,
the terminal's replies removed, and handed to the app, which replays it as keys (Textual's own
parser turns the bytes into key events: text, Ctrl+G, arrows…).

The probe is one round trip (a few milliseconds); textual-image, and Pillow with it, load only
when the first poster is drawn (``image_widget_class``), not before the first frame.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import select
import sys
import time
from dataclasses import dataclass
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


@dataclass(frozen=True)
class TerminalGraphics:
    """What the terminal said it can draw."""

    sixel: bool = False
    kitty: bool = False  # the kitty graphics protocol (TGP)
    cell: tuple[int, int] | None = None  # one cell's (width, height) in pixels


# The kitty graphics query, a cell-size query, then device attributes (DA1), which every
# terminal answers, and answers last: once its reply is in, every other reply that will come
# is in, so one round trip settles it (textual-image asks one at a time and waits 0.1 s for the
# kitty reply most terminals never send).
KITTY_QUERY = "\x1b_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\x1b\\"
CELL_QUERY = "\x1b[16t"
DA1_QUERY = "\x1b[c"
_DA1_REPLY = re.compile(rb"\x1b\[\?([0-9;]*)c")
_CELL_REPLY = re.compile(rb"\x1b\[6;([0-9]+);([0-9]+)t")
REPLY_TIMEOUT = 0.15


def _cell_from_ioctl(fd: int) -> tuple[int, int] | None:
    import fcntl
    import struct
    import termios

    try:
        rows, cols, width, height = struct.unpack(
            "HHHH", fcntl.ioctl(fd, termios.TIOCGWINSZ, b"\0" * 8)
        )
    except OSError:
        return None
    if not (rows and cols and width and height):
        return None
    return width // cols, height // rows


def graphics_from_replies(raw: bytes, cell: tuple[int, int] | None) -> TerminalGraphics:
    da1 = _DA1_REPLY.search(raw)
    found = _CELL_REPLY.search(raw)
    if cell is None and found:
        cell = int(found.group(2)), int(found.group(1))
    return TerminalGraphics(
        sixel=bool(da1) and b"4" in da1.group(1).split(b";"),  # type: ignore[union-attr]
        kitty=b"\x1b_Gi=31;OK\x1b\\" in raw,
        cell=cell,
    )


def _ask(fd: int) -> tuple[TerminalGraphics, bytes]:
    out = sys.__stdout__
    assert out is not None
    cell = _cell_from_ioctl(out.fileno())
    out.write(KITTY_QUERY + ("" if cell else CELL_QUERY) + DA1_QUERY)
    out.flush()
    raw = bytearray()
    deadline = time.monotonic() + REPLY_TIMEOUT
    while not _DA1_REPLY.search(raw):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            break
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        raw += chunk
    raw += _drain(fd)  # keys typed right after the reply
    return graphics_from_replies(bytes(raw), cell), bytes(raw)


def probe_terminal() -> tuple[TerminalGraphics | None, str]:
    """Ask the terminal what it can draw (one round trip), unless keys are waiting; returns
    what it said (None when it was not asked) and the text typed before or during it, for the
    prompt. textual-image itself loads with the first poster (``image_widget_class``)."""
    stdin, stdout = sys.__stdin__, sys.__stdout__
    if stdin is None or stdout is None or os.name != "posix":
        return None, ""
    if not stdin.isatty() or not stdout.isatty():
        return None, ""
    fd = stdin.fileno()
    raw = b""
    try:
        with _keys_readable(fd):
            if _waiting(fd):
                return None, ""  # the user is typing already: no probe, the keys stay for Textual
            graphics, raw = _ask(fd)
            return graphics, typed_input(raw)
    except OSError:
        return None, typed_input(raw)


# ------------------------------------------------------------------ textual-image, on first use

_graphics: list[TerminalGraphics | None] = [None]  # what run_app's probe found
_widget: list[Any] = []  # textual-image's widget class once loaded (None: none)


def remember_graphics(graphics: TerminalGraphics | None) -> None:
    _graphics[0] = graphics
    _widget.clear()


def image_widget_class() -> Any:
    """textual-image's widget for what the probe found, imported the first time a poster is
    drawn (with Pillow), or None (half blocks then). textual-image asks the terminal on import,
    which it cannot do once Textual reads the keys: it is given the probe's cell size and
    imported with a stdout that is no terminal, so it asks nothing, and the widget class for
    the probe's answer is taken by name (the order textual-image prefers: Sixel, kitty, half
    cells)."""
    if _widget:
        return _widget[0]
    graphics = _graphics[0]
    _widget.append(None)
    if graphics is None:
        return None
    try:
        from textual_image import _terminal

        env_cell = (os.environ.get("TEXTUAL_CELL_WIDTH"), os.environ.get("TEXTUAL_CELL_HEIGHT"))
        if graphics.cell:
            cell = graphics.cell
        elif all(v and v.isdigit() for v in env_cell):
            cell = (int(env_cell[0] or 0), int(env_cell[1] or 0))
        else:
            cell = (10, 20)  # a VT340's, as textual-image assumes
        setattr(_terminal.get_cell_size, "_result", _terminal.CellSize(*cell))  # noqa: B010
        real = sys.__stdout__
        setattr(sys, "__stdout__", io.StringIO())  # noqa: B010
        try:
            from textual_image import widget
        finally:
            setattr(sys, "__stdout__", real)  # noqa: B010
    except Exception:  # a textual-image that differs inside: half blocks
        return None
    if graphics.sixel:
        _widget[0] = widget.SixelImage
    elif graphics.kitty:
        _widget[0] = widget.TGPImage
    else:
        _widget[0] = widget.HalfcellImage
    return _widget[0]
