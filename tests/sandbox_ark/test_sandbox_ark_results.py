"""Ark in the sandbox: every model's happy path ends in a real MP4 (length, size, 24 fps, sound
iff asked), a last-frame PNG, the echoed fields and the contract's token count."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sandbox_ark_support import (
    ALL_MODELS,
    MODEL_10_PRO,
    MODEL_15,
    MODEL_20,
    MODEL_LITE_I2V,
    MODEL_LITE_T2V,
    body,
    data_url,
    download,
    expected_size,
    image,
    probe,
    text,
)

from jimeng_tui.sandbox.ark import models as m


@pytest.mark.parametrize("model", ALL_MODELS)
def test_every_model_makes_its_video_with_sound_only_when_asked(ark, model):
    spec = m.MODELS[model]
    seconds = spec.durations[0]
    content = [text("a lighthouse at dusk")]
    if m.TEXT not in spec.kinds:  # lite-i2v takes images only
        content.append(image(data_url(1280, 720), "first_frame"))
    task = ark.finished(
        body(
            model,
            *content,
            resolution="480p",
            ratio="16:9",
            duration=seconds,
            seed=11,
            return_last_frame=True,
            **({"generate_audio": True} if spec.audio else {}),
        )
    )
    assert task["status"] == "succeeded" and task["error"] is None
    assert task["model"] == model
    size = expected_size(model, "480p", "16:9")
    frames = 24 * seconds + 1
    assert (task["resolution"], task["ratio"], task["duration"]) == ("480p", "16:9", seconds)
    assert (task["seed"], task["framespersecond"]) == (11, 24)
    assert task["generate_audio"] is spec.audio
    tokens = size[0] * size[1] * frames // 1024
    assert task["usage"] == {"completion_tokens": tokens, "total_tokens": tokens}

    video = download(task["content"]["video_url"])
    assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"
    facts = probe(video.content)
    assert (facts["frames"], facts["size"], facts["fps"]) == (frames, size, 24.0)
    assert facts["audio"] == (["aac"] if spec.audio else [])
    assert facts["seconds"] == pytest.approx(frames / 24, abs=0.1)

    frame = download(task["content"]["last_frame_url"])
    assert frame.status_code == 200 and frame.headers["content-type"] == "image/png"
    with Image.open(io.BytesIO(frame.content)) as png:
        assert (png.format, png.size) == ("PNG", size)


def test_audio_off_on_a_sound_model_gives_a_silent_video_and_no_last_frame_unless_asked(ark):
    task = ark.finished(body(MODEL_15, resolution="480p", duration=4, generate_audio=False))
    assert task["generate_audio"] is False
    assert set(task["content"]) == {"video_url"}
    assert probe(download(task["content"]["video_url"]).content)["audio"] == []


def test_the_contracts_token_example_720p_16_9_5s_is_108900(ark):
    task = ark.finished(body(MODEL_20, resolution="720p", ratio="16:9", duration=5))
    assert task["usage"]["completion_tokens"] == 108_900
    assert task["usage"]["total_tokens"] == 108_900


@pytest.mark.parametrize(
    ("model", "resolution", "ratio"),
    [
        (MODEL_10_PRO, "480p", "21:9"),
        (MODEL_10_PRO, "720p", "3:4"),
        (MODEL_15, "480p", "9:16"),
        (MODEL_20, "720p", "4:3"),
        (MODEL_LITE_T2V, "480p", "1:1"),
    ],
)
def test_the_size_follows_the_family_resolution_and_ratio_table(ark, model, resolution, ratio):
    task = ark.finished(
        body(model, resolution=resolution, ratio=ratio, duration=m.MODELS[model].durations[0])
    )
    facts = probe(download(task["content"]["video_url"]).content)
    assert facts["size"] == expected_size(model, resolution, ratio)


def test_adaptive_takes_the_first_images_ratio_else_16_9(ark):
    portrait = ark.finished(
        body(
            MODEL_20,
            text(),
            image(data_url(720, 1280)),
            resolution="480p",
            ratio="adaptive",
            duration=4,
        )
    )
    assert portrait["ratio"] == "9:16"
    assert probe(download(portrait["content"]["video_url"]).content)["size"] == (496, 864)
    plain = ark.finished(body(MODEL_15, resolution="480p", ratio="adaptive", duration=4))
    assert plain["ratio"] == "16:9"
    # an image task with no ratio defaults to adaptive
    square = ark.finished(
        body(MODEL_LITE_I2V, image(data_url(1024, 1024)), resolution="480p", duration=2)
    )
    assert square["ratio"] == "1:1"


def test_duration_minus_one_lets_the_model_pick_a_length_in_its_range(ark):
    task = ark.finished(body(MODEL_20, resolution="480p", duration=-1, seed=3))
    low, high = m.MODELS[MODEL_20].durations
    assert low <= task["duration"] <= high
    facts = probe(download(task["content"]["video_url"]).content)
    assert facts["frames"] == 24 * task["duration"] + 1


def test_frames_on_a_1_0_model_give_that_many_frames(ark):
    task = ark.finished(body(MODEL_10_PRO, resolution="480p", frames=29))
    assert task["frames"] == 29 and task["duration"] == 1
    assert probe(download(task["content"]["video_url"]).content)["frames"] == 29
    assert task["usage"]["completion_tokens"] == 864 * 480 * 29 // 1024


def test_defaults_echo_like_the_contracts_get_example(ark):
    task = ark.finished(body(MODEL_10_PRO))
    assert (task["resolution"], task["ratio"], task["duration"]) == ("1080p", "16:9", 5)
    assert 0 <= task["seed"] <= 2**32 - 1
    for name, value in (
        ("service_tier", "default"),
        ("execution_expires_after", 172800),
        ("draft", False),
        ("priority", 0),
    ):
        assert task[name] == value
    assert isinstance(task["created_at"], int) and task["updated_at"] >= task["created_at"]
    assert task["id"].startswith("cgt-") and len(task["id"]) == len("cgt-20260312231129-7db6s")


def test_a_1_5_pro_draft_is_rendered_for_real_by_a_draft_task_item(ark):
    draft = ark.finished(body(MODEL_15, resolution="480p", duration=4, seed=5, draft=True))
    assert draft["draft"] is True
    final = ark.finished(body(MODEL_15, {"type": "draft_task", "draft_task": {"id": draft["id"]}}))
    assert final["draft_task_id"] == draft["id"]
    assert (final["seed"], final["duration"], final["ratio"]) == (5, 4, draft["ratio"])
    assert final["draft"] is False


def test_a_draft_task_item_must_name_a_succeeded_draft_of_the_same_model(ark):
    from sandbox_ark_support import error_of

    plain = ark.finished(body(MODEL_15, resolution="480p", duration=4))
    item = {"type": "draft_task", "draft_task": {"id": plain["id"]}}
    error_of(ark.create(body(MODEL_15, item)), 400, "InvalidParameter", "content")
    unknown = {"type": "draft_task", "draft_task": {"id": "cgt-20260101000000-none0"}}
    error_of(ark.create(body(MODEL_15, unknown)), 400, "InvalidParameter", "content")
    error_of(ark.create(body(MODEL_20, item)), 400, "InvalidParameter.UnsupportedParameter")
