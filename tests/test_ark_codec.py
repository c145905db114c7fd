"""Ark's request builder: every model's valid inputs build; every invalid value or mix is a
ValidationError naming the field and the allowed values, with nothing sent."""

from __future__ import annotations

from pathlib import Path

import pytest

from jimeng_tui.domain.capabilities import InputKind
from jimeng_tui.domain.errors import ValidationError
from jimeng_tui.domain.request import VideoInput
from jimeng_tui.services import registry
from jimeng_tui.services.ark.codec import ARK_CODEC
from jimeng_tui.services.ark.models import ARK_CAPS, BY_ID
from jimeng_tui.services.ark.request import ArkRequest
from jimeng_tui.session.services import register_builtin

BASE = Path("/work/base")
ALIASES = {m.id: m.aliases[0] for m in ARK_CAPS.models}


def build(**fields):
    return ARK_CODEC.build(VideoInput(**fields), base_dir=BASE)


def refused(field: str, *words: str, **fields) -> str:
    with pytest.raises(ValidationError) as caught:
        build(**fields)
    assert caught.value.field == field, str(caught.value)
    for word in words:
        assert word in str(caught.value), str(caught.value)
    return str(caught.value)


def test_the_table_has_the_seven_models_of_wave3_with_their_aliases():
    assert ALIASES == {
        "doubao-seedance-2-0-260128": "seedance-2.0",
        "doubao-seedance-2-0-fast-260128": "seedance-2.0-fast",
        "doubao-seedance-1-5-pro-251215": "seedance-1.5-pro",
        "doubao-seedance-1-0-pro-250528": "seedance-1.0-pro",
        "doubao-seedance-1-0-pro-fast-251015": "seedance-1.0-pro-fast",
        "doubao-seedance-1-0-lite-t2v-250428": "seedance-1.0-lite-t2v",
        "doubao-seedance-1-0-lite-i2v-250428": "seedance-1.0-lite-i2v",
    }
    for model in ARK_CAPS.models:
        assert model.durations == model.native_durations  # rendered natively, never trimmed
        assert model.native_fps == 24
        assert BY_ID[model.id].facts.sources  # every row says where its values come from
    assert ARK_CAPS.image_limits.send_as == "data_url"
    assert ARK_CAPS.can_cancel == frozenset({"queued"})


def test_the_registry_finds_ark_models_by_alias_and_hands_out_the_codec():
    register_builtin()
    caps, model = registry.find_model("seedance-1.5-pro")
    assert (caps.service, model.id) == ("ark", "doubao-seedance-1-5-pro-251215")
    assert registry.codec("ark") is ARK_CODEC


def _inputs_for(kind: InputKind) -> dict:
    return {
        InputKind.TEXT: {},
        InputKind.FIRST_FRAME: {"first_image": "a.png"},
        InputKind.FIRST_LAST: {"first_image": "a.png", "last_image": "https://x.example/b.jpg"},
        InputKind.REFERENCE_IMAGES: {"reference_images": ("r1.png", "~/r2.png")},
    }[kind]


@pytest.mark.parametrize("model", ARK_CAPS.models, ids=lambda m: m.aliases[0])
def test_every_model_builds_every_input_kind_length_resolution_and_ratio_it_offers(model):
    offered = [
        k
        for k in model.inputs
        if k
        in (InputKind.TEXT, InputKind.FIRST_FRAME, InputKind.FIRST_LAST, InputKind.REFERENCE_IMAGES)
    ]
    assert offered
    for kind in offered:
        built = build(prompt="a fox", model=model.aliases[0], **_inputs_for(kind))
        assert built.service == "ark"
        assert built.summary.model == model.id
        assert built.summary.wire_model == model.id
        request = ArkRequest.from_params(built.params)
        assert request.kind.value == kind.value
    image = _inputs_for(next(iter(k for k in offered if k is not InputKind.REFERENCE_IMAGES)))
    for seconds in model.durations:
        assert build(prompt="p", model=model.id, duration=seconds, **image).summary.duration_s == (
            seconds
        )
    for resolution in model.resolutions:
        build(prompt="p", model=model.id, resolution=resolution, **image)
    for ratio in model.ratios:
        build(prompt="p", model=model.id, ratio=ratio, first_image="a.png") if (
            InputKind.FIRST_FRAME in model.inputs
        ) else build(prompt="p", model=model.id, ratio=ratio)
    for option in model.options:
        value = "ep-20260101000000-abcde" if option.kind is str else True
        built = build(prompt="p", model=model.id, options={option.name: value}, **image)
        assert built.params[option.name] == value


def test_defaults_images_made_absolute_and_params_round_trip(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    built = build(prompt="a fox", first_image="shots/a.png", last_image="~/b.png")
    params = dict(built.params)
    assert params["first_image"] == str(BASE / "shots/a.png")
    assert params["last_image"] == str(tmp_path / "b.png")
    assert (params["duration"], params["fps"], params["resolution"], params["ratio"]) == (
        5,
        24,
        "720p",
        "adaptive",  # with an image the ratio comes from it
    )
    assert build(prompt="x").params["ratio"] == "16:9"
    assert build(prompt="x", model="seedance-1.0-pro").params["resolution"] == "1080p"
    assert ARK_CODEC.from_params(params).params == params
    url = "https://cdn.example.com/a.jpg"
    assert build(prompt="x", first_image=url).params["first_image"] == url


def test_an_endpoint_goes_on_the_wire_and_an_endpoint_alone_is_refused():
    built = build(prompt="x", model="seedance-2.0", options={"endpoint": "ep-20260101-abcde"})
    assert built.summary.model == "doubao-seedance-2-0-260128"
    assert built.summary.wire_model == "ep-20260101-abcde"
    message = refused("model", "--model", "--endpoint ep-20260101-abcde", model="ep-20260101-abcde")
    assert "endpoint id" in message
    refused("endpoint", "ep-", prompt="x", options={"endpoint": "my endpoint"})


def test_a_frame_rate_other_than_24_is_converted_locally_and_said():
    built = build(prompt="x", fps=30)
    assert built.summary.fps == 30
    assert any("converted from 24 to 30 fps" in note for note in built.notes)
    assert not any("trimmed" in note for note in built.notes)


@pytest.mark.parametrize(
    ("field", "words", "fields"),
    [
        ("last_image", ("first frame", "first_image"), {"last_image": "b.png"}),
        (
            "resolution",
            ("1080p", "480p, 720p"),
            {"model": "seedance-2.0-fast", "resolution": "1080p"},
        ),
        ("duration", ("3 s", "4, 5", "15"), {"model": "seedance-2.0", "duration": 3}),
        ("duration", ("13 s", "2, 3", "12"), {"model": "seedance-1.0-pro", "duration": 13}),
        ("duration", ("3 s", "4, 5"), {"model": "seedance-1.5-pro", "duration": 3}),
        (
            "generate_audio",
            ("no sound", "seedance-1.5-pro"),
            {"model": "seedance-1.0-pro", "options": {"generate_audio": True}},
        ),
        (
            "draft",
            ("draft", "seedance-1.5-pro"),
            {"model": "seedance-2.0", "options": {"draft": True}},
        ),
        (
            "reference_image",
            ("10", "1 to 9"),
            {"reference_images": tuple(f"{i}.png" for i in range(10))},
        ),
        (
            "reference_image",
            ("5", "1 to 4"),
            {"model": "seedance-1.0-lite-i2v", "reference_images": tuple("abcde")},
        ),
        (
            "reference_image",
            ("does not take reference images", "a first frame"),
            {"model": "seedance-1.5-pro", "reference_images": ("a.png",)},
        ),
        (
            "reference_image",
            ("cannot be combined",),
            {"first_image": "a.png", "reference_images": ("b.png",)},
        ),
        (
            "first_image",
            ("does not take a first frame", "text only"),
            {"model": "seedance-1.0-lite-t2v", "first_image": "a.png"},
        ),
        ("first_image", ("needs an image", "a first frame"), {"model": "seedance-1.0-lite-i2v"}),
        ("ratio", ("adaptive", "16:9"), {"ratio": "adaptive"}),
        ("ratio", ("9:21", "21:9"), {"ratio": "9:21"}),
        (
            "resolution",
            ("1080p", "with reference images", "480p, 720p"),
            {
                "model": "seedance-1.0-lite-i2v",
                "reference_images": ("a.png",),
                "resolution": "1080p",
            },
        ),
        ("fps", ("60", "24, 25, 30"), {"fps": 60}),
        ("seed", ("out of range",), {"seed": 2**32}),
        ("model", ("seedance-9", "doubao-seedance-2-0-260128"), {"model": "seedance-9"}),
        ("camera_template", ("not an option",), {"options": {"camera_template": "x"}}),
        ("watermark", ("on or off",), {"options": {"watermark": "yes"}}),
    ],
)
def test_each_invalid_value_names_the_field_and_what_is_allowed(field, words, fields):
    fields.setdefault("prompt", "a fox")
    refused(field, *words, **fields)


def test_a_prompt_is_needed_except_with_a_first_frame_alone():
    refused("prompt", "needs a prompt", prompt="  ")
    refused("prompt", prompt="", first_image="a.png", last_image="b.png")
    assert build(prompt="", first_image="a.png").summary.prompt == ""


def test_the_image_field_names_of_the_face_are_used():
    names = ("--image", "--tail-image", "--reference-image")
    with pytest.raises(ValidationError) as caught:
        ARK_CODEC.build(
            VideoInput(prompt="x", last_image="b.png", image_fields=names), base_dir=BASE
        )
    assert caught.value.field == "--tail-image"
    assert "--image" in str(caught.value)


def test_a_stored_request_is_checked_again_when_rebuilt():
    params = dict(build(prompt="x").params)
    with pytest.raises(ValidationError):
        ARK_CODEC.from_params({**params, "duration": 99})
    with pytest.raises(TypeError):
        ARK_CODEC.from_params({**params, "duration": "5"})
