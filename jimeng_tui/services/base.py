"""The service interface the engine, the form and the CLI talk to (the seam of issue 14).

A service is one remote API (Jimeng 3.0 on visual.volcengineapi.com, Ark's Seedance models…)
behind one protocol: what it can do (``Capabilities``), validate a request, build the exact wire
body, submit, query, cancel, list, and classify its errors into what the engine may do next.
The engine never imports a concrete service: ``services.registry`` hands it one by name.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from jimeng_tui.domain.capabilities import Capabilities
from jimeng_tui.domain.errors import JimengError
from jimeng_tui.domain.request import VideoInput


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


@dataclass(frozen=True)
class RequestSummary:
    """What the engine records about a service's request object (which it treats as opaque)."""

    prompt: str
    model: str  # the model id (ModelCaps.id)
    wire_model: str  # what the service calls it on the wire (Jimeng's req_key)
    params: Mapping[str, object]  # JSON-able; ``request_from_params`` rebuilds the request
    duration_s: int  # what the user asked for (the saved file's length)
    fps: int


@dataclass(frozen=True)
class BuiltRequest:
    """A validated request, ready for ``Runner.create``: which service, the JSON the job stores
    (``Service.request_from_params`` rebuilds the service's own request from it), its summary,
    and the notes said to the user before the job is made."""

    service: str  # registry name: "jimeng3", "ark"
    params: Mapping[str, object]
    summary: RequestSummary
    notes: tuple[str, ...] = ()


class RequestCodec(Protocol):
    """A service's request builder: needs no target, so the faces validate before anything opens.

    ``build`` checks every field against the model's capabilities (ValidationError naming the
    field and the allowed values), makes local image paths absolute against ``base_dir`` (``~``
    expanded) and checks URLs; it reads no image bytes (the service's ``build_body`` does).
    ``from_params`` rebuilds a stored job's request (re-run), checked again; TypeError/ValueError
    or ValidationError when the stored JSON no longer makes one.
    """

    def build(self, fields: VideoInput, *, base_dir: Path) -> BuiltRequest: ...

    def from_params(self, params: Mapping[str, object]) -> BuiltRequest: ...


class WireBody(dict[str, object]):
    """A built submit body, plus what building it found: the hashes of the input images sent,
    notices for the user (an image converted…), and the body without image data (``redacted``)
    for the job's record. A plain mapping from ``build_body`` means none of these."""

    def __init__(
        self,
        body: Mapping[str, object],
        *,
        image_hashes: Sequence[str] = (),
        notices: Sequence[str] = (),
        redacted: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(body)
        self.image_hashes = tuple(image_hashes)
        self.notices = tuple(notices)
        self.redacted: dict[str, object] = dict(redacted if redacted is not None else body)


def wire_body(body: Mapping[str, object]) -> WireBody:
    return body if isinstance(body, WireBody) else WireBody(body)


class TransportError(JimengError):
    """No usable answer: the connection failed, timed out, or the body was not JSON (an API call
    or a download).

    ``sent`` is False only when the request certainly never left this machine.
    """

    def __init__(self, message: str, *, sent: bool):
        self.sent = sent
        super().__init__(message)


class ServiceError(JimengError):
    def __init__(self, failure: ServiceFailure) -> None:
        super().__init__(failure.message)
        self.failure = failure


@runtime_checkable
class Service(Protocol):
    """One remote video service. ``request`` is the service's own typed request object, built
    by ``build_request`` from plain fields (the job stores its JSON)."""

    name: str

    @property
    def endpoint(self) -> str: ...  # where the tasks live (a base URL): recorded with each job

    def capabilities(self) -> Capabilities: ...

    def request_from_params(self, params: Mapping[str, object]) -> object: ...

    def summary(self, request: object) -> RequestSummary: ...

    def validate(self, request: object) -> None: ...  # ValidationError(field, message)

    async def build_body(self, request: object) -> Mapping[str, object]: ...

    async def submit(self, body: Mapping[str, object]) -> Submitted: ...  # raises ServiceError

    async def query(self, task_id: str, request: object) -> TaskView: ...

    async def cancel(self, task_id: str) -> bool: ...  # False: the service cannot

    async def list_tasks(self, since: float) -> Sequence[TaskView]: ...

    def classify(self, exc: BaseException, *, during_submit: bool) -> ServiceFailure: ...

    def set_limit_listener(self, listener: Callable[[Outcome], None] | None) -> None:
        """Called with SLOWER / WHEN_TASK_ENDS whenever the service says a limit is reached,
        also on answers the service retries by itself (the engine's throttle adapts)."""

    async def aclose(self) -> None: ...
