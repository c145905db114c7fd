"""The end of a download: check the part is a video, give it its final name without ever
overwriting a file, and write the ``NAME.json`` sidecar beside it. Also the ``.part.meta``
file where a resumable part keeps its ETag and size."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
from pathlib import Path
from typing import Any

from jimeng_tui.jobs.media import MediaInfo, probe, temp_path

META_SUFFIX = ".meta"


def meta_path(part: Path) -> Path:
    return part.with_name(part.name + META_SUFFIX)


def _read_meta(part: Path) -> dict[str, Any]:
    try:
        data = json.loads(meta_path(part).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_meta(part: Path, etag: str | None, total: int | None) -> None:
    path = meta_path(part)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({"etag": etag, "total": total}), "utf-8")
    os.replace(tmp, path)


def _link_no_overwrite(src: Path, dest: Path) -> None:
    """Give ``src`` the name ``dest`` unless ``dest`` exists (FileExistsError).

    ``src`` usually stays (a second link); without hard links it is moved.
    """
    try:
        os.link(src, dest)
        return
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno == errno.EXDEV:
            raise
    # No hard links here (FAT, some network shares): claim the name exclusively, then replace
    # our own empty placeholder.
    fd = os.open(dest, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    os.close(fd)
    os.replace(src, dest)


def _move_no_overwrite(src: Path, dest: Path) -> None:
    try:
        _link_no_overwrite(src, dest)
    except OSError as exc:
        if isinstance(exc, FileExistsError) or exc.errno != errno.EXDEV:
            raise
        # Different file systems: copy next to dest first, then move that.
        tmp = temp_path(dest)
        try:
            shutil.copyfile(src, tmp)
            with open(tmp, "rb+") as f:
                os.fsync(f.fileno())
            _link_no_overwrite(tmp, dest)
        finally:
            tmp.unlink(missing_ok=True)
    src.unlink(missing_ok=True)


def finalize_video(part: Path, dest: Path) -> tuple[Path, MediaInfo]:
    """Check ``part`` is a video, then give it the name ``dest``; returns (dest, info).

    Raises ``MediaError`` (the part is kept) when it is not a video, and ``FileExistsError``
    when ``dest`` exists: nothing is ever overwritten, pick another name with ``unique_path``.
    Blocking; callers use ``asyncio.to_thread``.
    """
    part, dest = Path(part), Path(dest)
    info = probe(part)
    with open(part, "rb+") as f:  # the bytes are on disk before the name says "done"
        os.fsync(f.fileno())
    dest.parent.mkdir(parents=True, exist_ok=True)
    _move_no_overwrite(part, dest)
    meta_path(part).unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        dir_fd = os.open(dest.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    return dest, info


def write_sidecar(video: Path, data: dict[str, Any]) -> Path:
    """Write ``data`` as ``NAME.json`` next to ``NAME.mp4`` (atomically); returns its path."""
    video = Path(video)
    path = video.with_suffix(".json")
    tmp = temp_path(path)
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
