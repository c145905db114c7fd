"""When to poll a task: never faster than the configured interval, and not long before the
task can have finished.

A task is rarely done before its model's usual generation time, and polling it before then
costs a request (and, on the service, a share of the account's request rate) for nothing.
The rule, with ``I`` the configured poll interval:

- ``earliest`` is the shortest time a task of the same model at the same endpoint is known
  to have needed, over the last ``SAMPLES`` jobs in the history (their submit → finish time
  less one interval: each was noticed up to an interval after it finished) and every job
  polled here since (the last time a poll found it unfinished, after its submit).
- The first poll of a task this runner submitted waits until ``submitted_at + earliest - I
  - phase``: an interval early, for round trips and a loaded machine. ``phase`` is 0 with
  one task in flight; with more, a share of one interval set by the job id, so tasks
  submitted together do not all poll in the same instant.
- Every later poll comes at least ``I`` after the previous poll's answer, as before.

So a task is polled no more often than every ``I``, its first poll comes before the earliest
its model has finished, and once it has finished it waits at most one interval (plus a
request's round trip) for the poll that sees it. With nothing learned yet (a new model, a new
endpoint: each sandbox has its own port), or for a task this runner did not submit (``wait
TASK``, a job resumed after a restart: its ``submitted_at`` may not be when the task began),
the first poll is at once: the fixed interval. A skipped poll counts toward
``max_poll_attempts``, so a job gives up after the same time as before.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

from jimeng_tui.domain.job import Job

SAMPLES = 20  # finished jobs per model and endpoint the earliest finish is learned from
_SPREAD = 0.6180339887498949  # the golden ratio's fraction: job ids spread evenly over [0, 1)


def fastest_recent_seconds(
    history_db: Path, mode: str, endpoint: str, samples: int = SAMPLES
) -> float | None:
    """The shortest ``finished_at - submitted_at`` among the last ``samples`` finished jobs of
    ``mode`` whose task was held at ``endpoint``; None when there is none (or the file cannot
    be read: polling then keeps the fixed interval)."""
    try:
        conn = sqlite3.connect(f"file:{history_db}?mode=ro", uri=True, timeout=5.0)
        try:
            row = conn.execute(
                "SELECT MIN(took) FROM (SELECT finished_at - submitted_at AS took FROM jobs "
                "WHERE mode = ? AND finished_at IS NOT NULL AND submitted_at IS NOT NULL "
                "AND finished_at >= submitted_at AND json_extract(meta, '$.endpoint') = ? "
                "ORDER BY created_at DESC, id DESC LIMIT ?)",
                (mode, endpoint, samples),
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return None if row is None or row[0] is None else float(row[0])


class PollSchedule:
    """A runner's memory of how fast each model finishes at each endpoint (learned from the
    history file at ``history_db``, then from the jobs that finish here) and of the tasks it
    submitted itself; applies the rule above."""

    def __init__(self, history_db: Path) -> None:
        self.history_db = history_db
        self._earliest: dict[tuple[str, str], float | None] = {}
        self._submitted_here: set[int] = set()

    def submitted(self, job: Job) -> None:
        """``job``'s task was made by this runner just now: its ``submitted_at`` is when."""
        if job.id is not None:
            self._submitted_here.add(job.id)

    def finished(self, job: Job, *, unfinished_at: float | None, interval: float) -> None:
        """``job``'s task was seen done; a poll sent at ``unfinished_at`` (None: none in this
        drive) had found it unfinished. Teaches the jobs after it."""
        key = _key(job)
        if key is None or job.id not in self._submitted_here or job.submitted_at is None:
            return
        if unfinished_at is not None:
            took = unfinished_at - job.submitted_at
        elif job.finished_at is not None:  # done at its first poll: when, it cannot tell
            took = job.finished_at - job.submitted_at - 2 * interval
        else:
            return
        known = self._earliest.get(key)
        self._earliest[key] = took if known is None else min(known, took)

    async def first_poll_delay(
        self, job: Job, *, interval: float, in_flight: int, now: float | None = None
    ) -> float:
        """Seconds to wait before the first poll of ``job``'s task in this drive (0: at once)."""
        key = _key(job)
        if key is None or job.id not in self._submitted_here or job.submitted_at is None:
            return 0.0
        if key not in self._earliest:
            fastest = await asyncio.to_thread(
                fastest_recent_seconds, self.history_db, key[1], key[0]
            )
            self._earliest[key] = None if fastest is None else fastest - interval
        earliest = self._earliest[key]
        if earliest is None:
            return 0.0
        assert job.id is not None
        phase = (job.id * _SPREAD) % 1.0 * interval if in_flight > 1 else 0.0
        due = job.submitted_at + earliest - interval - phase
        return max(0.0, due - (time.time() if now is None else now))


def _key(job: Job) -> tuple[str, str] | None:
    """(endpoint, model) of a job's task; None when the job does not say where it is held."""
    return (job.meta.endpoint, job.mode) if job.meta.endpoint else None


__all__ = ["SAMPLES", "PollSchedule", "fastest_recent_seconds"]
