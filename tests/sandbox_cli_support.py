"""Starting the sandbox in the foreground for CLI tests (imported by test modules)."""

from __future__ import annotations

import subprocess
import sys
import time


def start_foreground(*args: str) -> tuple[subprocess.Popen[str], list[str]]:
    """``python -m jimeng_tui.sandbox ARGS`` and its banner's lines (up to "Ctrl-C")."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "jimeng_tui.sandbox", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    deadline = time.monotonic() + 20
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "Ctrl-C" in line:
            break
    return proc, lines
