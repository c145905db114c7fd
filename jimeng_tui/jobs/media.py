"""Reading and rewriting video files with PyAV (DESIGN.md, "Duration and frame rate").

Everything here blocks (decoding, encoding, file I/O); callers use ``asyncio.to_thread``.

- :func:`probe` checks a file is a real video (size first, then PyAV opens and decodes a frame) and
  reads what it holds.
- :func:`conform` trims to a duration and converts the frame rate by duplicating/dropping frames,
  then encodes H.264 (yuv420p); a sound track (Seedance's ``generate_audio``) is copied as it is,
  cut at the same length.
- :func:`extract_poster` saves a PNG of a frame about a third of the way in.

Outputs are written to a temporary file in the destination folder and renamed into place, so a
half-written file never carries the final name.
"""

from __future__ import annotations

import contextlib
import math
import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from jimeng_tui.domain.errors import JimengError

if TYPE_CHECKING:
    # PyAV takes ~50 ms to import: each function imports it when a video is touched, so
    # opening the engine (and the TUI's first screens) never waits for it.
    import av
    from PIL.Image import Image as PILImage

# Smaller than this cannot be a video (an empty body, an HTML error page cut short, ...).
FrameT = TypeVar("FrameT")
MIN_VIDEO_BYTES = 1024

CRF = 18
PRESET = "fast"


@dataclass(frozen=True)
class MediaInfo:
    duration_s: float
    fps: float
    width: int
    height: int
    frames: int
    codec: str
    size_bytes: int
    has_audio: bool = False  # the file holds a sound track


class MediaError(JimengError):
    """A file is not a usable video (or a video could not be written)."""


def _fail(path: Path, reason: str) -> MediaError:
    return MediaError(f"{path.name} is not a usable video: {reason}.")


def temp_path(dest: Path) -> Path:
    """A unique hidden name next to ``dest`` (same folder, so renaming it is atomic).

    Not created here, so the file gets the usual permissions when it is written.
    """
    return dest.with_name(f".{dest.name}.{os.getpid()}-{secrets.token_hex(6)}.tmp")


def _fsync_and_replace(tmp: Path, dest: Path) -> None:
    with open(tmp, "rb+") as f:
        os.fsync(f.fileno())
    os.replace(tmp, dest)


@contextlib.contextmanager
def _open_video(path: Path) -> Iterator[tuple[av.container.InputContainer, av.VideoStream]]:
    import av

    try:
        container = av.open(str(path), mode="r")
    except (av.FFmpegError, UnicodeDecodeError) as exc:
        raise _fail(path, f"it cannot be opened ({exc})") from exc
    try:
        if not container.streams.video:
            raise _fail(path, "it holds no video stream")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        yield container, stream
    finally:
        container.close()


def _stream_fps(stream: av.VideoStream) -> Fraction | None:
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    if not rate or rate <= 0:
        return None
    return Fraction(rate)


def probe(path: Path) -> MediaInfo:
    """What a video file holds; raises :class:`MediaError` for anything that is not a video."""
    import av

    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise MediaError(f"{path.name} does not exist.") from exc
    if size == 0:
        raise _fail(path, "the file is empty")
    if size < MIN_VIDEO_BYTES:
        raise _fail(path, f"the file is only {size} bytes")

    with _open_video(path) as (container, stream):
        rate = _stream_fps(stream)
        width, height = stream.codec_context.width, stream.codec_context.height
        codec = stream.codec_context.name
        frames = stream.frames
        try:
            if frames > 0:
                # Every packet the header promises must be there (a download cut short after a
                # front moov box still opens), and the first frame must decode.
                packets, first = 0, None
                for packet in container.demux(stream):
                    if packet.size == 0:
                        continue
                    packets += 1
                    if first is None:
                        first = next(iter(packet.decode()), None)
                if first is None and packets:
                    first = next(iter(stream.codec_context.decode(None)), None)
                if packets < frames:
                    raise _fail(path, f"it ends early ({packets} of {frames} frames are there)")
                if first is None:
                    raise _fail(path, "no frame could be decoded")
                width, height = width or first.width, height or first.height
            else:
                frames = sum(1 for _ in container.decode(stream))
                if frames == 0:
                    raise _fail(path, "no frame could be decoded")
        except av.FFmpegError as exc:
            raise _fail(path, f"decoding failed ({exc})") from exc

        if rate is None:
            raise _fail(path, "the frame rate is unknown")
        if stream.duration and stream.time_base:
            duration = float(stream.duration * stream.time_base)
        else:
            duration = float(frames / rate)
        if not width or not height:
            raise _fail(path, "the picture size is unknown")
        has_audio = bool(container.streams.audio)

    return MediaInfo(
        duration_s=duration,
        fps=float(rate),
        width=int(width),
        height=int(height),
        frames=int(frames),
        codec=codec,
        size_bytes=size,
        has_audio=has_audio,
    )


def _source_frames(
    container: av.container.InputContainer, stream: av.VideoStream
) -> Iterator[av.VideoFrame]:
    import av

    try:
        yield from container.decode(stream)
    except av.FFmpegError as exc:
        raise MediaError(f"Decoding {Path(container.name).name} failed: {exc}.") from exc


def frames_at_rate(
    frames: Iterator[FrameT], src_rate: Fraction, fps: int, count: int, *, hold_last: bool
) -> Iterator[FrameT]:
    """Up to ``count`` frames at ``fps`` from ``frames`` (at ``src_rate``): each is the source
    frame showing at its time, repeated or dropped as the two rates need. When the source runs
    out, its last frame is held (``hold_last``) or the output ends there."""
    current: FrameT | None = None
    index = -1  # index of `current` among the source frames
    for i in range(count):
        wanted = math.floor(Fraction(i, fps) * src_rate)
        while index < wanted:
            nxt = next(frames, None)
            if nxt is None:
                break
            index += 1
            current = nxt
        if current is None or (index < wanted and not hold_last):
            return
        yield current


def encode_frame(
    out: av.container.OutputContainer,
    vs: av.VideoStream,
    frame: av.VideoFrame,
    index: int,
    fps: int,
) -> None:
    """Encode ``frame`` as frame number ``index`` of a ``fps`` stream and write its packets (the
    encoder picks the frame type)."""
    from av.video.frame import PictureType

    frame.pts = index
    frame.time_base = Fraction(1, fps)
    frame.pict_type = PictureType.NONE
    for packet in vs.encode(frame):
        out.mux(packet)


def conform(source: Path, dest: Path, *, duration_s: float, fps: int) -> MediaInfo:
    """Write ``dest``: ``source`` trimmed to ``duration_s`` at exactly ``fps`` (H.264, yuv420p).

    Output frame ``i`` (shown at ``i / fps``) is source frame ``floor(i / fps * source_fps)``:
    frames are duplicated or dropped, never blended. Frames at or after ``duration_s`` are left out.
    If the source is shorter than ``duration_s`` the result is as long as the source.
    Returns what the written file holds (probed after writing).
    """
    import av

    source, dest = Path(source), Path(dest)
    if fps <= 0 or duration_s <= 0:
        raise ValueError("duration_s and fps must be positive")
    src_info = probe(source)
    out_count = math.ceil(Fraction(duration_s).limit_denominator(1000) * fps)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(dest)
    # yuv420p needs even sizes.
    width, height = src_info.width - src_info.width % 2, src_info.height - src_info.height % 2
    written = 0
    try:
        with _open_video(source) as (src, stream):
            src_rate = _stream_fps(stream) or Fraction(src_info.fps).limit_denominator(1001)
            with (
                av.open(str(tmp), mode="w", format="mp4") as out,
                contextlib.ExitStack() as sound,
            ):
                vs = out.add_stream("libx264", rate=fps)
                vs.width, vs.height, vs.pix_fmt = width, height, "yuv420p"
                vs.time_base = Fraction(1, fps)
                vs.codec_context.time_base = Fraction(1, fps)
                vs.options = {"crf": str(CRF), "preset": PRESET}
                vs.thread_type = "AUTO"
                # every stream is added before the first packet is written
                audio = _audio_copier(source, out, sound) if src_info.has_audio else None

                frames = (
                    frame.reformat(width=width, height=height, format="yuv420p")
                    for frame in _source_frames(src, stream)
                )
                timed = frames_at_rate(frames, src_rate, fps, out_count, hold_last=False)
                for i, current in enumerate(timed):
                    encode_frame(out, vs, current, i, fps)
                    written += 1
                for packet in vs.encode(None):
                    out.mux(packet)
                if audio is not None:
                    audio(duration_s)
        if written == 0:
            raise MediaError(f"{source.name} holds no frame to conform.")
        _fsync_and_replace(tmp, dest)
    except av.FFmpegError as exc:
        raise MediaError(f"Writing {dest.name} failed: {exc}.") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return probe(dest)


def _audio_copier(
    source: Path, out: av.container.OutputContainer, stack: contextlib.ExitStack
) -> Callable[[float], None]:
    """Add ``source``'s first sound track to ``out`` now; the returned function copies its
    packets unchanged (no re-encode), those that start before the given length only (the
    video was cut there too)."""
    import av

    src = stack.enter_context(av.open(str(source), mode="r"))
    stream = src.streams.audio[0]
    copy = out.add_stream_from_template(stream)

    def copy_until(duration_s: float) -> None:
        for packet in src.demux(stream):
            if packet.dts is None:  # the demuxer's end-of-stream flush
                continue
            start = packet.pts
            if start is not None and packet.time_base and start * packet.time_base >= duration_s:
                break
            packet.stream = copy
            out.mux(packet)

    return copy_until


def extract_poster(video: Path, dest: Path) -> Path:
    """Save a PNG of the frame about a third of the way into ``video``; returns ``dest``."""
    video, dest = Path(video), Path(dest)
    info = probe(video)
    target = info.duration_s / 3
    target_index = info.frames // 3
    chosen = None
    with _open_video(video) as (container, stream):
        for n, frame in enumerate(_source_frames(container, stream)):
            chosen = frame
            t = frame.time
            if (t is not None and t >= target) or (t is None and n >= target_index):
                break
        if chosen is None:
            raise _fail(video, "no frame could be decoded")
        image = chosen.to_image()  # type: ignore[no-untyped-call]  # PyAV ships no annotations here
    dest.parent.mkdir(parents=True, exist_ok=True)
    return save_png(image, dest)


def save_png(image: PILImage, dest: Path) -> Path:
    """Write a PIL image as ``dest`` (PNG) under a temporary name first; returns ``dest``."""
    tmp = temp_path(dest)
    try:
        image.save(tmp, format="PNG")
        _fsync_and_replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest
