"""What went wrong with the history file, said so that the user does the right thing.

SQLite reports a damaged file, a full disk, a lock held too long and a read-only folder all as
``sqlite3.DatabaseError``. The advice differs, and the wrong one costs: "move the file aside"
for a full disk abandons every unfinished (paid) job. :func:`database_error` tells them apart
(SQLite's error code, then the free space on the disk for a plain I/O error), and
:func:`guard_database_errors` makes every public method of the history raise the right one, so
that each command and the TUI show one clear message instead of a traceback.
"""

from __future__ import annotations

import errno
import functools
import inspect
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from jimeng_tui.domain.errors import JimengError

# SQLite's primary result codes (the low byte of an extended code)
SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_IOERR = 5, 6, 8, 10
SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = 11, 13, 14, 26
# an I/O error on a disk with less than this free is taken for a full disk
NEARLY_FULL_BYTES = 4 * 1024 * 1024

PROG = "jimeng-tui"


class HistoryError(JimengError):
    """The history database cannot be used (newer schema, not a database, job missing…)."""


class HistoryDamaged(HistoryError):
    """The file is damaged (or is not a database): ``jimeng-tui doctor`` can rebuild it."""

    def __init__(self, path: Path, detail: str):
        self.path = Path(path)
        super().__init__(
            f"{path} is not a usable history database: it is damaged ({detail}). Saved videos "
            f"are not affected. Check it with `{doctor_command(path)}`, then "
            f"`{doctor_command(path)} --rebuild` builds a new history from what is still "
            "readable (unfinished jobs with a task id are kept; the damaged file is kept "
            "aside, never deleted)."
        )


class HistoryDiskFull(HistoryError):
    """The disk holding the history has no room: free space and run again; nothing is lost."""

    def __init__(self, path: Path, detail: str):
        self.path = Path(path)
        super().__init__(
            f"the disk holding {path} is full ({detail}); free some space and run the "
            "command again. Nothing was lost: the history and its unfinished jobs are as "
            "they were (do not move the file aside)."
        )


def doctor_command(path: Path) -> str:
    sandbox = " --sandbox" if Path(path).name.startswith("sandbox-") else ""
    return f"{PROG} doctor{sandbox}"


def free_bytes(folder: Path) -> int | None:
    try:
        info = os.statvfs(folder)
    except (OSError, AttributeError):  # gone, or not POSIX
        return None
    return info.f_bavail * info.f_frsize


def disk_is_full(path: Path) -> bool:
    free = free_bytes(Path(path).parent)
    return free is not None and free < NEARLY_FULL_BYTES


def database_error(path: Path, exc: BaseException) -> HistoryError:
    """The HistoryError that says what ``exc`` (from SQLite, or an OSError) means for ``path``."""
    detail = str(exc) or type(exc).__name__
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return HistoryDiskFull(path, detail)
    if primary == SQLITE_FULL or "database or disk is full" in detail:
        return HistoryDiskFull(path, detail)
    if primary in (SQLITE_CORRUPT, SQLITE_NOTADB) or "malformed" in detail:
        return HistoryDamaged(path, detail)
    if "file is not a database" in detail:
        return HistoryDamaged(path, detail)
    if primary == SQLITE_IOERR or "disk I/O error" in detail:
        if disk_is_full(path):
            return HistoryDiskFull(path, detail)
        return HistoryError(
            f"reading or writing {path} failed ({detail}): the disk or file system reported "
            "an error. Nothing was changed; check the disk and run the command again."
        )
    if primary in (SQLITE_BUSY, SQLITE_LOCKED) or "locked" in detail:
        return HistoryError(
            f"{path} stayed locked by another jimeng-tui process ({detail}); run the command "
            "again when it is less busy."
        )
    if primary == SQLITE_READONLY or "readonly" in detail:
        return HistoryError(
            f"{path} cannot be written ({detail}): check that you own it and its folder "
            f"(`ls -l {path}`)."
        )
    if primary == SQLITE_CANTOPEN:
        return HistoryError(f"cannot open the history database {path} ({detail}).")
    return HistoryError(f"the history database {path} failed: {detail}.")


F = TypeVar("F", bound=Callable[..., Any])
C = TypeVar("C", bound=type)


def _guarded(method: F) -> F:
    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.DatabaseError as exc:
            raise database_error(self.path, exc) from exc

    return wrapper  # type: ignore[return-value]


def guard_database_errors(cls: C) -> C:
    """Every public method of ``cls`` (which has a ``path``) raises a HistoryError that names
    the file and the remedy, instead of a bare ``sqlite3.DatabaseError``."""
    for name, member in list(vars(cls).items()):
        if name.startswith("_") or not inspect.isfunction(member):
            continue
        setattr(cls, name, _guarded(member))
    return cls
