"""Telling the user that a job ended when they look elsewhere: a terminal notification by escape
sequence (OSC 9, OSC 777, OSC 99), a desktop notification through ``notify-send``, the bell,
or nothing (``[notify] method`` in the config).

No Textual and no engine here: the studio passes its own terminal writer, ``generate`` and
``batch`` write to their terminal (``/dev/tty``, so a redirected stdout never receives escapes).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ESC = "\x1b"
BEL = "\x07"
ST = ESC + "\\"
APP_NAME = "jimeng-tui"

# Terminals by what they set in the environment (also inside tmux, which keeps the outer
# terminal's variables when it was started from it).
_OSC9_PROGRAMS = ("iterm.app", "wezterm", "ghostty")
_OSC9_VARIABLES = (
    "ITERM_SESSION_ID",
    "WEZTERM_PANE",
    "WEZTERM_EXECUTABLE",
    "GHOSTTY_RESOURCES_DIR",
)
_OSC777_TERMS = ("foot", "rxvt", "urxvt", "contour")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


@dataclass(frozen=True)
class Notice:
    """What to say: a short title and one line of body."""

    title: str
    body: str


def clean(text: str, limit: int = 200) -> str:
    """``text`` without control characters (a prompt must never end the escape sequence or start
    another one), on one line, at most ``limit`` characters."""
    flat = _CONTROL.sub(" ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def job_notice(job: Any) -> Notice:
    """The job and its outcome, e.g. ``Job 12 saved`` / ``A cat on a sofa — 2026…mp4``."""
    state = str(getattr(job.state, "value", job.state))
    outcome = {
        "saved": "saved",
        "failed": "failed",
        "submit_unknown": "needs you (the submit got no answer)",
        "expired": "expired",
        "cancelled": "was cancelled",
        "save_failed": "could not be saved (run `jimeng-tui resume`)",
    }.get(state, state)
    excerpt = clean(job.prompt or job.mode or "", 60)
    if state == "saved" and job.path:
        detail = Path(job.path).name
    elif state == "failed":
        detail = " ".join(str(x) for x in (job.error_code, job.error_message) if x)
    else:
        detail = ""
    body = f"{excerpt} — {detail}" if detail else excerpt
    return Notice(clean(f"Job {job.id} {outcome}", 80), clean(body))


def batch_notice(saved: int, total: int, seconds: float) -> Notice:
    others = total - saved
    tail = f", {others} not" if others else ""
    return Notice(
        f"Batch finished: {saved} of {total} saved{tail}",
        f"{total} line{'s' if total != 1 else ''} in {format_seconds(seconds)}",
    )


def format_seconds(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"


def has_local_display(env: Mapping[str, str]) -> bool:
    over_ssh = bool(env.get("SSH_CONNECTION") or env.get("SSH_TTY"))
    return bool(env.get("WAYLAND_DISPLAY") or (env.get("DISPLAY") and not over_ssh))


def resolve_method(
    method: str,
    env: Mapping[str, str] = os.environ,
    which: Callable[[str], str | None] = shutil.which,
) -> str:
    """The concrete method for ``method`` ("auto" picks one from the terminal's variables)."""
    if method != "auto":
        return method
    program = env.get("TERM_PROGRAM", "").lower()
    term = env.get("TERM", "").lower()
    if program == "textual":  # `jimeng-tui serve`: the page, not a desktop of the server
        return "bell"
    if env.get("KITTY_WINDOW_ID") or "kitty" in term:
        return "osc99"
    if program in _OSC9_PROGRAMS or env.get("LC_TERMINAL", "").lower() == "iterm2":
        return "osc9"
    if any(env.get(name) for name in _OSC9_VARIABLES):
        return "osc9"
    if term.startswith(_OSC777_TERMS):
        return "osc777"
    if has_local_display(env) and which("notify-send"):
        return "desktop"
    return "bell"


def escape_for(method: str, notice: Notice) -> str:
    """The escape sequence that raises ``notice`` (the bell for "bell"; "" otherwise)."""
    title, body = clean(notice.title), clean(notice.body)
    if method == "osc9":  # iTerm2, WezTerm, Ghostty: one line of text
        return f"{ESC}]9;{title}: {body}{BEL}"
    if method == "osc777":  # foot, urxvt (and others): title and body, ';' ends the title
        return f"{ESC}]777;notify;{title.replace(';', ',')};{body}{BEL}"
    if method == "osc99":  # kitty: the title, then the body, one id for both (d=0: more follows)
        return f"{ESC}]99;i=1:d=0;{title}{ST}{ESC}]99;i=1:d=1:p=body;{body}{ST}"
    if method == "bell":
        return BEL
    return ""


def tmux_passthrough(sequence: str) -> str:
    """``sequence`` wrapped so that tmux hands it to the outer terminal (``set -g
    allow-passthrough on`` in tmux ≥ 3.3): every ESC doubled inside a DCS."""
    return f"{ESC}Ptmux;{sequence.replace(ESC, ESC + ESC)}{ST}"


def terminal_bytes(method: str, notice: Notice, env: Mapping[str, str] = os.environ) -> bytes:
    """What to write to the terminal for ``method`` (already resolved), inside tmux or not."""
    sequence = escape_for(method, notice)
    if sequence and method != "bell" and env.get("TMUX"):
        sequence = tmux_passthrough(sequence)
    return sequence.encode("utf-8")


def desktop_notify(notice: Notice, run: Callable[..., Any] = subprocess.Popen) -> bool:
    """A notification on this machine's desktop through ``notify-send`` (returns at once)."""
    command = shutil.which("notify-send")
    if command is None:
        return False
    try:
        run(
            [command, f"--app-name={APP_NAME}", clean(notice.title), clean(notice.body)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError:
        return False
    return True


def send(
    method: str,
    notice: Notice,
    write: Callable[[bytes], Any],
    env: Mapping[str, str] = os.environ,
) -> str:
    """Raise ``notice`` by ``method`` (a config value, "auto" allowed); ``write`` puts bytes on
    the user's terminal. Returns the method used ("none" when nothing was done)."""
    chosen = resolve_method(method, env)
    if chosen == "none":
        return chosen
    if chosen == "desktop":
        if desktop_notify(notice):
            return chosen
        chosen = "bell"  # no notify-send after all: at least the bell
    data = terminal_bytes(chosen, notice, env)
    if data:
        write(data)
    return chosen


def write_to_tty(data: bytes) -> None:
    """Write to the controlling terminal (not stdout: it may be a pipe or a file)."""
    try:
        fd = os.open("/dev/tty", os.O_WRONLY | os.O_NOCTTY)
    except OSError:
        return  # no terminal: nobody to tell
    try:
        os.write(fd, data)
    except OSError:
        pass
    finally:
        os.close(fd)
