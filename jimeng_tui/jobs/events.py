"""What the engine tells its clients: plain dataclasses, no UI types."""

from __future__ import annotations

from dataclasses import dataclass

from jimeng_tui.jobs.model import Job
from jimeng_tui.jobs.throttle import ThrottleState


@dataclass(frozen=True)
class JobChanged:
    """A job's row changed (a transition or a field); ``job`` is a copy, safe to keep."""

    job: Job


@dataclass(frozen=True)
class DownloadProgress:
    job_id: int
    received: int
    total: int | None


@dataclass(frozen=True)
class JobNotice:
    """Something the user should read about a job: an image converted, a retry, a conform."""

    job_id: int
    text: str


@dataclass(frozen=True)
class ThrottleChanged:
    state: ThrottleState


Event = JobChanged | DownloadProgress | JobNotice | ThrottleChanged
