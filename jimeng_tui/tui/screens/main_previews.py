"""The studio's previews that move (issue 18): the filmstrip of the selected saved job under
its details, and ``v`` on the job list to play it in the terminal (``screens/previews.py``)."""

from __future__ import annotations

from typing import Any

from jimeng_tui.domain.job import Job
from jimeng_tui.tui.screens.previews import copy_file_link, make_filmstrip, play_preview


class PreviewMixin:
    """The main screen's side: the filmstrip in the details pane, and ``v`` on the job list."""

    def _make_filmstrip(self: Any, job: Job) -> None:
        if self.engine is None:
            return
        make_filmstrip(self, job, self.engine.paths.cache_dir, self.details)

    def _details_job(self: Any) -> Job | None:
        return self.jobs.get(self.details.job_id) if self.panels_ready else None

    def action_play_preview(self: Any) -> None:
        if self.engine is None:
            return
        play_preview(self, self._details_job(), self.engine.paths.cache_dir)

    def action_copy_file_link(self: Any) -> None:
        copy_file_link(self, self._details_job())
