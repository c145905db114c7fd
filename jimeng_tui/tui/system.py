"""Talking to the desktop: open a file or folder with its default program."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def system_open(path: Path) -> None:
    """Open a file or folder with the desktop's default program (returns at once)."""
    if sys.platform == "win32":  # pragma: no cover - platform specific
        os.startfile(str(path))  # type: ignore[attr-defined]
        return
    command = ["open", str(path)] if sys.platform == "darwin" else ["xdg-open", str(path)]
    subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
