"""The service interface the engine, the form and the CLI talk to (the seam of issue 14).

A service is one remote API (Jimeng 3.0 on visual.volcengineapi.com, Ark's Seedance models…)
behind one protocol: what it can do (``Capabilities``), validate a request, build the exact wire
body, submit, query, cancel, list, and classify its errors into what the engine may do next.
The engine never imports a concrete service: ``services.registry`` hands it one by name.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from jimeng_tui.domain.capabilities import Capabilities
from jimeng_tui.domain.errors import JimengError


class Outcome(enum.Enum):
    """What the engine may do after an error."""

    RETRY = "retry"  # certainly no task was made, or a safe read: try again with backoff
    SLOWER = "slower"  # a rate limit: slow the request rate, then retry
    WHEN_TASK_ENDS = "when_task_ends"  # a concurrency limit: retry when one of ours ends
    NO_RETRY = "no_retry"  # the user must change something: the job fails with the reason
    UNKNOWN = "unknown"  # a submit may have made a task: submit_unknown, never sent again


@dataclass(frozen=True)
class ServiceFailure:
    outcome: Outcome
    code: str
    message: str
    hint: str = ""
    request_id: str | None = None


@dataclass(frozen=True)
class Target:
    """Where and as whom a service is reached; handed over by the session (no sandbox type)."""

    base_url: str
    credentials: Mapping[str, str]
    timeout_s: float = 300.0
    poll_interval_s: float = 5.0
    retries: int = 4
    time_scale: float = 1.0  # the sandbox's speed: lifetimes shrink by it


@dataclass(frozen=True)
class Submitted:
    task_id: str
    request_id: str | None
    sent_body: Mapping[str, object]  # redacted (no image bytes), for the job's record


class RemoteStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"  # the service no longer knows the task


@dataclass(frozen=True)
class TaskView:
    task_id: str
    status: RemoteStatus
    video_url: str | None = None
    last_frame_url: str | None = None
    failure: ServiceFailure | None = None
    usage_tokens: int | None = None
    created_at: float | None = None
    request_id: str | None = None
    extra: Mapping[str, object] = field(default_factory=dict)


class ServiceError(JimengError):
    def __init__(self, failure: ServiceFailure) -> None:
        super().__init__(failure.message)
        self.failure = failure


@runtime_checkable
class Service(Protocol):
    """One remote video service. ``request`` is the service's own typed request object, built
    by ``build_request`` from plain fields (the job stores its JSON)."""

    name: str

    def capabilities(self) -> Capabilities: ...

    def request_from_params(self, params: Mapping[str, object]) -> object: ...

    def validate(self, request: object) -> None: ...  # ValidationError(field, message)

    async def build_body(self, request: object) -> Mapping[str, object]: ...

    async def submit(self, body: Mapping[str, object]) -> Submitted: ...  # raises ServiceError

    async def query(self, task_id: str, request: object) -> TaskView: ...

    async def cancel(self, task_id: str) -> bool: ...  # False: the service cannot

    async def list_tasks(self, since: float) -> Sequence[TaskView]: ...

    def classify(self, exc: BaseException, *, during_submit: bool) -> ServiceFailure: ...

    async def aclose(self) -> None: ...
