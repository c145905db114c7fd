"""What a tool says about a job: JSON facts, a one-line summary, the result block, the poster.

Never a key or a signed request: a job's row holds neither (the body sent is kept without
image data or credentials), and nothing here reads the config.
"""

from __future__ import annotations

import io
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.jobs.report import failure_hint, success_block

S = JobState
IDEMPOTENCY_KEY = "idempotency_key"  # JobMeta.extra: the key an agent gave with generate
FINGERPRINT_KEY = "request_fingerprint"  # JobMeta.extra: the request that key was used for
POSTER_SIDE = 480  # px: the poster image sent to an agent (the long side)
TYPICAL_GENERATION_S = 90.0  # a guess for progress until the history knows the model

# A rough share of the way for each state (generating moves on with the time taken)
_PROGRESS: Mapping[JobState, float] = {
    S.DRAFT: 0,
    S.QUEUED: 0,
    S.SUBMITTING: 5,
    S.IN_QUEUE: 10,
    S.GENERATING: 15,
    S.DONE: 90,
    S.DOWNLOADING: 92,
    S.CONFORMING: 96,
    S.SAVE_FAILED: 90,
}


# what an agent can do next, after the service-neutral hint
NEXT_STEP: Mapping[JobState, str] = {
    S.SAVE_FAILED: " retry_job fetches it again from its task (no new payment).",
    S.FAILED: " rerun_job makes a new, paid generation (ask the user first).",
    S.EXPIRED: " rerun_job makes a new, paid generation (ask the user first).",
}


def job_uri(job_id: int | None) -> str:
    return f"jimeng://jobs/{job_id}"


def poster_uri(job_id: int | None) -> str:
    return f"jimeng://jobs/{job_id}/poster"


def progress_percent(job: Job, typical_s: float | None = None, now: float | None = None) -> float:
    """0..100: how far the job is, for progress notifications (100 once it has ended). It
    creeps on while the service queues and renders, so a client that waits sees it move
    (``typical_s``: how long this model's tasks took lately, if known)."""
    if job.is_final:
        return 100.0
    base = float(_PROGRESS.get(job.state, 0.0))
    now = now if now is not None else time.time()
    since = max(0.0, now - job.submitted_at) if job.submitted_at else 0.0
    if job.state is S.IN_QUEUE:
        return base + min(4.9, since / 30)
    if job.state is S.GENERATING:
        return min(88.0, base + 73.0 * since / (typical_s or TYPICAL_GENERATION_S))
    return base


def _iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(timestamp))


def error_facts(job: Job) -> dict[str, Any] | None:
    if job.state is S.SAVED or (not job.is_final and job.state is not S.SAVE_FAILED):
        return None
    return {
        "code": job.error_code,
        "message": job.error_message,
        "what_to_do": failure_hint(job),
    }


def job_facts(job: Job, *, resumed: bool = False, is_sandbox: bool = False) -> dict[str, Any]:
    """One job as a tool's JSON result."""
    facts: dict[str, Any] = {
        "job_id": job.id,
        "task_id": job.task_id,
        "status": str(job.state),
        "finished": job.is_final,
        "progress": round(progress_percent(job)),
        "model": job.mode,
        "service": job.meta.service_name,
        "prompt": job.prompt,
        "parameters": {k: v for k, v in job.params.items() if not k.startswith("_")},
        "created_at": _iso(job.created_at),
        "submitted_at": _iso(job.submitted_at),
        "saved_at": _iso(job.saved_at),
        "path": job.path,
        "error": error_facts(job),
        "idempotency_key": job.meta.extra.get(IDEMPOTENCY_KEY),
        "resource": job_uri(job.id),
        "sandbox": is_sandbox,
    }
    if resumed:
        facts["resumed"] = "this job was resumed when the server started"
    if job.state is S.SAVED:
        facts["video"] = {
            "path": job.path,
            "sidecar": job.sidecar_path,
            "duration_s": job.duration_s,
            "fps": job.fps,
            "width": job.width,
            "height": job.height,
            "size_bytes": job.size_bytes,
        }
        facts["poster"] = poster_uri(job.id)
    return facts


def result_block(job: Job, *, is_sandbox: bool = False) -> str:
    """The original skill's block, to be shown to the user as it is. The sandbox's links die
    with it, so a sandbox job links its saved file."""
    link = Path(job.path).as_uri() if is_sandbox and job.path else None
    return success_block(job, link=link)


def headline(job: Job) -> str:
    task = f", task {job.task_id}" if job.task_id else ""
    return f"Job {job.id} ({job.mode}{task}): {job.state}"


def list_line(job: Job) -> str:
    """One job in a list: its headline and the start of its prompt."""
    prompt = " ".join(job.prompt.split())
    shown = prompt if len(prompt) <= 60 else prompt[:59] + "…"
    return f'{headline(job)}: "{shown}"'


def summary(job: Job, *, resumed: bool = False) -> str:
    """One or two lines for the text part of a tool result."""
    head = headline(job)
    if resumed:
        head += " (resumed when the server started)"
    if job.state is S.SAVED:
        return f"{head}. Saved to {job.path}"
    if job.is_final or job.state is S.SAVE_FAILED:
        error = f"{job.error_code} " if job.error_code is not None else ""
        message = (error + (job.error_message or "")).strip()
        then = NEXT_STEP.get(job.state, "")
        return f"{head}. {message + '. ' if message else ''}{failure_hint(job)}{then}"
    return f"{head}. Call wait_for_job with job_id {job.id} to wait for it."


def poster_png(video: Path, cache_dir: Path, job_id: int) -> bytes:
    """A small PNG of the video's poster frame (the TUI's cached frame, made if missing)."""
    from PIL import Image

    from jimeng_tui.jobs.media import extract_poster

    dest = cache_dir / "posters" / f"job-{job_id}.png"
    if not dest.exists() or dest.stat().st_mtime < video.stat().st_mtime:
        extract_poster(video, dest)
    with Image.open(dest) as img:
        img.thumbnail((POSTER_SIDE, POSTER_SIDE))
        out = io.BytesIO()
        img.convert("RGB").save(out, format="PNG")
    return out.getvalue()


__all__ = [
    "FINGERPRINT_KEY",
    "IDEMPOTENCY_KEY",
    "error_facts",
    "headline",
    "job_facts",
    "job_uri",
    "list_line",
    "poster_png",
    "poster_uri",
    "progress_percent",
    "result_block",
    "summary",
]
