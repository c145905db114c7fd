"""The service's own last frame of a finished task (Seedance's ``return_last_frame``), saved as
``<video stem>.last.png`` beside the video: what the next shot of a chain starts on.

The video is what was paid for; a last frame that cannot be fetched is said, never a reason to
fail the job (its link lives as long as the video's: ``jimeng-tui history`` can fetch again).
"""

from __future__ import annotations

import io
from pathlib import Path

import httpx

from jimeng_tui.jobs.media import save_png

SUFFIX = ".last.png"
MAX_BYTES = 64 * 1024 * 1024


class LastFrameUnavailable(Exception):
    """The frame could not be fetched or is not an image (the message says which)."""


def last_frame_path(video: Path) -> Path:
    return video.with_name(video.stem + SUFFIX)


def save_last_frame(url: str, video: Path, http: httpx.Client) -> Path:
    """Fetch ``url`` and save it as PNG beside ``video``; returns where. Blocking."""
    from PIL import Image

    try:
        answer = http.get(url)
    except httpx.HTTPError as exc:
        raise LastFrameUnavailable(f"the download failed: {exc}") from exc
    if answer.status_code != 200:
        raise LastFrameUnavailable(f"the service answered HTTP {answer.status_code}")
    data = answer.content
    if len(data) > MAX_BYTES:
        raise LastFrameUnavailable(f"the file is too large ({len(data)} bytes)")
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            rgb = image if image.mode in ("RGB", "RGBA", "L") else image.convert("RGB")
            dest = save_png(rgb, last_frame_path(video))
    except (OSError, ValueError) as exc:  # not an image, cut short, or not writable here
        raise LastFrameUnavailable(f"it could not be saved as an image ({exc})") from exc
    return dest
