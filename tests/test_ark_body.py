"""The exact Ark create body: only set fields (no JSON null), roles on every image, local images
preflighted to Ark's limits and sent as lowercase data URLs, URLs passed through,
``return_last_frame: true`` always, the endpoint as the wire model, and a redacted copy."""

from __future__ import annotations

import base64
import hashlib
import io
import json
from pathlib import Path

import pytest
from PIL import Image

from jimeng_tui.domain.errors import ValidationError
from jimeng_tui.domain.request import VideoInput
from jimeng_tui.services.ark.codec import ARK_CODEC
from jimeng_tui.services.ark.service import ArkService
from jimeng_tui.services.base import Target

URL = "https://cdn.example.com/last.jpg"


def picture(path: Path, size=(640, 480), fmt="PNG") -> Path:
    Image.new("RGB", size, (200, 120, 40)).save(path, format=fmt)
    return path


async def body_for(tmp_path: Path, **fields):
    service = ArkService(Target("https://ark.example.com/api/v3", {"api_key": "k"}))
    try:
        built = ARK_CODEC.build(VideoInput(**fields), base_dir=tmp_path)
        request = service.request_from_params(built.params)
        return await service.build_body(request)
    finally:
        await service.aclose()


def nulls(value) -> list:
    if value is None:
        return [value]
    if isinstance(value, dict):
        return [n for v in value.values() for n in nulls(v)]
    if isinstance(value, list):
        return [n for v in value for n in nulls(v)]
    return []


async def test_text_to_video_body_is_exactly_the_set_fields(tmp_path):
    body = await body_for(tmp_path, prompt="a red fox", model="seedance-2.0", duration=8)
    assert dict(body) == {
        "model": "doubao-seedance-2-0-260128",
        "content": [{"type": "text", "text": "a red fox"}],
        "resolution": "720p",
        "ratio": "16:9",
        "duration": 8,
        "return_last_frame": True,
    }
    assert "null" not in json.dumps(dict(body))


async def test_first_and_last_frame_carry_both_roles_data_url_and_url(tmp_path):
    first = picture(tmp_path / "first.png")
    body = await body_for(
        tmp_path,
        prompt="walk",
        model="seedance-1.5-pro",
        first_image="first.png",
        last_image=URL,
        seed=7,
        options={"generate_audio": True, "camera_fixed": False, "endpoint": "ep-20260101-abcde"},
    )
    assert not nulls(dict(body))
    assert body["model"] == "ep-20260101-abcde"
    assert (body["seed"], body["generate_audio"], body["camera_fixed"]) == (7, True, False)
    assert body["return_last_frame"] is True
    text, image_first, image_last = body["content"]
    assert text == {"type": "text", "text": "walk"}
    assert image_first["role"] == "first_frame"
    assert image_last == {"type": "image_url", "image_url": {"url": URL}, "role": "last_frame"}
    url = image_first["image_url"]["url"]
    assert url.startswith("data:image/png;base64,")
    assert base64.b64decode(url.split(",", 1)[1]) == first.read_bytes()  # fits: byte for byte
    assert body.image_hashes[0] == hashlib.sha256(first.read_bytes()).hexdigest()
    encoded = url.split(",", 1)[1]
    redacted = json.dumps(body.redacted)
    assert encoded not in redacted and encoded[:40] not in redacted
    assert body.redacted["content"][1]["image_url"]["url"] == (
        f"data:image/png;base64,<{first.stat().st_size} bytes>"
    )
    assert URL in redacted


async def test_reference_images_have_the_reference_role_and_lowercase_formats(tmp_path):
    picture(tmp_path / "a.jpg", fmt="JPEG")
    picture(tmp_path / "b.webp", fmt="WEBP")
    body = await body_for(tmp_path, prompt="these two", reference_images=("a.jpg", "b.webp", URL))
    items = body["content"][1:]
    assert [i["role"] for i in items] == ["reference_image"] * 3
    urls = [i["image_url"]["url"] for i in items]
    assert urls[0].startswith("data:image/jpeg;base64,")
    assert urls[1].startswith("data:image/webp;base64,")  # Ark takes WebP as it is
    assert urls[2] == URL


async def test_images_are_preflighted_to_arks_limits_not_jimengs(tmp_path):
    # 5000 px wide: over Jimeng 3.0's 4096, under Ark's 6000: sent as it is.
    wide = picture(tmp_path / "wide.png", size=(5000, 2500))
    body = await body_for(tmp_path, prompt="x", first_image="wide.png")
    sent = base64.b64decode(body["content"][1]["image_url"]["url"].split(",", 1)[1])
    assert sent == wide.read_bytes()
    # 6400 px: over Ark's long side: scaled down, with a notice.
    picture(tmp_path / "huge.png", size=(6400, 3200))
    body = await body_for(tmp_path, prompt="x", first_image="huge.png")
    sent = base64.b64decode(body["content"][1]["image_url"]["url"].split(",", 1)[1])
    assert max(Image.open(io.BytesIO(sent)).size) < 6000
    assert any("downscaled" in n for n in body.notices)
    # 300 px short side: Ark needs more than 300.
    picture(tmp_path / "small.png", size=(300, 600))
    with pytest.raises(ValidationError, match="300 px"):
        await body_for(tmp_path, prompt="x", first_image="small.png")
    # 2.6:1 is past Ark's 2.5 (Jimeng 3.0 would take up to 3:1).
    picture(tmp_path / "thin.png", size=(1300, 500))
    with pytest.raises(ValidationError, match=r"2\.5:1"):
        await body_for(tmp_path, prompt="x", first_image="thin.png")


@pytest.mark.parametrize(("fmt", "word"), [("BMP", "bmp"), ("TIFF", "tiff"), ("GIF", "gif")])
async def test_every_format_ark_takes_goes_as_it_is_with_its_lowercase_name(tmp_path, fmt, word):
    path = picture(tmp_path / f"a.{word}", fmt=fmt)
    body = await body_for(tmp_path, prompt="x", first_image=path.name)
    url = body["content"][1]["image_url"]["url"]
    assert url.startswith(f"data:image/{word};base64,")
    assert base64.b64decode(url.split(",", 1)[1]) == path.read_bytes()
