"""Checking a history file, and building a new one from what a damaged file still holds.

``check`` runs SQLite's ``PRAGMA integrity_check`` and counts what can be read. ``rebuild``
reads the damaged file row by row (a damaged page loses only the rows on it: the table is read
from both ends, then every id in between on its own), and recovers from the indexes what
the table lost: an index holds, with each row's id, its task id, state, mode and date. That is
enough to finish an unfinished job whose task exists on the service, which is the point: those
are paid for. The new file replaces the damaged one, which is kept aside as
``history.sqlite3.damaged-TIME`` (with its ``-wal``), never deleted.

The damaged file is opened read-only (``mode=ro``): nothing here writes to it.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jimeng_tui.domain.job import FINAL_STATES, JOB_FIELDS, Job, JobState
from jimeng_tui.domain.meta import JobMeta, split_params
from jimeng_tui.store.aside import free_name, make_private, timestamp
from jimeng_tui.store.history import History, _pid_alive, _to_row
from jimeng_tui.store.integrity import HistoryError, database_error

MAX_PROBLEMS = 20  # lines of integrity_check shown
RECOVERED_NOTE = "_recovered"  # meta.extra key on a job rebuilt from the indexes alone
# (index, its columns besides the row id): what each index remembers of a row
_INDEXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("jobs_task_id", ("task_id",)),
    ("jobs_state", ("state", "created_at")),
    ("jobs_mode", ("mode", "created_at")),
    ("jobs_duration", ("duration_s", "created_at")),
    ("jobs_favourite", ("favourite", "created_at")),
)
_UNFINISHED = frozenset(s.value for s in JobState if s not in FINAL_STATES)


@dataclass(frozen=True)
class KnownModes:
    """The service's modes (mode → req_key) and the one a row that lost its mode gets; the
    session hands them over (``session.history.known_modes``) so the store imports no service."""

    req_keys: Mapping[str, str]
    default: str


@dataclass
class Salvage:
    modes: KnownModes
    jobs: dict[int, Job] = field(default_factory=dict)  # read whole from the table
    partial: dict[int, dict[str, Any]] = field(default_factory=dict)  # known from the indexes
    garbled: set[int] = field(default_factory=set)  # rows read whose values are garbage
    owners: set[int] = field(default_factory=set)  # processes that claim an unfinished job
    max_id: int = 0

    def recovered(self) -> list[Job]:
        """Rows to keep: every row read whole, and every unfinished job with a task id that
        only the indexes still know (prompt and settings lost, the task kept)."""
        kept = dict(self.jobs)
        for job_id, known in self.partial.items():
            if job_id in kept or not known.get("task_id"):
                continue
            if known.get("state") not in _UNFINISHED:
                continue
            kept[job_id] = _partial_job(job_id, known, self.modes)
        return [kept[i] for i in sorted(kept)]

    def lost(self) -> list[int]:
        """Ids of rows known to have existed (an index names them, or their values were
        garbage) that are not kept. A row that no readable page names cannot be told from a
        deleted one: there may be more."""
        kept = {j.id for j in self.recovered()}
        return sorted((set(self.partial) | self.garbled) - kept)


@dataclass
class Report:
    path: Path
    ok: bool
    problems: list[str]
    salvage: Salvage | None = None
    total: int = 0  # rows, when sound
    unfinished: int = 0  # unfinished jobs with a task id, when sound


def _partial_job(job_id: int, known: dict[str, Any], modes: KnownModes) -> Job:
    found = known.get("mode")
    mode = found if isinstance(found, str) and found in modes.req_keys else modes.default
    created = float(known.get("created_at") or 0.0)
    return Job(
        id=job_id,
        created_at=created,
        updated_at=created,
        prompt="",
        mode=mode,
        req_key=modes.req_keys[mode],
        params={},
        meta=JobMeta(
            extra={
                RECOVERED_NOTE: "rebuilt from a damaged history: the prompt and settings were lost"
                + ("" if mode == found else "; the mode is a guess"),
            }
        ),
        state=JobState(known["state"]),
        task_id=str(known["task_id"]),
    )


def open_read_only(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    conn.execute("PRAGMA query_only = 1")
    return conn


def integrity_problems(conn: sqlite3.Connection) -> list[str]:
    """[] when SQLite finds the file sound; else what it found (the first MAX_PROBLEMS)."""
    try:
        rows = conn.execute(f"PRAGMA integrity_check({MAX_PROBLEMS})").fetchall()
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    found = [line for r in rows for line in str(r[0]).splitlines() if line.strip()]
    return [] if found == ["ok"] else found[:MAX_PROBLEMS]


def _decode(row: tuple[Any, ...], modes: KnownModes) -> Job | None:
    """A table row as a Job, or None when its values are garbage."""
    try:
        data = dict(zip(JOB_FIELDS, row, strict=True))
        params = json.loads(data["params"]) if data["params"] else {}
        if not isinstance(params, dict):
            return None
        data["params"], old_meta = split_params(params)  # a row older than schema 4
        meta = json.loads(data["meta"]) if data["meta"] else {}
        data["meta"] = JobMeta.from_json(meta) if meta else old_meta
        data["image_hashes"] = json.loads(data["image_hashes"]) if data["image_hashes"] else []
        data["favourite"] = bool(data["favourite"])
        data["state"] = JobState(data["state"])
        if not isinstance(data["params"], dict) or data["mode"] not in modes.req_keys:
            return None
        data["owner_pid"] = data["heartbeat_at"] = None  # nobody drives a rebuilt row
        return Job(**data)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def _rows(
    conn: sqlite3.Connection, sql: str, args: tuple[Any, ...] = ()
) -> Iterator[tuple[Any, ...]]:
    """The rows of ``sql`` until the first one SQLite cannot read."""
    try:
        cursor = conn.execute(sql, args)
        while (row := cursor.fetchone()) is not None:
            yield row
    except sqlite3.DatabaseError:
        return


def _columns(conn: sqlite3.Connection) -> str:
    """JOB_FIELDS to select; a file older than the meta column gives '{}' for it."""
    try:
        present = {str(r[1]) for r in conn.execute("PRAGMA table_info(jobs)")}
    except sqlite3.DatabaseError:
        present = set(JOB_FIELDS)
    return ", ".join(c if c in present or c != "meta" else "'{}'" for c in JOB_FIELDS)


def salvage(conn: sqlite3.Connection, modes: KnownModes) -> Salvage:
    found = Salvage(modes)
    columns = _columns(conn)
    seen: set[int] = set()
    for order in ("ASC", "DESC"):  # from both ends: a damaged page stops each scan there
        for row in _rows(conn, f"SELECT {columns} FROM jobs ORDER BY id {order}"):
            seen.add(row[0])
            _keep(found, row)
    for index, names in _INDEXES:
        for order in ("ASC", "DESC"):
            sql = (
                f"SELECT id, {', '.join(names)} FROM jobs INDEXED BY {index} "
                f"ORDER BY {names[0]} {order}"
            )
            for row in _rows(conn, sql):
                found.partial.setdefault(row[0], {}).update(zip(names, row[1:], strict=True))
    with contextlib.suppress(sqlite3.DatabaseError, TypeError):
        seq = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'jobs'").fetchone()
        found.max_id = int(seq[0]) if seq else 0
    found.max_id = max([found.max_id, *seen, *found.partial])
    for job_id in range(1, found.max_id + 1):  # the ids between the scans, one at a time
        if job_id in seen:
            continue
        for row in _rows(conn, f"SELECT {columns} FROM jobs WHERE id = ?", (job_id,)):
            _keep(found, row)
    return found


def _keep(found: Salvage, row: tuple[Any, ...]) -> None:
    job = _decode(row, found.modes)
    if job is None:
        found.garbled.add(row[0])
        return
    found.jobs[row[0]] = job
    owner = row[JOB_FIELDS.index("owner_pid")]
    if isinstance(owner, int) and owner > 0 and not job.is_final:
        found.owners.add(owner)


def check(path: Path, modes: KnownModes) -> Report:
    """What SQLite says of ``path``, and (when damaged) what can still be read from it."""
    try:
        conn = open_read_only(path)
    except sqlite3.DatabaseError as exc:
        return Report(path, False, [str(exc)])
    try:
        problems = integrity_problems(conn)
        if problems:
            return Report(path, False, problems, salvage(conn, modes))
        total, unfinished = conn.execute(
            "SELECT COUNT(*), COUNT(task_id) FILTER (WHERE state IN "
            f"({', '.join(repr(s) for s in sorted(_UNFINISHED))})) FROM jobs"
        ).fetchone()
        return Report(path, True, [], total=total, unfinished=unfinished)
    finally:
        conn.close()


def _busy_owner(found: Salvage) -> int | None:
    """A live process (not this one) that holds an unfinished job of this history."""
    for pid in sorted(found.owners):
        if pid != os.getpid() and _pid_alive(pid):
            return pid
    return None


@dataclass
class Rebuilt:
    path: Path
    kept_aside: Path
    jobs: list[Job]
    lost: list[int]


def rebuild(path: Path, modes: KnownModes) -> Rebuilt:
    """Replace ``path`` by a new history holding what it still holds; the old file is kept
    aside. HistoryError when another live process is using it (quit it first)."""
    path = Path(path)
    conn = open_read_only(path)
    try:
        found = salvage(conn, modes)
    finally:
        conn.close()
    pid = _busy_owner(found)
    if pid is not None:
        raise HistoryError(
            f"jimeng-tui process {pid} is using {path}; quit it (or let it finish), then "
            "run the rebuild again. Nothing was changed."
        )
    jobs = found.recovered()
    stamp = timestamp()
    fresh = free_name(path, "rebuilding", stamp)
    try:
        _write(fresh, jobs, found.max_id)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            fresh.unlink()  # our own half-written file; the damaged one is untouched
        if isinstance(exc, sqlite3.DatabaseError | OSError):  # a full disk, most likely
            raise database_error(path, exc) from exc
        raise
    aside = free_name(path, "damaged", stamp)
    os.rename(path, aside)  # the -wal belongs to the file: it goes with it, under its name
    for suffix in ("-wal", "-shm"):
        companion = Path(f"{path}{suffix}")
        if companion.exists():
            os.rename(companion, Path(f"{aside}{suffix}"))
    make_private(aside)
    os.rename(fresh, path)
    return Rebuilt(path=path, kept_aside=aside, jobs=jobs, lost=found.lost())


def _write(fresh: Path, jobs: list[Job], max_id: int) -> None:
    """A new history file at ``fresh`` with ``jobs``, ids kept (the FTS index fills itself)."""
    history = History(fresh)  # the current schema, 0600
    history.close()
    conn = sqlite3.connect(fresh, isolation_level=None)
    try:
        sql = (
            f"INSERT INTO jobs ({', '.join(JOB_FIELDS)}) "
            f"VALUES ({', '.join('?' for _ in JOB_FIELDS)})"
        )
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(sql, [_to_row(job, JOB_FIELDS) for job in jobs])
        # ids of lost rows are never given again (a batch run may still name them)
        top = max([max_id, *(job.id or 0 for job in jobs)])
        conn.execute("DELETE FROM sqlite_sequence WHERE name = 'jobs'")
        conn.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('jobs', ?)", (top,))
        conn.execute("COMMIT")
        conn.execute("PRAGMA journal_mode = DELETE")  # one file to move; WAL again when opened
    finally:
        conn.close()
