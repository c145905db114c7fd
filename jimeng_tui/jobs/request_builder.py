"""User input → a service's request: ONE path for the form, ``generate``, ``batch``, the agent
server and re-run.

Every face hands over what the user gave as a service-neutral
:class:`~jimeng_tui.domain.request.VideoInput` and the folder a relative image path is taken from
(the working folder for the form and ``generate``, the batch file's folder for a batch line).
The model's service, found through the registry, checks it with its codec and returns a
:class:`~jimeng_tui.services.base.BuiltRequest`: validated, local image paths absolute (a job
resumes from any folder), with the same notes for every face. ``Runner.create`` takes it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from jimeng_tui.domain.errors import ValidationError
from jimeng_tui.domain.job import Job
from jimeng_tui.domain.request import VideoInput
from jimeng_tui.services import registry
from jimeng_tui.services.base import BuiltRequest


def first_model() -> str:
    """The first model of the first registered service (when no default was chosen)."""
    for caps in registry.all_capabilities():
        if caps.models:
            return caps.models[0].id
    raise ValidationError("model", "no service is registered")


def build_request(fields: VideoInput, *, base_dir: Path, default_model: str = "") -> BuiltRequest:
    """The validated request; ValidationError naming the first bad field and the allowed values.

    ``fields.model`` is a model id or alias of any registered service; "" takes
    ``default_model`` (the session's ``default_model()``), else the first registered model.
    """
    model = fields.model or default_model or first_model()
    caps, _ = registry.find_model(model)
    return registry.codec(caps.service).build(
        dataclasses.replace(fields, model=model), base_dir=base_dir
    )


def rerun_request(job: Job) -> BuiltRequest:
    """A past job's request, to send again as a new job, by its own service's codec (checked
    again). TypeError/ValueError/ValidationError if its stored parameters no longer make one."""
    return registry.codec(job.meta.service_name).from_params(job.params)


def conform_note(built: BuiltRequest) -> str | None:
    """The sentence said when the saved file is trimmed or converted here, else None."""
    _, model = registry.find_model(built.summary.model)
    return model.conform_note(built.summary.duration_s, built.summary.fps)


__all__ = [
    "BuiltRequest",
    "build_request",
    "conform_note",
    "first_model",
    "rerun_request",
]
