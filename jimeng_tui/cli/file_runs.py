"""What the commands that run a file share (``batch FILE``, ``story run FILE``): which history
a run uses, the jobs of the file's earlier runs, and the lock that keeps two processes from
running one file at once (which could pay for a line twice).

Cheap to import; the store and the lock are imported when a run starts.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jimeng_tui.cli.errors import UsageError

if TYPE_CHECKING:
    from jimeng_tui.domain.job import Job
    from jimeng_tui.jobs.batch import BatchFile


def output_dir_for(ns: argparse.Namespace, again: str) -> Path | None:
    """--output-dir, checked, and --again with --retry-failed refused (exit 2 before the file
    is read); ``again`` says what --again sends ("every line")."""
    from jimeng_tui.cli.checks import check_output_dir

    output_dir = check_output_dir(ns.output_dir)
    if ns.again and ns.retry_failed:
        raise UsageError(f"--again already {again}; leave out --retry-failed")
    return output_dir


def history_scope(ns: argparse.Namespace) -> tuple[Path, Path]:
    """(the history this run uses, the folder for its lock files)."""
    from jimeng_tui.store.paths import app_paths

    paths = app_paths(os.environ)
    return (paths.sandbox_history_db if ns.sandbox else paths.history_db), paths.data_dir


def retry_failed(ns: argparse.Namespace) -> bool:
    """--retry-failed, always on in the sandbox (where nothing is billed)."""
    return bool(ns.retry_failed or ns.sandbox)


def earlier_jobs(ns: argparse.Namespace, matches: dict[str, Any]) -> list[Job]:
    """The jobs of the file's earlier runs (none when there is no history yet), for a dry run:
    it reads the history without opening an engine."""
    from jimeng_tui.store.history import History

    db, _ = history_scope(ns)
    if not db.exists():
        return []
    history = History(db)
    try:
        return history.find_meta(matches)
    finally:
        history.close()


def run_locked(
    ns: argparse.Namespace, locks: str, identity: BatchFile, run: Callable[[], int], busy: str
) -> int:
    """``run()`` holding the file's lock (in the data folder's ``locks``). When another process
    holds it: a UsageError (nothing was submitted) saying ``busy``, where ``{busy}`` is the
    lock's own sentence and ``{pid}`` the other process's id."""
    from jimeng_tui.jobs.batch import BatchBusy, batch_lock
    from jimeng_tui.store.paths import ensure_private_dir

    scope, data_dir = history_scope(ns)
    ensure_private_dir(data_dir)
    try:
        with batch_lock(data_dir / locks, identity, scope):
            return run()
    except BatchBusy as exc:
        raise UsageError(busy.format(busy=exc, pid=exc.pid or "?")) from None


__all__ = ["earlier_jobs", "history_scope", "output_dir_for", "retry_failed", "run_locked"]
