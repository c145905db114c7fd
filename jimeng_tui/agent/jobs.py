"""The one place the agent server turns a :class:`VideoInput` into a job row.

Every request the server builds and every job it creates goes through here, so that the
service seam (issue 14: ``build_request`` taking a ``VideoInput`` and returning a
``BuiltRequest`` that ``Runner.create`` takes) changes this module only. Today it adapts the
service-neutral input to Jimeng 3.0's ``RequestFields``. Once the seam lands, ``make_job`` is
``built = build_request(fields, base_dir=base_dir)``, ``engine.runner.create(built, meta=meta)``
(``_request_fields`` goes), and ``make_rerun`` rebuilds through the job's service's codec
(``codec.from_params(job.params)``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jimeng_tui.domain.errors import ValidationError
from jimeng_tui.domain.job import Job
from jimeng_tui.domain.meta import JobMeta
from jimeng_tui.domain.request import VideoInput
from jimeng_tui.jobs.request_builder import RequestFields, build_request, rerun_request
from jimeng_tui.services import registry

if TYPE_CHECKING:
    from jimeng_tui.jobs.engine import Engine


@dataclass(frozen=True)
class NewJob:
    job: Job
    notes: tuple[str, ...]  # what the user should know about the request (a long prompt, ...)


def default_model(engine: Engine) -> str:
    """The model a request without one gets: the configured default."""
    defaults = engine.loaded.config.defaults
    return defaults.model or defaults.mode


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
    if fields.reference_images:
        raise ValidationError(fields.image_fields[2], f"{model_id} takes no reference images")
    chosen = {k: v for k, v in given.items() if v is not None}
    return RequestFields(**chosen, image_fields=fields.image_fields[:2])


async def make_job(engine: Engine, fields: VideoInput, base_dir: Path, *, meta: JobMeta) -> NewJob:
    """Check ``fields`` and its images, then write the job row (queued, claimed by this process).

    ValidationError (ImageError included) before anything is written or sent.
    """
    caps, model = registry.find_model(fields.model)
    served = engine.service.capabilities()
    if caps.service != served.service:  # until the engine drives every registered service
        raise ValidationError(
            "model",
            f"{model.id} is a {caps.label} model; this version's engine drives "
            f"{served.label} models only",
            tuple(m.id for m in served.models),
        )
    meta.service = caps.service
    built = build_request(_request_fields(fields, model.id), base_dir=base_dir)
    job = await engine.runner.create(built.request, meta=meta)
    return NewJob(job, built.notes)


async def make_rerun(engine: Engine, past: Job, *, meta: JobMeta) -> Job:
    """A new job with a past job's stored request (a new, paid generation)."""
    try:
        request = rerun_request(past)
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            "job_id", f"job {past.id}'s stored parameters no longer make a request ({exc})"
        ) from exc
    return await engine.runner.create(request, meta=meta)


__all__ = ["NewJob", "default_model", "make_job", "make_rerun"]
