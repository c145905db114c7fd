"""The studio's job view-model: the jobs on screen by id, what was heard about each (download
progress, notices, poster), and the sentence to toast when one ends. No Textual: the app shows
what the board says."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from jimeng_tui.domain.job import FINAL_STATES, Job, JobState

S = JobState


@dataclass(frozen=True)
class Shown:
    """What putting a job on the board changed."""

    first: bool  # the board had not seen this job before
    previous: JobState | None  # its state before, None when first
    ended: bool  # it reached a final state just now


@dataclass(frozen=True)
class Announcement:
    """A toast for a job that just ended."""

    text: str
    title: str
    severity: Literal["information", "warning", "error"] = "information"
    timeout: float | None = None
    ring: bool = False


class JobBoard:
    """Jobs by id plus their progress, notices and posters (the details pane reads them)."""

    def __init__(self) -> None:
        self.jobs: dict[int, Job] = {}
        self.notices: dict[int, list[str]] = {}
        self.progress: dict[int, tuple[int, int | None]] = {}
        self.posters: dict[int, Any] = {}
        self.last_frames: dict[int, Any] = {}  # the service's last frame (Seedance), a PIL image
        self._seen_state: dict[int, JobState] = {}

    def show(self, job: Job) -> Shown:
        """Keep this copy of ``job`` (it must have an id)."""
        assert job.id is not None
        previous = self._seen_state.get(job.id)
        self._seen_state[job.id] = job.state
        first = job.id not in self.jobs
        self.jobs[job.id] = job
        ended = previous is not None and previous not in FINAL_STATES and job.is_final
        return Shown(first=first, previous=previous, ended=ended)

    def get(self, job_id: int | None) -> Job | None:
        return self.jobs.get(job_id) if job_id is not None else None

    def remove(self, job_id: int) -> None:
        """Off the board (dismissed); its state stays known, so it does not toast again."""
        self.jobs.pop(job_id, None)

    def active_count(self) -> int:
        return sum(1 for job in self.jobs.values() if not job.is_final)

    def set_progress(self, job_id: int, received: int, total: int | None) -> None:
        self.progress[job_id] = (received, total)

    def add_notice(self, job_id: int, text: str) -> None:
        self.notices.setdefault(job_id, []).append(text)

    def facts(self, job_id: int) -> tuple[Job, Any, Any, Any, Any] | None:
        """The job, its progress, notices, poster and last frame: what the details dialog
        shows."""
        job = self.jobs.get(job_id)
        if job is None:
            return None
        return (
            job,
            self.progress.get(job_id),
            self.notices.get(job_id),
            self.posters.get(job_id),
            self.last_frames.get(job_id),
        )


def announcement(job: Job) -> Announcement | None:
    """The toast for a job that just reached ``job.state`` (None: nothing to say)."""
    excerpt = (job.prompt or job.mode)[:40]
    if job.state is S.SAVED:
        name = Path(job.path).name if job.path else ""
        return Announcement(f"{excerpt}\nSaved {name}", f"Job {job.id} done", ring=True)
    if job.state is S.FAILED:
        code = f"{job.error_code} " if job.error_code else ""
        return Announcement(
            f"{excerpt}\n{code}{job.error_message or ''}".strip(),
            f"Job {job.id} failed",
            severity="error",
            timeout=8,
        )
    if job.state is S.SUBMIT_UNKNOWN:
        return Announcement(
            f"{excerpt}\nThe submit got no answer: a task may exist. Not re-sent.",
            f"Job {job.id} needs you",
            severity="warning",
            timeout=10,
        )
    if job.state is S.EXPIRED:
        return Announcement(f"{excerpt}\nThe task expired.", f"Job {job.id}", severity="warning")
    return None
