"""The first stages of a job: submit it once, then poll the task until it ends.

A mixin of :class:`~jimeng_tui.jobs.runner.Runner` (kept apart to keep each file readable). It
talks to the service only through the interface: what to do after an error is the service's
``classify`` answer (an ``Outcome``), never one service's error codes.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any

from jimeng_tui.domain.errors import JimengError
from jimeng_tui.domain.events import JobNotice
from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.jobs import saving
from jimeng_tui.jobs.remote import CANCELLED_ON_SERVICE, error_code, request_of, status_word
from jimeng_tui.jobs.save_stage import _jitter
from jimeng_tui.jobs.unknown_submit import way_out
from jimeng_tui.services.base import (
    Outcome,
    RemoteStatus,
    ServiceFailure,
    WireBody,
    wire_body,
)

if TYPE_CHECKING:
    from jimeng_tui.domain.events import Event
    from jimeng_tui.jobs.poll_schedule import PollSchedule
    from jimeng_tui.jobs.throttle import Throttle
    from jimeng_tui.services.base import Service
    from jimeng_tui.store.history import History

log = logging.getLogger(__name__)

S = JobState
SUBMIT_REFUSALS = 8  # safe-to-resend refusals (50429/50500/...) before a job gives up
# Refusals after which the service certainly made no task: the job goes back to the queue.
RESEND = frozenset({Outcome.RETRY, Outcome.SLOWER, Outcome.WHEN_TASK_ENDS})


class SubmitStage:
    """queued → submitting → in_queue → generating → done, for Runner."""

    if TYPE_CHECKING:  # provided by Runner
        settings: Any

        def service_for(self, job: Job) -> Service: ...
        def throttle_for(self, job: Job) -> Throttle: ...

        poll_schedule: PollSchedule
        _bodies: dict[int, WireBody]
        history: History

        async def _save(self, job: Job, *, must_land: bool = False) -> None: ...

        async def _set(
            self, job: Job, state: JobState, *, must_land: bool = False, **changes: Any
        ) -> None: ...
        async def _fail(
            self, job: Job, code: int | str | None, message: str, *, request_id: str | None = None
        ) -> None: ...
        async def _expire(self, job: Job, message: str) -> None: ...
        def _emit(self, event: Event) -> None: ...

    async def _submit(self, job: Job) -> bool:
        """One submit attempt. Returns whether the job now holds a slot on the service."""
        assert job.id is not None
        service, throttle = self.service_for(job), self.throttle_for(job)
        request = request_of(service, job)
        body = self._bodies.get(job.id)
        if body is None:
            service.validate(request)
            try:
                body = wire_body(await service.build_body(request))
            except JimengError as exc:
                await self._fail(job, None, f"the input image is no longer usable: {exc}")
                return False
            self._bodies[job.id] = body
        await throttle.acquire_task()
        await throttle.acquire_request()
        sent_at = time.time()
        job.meta.sent_body = body.redacted  # for the sidecar, without image data
        job.meta.endpoint = service.endpoint  # where the task is held
        await self._set(job, S.SUBMITTING)
        try:
            result = await service.submit(body)
        except BaseException as exc:
            throttle.release_task(ended=False)  # no task of ours is running
            if not isinstance(exc, JimengError):
                raise
            await self._refused(job, service.classify(exc, during_submit=True), sent_at)
            return False
        job.meta.refusals = 0
        now = time.time()
        # The service has created (and will bill) the task: its id reaches the disk even if
        # this job is being cancelled this very moment (Ctrl+C), or a restart could only call
        # it submit_unknown.
        await self._set(
            job,
            S.IN_QUEUE,
            must_land=True,
            task_id=result.task_id,
            request_id=result.request_id,
            submitted_at=now,
            error_code=None,
            error_message=None,
        )
        log.info("job %s submitted: task %s (%s)", job.id, result.task_id, result.sent_body)
        self.poll_schedule.submitted(job)
        return True

    async def _refused(self, job: Job, failure: ServiceFailure, sent_at: float) -> None:
        """After a submit that made no task (or may have made one: never sent again)."""
        assert job.id is not None
        if failure.outcome is Outcome.UNKNOWN:
            await self._submit_unknown(job, failure.message, sent_at)
            return
        code = error_code(failure)
        if failure.outcome not in RESEND:
            await self._fail(job, code, failure.message, request_id=failure.request_id)
            return
        # The service says no task was created: back to the queue and try later.
        refusals = job.meta.refusals + 1
        job.meta.refusals = refusals
        if refusals > SUBMIT_REFUSALS:
            await self._fail(job, code, failure.message, request_id=failure.request_id)
            return
        await self._set(job, S.QUEUED)
        self._emit(JobNotice(job.id, f"{failure.code} {failure.message}: waiting to submit again"))
        if failure.outcome is Outcome.WHEN_TASK_ENDS:
            await self.throttle_for(job).wait_for_task_end(
                _jitter(self.settings.concurrency_wait_s)
            )
        else:
            await asyncio.sleep(_jitter(min(30.0, 0.5 * 2**refusals)))

    async def _submit_unknown(self, job: Job, message: str, sent_at: float) -> None:
        """submit_unknown, with the way out where the service lists its tasks: the tasks
        made around ``sent_at`` that the history does not know (adopt one, or send again)."""
        await self._set(job, S.SUBMIT_UNKNOWN, error_message=message)
        extra = await way_out(self.service_for(job), self.history, job, sent_at=sent_at)
        if extra:
            job.error_message = f"{message.rstrip('. ')}. {extra}"
            await self._save(job)

    async def _poll(self, job: Job) -> None:
        """Poll until the task leaves in_queue/generating, without overlapping polls."""
        assert job.task_id is not None
        service, throttle = self.service_for(job), self.throttle_for(job)
        request = request_of(service, job)
        first = job.poll_count == 0
        interval = self.settings.poll_interval
        skipped = 0  # polls the schedule left out before the first: the bound counts them
        unfinished_at: float | None = None  # when a poll last found the task unfinished
        while job.state in (S.IN_QUEUE, S.GENERATING):
            if job.poll_count + skipped >= self.settings.max_poll_attempts:
                waited = (job.poll_count + skipped) * interval
                await self._fail(
                    job,
                    None,
                    f"gave up after {job.poll_count} polls ({waited:.0f} s); the task may still "
                    f"finish: jimeng-tui wait {job.task_id}",
                )
                return
            if not first:
                await asyncio.sleep(interval)
            elif self.settings.adaptive_polling:
                delay = await self.poll_schedule.first_poll_delay(
                    job, interval=interval, in_flight=throttle.running
                )
                if delay > 0:
                    skipped = int(delay // interval)
                    await asyncio.sleep(delay)
            first = False
            await throttle.acquire_request()
            sent_at = time.time()
            try:
                view = await service.query(job.task_id, request)
            except JimengError as exc:
                failure = service.classify(exc, during_submit=False)
                if failure.outcome is Outcome.NO_RETRY:
                    code = error_code(failure)
                    await self._fail(job, code, failure.message, request_id=failure.request_id)
                    return
                job.poll_count += 1
                if not failure.code:  # no answer at all (a service's own limit needs no word)
                    self._emit(JobNotice(job.id or 0, f"poll failed, will try again: {exc}"))
                continue
            job.poll_count += 1
            status = view.status
            if status in (RemoteStatus.QUEUED, RemoteStatus.RUNNING):
                unfinished_at = sent_at  # the task needs longer than this: poll_schedule learns
            if view.usage_tokens is not None:  # what the service counted (Ark's tokens)
                job.meta.usage_tokens = view.usage_tokens
            if status is RemoteStatus.SUCCEEDED and view.video_url and view.failure is None:
                job.meta.last_frame_url = view.last_frame_url  # saved beside the video
                await self._set(
                    job,
                    S.DONE,
                    video_url=view.video_url,
                    url_fetched_at=time.time(),
                    finished_at=time.time(),
                )
                self.poll_schedule.finished(job, unfinished_at=unfinished_at, interval=interval)
            elif status is RemoteStatus.CANCELLED:  # `jimeng-tui cancel`, or the web console
                await self._set(job, S.CANCELLED, error_message=CANCELLED_ON_SERVICE)
            elif status in (RemoteStatus.SUCCEEDED, RemoteStatus.FAILED):
                ended = view.failure
                code = error_code(ended) if ended else None
                message = ended.message if ended else f"the task ended {status_word(view)}"
                await self._fail(job, code, message)
            elif status is RemoteStatus.RUNNING and job.state is not S.GENERATING:
                await self._set(job, S.GENERATING)
            elif status is RemoteStatus.QUEUED and job.state is not S.IN_QUEUE:
                await self._set(job, S.IN_QUEUE)
            elif status is RemoteStatus.EXPIRED:
                await self._expire(job, saving.gone_message(status_word(view)))
            # A poll that changes nothing writes nothing: the count only bounds this run.
