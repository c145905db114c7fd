"""Download again, only what is needed: a saved job's files are verified first
(:func:`jobs.verify.verify_saved`), and only a missing or damaged file is fetched or made again,
under its own name (never a ``-2`` copy). A damaged file is set aside as ``NAME.damaged.mp4``
only once its replacement has downloaded and PyAV opened it, and is put back if that fails. A
second copy is made only when asked for (``second_copy=True``).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from jimeng_tui.domain.errors import JimengError
from jimeng_tui.domain.events import JobNotice
from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.jobs import media, saving
from jimeng_tui.jobs.download import finalize_video, write_sidecar
from jimeng_tui.jobs.remote import has_video, output_plan, request_of, status_word
from jimeng_tui.jobs.verify import FileCheck, VerifyResult, verify_saved

if TYPE_CHECKING:
    from jimeng_tui.jobs.runner import Runner

NOTHING = "nothing downloaded"


@dataclass(frozen=True)
class RedownloadOutcome:
    job: Job
    downloaded: bool  # something was fetched from the service
    verified: bool  # everything was whole already: nothing was done
    message: str  # what happened, for the user


def set_aside(path: Path) -> Path | None:
    """Rename a damaged ``NAME.mp4`` to a free ``NAME.damaged[-N].mp4``; None if absent."""
    if not path.exists():
        return None
    n, aside = 1, path.with_name(f"{path.stem}.damaged{path.suffix}")
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.stem}.damaged-{n}{path.suffix}")
    path.rename(aside)
    return aside


def _put_back(aside: Path | None, path: Path) -> None:
    if aside is not None and not path.exists():
        with contextlib.suppress(OSError):
            aside.rename(path)


async def redownload_job(
    runner: Runner, job_id: int, *, second_copy: bool = False
) -> RedownloadOutcome:
    """Verify a finished job's files, then fetch (or make) only what is missing or damaged."""
    job = await asyncio.to_thread(runner.history.get, job_id)
    if job is None or not job.task_id:
        raise JimengError("this job never reached the service: there is nothing to download")
    if job.state is not JobState.SAVED:  # e.g. save_failed: finished from its task by the runner
        fresh = await runner.redownload(job_id)
        return RedownloadOutcome(fresh, True, False, f"saved from its task as {fresh.path}")
    if second_copy or not job.path:
        fresh = await runner.redownload(job_id)
        name = Path(fresh.path).name if fresh.path else "nothing"
        what = "a second copy as" if second_copy and job.path else "saved"
        return RedownloadOutcome(fresh, True, False, f"downloaded and verified: {what} {name}")
    check = await asyncio.to_thread(verify_saved, job)
    if check.ok:
        return RedownloadOutcome(
            job, False, True, f"already on disk and verified ({check.describe()}): {NOTHING}"
        )
    return await _repair(runner, job, check)


async def _repair(runner: Runner, job: Job, check: VerifyResult) -> RedownloadOutcome:
    video = check.check("video")
    source = check.check("source")
    assert video is not None
    request = output_plan(runner.service_for(job), job)
    said = "; ".join(f"{c.path.name} was {c.problem}" for c in check.problems)
    served = (check.sidecar or {}).get("served_sha256")
    downloaded = False
    aside: list[Path] = []
    served_file = source or video  # the service's own file: the one a download replaces
    if not served_file.ok:
        served, moved = await _fetch(runner, job, served_file)
        downloaded = True
        aside += [moved] if moved else []
    if source is not None and not video.ok:  # made here from the service's file
        moved = await asyncio.to_thread(set_aside, video.path) if not video.missing else None
        try:
            info = await asyncio.to_thread(
                media.conform,
                source.path,
                video.path,
                duration_s=request.duration_s,
                fps=request.fps,
            )
        except (JimengError, OSError):
            _put_back(moved, video.path)
            raise
        aside += [moved] if moved else []
    else:
        info = await asyncio.to_thread(media.probe, video.path)
    await _record(runner, job, info, served)
    how = "downloaded again and verified" if downloaded else f"repaired here, {NOTHING}"
    kept = f"; the damaged file is kept as {', '.join(p.name for p in aside)}" if aside else ""
    runner._emit(JobNotice(job.id or 0, f"{said}: {how}{kept}"))
    return RedownloadOutcome(job, downloaded, False, f"{said}: {how}{kept}")


async def _fetch(runner: Runner, job: Job, target: FileCheck) -> tuple[str, Path | None]:
    """Download the service's file again into ``target``'s name; returns (its SHA-256, where
    a damaged one was set aside)."""
    age = time.time() - (job.submitted_at or job.created_at)
    if age > runner.task_lifetime(job):
        raise JimengError(
            f"{target.path.name} is {target.problem}, and the task is {age / 3600:.1f} h old: "
            "the service no longer keeps it, so it cannot be fetched again"
        )
    service = runner.service_for(job)
    view = await service.query(job.task_id or "", request_of(service, job))
    if not has_video(view):
        raise JimengError(f"the service says the task is {status_word(view)!r}: no video to fetch")
    job.video_url, job.url_fetched_at = view.video_url, time.time()
    part = target.path.with_name(target.path.name + ".part")
    got = await runner._download_part(job, part)
    if got is None:
        raise JimengError(job.error_message or "the download did not finish")
    moved = await asyncio.to_thread(set_aside, target.path) if not target.missing else None
    try:
        await asyncio.to_thread(finalize_video, part, target.path)
    except (JimengError, OSError):
        _put_back(moved, target.path)
        raise
    return got.sha256, moved


async def _record(runner: Runner, job: Job, info: media.MediaInfo, served: str | None) -> None:
    """The sidecar and the history row again, from the files as they now are."""
    now = time.time()
    facts = saving.sidecar_facts(job, info, now)
    if served:
        facts["served_sha256"] = served
    sidecar = await asyncio.to_thread(write_sidecar, Path(job.path or ""), facts)
    job.sidecar_path, job.size_bytes, job.saved_at = str(sidecar), info.size_bytes, now
    job.duration_s, job.fps, job.width, job.height = (
        info.duration_s,
        info.fps,
        info.width,
        info.height,
    )
    await runner._save(job)
