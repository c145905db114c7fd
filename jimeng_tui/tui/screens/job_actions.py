"""The job list's everyday actions (cancel, load into the form, open, copy, dismiss, focus) and
which of them apply now (``check_action``).

Part of the main screen (``screens/main_jobs.py``): the job list's bindings name these actions
``screen.*`` (ids and keys unchanged); each acts on the selected job.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from jimeng_tui.domain.errors import JimengError
from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.tui.screens.job_guard import job_having
from jimeng_tui.tui.screens.main_actions import RETRYABLE
from jimeng_tui.tui.system import open_or_copy

S = JobState


class JobActionsMixin:
    """The selected job's actions, for the main screen."""

    @property
    def selected_job(self: Any) -> Job | None:
        job_id = self.queue.selected_id if self.panels_ready else None
        return self.jobs.get(job_id) if job_id is not None else None

    def check_action(self: Any, action: str, parameters: tuple[object, ...]) -> bool | None:
        job_actions = {
            "cancel_job": lambda j: not j.is_final,
            "retry_job": lambda j: j.state in RETRYABLE,
            "rerun_job": lambda j: True,
            "load_job": lambda j: True,
            "open_file": lambda j: j.state is S.SAVED and bool(j.path),
            "open_folder": lambda j: bool(j.path),
            "copy_url": lambda j: bool(j.video_url),
            "copy_path": lambda j: bool(j.path),
            "dismiss_job": lambda j: j.is_final,
            "job_details": lambda j: True,
        }
        if action in job_actions:
            job = self.selected_job
            return None if job is None or not job_actions[action](job) else True
        return True

    def _need_job(self: Any) -> Job | None:
        job = self.selected_job
        if job is None:
            self.notify("Select a job in the queue first (F4 moves there).", severity="warning")
        return job

    def _need_job_with(
        self: Any, has: Callable[[Job], object], missing: str, severity: str = "warning"
    ) -> Job | None:
        """The selected job if ``has(job)``; otherwise None, after saying ``missing``."""
        return job_having(self._need_job(), has, missing, self.notify, severity=severity)

    def action_cancel_job(self: Any) -> None:
        job = self._need_job()
        if job is None or self.app.host is None or job.id is None:
            return
        if job.is_final:
            self.notify(f"Job {job.id} has already ended ({job.state.value}).")
            return
        self.run_worker(self._cancel_job(job.id), group="cancel")

    async def _cancel_job(self: Any, job_id: int) -> None:
        """On the service when it allows it (a queued Seedance task), else here only; the
        engine's ``cancel_remote`` decides and says what happened."""
        try:
            outcome = await self.app.host.cancel_remote(job_id)
        except JimengError as exc:
            self.notify(f"Job {job_id} was not cancelled: {exc}", severity="error")
            return
        text = outcome.message[:1].upper() + outcome.message[1:] + "."
        self.notify(text, severity="information" if outcome.cancelled else "warning")

    def action_load_job(self: Any) -> None:
        job = self._need_job()
        request = self.request_of(job) if job is not None else None
        if job is None or request is None:
            return
        self.load_request(request)
        self.notify(f"Job {job.id}'s parameters are in the form.")

    def action_open_file(self: Any) -> None:
        job = self._need_job_with(
            lambda j: j.path and Path(j.path).exists(), "No saved file for this job (yet)."
        )
        if job is not None:
            self._open(Path(job.path))

    def action_open_folder(self: Any) -> None:
        job = self._need_job_with(
            lambda j: j.path and Path(j.path).parent.exists(), "This job has no folder yet."
        )
        if job is not None:
            self._open(Path(job.path).parent)

    def _open(self: Any, path: Path) -> None:
        app = self.app
        open_or_copy(path, opener=app.opener, copy=app.copy_to_clipboard, notify=self.notify)

    def action_copy_url(self: Any) -> None:
        job = self._need_job_with(lambda j: j.video_url, "No video URL for this job yet.")
        if job is not None:
            self.app.copy_to_clipboard(job.video_url)
            self.notify("Video URL copied (it works for one hour after the job finished).")

    def action_copy_path(self: Any) -> None:
        job = self._need_job_with(lambda j: j.path, "No saved file for this job yet.")
        if job is not None:
            self.app.copy_to_clipboard(job.path)
            self.notify(f"Copied {job.path}")

    def action_dismiss_job(self: Any) -> None:
        running = "Cancel the job first; a running job stays in the queue."
        job = self._need_job_with(lambda j: j.is_final, running, severity="information")
        if job is None or job.id is None:
            return
        self.queue.remove_job(job.id)
        self.board.remove(job.id)
        self.details.show_job(self.selected_job)
        self.refresh_bindings()

    def action_focus_jobs(self: Any) -> None:
        if self.panels_ready:
            self.queue.focus()

    def action_focus_form(self: Any) -> None:
        self.form.focus_prompt()
