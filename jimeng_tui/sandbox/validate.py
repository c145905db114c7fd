"""Body checks of the sandbox, as strict as the service's documentation (api-contract.md).

Every rule reads ``jimeng_tui.services.jimeng.catalog``; a failure is an :class:`Invalid` naming
the field,
which the app answers with HTTP 400 / 50215 "Input invalid for this service".
"""

from __future__ import annotations

import base64
import binascii
import io
import json
from collections.abc import Set
from dataclasses import dataclass
from typing import Any

from PIL import Image, UnidentifiedImageError

from jimeng_tui.sandbox.options import (
    IMAGE_RISK_COLOUR,
    IMAGE_RISK_MARKER,
    IMAGE_RISK_PATCH,
    POST_TEXT_RISK_WORD,
    TEXT_RISK_WORD,
)
from jimeng_tui.services.jimeng import catalog

SUBMIT_FIELDS = frozenset(
    {
        "req_key",
        "prompt",
        "seed",
        "frames",
        "aspect_ratio",
        "image_urls",
        "binary_data_base64",
        "template_id",
        "camera_strength",
    }
)
QUERY_FIELDS = frozenset({"req_key", "task_id", "req_json"})


class Invalid(Exception):
    """The body breaks a documented rule: answered as 400 / 50215 naming ``field``."""

    def __init__(self, field: str, detail: str):
        self.field = field
        self.detail = detail
        super().__init__(f"{field}: {detail}")


class Rejected(Exception):
    """Content review said no: answered with ``code`` (50411, 50412, 50413)."""

    def __init__(self, code: int, detail: str = ""):
        self.code = code
        self.detail = detail
        super().__init__(f"{code} {detail}")


@dataclass(frozen=True)
class ImageFacts:
    field: str  # e.g. "image_urls[0]"
    width: int
    height: int
    format: str
    size: int


@dataclass(frozen=True)
class SubmitInfo:
    mode: catalog.Mode
    prompt: str
    seed: int
    frames: int
    aspect_ratio: str | None  # as sent (None when absent)
    image_field: str | None  # "image_urls" / "binary_data_base64" / None
    image_sources: tuple[str, ...]  # URLs, or base64 strings


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_json_object(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Invalid("body", f"is not valid JSON ({exc})") from None
    if not isinstance(body, dict):
        raise Invalid("body", "must be a JSON object")
    return body


def mode_for(body: dict[str, Any]) -> catalog.Mode:
    req_key = body.get("req_key")
    if req_key is None:
        raise Invalid("req_key", "is required")
    if not isinstance(req_key, str):
        raise Invalid("req_key", "must be a string")
    mode = catalog.MODE_BY_REQ_KEY.get(req_key)
    if mode is None:
        raise Invalid(
            "req_key",
            f"{req_key!r} is not a Jimeng Video 3.0 key (known: "
            + ", ".join(catalog.MODE_BY_REQ_KEY)
            + ")",
        )
    return mode


def _mode_of_action(body: dict[str, Any], known: Set[str], action: str) -> catalog.Mode:
    """The body's mode (``req_key``), once every field it has is one of ``action``'s."""
    mode = mode_for(body)
    unknown = sorted(set(body) - known)
    if unknown:
        raise Invalid(unknown[0], f"is not a field of {action}")
    return mode


def check_submit(body: dict[str, Any]) -> SubmitInfo:
    """Everything that needs no image bytes. Raises Invalid or Rejected (text review)."""
    mode = _mode_of_action(body, SUBMIT_FIELDS, "CVSync2AsyncSubmitTask")

    urls = body.get("image_urls")
    datas = body.get("binary_data_base64")
    if urls is not None and datas is not None:
        raise Invalid("image_urls", "send image_urls or binary_data_base64, never both")
    image_field = None
    sources: list[str] = []
    for name, value in (("image_urls", urls), ("binary_data_base64", datas)):
        if value is None:
            continue
        image_field = name
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise Invalid(name, "must be an array of strings")
        sources = list(value)
        if name == "image_urls":
            for i, url in enumerate(sources):
                if not url.lower().startswith(("http://", "https://")):
                    raise Invalid(f"image_urls[{i}]", "must be an http(s) URL")
    count = len(sources)
    if count < mode.min_images or count > mode.max_images:
        raise Invalid(
            image_field or "image_urls",
            f"{mode.req_key} takes {mode.image_rule}, but {count} image(s) were sent",
        )

    prompt = body.get("prompt")
    if prompt is not None and not isinstance(prompt, str):
        raise Invalid("prompt", "must be a string")
    prompt = prompt or ""
    if not prompt.strip() and mode.prompt_required(count):
        raise Invalid(
            "prompt",
            f"is required for {mode.req_key}" + (" with no image" if mode.max_images else ""),
        )
    if len(prompt) > catalog.PROMPT_MAX_CHARS:
        raise Invalid(
            "prompt",
            f"has {len(prompt)} characters; at most {catalog.PROMPT_MAX_CHARS} are accepted",
        )

    seed = body.get("seed", catalog.SEED_RANDOM)
    if not _is_int(seed):
        raise Invalid("seed", "must be an integer")
    if seed != catalog.SEED_RANDOM and not 0 <= seed <= catalog.SEED_MAX:
        raise Invalid("seed", f"must be -1 or 0..{catalog.SEED_MAX}")

    frames = body.get("frames", catalog.FRAME_CHOICES[0])
    if not _is_int(frames) or frames not in catalog.FRAME_CHOICES:
        raise Invalid(
            "frames",
            f"must be {' or '.join(str(f) for f in catalog.FRAME_CHOICES)}, not {frames!r}",
        )

    aspect_ratio = body.get("aspect_ratio")
    if "aspect_ratio" in body:
        if not mode.takes_aspect_ratio(count):
            raise Invalid(
                "aspect_ratio",
                f"is not accepted by {mode.req_key}"
                + (" with an image" if mode.max_images else "")
                + ": the ratio comes from the image",
            )
        if not isinstance(aspect_ratio, str) or aspect_ratio not in catalog.ASPECT_RATIOS:
            raise Invalid(
                "aspect_ratio",
                f"{aspect_ratio!r} is not one of {', '.join(catalog.ASPECT_RATIOS)}",
            )

    for name, choices in (
        ("template_id", catalog.CAMERA_TEMPLATES),
        ("camera_strength", catalog.CAMERA_STRENGTHS),
    ):
        value = body.get(name)
        if mode.camera:
            if value is None:
                raise Invalid(name, f"is required for {mode.req_key}")
            if value not in choices:
                raise Invalid(name, f"{value!r} is not one of {', '.join(choices)}")
        elif name in body:
            raise Invalid(name, f"is only accepted by {catalog.MODES['i2v_recamera_720p'].req_key}")

    if TEXT_RISK_WORD in prompt:
        raise Rejected(50412, "prompt")
    if POST_TEXT_RISK_WORD in prompt:
        raise Rejected(50413, "prompt")
    if image_field == "image_urls":
        for url in sources:
            if IMAGE_RISK_MARKER in url:
                raise Rejected(50411, "image")

    return SubmitInfo(
        mode=mode,
        prompt=prompt,
        seed=seed,
        frames=frames,
        aspect_ratio=aspect_ratio,
        image_field=image_field,
        image_sources=tuple(sources),
    )


def decode_base64(field: str, value: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise Invalid(field, "is not valid base64") from None


def read_image(data: bytes) -> tuple[str, int, int, bool] | None:
    """(Pillow format, width, height, whether its top-left patch is the review's pure magenta)
    of encoded image bytes; None when they are not a readable image."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt = image.format or ""
            width, height = image.size
            image.load()
            corner = None
            if width >= IMAGE_RISK_PATCH and height >= IMAGE_RISK_PATCH:
                patch = image.convert("RGB").crop((0, 0, IMAGE_RISK_PATCH, IMAGE_RISK_PATCH))
                corner = patch.getcolors(IMAGE_RISK_PATCH * IMAGE_RISK_PATCH)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        return None
    risky = bool(corner and len(corner) == 1 and corner[0][1] == IMAGE_RISK_COLOUR)
    return fmt, width, height, risky


def check_image(field: str, data: bytes) -> ImageFacts:
    """Format, size, sides and ratio of one input image; the magenta corner is review-rejected."""
    if len(data) > catalog.IMAGE_MAX_BYTES:
        raise Invalid(
            field, f"is {len(data)} bytes; at most {catalog.IMAGE_MAX_BYTES} are accepted"
        )
    facts = read_image(data)
    if facts is None:
        raise Invalid(field, "is not a readable JPEG or PNG image")
    fmt, width, height, risky = facts
    if fmt not in catalog.IMAGE_FORMATS:
        raise Invalid(field, f"is {fmt or 'not an image'}; only JPEG or PNG are accepted")
    if max(width, height) > catalog.IMAGE_MAX_SIDE:
        raise Invalid(field, f"is {width}×{height}; sides must be at most {catalog.IMAGE_MAX_SIDE}")
    if min(width, height) < catalog.IMAGE_MIN_SIDE:
        raise Invalid(
            field, f"is {width}×{height}; the short side must be at least {catalog.IMAGE_MIN_SIDE}"
        )
    if max(width, height) / min(width, height) > catalog.IMAGE_MAX_RATIO:
        raise Invalid(
            field,
            f"is {width}×{height}; long side / short side must be at most "
            f"{catalog.IMAGE_MAX_RATIO:g}",
        )
    if risky:
        raise Rejected(50411, field)
    return ImageFacts(field=field, width=width, height=height, format=fmt, size=len(data))


def check_pair(images: list[ImageFacts]) -> None:
    """The last frame must have the first frame's aspect ratio (same nearest catalog ratio)."""
    if len(images) == 2:
        first, last = images
        a = catalog.nearest_aspect_ratio(first.width, first.height)
        b = catalog.nearest_aspect_ratio(last.width, last.height)
        if a != b:
            raise Invalid(
                last.field,
                f"is {last.width}×{last.height} ({b}); the last frame must have the first "
                f"frame's aspect ratio ({first.width}×{first.height}, {a})",
            )


@dataclass(frozen=True)
class QueryInfo:
    mode: catalog.Mode
    task_id: str
    aigc_meta: bool


def check_query(body: dict[str, Any]) -> QueryInfo:
    mode = _mode_of_action(body, QUERY_FIELDS, "CVSync2AsyncGetResult")
    task_id = body.get("task_id")
    if task_id is None:
        raise Invalid("task_id", "is required")
    if not isinstance(task_id, str):
        raise Invalid("task_id", "must be a string (task ids do not fit a double)")
    if not task_id:
        raise Invalid("task_id", "must not be empty")
    aigc_meta = False
    if "req_json" in body:
        req_json = body["req_json"]
        if not isinstance(req_json, str):
            raise Invalid("req_json", "must be a JSON string, not an object")
        try:
            parsed = json.loads(req_json)
        except json.JSONDecodeError:
            raise Invalid("req_json", "is not valid JSON") from None
        if not isinstance(parsed, dict):
            raise Invalid("req_json", "must encode a JSON object")
        aigc_meta = "aigc_meta" in parsed
    return QueryInfo(mode=mode, task_id=task_id, aigc_meta=aigc_meta)
