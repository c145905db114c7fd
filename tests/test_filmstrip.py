"""The filmstrip decodes N evenly spaced frames of a real MP4 and caches them by the file's size
and modification time (issue 18)."""

from __future__ import annotations

import os

import pytest
from media_support import colour, make_video
from PIL import Image

from jimeng_tui.jobs import filmstrip


def close(a, b, tolerance=12) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


def test_four_frames_evenly_spaced_from_a_real_mp4(tmp_path):
    video = make_video(tmp_path / "clip.mp4", frames=48)  # 2 s at 24 fps, frame i = colour(i)
    paths = filmstrip.cached_frames(video, tmp_path / "cache", 4)
    assert len(paths) == 4 and all(p.is_file() for p in paths)
    for path, index in zip(paths, (6, 18, 30, 42), strict=True):  # 0.25, 0.75, 1.25, 1.75 s
        with Image.open(path) as image:
            assert image.width == filmstrip.FRAME_WIDTH
            assert close(image.convert("RGB").getpixel((10, 10)), colour(index)), (path, index)


def test_frames_are_cached_until_the_file_changes(tmp_path, monkeypatch):
    video = make_video(tmp_path / "clip.mp4", frames=24)
    cache = tmp_path / "cache"
    first = filmstrip.cached_frames(video, cache, 3)

    def no_decoding(*args, **kwargs):
        raise AssertionError("decoded again")

    monkeypatch.setattr(filmstrip, "decode_frames", no_decoding)
    assert filmstrip.cached_frames(video, cache, 3) == first  # from the cache
    stat = video.stat()
    os.utime(video, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    with pytest.raises(AssertionError, match="decoded again"):
        filmstrip.cached_frames(video, cache, 3)  # a new file: new frames


def test_preview_frames_at_four_a_second(tmp_path):
    video = make_video(tmp_path / "clip.mp4", frames=48)
    images = filmstrip.preview_images(video, tmp_path / "cache")
    assert len(images) == 8  # 2 s × 4


def test_not_a_video_is_a_clear_error(tmp_path):
    from jimeng_tui.jobs.media import MediaError

    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"not a video at all" * 100)
    with pytest.raises(MediaError):
        filmstrip.cached_frames(bad, tmp_path / "cache", 4)
