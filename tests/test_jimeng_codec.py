"""Jimeng 3.0's request codec: the service-neutral VideoInput → a checked request and the JSON a
job stores, through the registry (what the form, generate, batch and re-run all use)."""

from __future__ import annotations

from pathlib import Path

import pytest

from jimeng_tui.domain.errors import ValidationError
from jimeng_tui.domain.request import VideoInput
from jimeng_tui.services import registry
from jimeng_tui.services.jimeng.request import GenerationRequest
from jimeng_tui.session.services import register_builtin


@pytest.fixture
def codec():
    register_builtin()
    return registry.codec("jimeng3")


def test_the_model_is_the_mode_and_the_ratio_the_aspect_ratio(codec, tmp_path: Path):
    built = codec.build(
        VideoInput(prompt="a cat", model="jimeng_t2v_v30_1080p", ratio="9:16", seed=3),
        base_dir=tmp_path,
    )
    assert built.service == "jimeng3"
    assert built.summary.model == "t2v_1080p"
    assert built.summary.wire_model == "jimeng_t2v_v30_1080p"
    assert (
        dict(built.params)
        == GenerationRequest(
            prompt="a cat", mode="t2v_1080p", aspect_ratio="9:16", seed=3
        ).to_params()
    )
    assert codec.from_params(built.params) == built


def test_camera_options_and_absolute_image_paths(codec, tmp_path: Path):
    built = codec.build(
        VideoInput(
            prompt="orbit",
            model="i2v_recamera_720p",
            first_image="pics/a.png",
            options={"camera_template": "robo_arm"},
        ),
        base_dir=tmp_path,
    )
    assert built.params["first_image"] == str(tmp_path / "pics" / "a.png")
    assert built.params["camera_template"] == "robo_arm"
    assert built.params["camera_strength"] == "medium"  # the default strength


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        (VideoInput(prompt="x", model="t2v_720p", resolution="1080p"), "resolution", "720p"),
        (
            VideoInput(prompt="x", reference_images=("a.png",), image_fields=("i", "t", "ref")),
            "ref",
            "no reference images",
        ),
        (VideoInput(prompt="x", options={"generate_audio": True}), "generate_audio", "option"),
        (VideoInput(prompt="x", model="nope"), "model", "t2v_720p"),
        (VideoInput(prompt="x", duration=7), "duration", "4, 5, 6, 8, 10"),
        (
            VideoInput(prompt="x", model="i2v_recamera_720p", first_image="a.png"),
            "camera_template",
            "robo_arm",
        ),
    ],
)
def test_a_field_the_mode_does_not_take_is_named(codec, tmp_path, fields, field, words):
    with pytest.raises(ValidationError) as caught:
        codec.build(fields, base_dir=tmp_path)
    assert caught.value.field == field
    assert words in str(caught.value)


def test_a_long_prompt_gets_the_same_note_as_before(codec, tmp_path):
    built = codec.build(VideoInput(prompt="y" * 500), base_dir=tmp_path)
    assert built.notes == ("the prompt has 500 characters; the service recommends at most 400",)
