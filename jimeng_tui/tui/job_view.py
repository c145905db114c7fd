"""Jobs on the main screen: the queue row, the details pane, the poster and the end-of-job toast
for each job the engine reports (the board in ``job_board.py`` keeps what was heard).

Part of the main screen (``screens/main_jobs.py``), which receives the engine's messages.
"""

from __future__ import annotations

import contextlib
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work

from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.tui.day_spend import refresh_day_spend
from jimeng_tui.tui.job_signal import signal_job_end
from jimeng_tui.tui.messages import PosterReady

if TYPE_CHECKING:  # the main screen imports this module before its first frame
    from jimeng_tui.tui.job_board import JobBoard

S = JobState


class JobViewMixin:
    """Showing jobs on the main screen (``self`` is it; ``self.board`` holds the jobs)."""

    @cached_property
    def board(self) -> JobBoard:
        from jimeng_tui.tui.job_board import JobBoard

        return JobBoard()

    @cached_property
    def _typical_loaded(self) -> set[str]:
        return set()  # the modes whose typical wait the job list knows

    @property
    def engine(self: Any) -> Any:
        return self.app.engine

    @property
    def jobs(self: Any) -> dict[int, Job]:
        return self.board.jobs

    @property
    def progress(self: Any) -> dict[int, tuple[int, int | None]]:
        return self.board.progress

    @property
    def notices(self: Any) -> dict[int, list[str]]:
        return self.board.notices

    @property
    def posters(self: Any) -> dict[int, Any]:
        return self.board.posters

    def show_job(self: Any, job: Job) -> None:
        """Put a job copy on screen; toast and ring when it reaches its end."""
        if job.id is None:
            return
        self._load_typical(job.mode)
        shown = self.board.show(job)
        self.queue.upsert(job)
        self.header.active = self.board.active_count()
        if shown.ended or (shown.first and not job.is_final):
            refresh_day_spend(self.app)  # the header's day spend (issue 16)
        if shown.first and self.details.job_id is None:
            self.focus_job(job.id)
        if shown.ended:
            self._announce(job)
        if self.details.job_id == job.id:
            self._refresh_details()
            if shown.previous != job.state:
                self.refresh_bindings()

    def _announce(self: Any, job: Job) -> None:
        from jimeng_tui.tui.job_board import announcement

        said = announcement(job)
        if said is None:
            return
        self.notify(said.text, title=said.title, severity=said.severity, timeout=said.timeout)
        signal_job_end(self.app, job)  # [notify]: an escape, a desktop notification or the bell
        if said.ring:  # saved
            self._typical_loaded.discard(job.mode)
            if self.details.job_id == job.id:
                self._make_poster(job)

    def _load_typical(self: Any, mode: str) -> None:
        if mode in self._typical_loaded or self.engine is None:
            return
        self._typical_loaded.add(mode)
        try:
            samples = self.engine.history.recent_generation_seconds(mode)
        except Exception:
            samples = []
        from jimeng_tui.tui.widgets.job_queue import typical_seconds

        self.queue.set_typical(mode, typical_seconds(samples))

    def focus_job(self: Any, job_id: int) -> None:
        """Select a job in the queue and show it in the details pane."""
        self.queue.select_job(job_id)
        self._detail(job_id)

    def _detail(self: Any, job_id: int) -> None:
        job = self.jobs.get(job_id)
        details = self.details
        if job is None or (details.job_id == job_id and details.markdown_text):
            return
        details.show_job(job, progress=self.progress.get(job_id), notices=self.notices.get(job_id))
        if job.state is S.SAVED:
            self._make_poster(job)
        self.refresh_bindings()

    def _refresh_details(self: Any) -> None:
        details = self.details
        job = self.jobs.get(details.job_id) if details.job_id is not None else None
        if job is None:
            return
        details.show_job(
            job, progress=self.progress.get(job.id or 0), notices=self.notices.get(job.id or 0)
        )
        if job.state is S.SAVED and job.id in self.posters:
            details.set_poster(self.posters[job.id])
        if job.id in self.board.last_frames:
            details.set_last_frame(self.board.last_frames[job.id])

    def _make_poster(self: Any, job: Job) -> None:
        self._make_filmstrip(job)  # previews.py: the frames under the details
        self._show_last_frame(job)
        if job.id in self.posters:
            self.details.set_poster(self.posters[job.id])
            return
        if not job.path or self.engine is None:
            return
        self._poster_worker(job.id, Path(job.path), self.engine.paths.cache_dir)

    def picture_ready(self: Any, message: PosterReady) -> None:
        """A poster (or a Seedance job's last frame) made in a thread: keep it, show it."""
        details = self.details
        if message.last_frame:
            self.board.last_frames[message.job_id] = message.image
            if details.job_id == message.job_id:
                details.set_last_frame(message.image)
            return
        self.posters[message.job_id] = message.image
        if details.job_id == message.job_id:
            details.set_poster(message.image)

    def _show_last_frame(self: Any, job: Job) -> None:
        """The service's last frame (a Seedance job's PNG beside the video) under the poster."""
        if job.id in self.board.last_frames:
            self.details.set_last_frame(self.board.last_frames[job.id])
        elif job.meta.last_frame_path and job.id is not None:
            self._last_frame_worker(job.id, Path(job.meta.last_frame_path))

    @work(thread=True, group="posters", exit_on_error=False)
    def _last_frame_worker(self: Any, job_id: int, path: Path) -> None:
        image = None
        with contextlib.suppress(Exception):  # gone or unreadable: the details say its path
            from PIL import Image

            with Image.open(path) as img:
                img.thumbnail((320, 320))
                image = img.convert("RGB")
        self.post_message(PosterReady(job_id, image, last_frame=True))

    @work(thread=True, group="posters", exit_on_error=False)
    def _poster_worker(self: Any, job_id: int, video: Path, cache_dir: Path) -> None:
        image = None
        with contextlib.suppress(Exception):
            from PIL import Image

            from jimeng_tui.jobs.media import extract_poster

            dest = cache_dir / "posters" / f"job-{job_id}.png"
            if not dest.exists():
                dest.parent.mkdir(parents=True, exist_ok=True)
                extract_poster(video, dest)
            with Image.open(dest) as img:
                img.thumbnail((320, 320))
                image = img.convert("RGB")
        self.post_message(PosterReady(job_id, image))
