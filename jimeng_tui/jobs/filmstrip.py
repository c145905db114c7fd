"""Frames of a saved video for the studio's previews (issue 18): a filmstrip of N evenly spaced
frames, and the frames of a short animated preview at a few frames per second.

The frames are small PNGs in the cache folder, under a key made of the video's path, size and
modification time: a video replaced or re-downloaded gets new frames, an unchanged one is never
decoded twice. PyAV (and Pillow) load only when frames are made, never with the engine.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
from pathlib import Path
from typing import Any

FRAME_WIDTH = 320  # pixels; a terminal cell shows about 2, so 160 columns at most
PREVIEW_FPS = 4
MAX_PREVIEW_FRAMES = 60


def cache_folder(video: Path, cache_dir: Path, kind: str) -> Path:
    """Where the frames of ``video`` (as it is now on disk) are kept; ``kind`` names the set."""
    stat = video.stat()
    who = hashlib.sha256(str(video.resolve()).encode("utf-8")).hexdigest()[:16]
    return cache_dir / "frames" / f"{who}-{stat.st_size}-{stat.st_mtime_ns}" / kind


def frame_times(duration_s: float, count: int) -> list[float]:
    """``count`` instants spread evenly over the video: the middle of each of ``count`` equal
    parts (never the black first frame, never past the end)."""
    return [duration_s * (i + 0.5) / count for i in range(count)]


def decode_frames(video: Path, times: list[float], width: int = FRAME_WIDTH) -> list[Any]:
    """PIL images of the first frame at or after each of ``times`` (seconds), ``width`` wide.
    Raises ``MediaError`` for a file that is not a video."""
    from jimeng_tui.jobs.media import _open_video, _source_frames

    wanted = sorted(times)
    images: list[Any] = []
    last: Any = None
    with _open_video(video) as (container, stream):
        for frame in _source_frames(container, stream):
            last = frame
            at = frame.time if frame.time is not None else 0.0
            while wanted and at + 1e-6 >= wanted[0]:
                images.append(_small(frame, width))
                wanted.pop(0)
            if not wanted:
                break
    if last is None:
        from jimeng_tui.jobs.media import MediaError

        raise MediaError(f"{video.name}: no frame could be decoded.")
    images.extend(_small(last, width) for _ in wanted)  # past the last frame: the last one
    return images


def _small(frame: Any, width: int) -> Any:
    image = frame.to_image()
    height = max(2, round(image.height * width / image.width))
    return image.resize((width, height))


def cached_frames(video: Path, cache_dir: Path, count: int, kind: str = "strip") -> list[Path]:
    """The PNGs of ``count`` evenly spaced frames of ``video``, made once and cached."""
    from jimeng_tui.jobs.media import probe

    folder = cache_folder(video, cache_dir, f"{kind}-{count}")
    names = [folder / f"frame-{i:03d}.png" for i in range(count)]
    if all(path.exists() for path in names):
        return names
    info = probe(video)
    images = decode_frames(video, frame_times(info.duration_s, count))
    # one staging folder per thread: the studio and History may make the same strip at once
    staging = folder.with_name(f".{folder.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for i, image in enumerate(images):
        image.save(staging / names[i].name, format="PNG")
    if all(path.exists() for path in names):  # another thread finished first: keep theirs
        shutil.rmtree(staging, ignore_errors=True)
        return names
    shutil.rmtree(folder, ignore_errors=True)
    try:
        os.replace(staging, folder)
    except OSError:  # another process made them at the same moment: theirs are as good
        shutil.rmtree(staging, ignore_errors=True)
    return names


def preview_count(duration_s: float, fps: int = PREVIEW_FPS) -> int:
    return max(2, min(MAX_PREVIEW_FRAMES, round(duration_s * fps)))


def load_images(paths: list[Path]) -> list[Any]:
    from PIL import Image

    images = []
    for path in paths:
        with Image.open(path) as img:
            images.append(img.convert("RGB"))
    return images


def filmstrip_images(video: Path, cache_dir: Path, count: int) -> list[Any]:
    """The filmstrip of ``video``: ``count`` PIL images, from the cache when there."""
    return load_images(cached_frames(video, cache_dir, count))


def preview_images(video: Path, cache_dir: Path, fps: int = PREVIEW_FPS) -> list[Any]:
    """The frames of the animated preview (``fps`` a second, at most MAX_PREVIEW_FRAMES)."""
    from jimeng_tui.jobs.media import probe

    count = preview_count(probe(video).duration_s, fps)
    return load_images(cached_frames(video, cache_dir, count, kind=f"play{fps}"))
