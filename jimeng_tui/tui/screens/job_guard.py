"""The guard a job action starts with, on the studio's job list and in History: the job it
acts on, if that job has what the action needs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jimeng_tui.domain.job import Job


def job_having(
    job: Job | None,
    has: Callable[[Job], object],
    missing: str,
    notify: Callable[..., Any],
    *,
    severity: str = "warning",
) -> Job | None:
    """``job`` if ``has(job)``; otherwise None, after saying ``missing`` (no job: None, the
    caller has said so already)."""
    if job is not None and not has(job):
        notify(missing, severity=severity)
        return None
    return job
