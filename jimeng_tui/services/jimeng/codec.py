"""Jimeng 3.0's request builder behind the interface (``RequestCodec``): the service-neutral
:class:`~jimeng_tui.domain.request.VideoInput` → a validated ``GenerationRequest`` and the JSON
the job stores. The model is the mode (``t2v_720p``… or its req_key), ``ratio`` the aspect
ratio, and the camera move travels in ``options`` (``camera_template``, ``camera_strength``).
A field no mode of this service takes (a resolution other than the mode's, reference images,
another service's option) is a ValidationError naming it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from jimeng_tui.domain.errors import ValidationError
from jimeng_tui.domain.request import VideoInput
from jimeng_tui.services.base import BuiltRequest, RequestSummary
from jimeng_tui.services.jimeng import catalog
from jimeng_tui.services.jimeng.capabilities import CAMERA_OPTIONS, JIMENG_CAPS, SERVICE_NAME
from jimeng_tui.services.jimeng.request import GenerationRequest, resolve_request

OPTION_NAMES: tuple[str, ...] = tuple(option.name for option in CAMERA_OPTIONS)


def summarize(request: GenerationRequest) -> RequestSummary:
    """What the engine records of a request (the service's ``summary`` says the same)."""
    return RequestSummary(
        prompt=request.prompt,
        model=request.mode,
        wire_model=request.mode_info.req_key,
        params=request.to_params(),
        duration_s=request.duration,
        fps=request.fps,
    )


def request_notes(request: GenerationRequest) -> tuple[str, ...]:
    notes: list[str] = []
    if len(request.prompt) > catalog.PROMPT_RECOMMENDED_CHARS:
        notes.append(
            f"the prompt has {len(request.prompt)} characters; the service recommends at most "
            f"{catalog.PROMPT_RECOMMENDED_CHARS}"
        )
    return tuple(notes)


def built(request: GenerationRequest) -> BuiltRequest:
    notes = request_notes(request)
    return BuiltRequest(SERVICE_NAME, request.to_params(), summarize(request), notes)


def _option(fields: VideoInput, name: str) -> str | None:
    value = fields.options.get(name)
    if value is None or isinstance(value, str):
        return value
    raise ValidationError(name, f"{value!r} is not one of the names", _choices(name))


def _choices(name: str) -> tuple[str | int, ...]:
    return next(option.choices for option in CAMERA_OPTIONS if option.name == name)


def _refuse_other_fields(fields: VideoInput, mode: str) -> None:
    model = JIMENG_CAPS.model(mode)
    if fields.resolution is not None and fields.resolution not in model.resolutions:
        raise ValidationError(
            "resolution", f"mode {mode} renders {model.resolutions[0]} only", model.resolutions
        )
    if fields.reference_images:
        raise ValidationError(
            fields.image_fields[2],
            f"mode {mode} takes no reference images (Jimeng 3.0 takes a first and a last frame)",
        )
    for name in fields.options:
        if name not in OPTION_NAMES:
            allowed = ", ".join(o.name for o in model.options) or "none"
            raise ValidationError(
                name, f"mode {mode} (Jimeng 3.0) does not take this option (its options: {allowed})"
            )


class JimengCodec:
    """The ``RequestCodec`` of Jimeng 3.0 (registered with it as ``jimeng3``)."""

    def build(self, fields: VideoInput, *, base_dir: Path) -> BuiltRequest:
        mode = JIMENG_CAPS.model(fields.model or catalog.DEFAULT_MODE).id  # a req_key works too
        _refuse_other_fields(fields, mode)
        asked = GenerationRequest(
            prompt=fields.prompt,
            mode=mode,
            duration=catalog.DEFAULT_DURATION if fields.duration is None else fields.duration,
            fps=catalog.DEFAULT_FPS if fields.fps is None else fields.fps,
            aspect_ratio=fields.ratio,
            first_image=fields.first_image,
            last_image=fields.last_image,
            camera_template=_option(fields, "camera_template"),
            camera_strength=_option(fields, "camera_strength"),
            seed=catalog.SEED_RANDOM if fields.seed is None else fields.seed,
        )
        request = resolve_request(
            asked,
            image_fields=(fields.image_fields[0], fields.image_fields[1]),
            image_base=base_dir,
        )
        return built(request)

    def from_params(self, params: Mapping[str, object]) -> BuiltRequest:
        return built(self.request_from_params(params))

    def request_from_params(self, params: Mapping[str, object]) -> GenerationRequest:
        """The service's own request (checked), for callers that still hold one."""
        request = GenerationRequest.from_params(dict(params))
        request.validate()
        return request


JIMENG_CODEC = JimengCodec()

__all__ = ["JIMENG_CODEC", "JimengCodec", "built", "request_notes", "summarize"]
