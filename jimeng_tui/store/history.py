"""The history and journal of every job: one SQLite file (DESIGN.md, "The job", "Files on disk").

- WAL mode, ``synchronous=NORMAL`` and a busy timeout, so that several processes (CLI runs, a TUI)
  can use one file at once: a writer waits for another instead of failing.
- Schema version in ``PRAGMA user_version``, upgraded by :mod:`jimeng_tui.store.migrations`.
- One connection per :class:`History`, guarded by a lock: the engine may call from worker threads.
  Counts use a second, read-only one: a count over a common word takes tens of milliseconds,
  and it must neither hold up the page queries of someone typing nor outlive its usefulness
  (``interrupt_counts`` stops it).
- ``save`` writes every field of a Job except the ones other actors change while a job runs:
  ``favourite`` (``set_favourite``) and ``owner_pid``/``heartbeat_at`` (``claim``, ``heartbeat``,
  ``release``). It reloads those into the Job, so the object stays true.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from jimeng_tui.domain.job import FINAL_STATES, JOB_FIELDS, Job, JobState
from jimeng_tui.domain.meta import JobMeta
from jimeng_tui.store.history_query import HistoryQuery, order_by, where_clause
from jimeng_tui.store.integrity import HistoryError, database_error, guard_database_errors
from jimeng_tui.store.migrations import MIGRATIONS, SCHEMA_VERSION, run_step
from jimeng_tui.store.paths import ensure_private_dir

RECENT_SCAN = 5000  # rows a text search reads newest-first before asking the FTS index


_COLUMNS: tuple[str, ...] = JOB_FIELDS
_JSON_FIELDS = frozenset({"params", "image_hashes"})
# changed by other actors while a job runs; save() leaves them alone and reloads them
_CONCURRENT_FIELDS: tuple[str, ...] = ("favourite", "owner_pid", "heartbeat_at")
_SAVE_COLUMNS: tuple[str, ...] = tuple(
    c for c in _COLUMNS if c != "id" and c not in _CONCURRENT_FIELDS
)
_SELECT = "SELECT " + ", ".join(_COLUMNS) + " FROM jobs"
_FINAL_VALUES: tuple[str, ...] = tuple(sorted(s.value for s in FINAL_STATES))
# unfinished() lists the non-final states so that it reads the jobs_state index
_UNFINISHED_SQL = "(" + ", ".join(f"'{s.value}'" for s in JobState if s not in FINAL_STATES) + ")"


class CountInterrupted(HistoryError):
    """``History.count`` was stopped by ``interrupt_counts``: its answer was no longer wanted."""


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False  # never a real owner (and os.kill(0, …) would mean "my process group")
    if pid == os.getpid():
        return True
    if os.name != "posix":
        # os.kill(pid, 0) would terminate the process on Windows; rely on the heartbeat there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, owned by someone else
    except OSError:
        return True
    return True


def _to_row(job: Job, columns: Iterable[str]) -> list[Any]:
    values: list[Any] = []
    for name in columns:
        value = getattr(job, name)
        if name == "meta":
            value = json.dumps(value.to_json(), ensure_ascii=False, sort_keys=True)
        elif name in _JSON_FIELDS:
            value = json.dumps(value, ensure_ascii=False, sort_keys=True)
        elif name == "state":
            value = JobState(value).value
        elif name == "favourite":
            value = int(bool(value))
        values.append(value)
    return values


def _decode(row: sqlite3.Row | tuple[Any, ...]) -> dict[str, Any]:
    data = dict(zip(_COLUMNS, row, strict=True))
    data["params"] = json.loads(data["params"]) if data["params"] else {}
    data["image_hashes"] = json.loads(data["image_hashes"]) if data["image_hashes"] else []
    data["favourite"] = bool(data["favourite"])
    meta = data["meta"]  # most rows' is "{}": json.loads was ~3 µs a row (a page of 200)
    data["meta"] = json.loads(meta) if meta and meta != "{}" else {}
    return data


def _to_job(row: tuple[Any, ...]) -> Job:
    data = _decode(row)
    data["state"] = JobState(data["state"])
    data["meta"] = JobMeta.from_json(data["meta"])
    return Job(**data)


@guard_database_errors
class History:
    """The job rows of one history file. Safe to share between threads of one process."""

    def __init__(
        self,
        path: Path,
        *,
        busy_timeout: float = 30.0,
        clock: Callable[[], float] = time.time,
    ):
        self.path = Path(path)
        self._clock = clock
        self._busy_timeout = busy_timeout
        self._lock = threading.RLock()
        self._count_conn: sqlite3.Connection | None = None  # opened by the first count
        self._count_lock = threading.Lock()
        # (filters, text, offset + limit) of the last text search the newest rows could not fill
        self._recent_miss: tuple[tuple[Any, ...], str, int] | None = None
        # the SQL statements (and arguments) the last ``query`` ran: benchmarks replay them
        # on a plain sqlite3 connection to show the cost of this layer apart from SQLite's
        self.last_statements: list[tuple[str, list[Any]]] = []
        if not self.path.parent.exists():
            ensure_private_dir(self.path.parent)
        if not self.path.exists() and os.name == "posix":
            # create the file private; SQLite gives the -wal/-shm files the same mode
            with contextlib.suppress(FileExistsError):
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        try:
            self._conn = sqlite3.connect(
                self.path,
                timeout=busy_timeout,
                isolation_level=None,  # autocommit; transactions are explicit
                check_same_thread=False,
            )
        except sqlite3.Error as exc:
            raise database_error(self.path, exc) from exc
        try:
            self._conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            self._check_version()
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = NORMAL")
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:  # damaged, disk full, locked…: said apart
            self._conn.close()
            raise database_error(self.path, exc) from exc
        except BaseException:
            self._conn.close()
            raise

    # -- setup -------------------------------------------------------------------------------

    def _version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def _check_version(self) -> int:
        version = self._version()
        if version > SCHEMA_VERSION:
            raise HistoryError(
                f"The history database {self.path} was written by a newer version of jimeng-tui "
                f"(schema {version}; this version knows schema {SCHEMA_VERSION}). Update "
                f"jimeng-tui, or point JIMENG_TUI_HOME elsewhere to use a separate history."
            )
        return version

    def _migrate(self) -> None:
        if self._version() == SCHEMA_VERSION:
            return
        with self._transaction():
            version = self._check_version()  # another process may have migrated meanwhile
            for number in range(version + 1, SCHEMA_VERSION + 1):
                for step in MIGRATIONS[number - 1]:
                    run_step(self._conn, step)
                self._conn.execute(f"PRAGMA user_version = {number}")

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction, taken at once (BEGIN IMMEDIATE) so no upgrade deadlock can occur."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def close(self) -> None:
        self.interrupt_counts()
        with self._count_lock:
            if self._count_conn is not None:
                self._count_conn.close()
                self._count_conn = None
        with self._lock:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("PRAGMA optimize")
            self._conn.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        with self._lock:
            return self._version()

    # -- rows --------------------------------------------------------------------------------

    def add(self, job: Job) -> Job:
        """Insert ``job`` (its ``id`` is ignored, then set to the new row's), commit, return it."""
        return self.add_many([job])[0]

    def add_many(self, jobs: Iterable[Job]) -> list[Job]:
        """Insert several jobs in one transaction (a batch file, an import, benchmarks)."""
        columns = tuple(c for c in _COLUMNS if c != "id")
        sql = f"INSERT INTO jobs ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
        added: list[Job] = []
        with self._transaction() as conn:
            for job in jobs:
                cursor = conn.execute(sql, _to_row(job, columns))
                job.id = int(cursor.lastrowid or 0)
                added.append(job)
        return added

    def save(self, job: Job) -> None:
        """Write every field of ``job`` (except favourite and the claim) and commit."""
        if job.id is None:
            raise HistoryError("Cannot save a job that was never added to the history.")
        sql = f"UPDATE jobs SET {', '.join(f'{c} = ?' for c in _SAVE_COLUMNS)} WHERE id = ?"
        with self._transaction() as conn:
            cursor = conn.execute(sql, [*_to_row(job, _SAVE_COLUMNS), job.id])
            if cursor.rowcount == 0:
                raise HistoryError(f"Job {job.id} is no longer in the history (it was deleted).")
            row = conn.execute(
                f"SELECT {', '.join(_CONCURRENT_FIELDS)} FROM jobs WHERE id = ?", (job.id,)
            ).fetchone()
        job.favourite = bool(row[0])
        job.owner_pid = row[1]
        job.heartbeat_at = row[2]

    def get(self, job_id: int) -> Job | None:
        with self._lock:
            row = self._conn.execute(f"{_SELECT} WHERE id = ?", (job_id,)).fetchone()
        return _to_job(row) if row else None

    def find_task(self, task_id: str) -> Job | None:
        """The newest job for a service task id."""
        with self._lock:
            row = self._conn.execute(
                f"{_SELECT} WHERE task_id = ? ORDER BY id DESC LIMIT 1", (str(task_id),)
            ).fetchone()
        return _to_job(row) if row else None

    def find_meta(self, matches: dict[str, Any]) -> list[Job]:
        """Jobs whose ``meta`` holds any of ``matches`` (a JSON path such as
        ``"$.batch.sha256"`` → the value there), oldest first. It reads every row: for an
        occasional look-up (re-running a batch file), not for searching as the user types."""
        if not matches:
            return []
        where = " OR ".join("json_extract(meta, ?) = ?" for _ in matches)
        args = [item for pair in matches.items() for item in pair]
        with self._lock:
            rows = self._conn.execute(f"{_SELECT} WHERE {where} ORDER BY id", args).fetchall()
        return [_to_job(r) for r in rows]

    def unfinished(self) -> list[Job]:
        """Jobs in a non-final state, oldest first."""
        with self._lock:
            rows = self._conn.execute(
                f"{_SELECT} WHERE state IN {_UNFINISHED_SQL} ORDER BY created_at, id"
            ).fetchall()
        return [_to_job(r) for r in rows]

    def set_favourite(self, job_id: int, value: bool) -> None:
        with self._lock:
            self._conn.execute(
                "UPDATE jobs SET favourite = ? WHERE id = ?", (int(bool(value)), job_id)
            )

    def delete(self, job_id: int) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM jobs WHERE id = ?", (job_id,))

    # -- one process drives a job --------------------------------------------------------------

    def claim(self, job_id: int, pid: int, *, stale_after: float = 30.0) -> bool:
        """Take ``job_id`` for process ``pid``; True when it now belongs to ``pid``.

        Taken when it has no owner, is already ``pid``'s, its owner process is gone, or the
        owner's heartbeat is older than ``stale_after`` seconds. A job in a final state is never
        claimed (False), nor a missing one.
        """
        with self._transaction() as conn:
            row = conn.execute(
                "SELECT state, owner_pid, heartbeat_at FROM jobs WHERE id = ?", (job_id,)
            ).fetchone()
            if row is None:
                return False
            state, owner, beat = row
            if state in _FINAL_VALUES:
                return False
            now = self._clock()
            free = (
                owner is None
                or owner == pid
                or beat is None
                or now - beat > stale_after
                or not _pid_alive(owner)
            )
            if free:
                conn.execute(
                    "UPDATE jobs SET owner_pid = ?, heartbeat_at = ? WHERE id = ?",
                    (pid, now, job_id),
                )
            return free

    def heartbeat(self, job_ids: Iterable[int], pid: int) -> None:
        """Refresh ``pid``'s claim on each of ``job_ids`` (jobs it does not own are skipped)."""
        ids = list(job_ids)
        if not ids:
            return
        now = self._clock()
        with self._transaction() as conn:
            conn.executemany(
                "UPDATE jobs SET heartbeat_at = ? WHERE id = ? AND owner_pid = ?",
                [(now, job_id, pid) for job_id in ids],
            )

    def release(self, job_id: int, pid: int) -> None:
        """Give up ``pid``'s claim on ``job_id`` (no effect if another process holds it)."""
        with self._lock:
            self._conn.execute(
                "UPDATE jobs SET owner_pid = NULL, heartbeat_at = NULL "
                "WHERE id = ? AND owner_pid = ?",
                (job_id, pid),
            )

    # -- finding jobs ------------------------------------------------------------------------

    def _where(self, q: HistoryQuery, *, like_only: bool = False) -> tuple[str, list[Any]]:
        return where_clause(q, like_only=like_only)  # a method: tests replace it on one History

    def _recent_matches(self, q: HistoryQuery) -> list[tuple[Any, ...]] | None:
        """A newest-first page of a text search found among the newest RECENT_SCAN rows alone.

        A common word matches thousands of rows, and collecting them all from the FTS index
        before sorting costs tens of milliseconds per keystroke. When the newest rows already
        hold a full page of matches, that page is exact: every other match is older. Otherwise
        None, and the index answers.

        Typing refines a search: once the newest rows held too few matches for ``text``, they
        hold too few for ``text`` + more characters (every match of the longer text matches the
        shorter one), so that scan is skipped while the user keeps typing. (Skipping is always
        safe: the index gives the exact answer.)
        """
        if not q.text or q.order != "newest" or q.limit is None or q.limit < 0:
            return None
        wanted = q.offset + q.limit
        if wanted > RECENT_SCAN:
            return None
        scope = (q.status, q.mode, q.since, q.until, q.favourite)
        with self._lock:
            miss = self._recent_miss
        refines_miss = (
            miss is not None
            and miss[0] == scope
            and q.text.startswith(miss[1])
            and wanted >= miss[2]
        )
        if refines_miss:
            return None
        where, args = self._where(q, like_only=True)
        order = order_by(q)
        # The window: rows at least as new as the RECENT_SCAN-th newest (every row when there
        # are fewer), walked newest first down the date index until a page matched; rows left
        # out are all strictly older, so a full page is exact.
        window = (
            f"created_at >= IFNULL((SELECT created_at FROM jobs ORDER BY {order} "
            "LIMIT 1 OFFSET ?), -1e308)"
        )
        conditions = " AND ".join(c for c in (window, where.removeprefix(" WHERE ")) if c)
        sql = f"{_SELECT} WHERE {conditions} ORDER BY {order} LIMIT ? OFFSET ?"
        args = [RECENT_SCAN - 1, *args, q.limit, q.offset]
        with self._lock:
            self.last_statements.append((sql, args))
            found = self._conn.execute(sql, args).fetchall()
            if len(found) < q.limit:
                self._recent_miss = (scope, q.text, wanted)
        return found if len(found) == q.limit else None

    def _rows(self, q: HistoryQuery, *, paged: bool) -> list[tuple[Any, ...]]:
        if paged:
            self.last_statements = []
            if (recent := self._recent_matches(q)) is not None:
                return recent
        where, args = self._where(q)
        sql = f"{_SELECT}{where} ORDER BY {order_by(q)}"
        if paged:
            sql += " LIMIT ? OFFSET ?"
            limit = -1 if q.limit is None or q.limit < 0 else q.limit
            args = [*args, limit, max(0, q.offset)]
        with self._lock:
            if paged:
                self.last_statements.append((sql, args))
            return self._conn.execute(sql, args).fetchall()

    def query(self, q: HistoryQuery) -> list[Job]:
        """One page of the jobs matching ``q``, in ``q.order``."""
        return [_to_job(r) for r in self._rows(q, paged=True)]

    def query_if_free(self, q: HistoryQuery, wait: float = 0.005) -> list[Job] | None:
        """``query(q)``, or None when another thread has held the connection for ``wait``
        seconds: for a caller that must not block (an event loop) and has a slower way."""
        if not self._lock.acquire(timeout=wait):
            return None
        try:
            return self.query(q)
        finally:
            self._lock.release()

    def count(self, q: HistoryQuery) -> int:
        """How many jobs match ``q`` (paging ignored). On a connection of its own (see the
        module's notes); raises CountInterrupted when ``interrupt_counts`` stops it."""
        where, args = self._where(q)
        with self._count_lock:
            if self._count_conn is None:
                self._count_conn = self._reader()
            try:
                row = self._count_conn.execute(f"SELECT COUNT(*) FROM jobs{where}", args).fetchone()
            except sqlite3.OperationalError as exc:
                if "interrupt" in str(exc):
                    raise CountInterrupted("The count was interrupted.") from exc
                raise
        return int(row[0])

    def interrupt_counts(self) -> None:
        """Stop a count running in another thread (it raises CountInterrupted there), if any."""
        conn = self._count_conn
        if conn is not None:
            conn.interrupt()

    def _reader(self) -> sqlite3.Connection:
        """A read-only connection of its own (counts, exports): it holds no one up."""
        conn = sqlite3.connect(
            self.path, timeout=self._busy_timeout, isolation_level=None, check_same_thread=False
        )
        conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout * 1000)}")
        conn.execute("PRAGMA query_only = 1")
        return conn

    def export_rows(self, q: HistoryQuery) -> list[dict[str, Any]]:
        """Every job matching ``q`` (paging ignored) as plain JSON-able dicts, one key per Job
        field: ``params`` and ``meta`` dicts, ``image_hashes`` a list, ``state`` a string,
        ``favourite`` a bool. (For CSV, dump ``params`` and ``image_hashes`` as JSON text.)"""
        return [_decode(r) for r in self._rows(q, paged=False)]

    def stream_rows(
        self, q: HistoryQuery, columns: tuple[str, ...] = _COLUMNS, batch: int = 2000
    ) -> Iterator[list[tuple[Any, ...]]]:
        """Every row matching ``q`` (``q.limit`` kept, ``offset`` ignored) in batches, the
        ``columns`` as stored (JSON text, ``favourite`` 0/1), from one read snapshot on a
        connection of its own: an export of any size neither holds up the engine's writes nor
        sits in memory."""
        where, args = self._where(q)
        limit = -1 if q.limit is None or q.limit < 0 else q.limit
        sql = f"SELECT {', '.join(columns)} FROM jobs{where} ORDER BY {order_by(q)} LIMIT ?"
        try:
            conn = self._reader()
            try:
                cursor = conn.execute(sql, [*args, limit])  # one statement: one snapshot
                while rows := cursor.fetchmany(batch):
                    yield rows
            finally:
                conn.close()
        except sqlite3.DatabaseError as exc:
            raise database_error(self.path, exc) from exc

    def recent_generation_seconds(self, mode: str, limit: int = 20) -> list[float]:
        """``finished_at - submitted_at`` of the latest finished jobs in ``mode``, newest first
        (by creation, which walks the jobs_mode index and stops after ``limit``)."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT finished_at - submitted_at FROM jobs WHERE mode = ? "
                "AND finished_at IS NOT NULL AND submitted_at IS NOT NULL "
                "AND finished_at >= submitted_at ORDER BY created_at DESC, id DESC LIMIT ?",
                (mode, limit),
            ).fetchall()
        return [float(r[0]) for r in rows]


__all__ = ["CountInterrupted", "History", "HistoryError", "HistoryQuery"]
