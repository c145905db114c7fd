"""Join a storyboard's saved shots into one MP4 (PyAV), verified, with a sidecar JSON.

Every shot is conformed to one frame rate (frames repeated or dropped, never blended) and one
picture size (the first shot's; another shape is fitted inside it on black). Between two shots
a cut, or a crossfade of N frames where the last N frames of one shot blend into the first N of
the next (so the film is N frames shorter). Sound: when any shot has a sound track, every shot
contributes its sound (or silence) for exactly as long as its pictures, so sound stays in step.
The result must measure the sum of the shots minus the overlaps, within one frame per joint.
Blocking: call through ``asyncio.to_thread``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
from PIL import Image

from jimeng_tui.jobs.media import (
    CRF,
    PRESET,
    MediaError,
    MediaInfo,
    encode_frame,
    frames_at_rate,
    probe,
    temp_path,
)

AUDIO_RATE = 48_000
AUDIO_LAYOUT = "stereo"
AUDIO_CHUNK = 1024


@dataclass(frozen=True)
class JoinedFilm:
    path: Path
    info: MediaInfo
    expected_frames: int
    joints: int
    has_audio: bool


def _has_audio(path: Path) -> bool:
    with av.open(str(path)) as container:
        return bool(container.streams.audio)


def _frames_at(path: Path, fps: int) -> Iterator[av.VideoFrame]:
    """The video's frames at ``fps`` (repeated or dropped as the source's rate needs)."""
    info = probe(path)
    src_rate = Fraction(info.fps).limit_denominator(1001)
    count = round(Fraction(info.frames) / src_rate * fps)
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        yield from frames_at_rate(container.decode(stream), src_rate, fps, count, hold_last=True)


def frame_count_at(path: Path, fps: int) -> int:
    info = probe(path)
    return round(Fraction(info.frames) / Fraction(info.fps).limit_denominator(1001) * fps)


def _fit(frame: av.VideoFrame, width: int, height: int) -> Image.Image:
    image: Image.Image = frame.to_image()  # type: ignore[no-untyped-call]
    if image.size == (width, height):
        return image
    scale = min(width / image.width, height / image.height)
    size = (max(2, round(image.width * scale)), max(2, round(image.height * scale)))
    canvas = Image.new("RGB", (width, height))
    canvas.paste(
        image.resize(size, Image.Resampling.BILINEAR),
        ((width - size[0]) // 2, (height - size[1]) // 2),
    )
    return canvas


def join_shots(
    videos: list[Path], transitions: list[str], dest: Path, *, fps: int, crossfade_s: float
) -> JoinedFilm:
    """``transitions[i]`` ("cut"/"crossfade") joins ``videos[i]`` to ``videos[i + 1]``."""
    if not videos:
        raise MediaError("there is no shot to join")
    first = probe(videos[0])
    width, height = first.width - first.width % 2, first.height - first.height % 2
    counts = [frame_count_at(v, fps) for v in videos]
    overlaps = []
    for i, kind in enumerate(transitions[: len(videos) - 1]):
        n = round(crossfade_s * fps) if kind == "crossfade" else 0
        overlaps.append(max(0, min(n, counts[i] // 2, counts[i + 1] // 2)))
    expected = sum(counts) - sum(overlaps)
    with_sound = [_has_audio(v) for v in videos]
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(dest)
    try:
        with av.open(str(tmp), mode="w", format="mp4") as out:
            vs = out.add_stream("libx264", rate=fps)
            vs.width, vs.height, vs.pix_fmt = width, height, "yuv420p"
            vs.time_base = Fraction(1, fps)
            vs.codec_context.time_base = Fraction(1, fps)
            vs.options = {"crf": str(CRF), "preset": PRESET}
            audio = None
            if any(with_sound):
                audio = out.add_stream("aac", rate=AUDIO_RATE)
                audio.layout = AUDIO_LAYOUT
            written = _write_pictures(out, vs, videos, overlaps, width, height, fps)
            for packet in vs.encode(None):
                out.mux(packet)
            if audio is not None:
                _write_sound(out, audio, videos, with_sound, counts, overlaps, fps)
        if written != expected:
            raise MediaError(f"the joined film has {written} frames, {expected} were expected")
        tmp.replace(dest)
    except av.FFmpegError as exc:
        raise MediaError(f"joining the shots into {dest.name} failed: {exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    info = probe(dest)
    joints = len(videos) - 1
    if (
        abs(info.frames - expected) > joints
        or abs(info.duration_s - expected / fps) > (joints + 1) / fps
    ):
        raise MediaError(
            f"{dest.name} measures {info.frames} frames ({info.duration_s:.3f} s); "
            f"{expected} frames ({expected / fps:.3f} s) were expected"
        )
    return JoinedFilm(dest, info, expected, joints, audio is not None)


def _write_pictures(
    out: av.container.OutputContainer,
    vs: av.VideoStream,
    videos: list[Path],
    overlaps: list[int],
    width: int,
    height: int,
    fps: int,
) -> int:
    index = 0

    def emit(image: Image.Image) -> None:
        nonlocal index
        frame = av.VideoFrame.from_image(image).reformat(format="yuv420p")  # type: ignore[no-untyped-call]
        encode_frame(out, vs, frame, index, fps)
        index += 1

    held: list[Image.Image] = []  # the end of the shot before, to blend into this one
    for n, video in enumerate(videos):
        tail = overlaps[n] if n < len(overlaps) else 0
        total = frame_count_at(video, fps)
        next_held: list[Image.Image] = []
        for k, frame in enumerate(_frames_at(video, fps)):
            image = _fit(frame, width, height)
            if k < len(held):
                emit(Image.blend(held[k], image, (k + 1) / (len(held) + 1)))
            elif tail and k >= total - tail:
                next_held.append(image)
            else:
                emit(image)
        held = next_held
    return index


def _audio_frames(path: Path, has_sound: bool) -> Iterator[bytes]:
    """Interleaved float32 stereo samples at AUDIO_RATE (nothing for a shot without sound)."""
    if not has_sound:
        return
    resampler = av.AudioResampler(format="flt", layout=AUDIO_LAYOUT, rate=AUDIO_RATE)
    with av.open(str(path)) as container:
        for frame in container.decode(container.streams.audio[0]):
            for converted in resampler.resample(frame):
                yield bytes(converted.planes[0])[: converted.samples * 8]
        for converted in resampler.resample(None):
            yield bytes(converted.planes[0])[: converted.samples * 8]


def _write_sound(
    out: av.container.OutputContainer,
    stream: av.AudioStream,
    videos: list[Path],
    with_sound: list[bool],
    counts: list[int],
    overlaps: list[int],
    fps: int,
) -> None:
    resampler = av.AudioResampler(format="fltp", layout=AUDIO_LAYOUT, rate=AUDIO_RATE)
    pending = bytearray()
    pts = 0

    def flush(final: bool) -> None:
        nonlocal pts
        size = AUDIO_CHUNK * 8
        while len(pending) >= size or (final and pending):
            chunk = bytes(pending[:size])
            del pending[:size]
            samples = len(chunk) // 8
            frame = av.AudioFrame(format="flt", layout=AUDIO_LAYOUT, samples=samples)
            frame.planes[0].update(chunk + bytes(frame.planes[0].buffer_size - len(chunk)))
            frame.sample_rate = AUDIO_RATE
            frame.time_base = Fraction(1, AUDIO_RATE)
            frame.pts = pts
            pts += samples
            for planar in resampler.resample(frame):
                for packet in stream.encode(planar):
                    out.mux(packet)

    for n, video in enumerate(videos):
        frames = counts[n] - (overlaps[n] if n < len(overlaps) else 0)
        want = AUDIO_RATE * frames // fps * 8  # bytes of this shot's share
        got = 0
        for data in _audio_frames(video, with_sound[n]):
            take = data[: want - got]
            pending.extend(take)
            got += len(take)
            flush(False)
            if got >= want:
                break
        pending.extend(bytes(want - got))  # silence for what the shot does not have
        flush(False)
    flush(True)
    for planar in resampler.resample(None):
        for packet in stream.encode(planar):
            out.mux(packet)
    for packet in stream.encode(None):
        out.mux(packet)


__all__ = ["JoinedFilm", "frame_count_at", "join_shots"]
