"""The one place a storyboard builds a shot's request and makes its job row.

Every check, preflight and job creation of ``jimeng_tui.story`` goes through here: the shot's
service-neutral ``VideoInput`` goes to ``build_request``, which lets the model's service (found
in the registry) check and build it; ``Runner.create`` takes the ``BuiltRequest`` and drives the
job on that service (Jimeng 3.0's modes, Seedance models…).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from jimeng_tui.domain.errors import ValidationError
from jimeng_tui.domain.job import Job
from jimeng_tui.domain.meta import JobMeta
from jimeng_tui.domain.request import VideoInput
from jimeng_tui.jobs.request_builder import build_request
from jimeng_tui.services import registry

if TYPE_CHECKING:
    from jimeng_tui.jobs.engine import Engine


def check_shot(fields: VideoInput, base_dir: Path) -> int:
    """The service's own checks of a shot's request (no image is read); ValidationError.
    Returns the shot's length in seconds (the model's default when none was given)."""
    return build_request(fields, base_dir=base_dir).summary.duration_s


def served(engine: Engine, fields: VideoInput) -> None:
    """ValidationError when this engine has no target for the shot's service (no keys for it)."""
    caps, model = registry.find_model(fields.model)
    if caps.service not in engine.services:
        allowed = tuple(
            m.id for name in engine.services for m in registry.capabilities(name).models
        )
        raise ValidationError(
            "model",
            f"{model.id} is a {caps.label} model, and no {caps.label} keys are set here",
            allowed,
        )


async def preflight_shot(engine: Engine, fields: VideoInput, base_dir: Path) -> None:
    """Read and check the shot's images as its submit will; ValidationError, nothing written."""
    served(engine, fields)
    built = build_request(fields, base_dir=base_dir)
    service = engine.services[built.service]
    await service.build_body(service.request_from_params(built.params))


async def make_shot_job(engine: Engine, fields: VideoInput, base_dir: Path, meta: JobMeta) -> Job:
    """Check the shot and its images, then write its job row (queued, claimed by this process).
    ValidationError (ImageError included) before anything is written or sent."""
    served(engine, fields)
    built = build_request(fields, base_dir=base_dir)
    meta.service = built.service
    return await engine.runner.create(built, meta=meta)


__all__ = ["check_shot", "make_shot_job", "preflight_shot", "served"]
