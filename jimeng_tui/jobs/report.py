"""The original skill's output block, and the facts a user needs about a failed job."""

from __future__ import annotations

from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.jobs.remote import CANCELLED_ON_SERVICE
from jimeng_tui.services import registry


def _number(value: float | None) -> str:
    if value is None:
        return "?"
    rounded = round(value)
    return str(rounded) if abs(value - rounded) < 0.05 else f"{value:.2f}"


def success_block(job: Job, link: str | None = None) -> str:
    """Exactly the block of DESIGN.md, with what the saved file really contains. ``link``
    replaces the video URL (the sandbox's URL dies with the emulator: the saved file's
    ``file://`` URL is given instead)."""
    return "\n".join(
        [
            "**Generated Video:**",
            f"[Download Video]({link if link is not None else job.video_url or ''})",
            "**Generation Info:**",
            f"- Prompt: {job.prompt}",
            f"- Duration: {_number(job.duration_s)} seconds",
            f"- Mode: {job.mode}",
            f"- FPS: {_number(job.fps)}",
            f"- Save Path: {job.path or ''}",
        ]
    )


def failure_hint(job: Job) -> str:
    """What the user can do about a job that did not end with a saved file."""
    if job.state is JobState.SUBMIT_UNKNOWN and "tasks adopt" in (job.error_message or ""):
        return (  # the message names the tasks to adopt (jobs/unknown_submit.py)
            "The submit was sent but no answer came. It was not sent again (a duplicate would "
            "be billed): adopt its task as said above."
        )
    if job.state is JobState.SUBMIT_UNKNOWN:
        return (
            "The submit was sent but no answer came, so a task may exist and be billed. "
            "It was not sent again. Check the Volcengine console; re-run it yourself "
            "if no task exists."
        )
    if job.state is JobState.CANCELLED and job.error_message == CANCELLED_ON_SERVICE:
        return "Cancelled on the service before it ran: nothing is billed."
    if job.state is JobState.CANCELLED:
        return "Cancelled: the task is no longer tracked (the service may still finish it)."
    if job.state is JobState.SAVE_FAILED:
        return "The task succeeded (it is paid); only saving the video here failed."
    if job.state is JobState.EXPIRED:
        return "The service expired the task: submit it again."
    if job.error_code is not None:
        for caps in registry.all_capabilities():  # the service's own error table
            hint = caps.error_hint(str(job.error_code))
            if hint is not None:
                return hint
    return "See the message above; re-run the job when the cause is fixed."


def failure_lines(job: Job) -> list[str]:
    lines = []
    if job.error_code is not None:
        lines.append(f"Error {job.error_code}: {job.error_message or ''}".rstrip())
    elif job.error_message:
        lines.append(f"Error: {job.error_message}")
    if job.task_id:
        lines.append(f"Task ID: {job.task_id}")
    lines.append(failure_hint(job))
    return lines
