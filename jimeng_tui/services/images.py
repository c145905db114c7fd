"""Image inputs every service shares: what counts as a URL, and an image made ready to send.

Kept apart from any one service (and from a service's request module) so that a request and its
image preflight do not import each other.

The preflight (``prepare_image`` / ``preflight_bytes``) checks an image against a service's
``ImageLimits``: a local file that already fits is sent byte for byte; anything else Pillow reads
is converted, turned upright (EXIF orientation) or scaled down, with a notice saying what
changed. The user's file is only ever read. ``data_url`` gives the ``data:image/<fmt>;base64,…``
form (lowercase format) services such as Ark take.
"""

from __future__ import annotations

import base64
import hashlib
import io
import math
import os
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from jimeng_tui.domain.capabilities import ImageLimits
from jimeng_tui.domain.errors import ValidationError
from jimeng_tui.localfiles import FileTooLarge, NotARegularFile, read_regular_file
from jimeng_tui.services.base import WireBody

if TYPE_CHECKING:
    from PIL import Image

ImageErrorType = type[ValidationError]

# A local image is refused past this size, unread: `--image /dev/zero` or a 20 GB file must not
# fill the memory.
READ_MAX_BYTES = 64_000_000
# Pixels decoded at most (Pillow's own limit is lower, ~89 million, ~270 MB as RGB): room for
# camera photos.
MAX_PIXELS = 8 * 4096 * 4096
ORIENTATION_TAG = 0x0112
JPEG_QUALITIES = (92, 85, 78, 70)
FORMAT_NAMES = {"WEBP": "WebP", "TIFF": "TIFF", "BMP": "BMP", "GIF": "GIF", "MPO": "MPO (JPEG)"}
# Leading bytes → the lowercase format word a data URL carries.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "png"),
    (b"\xff\xd8", "jpeg"),
    (b"GIF8", "gif"),
    (b"BM", "bmp"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
)

# "ftp:", "file:", "data:", "s3:"… at the start of an image input. Two letters at least, so
# that a Windows drive ("C:") is not taken for a scheme.
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):")


def is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def check_url(source: str, field: str, error: type[ValidationError] = ValidationError) -> None:
    """An http(s) URL the service can fetch: it needs a host (``https:///a.jpg`` has none)."""
    parts = urlsplit(source)
    if not parts.hostname or any(c.isspace() for c in source):
        raise error(
            field, f"{source!r} is not a valid URL (it needs a host: https://example.com/a.jpg)"
        )


def refuse_other_scheme(
    value: str,
    field: str,
    path: Path | None = None,
    error: type[ValidationError] = ValidationError,
) -> None:
    """Refuse ``ftp://…``, ``file:…``, ``data:…`` and the like as what they are (not as a
    missing file), unless a local file of that very name exists (``path``)."""
    found = _SCHEME.match(value)
    if found is None or (path is not None and (path.exists() or path.is_symlink())):
        return
    scheme = found.group(1).lower()
    if scheme in ("http", "https"):
        raise error(field, f"{value!r} is not a valid URL: write {scheme}://host/path")
    raise error(
        field,
        f"{value!r} is a {scheme}: URL; only http(s) URLs or local files are accepted "
        "(download it first, or give an https:// link)",
    )


@dataclass(frozen=True)
class PreparedImage:
    source: str  # as the user gave it (path or URL)
    url: str | None  # set when the image is sent as a URL
    data: bytes | None  # JPEG/PNG bytes to send as data (None for URL)
    sha256: str  # of the bytes sent (of the URL string for URLs)
    width: int | None
    height: int | None
    notices: tuple[str, ...] = ()

    @property
    def format(self) -> str | None:
        """ "JPEG" or "PNG" for data, None for a URL."""
        if self.data is None:
            return None
        return "PNG" if self.data.startswith(b"\x89PNG") else "JPEG"

    def __repr__(self) -> str:  # keep megabytes of image data out of logs and tracebacks
        size = f"{len(self.data)} bytes" if self.data is not None else None
        return (
            f"PreparedImage(source={self.source!r}, url={self.url!r}, data={size}, "
            f"width={self.width}, height={self.height}, notices={self.notices!r})"
        )


def body_with_images(
    body: dict[str, object], images: list[PreparedImage], redacted: dict[str, object]
) -> WireBody:
    """A built body with the hashes and notices of the images it carries."""
    return WireBody(
        body,
        image_hashes=[image.sha256 for image in images],
        notices=[notice for image in images for notice in image.notices],
        redacted=redacted,
    )


def image_format(data: bytes) -> str:
    """The lowercase format word of encoded image bytes ("jpeg", "png", "webp", …)."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return name
    raise ValueError("not a JPEG, PNG, WebP, GIF, BMP or TIFF image")


def data_url(image: PreparedImage) -> str:
    """``data:image/<fmt>;base64,<data>`` with the format in lowercase (Ark refuses uppercase)."""
    if image.data is None:
        raise ValueError("a URL image has no data to send as a data URL")
    encoded = base64.b64encode(image.data).decode("ascii")
    return f"data:image/{image_format(image.data)};base64,{encoded}"


def _max_ratio(limits: ImageLimits) -> float:
    """Long side / short side at most (the limits' W/H range, either way round)."""
    return max(limits.max_ratio, 1 / limits.min_ratio)


def _formats(limits: ImageLimits) -> frozenset[str]:
    """The accepted formats as Pillow names them ("JPEG", "PNG", "WEBP", …)."""
    return frozenset(f.upper() for f in limits.formats)


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB"


def _size(w: int, h: int) -> str:
    return f"{w}×{h}"


def _has_alpha(img: Image.Image) -> bool:
    return img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)


def _check_shape(
    width: int, height: int, field: str, what: str, limits: ImageLimits, error: ImageErrorType
) -> None:
    short, long = min(width, height), max(width, height)
    if short < limits.min_side:
        raise error(
            field,
            f"{what} is {_size(width, height)}; its shortest side ({short} px) is under the "
            f"{limits.min_side} px the service needs",
        )
    if long / short > _max_ratio(limits):
        raise error(
            field,
            f"{what} is {_size(width, height)}, {long / short:.2f} times as "
            f"{'wide as it is tall' if width > height else 'tall as it is wide'}; "
            f"the service accepts at most {_max_ratio(limits):g}:1",
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


def _fit_bytes(
    img: Image.Image, fmt: str, field: str, what: str, limits: ImageLimits, error: ImageErrorType
) -> tuple[bytes, Image.Image, str]:
    """Encode ``img`` as ``fmt`` within ``limits.max_bytes``: lower JPEG quality, then scale down.

    Returns (bytes, the image encoded, the format used). A PNG without transparency that
    cannot fit becomes a JPEG (photos do not fit as PNG); one with transparency is scaled.
    """
    limit = limits.max_bytes
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
        if min(smaller.size) < limits.min_side:
            break
        current = smaller
    raise error(
        field,
        f"{what} cannot be made smaller than {_mb(limits.max_bytes)} without its "
        f"shortest side going under {limits.min_side} px; use a smaller image",
    )


def _check_pixels(
    size: tuple[int, int], field: str, what: str, limits: ImageLimits, error: ImageErrorType
) -> None:
    """Refuse before decoding what would take hundreds of MB (a small file can claim
    100000×100000 px): Pillow only warns below twice its limit."""
    from PIL import Image

    cap = min(Image.MAX_IMAGE_PIXELS or MAX_PIXELS, MAX_PIXELS)
    width, height = size
    if width * height > cap:
        raise error(
            field,
            f"{what} is {_size(width, height)} ({width * height / 1e6:.0f} million pixels); "
            f"at most {cap / 1e6:.0f} million can be converted (the service takes "
            f"{limits.max_side}×{limits.max_side}); scale it down first",
        )


def preflight_bytes(
    raw: bytes,
    *,
    source: str,
    limits: ImageLimits,
    field: str = "first_image",
    error: ImageErrorType = ValidationError,
) -> PreparedImage:
    """Check and, where needed, convert image bytes; ``source`` is only used in messages."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    what = f"{source!r}"
    if not raw:
        raise error(field, f"{what} is empty (0 bytes), not an image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img: Image.Image = Image.open(io.BytesIO(raw))
            original_format = img.format or "unknown"
            shown_format = FORMAT_NAMES.get(original_format, original_format)
            _check_pixels(img.size, field, what, limits, error)
            img.load()
    except UnidentifiedImageError:
        raise error(
            field, f"{what} is not an image that can be read (JPEG, PNG, WebP, …)"
        ) from None
    except Image.DecompressionBombError:
        raise error(field, f"{what} has too many pixels to open safely") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise error(field, f"{what} is damaged or truncated ({exc})") from None

    notices: list[str] = []
    changed = False
    if getattr(img, "n_frames", 1) > 1 and original_format not in _formats(limits):
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
    _check_shape(width, height, field, f"{what} ({shown_format})", limits, error)

    if original_format in _formats(limits):
        target = original_format
    else:
        target = "PNG" if _has_alpha(img) else "JPEG"
        changed = True
        notices.append(f"converted {shown_format} to {target}")

    if max(width, height) > limits.max_side:
        factor = limits.max_side / max(width, height)
        new_size = (
            min(limits.max_side, max(1, round(width * factor))),
            min(limits.max_side, max(1, round(height * factor))),
        )
        img = img.resize(new_size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        changed = True
        notices.append(
            f"downscaled {_size(width, height)} → {_size(*new_size)} "
            f"(the service takes at most {limits.max_side} px a side)"
        )

    if not changed and len(raw) <= limits.max_bytes:
        return PreparedImage(
            source=source,
            url=None,
            data=raw,
            sha256=hashlib.sha256(raw).hexdigest(),
            width=width,
            height=height,
            notices=tuple(notices),
        )

    if target not in ("JPEG", "PNG"):  # re-encoding writes JPEG or PNG only
        target = "PNG" if _has_alpha(img) else "JPEG"
        notices.append(f"converted {shown_format} to {target}")
    before_size = img.size
    data, final, fmt = _fit_bytes(img, target, field, what, limits, error)
    if fmt != target:
        notices.append(f"re-encoded as {fmt}: as {target} it would not fit the size limit")
    if final.size != before_size:
        notices.append(
            f"downscaled {_size(*before_size)} → {_size(*final.size)} to fit "
            f"{_mb(limits.max_bytes)}"
        )
    if len(raw) > limits.max_bytes:
        notices.append(
            f"re-encoded {_mb(len(raw))} → {_mb(len(data))} "
            f"(the service takes at most {_mb(limits.max_bytes)})"
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


def prepare_image(
    source: str,
    *,
    limits: ImageLimits,
    field: str = "first_image",
    error: ImageErrorType = ValidationError,
) -> PreparedImage:
    """Preflight one image (blocking). A URL is checked for its scheme only, not fetched.

    A local path is read only when it is a regular file of at most ``READ_MAX_BYTES``: a
    device (``/dev/zero``), a named pipe or a folder is refused without reading it.
    """
    source = source.strip()
    if not source:
        raise error(field, "no image given")
    if is_url(source):
        check_url(source, field, error)
        return _url_image(source, field)
    path = Path(os.path.expanduser(source))
    refuse_other_scheme(source, field, path, error)
    try:
        raw = read_regular_file(path, READ_MAX_BYTES)
    except FileNotFoundError:
        raise error(field, f"no file at {str(path)!r}") from None
    except NotARegularFile as exc:
        if exc.is_folder:
            raise error(field, f"{str(path)!r} is a folder, not an image file") from None
        raise error(
            field, f"{str(path)!r} is {exc.kind}, not an image file; give a JPEG or PNG file"
        ) from None
    except FileTooLarge as exc:
        raise error(
            field,
            f"{str(path)!r} is {exc.shown}; an input image may be at most "
            f"{_mb(READ_MAX_BYTES)} before conversion (the service takes "
            f"{_mb(limits.max_bytes)})",
        ) from None
    except OSError as exc:
        raise error(field, f"cannot read {str(path)!r}: {exc.strerror or exc}") from None
    return preflight_bytes(raw, source=source, limits=limits, field=field, error=error)


def image_source(value: str | None, *, field: str, base: Path | None = None) -> str | None:
    """An image input as the user gave it → what a job keeps: a URL as it is (checked), a local
    path made absolute (``~`` expanded; a relative path taken from ``base``, default the working
    folder), so that the job can be resumed from anywhere. No bytes are read."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        raise ValidationError(field, "an empty image path was given")
    if is_url(value):
        check_url(value, field)
        return value
    path = Path(value).expanduser()
    if base is not None and not path.is_absolute():
        path = base / path
    refuse_other_scheme(value, field, path)
    return str(path.absolute())
