"""Image preflight: make every input image something the service accepts, or say why not.

The service takes JPEG or PNG, at most ``IMAGE_MAX_BYTES`` and ``IMAGE_MAX_SIDE`` px a side, with
the short side at least ``IMAGE_MIN_SIDE`` px and long/short at most ``IMAGE_MAX_RATIO``. A local
file that already fits is sent byte for byte; anything else Pillow reads is converted, turned
upright (EXIF orientation) or scaled down, with a notice saying what changed. The user's file is
only ever read.

URLs (http/https only) are passed to the service as ``image_urls`` without being fetched, unless
they are mixed with a local file: the service takes either URLs or data, never both, so then the
URL is downloaded and preflighted like a file.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import math
import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from jimeng_tui.localfiles import FileTooLarge, NotARegularFile, read_regular_file
from jimeng_tui.services.images import PreparedImage, check_url, is_url, refuse_other_scheme
from jimeng_tui.services.jimeng import catalog
from jimeng_tui.services.jimeng.errors import ImageError

__all__ = ["PreparedImage", "preflight_bytes", "prepare_image", "prepare_images"]

if TYPE_CHECKING:
    import httpx
    from PIL import Image

    from jimeng_tui.services.jimeng.request import GenerationRequest

# Two pictures "have the same aspect ratio" when their ratios differ by at most this fraction.
RATIO_TOLERANCE = 0.01
# A local image or a URL fetched for mixing is refused past this size, unread (the result
# must fit in 4.7 MB anyway): `--image /dev/zero` or a 20 GB file must not fill the memory.
READ_MAX_BYTES = 64_000_000
FETCH_MAX_BYTES = READ_MAX_BYTES
# Pixels decoded at most (Pillow's own limit is lower, ~89 million, ~270 MB as RGB): more than
# five times what the service takes, room for camera photos.
MAX_PIXELS = 8 * 4096 * 4096
FETCH_TIMEOUT_S = 60.0
ORIENTATION_TAG = 0x0112
JPEG_QUALITIES = (92, 85, 78, 70)
FORMAT_NAMES = {"WEBP": "WebP", "TIFF": "TIFF", "BMP": "BMP", "GIF": "GIF", "MPO": "MPO (JPEG)"}


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB"


def _size(w: int, h: int) -> str:
    return f"{w}×{h}"


def _has_alpha(img: Image.Image) -> bool:
    return img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)


def _check_shape(width: int, height: int, field: str, what: str) -> None:
    short, long = min(width, height), max(width, height)
    if short < catalog.IMAGE_MIN_SIDE:
        raise ImageError(
            field,
            f"{what} is {_size(width, height)}; its shortest side ({short} px) is under the "
            f"{catalog.IMAGE_MIN_SIDE} px the service needs",
        )
    if long / short > catalog.IMAGE_MAX_RATIO:
        raise ImageError(
            field,
            f"{what} is {_size(width, height)}, {long / short:.2f} times as "
            f"{'wide as it is tall' if width > height else 'tall as it is wide'}; "
            f"the service accepts at most {catalog.IMAGE_MAX_RATIO:g}:1",
        )


def _encode(img: Image.Image, fmt: str, quality: int = JPEG_QUALITIES[0]) -> bytes:
    buf = io.BytesIO()
    # Keep a colour profile (e.g. Display P3 photos) unless the pixels change colour model.
    icc = img.info.get("icc_profile")
    if fmt == "PNG":
        if img.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"):
            img = img.convert("RGBA" if _has_alpha(img) else "RGB")
            icc = None
        extra = {"icc_profile": icc} if icc else {}
        img.save(buf, format="PNG", optimize=False, compress_level=6, **extra)
    else:
        if _has_alpha(img):
            img = _white_background(img.convert("RGBA"))
            icc = None
        elif img.mode not in ("L", "RGB"):
            img = img.convert("RGB")
            icc = None
        extra = {"icc_profile": icc} if icc else {}
        img.save(buf, format="JPEG", quality=quality, optimize=True, **extra)
    return buf.getvalue()


def _white_background(rgba: Image.Image) -> Image.Image:
    from PIL import Image

    background = Image.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background


def _scaled(img: Image.Image, factor: float) -> Image.Image:
    from PIL import Image

    w, h = img.size
    size = (max(1, round(w * factor)), max(1, round(h * factor)))
    return img.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _fit_bytes(img: Image.Image, fmt: str, field: str, what: str) -> tuple[bytes, Image.Image, str]:
    """Encode ``img`` as ``fmt`` within IMAGE_MAX_BYTES: lower JPEG quality, then scale down.

    Returns (bytes, the image encoded, the format used). A PNG without transparency that
    cannot fit becomes a JPEG (photos do not fit as PNG); one with transparency is scaled.
    """
    limit = catalog.IMAGE_MAX_BYTES
    data = _encode(img, fmt)
    if len(data) <= limit:
        return data, img, fmt
    if fmt == "PNG" and not _has_alpha(img):
        fmt = "JPEG"
    current = img
    for _ in range(12):
        if fmt == "JPEG":
            for quality in JPEG_QUALITIES:
                data = _encode(current, fmt, quality)
                if len(data) <= limit:
                    return data, current, fmt
        else:
            data = _encode(current, fmt)
            if len(data) <= limit:
                return data, current, fmt
        factor = max(0.5, min(0.9, math.sqrt(limit / len(data)) * 0.95))
        smaller = _scaled(current, factor)
        if min(smaller.size) < catalog.IMAGE_MIN_SIDE:
            break
        current = smaller
    raise ImageError(
        field,
        f"{what} cannot be made smaller than {_mb(catalog.IMAGE_MAX_BYTES)} without its "
        f"shortest side going under {catalog.IMAGE_MIN_SIDE} px; use a smaller image",
    )


def _check_pixels(size: tuple[int, int], field: str, what: str) -> None:
    """Refuse before decoding what would take hundreds of MB (a small file can claim
    100000×100000 px): Pillow only warns below twice its limit."""
    from PIL import Image

    cap = min(Image.MAX_IMAGE_PIXELS or MAX_PIXELS, MAX_PIXELS)
    width, height = size
    if width * height > cap:
        raise ImageError(
            field,
            f"{what} is {_size(width, height)} ({width * height / 1e6:.0f} million pixels); "
            f"at most {cap / 1e6:.0f} million can be converted (the service takes "
            f"{catalog.IMAGE_MAX_SIDE}×{catalog.IMAGE_MAX_SIDE}); scale it down first",
        )


def preflight_bytes(raw: bytes, *, source: str, field: str = "first_image") -> PreparedImage:
    """Check and, where needed, convert image bytes; ``source`` is only used in messages."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    what = f"{source!r}"
    if not raw:
        raise ImageError(field, f"{what} is empty (0 bytes), not an image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img: Image.Image = Image.open(io.BytesIO(raw))
            original_format = img.format or "unknown"
            shown_format = FORMAT_NAMES.get(original_format, original_format)
            _check_pixels(img.size, field, what)
            img.load()
    except UnidentifiedImageError:
        raise ImageError(
            field, f"{what} is not an image that can be read (JPEG, PNG, WebP, …)"
        ) from None
    except Image.DecompressionBombError:
        raise ImageError(field, f"{what} has too many pixels to open safely") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageError(field, f"{what} is damaged or truncated ({exc})") from None

    notices: list[str] = []
    changed = False
    if getattr(img, "n_frames", 1) > 1 and original_format not in catalog.IMAGE_FORMATS:
        notices.append(f"used the first frame of the animated {shown_format} image")

    orientation = img.getexif().get(ORIENTATION_TAG, 1)
    if orientation not in (None, 1) and isinstance(orientation, int) and 2 <= orientation <= 8:
        before = img.size
        img = ImageOps.exif_transpose(img)
        changed = True
        notices.append(
            f"turned upright from its EXIF orientation ({orientation}): "
            f"{_size(*before)} → {_size(*img.size)}"
        )

    width, height = img.size
    _check_shape(width, height, field, f"{what} ({shown_format})")

    if original_format in catalog.IMAGE_FORMATS:
        target = original_format
    else:
        target = "PNG" if _has_alpha(img) else "JPEG"
        changed = True
        notices.append(f"converted {shown_format} to {target}")

    if max(width, height) > catalog.IMAGE_MAX_SIDE:
        factor = catalog.IMAGE_MAX_SIDE / max(width, height)
        new_size = (
            min(catalog.IMAGE_MAX_SIDE, max(1, round(width * factor))),
            min(catalog.IMAGE_MAX_SIDE, max(1, round(height * factor))),
        )
        img = img.resize(new_size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        changed = True
        notices.append(
            f"downscaled {_size(width, height)} → {_size(*new_size)} "
            f"(the service takes at most {catalog.IMAGE_MAX_SIDE} px a side)"
        )

    if not changed and len(raw) <= catalog.IMAGE_MAX_BYTES:
        return PreparedImage(
            source=source,
            url=None,
            data=raw,
            sha256=hashlib.sha256(raw).hexdigest(),
            width=width,
            height=height,
            notices=tuple(notices),
        )

    before_size = img.size
    data, final, fmt = _fit_bytes(img, target, field, what)
    if fmt != target:
        notices.append(f"re-encoded as {fmt}: as {target} it would not fit the size limit")
    if final.size != before_size:
        notices.append(
            f"downscaled {_size(*before_size)} → {_size(*final.size)} to fit "
            f"{_mb(catalog.IMAGE_MAX_BYTES)}"
        )
    if len(raw) > catalog.IMAGE_MAX_BYTES:
        notices.append(
            f"re-encoded {_mb(len(raw))} → {_mb(len(data))} "
            f"(the service takes at most {_mb(catalog.IMAGE_MAX_BYTES)})"
        )
    return PreparedImage(
        source=source,
        url=None,
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        width=final.size[0],
        height=final.size[1],
        notices=tuple(notices),
    )


def _url_image(source: str, field: str) -> PreparedImage:
    return PreparedImage(
        source=source,
        url=source,
        data=None,
        sha256=hashlib.sha256(source.encode("utf-8")).hexdigest(),
        width=None,
        height=None,
    )


def prepare_image(source: str, *, field: str = "first_image") -> PreparedImage:
    """Preflight one image (blocking). A URL is checked for its scheme only, not fetched.

    A local path is read only when it is a regular file of at most ``READ_MAX_BYTES``: a
    device (``/dev/zero``), a named pipe or a folder is refused without reading it.
    """
    source = source.strip()
    if not source:
        raise ImageError(field, "no image given")
    if is_url(source):
        check_url(source, field, ImageError)
        return _url_image(source, field)
    path = Path(os.path.expanduser(source))
    refuse_other_scheme(source, field, path, ImageError)
    try:
        raw = read_regular_file(path, READ_MAX_BYTES)
    except FileNotFoundError:
        raise ImageError(field, f"no file at {str(path)!r}") from None
    except NotARegularFile as exc:
        if exc.is_folder:
            raise ImageError(field, f"{str(path)!r} is a folder, not an image file") from None
        raise ImageError(
            field, f"{str(path)!r} is {exc.kind}, not an image file; give a JPEG or PNG file"
        ) from None
    except FileTooLarge as exc:
        raise ImageError(
            field,
            f"{str(path)!r} is {exc.shown}; an input image may be at most "
            f"{_mb(READ_MAX_BYTES)} before conversion (the service takes "
            f"{_mb(catalog.IMAGE_MAX_BYTES)})",
        ) from None
    except OSError as exc:
        raise ImageError(field, f"cannot read {str(path)!r}: {exc.strerror or exc}") from None
    return preflight_bytes(raw, source=source, field=field)


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
            image = PreparedImage(
                source=image.source,
                url=None,
                data=image.data,
                sha256=image.sha256,
                width=image.width,
                height=image.height,
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
