"""The original skill's output block, and the facts a user needs about a failed job."""

from __future__ import annotations

from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.jobs.remote import CANCELLED_ON_SERVICE
from jimeng_tui.jobs.report_text import failure_lines as _failure_lines
from jimeng_tui.jobs.report_text import success_block as success_block
from jimeng_tui.services import registry


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
    return _failure_lines(job, failure_hint(job))
