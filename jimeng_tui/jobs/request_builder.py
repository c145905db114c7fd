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
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, overload, runtime_checkable

from jimeng_tui.domain.errors import ValidationError
from jimeng_tui.domain.job import Job
from jimeng_tui.domain.request import OptionValue, VideoInput
from jimeng_tui.services import registry
from jimeng_tui.services.base import BuiltRequest


def first_model() -> str:
    """The first model of the first registered service (when no default was chosen)."""
    for caps in registry.all_capabilities():
        if caps.models:
            return caps.models[0].id
    raise ValidationError("model", "no service is registered")


@overload
def build_request(
    fields: RequestFields, *, base_dir: Path, default_model: str = ""
) -> CompatBuiltRequest: ...
@overload
def build_request(
    fields: VideoInput, *, base_dir: Path, default_model: str = ""
) -> BuiltRequest: ...
def build_request(
    fields: VideoInput | RequestFields, *, base_dir: Path, default_model: str = ""
) -> BuiltRequest:
    """The validated request; ValidationError naming the first bad field and the allowed values.

    ``fields.model`` is a model id or alias of any registered service; "" takes
    ``default_model`` (the session's ``default_model()``), else the first registered model.
    """
    if isinstance(fields, RequestFields):  # the form's call until it hands over a VideoInput
        return _legacy_build(fields, base_dir)
    model = fields.model or default_model or first_model()
    caps, _ = registry.find_model(model)
    return registry.codec(caps.service).build(
        dataclasses.replace(fields, model=model), base_dir=base_dir
    )


def rerun_request(job: Job) -> CompatBuiltRequest:
    """A past job's request, to send again as a new job, by its own service's codec (checked
    again). TypeError/ValueError/ValidationError if its stored parameters no longer make one."""
    built = registry.codec(job.meta.service_name).from_params(job.params)
    return _with_service_request(built)


def conform_note(built: BuiltRequest) -> str | None:
    """The sentence said when the saved file is trimmed or converted here, else None."""
    _, model = registry.find_model(built.summary.model)
    return model.conform_note(built.summary.duration_s, built.summary.fps)


# ---------------------------------------------------------------------------------------------
# The TUI's current calls (until its form hands over a VideoInput and takes a BuiltRequest):
# ``build_request(RequestFields(...)).request`` and ``rerun_request(job).mode`` read the
# service's own request object. New code uses VideoInput and BuiltRequest only.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestFields:
    """The form's fields (Jimeng 3.0's names). ``None`` / "" mean "not given": the default."""

    prompt: str = ""
    mode: str = ""
    duration: int | None = None
    fps: int | None = None
    aspect_ratio: str | None = None
    first_image: str | None = None  # a path (relative to base_dir) or a URL
    last_image: str | None = None
    camera_template: str | None = None
    camera_strength: str | None = None
    seed: int | None = None
    image_fields: tuple[str, str] = ("first_image", "last_image")

    def to_input(self) -> VideoInput:
        options: dict[str, OptionValue] = {}
        for name in ("camera_template", "camera_strength"):
            value = getattr(self, name)
            if value is not None:
                options[name] = value
        return VideoInput(
            prompt=self.prompt,
            model=self.mode,
            duration=self.duration,
            fps=self.fps,
            ratio=self.aspect_ratio,
            first_image=self.first_image,
            last_image=self.last_image,
            seed=self.seed,
            options=options,
            image_fields=(*self.image_fields, "reference_image"),
        )


@runtime_checkable
class _MakesServiceRequests(Protocol):
    def request_from_params(self, params: Mapping[str, object]) -> object: ...


@dataclass(frozen=True)
class CompatBuiltRequest(BuiltRequest):
    """A BuiltRequest that also carries the service's own request object and reads its
    attributes (``.mode``, ``.prompt``…) for the TUI's current code."""

    request: Any = None  # Any: the TUI's code reads it as its service's own type

    def __getattr__(self, name: str) -> Any:
        if name == "request" or name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.request, name)


def _with_service_request(built: BuiltRequest) -> CompatBuiltRequest:
    codec = registry.codec(built.service)
    request = None
    if isinstance(codec, _MakesServiceRequests):
        request = codec.request_from_params(built.params)
    return CompatBuiltRequest(built.service, built.params, built.summary, built.notes, request)


def _legacy_build(fields: RequestFields, base_dir: Path) -> CompatBuiltRequest:
    return _with_service_request(build_request(fields.to_input(), base_dir=base_dir))


__all__ = [
    "BuiltRequest",
    "CompatBuiltRequest",
    "RequestFields",
    "build_request",
    "conform_note",
    "first_model",
    "rerun_request",
]
