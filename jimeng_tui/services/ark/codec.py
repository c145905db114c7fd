"""Ark's request builder (``RequestCodec``): a ``VideoInput`` → a checked ``ArkRequest``.

The inputs decide the task kind (no image: text; a first image: first frame; first + last:
first + last frame; reference images: reference mode); defaults come from the model's row;
every value is checked against the model (ValidationError naming the field and the allowed
values). Local image paths are made absolute; no image is read here (``body.py`` does).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from jimeng_tui.domain.errors import ValidationError
from jimeng_tui.domain.request import OptionValue, VideoInput
from jimeng_tui.services.ark import models
from jimeng_tui.services.ark.models import ARK_CAPS, DEFAULT_DURATION, DEFAULT_MODEL, NATIVE_FPS
from jimeng_tui.services.ark.request import (
    ENDPOINT_ID,
    ArkRequest,
    TaskKind,
    check_endpoint,
    model_name,
    refusal,
    task_kind,
)
from jimeng_tui.services.base import BuiltRequest, RequestSummary
from jimeng_tui.services.images import image_source

BOOL_OPTIONS = ("camera_fixed", "generate_audio", "watermark", "draft")


def summary(request: ArkRequest) -> RequestSummary:
    return RequestSummary(
        prompt=request.prompt,
        model=request.model,
        wire_model=request.wire_model,
        params=request.to_params(),
        duration_s=request.duration,
        fps=request.fps,
    )


def notes(request: ArkRequest) -> tuple[str, ...]:
    caps = request.caps
    said: list[str] = []
    if caps.retired:
        said.append(f"{model_name(caps)} is being retired: {caps.retired}")
    conform = caps.conform_note(request.duration, request.fps)
    if conform:
        said.append(conform)
    if request.endpoint:
        said.append(f"sent to your endpoint {request.endpoint} (serving {model_name(caps)})")
    return tuple(said)


def _model(name: str) -> str:
    name = name.strip() or DEFAULT_MODEL
    if name.startswith("ep-") or ENDPOINT_ID.match(name):
        raise ValidationError(
            "model",
            f"{name!r} is an endpoint id: give the model it serves and the endpoint apart, "
            f"e.g. --model {DEFAULT_MODEL} --endpoint {name}",
        )
    return ARK_CAPS.model(name).id


def _options(model_id: str, given: Mapping[str, OptionValue]) -> dict[str, OptionValue]:
    caps = ARK_CAPS.model(model_id)
    offered = {o.name for o in caps.options}
    known = {o.name for m in ARK_CAPS.models for o in m.options}
    checked: dict[str, OptionValue] = {}
    for name, value in given.items():
        if name not in known:
            raise ValidationError(name, "not an option of Seedance models", tuple(sorted(offered)))
        if name not in offered:
            raise ValidationError(name, refusal(caps, name))
        if name in BOOL_OPTIONS and not isinstance(value, bool):
            raise ValidationError(name, f"{value!r} is not on or off", (True, False))
        if name == "endpoint":
            if not isinstance(value, str):
                raise ValidationError(name, f"{value!r} is not an endpoint id")
            value = value.strip()
            if not value:
                continue  # an empty field: no endpoint
            check_endpoint(value)
        checked[name] = value
    return checked


def _bool(options: Mapping[str, OptionValue], name: str) -> bool | None:
    value = options.get(name)
    return value if isinstance(value, bool) else None


class ArkCodec:
    """``RequestCodec`` for the ``ark`` service."""

    def build(self, fields: VideoInput, *, base_dir: Path) -> BuiltRequest:
        model_id = _model(fields.model)
        facts = models.facts(model_id)
        names = fields.image_fields
        first = image_source(fields.first_image, field=names[0], base=base_dir)
        last = image_source(fields.last_image, field=names[1], base=base_dir)
        references = tuple(
            path
            for source in fields.reference_images
            if (path := image_source(source, field=names[2], base=base_dir)) is not None
        )
        kind = task_kind(first, last, references, names)
        options = _options(model_id, fields.options)
        text_like = kind in (TaskKind.TEXT, TaskKind.REFERENCE_IMAGES)
        endpoint = options.get("endpoint")
        request = ArkRequest(
            prompt=fields.prompt,
            model=model_id,
            duration=DEFAULT_DURATION if fields.duration is None else fields.duration,
            fps=NATIVE_FPS if fields.fps is None else fields.fps,
            resolution=fields.resolution or facts.default_resolution,
            ratio=fields.ratio
            or (facts.default_ratio_text if text_like else facts.default_ratio_image),
            first_image=first,
            last_image=last,
            reference_images=references,
            seed=fields.seed,
            endpoint=endpoint if isinstance(endpoint, str) else None,
            camera_fixed=_bool(options, "camera_fixed"),
            generate_audio=_bool(options, "generate_audio"),
            watermark=_bool(options, "watermark"),
            draft=_bool(options, "draft"),
        )
        request.validate(names)
        return self._built(request)

    def from_params(self, params: Mapping[str, object]) -> BuiltRequest:
        request = ArkRequest.from_params(params)
        request.validate()
        return self._built(request)

    @staticmethod
    def _built(request: ArkRequest) -> BuiltRequest:
        return BuiltRequest(
            service=models.SERVICE_NAME,
            params=request.to_params(),
            summary=summary(request),
            notes=notes(request),
        )


ARK_CODEC = ArkCodec()
