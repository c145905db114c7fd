"""What the engine reads from a service's answers and a job's request, through the interface only.

The engine never opens a service's request object: it asks the service to rebuild it from the
job's params, to sum it up (model, length, frame rate), and reads the model's capabilities to
decide whether the saved file is conformed here.
"""

from __future__ import annotations

from dataclasses import dataclass

from jimeng_tui.domain.job import Job
from jimeng_tui.services.base import RemoteStatus, Service, ServiceFailure, TaskView

# A job whose task the service cancelled (`jimeng-tui cancel`, the studio, the web console).
CANCELLED_ON_SERVICE = "the task was cancelled on the service before it ran: nothing is billed"


@dataclass(frozen=True)
class OutputPlan:
    """The file the user asked for, and whether the service's render is changed to give it."""

    duration_s: int
    fps: int
    needs_conform: bool


def request_of(service: Service, job: Job) -> object:
    return service.request_from_params(job.params)


def output_plan(service: Service, job: Job) -> OutputPlan:
    summary = service.summary(request_of(service, job))
    model = service.capabilities().model(summary.model)
    return OutputPlan(
        summary.duration_s, summary.fps, model.needs_conform(summary.duration_s, summary.fps)
    )


def status_word(view: TaskView) -> str:
    """The service's own word for the task's state (shown to the user), else the interface's."""
    word = view.extra.get("status")
    return word if isinstance(word, str) and word else view.status.value


def error_code(failure: ServiceFailure) -> int | str | None:
    """The code the job row keeps: a number as a number (Jimeng's 50412), a word as a word
    (Ark's ``InputTextSensitiveContentDetected``), None when the service gave none."""
    code = failure.code.strip()
    if not code:
        return None
    return int(code) if code.lstrip("-").isdigit() else code


def has_video(view: TaskView) -> bool:
    return view.status is RemoteStatus.SUCCEEDED and bool(view.video_url)
