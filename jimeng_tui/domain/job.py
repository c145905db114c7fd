"""The job: one row in the history, one state machine (DESIGN.md, "The job").

A leaf module (stdlib only) so that the store can persist it and every client can show it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jimeng_tui.domain.meta import JobMeta


def _empty_meta() -> JobMeta:
    # imported with the first job, not with this module: the studio's first frame imports the
    # job states (for its job list's actions) but makes no job
    from jimeng_tui.domain.meta import JobMeta

    return JobMeta()


class JobState(StrEnum):
    DRAFT = "draft"
    QUEUED = "queued"
    SUBMITTING = "submitting"
    IN_QUEUE = "in_queue"
    GENERATING = "generating"
    DONE = "done"
    DOWNLOADING = "downloading"
    CONFORMING = "conforming"
    SAVED = "saved"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    SUBMIT_UNKNOWN = "submit_unknown"
    # The service finished the task but the video could not be saved here (disk full, folder
    # not writable, bad file name template, damaged download...). Not final: the task still
    # holds the video, and the next drive fetches it from the same task (never a new submit).
    SAVE_FAILED = "save_failed"


S = JobState
FINAL_STATES: frozenset[JobState] = frozenset(
    {S.SAVED, S.FAILED, S.CANCELLED, S.EXPIRED, S.SUBMIT_UNKNOWN}
)
# States in which the service holds a task we are tracking.
REMOTE_STATES: frozenset[JobState] = frozenset({S.IN_QUEUE, S.GENERATING, S.DONE})
SIDE_EXITS: frozenset[JobState] = frozenset({S.FAILED, S.CANCELLED, S.EXPIRED})

_FORWARD: dict[JobState, frozenset[JobState]] = {
    S.DRAFT: frozenset({S.QUEUED}),
    S.QUEUED: frozenset({S.SUBMITTING}),
    # a submit refused with a safe-to-resend code goes back to the queue
    S.SUBMITTING: frozenset({S.IN_QUEUE, S.GENERATING, S.DONE, S.QUEUED, S.SUBMIT_UNKNOWN}),
    S.IN_QUEUE: frozenset({S.GENERATING, S.DONE}),
    S.GENERATING: frozenset({S.DONE}),
    S.DONE: frozenset({S.DOWNLOADING, S.SAVE_FAILED}),
    S.DOWNLOADING: frozenset({S.CONFORMING, S.SAVED, S.DONE, S.SAVE_FAILED}),
    S.CONFORMING: frozenset({S.SAVED, S.SAVE_FAILED}),
    # the next attempt fetches the video again from the same task
    S.SAVE_FAILED: frozenset({S.DOWNLOADING}),
    S.SAVED: frozenset(),
    S.FAILED: frozenset(),
    S.CANCELLED: frozenset(),
    S.EXPIRED: frozenset(),
    # the user may attach a task id found elsewhere, or give up
    S.SUBMIT_UNKNOWN: frozenset({S.IN_QUEUE, S.CANCELLED}),
}


def can_transition(old: JobState, new: JobState) -> bool:
    if old == new:
        return old not in FINAL_STATES
    if new in SIDE_EXITS:
        return old not in FINAL_STATES or (old is S.SUBMIT_UNKNOWN and new is S.CANCELLED)
    return new in _FORWARD[old]


class InvalidTransition(RuntimeError):
    pass


@dataclass
class Job:
    """A generation, from the moment it is asked for until its file is saved (or it ends)."""

    id: int | None
    created_at: float
    prompt: str
    mode: str
    req_key: str
    params: dict[
        str, Any
    ]  # the request's own fields as JSON-able values (image *sources*, no data)
    state: JobState = S.QUEUED
    image_hashes: list[str] = field(default_factory=list)
    task_id: str | None = None
    request_id: str | None = None
    video_url: str | None = None
    url_fetched_at: float | None = None
    submitted_at: float | None = None
    finished_at: float | None = None  # service said done
    saved_at: float | None = None
    updated_at: float | None = None
    error_code: int | str | None = None  # a number (Jimeng 3.0) or a word (Ark)
    error_message: str | None = None
    path: str | None = None  # the saved video
    source_path: str | None = None  # the service's own file, when conformed
    sidecar_path: str | None = None
    size_bytes: int | None = None
    duration_s: float | None = None  # measured in the saved file
    fps: float | None = None
    width: int | None = None
    height: int | None = None
    poll_count: int = 0
    favourite: bool = False
    owner_pid: int | None = None
    heartbeat_at: float | None = None
    meta: JobMeta = field(default_factory=_empty_meta)  # bookkeeping: batch origin, body sent, ...

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES

    @property
    def has_task(self) -> bool:
        return self.task_id is not None

    @property
    def task_succeeded(self) -> bool:
        """The service finished the task with a video: it is fetched again, never re-sent."""
        return self.task_id is not None and self.finished_at is not None

    def transition(self, new: JobState, **changes: Any) -> None:
        """Move to ``new`` and apply ``changes``; InvalidTransition if the machine forbids it."""
        if not can_transition(self.state, new):
            raise InvalidTransition(f"job {self.id}: {self.state} → {new} is not allowed")
        self.state = new
        for name, value in changes.items():
            setattr(self, name, value)

    def copy(self) -> Job:
        return dataclasses.replace(
            self,
            params=dict(self.params),
            image_hashes=list(self.image_hashes),
            meta=self.meta.copy(),
        )


JOB_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Job))
