"""Drives jobs from the history through submit → poll → download → conform → saved.

Many jobs run at once on one event loop; each transition is a commit before anything else happens,
so a crash at any point leaves a row that the next start can pick up. A submit whose outcome is
unknown is never sent again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from jimeng_tui.domain.errors import JimengError
from jimeng_tui.domain.events import Event, JobChanged, JobNotice, ThrottleChanged, ThrottleState
from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.domain.meta import JobMeta
from jimeng_tui.jobs import saving
from jimeng_tui.jobs.attach_stage import AttachStage
from jimeng_tui.jobs.cancel_stage import CancelStage
from jimeng_tui.jobs.output_target import check_output
from jimeng_tui.jobs.poll_schedule import PollSchedule
from jimeng_tui.jobs.remote import has_video, request_of, status_word
from jimeng_tui.jobs.save_stage import SaveStage
from jimeng_tui.jobs.saving import SaveFailed
from jimeng_tui.jobs.submit_stage import SUBMIT_REFUSALS, SubmitStage
from jimeng_tui.jobs.throttle import Throttle
from jimeng_tui.pricing import SpendGuard, admit
from jimeng_tui.services.base import BuiltRequest, Service, WireBody, wire_body
from jimeng_tui.store.history import History

__all__ = [
    "NO_CREDENTIALS",
    "SUBMIT_REFUSALS",
    "ClaimedElsewhere",
    "NoCredentials",
    "Runner",
    "RunnerSettings",
]

log = logging.getLogger(__name__)

S = JobState
HEARTBEAT_S = 10.0
STALE_CLAIM_S = 30.0


@dataclass
class RunnerSettings:
    poll_interval: float = 5.0
    adaptive_polling: bool = True  # first poll near the earliest finish (jobs/poll_schedule.py)
    max_poll_attempts: int = 120
    max_concurrency: int = 5
    output_dir: Path = Path(".")
    output_dir_source: str = ""  # where output_dir was set, for messages
    filename_template: str = "{date}_{slug}_{task_id}"
    link_lifetime_s: float = 3600.0  # the default service's Capabilities.url_ttl_s
    task_lifetime_s: float = 12 * 3600.0  # Capabilities.task_ttl_s
    # the other services' (link, task) lifetimes by registry name (Ark keeps links 24 h)
    lifetimes: dict[str, tuple[float, float]] = field(default_factory=dict)
    finish_flags: str = ""  # what `jimeng-tui wait TASK` needs besides (" --sandbox")
    concurrency_wait_s: float = 15.0  # after a 50430 with none of our tasks running
    spend: SpendGuard | None = None  # prices and budget caps (issue 16); None: no caps


class ClaimedElsewhere(JimengError):
    """Another live process is driving this job."""


class NoCredentials(JimengError):
    """The job's service has no credentials here (the message says how to add them)."""


# Said when a runner was made with has_credentials=False and no message of its own.
NO_CREDENTIALS = (
    "no credentials: set VOLC_ACCESSKEY and VOLC_SECRETKEY, add them to the config file "
    "(jimeng-tui locate), or try the sandbox with --sandbox"
)


class Runner(SubmitStage, SaveStage, CancelStage, AttachStage):
    """Drives jobs on one or more services (each job on its own: ``job.meta.service_name``),
    which it talks to only through the ``Service`` interface, each behind its own throttle."""

    def __init__(
        self,
        *,
        service: Service | None = None,
        history: History,
        settings: RunnerSettings,
        on_event: Callable[[Event], None] | None = None,
        has_credentials: bool = True,
        services: Mapping[str, Service] | None = None,
        missing_credentials: Mapping[str, str] | None = None,
    ):
        if services is None:
            if service is None:
                raise ValueError("Runner needs a service or services")
            services = {service.name: service}
        # by registry name, the default service first (a request object not built by a codec)
        self.services: dict[str, Service] = dict(services)
        self.service = next(iter(self.services.values()))
        self.history = history
        self.settings = settings
        self.on_event = on_event
        self.throttles: dict[str, Throttle] = {}
        for name, each in self.services.items():
            limiter = Throttle(settings.max_concurrency)
            limiter.on_change = self._throttle_changed
            each.set_limit_listener(limiter.on_limit)
            self.throttles[name] = limiter
        self.throttle = next(iter(self.throttles.values()))
        # how to add the credentials of each registered service this runner cannot reach
        self.missing_credentials: dict[str, str] = dict(missing_credentials or {})
        if not has_credentials:
            self.missing_credentials.setdefault(next(iter(self.services)), NO_CREDENTIALS)
        self._download_http: httpx.Client | None = None
        self._pid = os.getpid()
        self._bodies: dict[int, WireBody] = {}  # built at create, sent by the first submit
        self._tasks: dict[int, asyncio.Task[Any]] = {}
        self._cancel_requested: set[int] = set()
        self._heartbeat_task: asyncio.Task[None] | None = None
        self._created: set[int] = set()  # rows born claimed here and not driven yet
        self.poll_schedule = PollSchedule(history.path)

    @property
    def has_credentials(self) -> bool:
        """Whether the default service can be sent to (older callers' question)."""
        return next(iter(self.services)) not in self.missing_credentials

    def service_named(self, name: str) -> Service:
        """The service ``name`` (a registry name); NoCredentials saying how to add its keys
        when this runner has none for it."""
        service = self.services.get(name)
        if service is None:
            raise NoCredentials(
                self.missing_credentials.get(name)
                or f"the service {name!r} is not set up here (add its credentials)"
            )
        return service

    def service_for(self, job: Job) -> Service:
        """The service that holds (or will hold) the job's task."""
        return self.service_named(job.meta.service_name)

    def _lifetimes(self, job: Job) -> tuple[float, float]:
        settings: RunnerSettings = self.settings
        default = (settings.link_lifetime_s, settings.task_lifetime_s)
        return settings.lifetimes.get(job.meta.service_name, default)

    def link_lifetime(self, job: Job) -> float:
        """How long the job's service keeps a video link, in seconds (scaled in the sandbox)."""
        return self._lifetimes(job)[0]

    def task_lifetime(self, job: Job) -> float:
        """How long the job's service keeps a task, in seconds (scaled in the sandbox)."""
        return self._lifetimes(job)[1]

    def throttle_for(self, job: Job) -> Throttle:
        return self.throttles.get(job.meta.service_name, self.throttle)

    # --- public API ------------------------------------------------------------------------
    @property
    def throttle_state(self) -> ThrottleState:
        return self.throttle.state

    async def create(
        self,
        built: BuiltRequest | object,
        *,
        output: Path | None = None,
        meta: JobMeta | None = None,
    ) -> Job:
        """Check the request and its images, then write the job row (state queued).

        ``built`` comes from ``jobs.request_builder.build_request`` (its service is the job's,
        recorded in ``meta.service``); a service's own request object goes to the default
        service. ``meta`` is kept with the row (a batch file's line).
        Raises NoCredentials (the service's keys are missing) or ValidationError / ImageError
        before anything is written or sent.
        """
        if isinstance(built, BuiltRequest):
            name = built.service
            service = self.service_named(name)
            request = service.request_from_params(built.params)
        else:
            name = next(iter(self.services))
            service, request = self.service, built
        if name in self.missing_credentials:
            raise NoCredentials(self.missing_credentials[name])
        service.validate(request)
        check_output(self.settings, output)  # before a submit, not after a paid one
        body = wire_body(await service.build_body(request))  # image preflight too
        summary = service.summary(request)
        meta = await admit(self.settings.spend, self.history, service, summary, meta)
        now = time.time()
        job = Job(
            id=None,
            created_at=now,
            updated_at=now,
            prompt=summary.prompt,
            mode=summary.model,
            req_key=summary.wire_model,
            params=dict(summary.params),
            state=S.QUEUED,
            image_hashes=list(body.image_hashes),
            path=str(output) if output else None,
            # born claimed by this process: a `resume` running meanwhile leaves it alone
            owner_pid=self._pid,
            heartbeat_at=now,
            meta=meta or JobMeta(),
        )
        job.meta.service = name
        if output:
            job.meta.output = str(output)
        job = await asyncio.to_thread(self.history.add, job)
        assert job.id is not None
        self._created.add(job.id)
        self._ensure_heartbeat()
        self._bodies[job.id] = body
        self._emit(JobChanged(job.copy()))
        for notice in body.notices:
            self._emit(JobNotice(job.id, notice))
        model = service.capabilities().model(summary.model)
        conform_note = model.conform_note(summary.duration_s, summary.fps)
        if conform_note:
            self._emit(JobNotice(job.id, conform_note))
        return job

    async def run(self, request: BuiltRequest | object, *, output: Path | None = None) -> Job:
        job = await self.create(request, output=output)
        assert job.id is not None
        return await self.drive(job.id)

    async def drive(self, job_id: int) -> Job:
        """Take the job and run it to a final state; returns the final job.

        Service errors end the job as failed. Cancelling the calling task without ``cancel()``
        (the app quitting) leaves the job where it is, for the next start to resume.
        """
        job = await asyncio.to_thread(self.history.get, job_id)
        if job is None:
            raise JimengError(f"no job {job_id} in the history")
        if job.is_final:
            return job
        self.service_for(job)  # NoCredentials: the job is left as it is, unclaimed
        throttle = self.throttle_for(job)
        claimed = await asyncio.to_thread(
            self.history.claim, job_id, self._pid, stale_after=STALE_CLAIM_S
        )
        if not claimed:
            self._created.discard(job_id)
            owner = await asyncio.to_thread(self.history.get, job_id)
            pid = owner.owner_pid if owner is not None else None
            raise ClaimedElsewhere(
                f"job {job_id} is being driven by another jimeng-tui process"
                + (f" (pid {pid})" if pid else "")
            )
        job = await asyncio.to_thread(self.history.get, job_id)
        assert job is not None
        current = asyncio.current_task()
        if current is not None:
            self._tasks[job_id] = current
        self._created.discard(job_id)
        self._ensure_heartbeat()
        holds_slot = False
        try:
            if job.state in (S.IN_QUEUE, S.GENERATING):
                throttle.adopt_task()
                holds_slot = True
            while not job.is_final:
                if job.state in (S.DRAFT, S.QUEUED):
                    holds_slot = await self._submit(job)
                elif job.state is S.SUBMITTING:
                    # A previous process died between sending and hearing back.
                    await self._submit_unknown(
                        job,
                        "the program stopped while the submit was in flight",
                        job.updated_at or job.created_at,
                    )
                elif job.state in (S.IN_QUEUE, S.GENERATING):
                    await self._poll(job)
                    if holds_slot and job.state not in (S.IN_QUEUE, S.GENERATING):
                        throttle.release_task(ended=True)
                        holds_slot = False
                elif job.state in (S.DONE, S.DOWNLOADING, S.CONFORMING, S.SAVE_FAILED):
                    await self._download(job)
                    if job.state is S.SAVE_FAILED:
                        break  # one attempt per drive: it waits there for the cause to go
            return job
        except Exception as exc:  # a bug must not leave the row in a working state
            log.exception("job %s stopped by an unexpected error", job_id)
            if not job.is_final:
                if job.state is S.SUBMITTING:
                    await self._set(job, S.SUBMIT_UNKNOWN, error_message=f"internal error: {exc!r}")
                elif job.task_succeeded:  # the task still holds the video
                    await self._save_failed(job, f"internal error: {exc!r}")
                else:
                    await self._fail(job, None, f"internal error: {exc!r}")
            return job
        except asyncio.CancelledError:
            if job_id in self._cancel_requested:
                self._cancel_requested.discard(job_id)
                if not job.is_final:
                    await self._set(job, S.CANCELLED)
                return job
            raise
        finally:
            if holds_slot:
                throttle.release_task(ended=False)
            self._tasks.pop(job_id, None)
            self._bodies.pop(job_id, None)
            with contextlib.suppress(Exception):
                await asyncio.to_thread(self.history.release, job_id, self._pid)

    def running_drives(self) -> dict[int, asyncio.Task[Any]]:
        """The drives under way: job id → its task. Safe from another thread (the copy is
        made in C, atomic under the GIL)."""
        return {job_id: t for job_id, t in dict(self._tasks).items() if not t.done()}

    def cancel(self, job_id: int) -> None:
        """Stop tracking a job and mark it cancelled (the service may still finish the task)."""
        task = self._tasks.get(job_id)
        if task is not None and not task.done():
            self._cancel_requested.add(job_id)
            task.cancel()
            return
        job = self.history.get(job_id)
        if job is not None and not job.is_final:
            saving.discard_leftover_part(job)
            job.transition(S.CANCELLED, updated_at=time.time())
            self.history.save(job)
            self._emit(JobChanged(job.copy()))

    def resumable(self) -> list[Job]:
        """Unfinished jobs that no live process is driving."""
        now = time.time()
        jobs = []
        for job in self.history.unfinished():
            if (
                job.owner_pid in (None, self._pid)
                or not _pid_alive(job.owner_pid)
                or (job.heartbeat_at or 0) < now - STALE_CLAIM_S
            ):
                jobs.append(job)
        return jobs

    async def redownload(self, job_id: int) -> Job:
        """Fetch a finished job's video again with a fresh link (task younger than 12 h)."""
        job = await asyncio.to_thread(self.history.get, job_id)
        if job is None or not job.task_id:
            raise JimengError("this job never reached the service: there is nothing to download")
        if job.state is S.SAVE_FAILED:  # finish it: the same task, a fresh link, its own name
            return await self.drive(job_id)
        age = time.time() - (job.submitted_at or job.created_at)
        if age > self.task_lifetime(job):
            raise JimengError(
                f"the task is {age / 3600:.1f} h old; the service keeps tasks about "
                f"{self.task_lifetime(job) / 3600:.0f} h, so it cannot be fetched again"
            )
        service = self.service_for(job)
        view = await service.query(job.task_id, request_of(service, job))
        if not has_video(view):
            raise JimengError(
                f"the service says the task is {status_word(view)!r}: no video to fetch"
            )
        job.video_url = view.video_url
        job.url_fetched_at = time.time()
        old_path = job.path
        job.path = None
        try:
            await self._fetch_and_save(job, final_state=None)
        except OSError as exc:
            raise SaveFailed(saving.describe_os_error(exc, self.settings.output_dir)) from exc
        if old_path and old_path != job.path:
            self._emit(JobNotice(job_id, f"saved again as {job.path}"))
        return job

    async def aclose(self) -> None:
        if self._heartbeat_task is not None:
            self._heartbeat_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat_task
            self._heartbeat_task = None
        for service in self.services.values():
            await service.aclose()
        if self._download_http is not None:
            self._download_http.close()
            self._download_http = None

    # --- bookkeeping -----------------------------------------------------------------------
    async def _set(
        self, job: Job, state: JobState, *, must_land: bool = False, **changes: Any
    ) -> None:
        old = job.state
        job.transition(state, updated_at=time.time(), **changes)
        log.info(
            "job %s %s → %s%s%s",
            job.id,
            old,
            state,
            f" task {job.task_id}" if job.task_id else "",
            f": {job.error_code or ''} {job.error_message}" if state is S.FAILED else "",
        )
        await self._save(job, must_land=must_land)

    async def _save(self, job: Job, *, must_land: bool = False) -> None:
        job.updated_at = time.time()
        if must_land:
            # In the executor at once, and shielded: a cancellation cannot stop the write (nor
            # can the loop's shutdown, which lets queued executor work finish); a cancelled
            # caller waits for it before it stops.
            saving = asyncio.get_running_loop().run_in_executor(None, self.history.save, job)
            try:
                await asyncio.shield(saving)
            except asyncio.CancelledError:
                with contextlib.suppress(BaseException):
                    await asyncio.wait([saving])
                raise
        else:
            await asyncio.to_thread(self.history.save, job)
        self._emit(JobChanged(job.copy()))

    async def _fail(
        self, job: Job, code: int | str | None, message: str, *, request_id: str | None = None
    ) -> None:
        changes: dict[str, Any] = {"error_code": code, "error_message": message}
        if request_id and not job.request_id:
            changes["request_id"] = request_id
        await self._set(job, S.FAILED, **changes)

    def _emit(self, event: Event) -> None:
        if self.on_event is not None:
            try:
                self.on_event(event)
            except Exception:  # a broken listener must not break a job
                log.exception("event listener failed")

    def _throttle_changed(self, state: ThrottleState) -> None:
        self._emit(ThrottleChanged(state))

    async def _get_download_http(self) -> httpx.Client:
        """The sync client download_to_part receives bodies with (in worker threads). Built in a
        thread: loading the TLS certificates takes tens of ms."""
        if self._download_http is None:
            client = await asyncio.to_thread(
                httpx.Client, timeout=httpx.Timeout(60.0, connect=15.0), follow_redirects=True
            )
            if self._download_http is None:
                self._download_http = client
            else:  # another download built one meanwhile
                client.close()
        return self._download_http

    def _ensure_heartbeat(self) -> None:
        if self._heartbeat_task is None or self._heartbeat_task.done():
            self._heartbeat_task = asyncio.create_task(self._heartbeat_loop())

    async def _heartbeat_loop(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_S)
            ids = [*self._tasks, *self._created]
            if ids:
                with contextlib.suppress(Exception):
                    await asyncio.to_thread(self.history.heartbeat, ids, self._pid)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
