"""The job list's actions that start a paid generation (re-run, retry), behind a confirmation,
and Enter's details dialog.

Part of the main screen (``screens/main_jobs.py``; the job list's bindings name these actions
``screen.*``).
"""

from __future__ import annotations

from typing import Any

from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.jobs.display import state_word

S = JobState
# t: a failed/expired/cancelled job runs again; one whose save failed is fetched again
RETRYABLE = frozenset({S.FAILED, S.EXPIRED, S.CANCELLED, S.SUBMIT_UNKNOWN, S.SAVE_FAILED})


class PaidJobActionsMixin:
    """``action_retry_job``, ``action_rerun_job`` and ``action_job_details``, for the main
    screen."""

    def action_job_details(self: Any) -> None:
        """The selected job's details in a dialog (Enter): the only way at 80×24, where the
        details pane has no room; the full text at any size."""
        job = self._need_job()
        if job is None or job.id is None:
            return
        from jimeng_tui.tui.screens.job_details_screen import JobDetailsScreen

        self.app.push_screen(JobDetailsScreen(job.id, self.job_facts))

    def job_facts(self: Any, job_id: int) -> Any:
        return self.board.facts(job_id)

    def action_retry_job(self: Any) -> None:
        job = self._need_job()
        if job is None:
            return
        if job.state not in RETRYABLE:
            self.notify("Only a failed, expired or cancelled job can be retried.")
            return
        if job.state is S.SAVE_FAILED:  # the task holds the video: fetch it, never submit again
            self.drive(job.id)
            self.notify(f"Saving job {job.id} again from its task {job.task_id}.")
            return
        warning = ""
        if job.state is S.SUBMIT_UNKNOWN:
            warning = (
                "Its first submit got no answer: the service may have made (and billed) that "
                "video already. Check `jimeng-tui status` first if you can."
            )
        self._rerun(job, title="Retry", warning=warning)

    def action_rerun_job(self: Any) -> None:
        job = self._need_job()
        if job is not None:
            self._rerun(job, title="Re-run")

    def request_of(self: Any, job: Job) -> Any:
        """The job's request rebuilt from its parameters (None, with a message, if it cannot)."""
        from jimeng_tui.domain.errors import ValidationError
        from jimeng_tui.jobs.request_builder import rerun_request

        try:
            return rerun_request(job)  # by the job's own service (Jimeng 3.0 or Seedance)
        except (TypeError, ValueError, ValidationError) as exc:
            self.notify(f"Cannot rebuild job {job.id}'s request: {exc}", severity="error")
            return None

    def _rerun(self: Any, job: Job, *, title: str, warning: str = "") -> None:
        from jimeng_tui.tui.screens.paid_guard import confirm_paid

        request = self.request_of(job)
        if self.app.host is None or request is None:
            return

        def send() -> None:
            self.start_job(request, from_form=False)
            self.notify(f"Running job {job.id} again as a new job.", title=title)

        confirm_paid(
            self.app,
            title=f"{title} job {job.id}?",
            what=f"Send job {job.id} ({state_word(job.state)}) again as a new job, with the "
            "same parameters and seed.",
            requests=[request],
            proceed=send,
            warning=warning,
        )
