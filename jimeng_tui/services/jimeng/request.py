"""What the user asks for, checked against the catalog, and the exact submit body it becomes."""

from __future__ import annotations

import base64
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from jimeng_tui.domain.capabilities import ModelCaps
from jimeng_tui.domain.errors import ValidationError
from jimeng_tui.services.images import (
    PreparedImage,
    check_url,
    image_source,
    is_url,
    refuse_other_scheme,
)
from jimeng_tui.services.jimeng import catalog
from jimeng_tui.services.jimeng.capabilities import JIMENG_CAPS

__all__ = [
    "GenerationRequest",
    "PreparedImage",
    "build_submit_body",
    "check_url",
    "image_source",
    "is_url",
    "redact_body",
    "refuse_other_scheme",
    "resolve_request",
]


@dataclass(frozen=True)
class GenerationRequest:
    """User choices. Image fields hold a path or a URL; the bytes are read by ``images.py``."""

    prompt: str = ""
    mode: str = catalog.DEFAULT_MODE
    duration: int = catalog.DEFAULT_DURATION
    fps: int = catalog.DEFAULT_FPS
    aspect_ratio: str | None = None  # None → the service default where the mode takes one
    first_image: str | None = None
    last_image: str | None = None
    camera_template: str | None = None
    camera_strength: str | None = None
    seed: int = catalog.SEED_RANDOM

    @property
    def mode_info(self) -> catalog.Mode:
        return catalog.MODES[self.mode]

    @property
    def images(self) -> list[str]:
        return [s for s in (self.first_image, self.last_image) if s]

    @property
    def frames(self) -> int:
        return catalog.native_frames_for(self.duration)

    @property
    def native_duration(self) -> int:
        return catalog.native_seconds(self.frames)

    @property
    def needs_conform(self) -> bool:
        return self._model_caps.needs_conform(self.duration, self.fps)

    @property
    def conform_note(self) -> str | None:
        """A sentence for the user when the file will be changed locally, else None."""
        return self._model_caps.conform_note(self.duration, self.fps)

    @property
    def _model_caps(self) -> ModelCaps:
        return JIMENG_CAPS.model(self.mode)

    @property
    def sends_aspect_ratio(self) -> bool:
        return self.mode_info.takes_aspect_ratio(len(self.images))

    def validate(self) -> None:
        """Raise ValidationError naming the first field that is wrong, with the allowed values."""
        if self.mode not in catalog.MODES:
            raise ValidationError("mode", f"unknown mode {self.mode!r}", catalog.MODE_NAMES)
        mode = self.mode_info
        if self.duration not in catalog.DURATIONS:
            raise ValidationError(
                "duration", f"{self.duration} s is not offered", tuple(catalog.DURATIONS)
            )
        if self.fps not in catalog.FPS_CHOICES:
            raise ValidationError("fps", f"{self.fps} fps is not offered", catalog.FPS_CHOICES)
        if self.last_image and not self.first_image:
            raise ValidationError("first_image", "a last frame needs a first frame too")
        count = len(self.images)
        if count < mode.min_images or count > mode.max_images:
            given = {0: "no image", 1: "one image", 2: "two images"}[count]
            field = "last_image" if count > mode.max_images and count == 2 else "first_image"
            raise ValidationError(
                field,
                f"mode {mode.name} takes {mode.image_rule}, but {given} "
                f"{'were' if count > 1 else 'was'} given",
            )
        prompt = self.prompt.strip()
        if not prompt and mode.prompt_required(count):
            raise ValidationError("prompt", f"mode {mode.name} needs a prompt")
        if len(self.prompt) > catalog.PROMPT_MAX_CHARS:
            raise ValidationError(
                "prompt",
                f"{len(self.prompt)} characters; the service accepts at most "
                f"{catalog.PROMPT_MAX_CHARS}",
            )
        if self.aspect_ratio is not None:
            if self.aspect_ratio not in catalog.ASPECT_RATIOS:
                raise ValidationError(
                    "aspect_ratio", f"{self.aspect_ratio!r} is not offered", catalog.ASPECT_RATIOS
                )
            if not self.sends_aspect_ratio:
                why = (
                    "with a first frame the service picks the ratio from the image"
                    if mode.aspect is catalog.AspectRule.WITHOUT_IMAGE
                    else "the ratio comes from the image"
                )
                raise ValidationError(
                    "aspect_ratio", f"mode {mode.name} takes no aspect ratio: {why}"
                )
        if mode.camera:
            for name, value, choices in (
                ("camera_template", self.camera_template, catalog.CAMERA_TEMPLATES),
                ("camera_strength", self.camera_strength, catalog.CAMERA_STRENGTHS),
            ):
                if value not in choices:
                    raise ValidationError(
                        name,
                        f"mode {mode.name} needs a {name.replace('_', ' ')}"
                        + (f", not {value!r}" if value else ""),
                        choices,
                    )
        else:
            for name in ("camera_template", "camera_strength"):
                if getattr(self, name):
                    raise ValidationError(
                        name, f"only mode i2v_recamera_720p takes a camera move, not {mode.name}"
                    )
        if self.seed != catalog.SEED_RANDOM and not 0 <= self.seed <= catalog.SEED_MAX:
            raise ValidationError(
                "seed", f"{self.seed} is out of range: use -1 (random) or 0..{catalog.SEED_MAX}"
            )

    def to_params(self) -> dict[str, Any]:
        """JSON-able form for the history and sidecars (image sources, never image data)."""
        return asdict(self)

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> GenerationRequest:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in params.items() if k in known})


def resolve_request(
    request: GenerationRequest,
    *,
    image_fields: tuple[str, str] = ("first_image", "last_image"),
    image_base: Path | None = None,
) -> GenerationRequest:
    """``request`` (the values of ``generate``'s options or a batch line) validated: image
    paths resolved (see :func:`image_source`; errors name ``image_fields``), the camera
    strength defaulted for the camera mode. Raises ValidationError naming the field."""
    mode_info = catalog.MODES.get(request.mode)
    strength = request.camera_strength
    if mode_info is not None and mode_info.camera and strength is None:
        strength = catalog.DEFAULT_CAMERA_STRENGTH
    request = replace(
        request,
        first_image=image_source(request.first_image, field=image_fields[0], base=image_base),
        last_image=image_source(request.last_image, field=image_fields[1], base=image_base),
        camera_strength=strength,
    )
    request.validate()
    return request


def build_submit_body(
    request: GenerationRequest, images: list[PreparedImage] | None = None
) -> dict[str, Any]:
    """The exact JSON body of CVSync2AsyncSubmitTask for a validated request.

    ``images`` are the preflighted inputs (first, then last). All URLs → ``image_urls``; otherwise
    every image goes as ``binary_data_base64`` (``images.py`` fetches URLs when the two are mixed).
    """
    request.validate()
    mode = request.mode_info
    body: dict[str, Any] = {"req_key": mode.req_key}
    if request.prompt.strip():
        body["prompt"] = request.prompt
    body["seed"] = request.seed
    body["frames"] = request.frames
    if request.sends_aspect_ratio:
        body["aspect_ratio"] = request.aspect_ratio or catalog.DEFAULT_ASPECT_RATIO
    images = images or []
    if len(images) != len(request.images):
        raise ValueError("build_submit_body needs one prepared image per image input")
    if images:
        if all(img.data is None for img in images):
            body["image_urls"] = [img.url for img in images]
        else:
            if any(img.data is None for img in images):
                raise ValueError("mixed URL and file images must all be prepared as data")
            body["binary_data_base64"] = [
                base64.b64encode(img.data).decode("ascii") for img in images if img.data
            ]
    if mode.camera:
        body["template_id"] = request.camera_template
        body["camera_strength"] = request.camera_strength
    return body


def redact_body(body: dict[str, Any]) -> dict[str, Any]:
    """The body without image data, for logs, history and sidecars."""
    clean = dict(body)
    if "binary_data_base64" in clean:
        clean["binary_data_base64"] = [
            f"<{len(b) * 3 // 4} bytes>" for b in clean["binary_data_base64"]
        ]
    return clean
