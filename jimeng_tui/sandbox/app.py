"""The Jimeng Video 3.0 service, run locally and strictly (Starlette).

Routes:
- ``POST /?Action=CVSync2AsyncSubmitTask|CVSync2AsyncGetResult&Version=2022-08-31`` — the API,
  behind a gateway that verifies the HMAC-SHA256 v4 signature with
  ``jimeng_tui.services.jimeng.signing``.
- ``GET|HEAD /video/{task_id}.mp4?expires=…&signature=…`` — the pre-signed video link (Range, ETag).
- ``GET /samples/{name}`` — generated input images; ``GET /healthz``.

All state lives in :class:`SandboxState` (``app.state.sandbox``); the test thread may change its
faults and clock while the server runs (its mutations take ``state.lock``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import random
import secrets
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import formatdate
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from jimeng_tui.sandbox import samples, validate
from jimeng_tui.sandbox.options import (
    MAX_CLOCK_SKEW_S,
    VIDEO_RISK_WORD,
    SandboxOptions,
)
from jimeng_tui.sandbox.tasks import Task, TaskFile
from jimeng_tui.sandbox.video import ClipCache, ClipSpec, free_box, size_for
from jimeng_tui.services.jimeng import catalog
from jimeng_tui.services.jimeng.errors import BUSINESS_ERRORS, GATEWAY_ERRORS, SUCCESS_CODE
from jimeng_tui.services.jimeng.request import redact_body
from jimeng_tui.services.jimeng.signing import (
    canonical_host,
    compute_signature,
    parse_authorization,
    parse_x_date,
    sha256_hex,
)

FAULT_KINDS: tuple[str, ...] = ("fail", "reset", "slow", "truncate")
ACTIONS = {catalog.ACTION_SUBMIT: "submit", catalog.ACTION_RESULT: "query"}
CHUNK = 1024 * 1024  # bytes per body send: fewer, larger sends keep the server's CPU low
_ZEROS = bytes(CHUNK)  # one padding chunk, sent again and again

GATEWAY_MESSAGES = {
    "MissingAuthenticationToken": "The request must contain an Authorization header.",
    "MissingSignature": "The Authorization header is malformed: {detail}.",
    "InvalidTimestamp": "{detail}",
    "InvalidActionOrVersion": "Could not find operation {action} for version {version}.",
    "InvalidAccessKey": "The access key {detail} does not exist.",
    "SignatureDoesNotMatch": (
        "The request signature we calculated does not match the signature you provided. "
        "Check your Secret Access Key and signing method. ({detail})"
    ),
}


# ---------------------------------------------------------------- state


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class SandboxState:
    options: SandboxOptions
    tasks: dict[str, Task] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    clock_offset: float = 0.0

    def __post_init__(self) -> None:
        o = self.options
        self.lock = threading.RLock()
        self.rng = random.Random(o.seed)
        self.rates = {kind: getattr(o, f"{kind}_rate") for kind in FAULT_KINDS}
        self.slow_seconds = o.slow_seconds
        self.large_file_bytes = o.large_file_bytes
        self.max_concurrency = o.max_concurrency
        self.qps = o.qps
        self.pending: dict[tuple[str, str | None], int] = {}
        self.buckets: dict[str, _Bucket] = {}
        self.clips = ClipCache(o.cache_dir)
        self.link_secret = secrets.token_bytes(32)
        self._log_lock = threading.Lock()
        self.task_file = TaskFile(o.task_file, o.task_s) if o.task_file else None
        if self.task_file is not None:
            kept, link_key = self.task_file.load(self.now())
            self.tasks.update(kept)
            self.link_secret = link_key or self.link_secret

    # clocks -------------------------------------------------------------
    def now(self) -> float:
        """The sandbox clock (wall time plus whatever ``advance`` added)."""
        return time.time() + self.clock_offset

    def advance(self, seconds: float) -> None:
        with self.lock:
            self.clock_offset += seconds

    # faults -------------------------------------------------------------
    def set_faults(self, **changes: Any) -> None:
        """Change fault settings at runtime: fail_rate, reset_rate, slow_rate, truncate_rate,
        slow_seconds, large_file_bytes, max_concurrency, qps."""
        with self.lock:
            for name, value in changes.items():
                kind = name.removesuffix("_rate")
                if name.endswith("_rate") and kind in FAULT_KINDS:
                    if not 0.0 <= value <= 1.0:
                        raise ValueError(f"{name} must be between 0 and 1")
                    self.rates[kind] = float(value)
                elif name in ("slow_seconds", "large_file_bytes", "max_concurrency", "qps"):
                    setattr(self, name, value)
                    if name == "qps":
                        self.buckets.clear()
                else:
                    raise TypeError(f"unknown fault setting {name!r}")

    def inject(self, kind: str, count: int = 1, action: str | None = None) -> None:
        """Make the next ``count`` matching requests hit fault ``kind`` (fail, reset, slow,
        truncate); ``action`` narrows it to "submit", "query" or "video"."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"fault kind must be one of {', '.join(FAULT_KINDS)}")
        if action not in (None, "submit", "query", "video"):
            raise ValueError("action must be submit, query, video or None")
        with self.lock:
            key = (kind, action)
            self.pending[key] = self.pending.get(key, 0) + count

    def clear_faults(self) -> None:
        with self.lock:
            self.pending.clear()
            for kind in FAULT_KINDS:
                self.rates[kind] = 0.0

    def roll(self, kind: str, action: str) -> bool:
        with self.lock:
            for key in ((kind, action), (kind, None)):
                if self.pending.get(key, 0) > 0:
                    self.pending[key] -= 1
                    return True
            rate = self.rates[kind]
            return rate > 0 and self.rng.random() < rate

    # limits ------------------------------------------------------------
    def take_token(self, access_key: str) -> bool:
        if not self.qps:
            return True
        with self.lock:
            now = time.monotonic()
            capacity = max(1.0, self.qps)
            bucket = self.buckets.setdefault(access_key, _Bucket(capacity, now))
            bucket.tokens = min(capacity, bucket.tokens + (now - bucket.updated) * self.qps)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return True
            return False

    def running(self, access_key: str) -> int:
        now = self.now()
        with self.lock:
            return sum(
                1
                for t in self.tasks.values()
                if t.access_key == access_key and t.status(now) in ("in_queue", "generating")
            )

    # tasks ---------------------------------------------------------------
    def new_task_id(self) -> str:
        while True:
            task_id = str(secrets.randbelow(9 * 10**18) + 10**18)  # 19 digits, > 2**53
            if task_id not in self.tasks:
                return task_id

    def lookup(self, task_id: str) -> Task | None:
        """The task, or None when unknown or older than the (scaled) task lifetime."""
        with self.lock:
            task = self.tasks.get(task_id)
        if task is None or self.now() - task.created_at > self.options.task_s:
            return None
        return task

    def force_status(self, task_id: str, status: str | None) -> None:
        with self.lock:
            self.tasks[task_id].forced_status = status
            self.keep_tasks()

    def add_task(self, task: Task) -> None:
        with self.lock:
            self.tasks[task.task_id] = task
            self.keep_tasks()

    def keep_tasks(self) -> None:
        """Write the task file, if there is one (a failed write only costs the resume)."""
        if self.task_file is not None:
            with contextlib.suppress(OSError):
                self.task_file.save(self.tasks, self.link_secret, self.now())

    # links ---------------------------------------------------------------
    def link_signature(self, task_id: str, expires_ms: int) -> str:
        msg = f"{task_id}:{expires_ms}".encode()
        return hmac.new(self.link_secret, msg, hashlib.sha256).hexdigest()

    def video_url(self, base_url: str, task_id: str) -> str:
        expires_ms = int((self.now() + self.options.link_s) * 1000)
        sig = self.link_signature(task_id, expires_ms)
        return f"{base_url.rstrip('/')}/video/{task_id}.mp4?expires={expires_ms}&signature={sig}"

    # log -----------------------------------------------------------------
    def log(self, entry: dict[str, Any]) -> None:
        entry = {"time": datetime.now(UTC).isoformat(timespec="milliseconds"), **entry}
        with self.lock:
            self.requests.append(entry)
        path = self.options.request_log
        if path is not None:
            line = json.dumps(entry, ensure_ascii=False, default=str) + "\n"
            with self._log_lock, Path(path).open("a", encoding="utf-8") as fh:
                fh.write(line)


# ---------------------------------------------------------------- envelopes


def request_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%d%H%M%S") + secrets.token_hex(9).upper()


def _elapsed(start: float) -> str:
    return f"{(time.perf_counter() - start) * 1000:.2f}ms"


def business(code: int, start: float, detail: str = "", data: Any = None) -> JSONResponse:
    if code == SUCCESS_CODE:
        status, message = 200, "Success"
    else:
        info = BUSINESS_ERRORS[code]
        status, message = info.http_status, info.message
        if detail:
            message = f"{message}: {detail}"
    return JSONResponse(
        {
            "code": code,
            "data": data,
            "message": message,
            "request_id": request_id(),
            "status": code,
            "time_elapsed": _elapsed(start),
        },
        status_code=status,
    )


def gateway(name: str, action: str, version: str, detail: str = "") -> JSONResponse:
    info = GATEWAY_ERRORS[name]
    message = GATEWAY_MESSAGES.get(name, name).format(
        detail=detail, action=action or "(none)", version=version or "(none)"
    )
    return JSONResponse(
        {
            "ResponseMetadata": {
                "RequestId": request_id(),
                "Action": action,
                "Version": version,
                "Service": catalog.SERVICE,
                "Region": catalog.REGION,
                "Error": {"CodeN": info.code_n, "Code": name, "Message": message},
            }
        },
        status_code=info.http_status,
    )


# ---------------------------------------------------------------- connection tricks


def _cycle_transport(receive: Receive) -> asyncio.Transport | None:
    """uvicorn's transport for this request (``receive`` is a bound method of its cycle)."""
    cycle = getattr(receive, "__self__", None)
    return getattr(cycle, "transport", None)


async def _wait_disconnected(receive: Receive, timeout: float = 5.0) -> None:
    cycle = getattr(receive, "__self__", None)
    deadline = time.monotonic() + timeout
    while cycle is not None and not getattr(cycle, "disconnected", True):
        if time.monotonic() > deadline:
            break
        await asyncio.sleep(0.005)


class AbortResponse(Response):
    """No answer at all: the connection is reset (RST) before a single byte is written."""

    def __init__(self) -> None:
        super().__init__(status_code=500)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        transport = _cycle_transport(receive)
        if transport is None:  # not uvicorn: the nearest thing is a cut-off answer
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-length", b"1000")],
                }
            )
            raise ConnectionAbortedError("sandbox: connection reset")
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
        await _wait_disconnected(receive)


class BlobResponse(Response):
    """Bytes made of parts (clip bytes, then optional zero padding), with a cut-off option."""

    def __init__(
        self,
        parts: list[bytes | int],
        start: int,
        end: int,
        *,
        status_code: int,
        headers: dict[str, str],
        head: bool = False,
        truncate: bool = False,
    ):
        super().__init__(status_code=status_code, headers=headers)
        self.parts = parts
        self.start = start
        self.end = end  # exclusive
        self.head = head
        self.truncate = truncate

    def _chunks(self, start: int, end: int):
        pos = 0
        for part in self.parts:
            size = part if isinstance(part, int) else len(part)
            lo, hi = max(start, pos), min(end, pos + size)
            while lo < hi:
                step = min(CHUNK, hi - lo)
                if isinstance(part, int):
                    yield _ZEROS if step == CHUNK else _ZEROS[:step]
                else:
                    yield part[lo - pos : lo - pos + step]
                lo += step
            pos += size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        if self.head:
            await send({"type": "http.response.body", "body": b""})
            return
        stop = self.end
        if self.truncate:
            stop = self.start + (self.end - self.start) // 2
        for chunk in self._chunks(self.start, stop):
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        if not self.truncate:
            await send({"type": "http.response.body", "body": b""})
            return
        transport = _cycle_transport(receive)
        if transport is None:
            raise ConnectionAbortedError("sandbox: body truncated")
        transport.close()  # flushes what was written, then FIN: Content-Length is not met
        await _wait_disconnected(receive)


# ---------------------------------------------------------------- gateway


class GatewayFailure(Exception):
    def __init__(self, name: str, detail: str = ""):
        self.name = name
        self.detail = detail
        super().__init__(f"{name}: {detail}")


def verify_signature(request: Request, raw: bytes, keys: dict[str, str]) -> str:
    """The access key of a correctly signed request; raises GatewayFailure otherwise."""
    headers = request.headers
    authorization = headers.get("authorization")
    if not authorization:
        raise GatewayFailure("MissingAuthenticationToken")
    try:
        auth = parse_authorization(authorization)
    except ValueError as exc:
        raise GatewayFailure("MissingSignature", str(exc)) from None
    secret = keys.get(auth.access_key)
    if secret is None:
        raise GatewayFailure("InvalidAccessKey", auth.access_key)
    x_date_value = headers.get("x-date", "")
    try:
        signed_at = parse_x_date(x_date_value)
    except ValueError:
        raise GatewayFailure(
            "InvalidTimestamp", "The X-Date header is missing or not YYYYMMDDTHHMMSSZ."
        ) from None
    skew = abs(time.time() - signed_at.timestamp())
    if skew > MAX_CLOCK_SKEW_S:
        raise GatewayFailure(
            "InvalidTimestamp",
            f"The request time {x_date_value} is {int(skew)} s away from the server time "
            f"(at most {MAX_CLOCK_SKEW_S} s allowed).",
        )
    if (auth.date, auth.region, auth.service) != (
        x_date_value[:8],
        catalog.REGION,
        catalog.SERVICE,
    ):
        raise GatewayFailure(
            "SignatureDoesNotMatch",
            f"credential scope {auth.date}/{auth.region}/{auth.service} should be "
            f"{x_date_value[:8]}/{catalog.REGION}/{catalog.SERVICE}",
        )
    missing = [name for name in ("host", "x-date") if name not in auth.signed_headers]
    if missing:
        raise GatewayFailure("SignatureDoesNotMatch", f"{missing[0]} must be signed")
    absent = [name for name in auth.signed_headers if name not in headers]
    if absent:
        raise GatewayFailure("SignatureDoesNotMatch", f"signed header {absent[0]} was not sent")
    values = {name: headers[name] for name in auth.signed_headers}
    query = parse_qsl(request.url.query, keep_blank_values=True)
    body_hash = sha256_hex(raw)
    hosts = [values["host"]]
    if canonical_host(values["host"]) != values["host"]:
        hosts.append(canonical_host(values["host"]))
    for host in hosts:
        expected = compute_signature(
            method=request.method,
            path=request.url.path,
            query=query,
            headers={**values, "host": host},
            signed_headers=auth.signed_headers,
            body_hash=body_hash,
            secret_key=secret,
            x_date_value=x_date_value,
        )
        if hmac.compare_digest(expected, auth.signature.lower()):
            return auth.access_key
    raise GatewayFailure("SignatureDoesNotMatch", "signature mismatch")


# ---------------------------------------------------------------- the app


def create_app(
    options: SandboxOptions | None = None, state: SandboxState | None = None
) -> Starlette:
    """The ASGI app; ``app.state.sandbox`` is its :class:`SandboxState`."""
    state = state or SandboxState(options or SandboxOptions())
    opts = state.options

    async def api(request: Request) -> Response:
        start = time.perf_counter()
        action = request.query_params.get("Action", "")
        version = request.query_params.get("Version", "")
        entry: dict[str, Any] = {"action": action, "method": request.method}
        kind = ACTIONS.get(action)
        if kind is None or version != catalog.API_VERSION or request.method != "POST":
            entry.update(http_status=404, error="InvalidActionOrVersion")
            state.log(entry)
            return gateway("InvalidActionOrVersion", action, version)
        try:
            raw = await request.body()
        except ClientDisconnect:  # the client gave up while sending: nobody to answer
            entry.update(http_status=None, error="ClientDisconnect")
            state.log(entry)
            return Response(status_code=400)
        try:
            access_key = verify_signature(request, raw, opts.keys())
        except GatewayFailure as exc:
            entry.update(http_status=GATEWAY_ERRORS[exc.name].http_status, error=exc.name)
            state.log(entry)
            return gateway(exc.name, action, version, exc.detail)
        entry["access_key"] = access_key
        try:
            body = validate.parse_json_object(raw)
        except validate.Invalid:
            body = None
        if isinstance(body, dict):
            entry["req_key"] = body.get("req_key")
            entry["task_id"] = body.get("task_id")
            entry["body"] = redact_body(body)

        def answer(response: Response, **extra: Any) -> Response:
            entry.update(extra)
            entry["http_status"] = response.status_code
            with contextlib.suppress(ValueError, AttributeError):
                payload = json.loads(response.body)
                entry.setdefault("code", payload.get("code"))
                data = payload.get("data") or {}
                if "status" in data:
                    entry["task_status"] = data["status"]
                if data.get("task_id"):
                    entry["task_id"] = data["task_id"]
            state.log(entry)
            return response

        if not state.take_token(access_key):
            return answer(business(50429, start))
        if state.roll("fail", kind):
            return answer(business(50500, start), fault="fail")
        if body is None:
            return answer(business(50215, start, "body: is not a JSON object"))
        if kind == "submit":
            response, task = await submit(body, access_key, request, start)
        else:
            response, task = await query(body, request, start)
        if state.roll("reset", kind):
            # The dangerous case: the task (if any) exists, the client hears nothing.
            entry.update(fault="reset", http_status=None, task_id=task.task_id if task else None)
            state.log(entry)
            return AbortResponse()
        if state.roll("slow", kind):
            entry["fault"] = "slow"
            await asyncio.sleep(state.slow_seconds)
        return answer(response)

    async def submit(
        body: dict[str, Any], access_key: str, request: Request, start: float
    ) -> tuple[Response, Task | None]:
        try:
            info = validate.check_submit(body)
            images = await load_images(info, request)
            validate.check_pair(images)
        except validate.Invalid as exc:
            return business(50215, start, str(exc)), None
        except validate.Rejected as exc:
            return business(exc.code, start), None
        limit = state.max_concurrency
        if limit is not None and state.running(access_key) >= limit:
            return business(50430, start), None
        if images:
            first = images[0]
            aspect_ratio = catalog.nearest_aspect_ratio(first.width, first.height)
        else:
            aspect_ratio = info.aspect_ratio or catalog.DEFAULT_ASPECT_RATIO
        seed = info.seed if info.seed != catalog.SEED_RANDOM else secrets.randbelow(2**31)
        width, height = size_for(aspect_ratio)
        with state.lock:
            task = Task(
                task_id=state.new_task_id(),
                access_key=access_key,
                req_key=info.mode.req_key,
                body=redact_body(body),
                spec=ClipSpec(info.frames, width, height, info.prompt, seed),
                aspect_ratio=aspect_ratio,
                created_at=state.now(),
                queue_s=opts.queue_s,
                generate_s=opts.generate_s,
                video_risk=VIDEO_RISK_WORD in info.prompt,
            )
            state.add_task(task)
        return business(SUCCESS_CODE, start, data={"task_id": task.task_id}), task

    async def load_images(info: validate.SubmitInfo, request: Request) -> list[validate.ImageFacts]:
        facts = []
        for i, source in enumerate(info.image_sources):
            name = f"{info.image_field}[{i}]"
            if info.image_field == "binary_data_base64":
                data = validate.decode_base64(name, source)
            else:
                data = await fetch_image(name, source, request)
            facts.append(validate.check_image(name, data))
        return facts

    async def fetch_image(name: str, url: str, request: Request) -> bytes:
        own = str(request.base_url).rstrip("/") + "/samples/"
        if url.startswith(own):
            try:
                return samples.sample_bytes(url[len(own) :])
            except KeyError:
                raise validate.Invalid(name, "could not be downloaded (HTTP 404)") from None
        try:
            async with httpx.AsyncClient(timeout=10.0, follow_redirects=True) as http:
                reply = await http.get(url)
        except httpx.HTTPError as exc:
            raise validate.Invalid(name, f"could not be downloaded ({exc})") from None
        if reply.status_code != 200:
            raise validate.Invalid(name, f"could not be downloaded (HTTP {reply.status_code})")
        return reply.content

    async def query(
        body: dict[str, Any], request: Request, start: float
    ) -> tuple[Response, Task | None]:
        try:
            info = validate.check_query(body)
        except validate.Invalid as exc:
            return business(50215, start, str(exc)), None
        task = state.lookup(info.task_id)
        if task is None:
            data = {"status": "not_found", "video_url": ""}
            return business(SUCCESS_CODE, start, data=data), None
        if task.req_key != info.mode.req_key:
            return business(
                50215, start, f"req_key: the task was submitted with {task.req_key}"
            ), task
        status = task.status(state.now())
        if status == "done" and task.video_risk:
            return business(50516, start), task
        data: dict[str, Any] = {"status": status, "video_url": ""}
        if status == "done":
            data["video_url"] = state.video_url(str(request.base_url), task.task_id)
            data["aigc_meta_tagged"] = info.aigc_meta
            state.clips.prefetch(task.spec)
        return business(SUCCESS_CODE, start, data=data), task

    async def video(request: Request) -> Response:
        task_id = request.path_params["task_id"]
        entry: dict[str, Any] = {
            "action": "GetVideo",
            "method": request.method,
            "task_id": task_id,
            "range": request.headers.get("range"),
        }

        def done(response: Response, **extra: Any) -> Response:
            entry.update(extra, http_status=response.status_code)
            state.log(entry)
            return response

        expires = request.query_params.get("expires", "")
        signature = request.query_params.get("signature", "")
        if not expires.isdigit() or not hmac.compare_digest(
            state.link_signature(task_id, int(expires)), signature
        ):
            return done(tos_error(403, "SignatureDoesNotMatch", "The link signature is invalid."))
        if state.now() * 1000 > int(expires):
            return done(tos_error(403, "AccessDenied", "Request has expired"))
        with state.lock:
            task = state.tasks.get(task_id)
        if task is None:
            return done(tos_error(404, "NoSuchKey", "The specified key does not exist."))
        clip = await state.clips.get_async(task.spec)
        parts: list[bytes | int] = [clip]
        total = len(clip)
        target = state.large_file_bytes
        if target and target > total + 16:
            pad = target - total
            parts += [free_box(pad), pad - len(free_box(pad))]
            total = target
        etag = f'"{hashlib.sha256(clip).hexdigest()[:32]}-{total}"'
        last_modified = formatdate(task.done_at, usegmt=True)
        headers = {
            "Content-Type": "video/mp4",
            "Accept-Ranges": "bytes",
            "ETag": etag,
            "Last-Modified": last_modified,
        }
        start, end, status = 0, total, 200
        range_header = request.headers.get("range")
        if_range = request.headers.get("if-range")
        use_range = range_header is not None and (
            if_range is None or if_range.strip() in (etag, last_modified)
        )
        if use_range:
            parsed = parse_range(range_header or "", total)
            if parsed == "unsatisfiable":
                headers["Content-Range"] = f"bytes */{total}"
                return done(Response(status_code=416, headers=headers))
            if parsed is not None:
                start, end = parsed
                status = 206
                headers["Content-Range"] = f"bytes {start}-{end - 1}/{total}"
        headers["Content-Length"] = str(end - start)
        truncate = request.method == "GET" and state.roll("truncate", "video")
        return done(
            BlobResponse(
                parts,
                start,
                end,
                status_code=status,
                headers=headers,
                head=request.method == "HEAD",
                truncate=truncate,
            ),
            fault="truncate" if truncate else None,
            bytes=end - start,
        )

    async def sample(request: Request) -> Response:
        name = request.path_params["name"]
        try:
            data = samples.sample_bytes(name)
        except KeyError:
            return Response("no such sample\n", status_code=404, media_type="text/plain")
        return Response(data, media_type=samples.content_type(name))

    async def healthz(request: Request) -> Response:
        return JSONResponse({"ok": True, "tasks": len(state.tasks)})

    app = Starlette(
        routes=[
            Route("/", api, methods=["GET", "POST", "PUT", "DELETE", "PATCH"]),
            Route("/video/{task_id}.mp4", video, methods=["GET", "HEAD"]),
            Route("/samples/{name}", sample, methods=["GET"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )
    app.state.sandbox = state
    return app


def tos_error(status: int, code: str, message: str) -> Response:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message></Error>\n"
    )
    return Response(body, status_code=status, media_type="application/xml")


def parse_range(value: str, total: int) -> tuple[int, int] | str | None:
    """One ``bytes=`` range as (start, end-exclusive); None → ignore (serve all);
    "unsatisfiable" → 416."""
    unit, _, spec = value.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, sep, last = spec.strip().partition("-")
    if not sep:
        return None
    try:
        if not first:
            n = int(last)
            if n <= 0:
                return "unsatisfiable"
            return max(0, total - n), total
        start = int(first)
        end = int(last) + 1 if last else total
    except ValueError:
        return None
    if start >= total:
        return "unsatisfiable"
    if end <= start:
        return None
    return start, min(end, total)
