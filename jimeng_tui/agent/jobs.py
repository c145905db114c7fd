"""The one place the agent server turns a :class:`VideoInput` into a job row.

Every request the server builds and every job it creates goes through here: ``build_request``
finds the model's service in the registry and its codec checks and builds the request (any
service's model: Jimeng 3.0's modes, Seedance…); ``Runner.create`` takes the ``BuiltRequest``
and refuses, naming the keys, a model whose service has none here. A re-run rebuilds through
the job's own service's codec.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from jimeng_tui.domain.errors import ValidationError
from jimeng_tui.domain.job import Job
from jimeng_tui.domain.meta import JobMeta
from jimeng_tui.domain.request import VideoInput
from jimeng_tui.jobs.request_builder import build_request, rerun_request

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


async def make_job(engine: Engine, fields: VideoInput, base_dir: Path, *, meta: JobMeta) -> NewJob:
    """Check ``fields`` and its images, then write the job row (queued, claimed by this process).

    ValidationError (ImageError included) or NoCredentials before anything is written or sent.
    """
    built = build_request(fields, base_dir=base_dir, default_model=default_model(engine))
    job = await engine.runner.create(built, meta=meta)
    return NewJob(job, built.notes)


async def make_rerun(engine: Engine, past: Job, *, meta: JobMeta) -> Job:
    """A new job with a past job's stored request (a new, paid generation)."""
    try:
        built = rerun_request(past)
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            "job_id", f"job {past.id}'s stored parameters no longer make a request ({exc})"
        ) from exc
    return await engine.runner.create(built, meta=meta)


__all__ = ["NewJob", "default_model", "make_job", "make_rerun"]
