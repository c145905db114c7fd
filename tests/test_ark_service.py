"""The Ark service through the ``Service`` protocol, against ``httpx.MockTransport`` standing in
for the live service (the loopback emulator is tested end to end after the merge): the wire
calls, the contract's error table, the no-duplicate rule, statuses, cancel per status and the
task list. Counted: how many requests the "service" received."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

import httpx
import pytest

from jimeng_tui.domain.errors import JimengError
from jimeng_tui.services.ark.client import ArkClient, RetrySettings
from jimeng_tui.services.ark.errors import ArkApiError
from jimeng_tui.services.ark.service import ArkService
from jimeng_tui.services.base import Outcome, RemoteStatus, Service, Target

KEY = "ark-secret-key-0123456789"
BASE = "https://ark.example.com/api/v3"
TASKS = "/api/v3/contents/generations/tasks"
FAST = RetrySettings(attempts=3, base_delay=0.001, max_delay=0.002)
RID = "021777221411142d7af947c1ba7087bbc51da73d8efb12cc57108"
BODY = {"model": "doubao-seedance-2-0-260128", "content": [{"type": "text", "text": "x"}]}

Answer = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


class FakeArk:
    """Answers requests in order (the last answer repeats) and keeps every request."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(request)
        return answer

    def service(self) -> ArkService:
        client = ArkClient(KEY, base_url=BASE, retry=FAST, transport=httpx.MockTransport(self))
        return ArkService(client=client)


def error(status: int, code: str, message: str = "bad", **headers: str) -> httpx.Response:
    body = {"error": {"code": code, "message": message, "param": "", "type": "X"}}
    return httpx.Response(status, json=body, headers=headers)


def task(status: str, **fields) -> httpx.Response:
    return httpx.Response(200, json={"id": "cgt-1", "status": status, **fields})


async def submit_failure(fake: FakeArk):
    service = fake.service()
    try:
        with pytest.raises(JimengError) as caught:
            await service.submit(BODY)
        return service.classify(caught.value, during_submit=True), caught.value
    finally:
        await service.aclose()


def test_ark_service_is_a_service():
    service = FakeArk(httpx.Response(200, json={})).service()
    assert isinstance(service, Service)
    assert KEY not in repr(service)


async def test_create_posts_the_body_with_the_bearer_key_and_returns_the_task_id():
    fake = FakeArk(
        httpx.Response(
            200, json={"id": "cgt-20260312231129-7db6s"}, headers={"x-request-id": "rid-1"}
        )
    )
    service = fake.service()
    submitted = await service.submit(BODY)
    await service.aclose()
    assert (submitted.task_id, submitted.request_id) == ("cgt-20260312231129-7db6s", "rid-1")
    (request,) = fake.requests
    assert (request.method, request.url.path) == ("POST", TASKS)
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == BODY


async def test_the_sent_body_kept_for_the_job_has_no_image_data():
    fake = FakeArk(httpx.Response(200, json={"id": "t"}))
    image = {"type": "image_url", "image_url": {"url": "data:image/png;base64,QUJD"}}
    service = fake.service()
    submitted = await service.submit({**BODY, "content": [*BODY["content"], image]})
    await service.aclose()
    assert "QUJD" in fake.requests[0].content.decode()
    assert submitted.sent_body["content"][1]["image_url"]["url"] == (
        "data:image/png;base64,<3 bytes>"
    )


async def test_a_500_on_create_is_unknown_after_exactly_one_request():
    fake = FakeArk(error(500, "InternalServiceError", f"oops. Request id: {RID}"))
    failure, _ = await submit_failure(fake)
    assert len(fake.requests) == 1
    assert failure.outcome is Outcome.UNKNOWN
    assert failure.request_id == RID


async def test_a_timeout_after_sending_a_create_is_unknown_after_one_request():
    fake = FakeArk(httpx.ReadTimeout("read timed out"))
    failure, exc = await submit_failure(fake)
    assert len(fake.requests) == 1
    assert failure.outcome is Outcome.UNKNOWN
    assert "not sent again" in str(exc)


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, text="<html>proxy</html>"),
        httpx.Response(200, json={"no": "id"}),
        httpx.Response(502, text="Bad gateway"),
    ],
)
async def test_an_unreadable_answer_to_a_create_is_unknown_and_not_resent(answer):
    fake = FakeArk(answer)
    failure, _ = await submit_failure(fake)
    assert (len(fake.requests), failure.outcome) == (1, Outcome.UNKNOWN)


async def test_a_refused_connection_is_retried_because_no_task_can_exist():
    fake = FakeArk(httpx.ConnectError("connection refused"), httpx.Response(200, json={"id": "t"}))
    service = fake.service()
    assert (await service.submit(BODY)).task_id == "t"
    await service.aclose()
    assert len(fake.requests) == 2


async def test_a_connection_never_made_fails_the_submit_as_not_sent():
    fake = FakeArk(httpx.ConnectError("connection refused"))
    failure, exc = await submit_failure(fake)
    assert len(fake.requests) == FAST.attempts
    assert failure.outcome is Outcome.NO_RETRY  # nothing was made: the user may send it again
    assert "not sent" in str(exc)


@pytest.mark.parametrize(
    ("status", "code", "outcome", "hint"),
    [
        (400, "MissingParameter.content", Outcome.NO_RETRY, "missing"),
        (400, "InvalidParameter", Outcome.NO_RETRY, "refused a field"),
        (400, "InvalidImageURL.InvalidFormat", Outcome.NO_RETRY, "image link"),
        (400, "InputTextSensitiveContentDetected", Outcome.NO_RETRY, "reword"),
        (400, "InputImageSensitiveContentDetected.PrivacyInformation", Outcome.NO_RETRY, "face"),
        (400, "OutputVideoSensitiveContentDetected", Outcome.NO_RETRY, "change the prompt"),
        (400, "ContentSecurityDetectionError", Outcome.RETRY, "again"),
        (401, "AuthenticationError", Outcome.NO_RETRY, "ARK_API_KEY"),
        (403, "AccessDenied", Outcome.NO_RETRY, "may not use"),
        (403, "OperationDenied.ServiceNotOpen", Outcome.NO_RETRY, "not activated"),
        (403, "AccountOverdueError", Outcome.NO_RETRY, "overdue"),
        (404, "InvalidEndpointOrModel.NotFound", Outcome.NO_RETRY, "dated model id"),
        (404, "ModelNotOpen", Outcome.NO_RETRY, "Enable"),
        (429, "RateLimitExceeded.EndpointRPMExceeded", Outcome.SLOWER, "per minute"),
        (429, "ModelAccountRpmRateLimitExceeded", Outcome.SLOWER, "per minute"),
        (429, "ServerOverloaded", Outcome.SLOWER, "slowing"),
        (429, "QuotaExceeded", Outcome.WHEN_TASK_ENDS, "120 queued"),
        (429, "InflightBatchsizeExceeded", Outcome.WHEN_TASK_ENDS, "waiting"),
        (429, "SetLimitExceeded", Outcome.NO_RETRY, "console"),
        (429, "SomeNewLimit", Outcome.SLOWER, ""),
        (500, "InternalServiceError", Outcome.UNKNOWN, "failed"),
        (503, "ServiceUnavailable", Outcome.UNKNOWN, ""),
    ],
)
async def test_the_error_table_decides_what_the_engine_may_do_after_a_create(
    status, code, outcome, hint
):
    fake = FakeArk(error(status, code, f"nope. Request id: {RID}"))
    limits: list[Outcome] = []
    service = fake.service()
    service.set_limit_listener(limits.append)
    with pytest.raises(ArkApiError) as caught:
        await service.submit(BODY)
    await service.aclose()
    failure = service.classify(caught.value, during_submit=True)
    assert len(fake.requests) == 1  # a create is never re-sent by the client
    assert (failure.outcome, failure.code, failure.request_id) == (outcome, code, RID)
    assert hint in failure.hint
    assert str(status) in failure.message
    expected_limit = [outcome] if outcome in (Outcome.SLOWER, Outcome.WHEN_TASK_ENDS) else []
    assert limits == expected_limit


async def test_reads_are_retried_on_5xx_429_and_transport_errors():
    fake = FakeArk(
        error(500, "InternalServiceError"),
        error(429, "ServerOverloaded"),
        httpx.ReadTimeout("slow"),
        task("running"),
    )
    service = fake.service()
    limits: list[Outcome] = []
    service.set_limit_listener(limits.append)
    service.client.retry = RetrySettings(attempts=4, base_delay=0.001, max_delay=0.001)
    view = await service.query("cgt-1", None)
    await service.aclose()
    assert view.status is RemoteStatus.RUNNING
    assert limits == [Outcome.SLOWER]  # the engine's throttle hears of limits it never saw
    assert [r.url.path for r in fake.requests] == [f"{TASKS}/cgt-1"] * 4


async def test_a_read_that_keeps_failing_is_retry_for_the_engine_and_4xx_is_final():
    fake = FakeArk(error(500, "InternalServiceError"))
    service = fake.service()
    with pytest.raises(ArkApiError) as caught:
        await service.query("cgt-1", None)
    assert service.classify(caught.value, during_submit=False).outcome is Outcome.RETRY
    assert len(fake.requests) == FAST.attempts
    fake.answers = [error(401, "AuthenticationError")]
    fake.requests.clear()
    with pytest.raises(ArkApiError) as caught:
        await service.query("cgt-1", None)
    assert service.classify(caught.value, during_submit=False).outcome is Outcome.NO_RETRY
    assert len(fake.requests) == 1
    await service.aclose()


async def test_a_finished_task_gives_video_last_frame_tokens_and_sound():
    fake = FakeArk(
        task(
            "succeeded",
            model="doubao-seedance-2-0-260128",
            content={"video_url": "https://v/x.mp4", "last_frame_url": "https://v/x.png"},
            usage={"completion_tokens": 108900, "total_tokens": 108900},
            created_at=1779348818,
            generate_audio=True,
            framespersecond=24,
            duration=5,
        )
    )
    service = fake.service()
    view = await service.query("cgt-1", None)
    await service.aclose()
    assert view.status is RemoteStatus.SUCCEEDED and view.failure is None
    assert (view.video_url, view.last_frame_url) == ("https://v/x.mp4", "https://v/x.png")
    assert view.usage_tokens == 108900
    assert view.created_at == 1779348818.0
    assert view.extra["status"] == "succeeded"
    assert view.extra["has_audio"] is True


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("queued", RemoteStatus.QUEUED),
        ("running", RemoteStatus.RUNNING),
        ("cancelled", RemoteStatus.CANCELLED),
        ("expired", RemoteStatus.EXPIRED),
        ("failed", RemoteStatus.FAILED),
        ("weird", RemoteStatus.FAILED),
    ],
)
async def test_every_status_word_maps(word, status):
    service = FakeArk(task(word)).service()
    view = await service.query("cgt-1", None)
    await service.aclose()
    assert (view.status, view.extra["status"]) == (status, word)


async def test_a_failed_task_carries_its_code_and_hint():
    failed = task("failed", error={"code": "OutputVideoSensitiveContentDetected", "message": "m"})
    service = FakeArk(failed).service()
    view = await service.query("cgt-1", None)
    await service.aclose()
    assert view.failure is not None
    assert (view.failure.code, view.failure.message) == ("OutputVideoSensitiveContentDetected", "m")
    assert "not billed" in view.failure.hint


async def test_a_task_the_service_no_longer_knows_is_expired():
    service = FakeArk(error(404, "NotFound.TaskId")).service()
    view = await service.query("cgt-1", None)
    await service.aclose()
    assert view.status is RemoteStatus.EXPIRED


async def test_cancel_deletes_a_queued_task_only():
    fake = FakeArk(task("queued"), httpx.Response(200, json={}))
    service = fake.service()
    assert await service.cancel("cgt-1") is True
    assert [r.method for r in fake.requests] == ["GET", "DELETE"]
    for word in ("running", "succeeded", "failed", "expired"):
        fake.answers, fake.requests = [task(word)], []
        assert await service.cancel("cgt-1") is False
        assert [r.method for r in fake.requests] == ["GET"]  # a DELETE would erase the record
    await service.aclose()


async def test_cancel_that_lost_the_race_to_running_says_so():
    fake = FakeArk(task("queued"), error(409, "TaskRunningCannotCancel"), task("running"))
    service = fake.service()
    assert await service.cancel("cgt-1") is False
    await service.aclose()
    assert [r.method for r in fake.requests] == ["GET", "DELETE", "GET"]


async def test_list_tasks_reads_every_page_since_the_time():
    def page(request: httpx.Request) -> httpx.Response:
        number = int(request.url.params["page_num"])
        size = int(request.url.params["page_size"])
        ids = range((number - 1) * size, min(number * size, 150))
        items = [
            {
                "id": f"cgt-{i}",
                "status": "succeeded",
                "created_at": 1000 + i,
                "content": {"video_url": f"https://v/{i}"},
            }
            for i in ids
        ]
        return httpx.Response(200, json={"total": 150, "items": items})

    fake = FakeArk(page)
    service = fake.service()
    views = await service.list_tasks(since=1100)
    await service.aclose()
    assert [r.url.params["page_num"] for r in fake.requests] == ["1", "2"]
    assert [v.task_id for v in views] == [f"cgt-{i}" for i in range(100, 150)]
    assert all(v.video_url for v in views)


async def test_the_key_never_appears_in_messages_or_logs(caplog):
    caplog.set_level(logging.DEBUG)
    fake = FakeArk(error(401, "AuthenticationError", "the key is wrong"))
    failure, exc = await submit_failure(fake)
    assert KEY not in str(exc) + repr(exc) + failure.message + failure.hint
    assert KEY not in caplog.text
    service = fake.service()
    assert KEY not in repr(service) + repr(service.client)
    await service.aclose()


async def test_the_service_is_made_from_a_target():
    service = ArkService(Target(BASE, {"api_key": KEY}, retries=2))
    assert service.endpoint == BASE
    assert service.client.retry.attempts == 2
    await service.aclose()
