"""Talking to the desktop: open a file or folder with its default program, or, where no
program here can show it to the user (over SSH, no desktop session, no opener installed), copy
its path instead and say why."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

# Tried in order; the players open files only (not folders).
DESKTOP_OPENERS: tuple[tuple[str, ...], ...] = (("xdg-open",), ("gio", "open"))
PLAYERS: tuple[tuple[str, ...], ...] = (
    ("mpv", "--really-quiet"),
    ("ffplay", "-autoexit"),
    ("vlc", "--play-and-exit"),
)


class NoOpener(OSError):
    """Nothing here can open the path for the user; ``reason`` says why, in a few words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Opener:
    folder_command: tuple[str, ...] | None  # opens files and folders
    file_command: tuple[str, ...] | None  # opens files (a player), when no desktop opener
    reason: str = ""  # why there is none

    def command_for(self, path: Path) -> tuple[str, ...]:
        command = self.folder_command if path.is_dir() else self.folder_command or self.file_command
        if command is None:
            raise NoOpener(self.reason or "no program to open it here")
        return command


def find_opener(
    env: Mapping[str, str] = os.environ,
    which: Callable[[str], str | None] = shutil.which,
    platform: str = sys.platform,
) -> Opener:
    """The program that shows a file or folder to the user of this terminal, if any.

    Over SSH a program here would open on the remote machine's screen (or fail), not the user's:
    none, unless X11 forwarding brings a DISPLAY back. Without DISPLAY or WAYLAND_DISPLAY (a
    console, a container) nothing can show a window either."""
    if platform == "win32":  # pragma: no cover - platform specific
        return Opener(("start",), None)
    over_ssh = bool(env.get("SSH_CONNECTION") or env.get("SSH_TTY"))
    has_display = bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))
    if platform == "darwin" and not over_ssh:
        return Opener(("open",), None)
    if over_ssh and not has_display:
        return Opener(None, None, "over SSH")
    if not has_display:
        return Opener(None, None, "no desktop session: DISPLAY and WAYLAND_DISPLAY are unset")
    folder = next((cmd for cmd in DESKTOP_OPENERS if which(cmd[0])), None)
    player = next((cmd for cmd in PLAYERS if which(cmd[0])), None)
    if folder is None and player is None:
        return Opener(None, None, "neither xdg-open nor a player (mpv, ffplay, vlc) is installed")
    reason = "" if folder else "no xdg-open for folders"
    return Opener(folder, player, reason)


@functools.cache
def _this_machine() -> Opener:
    return find_opener()


def system_open(path: Path, opener: Opener | None = None) -> None:
    """Open a file or folder with the desktop's default program (returns at once).
    Raises NoOpener when nothing here can show it to the user."""
    if sys.platform == "win32":  # pragma: no cover - platform specific
        os.startfile(str(path))  # type: ignore[attr-defined]
        return
    command = (opener or _this_machine()).command_for(path)
    subprocess.Popen(
        [*command, str(path)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def open_or_copy(
    path: Path,
    *,
    opener: Callable[[Path], None],
    copy: Callable[[str], None],
    notify: Callable[..., None],
) -> bool:
    """Open ``path``; where nothing here can, copy its path (OSC 52) and say why and where it
    is. Returns True when a program was started."""
    what = "folders" if path.is_dir() else "videos"
    try:
        opener(path)
    except NoOpener as exc:
        copy(str(path))
        instead = "" if path.is_dir() else " (P copies its file:// link instead)"
        notify(
            f"No program to open {what} here ({exc.reason}): copied the path{instead}.\n{path}\n"
            f"{path.as_uri()}",
            title="Copied instead",
            timeout=12,
        )
        return False
    except OSError as exc:
        copy(str(path))
        notify(
            f"Could not open it ({exc.strerror or exc}): copied the path.\n{path}",
            title="Copied instead",
            severity="warning",
            timeout=12,
        )
        return False
    notify(f"Opening {path.name or path}…", timeout=3)
    return True
