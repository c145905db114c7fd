"""Cancelling a job, on the service when it allows it (issue 15 item 7): the one place the CLI's
``jimeng-tui cancel`` and the studio's cancel key both go through.

A mixin of :class:`~jimeng_tui.jobs.runner.Runner`. What the service allows is in its
``Capabilities.can_cancel`` (the remote states a cancel is accepted in): Seedance (Ark) cancels a
queued task only; Jimeng 3.0 has no cancel, so a job there is only no longer followed here. A task
that is running, or has ended, is never touched: Ark's DELETE on a finished task would delete its
record (and its paid video), so ``Service.cancel`` reads the task first.
"""

from __future__ import annotations

import asyncio
import enum
import os
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from jimeng_tui.domain.errors import JimengError
from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.jobs.remote import CANCELLED_ON_SERVICE, request_of, status_word
from jimeng_tui.services.base import RemoteStatus

if TYPE_CHECKING:
    from jimeng_tui.services.base import Service
    from jimeng_tui.store.history import History

S = JobState
FOLLOWED = frozenset({S.IN_QUEUE, S.GENERATING})  # the service holds a task that has not ended
CLAIM_FRESH_S = 30.0  # a claim younger than this is a live process's (runner.STALE_CLAIM_S)


class CancelResult(enum.StrEnum):
    CANCELLED = "cancelled"  # the service cancelled the task; the job ended cancelled
    STOPPED_HERE = "stopped_here"  # the job ended cancelled here; the service was not asked
    REFUSED_RUNNING = "refused_running"  # the service does not cancel a running task
    ALREADY_ENDED = "already_ended"  # the job (or its task) had ended: nothing was changed
    FOLLOWED_ELSEWHERE = "followed_elsewhere"  # another process follows it (no remote cancel)


@dataclass(frozen=True)
class CancelOutcome:
    result: CancelResult
    job: Job  # as it is now
    message: str  # what happened, for the user

    @property
    def cancelled(self) -> bool:
        return self.result in (CancelResult.CANCELLED, CancelResult.STOPPED_HERE)


class CancelStage:
    """``cancel_remote`` for Runner."""

    if TYPE_CHECKING:  # provided by Runner
        history: History

        def service_for(self, job: Job) -> Service: ...
        def cancel(self, job_id: int) -> None: ...

    async def cancel_remote(self, job_id: int) -> CancelOutcome:
        """Cancel job ``job_id``: on the service when its task is in a state the service
        cancels (the job ends ``cancelled``), else say why not; a service without a cancel
        (Jimeng 3.0) or a job without a task is only stopped here. Raises JimengError when
        the job is unknown or the service could not be asked (nothing changed)."""
        job = await self._job(job_id)
        label = f"job {job_id}" + (f" (task {job.task_id})" if job.task_id else "")
        if job.is_final:
            return CancelOutcome(
                CancelResult.ALREADY_ENDED, job, f"{label} has already ended ({job.state})"
            )
        if job.task_id is None or job.state not in FOLLOWED:
            return await self._stop_here(job, f"{label} {_why_local(job)}")
        service = self.service_for(job)
        caps = service.capabilities()
        if not caps.can_cancel and (pid := _followed_elsewhere(job)) is not None:
            return CancelOutcome(  # marking it here would not stop that process
                CancelResult.FOLLOWED_ELSEWHERE,
                job,
                f"{label} is followed by another jimeng-tui process (pid {pid}): {caps.label} "
                "has no cancel, so stop that process (Ctrl-C) to stop following the task",
            )
        if not caps.can_cancel:
            return await self._stop_here(
                job,
                f"{label} is no longer followed here: {caps.label} has no cancel, so the task "
                "may still finish on the service (and be billed)",
            )
        if await service.cancel(job.task_id):
            await self._stop(job_id)
            ended = await self._job(job_id)
            if ended.state is S.CANCELLED and not ended.error_message:
                ended.error_message = CANCELLED_ON_SERVICE  # what the job's details say
                await asyncio.to_thread(self.history.save, ended)
            return CancelOutcome(
                CancelResult.CANCELLED,
                await self._job(job_id),
                f"{label} cancelled: {caps.label} removed the queued task (nothing is billed)",
            )
        view = await service.query(job.task_id, request_of(service, job))
        word = status_word(view)
        if view.status is RemoteStatus.RUNNING:
            return CancelOutcome(
                CancelResult.REFUSED_RUNNING,
                job,
                f"{label} is running: {caps.label} does not allow cancelling a running task "
                "(it only cancels queued ones); it will finish and be billed, and the job "
                "follows it as usual",
            )
        return CancelOutcome(
            CancelResult.ALREADY_ENDED,
            job,
            f"{label} was not cancelled: the task is {word} on {caps.label}; the job follows "
            "it as usual",
        )

    async def _job(self, job_id: int) -> Job:
        job = await asyncio.to_thread(self.history.get, job_id)
        if job is None:
            raise JimengError(f"no job {job_id} in the history")
        return job

    async def _stop(self, job_id: int) -> None:
        """The job ends cancelled here (its drive, when this process runs it, stops)."""
        self.cancel(job_id)
        for _ in range(100):  # a drive of this process records it as it unwinds
            job = await self._job(job_id)
            if job.is_final:
                return
            await asyncio.sleep(0.01)

    async def _stop_here(self, job: Job, message: str) -> CancelOutcome:
        assert job.id is not None
        await self._stop(job.id)
        return CancelOutcome(CancelResult.STOPPED_HERE, await self._job(job.id), message)


def _followed_elsewhere(job: Job) -> int | None:
    """The pid of another live process driving ``job`` (its claim's heartbeat is fresh)."""
    pid = job.owner_pid
    if pid is None or pid == os.getpid():
        return None
    if (job.heartbeat_at or 0.0) < time.time() - CLAIM_FRESH_S:
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid


def _why_local(job: Job) -> str:
    if job.task_id is None and job.state in (S.DRAFT, S.QUEUED):
        return "cancelled: it had not been sent, nothing is billed"
    if job.task_id is None:  # submitting: the answer is on its way
        return (
            "is no longer followed here: its submit was in flight, so a task may have been "
            "made (and may be billed)"
        )
    return (  # done, downloading, conforming, save_failed
        "is no longer followed here: its task had finished (billed); "
        f"`jimeng-tui wait {job.task_id}` still saves the video while the service keeps it"
    )
