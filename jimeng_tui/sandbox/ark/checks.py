"""The create body's rules (ark-contract.md 2.1-2.4), as strict as the contract's sources allow.

``null`` is exactly "absent" (the official SDK sends every unset field as null). A broken rule is
an :class:`ArkError` naming the field; the routes answer it. Image bytes are checked by
:func:`check_image` once the routes have them (data URL decoded, or URL fetched).
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from typing import Any

from jimeng_tui.sandbox.ark import (
    COPYRIGHT_WORD,
    MODERATION_DOWN_WORD,
    TEXT_RISK_WORD,
)
from jimeng_tui.sandbox.ark import models as m
from jimeng_tui.sandbox.ark.errors import ArkError, invalid, missing, model_not_found, unsupported
from jimeng_tui.sandbox.ark.text_commands import with_text_commands
from jimeng_tui.sandbox.options import IMAGE_RISK_MARKER
from jimeng_tui.sandbox.validate import read_image

BOOL_FIELDS = ("camera_fixed", "watermark", "generate_audio", "draft", "return_last_frame")
STRING_FIELDS = ("safety_identifier", "callback_url", "output_format", "omni_reference_task_type")
KNOWN_FIELDS = frozenset(
    {
        "model",
        "content",
        "resolution",
        "ratio",
        "duration",
        "frames",
        "seed",
        "service_tier",
        "execution_expires_after",
        "priority",
        "tools",
        *BOOL_FIELDS,
        *STRING_FIELDS,
    }
)
SERVICE_TIERS = ("default", "flex")
EXPIRES_RANGE = (3600, 259200)  # 3P-FK, unverified
DEFAULT_EXPIRES = 172800
IMAGE_ROLES = ("first_frame", "last_frame", "reference_image")
IMAGE_FORMATS = {"JPEG", "PNG", "WEBP", "BMP", "TIFF", "GIF"}
DATA_URL_FORMATS = ("jpeg", "jpg", "png", "webp", "bmp", "tiff", "gif")
IMAGE_MAX_BYTES = 30 * 1024 * 1024
IMAGE_SIDES = (300, 6000)  # exclusive: short side > 300, long side < 6000
IMAGE_RATIO = (0.4, 2.5)
MAX_MEDIA_REFERENCES = 3  # videos, and audios, per 2.x task (3P, unverified)
MAX_REFERENCE_FILES = 12
_DATA_URL = re.compile(r"data:image/([^;,]+);base64,(.*)", re.DOTALL)


@dataclass(frozen=True)
class ImageItem:
    index: int  # in content[]
    role: str | None
    url: str

    @property
    def param(self) -> str:
        return f"content[{self.index}].image_url"


@dataclass
class CreateInfo:
    model_name: str  # as sent (a model id, or an endpoint id)
    model: m.ArkModel
    prompt: str
    kind: str
    images: list[ImageItem]
    resolution: str
    ratio: str  # may still be "adaptive" (resolved once the first image is read)
    duration: int | None  # None with `frames`; -1 = the model picks
    frames: int | None
    seed: int  # -1: random
    flags: dict[str, bool] = field(default_factory=dict)
    echo: dict[str, Any] = field(default_factory=dict)  # service_tier, priority, …
    media_references: int = 0
    draft_task_id: str | None = None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def present(body: dict[str, Any]) -> dict[str, Any]:
    """The body without its null fields (null is exactly "absent")."""
    return {k: v for k, v in body.items() if v is not None}


def find_model(
    body: dict[str, Any], endpoints: dict[str, str], not_open: tuple[str, ...] = ()
) -> tuple[str, m.ArkModel]:
    name = body.get("model")
    if name is None or name == "":
        raise missing("model")
    if not isinstance(name, str):
        raise invalid("model", "must be a string")
    model = m.MODELS.get(endpoints.get(name, name))
    if model is None:
        raise model_not_found(name)
    if model.id in not_open:
        raise ArkError(
            404,
            "ModelNotOpen",
            f"Your account has not activated the model {model.id}; activate it in the Ark console.",
            "model",
        )
    return name, model


def _text_and_images(
    content: Any, model: m.ArkModel
) -> tuple[str | None, list[ImageItem], int, str | None]:
    if content is None:
        raise missing("content")
    if not isinstance(content, list) or not content:
        raise invalid("content", "must be a non-empty array of content items")
    text: str | None = None
    images: list[ImageItem] = []
    media = {"video_url": 0, "audio_url": 0}
    draft_task_id = None
    for i, raw in enumerate(content):
        if not isinstance(raw, dict):
            raise invalid(f"content[{i}]", "must be an object")
        item = present(raw)
        kind = item.get("type")
        if kind == "text":
            if text is not None:
                raise invalid("content", "only one text item is accepted")
            if not isinstance(item.get("text"), str):
                raise invalid(f"content[{i}].text", "must be a string")
            text = item["text"]
        elif kind == "image_url":
            holder = item.get("image_url")
            url = holder.get("url") if isinstance(holder, dict) else None
            if url is None or url == "":
                raise ArkError(
                    400,
                    "InvalidImageURL.EmptyURL",
                    f"The image URL of content[{i}] is empty.",
                    f"content[{i}].image_url",
                )
            if not isinstance(url, str):
                raise invalid(f"content[{i}].image_url.url", "must be a string")
            role = item.get("role")
            if role is not None and role not in IMAGE_ROLES:
                raise invalid(
                    f"content[{i}].role",
                    f"{role!r} is not an image role ({', '.join(IMAGE_ROLES)})",
                )
            images.append(ImageItem(i, role, url))
        elif kind in media:
            if not model.media_references:
                raise unsupported(f"content[{i}]", f"{model.id} takes no {kind} items")
            want = "reference_video" if kind == "video_url" else "reference_audio"
            if item.get("role") != want:
                raise invalid(f"content[{i}].role", f"must be {want} for a {kind} item")
            url = item.get(kind)
            if not isinstance(url, dict) or not isinstance(url.get("url"), str) or not url["url"]:
                raise invalid(f"content[{i}].{kind}.url", "must be a non-empty string")
            if IMAGE_RISK_MARKER in url["url"]:
                medium = "Video" if kind == "video_url" else "Audio"
                raise ArkError(
                    400,
                    f"Input{medium}SensitiveContentDetected",
                    f"The request failed because the input {medium.lower()} may contain "
                    "sensitive information.",
                    f"content[{i}].{kind}",
                )
            media[kind] += 1
            if media[kind] > MAX_MEDIA_REFERENCES:
                raise invalid("content", f"at most {MAX_MEDIA_REFERENCES} {kind} items")
        elif kind == "draft_task":
            if not model.draft:
                raise unsupported(f"content[{i}]", f"{model.id} renders no draft tasks")
            ref = item.get("draft_task")
            if not isinstance(ref, dict) or not isinstance(ref.get("id"), str) or not ref["id"]:
                raise invalid(f"content[{i}].draft_task.id", "must be a task id")
            draft_task_id = ref["id"]
        else:
            raise invalid(f"content[{i}].type", f"{kind!r} is not a content type")
    if media["audio_url"] and not images and not media["video_url"]:
        raise invalid("content", "reference audio needs at least one image or video")
    return text, images, sum(media.values()), draft_task_id


def _kind(images: list[ImageItem], model: m.ArkModel, media: int) -> str:
    roles = [img.role for img in images]
    if not images:
        kind = m.REFERENCE if media else m.TEXT
    elif len(images) == 1 and roles[0] in (None, "first_frame"):
        kind = m.FIRST
    elif len(images) == 1 and roles[0] == "last_frame":
        raise invalid("content", "a last frame needs a first frame")
    elif all(r == "reference_image" for r in roles):
        kind = m.REFERENCE
    elif len(images) == 2:
        if None in roles:
            raise invalid("content", "role must be specified for image contents")
        if sorted(r or "" for r in roles) != ["first_frame", "last_frame"]:
            raise invalid("content", "two frames must be one first_frame and one last_frame")
        kind = m.FIRST_LAST
    else:
        raise invalid(
            "content",
            "more than two images must all have role reference_image "
            f"(got {', '.join(str(r) for r in roles)})",
        )
    if kind not in model.kinds:
        takes = ", ".join(sorted(model.kinds))
        raise invalid("content", f"{model.id} does not take {kind} tasks (it takes: {takes})")
    if kind == m.REFERENCE:
        if len(images) > model.max_reference_images:
            raise invalid(
                "content",
                f"{model.id} takes at most {model.max_reference_images} reference images, "
                f"not {len(images)}",
            )
        if len(images) + media > MAX_REFERENCE_FILES:
            raise invalid("content", f"at most {MAX_REFERENCE_FILES} reference files in all")
    if media and kind != m.REFERENCE:
        raise invalid("content", "reference videos and audios go with reference images only")
    return kind


def _choice(body: dict[str, Any], name: str, allowed: tuple[str, ...], default: str) -> str:
    value = body.get(name, default)
    if value not in allowed:
        raise invalid(name, f"{value!r} is not one of {', '.join(allowed)}")
    return str(value)


def _flags(body: dict[str, Any], model: m.ArkModel) -> dict[str, bool]:
    flags = {}
    for name in BOOL_FIELDS:
        value = body.get(name, False)
        if not isinstance(value, bool):
            raise invalid(name, "must be true or false")
        flags[name] = value
    if flags["generate_audio"] and not model.audio:
        raise unsupported("generate_audio", f"{model.id} makes no sound")
    if flags["draft"] and not model.draft:
        raise unsupported("draft", f"{model.id} has no draft mode")
    return flags


def _length(body: dict[str, Any], model: m.ArkModel) -> tuple[int | None, int | None]:
    frames = body.get("frames")
    if frames is not None:
        if not model.frames:
            raise unsupported("frames", f"{model.id} takes duration, not frames")
        if (
            not _is_int(frames)
            or not m.FRAMES_MIN <= frames <= m.FRAMES_MAX
            or (frames - m.FRAMES_MIN) % m.FRAMES_STEP
        ):
            raise invalid(
                "frames",
                f"must be 25 + 4n between {m.FRAMES_MIN} and {m.FRAMES_MAX}, not {frames!r}",
            )
        return None, frames  # frames win over duration
    duration = body.get("duration", m.DEFAULT_DURATION)
    low, high = model.durations
    auto = " or -1" if model.auto_duration else ""
    if not _is_int(duration) or not (
        low <= duration <= high or (duration == -1 and model.auto_duration)
    ):
        raise invalid(
            "duration", f"{model.id} takes {low}-{high} whole seconds{auto}, not {duration!r}"
        )
    return duration, None


def _echo(body: dict[str, Any], model: m.ArkModel) -> dict[str, Any]:
    echo: dict[str, Any] = {
        "service_tier": _choice(body, "service_tier", SERVICE_TIERS, "default"),
    }
    expires = body.get("execution_expires_after", DEFAULT_EXPIRES)
    low, high = EXPIRES_RANGE
    if not _is_int(expires) or not low <= expires <= high:
        raise invalid("execution_expires_after", f"must be {low}-{high} seconds, not {expires!r}")
    echo["execution_expires_after"] = expires
    if "priority" in body:
        if not model.priority:
            raise unsupported("priority", f"{model.id} takes no priority")
        if not _is_int(body["priority"]) or not 0 <= body["priority"] <= 9:
            raise invalid("priority", f"must be 0-9, not {body['priority']!r}")
    echo["priority"] = body.get("priority", 0)
    for name in STRING_FIELDS:
        if name in body:
            if not isinstance(body[name], str):
                raise invalid(name, "must be a string")
            echo[name] = body[name]
    tools = body.get("tools")
    if tools is not None:
        if not isinstance(tools, list) or any(
            not isinstance(t, dict) or t.get("type") != "web_search" for t in tools
        ):
            raise invalid("tools", 'must be a list of {"type": "web_search"}')
        echo["tools"] = tools
    return echo


def check_create(
    raw_body: Any, endpoints: dict[str, str], not_open: tuple[str, ...] = ()
) -> CreateInfo:
    """Everything but image bytes. Raises ArkError."""
    info = _read_create(raw_body, endpoints, not_open)
    # the content review comes after every parameter check, as on the service
    _review_text(info.prompt)
    for image in info.images:
        if IMAGE_RISK_MARKER in image.url and not image.url.startswith("data:"):
            raise input_image_rejected(image)
    return info


def _read_create(raw_body: Any, endpoints: dict[str, str], not_open: tuple[str, ...]) -> CreateInfo:
    if not isinstance(raw_body, dict):
        raise invalid("body", "must be a JSON object")
    body = present(raw_body)
    name, model = find_model(body, endpoints, not_open)
    unknown = sorted(set(body) - KNOWN_FIELDS)
    if unknown:
        raise unsupported(unknown[0], "is not a field of the create-task API")
    text, images, media, draft_task_id = _text_and_images(body.get("content"), model)
    kind = m.FIRST if draft_task_id else _kind(images, model, media)
    if draft_task_id and (images or media):
        raise invalid("content", "a draft_task item goes alone (with an optional text)")
    prompt = text or ""
    body = with_text_commands(body, prompt)
    if kind == m.TEXT and not prompt.strip() and not draft_task_id:
        raise missing("content.text")
    allowed = model.reference_resolutions if kind == m.REFERENCE else model.resolutions
    resolution = _choice(body, "resolution", allowed, model.default_resolution)
    default_ratio = model.default_ratio_text if kind == m.TEXT else m.ADAPTIVE
    ratio = _choice(body, "ratio", (*m.RATIOS, m.ADAPTIVE), default_ratio)
    seed = body.get("seed", -1)
    if not _is_int(seed) or not -1 <= seed <= m.SEED_MAX:
        raise invalid("seed", f"must be -1 or 0..{m.SEED_MAX}, not {seed!r}")
    duration, frames = _length(body, model)
    return CreateInfo(
        model_name=name,
        model=model,
        prompt=prompt,
        kind=kind,
        images=images,
        resolution=resolution,
        ratio=ratio,
        duration=duration,
        frames=frames,
        seed=seed,
        flags=_flags(body, model),
        echo=_echo(body, model),
        media_references=media,
        draft_task_id=draft_task_id,
    )


def _review_text(prompt: str) -> None:
    if MODERATION_DOWN_WORD in prompt:
        raise ArkError(
            400, "ContentSecurityDetectionError", "The content security service failed; retry."
        )
    if COPYRIGHT_WORD in prompt:
        raise ArkError(
            400,
            "InputTextSensitiveContentDetected.PolicyViolation",
            "The request failed because the input text may contain copyrighted content.",
        )
    if TEXT_RISK_WORD in prompt:
        raise ArkError(
            400,
            "InputTextSensitiveContentDetected",
            "The request failed because the input text may contain sensitive information.",
        )


def input_image_rejected(image: ImageItem) -> ArkError:
    return ArkError(
        400,
        "InputImageSensitiveContentDetected",
        "The request failed because the input image may contain sensitive information.",
        image.param,
    )


def bad_image(image: ImageItem, detail: str) -> ArkError:
    return ArkError(
        400,
        "InvalidImageURL.InvalidFormat",
        f"The image of content[{image.index}] is not usable: {detail}.",
        image.param,
    )


def decode_data_url(image: ImageItem) -> bytes:
    """The bytes of a ``data:image/<fmt>;base64,…`` URL (``fmt`` lowercase)."""
    match = _DATA_URL.fullmatch(image.url)
    if match is None:
        raise bad_image(image, "a data URL must look like data:image/<format>;base64,<data>")
    fmt, data = match.groups()
    if fmt not in DATA_URL_FORMATS:
        raise bad_image(
            image,
            f"the format {fmt!r} must be lowercase and one of {', '.join(DATA_URL_FORMATS)}",
        )
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise bad_image(image, "the base64 data is invalid") from None


def check_image(image: ImageItem, data: bytes) -> tuple[int, int]:
    """Ark's image limits (contract 2.2); the magenta corner is review-rejected. (W, H)."""
    if len(data) > IMAGE_MAX_BYTES:
        raise invalid(image.param, f"the image is {len(data)} bytes; at most 30 MB are accepted")
    facts = read_image(data)
    if facts is None:
        raise bad_image(image, "it is not a readable image")
    fmt, width, height, risky = facts
    if fmt not in IMAGE_FORMATS:
        raise bad_image(image, f"{fmt} is not an accepted format")
    low, high = IMAGE_SIDES
    if min(width, height) <= low or max(width, height) >= high:
        raise invalid(
            image.param,
            f"the image is {width}×{height}; its sides must be over {low} and under {high} px",
        )
    if not IMAGE_RATIO[0] <= width / height <= IMAGE_RATIO[1]:
        raise invalid(
            image.param,
            f"the image is {width}×{height}; width / height must be "
            f"{IMAGE_RATIO[0]}-{IMAGE_RATIO[1]}",
        )
    if risky:
        raise input_image_rejected(image)
    return width, height
