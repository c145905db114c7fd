"""The jobs the agent server drives: start, idempotency keys, waiting, cancel, retry, re-run.

One engine (``session.open_engine``) for the server's life, so jobs go through the same runner,
history, claims and throttle as the CLI and the TUI: a job another live process drives is
followed through its row, never driven twice. Every job is driven in a background task that
outlives the tool call that started it; on shutdown those tasks are cancelled without marking
the jobs (the next start resumes them, as the TUI does).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import statistics
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from jimeng_tui.agent.facts import FINGERPRINT_KEY, IDEMPOTENCY_KEY, progress_percent
from jimeng_tui.agent.inputs import fingerprint
from jimeng_tui.agent.jobs import make_job, make_rerun
from jimeng_tui.domain.errors import JimengError, ValidationError
from jimeng_tui.domain.events import JobChanged
from jimeng_tui.domain.job import REMOTE_STATES, Job, JobState
from jimeng_tui.domain.meta import JobMeta
from jimeng_tui.domain.request import VideoInput
from jimeng_tui.jobs.follow import drive_or_follow

if TYPE_CHECKING:
    from jimeng_tui.jobs.engine import Engine

log = logging.getLogger(__name__)
S = JobState
SUBMIT_WAIT_S = 10.0  # generate waits this long at most for the service's answer to the submit
ROW_CHECK_S = 1.0  # a waiter rereads the row this often (another process may drive the job)

# (progress 0..100, a short message) → sent to the client as a progress notification
ProgressFn = Callable[[float, str], Awaitable[None]]


@dataclass(frozen=True)
class Submitted:
    job: Job
    notes: tuple[str, ...] = ()
    reused: bool = False  # an earlier job with the same idempotency key


class JobDesk:
    def __init__(self, base_dir: Path):
        self.base_dir = base_dir  # relative image paths are taken from here
        self._engine: Engine | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._drives: dict[int, asyncio.Task[Job | None]] = {}
        self._wakeups: set[asyncio.Event] = set()
        self._key_lock = asyncio.Lock()
        self.resumed: set[int] = set()  # jobs picked up when the server started

    @property
    def engine(self) -> Engine:
        assert self._engine is not None, "JobDesk.attach(engine) first"
        return self._engine

    def attach(self, engine: Engine) -> None:
        """Use ``engine`` (call from the server's event loop)."""
        self._engine = engine
        self._loop = asyncio.get_running_loop()

    def on_event(self, event: object) -> None:
        """The engine's listener: a job's row changed, so whoever waits on a job looks. Some
        events come from the download's worker threads: the wake-up is handed to the loop."""
        if not isinstance(event, JobChanged) or self._loop is None:
            return
        try:
            here = asyncio.get_running_loop() is self._loop
        except RuntimeError:
            here = False
        if here:
            self._wake()
        else:
            self._loop.call_soon_threadsafe(self._wake)

    def _wake(self) -> None:
        for wakeup in self._wakeups:
            wakeup.set()

    # --- reading ---------------------------------------------------------------------------
    async def get(self, job_id: int) -> Job:
        job = await asyncio.to_thread(self.engine.history.get, job_id)
        if job is None:
            raise ValidationError("job_id", f"no job {job_id} in the history")
        return job

    async def find(self, job_id: int | None, task_id: str | None) -> Job:
        if job_id is not None:
            return await self.get(job_id)
        if task_id:
            job = await asyncio.to_thread(self.engine.history.find_task, task_id.strip())
            if job is None:
                raise ValidationError("task_id", f"no job with task {task_id} in the history")
            return job
        raise ValidationError("job_id", "give job_id or task_id")

    # --- driving ---------------------------------------------------------------------------
    def resume_all(self) -> list[int]:
        """Drive every unfinished job no live process drives (as ``jimeng-tui resume``)."""
        ids = [job.id for job in self.engine.runner.resumable() if job.id is not None]
        for job_id in ids:
            self.resumed.add(job_id)
            self._start(job_id)
        return ids

    def _start(self, job_id: int) -> None:
        running = self._drives.get(job_id)
        if running is None or running.done():
            self._drives[job_id] = asyncio.create_task(self._drive(job_id), name=f"job-{job_id}")

    async def _drive(self, job_id: int) -> Job | None:
        try:
            return await drive_or_follow(self.engine.runner, job_id)
        except JimengError as exc:
            log.warning("job %s could not be driven: %s", job_id, exc)
            return None
        except Exception:  # the runner ends a job's row on a bug; this only keeps it quiet
            log.exception("job %s stopped by an unexpected error", job_id)
            return None
        finally:
            self._wake()

    def _is_driven_here(self, job_id: int) -> bool:
        task = self._drives.get(job_id)
        return task is not None and not task.done()

    # --- generate --------------------------------------------------------------------------
    async def generate(self, fields: VideoInput, *, idempotency_key: str | None) -> Submitted:
        """Make the job and start driving it; with a key already used, that key's job."""
        if not idempotency_key:
            new = await make_job(self.engine, fields, self.base_dir, meta=JobMeta())
            assert new.job.id is not None
            self._start(new.job.id)
            return Submitted(new.job, new.notes)
        async with self._key_lock:
            earlier = await self._key_job(idempotency_key)
            print_ = fingerprint(fields)
            if earlier is not None:
                return self._reuse(earlier, idempotency_key, print_)
            meta = JobMeta(extra={IDEMPOTENCY_KEY: idempotency_key, FINGERPRINT_KEY: print_})
            new = await make_job(self.engine, fields, self.base_dir, meta=meta)
            assert new.job.id is not None
            # another server on the same history may have made one meanwhile: the oldest wins
            # (ours is queued, never sent), so only one is ever submitted
            first = await self._key_job(idempotency_key)
            if first is not None and first.id != new.job.id:
                await asyncio.to_thread(self.engine.history.delete, new.job.id)
                return self._reuse(first, idempotency_key, print_)
            self._start(new.job.id)
            return Submitted(new.job, new.notes)

    async def _key_job(self, key: str) -> Job | None:
        jobs = await asyncio.to_thread(
            self.engine.history.find_meta, {f"$.extra.{IDEMPOTENCY_KEY}": key}
        )
        return jobs[0] if jobs else None

    def _reuse(self, job: Job, key: str, print_: str) -> Submitted:
        if job.meta.extra.get(FINGERPRINT_KEY) != print_:
            raise ValidationError(
                "idempotency_key",
                f"{key!r} was already used for job {job.id} with other parameters; use a new "
                "key for a new generation (or the same parameters to get that job)",
            )
        if not job.is_final and job.id is not None:
            self._start(job.id)  # e.g. left by an earlier run: make sure it moves
        return Submitted(job, reused=True)

    async def wait_submitted(self, job_id: int, timeout: float) -> Job:
        """The job once the service has answered its submit (or it ended, or time is up)."""
        return await self.wait(job_id, timeout, until=_submitted)

    # --- waiting ---------------------------------------------------------------------------
    async def wait(
        self,
        job_id: int,
        timeout: float,
        progress: ProgressFn | None = None,
        *,
        until: Callable[[Job], bool] | None = None,
    ) -> Job:
        """The job once it has ended (or ``until`` holds) or ``timeout`` seconds have passed,
        calling ``progress`` when it moves. An unfinished job nobody drives is driven; one
        whose save failed is not (``retry_job`` asks for that), so it returns at once."""
        until = until or (lambda j: j.is_final)
        job = await self.get(job_id)
        if not job.is_final and job.state is not S.SAVE_FAILED:
            self._start(job_id)  # drives it, or follows the process that does
        wakeup = asyncio.Event()
        self._wakeups.add(wakeup)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        typical = await asyncio.to_thread(self._typical_seconds, job.mode)
        sent = -1.0  # progress only ever goes up (the protocol's rule)
        try:
            while True:
                job = await self.get(job_id)
                percent = round(progress_percent(job, typical), 1)
                if progress is not None and percent > sent:
                    sent = percent
                    await progress(percent, f"job {job_id}: {job.state}")
                remaining = deadline - loop.time()
                stopped = not job.is_final and not self._is_driven_here(job_id)
                if until(job) or stopped or remaining <= 0:
                    return job
                wakeup.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wakeup.wait(), min(ROW_CHECK_S, remaining))
        finally:
            self._wakeups.discard(wakeup)

    def _typical_seconds(self, mode: str) -> float | None:
        seconds = self.engine.history.recent_generation_seconds(mode, limit=10)
        return statistics.median(seconds) if seconds else None

    # --- cancel, retry, re-run -------------------------------------------------------------
    async def cancel(self, job_id: int) -> Job:
        job = await self.get(job_id)
        if job.is_final:
            raise ValidationError("job_id", f"job {job_id} has already ended ({job.state})")
        free = {j.id for j in await asyncio.to_thread(self.engine.runner.resumable)}
        if not self._is_driven_here(job_id) and job_id not in free:
            raise ValidationError(
                "job_id",
                f"job {job_id} is being driven by another jimeng-tui process (pid "
                f"{job.owner_pid}): cancel it there",
            )
        task = self._drives.get(job_id)
        # on the service where it allows it (a queued Seedance task), else stopped here
        outcome = await self.engine.runner.cancel_remote(job_id)
        if not outcome.cancelled:
            raise ValidationError("job_id", outcome.message)
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        return await self.get(job_id)

    async def retry(self, job_id: int) -> tuple[Job, str]:
        """Finish or fetch again from the job's own task; never a new submit."""
        from jimeng_tui.jobs.redownload import redownload_job

        job = await self.get(job_id)
        if not job.is_final and job.state is not S.SAVE_FAILED:
            self._start(job_id)
            return job, "the job is unfinished: it is being driven (no new submit)"
        if job.state in (S.SAVED, S.SAVE_FAILED):
            outcome = await redownload_job(self.engine.runner, job_id)
            return outcome.job, outcome.message
        if job.state is S.SUBMIT_UNKNOWN:
            raise ValidationError(
                "job_id",
                f"job {job_id}'s submit got no answer, so a task may exist and be billed; it is "
                "never sent again. Check the Volcengine console; rerun_job makes a new, paid "
                "generation if no task exists",
            )
        what = (
            f"its task {job.task_id} ended without a video ({job.state})"
            if job.task_id
            else f"it never reached the service ({job.state})"
        )
        raise ValidationError(
            "job_id",
            f"job {job_id} has nothing to fetch again: {what}. rerun_job makes a new, paid "
            "generation with the same parameters",
        )

    async def rerun(self, job_id: int, *, idempotency_key: str | None) -> Submitted:
        """A new, paid generation with a past job's parameters."""
        past = await self.get(job_id)
        meta = JobMeta(extra={"rerun_of": job_id})
        if idempotency_key:
            async with self._key_lock:
                earlier = await self._key_job(idempotency_key)
                print_ = f"rerun:{job_id}"
                if earlier is not None:
                    return self._reuse(earlier, idempotency_key, print_)
                meta.extra.update({IDEMPOTENCY_KEY: idempotency_key, FINGERPRINT_KEY: print_})
                job = await make_rerun(self.engine, past, meta=meta)
        else:
            job = await make_rerun(self.engine, past, meta=meta)
        assert job.id is not None
        self._start(job.id)
        return Submitted(job)

    async def aclose(self) -> None:
        """Stop driving (the jobs stay where they are, for the next start)."""
        tasks = [t for t in self._drives.values() if not t.done()]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


def _submitted(job: Job) -> bool:
    return job.is_final or job.task_id is not None or job.state in REMOTE_STATES


__all__ = ["SUBMIT_WAIT_S", "JobDesk", "Submitted"]
