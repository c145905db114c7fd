"""The exact create body of ``POST /contents/generations/tasks`` for a checked ``ArkRequest``.

Strict in what we send (contract 2.1/2.2): only fields that are set (never JSON ``null``), a text
item, image items each with its role (``first_frame``/``last_frame``, both always given for two
frames; ``reference_image``), local images preflighted to Ark's limits and sent as
``data:image/<lowercase fmt>;base64,…``, URLs passed through, ``return_last_frame: true`` always
(the last frame is what chaining shots needs), and the wire ``model`` = the endpoint id when
one is given.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from jimeng_tui.services.ark.errors import ImageError
from jimeng_tui.services.ark.models import IMAGE_LIMITS
from jimeng_tui.services.ark.request import IMAGE_FIELDS, ArkRequest
from jimeng_tui.services.base import WireBody
from jimeng_tui.services.images import (
    PreparedImage,
    body_with_images,
    data_url,
    prepare_image,
)

ROLE_FIRST, ROLE_LAST, ROLE_REFERENCE = "first_frame", "last_frame", "reference_image"


def image_inputs(request: ArkRequest) -> list[tuple[str, str, str]]:
    """(source, role, field) of every image, in the order they are sent."""
    items: list[tuple[str, str, str]] = []
    if request.first_image:
        items.append((request.first_image, ROLE_FIRST, IMAGE_FIELDS[0]))
    if request.last_image:
        items.append((request.last_image, ROLE_LAST, IMAGE_FIELDS[1]))
    items.extend((ref, ROLE_REFERENCE, IMAGE_FIELDS[2]) for ref in request.reference_images)
    return items


async def prepare_images(request: ArkRequest) -> list[PreparedImage]:
    """Preflight every image to Ark's limits (files read in a thread; URLs checked only)."""
    return [
        await asyncio.to_thread(
            prepare_image, source, limits=IMAGE_LIMITS, field=field, error=ImageError
        )
        for source, _role, field in image_inputs(request)
    ]


def _image_item(image: PreparedImage, role: str) -> dict[str, Any]:
    url = image.url if image.url is not None else data_url(image)
    return {"type": "image_url", "image_url": {"url": url}, "role": role}


def redact_body(body: Mapping[str, object]) -> dict[str, Any]:
    """The body with every data URL replaced by its size, for logs and the job's record."""
    clean = dict(body)
    content = clean.get("content")
    if isinstance(content, list):
        clean["content"] = [_redact_item(item) for item in content]
    return clean


def _redact_item(item: object) -> object:
    if not isinstance(item, dict) or not isinstance(item.get("image_url"), dict):
        return item
    url = item["image_url"].get("url")
    if not isinstance(url, str) or not url.startswith("data:"):
        return item
    head, _, data = url.partition(",")
    size = len(data) * 3 // 4 - data[-2:].count("=")
    return {**item, "image_url": {"url": f"{head},<{size} bytes>"}}


def create_body(request: ArkRequest, images: list[PreparedImage]) -> dict[str, Any]:
    """The create body for a checked request and its prepared images (in ``image_inputs``
    order)."""
    roles = [role for _source, role, _field in image_inputs(request)]
    if len(images) != len(roles):
        raise ValueError("create_body needs one prepared image per image input")
    content: list[dict[str, Any]] = []
    if request.prompt.strip():
        content.append({"type": "text", "text": request.prompt})
    content.extend(_image_item(image, role) for image, role in zip(images, roles, strict=True))
    body: dict[str, Any] = {
        "model": request.wire_model,
        "content": content,
        "resolution": request.resolution,
        "ratio": request.ratio,
        "duration": request.duration,
    }
    if request.seed is not None:
        body["seed"] = request.seed
    body.update(request.options())
    body["return_last_frame"] = True
    return body


async def build_body(request: ArkRequest) -> WireBody:
    """Check, preflight the images (ImageError says why one cannot go) and build the body."""
    request.validate()
    images = await prepare_images(request)
    body = create_body(request, images)
    return body_with_images(body, images, redact_body(body))
