"""GenerationRequest validation, the exact submit bodies, and the conform note."""

from __future__ import annotations

import base64

import pytest

from jimeng_tui.domain.errors import JimengError, ValidationError
from jimeng_tui.services.jimeng import catalog
from jimeng_tui.services.jimeng.images import PreparedImage
from jimeng_tui.services.jimeng.request import GenerationRequest, build_submit_body, redact_body

URL1 = "https://example.com/first.jpg"
URL2 = "https://example.com/last.png"


def url_image(url: str) -> PreparedImage:
    return PreparedImage(url, url, None, "h", None, None, ())


def data_image(data: bytes, source: str = "/tmp/x.jpg") -> PreparedImage:
    return PreparedImage(source, None, data, "h", 1280, 720, ())


def valid_request(mode: str, **kw) -> GenerationRequest:
    info = catalog.MODES[mode]
    params: dict = {"prompt": "a cat", "mode": mode}
    if info.min_images >= 1:
        params["first_image"] = URL1
    if info.min_images >= 2:
        params["last_image"] = URL2
    if info.camera:
        params["camera_template"] = "robo_arm"
        params["camera_strength"] = "strong"
    params.update(kw)
    return GenerationRequest(**params)


def images_for(request: GenerationRequest) -> list[PreparedImage]:
    return [url_image(s) for s in request.images]


# ---- validate ----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", catalog.MODE_NAMES)
@pytest.mark.parametrize("duration", catalog.DURATIONS)
@pytest.mark.parametrize("fps", catalog.FPS_CHOICES)
def test_every_mode_duration_fps_is_valid(mode, duration, fps):
    valid_request(mode, duration=duration, fps=fps).validate()


def test_default_request_is_t2v_720p_and_valid():
    req = GenerationRequest(prompt="a cat")
    assert req.mode == "t2v_720p"
    req.validate()


def error_of(request: GenerationRequest) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        request.validate()
    assert isinstance(info.value, JimengError)
    return info.value


def test_unknown_mode_lists_modes():
    err = error_of(GenerationRequest(prompt="x", mode="t2v_4k"))
    assert err.field == "mode"
    assert err.allowed == catalog.MODE_NAMES
    assert "t2v_4k" in str(err)
    for name in catalog.MODE_NAMES:
        assert name in str(err)


@pytest.mark.parametrize("duration", [0, 3, 7, 9, 11, 15])
def test_bad_duration_lists_durations(duration):
    err = error_of(GenerationRequest(prompt="x", duration=duration))
    assert err.field == "duration"
    assert err.allowed == (4, 5, 6, 8, 10)
    assert str(err).startswith("duration:")
    assert "4, 5, 6, 8, 10" in str(err)


@pytest.mark.parametrize("fps", [0, 12, 23, 60])
def test_bad_fps_lists_fps(fps):
    err = error_of(GenerationRequest(prompt="x", fps=fps))
    assert err.field == "fps"
    assert "24, 25, 30" in str(err)


@pytest.mark.parametrize("mode", ["t2v_720p", "t2v_1080p"])
def test_text_modes_refuse_images(mode):
    err = error_of(valid_request(mode, first_image=URL1))
    assert err.field == "first_image"
    assert "no image" in str(err)
    err = error_of(valid_request(mode, first_image=URL1, last_image=URL2))
    assert err.field == "last_image"


@pytest.mark.parametrize("mode", ["i2v_first_720p", "i2v_first_1080p", "i2v_recamera_720p"])
def test_first_frame_modes_need_exactly_one(mode):
    err = error_of(valid_request(mode, first_image=None))
    assert err.field == "first_image"
    assert "exactly one first-frame image" in str(err)
    err = error_of(valid_request(mode, last_image=URL2))
    assert err.field == "last_image"
    assert "two images" in str(err)


@pytest.mark.parametrize("mode", ["i2v_first_tail_720p", "i2v_first_tail_1080p"])
def test_first_tail_modes_need_two(mode):
    err = error_of(valid_request(mode, last_image=None))
    assert err.field == "first_image"
    assert "a first and a last frame image" in str(err)
    assert "one image was given" in str(err)


def test_last_without_first_names_first():
    err = error_of(valid_request("i2v_first_tail_720p", first_image=None))
    assert err.field == "first_image"
    assert "last frame needs a first frame" in str(err)


def test_ti2v_pro_takes_zero_or_one_image():
    valid_request("ti2v_pro").validate()
    valid_request("ti2v_pro", first_image=URL1).validate()
    err = error_of(valid_request("ti2v_pro", first_image=URL1, last_image=URL2))
    assert err.field == "last_image"


@pytest.mark.parametrize("prompt", ["", "   ", "\n"])
@pytest.mark.parametrize("mode", [m for m in catalog.MODE_NAMES if m != "ti2v_pro"])
def test_prompt_required(mode, prompt):
    err = error_of(valid_request(mode, prompt=prompt))
    assert err.field == "prompt"
    assert mode in str(err)


def test_ti2v_pro_prompt_optional_only_with_image():
    valid_request("ti2v_pro", prompt="", first_image=URL1).validate()
    assert error_of(valid_request("ti2v_pro", prompt="")).field == "prompt"


def test_prompt_length_limit():
    valid_request("t2v_720p", prompt="猫" * catalog.PROMPT_MAX_CHARS).validate()
    err = error_of(valid_request("t2v_720p", prompt="猫" * (catalog.PROMPT_MAX_CHARS + 1)))
    assert err.field == "prompt"
    assert "801" in str(err) and "800" in str(err)


@pytest.mark.parametrize("ratio", catalog.ASPECT_RATIOS)
def test_every_ratio_accepted_by_text_modes(ratio):
    for mode in ("t2v_720p", "t2v_1080p", "ti2v_pro"):
        valid_request(mode, aspect_ratio=ratio).validate()


@pytest.mark.parametrize("ratio", ["2:1", "16:10", "", "wide"])
def test_bad_ratio_lists_ratios(ratio):
    err = error_of(valid_request("t2v_720p", aspect_ratio=ratio))
    assert err.field == "aspect_ratio"
    assert err.allowed == catalog.ASPECT_RATIOS
    assert "16:9, 4:3, 1:1, 3:4, 9:16, 21:9" in str(err)


@pytest.mark.parametrize(
    "mode", [m for m, info in catalog.MODES.items() if info.aspect is catalog.AspectRule.NEVER]
)
def test_image_modes_refuse_ratio(mode):
    err = error_of(valid_request(mode, aspect_ratio="16:9"))
    assert err.field == "aspect_ratio"
    assert "takes no aspect ratio" in str(err)


def test_ti2v_pro_with_image_refuses_ratio():
    err = error_of(valid_request("ti2v_pro", first_image=URL1, aspect_ratio="1:1"))
    assert err.field == "aspect_ratio"
    assert "picks the ratio from the image" in str(err)


def test_recamera_needs_template_and_strength():
    err = error_of(valid_request("i2v_recamera_720p", camera_template=None))
    assert err.field == "camera_template"
    for t in catalog.CAMERA_TEMPLATES:
        assert t in str(err)
    err = error_of(valid_request("i2v_recamera_720p", camera_template="zoom"))
    assert err.field == "camera_template"
    assert "'zoom'" in str(err)
    err = error_of(valid_request("i2v_recamera_720p", camera_strength=None))
    assert err.field == "camera_strength"
    assert "weak, medium, strong" in str(err)
    err = error_of(valid_request("i2v_recamera_720p", camera_strength="extreme"))
    assert err.field == "camera_strength"
    assert "mode i2v_recamera_720p needs a camera strength, not 'extreme'" in str(err)
    err = error_of(valid_request("i2v_recamera_720p", camera_template="zoom"))
    assert "mode i2v_recamera_720p needs a camera template, not 'zoom'" in str(err)


@pytest.mark.parametrize("name", ["camera_template", "camera_strength"])
def test_camera_fields_refused_elsewhere(name):
    value = "robo_arm" if name == "camera_template" else "weak"
    err = error_of(valid_request("i2v_first_720p", **{name: value}))
    assert err.field == name
    assert "i2v_recamera_720p" in str(err)


@pytest.mark.parametrize("seed", [-2, catalog.SEED_MAX + 1, -(2**40)])
def test_bad_seed(seed):
    err = error_of(valid_request("t2v_720p", seed=seed))
    assert err.field == "seed"


@pytest.mark.parametrize("seed", [-1, 0, 42, catalog.SEED_MAX])
def test_good_seed(seed):
    valid_request("t2v_720p", seed=seed).validate()


# ---- build_submit_body ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("duration", "frames"), [(4, 121), (5, 121), (6, 241), (8, 241), (10, 241)]
)
def test_frames_for_each_duration(duration, frames):
    req = valid_request("t2v_720p", duration=duration)
    assert req.frames == frames
    assert build_submit_body(req)["frames"] == frames


def test_t2v_body_exact_default_ratio():
    body = build_submit_body(GenerationRequest(prompt="a cat"))
    assert body == {
        "req_key": "jimeng_t2v_v30",
        "prompt": "a cat",
        "seed": -1,
        "frames": 121,
        "aspect_ratio": "16:9",
    }
    assert list(body) == ["req_key", "prompt", "seed", "frames", "aspect_ratio"]


def test_t2v_1080p_body_exact():
    req = GenerationRequest(
        prompt="一只猫 🐱", mode="t2v_1080p", duration=10, aspect_ratio="21:9", seed=7
    )
    assert build_submit_body(req) == {
        "req_key": "jimeng_t2v_v30_1080p",
        "prompt": "一只猫 🐱",
        "seed": 7,
        "frames": 241,
        "aspect_ratio": "21:9",
    }


def test_ti2v_pro_bodies():
    assert build_submit_body(
        GenerationRequest(prompt="p", mode="ti2v_pro", aspect_ratio="9:16")
    ) == {
        "req_key": "jimeng_ti2v_v30_pro",
        "prompt": "p",
        "seed": -1,
        "frames": 121,
        "aspect_ratio": "9:16",
    }
    req = GenerationRequest(prompt="", mode="ti2v_pro", first_image=URL1)
    assert build_submit_body(req, images_for(req)) == {
        "req_key": "jimeng_ti2v_v30_pro",
        "seed": -1,
        "frames": 121,
        "image_urls": [URL1],
    }


@pytest.mark.parametrize(
    ("mode", "req_key"),
    [("i2v_first_720p", "jimeng_i2v_first_v30"), ("i2v_first_1080p", "jimeng_i2v_first_v30_1080")],
)
def test_first_frame_bodies_have_no_ratio(mode, req_key):
    req = valid_request(mode, duration=8)
    assert build_submit_body(req, images_for(req)) == {
        "req_key": req_key,
        "prompt": "a cat",
        "seed": -1,
        "frames": 241,
        "image_urls": [URL1],
    }


@pytest.mark.parametrize(
    ("mode", "req_key"),
    [
        ("i2v_first_tail_720p", "jimeng_i2v_first_tail_v30"),
        ("i2v_first_tail_1080p", "jimeng_i2v_first_tail_v30_1080"),
    ],
)
def test_first_tail_bodies_data(mode, req_key):
    req = valid_request(mode, first_image="/tmp/a.png", last_image="/tmp/b.jpg")
    images = [data_image(b"\x89PNGfirst", "/tmp/a.png"), data_image(b"\xff\xd8last", "/tmp/b.jpg")]
    body = build_submit_body(req, images)
    assert body == {
        "req_key": req_key,
        "prompt": "a cat",
        "seed": -1,
        "frames": 121,
        "binary_data_base64": [
            base64.b64encode(b"\x89PNGfirst").decode(),
            base64.b64encode(b"\xff\xd8last").decode(),
        ],
    }
    assert "image_urls" not in body
    assert redact_body(body)["binary_data_base64"] == ["<9 bytes>", "<6 bytes>"]
    assert body["binary_data_base64"][0] == base64.b64encode(b"\x89PNGfirst").decode()


def test_recamera_body_exact():
    req = valid_request(
        "i2v_recamera_720p", camera_template="dynamic_orbit", camera_strength="weak"
    )
    assert build_submit_body(req, images_for(req)) == {
        "req_key": "jimeng_i2v_recamera_v30",
        "prompt": "a cat",
        "seed": -1,
        "frames": 121,
        "image_urls": [URL1],
        "template_id": "dynamic_orbit",
        "camera_strength": "weak",
    }


def test_mixed_url_and_data_images_refused():
    req = valid_request("i2v_first_tail_720p")
    with pytest.raises(ValueError):
        build_submit_body(req, [url_image(URL1), data_image(b"x")])


def test_body_needs_one_prepared_image_per_input():
    req = valid_request("i2v_first_720p")
    with pytest.raises(ValueError):
        build_submit_body(req, [])


def test_body_validates_first():
    with pytest.raises(ValidationError):
        build_submit_body(GenerationRequest(prompt=""))


def test_params_round_trip():
    req = valid_request("i2v_recamera_720p", duration=6, fps=30, seed=5)
    params = req.to_params()
    assert GenerationRequest.from_params({**params, "unknown_future_field": 1}) == req


# ---- conform note --------------------------------------------------------------------------


def test_native_requests_need_no_conform():
    for duration in (5, 10):
        req = GenerationRequest(prompt="x", duration=duration, fps=24)
        assert not req.needs_conform
        assert req.conform_note is None


def test_conform_note_trim():
    req = GenerationRequest(prompt="x", duration=4)
    assert req.needs_conform
    assert req.native_duration == 5
    assert req.conform_note == (
        "The service renders 5 s at 24 fps; the file will be trimmed from 5 s to 4 s "
        "on this machine."
    )


def test_conform_note_fps():
    req = GenerationRequest(prompt="x", duration=10, fps=30)
    assert req.conform_note == (
        "The service renders 10 s at 24 fps; the file will be converted from 24 to 30 fps "
        "on this machine."
    )


def test_conform_note_both():
    req = GenerationRequest(prompt="x", duration=6, fps=25)
    assert req.native_duration == 10
    assert req.conform_note == (
        "The service renders 10 s at 24 fps; the file will be trimmed from 10 s to 6 s and "
        "converted from 24 to 25 fps on this machine."
    )
