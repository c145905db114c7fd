"""A real history file with real damage: many jobs over many pages, then garbage written over
pages in the middle of the file (not the header), as a failing disk or a bad copy leaves it."""

from __future__ import annotations

import random
import sqlite3
import time
from pathlib import Path

from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.services.jimeng import catalog
from jimeng_tui.store.history import History

PAGE = 4096
UNFINISHED_WITH_TASK = (JobState.IN_QUEUE, JobState.GENERATING, JobState.DONE)


def job(n: int, state: JobState, *, mode: str = "t2v_720p") -> Job:
    now = time.time() - 10_000 + n
    has_task = state not in (JobState.QUEUED, JobState.SUBMIT_UNKNOWN)
    return Job(
        id=None,
        created_at=now,
        updated_at=now,
        prompt=f"job {n}: " + "a long prompt that fills the pages of the table " * 6,
        mode=mode,
        req_key=catalog.MODES[mode].req_key,
        params={"prompt": f"job {n}", "mode": mode, "duration": 5, "fps": 24, "seed": n},
        state=state,
        task_id=f"73926163365196{n:05d}" if has_task else None,
        path=f"/videos/job-{n}.mp4" if state is JobState.SAVED else None,
        duration_s=5.0 if state is JobState.SAVED else None,
    )


def make_history(path: Path, count: int = 400, every: int = 10) -> list[Job]:
    """``count`` jobs: every ``every``-th one unfinished with a task id (cycling through
    in_queue, generating, done), one queued without a task, the rest saved or failed."""
    jobs = []
    for n in range(count):
        if n % every == 0:
            state = UNFINISHED_WITH_TASK[(n // every) % len(UNFINISHED_WITH_TASK)]
        elif n % every == 5:
            state = JobState.FAILED
        elif n == count - 1:
            state = JobState.QUEUED
        else:
            state = JobState.SAVED
        jobs.append(job(n, state, mode=("t2v_720p", "t2v_1080p")[n % 2]))
    history = History(path)
    try:
        history.add_many(jobs)
    finally:
        history.close()  # the last connection folds the WAL into the file
    assert not Path(f"{path}-wal").exists()
    return jobs


def damage(path: Path, start: float = 0.35, end: float = 0.55, seed: int = 12) -> list[int]:
    """Write random bytes over the pages between ``start`` and ``end`` (fractions of the file);
    the header page is never touched. Returns the page numbers (1-based) damaged."""
    size = path.stat().st_size
    pages = size // PAGE
    first, last = max(2, int(pages * start)), max(3, int(pages * end))
    rng = random.Random(seed)
    with open(path, "r+b") as f:
        for page in range(first, last + 1):
            f.seek((page - 1) * PAGE)
            f.write(rng.randbytes(PAGE))
    return list(range(first, last + 1))


# -- a full disk, at the store boundary (a tmpfs needs root; CI has none) --------------------


def _sqlite_error(message: str, code: int, name: str) -> sqlite3.OperationalError:
    error = sqlite3.OperationalError(message)
    error.sqlite_errorcode = code
    error.sqlite_errorname = name
    return error


class _FullDiskConnection(sqlite3.Connection):
    """Reads work; every statement that writes fails as SQLite fails on a full disk."""

    writes = ("INSERT", "UPDATE", "DELETE", "CREATE", "REPLACE")

    def execute(self, sql, *args):  # type: ignore[override]
        if sql.lstrip().upper().startswith(self.writes):
            raise _sqlite_error("database or disk is full", 13, "SQLITE_FULL")
        return super().execute(sql, *args)

    def executemany(self, sql, *args):  # type: ignore[override]
        raise _sqlite_error("database or disk is full", 13, "SQLITE_FULL")


class _NoRoomToOpenConnection(sqlite3.Connection):
    """What a 100 % full tmpfs gave: the first statement fails with a plain I/O error (no room
    for the shared-memory file), which only the free space tells apart from a bad disk."""

    def execute(self, sql, *args):  # type: ignore[override]
        raise _sqlite_error("disk I/O error", 4874, "SQLITE_IOERR_SHMSIZE")


def full_disk(monkeypatch, *, at_open: bool = False) -> None:
    """From now on the history behaves as on a full disk: writes fail with SQLITE_FULL, or
    (``at_open``) the open fails with SQLITE_IOERR while the disk reports 0 bytes free."""
    connect = sqlite3.connect
    factory = _NoRoomToOpenConnection if at_open else _FullDiskConnection

    def full_connect(*args, **kwargs):
        kwargs["factory"] = factory
        return connect(*args, **kwargs)

    monkeypatch.setattr("jimeng_tui.store.history.sqlite3.connect", full_connect)
    if at_open:
        monkeypatch.setattr("jimeng_tui.store.integrity.free_bytes", lambda folder: 0)


def pages_of(path: Path, name: str, kind: str = "leaf") -> list[int]:
    """The page numbers of table or index ``name`` (SQLite's dbstat table), in file order."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = ? ORDER BY pageno",
            (name, kind),
        ).fetchall()
    except sqlite3.OperationalError:
        import pytest

        pytest.skip("this SQLite has no dbstat table")
    finally:
        conn.close()
    return [r[0] for r in rows]


def damage_pages(path: Path, pages: list[int], seed: int = 5) -> None:
    rng = random.Random(seed)
    with open(path, "r+b") as f:
        for page in pages:
            f.seek((page - 1) * PAGE)
            f.write(rng.randbytes(PAGE))
