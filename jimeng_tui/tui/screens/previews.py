"""Previews that move (issue 18), for the studio and History: the filmstrip of a saved job in
its details, and ``v`` to play the video in the terminal (``screens/preview_player.py``).

The frames are made in a thread (``jobs/filmstrip.py``: PyAV, cached PNGs); widgets only show
them."""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from pathlib import Path
from typing import Any

from jimeng_tui.domain.job import Job, JobState

FILMSTRIP_FRAMES = 6
KEPT = 32  # filmstrips kept in memory (a few KB each)


def make_filmstrip(host: Any, job: Job, cache_dir: Path, pane: Any) -> None:
    """Show ``job``'s filmstrip in ``pane`` (a details widget: ``job_id``, ``set_filmstrip``)
    if it still shows that job, made in a thread the first time. ``host`` is the app or a
    screen; it keeps them in ``host.filmstrips``."""

    def show(images: list[Any]) -> None:
        if pane.job_id == job.id:
            pane.set_filmstrip(images)

    strips: OrderedDict[int, list[Any]] = host.__dict__.setdefault("filmstrips", OrderedDict())
    if job.id is None or job.state is not JobState.SAVED or not job.path:
        return
    if job.id in strips:
        show(strips[job.id])
        return
    job_id, video = job.id, Path(job.path)

    def work() -> None:
        images: list[Any] = []
        with contextlib.suppress(Exception):  # not decodable: no filmstrip, the rest works
            from jimeng_tui.jobs.filmstrip import filmstrip_images

            images = filmstrip_images(video, cache_dir, FILMSTRIP_FRAMES)
        host.app.call_from_thread(done, images)

    def done(images: list[Any]) -> None:
        if images:  # an empty strip (not decodable now) is asked for again next time
            strips[job_id] = images
        while len(strips) > KEPT:
            strips.popitem(last=False)
        show(images)

    host.run_worker(
        work, thread=True, group="filmstrip", name=f"filmstrip-{job_id}", exit_on_error=False
    )


def copy_file_link(host: Any, job: Job | None) -> None:
    """Copy the ``file://`` link of the job's saved video (for a browser or a player that takes
    links: over SSH, where nothing here can show it)."""
    if job is None or not job.path:
        host.notify("No saved file for this job (yet).", severity="warning")
        return
    link = Path(job.path).absolute().as_uri()
    host.app.copy_to_clipboard(link)
    host.notify(f"Copied {link}", title="file:// link", timeout=8)


def play_preview(host: Any, job: Job | None, cache_dir: Path) -> None:
    """Play ``job``'s saved video in the terminal (Esc stops), or say why not."""
    if job is None or job.state is not JobState.SAVED or not job.path:
        host.notify("Nothing to play: this job has no saved video.", severity="warning")
        return
    video = Path(job.path)
    if not video.is_file():
        host.notify(f"The video is gone: {video}", severity="warning")
        return
    from jimeng_tui.tui.screens.preview_player import PreviewPlayerScreen

    host.app.push_screen(PreviewPlayerScreen(video, cache_dir, title=f"Job {job.id}"))


class HistoryPreviewMixin:
    """History's side: the filmstrip in the detail pane, and ``v`` on the highlighted row."""

    def _make_history_filmstrip(self: Any, job: Job | None) -> None:
        if job is None or not self.posters_enabled:
            return
        make_filmstrip(self, job, self.engine.paths.cache_dir, self.detail)

    def action_play_preview(self: Any) -> None:
        play_preview(self, self.highlighted, self.engine.paths.cache_dir)

    def action_copy_file_link(self: Any) -> None:
        copy_file_link(self, self.highlighted)

    def action_mark_compare(self: Any) -> None:
        """``m``: mark (or unmark) the highlighted job for comparing."""
        marked: list[int] = self.__dict__.setdefault("compare_ids", [])
        job = self.highlighted
        if job is None or job.id is None:
            return
        if job.id in marked:
            marked.remove(job.id)
            self.notify(f"Job {job.id} unmarked ({len(marked)} marked).", title="Compare")
            return
        from jimeng_tui.tui.screens.compare import MAX_TAKES

        if len(marked) >= MAX_TAKES:
            self.notify(f"{MAX_TAKES} takes at most: unmark one with m.", severity="warning")
            return
        marked.append(job.id)
        more = "mark more with m, compare with =" if len(marked) > 1 else "mark another with m"
        self.notify(f"Job {job.id} marked ({len(marked)}): {more}.", title="Compare")

    def action_compare(self: Any) -> None:
        """``=``: the marked jobs side by side."""
        marked: list[int] = self.__dict__.setdefault("compare_ids", [])
        if len(marked) < 2:
            self.notify("Mark two to four jobs with m first, then press =.", severity="warning")
            return
        history = self.engine.history
        jobs = [job for job in (history.get(i) for i in marked) if job is not None]
        from jimeng_tui.tui.screens.compare import CompareScreen

        def set_favourite(job_id: int, value: bool) -> Job | None:
            history.set_favourite(job_id, value)
            job = history.get(job_id)
            if job is not None:
                self._post(self._apply_jobs, [job])  # the row shows the star too
            return job

        self.app.push_screen(CompareScreen(jobs, self.engine.paths.cache_dir, set_favourite))
