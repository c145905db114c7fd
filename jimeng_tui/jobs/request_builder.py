"""User input → the service's request: ONE path for the form, ``generate``, ``batch`` and re-run.

Every face hands over the fields as the user gave them (:class:`RequestFields`) and the folder a
relative image path is taken from (the working folder for the form and ``generate``, the batch
file's folder for a batch line). What comes back is validated, with local image paths made
absolute, so a job can be resumed from any folder; and the same notes for every face.

(The request is Jimeng 3.0's ``GenerationRequest`` until the service seam gives each service its
own builder; the fields here are the ones ``generate``'s options name.)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jimeng_tui.domain.job import Job
from jimeng_tui.services.jimeng import catalog
from jimeng_tui.services.jimeng.request import GenerationRequest, make_request


@dataclass(frozen=True)
class RequestFields:
    """The user's input, before checks. ``None`` means "not given": the default applies."""

    prompt: str = ""
    mode: str = catalog.DEFAULT_MODE
    duration: int = catalog.DEFAULT_DURATION
    fps: int = catalog.DEFAULT_FPS
    aspect_ratio: str | None = None
    first_image: str | None = None  # a path (relative to base_dir) or a URL
    last_image: str | None = None
    camera_template: str | None = None
    camera_strength: str | None = None
    seed: int = catalog.SEED_RANDOM
    # the names an image error is reported under (generate's option is --image for both)
    image_fields: tuple[str, str] = ("first_image", "last_image")


@dataclass(frozen=True)
class BuiltRequest:
    request: GenerationRequest
    notes: tuple[str, ...]  # said before the job is made (the runner reports conversions)


def request_notes(request: GenerationRequest) -> tuple[str, ...]:
    notes: list[str] = []
    if len(request.prompt) > catalog.PROMPT_RECOMMENDED_CHARS:
        notes.append(
            f"the prompt has {len(request.prompt)} characters; the service recommends at most "
            f"{catalog.PROMPT_RECOMMENDED_CHARS}"
        )
    return tuple(notes)


def build_request(fields: RequestFields, *, base_dir: Path) -> BuiltRequest:
    """The validated request; ValidationError naming the first bad field. Local image paths
    are made absolute against ``base_dir`` (``~`` expanded), URLs are checked and kept."""
    request = make_request(
        prompt=fields.prompt,
        mode=fields.mode,
        duration=fields.duration,
        fps=fields.fps,
        aspect_ratio=fields.aspect_ratio,
        first_image=fields.first_image,
        last_image=fields.last_image,
        camera_template=fields.camera_template,
        camera_strength=fields.camera_strength,
        seed=fields.seed,
        image_fields=fields.image_fields,
        image_base=base_dir,
    )
    return BuiltRequest(request, request_notes(request))


def rerun_request(job: Job) -> GenerationRequest:
    """A past job's request, to send again as a new job (TypeError/ValueError if its stored
    parameters no longer make one)."""
    return GenerationRequest.from_params(job.params)


__all__ = ["BuiltRequest", "RequestFields", "build_request", "request_notes", "rerun_request"]
