"""File names for saved videos (DESIGN.md, "Files on disk").

Names are safe on Linux, macOS and Windows: no characters Windows forbids, no control characters,
no leading or trailing dots and spaces, no reserved device names (CON, NUL, COM1, ...), and short
enough to leave room for suffixes such as ``.source.mp4.part`` within the 255-byte limit.
Letters of every script are kept (a Chinese prompt gives a Chinese slug).
"""

from __future__ import annotations

import re
import string
import time
import unicodedata
from pathlib import Path

from jimeng_tui.domain.errors import ValidationError

SLUG_MAX_BYTES = 120
FILENAME_MAX_BYTES = 200
FALLBACK = "untitled"

PLACEHOLDERS: tuple[str, ...] = ("date", "time", "slug", "task_id", "mode", "job_id", "seed")

_ILLEGAL = re.compile(r'[<>:"/\\|?*]')
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_WORD = re.compile(r"[^\W_]+")  # runs of letters and digits, in any script
_SPACES = re.compile(r"\s+")
_EDGE = " .-_"
_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"{dev}{n}" for dev in ("com", "lpt") for n in [*"123456789", "¹", "²", "³"]}
)


def _cut_bytes(text: str, max_bytes: int) -> str:
    """The longest prefix of ``text`` whose UTF-8 form fits in ``max_bytes``."""
    if len(text.encode("utf-8")) <= max_bytes:
        return text
    out = text.encode("utf-8")[:max_bytes].decode("utf-8", errors="ignore")
    # Do not leave a combining mark without its base, or half of a ZWJ sequence.
    while out and unicodedata.combining(out[-1]):
        out = out[:-1]
    return out


def _cut_at_word(text: str, max_len: int, sep: str = "-") -> str:
    """Cut to ``max_len`` characters, at the last separator when that keeps at least half."""
    if len(text) <= max_len:
        return text
    cut = text[:max_len]
    if text[max_len] != sep:
        boundary = cut.rfind(sep)
        if boundary >= max_len // 2:
            cut = cut[:boundary]
    return cut


def sanitize(name: str, *, max_bytes: int = FILENAME_MAX_BYTES) -> str:
    """``name`` made safe as a file name on every OS (no folder parts, never empty)."""
    name = unicodedata.normalize("NFC", name)
    name = _SPACES.sub(" ", name)  # tabs and newlines become spaces
    name = _CONTROL.sub("", name)
    name = _ILLEGAL.sub(" ", name)  # "a/b" → "a b", not "ab"
    name = _SPACES.sub(" ", name)
    name = _cut_bytes(name.strip(_EDGE), max_bytes).strip(_EDGE)
    if not name:
        return FALLBACK
    # Windows refuses "CON", "con.txt", "Nul .mp4"...: the part before the first dot counts.
    base, dot, rest = name.partition(".")
    if base.rstrip(" ").lower() in _RESERVED:
        name = f"{base.rstrip(' ')}_{dot}{rest}"
    return name


def slugify(text: str, max_len: int = 48) -> str:
    """A short file-name-safe form of ``text``: lowercase words joined by ``-``.

    Letters of every script are kept ("一只猫 in the rain" → "一只猫-in-the-rain"); punctuation,
    emoji and characters Windows forbids separate words. Cut at a word boundary to ``max_len``
    characters when possible, and to at most 120 UTF-8 bytes. Never empty ("untitled").
    """
    text = unicodedata.normalize("NFKC", text).lower()
    slug = "-".join(_WORD.findall(text))
    slug = _cut_at_word(slug, max(1, max_len))
    slug = _cut_bytes(slug, SLUG_MAX_BYTES).strip(_EDGE)
    return sanitize(slug, max_bytes=SLUG_MAX_BYTES)


def render_filename(
    template: str,
    *,
    prompt: str,
    task_id: str | None,
    mode: str,
    job_id: int | None,
    created_at: float,
    seed: int,
) -> str:
    """The file name (without extension) for a job, from a template such as
    ``{date}_{slug}_{task_id}``. Placeholders: {date} (YYYY-mm-dd), {time} (HHMMSS), {slug},
    {task_id} ("pending" before submission), {mode}, {job_id}, {seed}.
    Raises :class:`ValidationError` for an unknown placeholder or a malformed template.
    """
    allowed = tuple(f"{{{p}}}" for p in PLACEHOLDERS)
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError as exc:
        raise ValidationError(
            "filename_template", f"{template!r} is not a valid template ({exc})", allowed
        ) from exc
    for field in fields:
        if field not in PLACEHOLDERS:
            shown = f"{{{field}}}" if field else "{}"
            raise ValidationError(
                "filename_template", f"unknown placeholder {shown} in {template!r}", allowed
            )
    local = time.localtime(created_at)
    values = {
        "date": time.strftime("%Y-%m-%d", local),
        "time": time.strftime("%H%M%S", local),
        "slug": slugify(prompt),
        "task_id": task_id or "pending",
        "mode": mode,
        "job_id": "new" if job_id is None else str(job_id),
        "seed": str(seed),
    }
    try:
        name = template.format(**values)
    except (ValueError, KeyError, IndexError) as exc:
        raise ValidationError(
            "filename_template", f"{template!r} is not a valid template ({exc})", allowed
        ) from exc
    return sanitize(name)


def unique_path(
    folder: Path, stem: str, suffix: str = ".mp4", *, also: tuple[str, ...] = ()
) -> Path:
    """``folder/stem+suffix``, or ``stem-2``, ``stem-3``... so that no existing file is named.

    ``also`` lists further suffixes that must be free for the same stem (e.g. ``(".json",)``
    so that a new video never inherits an old sidecar).
    """
    folder = Path(folder)

    def free(candidate: str) -> bool:
        for sfx in (suffix, *also):
            p = folder / f"{candidate}{sfx}"
            if p.exists() or p.is_symlink():
                return False
        return True

    if free(stem):
        return folder / f"{stem}{suffix}"
    n = 2
    while True:
        candidate = f"{stem}-{n}"
        if free(candidate):
            return folder / f"{candidate}{suffix}"
        n += 1
