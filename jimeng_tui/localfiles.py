"""Reading a file the user named, safely: only a regular file, and only up to a size cap.

``--image /dev/zero`` would be read until memory ran out, and a named pipe (FIFO) blocks the
open or the read forever. :func:`read_regular_file` looks at what the path is before opening it
(a device is never opened: opening some has side effects), opens it without blocking, checks
again on the open file (the path may have changed in between), and reads at most ``limit``
bytes. Used for input images, batch files and the config file; imports nothing of ours.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class NotARegularFile(OSError):
    """The path exists but is a folder, a pipe, a device or a socket: nothing was read."""

    def __init__(self, path: Path, kind: str):
        super().__init__(f"{path} is {kind}, not a regular file")
        self.path = str(path)
        self.kind = kind
        self.is_folder = kind == "a folder"


class FileTooLarge(OSError):
    """The file is larger than the caller's cap: it was not read (or not past the cap)."""

    def __init__(self, path: Path, size: int | None, limit: int):
        shown = f"{size_text(size)}" if size is not None else f"more than {size_text(limit)}"
        super().__init__(f"{path} is {shown}; at most {size_text(limit)} is read")
        self.path = str(path)
        self.size = size
        self.limit = limit
        self.shown = shown


def size_text(n: int) -> str:
    """1234567 → "1.2 MB" (decimal units, as file managers show them)."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"


def _kind(mode: int) -> str | None:
    for test, name in _KINDS:
        if test(mode):
            return name
    return None if stat.S_ISREG(mode) else "not a regular file"


def read_regular_file(path: Path | str, limit: int) -> bytes:
    """The bytes of ``path`` when it is a regular file of at most ``limit`` bytes.

    Raises FileNotFoundError, NotARegularFile, FileTooLarge, or the OSError of the open/read
    (permission denied, a symlink loop…), never blocks on a pipe or reads a device.
    """
    path = Path(path)
    kind = _kind(os.stat(path).st_mode)
    if kind is not None:
        raise NotARegularFile(path, kind)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        kind = _kind(info.st_mode)
        if kind is not None:  # replaced between the stat and the open
            raise NotARegularFile(path, kind)
        if info.st_size > limit:
            raise FileTooLarge(path, info.st_size, limit)
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:  # grew while being read
                raise FileTooLarge(path, None, limit)
        return b"".join(chunks)
    finally:
        os.close(fd)
