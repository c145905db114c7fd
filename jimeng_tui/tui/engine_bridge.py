"""Engine events → Textual messages, dispatched by the event's type.

The engine calls its ``on_event`` callback from any thread with a plain dataclass
(``domain/events.py``); ``post_event`` turns it into the matching message and posts it
(``post_message`` is thread-safe), so the UI updates on Textual's loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.message import Message
from textual.message_pump import MessagePump

from jimeng_tui.domain.events import DownloadProgress, JobChanged, JobNotice, ThrottleChanged
from jimeng_tui.tui.messages import DownloadProgressed, JobNoticed, JobUpdated, ThrottleUpdated


def _job_changed(event: JobChanged) -> Message:
    return JobUpdated(event.job)


def _download_progress(event: DownloadProgress) -> Message:
    return DownloadProgressed(event.job_id, event.received, event.total)


def _job_notice(event: JobNotice) -> Message:
    return JobNoticed(event.job_id, event.text)


def _throttle_changed(event: ThrottleChanged) -> Message:
    return ThrottleUpdated(event.state)


TO_MESSAGE: dict[type[Any], Callable[[Any], Message]] = {
    JobChanged: _job_changed,
    DownloadProgress: _download_progress,
    JobNotice: _job_notice,
    ThrottleChanged: _throttle_changed,
}


def to_message(event: object) -> Message | None:
    """The message for an engine event; None for an event type the UI does not show."""
    convert = TO_MESSAGE.get(type(event))
    return convert(event) if convert is not None else None


def post_event(target: MessagePump, event: object) -> None:
    """Post the message for ``event`` to ``target`` (safe from any thread)."""
    message = to_message(event)
    if message is not None:
        target.post_message(message)
