"""Moving a damaged file out of the way without ever losing it.

A broken ``config.toml`` becomes ``config.toml.broken-TIME``; a damaged history that
``jimeng-tui doctor --rebuild`` replaces becomes ``history.sqlite3.damaged-TIME``. The name is
never one that exists (``-2``, ``-3``… are tried), nothing is replaced, and the moved copy is
private (0600): it may hold the secret key or the prompts, whatever mode it had before.
"""

from __future__ import annotations

import os
import time
from pathlib import Path


def timestamp() -> str:
    return time.strftime("%Y%m%d-%H%M%S")


def free_name(path: Path, label: str, stamp: str) -> Path:
    """``path.LABEL-STAMP`` (or ``…-2``, ``…-3``) that no file has."""
    base = f"{path.name}.{label}-{stamp}"
    counter = 1
    while True:
        dest = path.with_name(base if counter == 1 else f"{base}-{counter}")
        counter += 1
        if not (dest.exists() or dest.is_symlink()):
            return dest


def move_aside(path: Path, label: str = "broken", stamp: str | None = None) -> Path:
    """Rename ``path`` to ``path.LABEL-STAMP`` and return where it went; never replaces a file."""
    stamp = stamp or timestamp()
    while True:
        dest = free_name(path, label, stamp)
        try:
            os.link(path, dest, follow_symlinks=False)
        except FileExistsError:
            continue
        except OSError:
            # no hard links here (a directory, some file systems): check-then-rename
            if dest.exists():
                continue
            os.rename(path, dest)
            break
        path.unlink()
        break
    make_private(dest)
    return dest


def make_private(path: Path) -> None:
    """0600 for a regular file (not through a symlink); folders and the rest are left alone."""
    if os.name != "posix" or path.is_symlink() or not path.is_file():
        return
    os.chmod(path, 0o600)
