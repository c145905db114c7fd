"""The one place a storyboard builds a shot's request and makes its job row.

Every check, preflight and job creation of ``jimeng_tui.story`` goes through here, so that the
service seam (issue 14: ``build_request`` taking a ``VideoInput`` and returning a
``BuiltRequest`` that ``Runner.create`` takes; one service per name in the engine) changes this
module only. Today it adapts the service-neutral input to Jimeng 3.0's ``RequestFields`` (a
service with its own codec, Ark, is checked by that codec) and the engine drives one service.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from jimeng_tui.domain.errors import ValidationError
from jimeng_tui.domain.job import Job
from jimeng_tui.domain.meta import JobMeta
from jimeng_tui.domain.request import VideoInput
from jimeng_tui.jobs.request_builder import RequestFields, build_request
from jimeng_tui.services import registry

if TYPE_CHECKING:
    from jimeng_tui.jobs.engine import Engine


def _request_fields(fields: VideoInput, model_id: str) -> RequestFields:
    given: dict[str, Any] = {
        "prompt": fields.prompt,
        "mode": model_id,
        "duration": fields.duration,
        "fps": fields.fps,
        "aspect_ratio": fields.ratio,
        "first_image": fields.first_image,
        "last_image": fields.last_image,
        "camera_template": fields.options.get("camera_template"),
        "camera_strength": fields.options.get("camera_strength"),
        "seed": fields.seed,
    }
    unknown = sorted(set(fields.options) - {"camera_template", "camera_strength"})
    if unknown:
        raise ValidationError("options", f"{model_id} takes no option {unknown[0]!r}")
    chosen = {k: v for k, v in given.items() if v is not None}
    return RequestFields(**chosen, image_fields=fields.image_fields[:2])


def check_shot(fields: VideoInput, base_dir: Path) -> int:
    """The service's own checks of a shot's request (no image is read); ValidationError.
    Returns the shot's length in seconds (the model's default when none was given)."""
    caps, model = registry.find_model(fields.model)
    try:
        codec = registry.codec(caps.service)
    except ValidationError:
        codec = None
    if codec is not None:
        return codec.build(fields, base_dir=base_dir).summary.duration_s
    return build_request(_request_fields(fields, model.id), base_dir=base_dir).request.duration


def served(engine: Engine, fields: VideoInput) -> None:
    """ValidationError when the engine cannot drive the shot's model (until it drives every
    registered service)."""
    caps, model = registry.find_model(fields.model)
    engine_caps = engine.service.capabilities()
    if caps.service != engine_caps.service:
        raise ValidationError(
            "model",
            f"{model.id} is a {caps.label} model; this version's engine drives "
            f"{engine_caps.label} models only",
            tuple(m.id for m in engine_caps.models),
        )


async def preflight_shot(engine: Engine, fields: VideoInput, base_dir: Path) -> None:
    """Read and check the shot's images as its submit will; ValidationError, nothing written."""
    served(engine, fields)
    _caps, model = registry.find_model(fields.model)
    built = build_request(_request_fields(fields, model.id), base_dir=base_dir)
    await engine.service.build_body(built.request)


async def make_shot_job(engine: Engine, fields: VideoInput, base_dir: Path, meta: JobMeta) -> Job:
    """Check the shot and its images, then write its job row (queued, claimed by this process).
    ValidationError (ImageError included) before anything is written or sent."""
    served(engine, fields)
    caps, model = registry.find_model(fields.model)
    meta.service = caps.service
    built = build_request(_request_fields(fields, model.id), base_dir=base_dir)
    return await engine.runner.create(built.request, meta=meta)


__all__ = ["check_shot", "make_shot_job", "preflight_shot", "served"]
