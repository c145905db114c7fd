"""A shot's last frame as a PNG beside its video: the next shot of a chain starts on it.

The service's own last-frame image (``job.meta.last_frame_path``, Seedance's
``return_last_frame``) when the job has one; else the saved video's last decoded frame. Blocking
(PyAV, Pillow): call through ``asyncio.to_thread``.
"""

from __future__ import annotations

from pathlib import Path

import av

from jimeng_tui.domain.job import Job
from jimeng_tui.jobs.media import MediaError, save_png

LAST_FRAME_SUFFIX = ".last-frame.png"


def last_frame_file(video: Path) -> Path:
    return video.with_name(video.stem + LAST_FRAME_SUFFIX)


def last_frame_of(job: Job) -> Path:
    """The PNG the next shot starts on (made once, then reused); MediaError if there is none."""
    given = job.meta.last_frame_path
    if given and Path(given).is_file():
        return Path(given)
    if not job.path or not Path(job.path).is_file():
        raise MediaError(
            f"job {job.id}'s video is not on disk ({job.path or 'never saved'}); the next shot "
            "cannot start from its last frame"
        )
    video = Path(job.path)
    dest = last_frame_file(video)
    if dest.is_file() and dest.stat().st_mtime >= video.stat().st_mtime:
        return dest
    save_last_frame(video, dest)
    return dest


def save_last_frame(video: Path, dest: Path) -> Path:
    last = None
    try:
        with av.open(str(video)) as container:
            stream = container.streams.video[0]
            for frame in container.decode(stream):
                last = frame
            if last is None:
                raise MediaError(f"{video.name}: no frame could be decoded")
            image = last.to_image()  # type: ignore[no-untyped-call]
    except av.FFmpegError as exc:
        raise MediaError(f"{video.name} could not be decoded: {exc}") from exc
    return save_png(image, dest)


__all__ = ["last_frame_file", "last_frame_of", "save_last_frame"]
