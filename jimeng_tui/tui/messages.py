"""Textual messages: the engine's events on Textual's loop, and the widgets' intents.

The engine calls ``on_event`` with plain dataclasses (``domain/events.py``); ``engine_bridge``
turns each one, by its type, into one of these messages with ``post_message`` (thread-safe), so
widget updates always happen on Textual's loop and never block typing. Progress floods are
coalesced with ``can_replace``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from jimeng_tui.domain.events import ThrottleState
    from jimeng_tui.domain.job import Job


@dataclass(eq=False)
class JobUpdated(Message):
    """A job changed state or fields (a copy of the job after the change)."""

    job: Job

    def can_replace(self, message: Message) -> bool:
        # A newer copy of the same job supersedes an older one still waiting in the queue,
        # unless the older one is a state change we must not skip (toasts fire on them).
        return (
            isinstance(message, JobUpdated)
            and message.job.id == self.job.id
            and message.job.state == self.job.state
        )


@dataclass(eq=False)
class DownloadProgressed(Message):
    """Bytes received for a job's download; a newer one replaces a pending older one."""

    job_id: int
    received: int
    total: int | None

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, DownloadProgressed) and message.job_id == self.job_id


@dataclass(eq=False)
class JobNoticed(Message):
    """A sentence about a job (image converted, conform note, a retry…)."""

    job_id: int
    text: str


@dataclass(eq=False)
class ThrottleUpdated(Message):
    """How many jobs run and whether the service is slowing us down."""

    state: ThrottleState

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ThrottleUpdated)


@dataclass(eq=False)
class GenerateRequested(Message):
    """The form asks for a generation (already validated): ``request`` is what
    ``jobs.request_builder.build_request`` made of the form, for the model's service (a
    ``services.base.BuiltRequest``: named only, the widgets import no service)."""

    request: Any


@dataclass(eq=False)
class BrowseRequested(Message):
    """The form asks for the file picker for ``field`` (first_image / last_image)."""

    field: str
    current: str


@dataclass(eq=False)
class PosterReady(Message):
    """A poster frame for a saved job was made (``image`` is a PIL image or None);
    ``last_frame``: the service's own last frame (Seedance) instead of the poster."""

    job_id: int
    image: Any
    last_frame: bool = False


class FormChanged(Message):
    """The prompt form's model, length, resolution or options changed: the screen re-estimates
    the request's cost. A newer one replaces an older one still waiting."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, FormChanged)
