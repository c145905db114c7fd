"""Small real H.264 files for the tests, made with PyAV (imported by test modules)."""

from __future__ import annotations

from pathlib import Path

import av
from PIL import Image, ImageChops, ImageStat

WIDTH, HEIGHT, SOURCE_FPS = 320, 180, 24


def colour(i: int) -> tuple[int, int, int]:
    """A distinct, easily recognisable colour for source frame ``i``."""
    return ((i * 37) % 200 + 28, (i * 71) % 200 + 28, (i * 113) % 200 + 28)


def make_video(
    path: Path, frames: int, fps: int = SOURCE_FPS, size=(WIDTH, HEIGHT), faststart: bool = False
) -> Path:
    """``frames`` frames of solid colour (``colour(i)``) at ``fps``, as an MP4 at ``path``."""
    options = {"movflags": "faststart"} if faststart else {}
    with av.open(str(path), "w", format="mp4", options=options) as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.options = {"preset": "ultrafast", "crf": "10"}
        for i in range(frames):
            frame = av.VideoFrame.from_image(Image.new("RGB", size, colour(i)))
            frame.pts = i
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def frames(path: Path | str) -> list[Image.Image]:
    with av.open(str(path)) as container:
        return [f.to_image() for f in container.decode(container.streams.video[0])]


def first_and_last(path: Path | str) -> tuple[Image.Image, Image.Image]:
    images = frames(path)
    return images[0], images[-1]


def mean_difference(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference per pixel and channel (0-255), ``b`` resized to ``a``."""
    b = b.convert("RGB").resize(a.size)
    diff = ImageChops.difference(a.convert("RGB"), b)
    return sum(ImageStat.Stat(diff).mean) / 3
