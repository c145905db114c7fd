"""Checks of the output options (``-o``/``--output``, ``--output-dir``): a usage error (exit 2)
before anything is sent. Imported by the commands that take them; nothing here imports Textual.
"""

from __future__ import annotations

import os
from pathlib import Path

from jimeng_tui.cli.errors import UsageError


def check_output_path(value: str | None) -> Path | None:
    """``--output``: a new .mp4 file in an existing folder, or a usage error before anything
    is sent."""
    if value is None:
        return None
    if not value.strip():
        raise UsageError("--output needs a file name ending in .mp4 (e.g. -o clip.mp4)")
    path = Path(value).expanduser().absolute()
    if path.is_dir():
        raise UsageError(f"--output {value}: is a folder; give the file name to write")
    if path.suffix.lower() != ".mp4":
        # the file is an MP4 whatever its name says; a player goes by the name
        raise UsageError(
            f"--output {value}: the video is an MP4, so the file name must end in .mp4 "
            f"(e.g. {path.name.split('.')[0] or 'video'}.mp4); to choose only the folder, set "
            "output_dir in the config (batch: --output-dir)"
        )
    if path.exists() or path.is_symlink():
        raise UsageError(f"--output {value}: the file exists and is never overwritten")
    if not path.parent.is_dir():
        raise UsageError(f"--output {value}: the folder {path.parent} does not exist")
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise UsageError(f"--output {value}: the folder {path.parent} is not writable")
    return path


def check_output_dir(value: str | None) -> Path | None:
    """``--output-dir``: a writable folder (created if only its last part is missing)."""
    if value is None:
        return None
    path = Path(value).expanduser().absolute()
    if path.exists() and not path.is_dir():
        raise UsageError(f"--output-dir {value}: is a file, not a folder")
    if not path.exists() and not path.parent.is_dir():
        raise UsageError(f"--output-dir {value}: the folder {path.parent} does not exist")
    writable = path if path.exists() else path.parent
    if not os.access(writable, os.W_OK | os.X_OK):
        raise UsageError(f"--output-dir {value}: the folder {writable} is not writable")
    return path
