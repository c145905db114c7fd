"""The history database's schema, as an ordered list of migrations.

``PRAGMA user_version`` holds how many have been applied. Never edit a published migration:
append a new one. A database with a higher version than ``len(MIGRATIONS)`` was written by a
newer jimeng-tui and is refused (History raises HistoryError).

A step is an SQL statement, or a function given the connection for what SQL alone cannot do
(rewriting JSON with this version's rules). Every migration runs in one transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

from jimeng_tui.domain.meta import split_params

Step = str | Callable[[sqlite3.Connection], None]


def add_meta_column(conn: sqlite3.Connection) -> None:
    """Schema 4's column; present already when a file's version was set back by hand."""
    if "meta" not in {str(r[1]) for r in conn.execute("PRAGMA table_info(jobs)")}:
        conn.execute("ALTER TABLE jobs ADD COLUMN meta TEXT NOT NULL DEFAULT '{}'")


def move_params_to_meta(conn: sqlite3.Connection) -> None:
    """Schema 4: bookkeeping keys (``_batch``, ``_request_body``, ``_service``, ``_refusals``,
    ``_link_dropped``, ``output``, any other ``_`` key) leave ``params`` for ``meta``."""
    rows = conn.execute("SELECT id, params FROM jobs WHERE params != '{}'").fetchall()
    for job_id, text in rows:
        try:
            params = json.loads(text) if text else {}
        except ValueError:
            continue  # not JSON: left exactly as it was (the row reads as before)
        if not isinstance(params, dict):
            continue
        request, meta = split_params(params)
        conn.execute(
            "UPDATE jobs SET params = ?, meta = ? WHERE id = ?",
            (
                json.dumps(request, ensure_ascii=False, sort_keys=True),
                json.dumps(meta.to_json(), ensure_ascii=False, sort_keys=True),
                job_id,
            ),
        )


MIGRATIONS: tuple[tuple[Step, ...], ...] = (
    # 1: the jobs table, one column per Job field (params and image_hashes as JSON text)
    (
        """
        CREATE TABLE jobs (
            id              INTEGER PRIMARY KEY AUTOINCREMENT,
            created_at      REAL    NOT NULL,
            prompt          TEXT    NOT NULL DEFAULT '',
            mode            TEXT    NOT NULL,
            req_key         TEXT    NOT NULL,
            params          TEXT    NOT NULL DEFAULT '{}',
            state           TEXT    NOT NULL,
            image_hashes    TEXT    NOT NULL DEFAULT '[]',
            task_id         TEXT,
            request_id      TEXT,
            video_url       TEXT,
            url_fetched_at  REAL,
            submitted_at    REAL,
            finished_at     REAL,
            saved_at        REAL,
            updated_at      REAL,
            error_code      INTEGER,
            error_message   TEXT,
            path            TEXT,
            source_path     TEXT,
            sidecar_path    TEXT,
            size_bytes      INTEGER,
            duration_s      REAL,
            fps             REAL,
            width           INTEGER,
            height          INTEGER,
            poll_count      INTEGER NOT NULL DEFAULT 0,
            favourite       INTEGER NOT NULL DEFAULT 0,
            owner_pid       INTEGER,
            heartbeat_at    REAL
        )
        """,
        # created_at second: a filtered list in date order is read straight from the index,
        # even before ANALYZE has statistics (tests/benchmarks/bench_history.py)
        "CREATE INDEX jobs_created_at ON jobs(created_at)",
        "CREATE INDEX jobs_state ON jobs(state, created_at)",
        "CREATE INDEX jobs_mode ON jobs(mode, created_at)",
        "CREATE INDEX jobs_task_id ON jobs(task_id)",
        "CREATE INDEX jobs_favourite ON jobs(favourite, created_at)",
        "CREATE INDEX jobs_duration ON jobs(duration_s, created_at)",
    ),
    # 2: full-text search on prompts. The trigram tokenizer matches any substring of 3+ characters,
    # which also serves Chinese (no spaces between words); shorter queries use LIKE.
    (
        """
        CREATE VIRTUAL TABLE jobs_fts USING fts5(
            prompt, content='jobs', content_rowid='id', tokenize='trigram'
        )
        """,
        """
        CREATE TRIGGER jobs_fts_insert AFTER INSERT ON jobs BEGIN
            INSERT INTO jobs_fts(rowid, prompt) VALUES (new.id, new.prompt);
        END
        """,
        """
        CREATE TRIGGER jobs_fts_delete AFTER DELETE ON jobs BEGIN
            INSERT INTO jobs_fts(jobs_fts, rowid, prompt) VALUES ('delete', old.id, old.prompt);
        END
        """,
        """
        CREATE TRIGGER jobs_fts_update AFTER UPDATE OF prompt ON jobs
        WHEN old.prompt IS NOT new.prompt BEGIN
            INSERT INTO jobs_fts(jobs_fts, rowid, prompt) VALUES ('delete', old.id, old.prompt);
            INSERT INTO jobs_fts(rowid, prompt) VALUES (new.id, new.prompt);
        END
        """,
        "INSERT INTO jobs_fts(jobs_fts) VALUES ('rebuild')",
    ),
    # 3: a job whose task finished with a video but whose save failed here was ended as
    # "failed" by older versions; the video is still on the service for 12 hours after the
    # submit, so such a job becomes the recoverable save_failed (finished by resume/wait).
    (
        """
        UPDATE jobs SET state = 'save_failed'
        WHERE state = 'failed' AND task_id IS NOT NULL AND finished_at IS NOT NULL
          AND COALESCE(submitted_at, created_at) > CAST(strftime('%s', 'now') AS REAL) - 43200
        """,
    ),
    # 4: job.params holds the request alone; what jimeng-tui records about a job moves to meta
    # (domain/meta.py), a JSON object. Unknown "_" keys are kept there under "extra".
    (
        add_meta_column,
        move_params_to_meta,
    ),
)

SCHEMA_VERSION = len(MIGRATIONS)


def run_step(conn: sqlite3.Connection, step: Step) -> None:
    if isinstance(step, str):
        conn.execute(step)
    else:
        step(conn)
