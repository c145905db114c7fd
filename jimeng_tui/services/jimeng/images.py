"""Image preflight: make every input image something the service accepts, or say why not.

The service takes JPEG or PNG, at most ``IMAGE_MAX_BYTES`` and ``IMAGE_MAX_SIDE`` px a side, with
the short side at least ``IMAGE_MIN_SIDE`` px and long/short at most ``IMAGE_MAX_RATIO``. The
checks and conversions are the shared preflight's (``services/images.py``) with these limits.

URLs (http/https only) are passed to the service as ``image_urls`` without being fetched, unless
they are mixed with a local file: the service takes either URLs or data, never both, so then the
URL is downloaded and preflighted like a file.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import TYPE_CHECKING

from jimeng_tui.services import images as shared
from jimeng_tui.services.images import READ_MAX_BYTES, PreparedImage, is_url
from jimeng_tui.services.jimeng.capabilities import IMAGE_LIMITS
from jimeng_tui.services.jimeng.errors import ImageError

__all__ = ["PreparedImage", "preflight_bytes", "prepare_image", "prepare_images"]

if TYPE_CHECKING:
    import httpx

    from jimeng_tui.services.jimeng.request import GenerationRequest

# Two pictures "have the same aspect ratio" when their ratios differ by at most this fraction.
RATIO_TOLERANCE = 0.01
# A URL fetched for mixing is refused past this size, unread (the result must fit in 4.7 MB
# anyway), as a local file is (``READ_MAX_BYTES``).
FETCH_MAX_BYTES = READ_MAX_BYTES
FETCH_TIMEOUT_S = 60.0


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB"


def _size(w: int, h: int) -> str:
    return f"{w}×{h}"


def preflight_bytes(raw: bytes, *, source: str, field: str = "first_image") -> PreparedImage:
    """Check and, where needed, convert image bytes to Jimeng 3.0's limits."""
    return shared.preflight_bytes(
        raw, source=source, limits=IMAGE_LIMITS, field=field, error=ImageError
    )


def prepare_image(source: str, *, field: str = "first_image") -> PreparedImage:
    """Preflight one image (blocking) to Jimeng 3.0's limits; a URL is checked, not fetched."""
    return shared.prepare_image(source, limits=IMAGE_LIMITS, field=field, error=ImageError)


async def _fetch(source: str, field: str, http: httpx.AsyncClient | None) -> bytes:
    import httpx

    own = http is None
    client = http or httpx.AsyncClient(timeout=FETCH_TIMEOUT_S, follow_redirects=True)
    try:
        async with client.stream("GET", source, follow_redirects=True) as response:
            if response.status_code != 200:
                raise ImageError(
                    field,
                    f"downloading {source!r} to send it with the other image failed: "
                    f"HTTP {response.status_code}",
                )
            chunks: list[bytes] = []
            total = 0
            async for chunk in response.aiter_bytes():
                total += len(chunk)
                if total > FETCH_MAX_BYTES:
                    raise ImageError(
                        field, f"{source!r} is larger than {_mb(FETCH_MAX_BYTES)}; not an input"
                    )
                chunks.append(chunk)
            return b"".join(chunks)
    except httpx.HTTPError as exc:
        raise ImageError(
            field,
            f"downloading {source!r} to send it with the other image failed: "
            f"{type(exc).__name__}: {exc}",
        ) from None
    finally:
        if own:
            await client.aclose()


def _check_same_ratio(first: PreparedImage, last: PreparedImage) -> None:
    if None in (first.width, first.height, last.width, last.height):
        return
    assert first.width and first.height and last.width and last.height
    r1 = first.width / first.height
    r2 = last.width / last.height
    if abs(r1 - r2) / r1 > RATIO_TOLERANCE:
        raise ImageError(
            "last_image",
            f"the last frame is {_size(last.width, last.height)} ({r2:.3f}) but the first frame is "
            f"{_size(first.width, first.height)} ({r1:.3f}); both frames must have the same "
            "aspect ratio",
        )


async def prepare_images(
    request: GenerationRequest, *, http: httpx.AsyncClient | None = None
) -> list[PreparedImage]:
    """Preflight the request's images, first then last.

    Files are read in a thread. All URLs → sent as URLs; URLs mixed with files → every URL is
    downloaded and preflighted so that all images go as data.
    """
    inputs = [
        (field, source.strip())
        for field, source in (
            ("first_image", request.first_image),
            ("last_image", request.last_image),
        )
        if source and source.strip()
    ]
    urls = [is_url(source) for _, source in inputs]
    mixed = any(urls) and not all(urls)
    prepared: list[PreparedImage] = []
    for (field, source), url in zip(inputs, urls, strict=True):
        if url and mixed:
            raw = await _fetch(source, field, http)
            image = await asyncio.to_thread(preflight_bytes, raw, source=source, field=field)
            image = dataclasses.replace(
                image,
                url=None,
                notices=(
                    "downloaded the URL to send it as data with the other, local image",
                    *image.notices,
                ),
            )
        elif url:
            image = prepare_image(source, field=field)
        else:
            image = await asyncio.to_thread(prepare_image, source, field=field)
        prepared.append(image)
    if len(prepared) == 2:
        _check_same_ratio(prepared[0], prepared[1])
    return prepared
