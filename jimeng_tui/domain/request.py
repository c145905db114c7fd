"""What a user asks for, in words every service understands (before any service checks it).

The form, ``generate``, ``batch``, the agent server and re-run all hand a :class:`VideoInput`
to ``jobs.request_builder.build_request``; the service that owns ``model`` (found through the
registry) turns it into its own validated request and the JSON the job stores. Nothing here
knows one service: a service-specific field travels in ``options`` under its ``Option.name``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

OptionValue = str | int | bool

# The faces' flat names (generate's options, the agent's parameters) → VideoInput's fields; the
# other flat names are the fields' own (prompt, duration, fps, resolution, seed, ...).
FLAT_NAMES = {
    "aspect_ratio": "ratio",
    "image": "first_image",
    "tail_image": "last_image",
    "reference_image": "reference_images",
}


@dataclass(frozen=True)
class VideoInput:
    """The user's input. ``None`` (or empty) means "not given": the model's default applies."""

    prompt: str = ""
    model: str = ""  # a model id or alias of any registered service; "" = the default model
    duration: int | None = None  # seconds
    fps: int | None = None
    ratio: str | None = None  # "16:9", "adaptive", ...
    resolution: str | None = None  # "720p", ...
    first_image: str | None = None  # a path (relative to the builder's base_dir) or a URL
    last_image: str | None = None
    reference_images: tuple[str, ...] = ()
    seed: int | None = None
    # service-specific fields by Option.name: camera_template, camera_strength, camera_fixed,
    # generate_audio, watermark, return_last_frame, draft, service_tier, ...
    options: Mapping[str, OptionValue] = field(default_factory=dict)
    # the names an image error is reported under (generate's options: --image, --tail-image,
    # --reference-image; a batch line's keys; the form's fields)
    image_fields: tuple[str, str, str] = ("first_image", "last_image", "reference_image")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], **chosen: Any) -> VideoInput:
        """The input from a flat mapping of a face's names (``FLAT_NAMES``: ``aspect_ratio``,
        ``image``, ``tail_image``, ``reference_image``, or the fields' own names); a ``None``
        value is "not given", other keys are left out; ``chosen`` sets fields as they are
        (the model a face resolved, its options, its image field names)."""
        known = {f.name for f in fields(cls)}
        given = {
            FLAT_NAMES.get(key, key): value
            for key, value in values.items()
            if value is not None and FLAT_NAMES.get(key, key) in known
        }
        given["reference_images"] = tuple(given.get("reference_images") or ())
        return cls(**(given | chosen))


__all__ = ["FLAT_NAMES", "OptionValue", "VideoInput"]
