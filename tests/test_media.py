"""Probing, conforming and poster frames with real (small) H.264 files made by PyAV."""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import av
import pytest
from media_support import HEIGHT, WIDTH, colour, make_video
from PIL import Image

from jimeng_tui.domain.errors import JimengError
from jimeng_tui.jobs.media import MediaError, MediaInfo, conform, extract_poster, probe


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("clips")
    return {
        "5s": make_video(folder / "five.mp4", 121),
        "10s": make_video(folder / "ten.mp4", 241),
    }


def frame_colours(path: Path) -> list[tuple[int, int, int]]:
    with av.open(str(path)) as container:
        return [
            frame.to_image().resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
            for frame in container.decode(video=0)
        ]


def nearest_source_frame(rgb: tuple[int, int, int], count: int) -> int:
    def distance(i: int) -> int:
        return sum((a - b) ** 2 for a, b in zip(rgb, colour(i), strict=True))

    return min(range(count), key=distance)


def test_probe_reads_what_the_file_holds(clips):
    info = probe(clips["5s"])
    assert isinstance(info, MediaInfo)
    assert info.frames == 121
    assert info.fps == 24.0
    assert (info.width, info.height) == (WIDTH, HEIGHT)
    assert info.duration_s == pytest.approx(121 / 24, abs=1 / 24)
    assert info.codec == "h264"
    assert info.size_bytes == clips["5s"].stat().st_size


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00" * 10, b"<html>403 Forbidden</html>" * 200, bytes(range(256)) * 64],
    ids=["empty", "tiny", "html-page", "noise"],
)
def test_probe_rejects_files_that_are_not_videos(tmp_path, content):
    path = tmp_path / "video.mp4"
    path.write_bytes(content)
    with pytest.raises(MediaError) as err:
        probe(path)
    assert isinstance(err.value, JimengError)
    assert "video.mp4" in str(err.value)


@pytest.mark.parametrize("faststart", [False, True], ids=["moov-at-end", "moov-first"])
def test_probe_rejects_a_truncated_video(tmp_path, faststart):
    whole = make_video(tmp_path / "whole.mp4", 121, faststart=faststart)
    assert probe(whole).frames == 121
    data = whole.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) * 6 // 10])
    with pytest.raises(MediaError, match=r"cut\.mp4"):
        probe(cut)


def test_probe_of_a_missing_file_is_a_media_error(tmp_path):
    with pytest.raises(MediaError, match="does not exist"):
        probe(tmp_path / "nothing.mp4")


@pytest.mark.parametrize(
    ("source", "duration", "fps", "frames"),
    [("5s", 4, 30, 120), ("10s", 8, 25, 200), ("5s", 4, 24, 96), ("10s", 6, 30, 180)],
)
def test_conform_gives_exact_duration_and_frame_rate(
    tmp_path, clips, source, duration, fps, frames
):
    dest = tmp_path / "out" / "conformed.mp4"
    info = conform(clips[source], dest, duration_s=duration, fps=fps)
    assert dest.exists()
    again = probe(dest)
    assert again == info
    assert info.fps == fps
    assert info.duration_s == pytest.approx(duration, abs=1 / fps)
    assert info.frames == frames
    assert (info.width, info.height) == (WIDTH, HEIGHT)
    assert info.codec == "h264"
    # no temporary files left behind
    assert sorted(p.name for p in dest.parent.iterdir()) == ["conformed.mp4"]


def test_conform_duplicates_frames_in_time_order(tmp_path, clips):
    """24 → 30 fps: output frame i shows source frame floor(i * 24 / 30): motion keeps its speed."""
    dest = tmp_path / "thirty.mp4"
    conform(clips["5s"], dest, duration_s=4, fps=30)
    shown = [nearest_source_frame(rgb, 121) for rgb in frame_colours(dest)]
    assert shown == [math.floor(Fraction(i, 30) * 24) for i in range(120)]
    assert shown[-1] == 95  # the last 4 s frame; nothing after 4 s is kept


def test_conform_drops_frames_when_slowing_the_rate(tmp_path, clips):
    dest = tmp_path / "twenty.mp4"
    info = conform(clips["10s"], dest, duration_s=8, fps=20)
    assert info.frames == 160
    shown = [nearest_source_frame(rgb, 241) for rgb in frame_colours(dest)]
    assert shown == [math.floor(Fraction(i, 20) * 24) for i in range(160)]


def test_conform_output_is_yuv420p(tmp_path, clips):
    dest = tmp_path / "c.mp4"
    conform(clips["5s"], dest, duration_s=4, fps=25)
    with av.open(str(dest)) as container:
        assert container.streams.video[0].codec_context.pix_fmt == "yuv420p"


def test_conform_of_a_broken_source_raises_and_writes_nothing(tmp_path):
    src = tmp_path / "broken.mp4"
    src.write_bytes(b"not a video at all" * 200)
    dest = tmp_path / "out.mp4"
    with pytest.raises(MediaError):
        conform(src, dest, duration_s=4, fps=30)
    assert list(tmp_path.iterdir()) == [src]


def test_conform_replaces_dest_atomically(tmp_path, clips):
    dest = tmp_path / "c.mp4"
    conform(clips["5s"], dest, duration_s=4, fps=30)
    info = conform(clips["5s"], dest, duration_s=4, fps=25)
    assert probe(dest).fps == info.fps == 25


def test_poster_is_a_png_from_a_third_of_the_way_in(tmp_path, clips):
    dest = tmp_path / "posters" / "five.png"
    assert extract_poster(clips["5s"], dest) == dest
    assert dest.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(dest) as image:
        assert image.format == "PNG"
        assert image.size == (WIDTH, HEIGHT)
        rgb = image.convert("RGB").resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
    assert abs(nearest_source_frame(rgb, 121) - 121 / 3) <= 2
    assert sorted(p.name for p in dest.parent.iterdir()) == ["five.png"]


def test_poster_of_a_broken_file_is_a_media_error(tmp_path):
    src = tmp_path / "broken.mp4"
    src.write_bytes(b"\x00" * 4096)
    with pytest.raises(MediaError):
        extract_poster(src, tmp_path / "p.png")
    assert not (tmp_path / "p.png").exists()
