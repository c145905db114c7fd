"""The report's text that needs no service: the original skill's output block, and a failed
job's lines around a hint the caller looks up (``jobs.report.failure_hint`` reads the services'
error tables). Widgets import this, never ``jobs.report``: they do no I/O and know no service."""

from __future__ import annotations

from jimeng_tui.domain.job import Job


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


def failure_lines(job: Job, hint: str) -> list[str]:
    """The error, the task id and ``hint`` (what the user can do), one per line."""
    lines = []
    if job.error_code is not None:
        lines.append(f"Error {job.error_code}: {job.error_message or ''}".rstrip())
    elif job.error_message:
        lines.append(f"Error: {job.error_message}")
    if job.task_id:
        lines.append(f"Task ID: {job.task_id}")
    lines.append(hint)
    return lines
