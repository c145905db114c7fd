"""Generated input images served at ``/samples/{name}`` so URL-image modes can be tried offline."""

from __future__ import annotations

import functools
import hashlib
import io

from PIL import Image, ImageDraw

from jimeng_tui.sandbox.options import IMAGE_RISK_COLOUR, IMAGE_RISK_PATCH

# name → (width, height, Pillow format, content type)
SAMPLES: dict[str, tuple[int, int, str, str]] = {
    "landscape.jpg": (1280, 720, "JPEG", "image/jpeg"),
    "portrait.png": (720, 1280, "PNG", "image/png"),
    "square.jpg": (1024, 1024, "JPEG", "image/jpeg"),
    # A PNG whose top-left 16×16 is pure magenta: the sandbox's pre-image review rejects it (50411).
    "magenta-corner.png": (1280, 720, "PNG", "image/png"),
}


def sample_image(name: str) -> Image.Image:
    width, height, _, _ = SAMPLES[name]
    digest = hashlib.sha256(name.encode()).digest()
    corners = Image.new("RGB", (2, 2))
    corners.putdata([tuple(digest[i : i + 3]) for i in (0, 3, 6, 9)])
    image = corners.resize((width, height), Image.Resampling.BILINEAR)
    draw = ImageDraw.Draw(image)
    r = min(width, height) // 5
    draw.ellipse(
        (width / 2 - r, height / 2 - r, width / 2 + r, height / 2 + r), fill=(250, 250, 240)
    )
    draw.rectangle(
        (width // 10, height // 10, width // 10 + r, height // 10 + r // 2), fill=(20, 20, 30)
    )
    if name.startswith("magenta"):
        draw.rectangle((0, 0, IMAGE_RISK_PATCH - 1, IMAGE_RISK_PATCH - 1), fill=IMAGE_RISK_COLOUR)
    return image


@functools.cache
def sample_bytes(name: str) -> bytes:
    """The encoded file (KeyError for an unknown name)."""
    _, _, fmt, _ = SAMPLES[name]
    buf = io.BytesIO()
    sample_image(name).save(buf, format=fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    return buf.getvalue()


def content_type(name: str) -> str:
    return SAMPLES[name][3]
