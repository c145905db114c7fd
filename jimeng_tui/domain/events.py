"""What the engine tells its clients: plain dataclasses, no UI types."""

from __future__ import annotations

from dataclasses import dataclass

from jimeng_tui.domain.job import Job


@dataclass(frozen=True)
class ThrottleState:
    running: int
    limit: int
    max_concurrency: int
    rate: float | None  # requests per second, None when not limited
    rate_limited_for: float  # seconds left of a 50429 pause, 0 when none

    def describe(self, word: str = "running") -> str:
        text = f"{self.running}/{self.limit}" + (f" {word}" if word else "")
        if self.limit < self.max_concurrency:
            text += f" (max {self.max_concurrency})"
        if self.rate_limited_for > 0:
            text += f" · rate-limited {self.rate_limited_for:.0f} s"
        elif self.rate is not None:
            text += f" · {self.rate:.1f} req/s"
        else:
            text += " · rate ok"
        return text


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
