"""Finish a job, or follow the process that is finishing it.

``jimeng-tui wait TASK`` on a task another live jimeng-tui process drives (a TUI, a batch) must
not fail: that process will save the video. The job's row says when it has (every transition
is a commit), so this waits on the row, and takes the job over if that process lets it go
(it quit, crashed or stopped answering) before the job ended.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from jimeng_tui.domain.job import Job
from jimeng_tui.jobs.runner import ClaimedElsewhere, Runner

FOLLOW_INTERVAL_S = 1.0  # how often the row is read while another process drives the job


async def drive_or_follow(
    runner: Runner, job_id: int, *, notice: Callable[[str], None] | None = None
) -> Job:
    """``runner.drive(job_id)``, or, while another live process drives the job, its row once it
    ends there (or this process's own drive once it is let go)."""
    told = False
    interval = min(FOLLOW_INTERVAL_S, runner.settings.poll_interval)
    while True:
        try:
            return await runner.drive(job_id)  # a job that ended returns at once
        except ClaimedElsewhere as exc:
            if not told and notice is not None:
                notice(f"{exc}; waiting for it to finish the job")
                told = True
        await asyncio.sleep(interval)
