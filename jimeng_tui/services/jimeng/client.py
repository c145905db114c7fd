"""The async client for CVSync2AsyncSubmitTask / CVSync2AsyncGetResult.

One ``httpx.AsyncClient`` (connections are reused), every request signed afresh. Answers become
results or exceptions from ``errors.py``; retries follow the error table with exponential backoff
and full jitter. A submit is re-sent only when the service cannot have created a task: the
connection failed before the request left, or the answer was 50429/50500/50501. A submit that was
sent and got no answer raises ``SubmitOutcomeUnknown`` and is never re-sent.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx

from jimeng_tui.domain.errors import JimengError
from jimeng_tui.services import http
from jimeng_tui.services.http import DEFAULT_RETRY, RetrySettings
from jimeng_tui.services.jimeng import catalog
from jimeng_tui.services.jimeng.errors import (
    SUCCESS_CODE,
    BusinessError,
    GatewayError,
    SubmitOutcomeUnknown,
    TransportError,
)
from jimeng_tui.services.jimeng.request import redact_body
from jimeng_tui.services.jimeng.signing import Credentials, sign_request

LIMIT_CODES = frozenset({50429, 50430})
# Codes a request may be retried on by the client itself (50430 is the runner's to handle).
RETRY_CODES = frozenset({50429, 50500, 50501})
T = TypeVar("T")


# Requests beyond this many wait on a semaphore (a cheap wake-up) rather than in httpcore's pool,
# whose queue is rescanned on every connection event: with hundreds of jobs polling, that scan
# cost more CPU than the requests themselves.
MAX_REQUESTS_IN_FLIGHT = 32


def http_transport() -> httpx.AsyncHTTPTransport:
    """A connection pool with Nagle's algorithm off: a POST's headers and body go out at once
    instead of waiting ~40 ms for the delayed ACK of the first segment."""
    return httpx.AsyncHTTPTransport(
        socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)],
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=50),
    )


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class SubmitResult:
    task_id: str
    request_id: str


@dataclass(frozen=True, slots=True)
class TaskResult:
    status: str
    video_url: str | None
    request_id: str
    raw: dict[str, Any] = field(repr=False)


class _AskAgain(Exception):
    """An answer that is not final (a status query without a status): ask again."""

    def __init__(self, error: JimengError):
        self.error = error
        super().__init__(str(error))


class _NoJson(Exception):
    """The answer was not the service's JSON (a proxy page, a cut body, ...)."""

    def __init__(self, response: httpx.Response, detail: str):
        self.response = response
        self.detail = detail
        super().__init__(detail)


class JimengClient:
    def __init__(
        self,
        credentials: Credentials,
        *,
        base_url: str = catalog.DEFAULT_API_URL,
        timeout: float = 300.0,
        retry: RetrySettings = DEFAULT_RETRY,
        clock: Callable[[], datetime] = utc_now,
        transport: httpx.AsyncBaseTransport | None = None,
        on_limit: Callable[[int], None] | None = None,
    ):
        url = http.checked_url(base_url, "API URL")
        self._credentials = credentials
        self.base_url = base_url
        self.retry = retry
        self.timeout = timeout
        self._clock = clock
        self._on_limit = on_limit
        self._url = url
        self._path = url.path or "/"
        self.host = url.netloc.decode("ascii")  # keeps a non-default port
        self._request_slots = asyncio.Semaphore(MAX_REQUESTS_IN_FLIGHT)
        self._http = httpx.AsyncClient(
            transport=transport or http_transport(),
            timeout=httpx.Timeout(timeout, connect=min(timeout, 15.0)),
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return (
            f"JimengClient(base_url={self.base_url!r}, access_key={self._credentials.access_key!r})"
        )

    @property
    def access_key(self) -> str:
        return self._credentials.access_key

    async def __aenter__(self) -> JimengClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # ---- one round trip ---------------------------------------------------------------

    async def _post(self, action: str, body: dict[str, Any]) -> httpx.Response:
        """Sign and send; raises httpx exceptions as they come."""
        content = json.dumps(body).encode("utf-8")
        query = {"Action": action, "Version": catalog.API_VERSION}
        headers = sign_request(
            method="POST",
            path=self._path,
            query=query,
            host=self.host,
            body=content,
            credentials=self._credentials,
            now=self._clock(),
        )
        headers["User-Agent"] = http.USER_AGENT
        async with self._request_slots:
            return await self._http.post(
                self._url.copy_with(params=query), content=content, headers=headers
            )

    def _parse(self, response: httpx.Response) -> dict[str, Any]:
        """The ``data`` of a success answer; raises ServiceError or _NoJson."""
        try:
            answer = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            snippet = response.text[:80].strip() if response.content else ""
            raise _NoJson(
                response,
                f"HTTP {response.status_code} with a body that is not JSON"
                + (f" ({snippet!r})" if snippet else " (empty)"),
            ) from None
        if not isinstance(answer, dict):
            raise _NoJson(response, f"HTTP {response.status_code} with unexpected JSON")
        meta = answer.get("ResponseMetadata")
        if isinstance(meta, dict) and isinstance(meta.get("Error"), dict):
            error = meta["Error"]
            raise GatewayError(
                str(error.get("Code") or "UnknownGatewayError"),
                _int(error.get("CodeN"), 0) or 0,
                str(error.get("Message") or ""),
                http_status=response.status_code,
                request_id=str(meta.get("RequestId") or ""),
            )
        code = _int(answer.get("code"), None)
        request_id = str(answer.get("request_id") or "")
        if code is None:
            raise _NoJson(response, f"HTTP {response.status_code} with JSON that has no code")
        if code != SUCCESS_CODE:
            error = BusinessError.from_answer(
                code, str(answer.get("message") or ""), response.status_code, request_id
            )
            if code in LIMIT_CODES and self._on_limit is not None:
                self._on_limit(code)
            raise error
        data = answer.get("data")
        return {"data": data if isinstance(data, dict) else {}, "answer": answer}

    # ---- the two actions --------------------------------------------------------------

    async def _call(
        self,
        action: str,
        body: dict[str, Any],
        read: Callable[[dict[str, Any]], T],
        *,
        lost: Callable[[str], JimengError] | None,
        what: str,
    ) -> T:
        """Send ``action`` until ``read`` accepts an answer, with backoff between attempts.

        A request that certainly never left, or got 50429/50500/50501, is sent again. ``lost``
        says what a request that was sent and got no usable answer raises at once (a submit:
        SubmitOutcomeUnknown, never re-sent); without it (a safe read) it is sent again too.
        ``read`` raises ``_AskAgain`` for an answer to ask again after."""
        attempts = max(1, self.retry.attempts)
        last: JimengError | None = None
        not_sent = "; the request was not sent." if lost is not None else "."
        for attempt in range(attempts):
            await http.pause_before(self.retry, attempt)
            try:
                response = await self._post(action, body)
            except http.NOT_SENT as exc:
                last = TransportError(
                    f"Could not connect to {self.base_url} ({http.describe(exc)}){not_sent}",
                    sent=False,
                )
                continue
            except http.UNSENDABLE as exc:
                raise http.cannot_send(self.base_url, exc) from None
            except httpx.TransportError as exc:
                if lost is not None:
                    raise lost(
                        f"Submit to {self.base_url} failed after sending ({http.describe(exc)})"
                    ) from None
                last = http.no_answer(what, self.base_url, exc)  # sent: NOT_SENT is caught above
                continue
            try:
                return read(self._parse(response))
            except _NoJson as exc:
                if lost is not None:
                    raise lost(
                        f"The submit got an answer that is not the service's ({exc.detail})"
                    ) from None
                last = TransportError(f"The {what} got {exc.detail}.", sent=True)
            except _AskAgain as exc:
                last = exc.error
            except BusinessError as exc:
                if exc.code not in RETRY_CODES:
                    raise
                last = exc
        assert last is not None
        raise http.gave_up(last, attempts)

    # ---- the two actions --------------------------------------------------------------

    async def submit(self, body: dict[str, Any]) -> SubmitResult:
        """Submit a task. See the module docstring for what is retried."""

        def lost(message: str) -> JimengError:
            return SubmitOutcomeUnknown(message, body=redact_body(body))

        def read(parsed: dict[str, Any]) -> SubmitResult:
            task_id = parsed["data"].get("task_id")
            if task_id is None or str(task_id) == "":
                raise lost("The submit was accepted (code 10000) but the answer carries no task id")
            return SubmitResult(
                task_id=str(task_id), request_id=str(parsed["answer"].get("request_id") or "")
            )

        return await self._call(catalog.ACTION_SUBMIT, body, read, lost=lost, what="submit")

    async def get_result(
        self, req_key: str, task_id: str, *, req_json: str | None = None
    ) -> TaskResult:
        """Query a task; transport errors, 50429, 50500 and 50501 are retried with backoff."""
        body: dict[str, Any] = {"req_key": req_key, "task_id": str(task_id)}
        if req_json is not None:
            body["req_json"] = req_json

        def read(parsed: dict[str, Any]) -> TaskResult:
            data = parsed["data"]
            answer = parsed["answer"]
            status = str(data.get("status") or "")
            if not status:
                raise _AskAgain(
                    TransportError("The status query answer carries no status.", sent=True)
                )
            video_url = data.get("video_url") or None
            return TaskResult(
                status=status,
                video_url=str(video_url) if video_url else None,
                request_id=str(answer.get("request_id") or ""),
                raw=answer,
            )

        return await self._call(catalog.ACTION_RESULT, body, read, lost=None, what="status query")


def _int(value: Any, default: int | None) -> int | None:
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return default


__all__ = [
    "JimengClient",
    "RetrySettings",
    "SubmitResult",
    "TaskResult",
    "utc_now",
]
