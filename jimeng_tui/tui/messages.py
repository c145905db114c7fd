"""Textual messages the app posts to itself when the engine reports something.

The engine calls ``on_event`` with plain dataclasses (``jobs/events.py``); the app turns each one
into one of these messages with ``post_message`` (thread-safe), so widget updates always happen on
Textual's loop and never block typing. Progress floods are coalesced with ``can_replace``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from jimeng_tui.domain.job import Job
    from jimeng_tui.services.jimeng.request import GenerationRequest


class JobUpdated(Message):
    """A job changed state or fields (a copy of the job after the change)."""

    def __init__(self, job: Job) -> None:
        super().__init__()
        self.job = job

    def can_replace(self, message: Message) -> bool:
        # A newer copy of the same job supersedes an older one still waiting in the queue,
        # unless the older one is a state change we must not skip (toasts fire on them).
        return (
            isinstance(message, JobUpdated)
            and message.job.id == self.job.id
            and message.job.state == self.job.state
        )


class DownloadProgressed(Message):
    """Bytes received for a job's download; a newer one replaces a pending older one."""

    def __init__(self, job_id: int, received: int, total: int | None) -> None:
        super().__init__()
        self.job_id = job_id
        self.received = received
        self.total = total

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, DownloadProgressed) and message.job_id == self.job_id


class JobNoticed(Message):
    """A sentence about a job (image converted, conform note, a retry…)."""

    def __init__(self, job_id: int, text: str) -> None:
        super().__init__()
        self.job_id = job_id
        self.text = text


class ThrottleUpdated(Message):
    """How many jobs run and whether the service is slowing us down."""

    def __init__(self, state: Any) -> None:
        super().__init__()
        self.state = state

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ThrottleUpdated)


class GenerateRequested(Message):
    """The form asks for a generation (already validated)."""

    def __init__(self, request: GenerationRequest) -> None:
        super().__init__()
        self.request = request


class BrowseRequested(Message):
    """The form asks for the file picker for ``field`` (first_image / last_image)."""

    def __init__(self, field: str, current: str) -> None:
        super().__init__()
        self.field = field
        self.current = current


class PosterReady(Message):
    """A poster frame for a saved job was made (``image`` is a PIL image or None)."""

    def __init__(self, job_id: int, image: Any) -> None:
        super().__init__()
        self.job_id = job_id
        self.image = image
