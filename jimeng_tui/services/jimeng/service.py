"""Jimeng 3.0 behind the service interface: today's client, request, images and error table.

The engine sees only :class:`~jimeng_tui.services.base.Service`: it hands this class the job's
stored params and gets back a request, a wire body, a task id, a ``TaskView``, and for every
error the ``Outcome`` that says what it may do next.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import httpx

from jimeng_tui.domain.errors import JimengError
from jimeng_tui.services.base import (
    Outcome,
    RemoteStatus,
    RequestSummary,
    ServiceFailure,
    Submitted,
    Target,
    TaskView,
    WireBody,
)
from jimeng_tui.services.http import client_settings
from jimeng_tui.services.images import body_with_images
from jimeng_tui.services.jimeng.capabilities import JIMENG_CAPS, SERVICE_NAME
from jimeng_tui.services.jimeng.client import JimengClient, http_transport
from jimeng_tui.services.jimeng.codec import summarize
from jimeng_tui.services.jimeng.errors import (
    BUSINESS_ERRORS,
    SUBMIT_SAFE_TO_RESEND,
    BusinessError,
    Retry,
    ServiceError,
    SubmitOutcomeUnknown,
    TransportError,
)
from jimeng_tui.services.jimeng.images import prepare_images
from jimeng_tui.services.jimeng.request import GenerationRequest, build_submit_body, redact_body
from jimeng_tui.services.jimeng.signing import Credentials
from jimeng_tui.services.service_base import ServiceBase

# The service's status words → the interface's.
STATUSES: dict[str, RemoteStatus] = {
    "in_queue": RemoteStatus.QUEUED,
    "generating": RemoteStatus.RUNNING,
    "done": RemoteStatus.SUCCEEDED,
    "not_found": RemoteStatus.EXPIRED,
    "expired": RemoteStatus.EXPIRED,
}
# Codes a status query may simply be asked again after (the poll counts it and goes on).
QUERY_AGAIN: frozenset[int] = frozenset({50429, 50500, 50501})

OUTCOME_OF_RETRY: dict[Retry, Outcome] = {
    Retry.YES: Outcome.RETRY,
    Retry.SLOWER: Outcome.SLOWER,
    Retry.WHEN_TASK_ENDS: Outcome.WHEN_TASK_ENDS,
    Retry.NO: Outcome.NO_RETRY,
}


class JimengService(ServiceBase[GenerationRequest]):
    """The ``Service`` for Jimeng Video 3.0 (registered as ``jimeng3``)."""

    name = SERVICE_NAME
    caps = JIMENG_CAPS
    request_type = GenerationRequest
    client: JimengClient

    def __init__(
        self,
        target: Target | None = None,
        *,
        client: JimengClient | None = None,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        if client is None:
            if target is None:
                raise ValueError("JimengService needs a target or a client")
            client = JimengClient(
                Credentials(
                    target.credentials.get("access_key", ""),
                    target.credentials.get("secret_key", ""),
                ),
                **client_settings(target),
            )
        self.client = client
        self._http = http  # for fetching image URLs mixed with files; made when first needed
        self._own_http = http is None

    def summary(self, request: object) -> RequestSummary:
        return summarize(self.checked(request))

    async def build_body(self, request: object) -> WireBody:
        """Image preflight (ImageError says why an image cannot go) and the exact submit body."""
        req = self.checked(request)
        req.validate()
        images = await prepare_images(req, http=self._get_http())
        body = build_submit_body(req, images)
        return body_with_images(body, images, redact_body(body))

    async def submit(self, body: Mapping[str, object]) -> Submitted:
        result = await self.client.submit(dict(body))
        redacted = body.redacted if isinstance(body, WireBody) else redact_body(dict(body))
        return Submitted(result.task_id, result.request_id or None, redacted)

    async def query(self, task_id: str, request: object) -> TaskView:
        result = await self.client.get_result(self.checked(request).mode_info.req_key, task_id)
        status = STATUSES.get(result.status)
        failure = None
        if status is None:
            status = RemoteStatus.FAILED
            failure = ServiceFailure(
                Outcome.NO_RETRY, "", f"unexpected task status {result.status!r}"
            )
        elif status is RemoteStatus.SUCCEEDED and not result.video_url:
            failure = ServiceFailure(
                Outcome.NO_RETRY, "", "the service finished the task without a video"
            )
        return TaskView(
            task_id=task_id,
            status=status,
            video_url=result.video_url,
            failure=failure,
            request_id=result.request_id or None,
            extra={"status": result.status},
        )

    async def cancel(self, task_id: str) -> bool:
        return False  # Jimeng 3.0 has no cancel: a job is cancelled here only

    async def list_tasks(self, since: float) -> Sequence[TaskView]:
        return []

    def classify(self, exc: BaseException, *, during_submit: bool) -> ServiceFailure:
        """What the engine may do after ``exc``: the error table's retry rule, where a sent
        submit without an answer is UNKNOWN (never sent again)."""
        if isinstance(exc, SubmitOutcomeUnknown):
            return ServiceFailure(Outcome.UNKNOWN, "", str(exc))
        if isinstance(exc, TransportError):
            if during_submit and exc.sent:
                return ServiceFailure(Outcome.UNKNOWN, "", str(exc))
            if during_submit:  # certainly not sent: the job fails, the user can send it again
                return ServiceFailure(Outcome.NO_RETRY, "", f"could not reach the service: {exc}")
            return ServiceFailure(Outcome.RETRY, "", str(exc))
        if isinstance(exc, BusinessError):
            if during_submit:
                outcome = (
                    OUTCOME_OF_RETRY[exc.retry]
                    if exc.code in SUBMIT_SAFE_TO_RESEND
                    else Outcome.NO_RETRY
                )
            else:
                outcome = Outcome.RETRY if exc.code in QUERY_AGAIN else Outcome.NO_RETRY
            return ServiceFailure(
                outcome, str(exc.code), exc.message, exc.hint, exc.request_id or None
            )
        if isinstance(exc, ServiceError):
            return ServiceFailure(
                Outcome.NO_RETRY, str(exc.code), str(exc), exc.hint, exc.request_id or None
            )
        if isinstance(exc, JimengError):
            return ServiceFailure(Outcome.NO_RETRY, "", str(exc))
        return ServiceFailure(Outcome.NO_RETRY, "", f"internal error: {exc!r}")

    def set_limit_listener(self, listener: Callable[[Outcome], None] | None) -> None:
        def on_limit(code: int) -> None:
            info = BUSINESS_ERRORS.get(code)
            if listener is not None and info is not None:
                listener(OUTCOME_OF_RETRY[info.retry])

        self.client._on_limit = on_limit if listener is not None else None

    def _get_http(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(
                transport=http_transport(),
                timeout=httpx.Timeout(60.0, connect=15.0),
                follow_redirects=True,
            )
        return self._http

    async def aclose(self) -> None:
        if self._own_http and self._http is not None:
            await self._http.aclose()
            self._http = None
        await self.client.aclose()
