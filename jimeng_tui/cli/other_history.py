"""A look into the *other* history (sandbox ↔ live) when the one a command reads has nothing.

``jimeng-tui history`` with an empty live history while the sandbox history holds jobs, or
``status TASK`` for a task run with ``--sandbox``: say where the jobs are and the command that
shows them. The other file is opened read-only (``mode=ro``): never created, migrated or
locked; when it is absent or unreadable there is simply nothing to say.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from jimeng_tui.cli.errors import PROG


def _read_only(path: Path) -> sqlite3.Connection | None:
    if not path.is_file():
        return None
    try:
        return sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=1.0)
    except sqlite3.Error:
        return None


def _paths(sandbox: bool) -> tuple[Path, str, str]:
    """(the other history's file, its name, the flag that reads it) for a command that read the
    sandbox history (``sandbox``) or the live one."""
    import os

    from jimeng_tui.store.paths import app_paths

    paths = app_paths(os.environ)
    if sandbox:
        return paths.history_db, "the live history", ""
    return paths.sandbox_history_db, "the sandbox history", " --sandbox"


def count_jobs(path: Path) -> int:
    conn = _read_only(path)
    if conn is None:
        return 0
    with contextlib.closing(conn):
        try:
            return int(conn.execute("SELECT COUNT(*) FROM jobs").fetchone()[0])
        except sqlite3.Error:
            return 0


def find_task_mode(path: Path, task_id: str) -> str | None:
    """The mode of the newest job with ``task_id`` in the history at ``path``, if any."""
    conn = _read_only(path)
    if conn is None:
        return None
    with contextlib.closing(conn):
        try:
            row = conn.execute(
                "SELECT mode FROM jobs WHERE task_id = ? ORDER BY id DESC LIMIT 1", (task_id,)
            ).fetchone()
        except sqlite3.Error:
            return None
    return str(row[0]) if row else None


def jobs_elsewhere_note(sandbox: bool) -> str | None:
    """``history`` found nothing: where the other history's jobs are, and the command."""
    path, name, flag = _paths(sandbox)
    count = count_jobs(path)
    if not count:
        return None
    jobs = "1 job" if count == 1 else f"{count} jobs"
    return f"{name} has {jobs}: `{PROG} history{flag}`"


def task_elsewhere_message(sandbox: bool, task_id: str, command: str) -> str | None:
    """``status``/``wait`` of a task that only the other history has: what to run instead."""
    path, name, flag = _paths(sandbox)
    mode = find_task_mode(path, task_id)
    if mode is None:
        return None
    here = "the sandbox history" if sandbox else "the history"
    return (
        f"task {task_id} is not in {here}: it is in {name} (mode {mode}). Run:\n"
        f"  {PROG} {command} {task_id}{flag}"
    )
