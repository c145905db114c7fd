"""When the video of a finished task cannot be saved here (DESIGN.md, "Money").

The service holds the video for about 12 hours after the submit, so a local failure (a full
disk, a folder that is not writable, an unknown ``{placeholder}`` in the file name template, a
damaged partial download) is never the end of a paid job: it waits in ``save_failed`` and the
next drive (``resume``, ``wait TASK``, a batch re-run, the TUI's retry, History's download
again) fetches the video from the same task. This module turns those causes into one clear
message with the command that finishes the job, checks free space before a download, and
clears the leftovers of an abandoned attempt.
"""

from __future__ import annotations

import contextlib
import errno
import shutil
from pathlib import Path
from typing import Any, BinaryIO

from jimeng_tui.domain.errors import JimengError
from jimeng_tui.domain.job import Job
from jimeng_tui.jobs.display import size
from jimeng_tui.jobs.media import MediaInfo

SPACE_MARGIN = 64 * 1024  # left free besides the video: its sidecar, the file system's own
_FULL = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG})
_DENIED = frozenset({errno.EACCES, errno.EPERM})


class SaveFailed(JimengError):
    """The video could not be saved locally; ``reason`` says what, for the user."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


class NotEnoughSpace(OSError):
    """Too little free space for a download whose size is known (``Content-Length``)."""

    def __init__(self, folder: Path, needed: int, free: int):
        self.needed, self.free = needed, free
        super().__init__(
            errno.ENOSPC,
            f"not enough free space: the video needs {size(needed)}, the disk has "
            f"{size(free)} free ({folder})",
            str(folder),
        )


def ensure_free_space(folder: Path, needed: int | None) -> None:
    """Raise NotEnoughSpace when ``folder``'s disk cannot take ``needed`` more bytes."""
    if not needed or needed <= 0:
        return
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return  # the write itself will tell
    if free < needed + SPACE_MARGIN:
        raise NotEnoughSpace(folder, needed, free)


def describe_os_error(exc: OSError, folder: Path) -> str:
    """What went wrong on the disk, cause first (a job list shows the start of it)."""
    if isinstance(exc, NotEnoughSpace):
        return f"{exc.strerror}: free some space"
    where = Path(exc.filename).parent if exc.filename else folder
    if exc.errno in _FULL:
        return f"the disk is full ({where}): free some space"
    if exc.errno == errno.EROFS:
        return (
            f"the folder is on a read-only file system ({where}): make it writable or choose "
            "another folder"
        )
    if exc.errno in _DENIED:
        return (
            f"no permission to write in the folder ({where}): make it writable or choose "
            "another folder"
        )
    what = exc.strerror or type(exc).__name__
    return f"{what} ({exc.filename or folder})"


def disk_error(exc: BaseException) -> OSError | None:
    """The disk error behind a media error (PyAV reports a full disk as its own error)."""
    cause = exc.__cause__
    code = getattr(cause, "errno", None)
    if code in _FULL or code in _DENIED or code == errno.EROFS:
        return OSError(
            code, getattr(cause, "strerror", None) or str(cause), getattr(cause, "filename", None)
        )
    return None


def finish_command(job: Job, flags: str = "") -> str:
    """The command that finishes a job from its task."""
    if job.task_id:
        return f"jimeng-tui wait {job.task_id}{flags}"
    return f"jimeng-tui resume{flags}"


def save_failed_message(job: Job, reason: str, flags: str = "") -> str:
    return (
        f"{reason}. Once that is fixed, `{finish_command(job, flags)}` (or `jimeng-tui "
        f"resume{flags}`) saves it from the same task, with no new submit; the service keeps "
        "the video about 12 h after the submit"
    )


def drop_empty_part(job: Job) -> None:
    """A part that holds nothing yet is not kept for the next attempt (no empty litter)."""
    part = part_of(job)
    with contextlib.suppress(OSError):
        if part is not None and part.is_file() and part.stat().st_size == 0:
            discard_part(part)


def discard_part(part: Path) -> None:
    """Remove a partial download and its ``.meta``: the next attempt starts from zero."""
    for path in (part, part.with_name(part.name + ".meta")):
        with contextlib.suppress(OSError):
            path.unlink()


def leftovers(dest: Path, source: Path) -> list[Path]:
    """Files of an earlier attempt at saving to ``dest`` that the next attempt would reuse."""
    part = dest.with_name(dest.name + ".part")
    return [p for p in (part, dest, source) if p.exists() or p.is_symlink()]


NAME_SUFFIXES = (".json", ".source.mp4", ".mp4.part")  # must be free beside a new NAME.mp4


def source_of(dest: Path) -> Path:
    """Where the service's own file is kept when ``dest`` is a conformed video."""
    return dest.with_name(dest.name.removesuffix(".mp4") + ".source.mp4")


def free_name(taken: Path) -> Path:
    """A free name beside ``taken`` (``NAME-2.mp4``...), for a video that must not overwrite."""
    from jimeng_tui.jobs.naming import unique_path

    return unique_path(taken.parent, taken.name.removesuffix(".mp4"), ".mp4", also=NAME_SUFFIXES)


def part_of(job: Job) -> Path | None:
    return Path(job.path + ".part") if job.path else None


def discard_leftover_part(job: Job) -> None:
    """The partial download of a job that will never finish (expired, cancelled)."""
    part = part_of(job)
    if part is not None:
        discard_part(part)


def forget_unusable_path(job: Job) -> None:
    """Before another attempt at a save that failed: unless the user chose the file (``-o``) or
    an earlier attempt left bytes to reuse there, plan the name afresh, so that a changed output
    folder or file name template applies. A ``.meta`` without its part is cleared."""
    part = part_of(job)
    if part is None:
        return
    dest = Path(job.path or "")
    if not (part.exists() or part.is_symlink()):
        discard_part(part)
    if job.meta.output or leftovers(dest, source_of(dest)):
        return
    job.path = None


def gone_message(status: str) -> str:
    if status == "not_found":
        return (
            "the service no longer knows this task (it keeps tasks about 12 hours): the video "
            "can no longer be fetched; submit it again for a new one"
        )
    return "the service expired the task: submit it again"


def sidecar_facts(job: Job, info: MediaInfo, now: float) -> dict[str, Any]:
    """What ``NAME.json`` records about a saved video."""
    return {
        "prompt": job.prompt,
        "mode": job.mode,
        "req_key": job.req_key,
        "parameters": {k: v for k, v in job.params.items() if not k.startswith("_")},
        "request_body": job.meta.sent_body,
        "input_image_sha256": job.image_hashes,
        "task_id": job.task_id,
        "request_id": job.request_id,
        "video_url": job.video_url,
        "timings": {
            "created_at": job.created_at,
            "submitted_at": job.submitted_at,
            "finished_at": job.finished_at,
            "saved_at": now,
        },
        "media": {
            "duration_s": info.duration_s,
            "fps": info.fps,
            "width": info.width,
            "height": info.height,
            "frames": info.frames,
            "codec": info.codec,
            "size_bytes": info.size_bytes,
        },
        "source_path": job.source_path,
        "has_audio": info.has_audio,
        "last_frame": job.meta.last_frame_path,
        "usage_tokens": job.meta.usage_tokens,
    }


def lock_part(part: Path) -> BinaryIO | None:
    """Hold ``part`` for this process's download until the returned file is closed (a crash
    lets go too). None when another live process is downloading to the same name (the same
    ``-o`` given twice): the caller saves under a free name instead."""
    part.parent.mkdir(parents=True, exist_ok=True)
    handle = open(part, "ab")  # noqa: SIM115 - the lock lives as long as the handle
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        return handle
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    except OSError:
        pass  # a file system without locks: go ahead as before
    return handle
