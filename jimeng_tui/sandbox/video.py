"""Real, small H.264 clips for the sandbox's video links (PyAV + Pillow, no numpy).

A clip is a moving gradient whose colours come from a hash of prompt and seed, with a shape that
travels across it and a progress bar at the bottom, so two prompts (or two seeds) never give the
same file and a player shows visible motion. Clips are cached in memory and on disk by
(frames, size, prompt, seed); rendering is blocking — call :meth:`ClipCache.get_async` from a loop.
"""

from __future__ import annotations

import asyncio
import colorsys
import hashlib
import io
import math
import os
import struct
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
from PIL import Image, ImageDraw

from jimeng_tui.services.jimeng import catalog

# Reduced output sizes by catalog ratio (both sides even, as H.264 4:2:0 needs).
VIDEO_SIZES: dict[str, tuple[int, int]] = {
    "16:9": (640, 360),
    "4:3": (480, 360),
    "1:1": (480, 480),
    "3:4": (360, 480),
    "9:16": (360, 640),
    "21:9": (672, 288),
}
assert set(VIDEO_SIZES) == set(catalog.ASPECT_RATIOS), "a catalog ratio has no sandbox size"

MEMORY_CACHE_CLIPS = 48
AUDIO_RATE = 48_000
AUDIO_FRAME_SAMPLES = 1024  # one AAC frame


def size_for(aspect_ratio: str) -> tuple[int, int]:
    return VIDEO_SIZES[aspect_ratio]


@dataclass(frozen=True)
class ClipSpec:
    frames: int
    width: int
    height: int
    prompt: str
    seed: int
    audio: bool = False  # an AAC sound track as long as the video (Ark's generate_audio)

    @property
    def key(self) -> str:
        raw = f"{self.frames}\x00{self.width}x{self.height}\x00{self.seed}\x00{self.prompt}"
        if self.audio:
            raw += "\x00audio"
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]

    @property
    def fps(self) -> int:
        return catalog.NATIVE_FPS


def _palette(spec: ClipSpec) -> tuple[list[tuple[int, int, int]], bytes]:
    digest = hashlib.sha256(f"{spec.prompt}\x00{spec.seed}".encode()).digest()
    colours = []
    for i in range(4):
        hue = digest[i] / 255.0
        sat = 0.45 + digest[4 + i] / 255.0 * 0.5
        val = 0.55 + digest[8 + i] / 255.0 * 0.4
        r, g, b = colorsys.hsv_to_rgb(hue, sat, val)
        colours.append((int(r * 255), int(g * 255), int(b * 255)))
    return colours, digest


def _background(spec: ClipSpec, colours: list[tuple[int, int, int]]) -> Image.Image:
    """A gradient twice as wide as the frame; each frame shows a sliding window of it."""
    corners = Image.new("RGB", (3, 2))
    corners.putdata([colours[0], colours[1], colours[0], colours[2], colours[3], colours[2]])
    return corners.resize((spec.width * 2, spec.height), Image.Resampling.BILINEAR)


class _Painter:
    """Draws frame ``i`` of a clip: a sliding gradient, a travelling shape, a progress bar."""

    def __init__(self, spec: ClipSpec):
        colours, digest = _palette(spec)
        self.spec = spec
        self.background = _background(spec, colours)
        w, h = spec.width, spec.height
        self.radius = max(12, min(w, h) // 7)
        self.phase = digest[12] / 255.0 * 2 * math.pi
        self.loops_x = 1 + digest[13] % 3
        self.loops_y = 1 + digest[14] % 2
        self.shape = digest[15] % 2  # 0 ellipse, 1 square
        self.ink = tuple(255 - c for c in colours[3])

    def frame(self, i: int) -> Image.Image:
        w, h, radius = self.spec.width, self.spec.height, self.radius
        t = i / max(1, self.spec.frames - 1)
        offset = int(t * w)
        image = self.background.crop((offset, 0, offset + w, h))
        draw = ImageDraw.Draw(image)
        cx = w / 2 + (w / 2 - radius) * math.sin(2 * math.pi * self.loops_x * t + self.phase)
        cy = h / 2 + (h / 2 - radius) * math.sin(2 * math.pi * self.loops_y * t)
        box = (cx - radius, cy - radius, cx + radius, cy + radius)
        if self.shape == 0:
            draw.ellipse(box, fill=self.ink)
        else:
            draw.rectangle(box, fill=self.ink)
        draw.rectangle((0, h - 6, int(w * t), h), fill=(255, 255, 255))
        return image


def last_frame_png(spec: ClipSpec) -> bytes:
    """The clip's last frame as a PNG (what Ark's ``last_frame_url`` serves)."""
    buf = io.BytesIO()
    _Painter(spec).frame(spec.frames - 1).save(buf, format="PNG")
    return buf.getvalue()


def _write_tone(
    container: av.container.OutputContainer, stream: av.AudioStream, spec: ClipSpec
) -> None:
    """A quiet tone as long as the video, its pitch from the clip's key."""
    pitch = 220 + int(spec.key[:4], 16) % 440
    total = AUDIO_RATE * spec.frames // spec.fps
    pos = 0
    while pos < total:
        count = min(AUDIO_FRAME_SAMPLES, total - pos)
        frame = av.AudioFrame(format="fltp", layout="mono", samples=count)
        samples = (
            0.2 * math.sin(2 * math.pi * pitch * (pos + j) / AUDIO_RATE) for j in range(count)
        )
        frame.planes[0].update(struct.pack(f"<{count}f", *samples))
        frame.sample_rate = AUDIO_RATE
        frame.time_base = Fraction(1, AUDIO_RATE)
        frame.pts = pos
        for packet in stream.encode(frame):
            container.mux(packet)
        pos += count
    for packet in stream.encode():
        container.mux(packet)


def render_clip(spec: ClipSpec) -> bytes:
    """Encode the clip to MP4 bytes (H.264, yuv420p, 24 fps, ``spec.frames`` frames; with
    ``spec.audio`` also an AAC track)."""
    painter = _Painter(spec)
    buf = io.BytesIO()
    with av.open(buf, mode="w", format="mp4") as container:
        stream = container.add_stream(
            "libx264",
            rate=spec.fps,
            options={"preset": "ultrafast", "crf": "30", "tune": "fastdecode"},
        )
        stream.width = spec.width
        stream.height = spec.height
        stream.pix_fmt = "yuv420p"
        stream.time_base = Fraction(1, spec.fps)
        container.metadata["comment"] = f"jimeng-tui sandbox clip {spec.key}"
        audio = None
        if spec.audio:  # every stream is added before the first packet is written
            audio = container.add_stream("aac", rate=AUDIO_RATE)
            audio.layout = "mono"
        for i in range(spec.frames):
            frame = av.VideoFrame.from_image(painter.frame(i))
            frame.pts = i
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
        if audio is not None:
            _write_tone(container, audio, spec)
    return buf.getvalue()


_memory: OrderedDict[str, bytes] = OrderedDict()
_memory_lock = threading.Lock()


def default_cache_dir() -> Path:
    return Path(tempfile.gettempdir()) / "jimeng-tui-sandbox-clips"


class ClipCache:
    """Rendered clips by spec: process-wide memory LRU, then files in ``cache_dir``, then render."""

    def __init__(self, cache_dir: Path | None = None):
        self.cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
        self._locks: dict[str, asyncio.Lock] = {}
        self._background: set[asyncio.Task[bytes]] = set()
        self.renders = 0  # clips this cache rendered (not found in memory or on disk)

    def prefetch(self, spec: ClipSpec) -> None:
        """Start rendering in the background (from a running loop) so a download finds it ready."""
        with _memory_lock:
            if spec.key in _memory:
                return
        task = asyncio.get_running_loop().create_task(self.get_async(spec))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _path(self, spec: ClipSpec) -> Path:
        return self.cache_dir / f"{spec.key}.mp4"

    def peek(self, spec: ClipSpec) -> bytes | None:
        with _memory_lock:
            data = _memory.get(spec.key)
            if data is not None:
                _memory.move_to_end(spec.key)
                return data
        path = self._path(spec)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        self._remember(spec, data)
        return data

    def _remember(self, spec: ClipSpec, data: bytes) -> None:
        with _memory_lock:
            _memory[spec.key] = data
            _memory.move_to_end(spec.key)
            while len(_memory) > MEMORY_CACHE_CLIPS:
                _memory.popitem(last=False)

    def get(self, spec: ClipSpec) -> bytes:
        """Blocking: the clip's bytes, rendering (and storing) it when needed."""
        data = self.peek(spec)
        if data is not None:
            return data
        data = render_clip(spec)
        self.renders += 1
        self._remember(spec, data)
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            path = self._path(spec)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)
        except OSError:
            pass  # the memory copy still serves
        return data

    async def get_async(self, spec: ClipSpec) -> bytes:
        """The clip without blocking the loop; concurrent callers share one render."""
        data = self.peek(spec)
        if data is not None:
            return data
        lock = self._locks.setdefault(spec.key, asyncio.Lock())
        async with lock:
            return await asyncio.to_thread(self.get, spec)


def free_box(size: int) -> bytes:
    """The header of an MP4 ``free`` box of ``size`` bytes in all (players skip its payload)."""
    if size < 8:
        raise ValueError("a box needs at least 8 bytes")
    if size < 2**32:
        return size.to_bytes(4, "big") + b"free"
    if size < 16:
        raise ValueError("a large box needs at least 16 bytes")
    return (1).to_bytes(4, "big") + b"free" + size.to_bytes(8, "big")
