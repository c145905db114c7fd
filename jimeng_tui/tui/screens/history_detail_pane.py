"""The History screen's detail pane (the highlighted job, its link countdown and poster), and
the rows of jobs still running, read again every second."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from textual import work

from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.tui.screens.history_host import HistoryHost
from jimeng_tui.tui.widgets.history_detail import link_status

S = JobState
POSTER_CACHE = 32


class HistoryDetailPaneMixin(HistoryHost):
    """HistoryScreen's detail pane and live rows (mixed into the screen, which holds their
    state)."""

    def _link_text(self, job: Job | None) -> str:
        if job is None:
            return ""
        settings = self.engine.runner.settings
        return link_status(job, self.clock(), settings.link_lifetime_s, settings.task_lifetime_s)

    def _show_detail_now(self) -> None:
        self._detail_timer = None
        job = self.highlighted
        detail = self.detail
        on_disk = self.table.on_disk(job.id) if job and job.id is not None else None
        detail.show_job(job, on_disk=on_disk, link=self._link_text(job))
        if job is not None and job.id is not None and job.id in self._posters:
            detail.set_poster(self._posters[job.id])
        elif job is not None and job.state is S.SAVED and job.path and on_disk:
            self._make_poster(job)
        self._make_history_filmstrip(job if on_disk else None)  # previews.py
        self._refresh_footer()

    def _make_poster(self, job: Job) -> None:
        if not self.posters_enabled or job.id is None or not job.path:
            return
        self._poster_thread(job.id, Path(job.path))

    @work(thread=True, exclusive=True, group="history-poster", exit_on_error=False)
    def _poster_thread(self, job_id: int, video: Path) -> None:
        image = None
        with contextlib.suppress(Exception):
            from PIL import Image

            from jimeng_tui.jobs.media import extract_poster

            dest = self.engine.paths.cache_dir / "posters" / f"job-{job_id}.png"
            if not dest.exists() or dest.stat().st_mtime < video.stat().st_mtime:
                extract_poster(video, dest)
            with Image.open(dest) as img:
                img.thumbnail((320, 320))
                image = img.convert("RGB")
        if image is not None:
            self._post(self._poster_ready, job_id, image)

    def _poster_ready(self, job_id: int, image: Any) -> None:
        self._posters[job_id] = image
        while len(self._posters) > POSTER_CACHE:
            self._posters.popitem(last=False)
        if self.detail.job_id == job_id:
            self.detail.set_poster(image)

    def _tick(self) -> None:
        """Every second: the link countdown, and the rows of jobs that are still running."""
        job = self.highlighted
        if job is not None:
            self.detail.set_link(self._link_text(job))
        active = [j.id for j in self._loaded_jobs() if not j.is_final and j.id is not None]
        if active and not self._refreshing:
            self._refreshing = True
            self._refresh_thread(active[:100])

    def _loaded_jobs(self) -> list[Job]:
        table = self.table
        return [j for j in (table.job(i) for i in table.job_ids) if j is not None]

    @work(thread=True, group="history-refresh", exit_on_error=False)
    def _refresh_thread(self, ids: list[int]) -> None:
        history = self.engine.history
        jobs = [job for job in (history.get(i) for i in ids) if job is not None]
        self._post(self._refreshed, jobs)

    def _refreshed(self, jobs: list[Job]) -> None:
        self._refreshing = False
        changed = [j for j in jobs if j != self.table.job(j.id or 0)]
        self._apply_jobs(changed)

    def _apply_jobs(self, jobs: list[Job]) -> None:
        if not jobs:
            return
        for job in jobs:
            self.table.update_job(job)
        self._check_files(jobs)
        highlighted = self.highlighted
        if highlighted is not None and any(j.id == highlighted.id for j in jobs):
            self._show_detail_now()
