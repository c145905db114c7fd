"""The last stage of a job: fetch the finished task's video and save it, verified, under its name.

A mixin of :class:`~jimeng_tui.jobs.runner.Runner` (kept apart to keep each file readable). The
task already holds the video, so nothing here ever submits: a failure on this side (see
:mod:`jimeng_tui.jobs.saving`) leaves the job in ``save_failed`` for the next drive, and only
the service saying it no longer holds the task ends it (``expired``).
"""

from __future__ import annotations

import asyncio
import random
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jimeng_tui.domain.errors import JimengError, ValidationError
from jimeng_tui.domain.events import DownloadProgress, JobNotice
from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.domain.prices import record_bill
from jimeng_tui.jobs import last_frame, links, media, saving
from jimeng_tui.jobs.download import (
    DownloadResult,
    LinkExpired,
    download_to_part,
    finalize_video,
    write_sidecar,
)
from jimeng_tui.jobs.naming import render_filename, unique_path
from jimeng_tui.jobs.remote import OutputPlan, has_video, output_plan, request_of, status_word
from jimeng_tui.jobs.saving import SaveFailed
from jimeng_tui.services.base import RemoteStatus, TransportError

if TYPE_CHECKING:
    import httpx

    from jimeng_tui.domain.events import Event
    from jimeng_tui.services.base import Service

S = JobState
LINK_MARGIN_S = 60.0  # refresh a video URL this long before it expires
DOWNLOAD_ATTEMPTS = 4


class SaveStage:
    """done → downloading → (conforming →) saved, for Runner."""

    if TYPE_CHECKING:  # provided by Runner
        settings: Any

        def service_for(self, job: Job) -> Service: ...
        def link_lifetime(self, job: Job) -> float: ...
        def task_lifetime(self, job: Job) -> float: ...

        async def _set(self, job: Job, state: JobState, **changes: Any) -> None: ...
        async def _save(self, job: Job) -> None: ...
        async def _fail(self, job: Job, code: int | str | None, message: str) -> None: ...
        def _emit(self, event: Event) -> None: ...
        async def _get_download_http(self) -> httpx.Client: ...

    async def _download(self, job: Job) -> None:
        if job.state is S.SAVE_FAILED:
            saving.forget_unusable_path(job)  # a changed output folder or template applies
            await self._set(job, S.DOWNLOADING)
        elif job.state is S.DONE:
            await self._set(job, S.DOWNLOADING)
        try:
            await self._fetch_and_save(job, final_state=S.SAVED)
        except SaveFailed as exc:
            await self._save_failed(job, exc.reason)
        except OSError as exc:  # the disk: full, read-only, not ours...
            where = Path(job.path).parent if job.path else self.settings.output_dir
            await self._save_failed(job, saving.describe_os_error(exc, where))

    async def _save_failed(self, job: Job, reason: str) -> None:
        saving.drop_empty_part(job)
        message = saving.save_failed_message(job, reason, self.settings.finish_flags)
        await self._set(job, S.SAVE_FAILED, error_code=None, error_message=message)

    async def _fetch_and_save(self, job: Job, *, final_state: JobState | None) -> None:
        """Download (with fresh links as needed), verify, conform, save; ``final_state`` None
        re-saves a finished job's file without touching its state. Raises SaveFailed or
        OSError when the video cannot be saved here (the caller decides the job's state)."""
        assert job.id is not None and job.task_id is not None
        request = output_plan(self.service_for(job), job)
        dest = Path(job.path) if job.path else self._plan_path(job)
        if job.path is None:
            job.path = str(dest)
            await self._save(job)
        part = dest.with_name(dest.name + ".part")
        first_file = saving.source_of(dest) if request.needs_conform else dest
        dest.parent.mkdir(parents=True, exist_ok=True)
        # A previous run of this job may have died after moving the verified file into place
        # and before recording it: the planned file is ours, so it is not fetched again.
        finished_before = (
            final_state is not None
            and job.state in (S.DOWNLOADING, S.CONFORMING)
            and first_file.exists()
            and not part.exists()
        )
        if finished_before:  # the run died between the move and clearing the part's .meta
            saving.discard_part(part)
        downloaded, lock = None, None
        try:
            if not finished_before:
                while (lock := await asyncio.to_thread(saving.lock_part, part)) is None:
                    dest = await self._take_free_name(job, dest, "is being saved")
                    part = dest.with_name(dest.name + ".part")
                downloaded = await self._download_part(job, part)
                if downloaded is None:
                    return
            if request.needs_conform and final_state is not None and job.state is not S.CONFORMING:
                await self._set(job, S.CONFORMING)
            dest, info = await self._finalize(job, part, dest, request, finished_before)
        except media.MediaError as exc:
            disk = saving.disk_error(exc)
            if disk is not None:  # writing the conformed file failed: the disk, not the video
                raise disk from exc
            # the next attempt downloads it again from the start
            saving.discard_part(part)
            saving.discard_part(saving.source_of(dest))
            raise SaveFailed(
                f"the downloaded file is not a usable video ({exc}); it was discarded"
            ) from exc
        finally:
            if lock is not None:
                lock.close()
        job.meta.has_audio = info.has_audio
        await self._keep_last_frame(job, dest)
        now = time.time()
        record_bill(job.meta)  # what it was billed, at the price kept with it (issue 16)
        facts = saving.sidecar_facts(job, info, now)
        if downloaded is not None:
            facts["served_sha256"] = downloaded.sha256  # of the service's file, as received
        sidecar = await asyncio.to_thread(write_sidecar, dest, facts)
        changes = dict(
            path=str(dest),
            sidecar_path=str(sidecar),
            size_bytes=info.size_bytes,
            duration_s=info.duration_s,
            fps=info.fps,
            width=info.width,
            height=info.height,
            saved_at=now,
        )
        if final_state is None:
            for name, value in changes.items():
                setattr(job, name, value)
            await self._save(job)
        else:
            await self._set(job, final_state, **changes)

    async def _keep_last_frame(self, job: Job, video: Path) -> None:
        """Save the service's last frame beside ``video`` when the task gave one; a failure
        is a notice (the video is what was paid for)."""
        url = job.meta.last_frame_url
        if not url:
            return
        try:
            http = await self._get_download_http()
            saved = await asyncio.to_thread(last_frame.save_last_frame, url, video, http)
        except last_frame.LastFrameUnavailable as exc:
            self._emit(JobNotice(job.id or 0, f"the last frame image was not saved: {exc}"))
            return
        job.meta.last_frame_path = str(saved)

    async def _finalize(
        self, job: Job, part: Path, dest: Path, request: OutputPlan, finished_before: bool
    ) -> tuple[Path, media.MediaInfo]:
        """Verify the part and give it its name (conformed when asked); returns where the video
        is and what it holds. A name another process took meanwhile (the same ``-o``) is never
        overwritten: the video goes under a free name beside it, with a notice."""
        if not request.needs_conform:
            if finished_before:
                return dest, await asyncio.to_thread(media.probe, dest)
            while True:
                try:
                    return await asyncio.to_thread(finalize_video, part, dest)
                except FileExistsError:
                    dest = await self._take_free_name(job, dest, "was saved")
        source = saving.source_of(dest)
        while not finished_before:
            try:
                await asyncio.to_thread(finalize_video, part, source)
                break
            except FileExistsError:
                dest = await self._take_free_name(job, dest, "was saved")
                source = saving.source_of(dest)
        job.source_path = str(source)
        if finished_before and dest.exists():
            return dest, await asyncio.to_thread(media.probe, dest)
        if dest.exists():
            dest = await self._take_free_name(job, dest, "was saved")
        info = await asyncio.to_thread(
            media.conform, source, dest, duration_s=request.duration_s, fps=request.fps
        )
        return dest, info

    async def _take_free_name(self, job: Job, taken: Path, what: str = "appeared") -> Path:
        """Another process saves (or saved) a video as ``taken``: this one goes beside it."""
        dest = saving.free_name(taken)
        job.path = str(dest)
        await self._save(job)
        self._emit(
            JobNotice(
                job.id or 0,
                f"{taken} {what} by another process meanwhile (it is not overwritten): "
                f"this video is saved as {dest.name}",
            )
        )
        return dest

    async def _download_part(self, job: Job, part: Path) -> DownloadResult | None:
        """Fetch the video into ``part``, resuming and refreshing the link as needed.
        Returns None when the job ended (expired or failed) instead; raises SaveFailed when
        the download kept failing (the task still holds the video)."""
        assert job.id is not None
        attempts = 0
        while attempts < DOWNLOAD_ATTEMPTS:
            if self._link_stale(job) and not await self._refresh_link(job):
                return None
            try:
                return await download_to_part(
                    job.video_url or "",
                    part,
                    http=await self._get_download_http(),
                    on_progress=lambda got, total: self._emit(
                        DownloadProgress(job.id or 0, got, total)
                    ),
                )
            except LinkExpired:
                job.url_fetched_at = 0.0  # forces a refresh on the next turn
                attempts += 1
                last_error = "the video link kept expiring"
            except TransportError as exc:
                attempts += 1
                last_error = f"the download failed: {exc}"
                if attempts < DOWNLOAD_ATTEMPTS:
                    self._emit(JobNotice(job.id, f"download interrupted, resuming: {exc}"))
                    await asyncio.sleep(_jitter(min(8.0, 2**attempts)))
        raise SaveFailed(last_error)

    def _plan_path(self, job: Job) -> Path:
        template = self.settings.filename_template
        seed = job.params.get("seed")  # a service may keep none (Ark: not given = random)
        try:
            stem = render_filename(
                template,
                prompt=job.prompt,
                task_id=job.task_id,
                mode=job.mode,
                job_id=job.id,
                created_at=job.created_at,
                seed=seed if isinstance(seed, int) else -1,
            )
        except ValidationError as exc:
            raise SaveFailed(
                f"the file name template cannot be used: {exc.reason}; fix filename_template "
                "in the config file (`jimeng-tui locate` shows where)"
            ) from exc
        return unique_path(
            self.settings.output_dir, stem, ".mp4", also=(".json", ".source.mp4", last_frame.SUFFIX)
        )

    def _link_stale(self, job: Job) -> bool:
        fetched = job.url_fetched_at or 0.0
        lifetime = self.link_lifetime(job)
        return not job.video_url or time.time() > fetched + lifetime - min(
            LINK_MARGIN_S, lifetime / 10
        )

    async def _refresh_link(self, job: Job) -> bool:
        """A fresh video link from the task. False when the job ended (the service no longer
        holds the task); SaveFailed when the service could not be asked (try again later)."""
        assert job.task_id is not None
        why = links.refresh_reason(job, self.link_lifetime(job))  # before it is replaced
        age = time.time() - (job.submitted_at or job.created_at)
        kept = self.task_lifetime(job)
        if age > kept:
            await self._expire(
                job,
                "the video link expired and the task is older than the service keeps it "
                f"(about {kept / 3600:.0f} h)",
            )
            return False
        try:
            service = self.service_for(job)
            view = await service.query(job.task_id, request_of(service, job))
        except JimengError as exc:
            raise SaveFailed(f"could not ask the service for a fresh video link: {exc}") from exc
        if view.status is RemoteStatus.EXPIRED:
            await self._expire(job, saving.gone_message(status_word(view)))
            return False
        if not has_video(view):
            await self._fail(job, None, f"the service says the task is {status_word(view)!r}")
            return False
        job.video_url, job.url_fetched_at = view.video_url, time.time()
        job.meta.last_frame_url = view.last_frame_url or job.meta.last_frame_url
        await self._save(job)
        self._emit(JobNotice(job.id or 0, why))
        return True

    async def _expire(self, job: Job, message: str) -> None:
        """The service no longer holds the task: the job ends expired, leaving no partial file."""
        saving.discard_leftover_part(job)
        await self._set(job, S.EXPIRED, error_message=message)


def _jitter(seconds: float) -> float:
    return seconds * random.uniform(0.5, 1.0)
