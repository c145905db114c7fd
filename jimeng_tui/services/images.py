"""Image inputs every service shares: what counts as a URL, and an image made ready to send.

Kept apart from any one service (and from a service's request module) so that a request and its
image preflight do not import each other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from jimeng_tui.domain.errors import ValidationError

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
