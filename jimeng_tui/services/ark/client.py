"""The async client for Ark's content-generation tasks (contract sections 1-6).

``Authorization: Bearer <key>`` on every call; the key is never put in a message, a log line or a
repr. The no-duplicate rule: unlike the official SDKs (which re-send a create on 429 and 5xx), a
create is sent again ONLY when the request certainly never left this machine (the connection
failed). Any answer is final for a create: a 429 limit raises ``ArkApiError`` at once (the
engine puts the job back in its queue and slows down through the limit listener), a 5xx answer,
a timeout after sending or an unreadable answer means a task may exist: ``CreateOutcomeUnknown``
(or an ``ArkApiError`` the service classifies as UNKNOWN), never re-sent. Reads (get, list) and
deletes are retried with backoff on 5xx, 429 and transport errors.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from jimeng_tui.domain.errors import JimengError
from jimeng_tui.services import http
from jimeng_tui.services.ark.errors import (
    ArkApiError,
    CreateOutcomeUnknown,
    error_info,
    request_id_of,
)
from jimeng_tui.services.ark.models import DEFAULT_API_URL
from jimeng_tui.services.base import Outcome, TransportError
from jimeng_tui.services.http import DEFAULT_RETRY, RetrySettings

__all__ = ["ArkClient", "Created", "RetrySettings"]
TASKS_PATH = "/contents/generations/tasks"


@dataclass(frozen=True)
class Created:
    task_id: str
    request_id: str | None


class _Unreadable(Exception):
    """An answer that is not Ark's JSON (a proxy page, a cut body…)."""


class ArkClient:
    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = DEFAULT_API_URL,
        timeout: float = 300.0,
        retry: RetrySettings = DEFAULT_RETRY,
        transport: httpx.AsyncBaseTransport | None = None,
        on_limit: Callable[[Outcome], None] | None = None,
    ) -> None:
        http.checked_url(base_url, "Ark URL")
        self.base_url = base_url.rstrip("/")
        self.retry = retry
        self.on_limit = on_limit
        self._http = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 15.0)),
            follow_redirects=False,
            headers={
                "Authorization": f"Bearer {api_key}",
                "Accept": "application/json",
                "User-Agent": http.USER_AGENT,
            },
        )

    def __repr__(self) -> str:  # never the key
        return f"ArkClient(base_url={self.base_url!r})"

    async def aclose(self) -> None:
        await self._http.aclose()

    # ---- one round trip ---------------------------------------------------------------

    def _url(self, task_id: str | None = None) -> str:
        return self.base_url + TASKS_PATH + (f"/{task_id}" if task_id else "")

    def _answer(self, response: httpx.Response) -> dict[str, Any]:
        """The JSON object of a 2xx answer; ArkApiError for an error answer, _Unreadable for
        anything that is not Ark's JSON."""
        try:
            answer = response.json() if response.content else {}
        except (json.JSONDecodeError, UnicodeDecodeError):
            snippet = response.text[:80].strip()
            raise _Unreadable(
                f"HTTP {response.status_code} with a body that is not JSON ({snippet!r})"
            ) from None
        if not isinstance(answer, dict):
            raise _Unreadable(f"HTTP {response.status_code} with unexpected JSON")
        if response.is_success:
            return answer
        error = answer.get("error")
        if not isinstance(error, dict):
            raise _Unreadable(f"HTTP {response.status_code} without an error object")
        message = str(error.get("message") or "")
        failure = ArkApiError(
            response.status_code,
            str(error.get("code") or f"HTTP{response.status_code}"),
            message,
            param=str(error.get("param") or ""),
            error_type=str(error.get("type") or ""),
            request_id=request_id_of(response.headers, message),
        )
        if response.status_code == 429 and self.on_limit is not None:
            info = error_info(failure.code)
            outcome = info.submit if info else Outcome.SLOWER
            if outcome in (Outcome.SLOWER, Outcome.WHEN_TASK_ENDS):
                self.on_limit(outcome)
        raise failure

    async def _read(
        self, method: str, task_id: str | None = None, *, params: Any = None, what: str
    ) -> dict[str, Any]:
        """A get/list/delete, sent again with backoff after 5xx, 429 and transport errors."""
        attempts = max(1, self.retry.attempts)
        last: JimengError | None = None
        for attempt in range(attempts):
            await http.pause_before(self.retry, attempt)
            try:
                extra: dict[str, Any] = {"json": {}} if method == "DELETE" else {}
                response = await self._http.request(
                    method, self._url(task_id), params=params, **extra
                )
                return self._answer(response)
            except http.UNSENDABLE as exc:
                raise http.cannot_send(self.base_url, exc) from None
            except httpx.TransportError as exc:
                last = http.no_answer(what, self.base_url, exc)
            except _Unreadable as exc:
                last = TransportError(f"The {what} got {exc}.", sent=True)
            except ArkApiError as exc:
                if not exc.read_again:
                    raise
                last = exc
        assert last is not None
        raise http.gave_up(last, attempts)

    # ---- the four calls ---------------------------------------------------------------

    async def create(self, body: Mapping[str, object]) -> Created:
        """Create a task. See the module docstring for the one case it is sent again."""
        content = json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json"}
        attempts = max(1, self.retry.attempts)
        for attempt in range(attempts):
            await http.pause_before(self.retry, attempt)
            try:
                response = await self._http.post(self._url(), content=content, headers=headers)
            except http.NOT_SENT as exc:
                if attempt + 1 < attempts:
                    continue
                raise TransportError(
                    f"Could not connect to {self.base_url} ({http.describe(exc)}); the create was "
                    f"not sent (tried {attempts} times).",
                    sent=False,
                ) from None
            except http.UNSENDABLE as exc:
                raise http.cannot_send(self.base_url, exc) from None
            except httpx.TransportError as exc:
                raise CreateOutcomeUnknown(
                    f"The create to {self.base_url} failed after sending ({http.describe(exc)})"
                ) from None
            try:
                answer = self._answer(response)
            except _Unreadable as exc:
                raise CreateOutcomeUnknown(f"The create got {exc}") from None
            task_id = answer.get("id")
            if not isinstance(task_id, str) or not task_id:
                raise CreateOutcomeUnknown("The create was accepted but the answer has no task id")
            return Created(task_id, request_id_of(response.headers))
        raise AssertionError("unreachable")  # the loop returns or raises

    async def get(self, task_id: str) -> dict[str, Any]:
        return await self._read("GET", task_id, what="status query")

    async def list_page(
        self,
        *,
        page_num: int = 1,
        page_size: int = 100,
        status: str | None = None,
        model: str | None = None,
        task_ids: Sequence[str] = (),
    ) -> dict[str, Any]:
        """One page of the account's tasks of the last 7 days (contract section 4)."""
        params: list[tuple[str, str | int]] = [("page_num", page_num), ("page_size", page_size)]
        if status:
            params.append(("filter.status", status))
        if model:
            params.append(("filter.model", model))
        params.extend(("filter.task_ids", task_id) for task_id in task_ids)
        return await self._read("GET", params=params, what="task list")

    async def delete(self, task_id: str) -> None:
        await self._read("DELETE", task_id, what="cancel")
