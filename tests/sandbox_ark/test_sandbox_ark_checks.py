"""Ark in the sandbox is strict per the contract: Bearer key, null = absent, roles, per-model
ranges, unknown models, images, moderation triggers, each with the contract's error body."""

from __future__ import annotations

import base64

import httpx
import pytest
from sandbox_ark_support import (
    MODEL_10_PRO,
    MODEL_15,
    MODEL_20,
    MODEL_20_FAST,
    MODEL_LITE_I2V,
    MODEL_LITE_T2V,
    SDK_NULLS,
    Ark,
    body,
    data_url,
    error_of,
    image,
    image_bytes,
    text,
)


@pytest.mark.parametrize(
    "header",
    [None, "Bearer wrong-key", "Basic sandbox-ark-key", "sandbox-ark-key", "Bearer"],
)
def test_a_missing_or_wrong_key_is_401_on_every_call(ark, header):
    task_id = ark.created(body())
    headers = {} if header is None else {"Authorization": header}
    calls = [
        ark.create(body(), headers=headers),
        *(
            request(f"{ark.url}{suffix}", headers=headers)
            for request, suffix in (
                (httpx.get, f"/{task_id}"),
                (httpx.get, ""),
                (httpx.delete, f"/{task_id}"),
            )
        ),
    ]
    for reply in calls:
        error = error_of(reply, 401, "AuthenticationError")
        assert error["type"] == "Unauthorized"
    assert len(ark.server.ark_tasks) == 1  # the refused create made nothing
    assert ark.get(task_id).json()["status"] != "cancelled"  # nor did the refused delete


def test_the_key_is_the_one_given_and_the_default_is_the_documented_one(ark_for):
    from jimeng_tui.sandbox.ark import DEFAULT_ARK_API_KEY

    assert DEFAULT_ARK_API_KEY == "sandbox-ark-key"
    custom = ark_for(ark_api_key="my-key")
    assert custom.server.ark_api_key == "my-key"
    assert custom.server.ark_base_url == custom.server.base_url + "/api/v3"
    error_of(Ark(custom.server, key=DEFAULT_ARK_API_KEY).create(body()), 401, "AuthenticationError")
    assert custom.create(body()).status_code == 200


def test_null_fields_are_exactly_absent(ark):
    with_nulls = ark.finished({**body(MODEL_15, seed=9), **SDK_NULLS, "seed": 9})
    plain = ark.finished(body(MODEL_15, seed=9))
    for name in ("resolution", "ratio", "duration", "seed", "generate_audio", "draft"):
        assert with_nulls[name] == plain[name], name
    nulled_role = image(data_url(), None) | {"role": None}
    assert ark.create(body(MODEL_15, text(), nulled_role)).status_code == 200


def test_two_images_need_roles(ark):
    first, last = image(data_url()), image(data_url())
    error = error_of(
        ark.create(body(MODEL_15, text(), first, last)), 400, "InvalidParameter", "content"
    )
    assert "role must be specified for image contents" in error["message"]
    assert error["type"] == "BadRequest"
    error_of(
        ark.create(body(MODEL_15, text(), image(data_url(), "last_frame"))),
        400,
        "InvalidParameter",
        "content",
    )
    two_firsts = body(
        MODEL_15, text(), image(data_url(), "first_frame"), image(data_url(), "first_frame")
    )
    error_of(ark.create(two_firsts), 400, "InvalidParameter", "content")
    ok = body(MODEL_15, text(), image(data_url(), "first_frame"), image(data_url(), "last_frame"))
    assert ark.create(ok).status_code == 200
    assert len(ark.server.ark_tasks) == 1


@pytest.mark.parametrize(
    ("model", "fields", "code", "param"),
    [
        (MODEL_20_FAST, {"resolution": "1080p"}, "InvalidParameter", "resolution"),
        (MODEL_20, {"resolution": "4k"}, "InvalidParameter", "resolution"),
        (MODEL_10_PRO, {"duration": 13}, "InvalidParameter", "duration"),
        (MODEL_10_PRO, {"duration": -1}, "InvalidParameter", "duration"),
        (MODEL_10_PRO, {"duration": 1}, "InvalidParameter", "duration"),
        (MODEL_15, {"duration": 13}, "InvalidParameter", "duration"),
        (MODEL_15, {"duration": 3}, "InvalidParameter", "duration"),
        (MODEL_20, {"duration": 16}, "InvalidParameter", "duration"),
        (MODEL_20, {"duration": 5.5}, "InvalidParameter", "duration"),
        (MODEL_20, {"duration": "5"}, "InvalidParameter", "duration"),
        (MODEL_20, {"ratio": "2:1"}, "InvalidParameter", "ratio"),
        (MODEL_20, {"ratio": "keep_ratio"}, "InvalidParameter", "ratio"),
        (MODEL_20, {"frames": 121}, "InvalidParameter.UnsupportedParameter", "frames"),
        (MODEL_10_PRO, {"frames": 30}, "InvalidParameter", "frames"),
        (MODEL_10_PRO, {"frames": 293}, "InvalidParameter", "frames"),
        (
            MODEL_10_PRO,
            {"generate_audio": True},
            "InvalidParameter.UnsupportedParameter",
            "generate_audio",
        ),
        (MODEL_20, {"draft": True}, "InvalidParameter.UnsupportedParameter", "draft"),
        (MODEL_20, {"camera_fixed": "yes"}, "InvalidParameter", "camera_fixed"),
        (MODEL_20, {"watermark": 1}, "InvalidParameter", "watermark"),
        (MODEL_20, {"return_last_frame": "true"}, "InvalidParameter", "return_last_frame"),
        (MODEL_20, {"seed": 2**32}, "InvalidParameter", "seed"),
        (MODEL_20, {"seed": -2}, "InvalidParameter", "seed"),
        (MODEL_15, {"priority": 1}, "InvalidParameter.UnsupportedParameter", "priority"),
        (MODEL_20, {"priority": 10}, "InvalidParameter", "priority"),
        (MODEL_20, {"service_tier": "fast"}, "InvalidParameter", "service_tier"),
        (MODEL_20, {"execution_expires_after": 60}, "InvalidParameter", "execution_expires_after"),
        (MODEL_20, {"tools": [{"type": "code"}]}, "InvalidParameter", "tools"),
        (MODEL_20, {"fps": 24}, "InvalidParameter.UnsupportedParameter", "fps"),
    ],
)
def test_per_model_ranges_are_400_naming_the_field(ark, model, fields, code, param):
    error_of(ark.create(body(model, **fields)), 400, code, param)
    assert ark.server.ark_tasks == {}


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        (MODEL_20, {"resolution": "1080p", "duration": 15, "seed": 2**32 - 1, "priority": 9}),
        (MODEL_20_FAST, {"duration": -1, "camera_fixed": True, "watermark": True}),
        (MODEL_15, {"duration": 12, "draft": True, "generate_audio": True}),
        (MODEL_10_PRO, {"duration": 2, "frames": 289, "service_tier": "flex"}),
        (MODEL_LITE_T2V, {"ratio": "21:9", "execution_expires_after": 3600, "seed": -1}),
        (MODEL_20, {"tools": [{"type": "web_search"}], "safety_identifier": "u1"}),
    ],
)
def test_values_in_range_are_accepted(ark, model, fields):
    reply = ark.create(body(model, **fields))
    assert reply.status_code == 200, reply.text


@pytest.mark.parametrize(
    ("model", "content", "message"),
    [
        (MODEL_LITE_T2V, [text(), image(data_url())], "does not take first_frame"),
        (MODEL_LITE_I2V, [text()], "does not take text"),
        (MODEL_10_PRO, [text(), image(data_url(), "reference_image")], "does not take reference"),
        (MODEL_LITE_I2V, [text(), *[image(data_url(), "reference_image")] * 5], "at most 4"),
        (MODEL_20, [text(), *[image(data_url(), "reference_image")] * 10], "at most 9"),
        (
            MODEL_20,
            [text(), image(data_url(), "first_frame"), image(data_url(), "reference_image")],
            "first_frame and one last_frame",
        ),
        (MODEL_20, [text(), text()], "only one text"),
        (MODEL_20, [{"type": "video", "video": {}}], "is not a content type"),
        (
            MODEL_15,
            [
                text(),
                {
                    "type": "video_url",
                    "video_url": {"url": "https://x/v.mp4"},
                    "role": "reference_video",
                },
            ],
            "takes no video_url",
        ),
        (
            MODEL_20,
            [
                text(),
                {
                    "type": "audio_url",
                    "audio_url": {"url": "https://x/a.mp3"},
                    "role": "reference_audio",
                },
            ],
            "needs at least one image or video",
        ),
    ],
)
def test_task_kinds_each_model_does_not_take_are_400(ark, model, content, message):
    error = error_of(ark.create(body(model, *content)), 400, error_code_for(message))
    assert message in error["message"], error


def error_code_for(message: str) -> str:
    return "InvalidParameter.UnsupportedParameter" if "takes no" in message else "InvalidParameter"


def test_lite_i2v_reference_images_reject_1080p_and_2_0_takes_media_references(ark):
    refs = [image(data_url(), "reference_image")] * 2
    error_of(
        ark.create(body(MODEL_LITE_I2V, text(), *refs, resolution="1080p")),
        400,
        "InvalidParameter",
        "resolution",
    )
    assert ark.create(body(MODEL_LITE_I2V, text(), *refs, resolution="720p")).status_code == 200
    video = {
        "type": "video_url",
        "video_url": {"url": "https://x/v.mp4"},
        "role": "reference_video",
    }
    assert ark.create(body(MODEL_20, text(), *refs, video)).status_code == 200


@pytest.mark.parametrize(
    "model",
    ["doubao-seedance-2-0", "seedance-2.0", "doubao-seedance-2-0-999999", "ep-20260101-none"],
)
def test_unknown_bare_family_or_alias_models_are_404(ark, model):
    error = error_of(ark.create(body(model)), 404, "InvalidEndpointOrModel.NotFound", "model")
    assert error["type"] == "NotFound" and model in error["message"]


def test_a_configured_endpoint_runs_its_model(ark_for):
    ark = ark_for(ark_endpoints={"ep-20260101-abcde": MODEL_20_FAST})
    task = ark.finished(body("ep-20260101-abcde", resolution="480p", duration=4))
    assert task["model"] == "ep-20260101-abcde" and task["status"] == "succeeded"
    error_of(
        ark.create(body("ep-20260101-abcde", resolution="1080p")),
        400,
        "InvalidParameter",
        "resolution",
    )
    listed = ark.list({"filter.model": MODEL_20_FAST}).json()
    assert [t["id"] for t in listed["items"]] == [task["id"]]


def test_missing_model_or_content_is_missing_parameter(ark):
    error_of(ark.create({"content": [text()]}), 400, "MissingParameter", "model")
    error_of(ark.create({"model": MODEL_20, "content": None}), 400, "MissingParameter", "content")
    error_of(ark.create({"model": MODEL_20, "content": []}), 400, "InvalidParameter", "content")
    error_of(ark.create(body(MODEL_20, text("   "))), 400, "MissingParameter")
    reply = ark.create(b"{not json", headers={**ark.headers(), "Content-Type": "application/json"})
    error_of(reply, 400, "InvalidParameter", "body")


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("", "InvalidImageURL.EmptyURL"),
        (f"data:image/PNG;base64,{b64(image_bytes(640, 480))}", "InvalidImageURL.InvalidFormat"),
        (f"data:image/svg;base64,{b64(image_bytes(640, 480))}", "InvalidImageURL.InvalidFormat"),
        ("data:image/png;base64,***", "InvalidImageURL.InvalidFormat"),
        (f"data:image/png;base64,{b64(b'not an image')}", "InvalidImageURL.InvalidFormat"),
        ("ftp://example.com/a.png", "InvalidImageURL.InvalidFormat"),
        (data_url(300, 600), "InvalidParameter"),  # short side must be over 300
        (data_url(6000, 3000), "InvalidParameter"),  # long side must be under 6000
        (data_url(1300, 500), "InvalidParameter"),  # ratio 2.6 > 2.5
        (data_url(400, 1001), "InvalidParameter"),  # ratio < 0.4
    ],
)
def test_images_break_arks_limits_with_the_contracts_codes(ark, url, code):
    error = error_of(ark.create(body(MODEL_20, text(), image(url))), 400, code)
    assert error["param"] == "content[1].image_url"


def test_images_at_the_limits_urls_and_every_listed_format_are_accepted(ark):
    for url in (
        data_url(301, 301),
        data_url(5999, 2400),
        data_url(400, 1000),
        data_url(640, 480, "jpeg"),
        data_url(640, 480, "webp"),
        data_url(640, 480, "bmp"),
        data_url(640, 480, "gif"),
        data_url(640, 480, "tiff"),
        ark.server.sample_image_url("portrait.png"),
    ):
        reply = ark.create(body(MODEL_20, text(), image(url)))
        assert reply.status_code == 200, (url[:40], reply.text)
    missing_sample = ark.server.base_url + "/samples/none.png"
    error_of(
        ark.create(body(MODEL_20, text(), image(missing_sample))),
        400,
        "InvalidImageURL.InvalidFormat",
    )


@pytest.mark.parametrize(
    ("prompt", "code"),
    [
        ("a cat sandbox-reject", "InputTextSensitiveContentDetected"),
        ("a cat sandbox-copyright", "InputTextSensitiveContentDetected.PolicyViolation"),
        ("a cat sandbox-moderation-down", "ContentSecurityDetectionError"),
    ],
)
def test_input_moderation_triggers_are_400_and_make_no_task(ark, prompt, code):
    error_of(ark.create(body(MODEL_20, text(prompt))), 400, code)
    assert ark.server.ark_tasks == {}


def test_a_risky_input_image_is_400_input_image_sensitive(ark):
    magenta = ark.server.sample_image_url("magenta-corner.png")
    error_of(
        ark.create(body(MODEL_20, text(), image(magenta))),
        400,
        "InputImageSensitiveContentDetected",
    )
    marked = ark.server.sample_image_url("landscape.jpg") + "?sandbox-risk"
    error_of(
        ark.create(body(MODEL_20, text(), image(marked))), 400, "InputImageSensitiveContentDetected"
    )


def test_a_model_the_account_has_not_activated_is_404_model_not_open(ark_for):
    ark = ark_for(ark_not_open=(MODEL_20,))
    error = error_of(ark.create(body(MODEL_20)), 404, "ModelNotOpen", "model")
    assert error["type"] == "NotFound"
    assert ark.create(body(MODEL_20_FAST)).status_code == 200


@pytest.mark.parametrize(
    ("kind", "role", "code"),
    [
        ("video_url", "reference_video", "InputVideoSensitiveContentDetected"),
        ("audio_url", "reference_audio", "InputAudioSensitiveContentDetected"),
    ],
)
def test_risky_reference_media_are_400_input_sensitive(ark, kind, role, code):
    risky = {"type": kind, kind: {"url": "https://x/sandbox-risk.bin"}, "role": role}
    refs = image(data_url(), "reference_image")
    error_of(ark.create(body(MODEL_20, text(), refs, risky)), 400, code, f"content[2].{kind}")


def test_text_commands_in_the_prompt_are_accepted_and_the_body_wins(ark):
    task = ark.finished(
        body(MODEL_20, text("a tram at night --rs 480p --ratio 9:16 --dur 4 --seed 7 --fps 24"))
    )
    assert (task["resolution"], task["ratio"], task["duration"], task["seed"]) == (
        "480p",
        "9:16",
        4,
        7,
    )
    both = ark.finished(body(MODEL_20, text("x --ratio 9:16 --dur 4"), ratio="1:1"))
    assert (both["ratio"], both["duration"]) == ("1:1", 4)
    error_of(ark.create(body(MODEL_20, text("x --dur 99"))), 400, "InvalidParameter", "duration")
    error_of(ark.create(body(MODEL_20, text("x --fps 30"))), 400, "InvalidParameter", "fps")
    error_of(ark.create(body(MODEL_20, text("x --cf maybe"))), 400, "InvalidParameter")
    assert ark.create(body(MODEL_20, text("a sign saying --hello world"))).status_code == 200


def test_ark_video_links_are_signed_for_get_only(ark):
    task = ark.finished(body(MODEL_20_FAST, resolution="480p", duration=4))
    head = httpx.head(task["content"]["video_url"])
    assert head.status_code == 403
    assert httpx.get(task["content"]["video_url"]).status_code == 200
