"""A job's details in a dialog (Enter on a job), at every size.

At 80×24 the main screen has no room for the details pane; this shows the same text (the full
error and what to do, the save path, the task id, notices) with room to read it. It follows the
job while open: a running job's state and download progress change in place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen

from jimeng_tui.domain.job import Job
from jimeng_tui.tui.model_names import model_label
from jimeng_tui.tui.service_text import error_advice
from jimeng_tui.tui.widgets.job_details import JobDetails
from jimeng_tui.tui.widgets.key_footer import KeyFooter

# (job, download progress, notices, poster image, last frame image) for a job id, or None
# once it is gone
JobFacts = tuple[Job, tuple[int, int | None] | None, list[str] | None, Any, Any]


class JobDetailsScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,enter,q", "close", "Close", id="job_details.close"),
    ]

    def __init__(self, job_id: int, facts: Callable[[int], JobFacts | None]) -> None:
        super().__init__()
        self.job_id = job_id
        self._facts = facts
        self._shown: tuple[Any, ...] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="job-details-dialog", classes="dialog") as box:
            box.border_title = f"Job {self.job_id}"
            yield JobDetails(advice=error_advice, model_label=model_label, id="job-details-full")
        yield KeyFooter()

    def on_mount(self) -> None:
        self._refresh()
        self.set_interval(0.5, self._refresh, name="job-details-follow")

    @property
    def details(self) -> JobDetails:
        return self.query_one(JobDetails)

    def _refresh(self) -> None:
        facts = self._facts(self.job_id)
        if facts is None:
            return
        job, progress, notices, poster, last_frame = facts
        shown = (job.state, job.updated_at, job.path, progress, len(notices or ()))
        if (*shown, poster, last_frame) == self._shown:
            return
        self._shown = (*shown, poster, last_frame)
        self.details.show_job(job, progress=progress, notices=notices)
        if poster is not None:
            self.details.set_poster(poster)
        if last_frame is not None:
            self.details.set_last_frame(last_frame)

    def action_close(self) -> None:
        self.dismiss(None)
