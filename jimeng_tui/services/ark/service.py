"""Seedance on Volcengine Ark behind the service interface (registered as ``ark``).

The engine sees only :class:`~jimeng_tui.services.base.Service`: the job's stored params become
an ``ArkRequest``, a create body, a task id, ``TaskView``s, and for every error the ``Outcome``
that says what it may do next (``classify``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from jimeng_tui.domain.errors import JimengError
from jimeng_tui.services.ark import body as ark_body
from jimeng_tui.services.ark.client import ArkClient
from jimeng_tui.services.ark.codec import summary
from jimeng_tui.services.ark.errors import ArkApiError, CreateOutcomeUnknown, error_info
from jimeng_tui.services.ark.models import ARK_CAPS, SERVICE_NAME
from jimeng_tui.services.ark.request import ArkRequest
from jimeng_tui.services.base import (
    Outcome,
    RemoteStatus,
    RequestSummary,
    ServiceFailure,
    Submitted,
    Target,
    TaskView,
    TransportError,
    WireBody,
)
from jimeng_tui.services.http import client_settings
from jimeng_tui.services.service_base import ServiceBase

STATUSES: dict[str, RemoteStatus] = {s.value: s for s in RemoteStatus}
LIST_PAGE_SIZE = 100  # 1–500 [M-PT]
LIST_MAX_PAGES = 500  # page_num 1–500 [M-PT]


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _failure(error: object, status: str) -> ServiceFailure:
    """A failed task's reason: ``error`` [PY] (or ``failure_reason`` [GO] in list items)."""
    code = message = ""
    if isinstance(error, dict):
        code = str(error.get("code") or "")
        message = str(error.get("message") or "")
    elif isinstance(error, str):
        message = error
    info = error_info(code) if code else None
    return ServiceFailure(
        Outcome.NO_RETRY,
        code,
        message or f"the task ended {status}" + (f" ({code})" if code else ""),
        info.hint if info else "",
    )


def task_view(answer: Mapping[str, Any]) -> TaskView:
    """A GET answer or a list item → ``TaskView`` (lenient: fields may be missing)."""
    word = str(answer.get("status") or "")
    status = STATUSES.get(word)
    content = answer.get("content") if isinstance(answer.get("content"), dict) else {}
    assert isinstance(content, dict)
    video_url = _text(content.get("video_url"))
    failure = None
    if status is None:
        status = RemoteStatus.FAILED
        failure = ServiceFailure(Outcome.NO_RETRY, "", f"unexpected task status {word!r}")
    elif status is RemoteStatus.FAILED:
        failure = _failure(answer.get("error") or answer.get("failure_reason"), word)
    elif status is RemoteStatus.SUCCEEDED and not video_url:
        failure = ServiceFailure(
            Outcome.NO_RETRY, "", "the service finished the task without a video"
        )
    usage = answer.get("usage")
    tokens = usage.get("completion_tokens") if isinstance(usage, dict) else None
    created = answer.get("created_at")
    extra: dict[str, object] = {"status": word}
    for key in ("model", "seed", "resolution", "ratio", "duration", "framespersecond"):
        if answer.get(key) is not None:
            extra[key] = answer[key]
    if isinstance(answer.get("generate_audio"), bool):
        extra["generate_audio"] = extra["has_audio"] = answer["generate_audio"]
    return TaskView(
        task_id=str(answer.get("id") or ""),
        status=status,
        video_url=video_url,
        last_frame_url=_text(content.get("last_frame_url")),
        failure=failure,
        usage_tokens=tokens if isinstance(tokens, int) and not isinstance(tokens, bool) else None,
        created_at=float(created) if isinstance(created, int | float) else None,
        extra=extra,
    )


class ArkService(ServiceBase[ArkRequest]):
    """The ``Service`` for Seedance models on Ark."""

    name = SERVICE_NAME
    caps = ARK_CAPS
    request_type = ArkRequest
    client: ArkClient

    def __init__(self, target: Target | None = None, *, client: ArkClient | None = None) -> None:
        if client is None:
            if target is None:
                raise ValueError("ArkService needs a target or a client")
            client = ArkClient(target.credentials.get("api_key", ""), **client_settings(target))
        self.client = client

    def __repr__(self) -> str:
        return f"ArkService({self.client!r})"

    def summary(self, request: object) -> RequestSummary:
        return summary(self.checked(request))

    async def build_body(self, request: object) -> WireBody:
        """Image preflight to Ark's limits (ImageError says why) and the exact create body."""
        return await ark_body.build_body(self.checked(request))

    async def submit(self, body: Mapping[str, object]) -> Submitted:
        created = await self.client.create(dict(body))
        redacted = body.redacted if isinstance(body, WireBody) else ark_body.redact_body(body)
        return Submitted(created.task_id, created.request_id, redacted)

    async def query(self, task_id: str, request: object) -> TaskView:
        """The task's state. A task the service no longer knows (404 for the task, not for a
        model) is EXPIRED: a finished task's record is deleted by DELETE or after its time."""
        try:
            answer = await self.client.get(task_id)
        except ArkApiError as exc:
            if exc.http_status == 404 and not exc.code.startswith(
                ("InvalidEndpointOrModel", "ModelNotOpen")
            ):
                return TaskView(
                    task_id,
                    RemoteStatus.EXPIRED,
                    request_id=exc.request_id,
                    extra={"status": "not_found"},
                )
            raise
        view = task_view(answer)
        return view if view.task_id else dataclasses.replace(view, task_id=task_id)

    async def cancel(self, task_id: str) -> bool:
        """Cancel a queued task. The contract (section 5): DELETE on ``queued`` cancels it (it
        becomes ``cancelled``); on ``running`` or ``cancelled`` it is refused; on ``succeeded``,
        ``failed`` or ``expired`` it DELETES the record (a paid video would be lost). So the task
        is read first and only a queued one is deleted; False means the service does not allow
        it (running, or already ended)."""
        view = await self.query(task_id, None)
        if view.status is not RemoteStatus.QUEUED:
            return view.status is RemoteStatus.CANCELLED
        try:
            await self.client.delete(task_id)
        except ArkApiError:
            # It may have started meanwhile (refused), or an earlier DELETE whose answer was
            # lost cancelled it already: the task's state says which.
            return (await self.query(task_id, None)).status is RemoteStatus.CANCELLED
        return True

    async def list_tasks(self, since: float) -> Sequence[TaskView]:
        """Every task the account made since ``since`` (Unix seconds; the service keeps 7 days),
        all pages; the order of the service's list is unverified, so every page is read."""
        found: list[TaskView] = []
        for page in range(1, LIST_MAX_PAGES + 1):
            answer = await self.client.list_page(page_num=page, page_size=LIST_PAGE_SIZE)
            items = answer.get("items")
            items = items if isinstance(items, list) else []
            for item in items:
                if isinstance(item, dict):
                    view = task_view(item)
                    if view.created_at is None or view.created_at >= since:
                        found.append(view)
            total = answer.get("total")
            seen = page * LIST_PAGE_SIZE
            if (
                not items
                or len(items) < LIST_PAGE_SIZE
                or (isinstance(total, int) and seen >= total)
            ):
                break
        return found

    def classify(self, exc: BaseException, *, during_submit: bool) -> ServiceFailure:
        """What the engine may do after ``exc``. A create that may have made a task (a 5xx
        answer, no answer after sending, an unreadable answer) is UNKNOWN: never sent again."""
        if isinstance(exc, CreateOutcomeUnknown):
            return ServiceFailure(Outcome.UNKNOWN, "", str(exc))
        if isinstance(exc, ArkApiError):
            if during_submit:
                outcome = exc.submit_outcome
            else:
                outcome = Outcome.RETRY if exc.read_again else Outcome.NO_RETRY
            return ServiceFailure(outcome, exc.code, str(exc), exc.hint, exc.request_id)
        if isinstance(exc, TransportError):
            if during_submit and exc.sent:
                return ServiceFailure(Outcome.UNKNOWN, "", str(exc))
            if during_submit:  # certainly not sent: the job fails, the user can send it again
                return ServiceFailure(Outcome.NO_RETRY, "", f"could not reach Ark: {exc}")
            return ServiceFailure(Outcome.RETRY, "", str(exc))
        if isinstance(exc, JimengError):
            return ServiceFailure(Outcome.NO_RETRY, "", str(exc))
        return ServiceFailure(Outcome.NO_RETRY, "", f"internal error: {exc!r}")

    def set_limit_listener(self, listener: Callable[[Outcome], None] | None) -> None:
        self.client.on_limit = listener

    async def aclose(self) -> None:
        await self.client.aclose()
