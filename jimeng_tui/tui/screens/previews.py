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


def make_filmstrip(host: Any, job: Job, cache_dir: Path, show: Any) -> None:
    """Show ``job``'s filmstrip with ``show(images)`` (on the host's loop), made in a thread the
    first time. ``host`` is the app or a screen; it keeps them in ``host.filmstrips``."""
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
        strips[job_id] = images
        while len(strips) > KEPT:
            strips.popitem(last=False)
        show(images)

    host.run_worker(
        work, thread=True, group="filmstrip", name=f"filmstrip-{job_id}", exit_on_error=False
    )


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
        detail = self.detail

        def show(images: list[Any]) -> None:
            if detail.job_id == job.id:
                detail.set_filmstrip(images)

        make_filmstrip(self, job, self.engine.paths.cache_dir, show)

    def action_play_preview(self: Any) -> None:
        play_preview(self, self.highlighted, self.engine.paths.cache_dir)
