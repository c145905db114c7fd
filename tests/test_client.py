"""JimengClient: signing on the wire, answer parsing, and what is (never) retried.

Most tests talk to the real sandbox over a loopback socket. Raw asyncio servers stand in for
network failures the sandbox cannot stage at a precise moment, and ``httpx.MockTransport`` is used
only for the error codes the sandbox cannot produce on demand.
"""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import struct
import time
from urllib.parse import parse_qsl

import httpx
import pytest

from jimeng_tui.domain.errors import JimengError
from jimeng_tui.services.jimeng import catalog
from jimeng_tui.services.jimeng.client import JimengClient, RetrySettings, SubmitResult, TaskResult
from jimeng_tui.services.jimeng.errors import (
    BUSINESS_ERRORS,
    GATEWAY_ERRORS,
    BusinessError,
    GatewayError,
    Retry,
    SubmitOutcomeUnknown,
    TransportError,
)
from jimeng_tui.services.jimeng.signing import (
    Credentials,
    compute_signature,
    parse_authorization,
    sha256_hex,
)

SECRET = "SK-very-secret-0123456789"
CREDS = Credentials("AKCLIENTTEST", SECRET)
FAST = RetrySettings(attempts=3, base_delay=0.001, max_delay=0.004)
BODY = {"req_key": "jimeng_t2v_v30", "prompt": "一只猫 🐱", "seed": -1, "frames": 121}
IMAGE_BODY = {
    "req_key": "jimeng_i2v_first_v30",
    "prompt": "p",
    "seed": -1,
    "frames": 121,
    "binary_data_base64": ["QUJDREVGR0g=" * 100],
}
TASK_ID = "7392616336519610409"


def assert_no_secret(*things: object) -> None:
    for thing in things:
        assert SECRET not in str(thing)
        assert SECRET not in repr(thing)


# ---- a mock service that verifies signatures ---------------------------------------------


class MockService:
    """Answers from a script; checks every request is correctly signed."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        verify_signature(request, SECRET)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, BaseException):
            raise answer
        if callable(answer):
            return answer(request)
        status, payload = answer
        if isinstance(payload, bytes | str):
            return httpx.Response(status, content=payload)
        return httpx.Response(status, json=payload)

    def bodies(self) -> list[dict]:
        return [json.loads(r.content) for r in self.requests]

    def actions(self) -> list[str]:
        return [r.url.params["Action"] for r in self.requests]


def verify_signature(request: httpx.Request, secret: str) -> None:
    auth = parse_authorization(request.headers["authorization"])
    headers = {name: request.headers[name] for name in auth.signed_headers}
    assert request.headers["x-content-sha256"] == sha256_hex(request.content)
    expected = compute_signature(
        method=request.method,
        path=request.url.path,
        query=parse_qsl(request.url.query.decode(), keep_blank_values=True),
        headers=headers,
        signed_headers=auth.signed_headers,
        body_hash=sha256_hex(request.content),
        secret_key=secret,
        x_date_value=request.headers["x-date"],
    )
    assert auth.signature == expected


def mock_client(service, *, base_url="http://jimeng.test", **kw) -> JimengClient:
    kw.setdefault("retry", FAST)
    return JimengClient(CREDS, base_url=base_url, transport=httpx.MockTransport(service), **kw)


def ok_submit(task_id=TASK_ID, **extra):
    return (
        200,
        {
            "code": 10000,
            "data": {"task_id": task_id},
            "message": "Success",
            "request_id": "req-1",
            "time_elapsed": "104.85ms",
            **extra,
        },
    )


def ok_query(status="done", video_url="https://cdn.example/v.mp4"):
    data = {"status": status, "aigc_meta_tagged": True}
    if video_url:
        data["video_url"] = video_url
    return (
        200,
        {
            "code": 10000,
            "data": data,
            "message": "Success",
            "request_id": "req-q",
            "status": 10000,
            "time_elapsed": "1ms",
        },
    )


def business(code, message=None):
    info = BUSINESS_ERRORS[code]
    return (
        info.http_status,
        {
            "code": code,
            "data": None,
            "message": message or info.message,
            "request_id": f"req-{code}",
            "status": code,
            "time_elapsed": "1ms",
        },
    )


def gateway(name):
    info = GATEWAY_ERRORS[name]
    return (
        info.http_status,
        {
            "ResponseMetadata": {
                "RequestId": "gw-1",
                "Action": "CVSync2AsyncSubmitTask",
                "Version": "2022-08-31",
                "Service": "cv",
                "Region": "cn-north-1",
                "Error": {"CodeN": info.code_n, "Code": name, "Message": f"{name} happened"},
            }
        },
    )


# ---- wire format --------------------------------------------------------------------------


async def test_submit_is_signed_and_task_id_stays_a_string():
    service = MockService(ok_submit(task_id=int(TASK_ID), status=10000))
    async with mock_client(service, base_url="http://jimeng.test:8443") as client:
        result = await client.submit(BODY)
    assert result == SubmitResult(task_id=TASK_ID, request_id="req-1")
    (request,) = service.requests
    assert request.method == "POST"
    assert request.url.path == "/"
    assert dict(request.url.params) == {"Action": "CVSync2AsyncSubmitTask", "Version": "2022-08-31"}
    assert request.headers["host"] == "jimeng.test:8443"
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == BODY
    assert SECRET not in request.headers["authorization"]
    auth = parse_authorization(request.headers["authorization"])
    assert auth.access_key == "AKCLIENTTEST"
    assert auth.signed_headers == ("content-type", "host", "x-content-sha256", "x-date")


@pytest.mark.parametrize(
    ("base_url", "host"),
    [
        ("https://visual.volcengineapi.com", "visual.volcengineapi.com"),
        ("https://visual.volcengineapi.com:443", "visual.volcengineapi.com"),
        ("http://127.0.0.1:80", "127.0.0.1"),
        ("http://127.0.0.1:8420", "127.0.0.1:8420"),
    ],
)
async def test_host_keeps_only_non_default_ports(base_url, host):
    service = MockService(ok_submit())
    async with mock_client(service, base_url=base_url) as client:
        await client.submit(BODY)
    assert service.requests[0].headers["host"] == host


async def test_clock_is_used_for_x_date():
    from datetime import UTC, datetime

    service = MockService(ok_submit())
    frozen = datetime(2025, 6, 1, 12, 30, 45, tzinfo=UTC)
    async with mock_client(service, clock=lambda: frozen) as client:
        await client.submit(BODY)
    assert service.requests[0].headers["x-date"] == "20250601T123045Z"


async def test_get_result_body_and_answer():
    service = MockService(ok_query())
    async with mock_client(service) as client:
        result = await client.get_result("jimeng_t2v_v30", TASK_ID, req_json='{"aigc_meta": {}}')
    assert isinstance(result, TaskResult)
    assert result.status == "done"
    assert result.video_url == "https://cdn.example/v.mp4"
    assert result.request_id == "req-q"
    assert result.raw["data"]["aigc_meta_tagged"] is True
    assert service.actions() == ["CVSync2AsyncGetResult"]
    assert service.bodies() == [
        {"req_key": "jimeng_t2v_v30", "task_id": TASK_ID, "req_json": '{"aigc_meta": {}}'}
    ]
    assert isinstance(service.bodies()[0]["task_id"], str)


@pytest.mark.parametrize("status", ["in_queue", "generating", "not_found", "expired"])
async def test_get_result_statuses_without_url(status):
    async with mock_client(MockService(ok_query(status, None))) as client:
        result = await client.get_result("jimeng_t2v_v30", TASK_ID)
    assert result.status == status
    assert result.video_url is None


async def test_connections_are_reused(sandbox):
    """Several calls share one keep-alive connection."""
    connections = []

    class Counting(httpx.AsyncHTTPTransport):
        async def handle_async_request(self, request):
            response = await super().handle_async_request(request)
            stream = response.extensions.get("network_stream")
            if stream is not None:
                connections.append(id(stream))
            return response

    server = sandbox
    async with JimengClient(
        server.credentials, base_url=server.base_url, retry=FAST, transport=Counting()
    ) as client:
        result = await client.submit(BODY)
        for _ in range(3):
            await client.get_result(BODY["req_key"], result.task_id)
    assert len(connections) == 4
    assert len(set(connections)) == 1


# ---- the business error table (codes the sandbox cannot stage on demand) -------------------

# Staged by the sandbox in the tests further down; every other code goes through MockTransport.
SANDBOX_CODES = {50411, 50412, 50413, 50215, 50516, 50429, 50430, 50500}
MOCK_CODES = sorted(set(BUSINESS_ERRORS) - SANDBOX_CODES)
SANDBOX_GATEWAY = {"SignatureDoesNotMatch", "InvalidAccessKey", "InvalidTimestamp"}
MOCK_GATEWAY = sorted(set(GATEWAY_ERRORS) - SANDBOX_GATEWAY)


def test_error_tables_are_fully_covered():
    assert set(BUSINESS_ERRORS) >= SANDBOX_CODES
    assert set(MOCK_CODES) | SANDBOX_CODES == set(BUSINESS_ERRORS)
    assert set(MOCK_GATEWAY) | SANDBOX_GATEWAY == set(GATEWAY_ERRORS)


@pytest.mark.parametrize("code", MOCK_CODES)
async def test_every_business_code_maps_to_its_exception(code):
    info = BUSINESS_ERRORS[code]
    seen = []
    service = MockService(business(code))
    async with mock_client(service, on_limit=seen.append) as client:
        with pytest.raises(BusinessError) as submit_error:
            await client.submit(BODY)
        submit_calls = len(service.requests)
        with pytest.raises(BusinessError) as query_error:
            await client.get_result("jimeng_t2v_v30", TASK_ID)
        query_calls = len(service.requests) - submit_calls
    for exc in (submit_error.value, query_error.value):
        assert exc.code == code
        assert exc.http_status == info.http_status
        assert exc.retry is info.retry
        assert exc.retryable is (info.retry is not Retry.NO)
        assert exc.request_id == f"req-{code}"
        assert str(exc).startswith(f"{code} {info.message}")
        assert info.hint in str(exc)
        assert_no_secret(exc)
    retried_by_client = code == 50501
    assert submit_calls == (FAST.attempts if retried_by_client else 1)
    assert query_calls == (FAST.attempts if retried_by_client else 1)
    assert seen == []  # on_limit is only for 50429/50430


async def test_unknown_business_code_keeps_its_message():
    service = MockService((400, {"code": 50999, "message": "Something New", "request_id": "r"}))
    async with mock_client(service) as client:
        with pytest.raises(BusinessError) as info:
            await client.submit(BODY)
    assert info.value.code == 50999
    assert "Something New" in str(info.value)
    assert not info.value.retryable


@pytest.mark.parametrize("code", [50501])
async def test_retryable_submit_codes_then_success(code):
    seen = []
    service = MockService(business(code), business(code), ok_submit())
    async with mock_client(service, on_limit=seen.append) as client:
        result = await client.submit(BODY)
    assert result.task_id == TASK_ID
    assert len(service.requests) == 3
    assert seen == []


@pytest.mark.parametrize("name", MOCK_GATEWAY)
async def test_gateway_envelope(name):
    info = GATEWAY_ERRORS[name]
    service = MockService(gateway(name))
    async with mock_client(service) as client:
        with pytest.raises(GatewayError) as submit_error:
            await client.submit(BODY)
        with pytest.raises(GatewayError) as query_error:
            await client.get_result("k", TASK_ID)
    assert len(service.requests) == 2  # never retried
    for exc in (submit_error.value, query_error.value):
        assert exc.name == name
        assert exc.code == info.code_n
        assert exc.http_status == info.http_status
        assert exc.request_id == "gw-1"
        assert info.hint in str(exc)
        assert not exc.retryable
        assert_no_secret(exc)


# ---- answers that are not the service's ---------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        (200, b"<html>gateway</html>"),
        (200, b""),
        (502, b"Bad Gateway"),
        (200, b'{"code": 10000, "data": {'),
        (200, b"[1, 2]"),
        (200, {"hello": "world"}),
        (200, {"code": 10000, "data": {}, "request_id": "r"}),  # success without a task id
    ],
)
async def test_submit_with_no_usable_answer_is_outcome_unknown(answer):
    service = MockService(answer)
    async with mock_client(service) as client:
        with pytest.raises(SubmitOutcomeUnknown) as info:
            await client.submit(IMAGE_BODY)
    assert len(service.requests) == 1  # never re-sent
    assert info.value.body["binary_data_base64"] == ["<900 bytes>"]
    assert info.value.body["req_key"] == "jimeng_i2v_first_v30"
    assert "not sent again" in str(info.value)
    assert_no_secret(info.value)


async def test_query_with_non_json_is_retried_then_transport_error():
    service = MockService((200, b"<html>oops</html>"))
    async with mock_client(service) as client:
        with pytest.raises(TransportError) as info:
            await client.get_result("k", TASK_ID)
    assert info.value.sent is True
    assert len(service.requests) == FAST.attempts
    assert "not JSON" in str(info.value)


async def test_query_non_json_then_success():
    service = MockService((502, b"Bad Gateway"), ok_query())
    async with mock_client(service) as client:
        result = await client.get_result("k", TASK_ID)
    assert result.status == "done"
    assert len(service.requests) == 2


# ---- transport failures, classified -------------------------------------------------------

NOT_SENT = [httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout]
SENT = [
    httpx.ReadTimeout,
    httpx.ReadError,
    httpx.RemoteProtocolError,
    httpx.WriteError,
    httpx.WriteTimeout,
]


@pytest.mark.parametrize("error", NOT_SENT)
async def test_submit_retries_failures_before_sending(error):
    service = MockService(error("nope"))
    async with mock_client(service) as client:
        with pytest.raises(TransportError) as info:
            await client.submit(BODY)
    assert info.value.sent is False
    assert len(service.requests) == FAST.attempts
    assert f"Tried {FAST.attempts} times" in str(info.value)


@pytest.mark.parametrize("error", NOT_SENT)
async def test_submit_connect_failure_then_success(error):
    service = MockService(error("nope"), ok_submit())
    async with mock_client(service) as client:
        assert (await client.submit(BODY)).task_id == TASK_ID
    assert len(service.requests) == 2


@pytest.mark.parametrize("error", SENT)
async def test_submit_failure_after_sending_is_never_resent(error):
    service = MockService(error("gone"), ok_submit())
    async with mock_client(service) as client:
        with pytest.raises(SubmitOutcomeUnknown) as info:
            await client.submit(IMAGE_BODY)
    assert len(service.requests) == 1
    assert "binary_data_base64" in info.value.body
    assert "QUJD" not in json.dumps(info.value.body)
    assert error.__name__ in str(info.value)


@pytest.mark.parametrize("error", NOT_SENT + SENT)
async def test_get_result_retries_every_transport_failure(error):
    service = MockService(error("flaky"))
    async with mock_client(service) as client:
        with pytest.raises(TransportError) as info:
            await client.get_result("k", TASK_ID)
    assert len(service.requests) == FAST.attempts
    assert info.value.sent is (error in SENT)


async def test_get_result_transport_failure_then_success():
    service = MockService(httpx.ReadTimeout("slow"), httpx.ConnectError("down"), ok_query())
    async with mock_client(service) as client:
        assert (await client.get_result("k", TASK_ID)).status == "done"
    assert len(service.requests) == 3


# ---- backoff ------------------------------------------------------------------------------


def test_full_jitter_bounds():
    settings = RetrySettings(attempts=6, base_delay=0.5, max_delay=8.0)
    for retry_number, cap in [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (9, 8.0)]:
        delays = [settings.delay(retry_number) for _ in range(300)]
        assert all(0.0 <= d <= cap for d in delays)
        assert max(delays) > cap * 0.7  # spread over the whole range, not a fixed step
        assert min(delays) < cap * 0.3


async def test_backoff_waits_between_attempts(monkeypatch):
    """A wait (within the backoff's bounds) between attempts: the waits are recorded, not
    timed, so a loaded machine cannot make this fail."""
    import jimeng_tui.services.jimeng.client as client_module

    events: list[object] = []
    real_sleep = asyncio.sleep

    async def recording_sleep(seconds, *args, **kwargs):
        events.append(seconds)
        await real_sleep(seconds, *args, **kwargs)

    def failing(request):
        events.append("attempt")
        raise httpx.ConnectError("down")

    monkeypatch.setattr(client_module.asyncio, "sleep", recording_sleep)
    retry = RetrySettings(attempts=3, base_delay=0.05, max_delay=0.05)
    async with mock_client(MockService(failing), retry=retry) as client:
        with pytest.raises(TransportError):
            await client.submit(BODY)
    assert events[0::2] == ["attempt"] * 3  # attempt, wait, attempt, wait, attempt
    waits = events[1::2]
    assert len(waits) == 2 and all(0.0 <= w <= 0.05 for w in waits)


def test_repr_and_errors_hide_the_secret():
    client = JimengClient(CREDS, base_url="http://127.0.0.1:9")
    assert_no_secret(client)
    assert "AKCLIENTTEST" in repr(client)


def test_bad_base_url():
    with pytest.raises(JimengError, match="not an http"):
        JimengClient(CREDS, base_url="ftp://example.com")


# ---- real sockets -------------------------------------------------------------------------


class RawServer:
    """A loopback TCP server with a scripted misbehaviour; counts requests it read fully."""

    def __init__(self, behaviour: str):
        self.behaviour = behaviour  # "silent" | "reset"
        self.requests = 0
        self.connections = 0
        self._server: asyncio.base_events.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []

    async def __aenter__(self) -> RawServer:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc) -> None:
        for writer in self._writers:
            writer.close()
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    @property
    def base_url(self) -> str:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.connections += 1
        self._writers.append(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.decode("latin-1").split("\r\n"):
                    if line.lower().startswith("content-length:"):
                        length = int(line.split(":", 1)[1])
                await reader.readexactly(length)
                self.requests += 1
                if self.behaviour == "reset":
                    sock = writer.get_extra_info("socket")
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    writer.transport.abort()
                    return
                # "silent": keep the connection open, never answer
        except (asyncio.IncompleteReadError, ConnectionError):
            return


async def test_read_timeout_on_submit_is_outcome_unknown():
    async with RawServer("silent") as server:
        async with JimengClient(CREDS, base_url=server.base_url, timeout=0.3, retry=FAST) as client:
            with pytest.raises(SubmitOutcomeUnknown) as info:
                await client.submit(BODY)
        await asyncio.sleep(0.05)
        assert server.requests == 1
    assert "ReadTimeout" in str(info.value)
    assert info.value.body == BODY


async def test_read_timeout_on_query_is_retried():
    async with RawServer("silent") as server:
        async with JimengClient(CREDS, base_url=server.base_url, timeout=0.2, retry=FAST) as client:
            with pytest.raises(TransportError) as info:
                await client.get_result("k", TASK_ID)
        await asyncio.sleep(0.05)
        assert server.requests == FAST.attempts
    assert info.value.sent is True


async def test_reset_after_send_on_submit_is_outcome_unknown():
    async with RawServer("reset") as server:
        async with JimengClient(CREDS, base_url=server.base_url, retry=FAST) as client:
            with pytest.raises(SubmitOutcomeUnknown):
                await client.submit(BODY)
        await asyncio.sleep(0.05)
        assert server.requests == 1


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_connection_refused_is_retried_then_not_sent():
    attempts = []

    class Counting(httpx.AsyncHTTPTransport):
        async def handle_async_request(self, request):
            attempts.append(request.url.params["Action"])
            return await super().handle_async_request(request)

    base_url = f"http://127.0.0.1:{closed_port()}"
    async with JimengClient(CREDS, base_url=base_url, retry=FAST, transport=Counting()) as client:
        with pytest.raises(TransportError) as submit_error:
            await client.submit(BODY)
        with pytest.raises(TransportError) as query_error:
            await client.get_result("k", TASK_ID)
    assert attempts == ["CVSync2AsyncSubmitTask"] * 3 + ["CVSync2AsyncGetResult"] * 3
    assert submit_error.value.sent is False
    assert query_error.value.sent is False
    assert "not sent" in str(submit_error.value)
    assert base_url in str(submit_error.value)
    assert_no_secret(submit_error.value, query_error.value)


# ---- against the sandbox ------------------------------------------------------------------
# The sandbox fixture runs the emulator on a loopback port (a non-default port, so the signed
# Host keeps it); speed 10 → a task is done about 0.4 s after submit.

SUBMIT = catalog.ACTION_SUBMIT
QUERY = catalog.ACTION_RESULT


def sandbox_client(server, **kw) -> JimengClient:
    kw.setdefault("retry", FAST)
    kw.setdefault("timeout", 10.0)
    return JimengClient(kw.pop("credentials", server.credentials), base_url=server.base_url, **kw)


async def wait_done(client: JimengClient, req_key: str, task_id: str) -> TaskResult:
    deadline = time.monotonic() + 10
    while True:
        result = await client.get_result(req_key, task_id)
        if result.status not in ("in_queue", "generating") or time.monotonic() > deadline:
            return result
        await asyncio.sleep(0.05)


class FixedDelay(RetrySettings):
    """Deterministic waits, for tests that must outlast a sandbox rate window."""

    def delay(self, retry_number: int) -> float:
        return self.base_delay


async def test_sandbox_round_trip(sandbox):
    async with sandbox_client(sandbox) as client:
        submitted = await client.submit(BODY)
        assert submitted.task_id.isdigit() and len(submitted.task_id) >= 18
        assert submitted.request_id
        first = await client.get_result(BODY["req_key"], submitted.task_id)
        assert first.status in ("in_queue", "generating")
        assert first.video_url is None
        done = await wait_done(client, BODY["req_key"], submitted.task_id)
    assert done.status == "done"
    assert done.video_url and done.video_url.startswith(sandbox.base_url)
    assert sandbox.submitted_bodies() == [BODY]
    assert len(sandbox.requests_for(SUBMIT)) == 1


async def test_sandbox_image_urls_submit(sandbox):
    body = {
        "req_key": "jimeng_i2v_first_tail_v30",
        "prompt": "p",
        "seed": 3,
        "frames": 241,
        "image_urls": [
            sandbox.sample_image_url("landscape.jpg"),
            sandbox.sample_image_url("landscape.jpg"),
        ],
    }
    async with sandbox_client(sandbox) as client:
        submitted = await client.submit(body)
        done = await wait_done(client, body["req_key"], submitted.task_id)
    assert done.status == "done"


async def test_sandbox_unknown_task_is_not_found(sandbox):
    async with sandbox_client(sandbox) as client:
        result = await client.get_result("jimeng_t2v_v30", "1234567890123456789")
    assert result.status == "not_found"
    assert result.video_url is None


@pytest.mark.parametrize(
    ("code", "body"),
    [
        (50412, {**BODY, "prompt": "a cat sandbox-reject"}),
        (50413, {**BODY, "prompt": "sandbox-copyright 米老鼠"}),
        (
            50411,
            {
                "req_key": "jimeng_i2v_first_v30",
                "prompt": "p",
                "image_urls": ["https://img.example/sandbox-risk.jpg"],
            },
        ),
        (50215, {**BODY, "frames": 100}),
    ],
)
async def test_sandbox_submit_rejections_are_not_retried(sandbox, code, body):
    info = BUSINESS_ERRORS[code]
    seen = []
    async with sandbox_client(sandbox, on_limit=seen.append) as client:
        with pytest.raises(BusinessError) as error:
            await client.submit(body)
    assert error.value.code == code
    assert error.value.http_status == info.http_status
    assert error.value.retry is Retry.NO
    assert not error.value.retryable
    assert error.value.request_id
    assert info.hint in str(error.value)
    assert len(sandbox.requests_for(SUBMIT)) == 1
    assert sandbox.submitted_bodies() == []
    assert seen == []
    assert_no_secret(error.value)


async def test_sandbox_magenta_image_data_is_rejected(sandbox):
    async with httpx.AsyncClient() as http:
        raw = (await http.get(sandbox.sample_image_url("magenta-corner.png"))).content
    body = {
        "req_key": "jimeng_i2v_first_v30",
        "prompt": "p",
        "binary_data_base64": [base64.b64encode(raw).decode()],
    }
    async with sandbox_client(sandbox) as client:
        with pytest.raises(BusinessError) as error:
            await client.submit(body)
    assert error.value.code == 50411


async def test_sandbox_wrong_req_key_on_query_is_50215(sandbox):
    async with sandbox_client(sandbox) as client:
        submitted = await client.submit(BODY)
        with pytest.raises(BusinessError) as error:
            await client.get_result("jimeng_t2v_v30_1080p", submitted.task_id)
    assert error.value.code == 50215
    assert len(sandbox.requests_for(QUERY)) == 1


async def test_sandbox_video_review_failure_on_query(sandbox):
    body = {**BODY, "prompt": "sandbox-video-reject a cat"}
    async with sandbox_client(sandbox) as client:
        submitted = await client.submit(body)
        sandbox.advance(5)
        sandbox.clear_requests()
        with pytest.raises(BusinessError) as error:
            await client.get_result(body["req_key"], submitted.task_id)
    assert error.value.code == 50516
    assert error.value.retry is Retry.YES  # the runner may resubmit; the client does not
    assert len(sandbox.requests_for(QUERY)) == 1


async def test_sandbox_concurrency_limit_raised_at_once(sandbox_factory):
    server = sandbox_factory(max_concurrency=1)
    seen = []
    async with sandbox_client(server, on_limit=seen.append) as client:
        await client.submit(BODY)
        with pytest.raises(BusinessError) as error:
            await client.submit({**BODY, "prompt": "second"})
    assert error.value.code == 50430
    assert error.value.http_status == 429
    assert error.value.retry is Retry.WHEN_TASK_ENDS
    assert seen == [50430]
    assert len(server.requests_for(SUBMIT)) == 2  # the limited one was not repeated
    assert len(server.submitted_bodies()) == 1


async def test_sandbox_rate_limit_exhausts_retries(sandbox_factory):
    server = sandbox_factory(qps=0.5)
    seen = []
    async with sandbox_client(server, on_limit=seen.append) as client:
        await client.submit(BODY)
        with pytest.raises(BusinessError) as error:
            await client.submit(BODY)
    assert error.value.code == 50429
    assert error.value.retry is Retry.SLOWER
    assert seen == [50429] * FAST.attempts
    assert len(server.requests_for(SUBMIT)) == 1 + FAST.attempts
    assert len(server.submitted_bodies()) == 1


async def test_sandbox_rate_limit_retried_until_success(sandbox_factory):
    server = sandbox_factory(qps=2)  # a burst of 2, then one request every 0.5 s
    seen = []
    retry = FixedDelay(attempts=6, base_delay=0.2, max_delay=0.2)
    async with sandbox_client(server, on_limit=seen.append, retry=retry) as client:
        results = [await client.submit({**BODY, "seed": n}) for n in range(3)]
    assert len({r.task_id for r in results}) == 3
    assert seen and set(seen) == {50429}
    assert len(server.submitted_bodies()) == 3
    assert len(server.requests_for(SUBMIT)) == 3 + len(seen)


async def test_sandbox_50500_on_submit_retried_and_succeeds(sandbox):
    sandbox.inject("fail", 2, "submit")
    async with sandbox_client(sandbox) as client:
        submitted = await client.submit(BODY)
    submits = sandbox.requests_for(SUBMIT)
    assert [r.get("code") for r in submits] == [50500, 50500, 10000]
    assert sandbox.submitted_bodies() == [BODY]
    assert submits[-1]["task_id"] == submitted.task_id


async def test_sandbox_50500_every_time_gives_up(sandbox):
    sandbox.inject("fail", 10, "submit")
    async with sandbox_client(sandbox) as client:
        with pytest.raises(BusinessError) as error:
            await client.submit(BODY)
    assert error.value.code == 50500
    assert error.value.retryable
    assert len(sandbox.requests_for(SUBMIT)) == FAST.attempts
    assert sandbox.submitted_bodies() == []


async def test_sandbox_reset_after_valid_submit_creates_exactly_one_task(sandbox):
    sandbox.inject("reset", 1, "submit")
    async with sandbox_client(sandbox) as client:
        with pytest.raises(SubmitOutcomeUnknown) as error:
            await client.submit(BODY)
    assert error.value.body == BODY
    assert len(sandbox.requests_for(SUBMIT)) == 1
    assert sandbox.submitted_bodies() == [BODY]


async def test_sandbox_slow_submit_times_out_as_outcome_unknown(sandbox):
    sandbox.set_faults(slow_seconds=0.8)
    sandbox.inject("slow", 1, "submit")
    async with sandbox_client(sandbox, timeout=0.3) as client:
        with pytest.raises(SubmitOutcomeUnknown) as error:
            await client.submit(BODY)
    assert "ReadTimeout" in str(error.value)
    assert sandbox.submitted_bodies() == [BODY]
    assert len(sandbox.requests_for(SUBMIT)) <= 1  # the slow one logs once it answers


@pytest.mark.parametrize("kind", ["fail", "reset", "slow"])
async def test_sandbox_get_result_retries(sandbox, kind):
    sandbox.set_faults(slow_seconds=0.8)
    async with sandbox_client(sandbox, timeout=0.3) as client:
        submitted = await client.submit(BODY)
        sandbox.inject(kind, 2, "query")
        result = await client.get_result(BODY["req_key"], submitted.task_id)
    assert result.status in ("in_queue", "generating", "done")
    assert sandbox.submitted_bodies() == [BODY]


async def test_sandbox_get_result_gives_up_after_attempts(sandbox):
    async with sandbox_client(sandbox) as client:
        submitted = await client.submit(BODY)
        sandbox.inject("reset", 10, "query")
        with pytest.raises(TransportError) as error:
            await client.get_result(BODY["req_key"], submitted.task_id)
    assert error.value.sent is True
    assert f"Tried {FAST.attempts} times" in str(error.value)


async def test_sandbox_wrong_secret(sandbox):
    wrong = Credentials(sandbox.credentials.access_key, SECRET)
    async with sandbox_client(sandbox, credentials=wrong) as client:
        with pytest.raises(GatewayError) as error:
            await client.submit(BODY)
        with pytest.raises(GatewayError) as query_error:
            await client.get_result("jimeng_t2v_v30", TASK_ID)
    for exc in (error.value, query_error.value):
        assert exc.name == "SignatureDoesNotMatch"
        assert exc.code == 100010
        assert exc.http_status == 401
        assert "secret key does not match" in str(exc)
        assert not exc.retryable
        assert_no_secret(exc)
        assert sandbox.options.secret_key not in str(exc)
    assert len(sandbox.requests) == 2  # not retried
    assert sandbox.submitted_bodies() == []


async def test_sandbox_unknown_access_key(sandbox):
    stranger = Credentials("AKNOBODY", sandbox.credentials.secret_key)
    async with sandbox_client(sandbox, credentials=stranger) as client:
        with pytest.raises(GatewayError) as error:
            await client.submit(BODY)
    assert error.value.name == "InvalidAccessKey"
    assert error.value.code == 100009
    assert error.value.http_status == 401
    assert len(sandbox.requests) == 1


async def test_sandbox_clock_skew(sandbox):
    from datetime import UTC, datetime, timedelta

    def late():
        return datetime.now(UTC) - timedelta(hours=1)

    async with sandbox_client(sandbox, clock=late) as client:
        with pytest.raises(GatewayError) as error:
            await client.submit(BODY)
    assert error.value.name == "InvalidTimestamp"
    assert error.value.http_status == 400
    assert "clock" in str(error.value)
