"""Why a job's video link is fetched again from its task, in words the user can check.

The runner asks the service for a new link when the one it holds is about to expire, when the
download server refused it as expired, or when none is held. A link can also be dropped on
purpose: the sandbox that ``--sandbox`` starts comes back on another port after a restart, so
the links of the jobs it adopts point at a closed port (jobs/engine.py records that in the
job's ``meta.link_dropped``, which the next refresh reads and clears).
"""

from __future__ import annotations

import time

from jimeng_tui.domain.job import Job
from jimeng_tui.jobs.display import clock


def drop_link(job: Job, reason: str) -> None:
    """Forget the job's link (it cannot work any more) and remember why, for the notice."""
    if job.video_url:
        job.meta.link_dropped = reason
    job.video_url, job.url_fetched_at = None, None


def refresh_reason(job: Job, lifetime_s: float, now: float | None = None) -> str:
    """What the notice after a refresh says; call it before the link is replaced. Clears the
    reason :func:`drop_link` left."""
    dropped, job.meta.link_dropped = job.meta.link_dropped, None
    if dropped:
        return f"{dropped}: fetched a new video link from the task"
    if job.url_fetched_at == 0.0:  # the runner's mark for a link the server refused (403)
        return "the server refused the video link as expired: fetched a fresh one from the task"
    if not job.video_url or not job.url_fetched_at:
        return "no video link was kept for this job: fetched one from the task"
    age = (time.time() if now is None else now) - job.url_fetched_at
    return (
        f"the video link was {clock(age)} old and links last {clock(lifetime_s)}: fetched a "
        "fresh one from the task before it expires"
    )
