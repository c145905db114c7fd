"""Joining shots into one film (PyAV): frame counts, crossfades, sizes and sound."""

from __future__ import annotations

import av
import pytest

from jimeng_tui.jobs.media import MediaError, probe
from jimeng_tui.sandbox.video import ClipSpec, render_clip
from jimeng_tui.story.join import join_shots


def clip(tmp_path, name: str, *, frames=49, size=(320, 180), audio=False):
    path = tmp_path / f"{name}.mp4"
    path.write_bytes(render_clip(ClipSpec(frames, *size, name, 1, audio=audio)))
    return path


def sound_seconds(path) -> float:
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        samples = sum(f.samples for f in container.decode(stream))
        return samples / stream.rate


def test_cuts_and_a_crossfade_give_the_sum_of_the_shots_minus_the_overlap(tmp_path):
    a, b, c = (clip(tmp_path, n) for n in "abc")
    film = join_shots(
        [a, b, c], ["cut", "crossfade", "cut"], tmp_path / "film.mp4", fps=24, crossfade_s=0.5
    )
    assert film.expected_frames == 3 * 49 - 12
    info = probe(film.path)
    assert abs(info.frames - (3 * 49 - 12)) <= 2
    assert info.fps == 24 and (info.width, info.height) == (320, 180)
    assert not film.has_audio


def test_another_frame_rate_and_shape_are_conformed_and_sound_is_joined_in_step(tmp_path):
    loud = clip(tmp_path, "loud", frames=49, audio=True)  # 2 s with a tone
    quiet = clip(tmp_path, "quiet", frames=49, size=(180, 320))  # portrait, no sound
    film = join_shots([loud, quiet], ["crossfade"], tmp_path / "film.mp4", fps=30, crossfade_s=0.5)
    info = probe(film.path)
    expected = round(49 / 24 * 30) * 2 - 15
    assert abs(info.frames - expected) <= 1
    assert (info.width, info.height) == (320, 180)  # the first shot's size
    assert film.has_audio
    # the sound lasts as long as the pictures (silence where the shot has none)
    assert sound_seconds(film.path) == pytest.approx(expected / 30, abs=0.05)


def test_a_file_that_is_not_a_video_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"not a video" * 200)
    with pytest.raises(MediaError, match=r"bad\.mp4"):
        join_shots([bad], [], tmp_path / "film.mp4", fps=24, crossfade_s=0.5)
    assert not (tmp_path / "film.mp4").exists()
