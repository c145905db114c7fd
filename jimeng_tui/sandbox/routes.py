"""The emulator's HTTP routes, one method each, over one :class:`SandboxState`.

- ``POST /?Action=CVSync2AsyncSubmitTask|CVSync2AsyncGetResult&Version=2022-08-31`` — the API,
  behind the gateway (``sandbox/gateway.py``).
- ``GET|HEAD /video/{task_id}.mp4?expires=…&signature=…`` — the pre-signed video link (Range, ETag).
- ``GET /samples/{name}`` — generated input images; ``GET /healthz``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import secrets
import time
from email.utils import formatdate
from typing import Any

import httpx
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from jimeng_tui.sandbox import samples, validate
from jimeng_tui.sandbox.gateway import GatewayFailure, verify_signature
from jimeng_tui.sandbox.options import VIDEO_RISK_WORD
from jimeng_tui.sandbox.responses import (
    AbortResponse,
    BlobResponse,
    business,
    gateway,
    parse_range,
    tos_error,
)
from jimeng_tui.sandbox.state import SandboxState
from jimeng_tui.sandbox.tasks import Task
from jimeng_tui.sandbox.video import ClipSpec, free_box, size_for
from jimeng_tui.services.jimeng import catalog
from jimeng_tui.services.jimeng.errors import GATEWAY_ERRORS, SUCCESS_CODE
from jimeng_tui.services.jimeng.request import redact_body

ACTIONS = {catalog.ACTION_SUBMIT: "submit", catalog.ACTION_RESULT: "query"}


class FetchFailed(Exception):
    """An input image URL could not be downloaded (the message says why)."""


async def fetch_url(url: str, request: Request) -> bytes:
    """An input image by URL: the sandbox's own samples directly, anything else over HTTP."""
    own = str(request.base_url).rstrip("/") + "/samples/"
    if url.startswith(own):
        try:
            return samples.sample_bytes(url[len(own) :])
        except KeyError:
            raise FetchFailed("HTTP 404") from None
    try:
        async with httpx.AsyncClient(timeout=10.0, follow_redirects=True) as http:
            reply = await http.get(url)
    except httpx.HTTPError as exc:
        raise FetchFailed(str(exc)) from None
    if reply.status_code != 200:
        raise FetchFailed(f"HTTP {reply.status_code}")
    return reply.content


def link_refusal(state: SandboxState, name: str, request: Request) -> Response | None:
    """The object store's 403 for a link whose signature is wrong or whose time is up."""
    expires = request.query_params.get("expires", "")
    signature = request.query_params.get("signature", "")
    if not expires.isdigit() or not hmac.compare_digest(
        state.link_signature(name, int(expires)), signature
    ):
        return tos_error(403, "SignatureDoesNotMatch", "The link signature is invalid.")
    if state.now() * 1000 > int(expires):
        return tos_error(403, "AccessDenied", "Request has expired")
    return None


class SandboxRoutes:
    """The HTTP face of one :class:`SandboxState`: the API, video links, samples, health."""

    def __init__(self, state: SandboxState):
        self.state = state
        self.opts = state.options

    def routes(self) -> list[Route]:
        return [
            Route("/", self.api, methods=["GET", "POST", "PUT", "DELETE", "PATCH"]),
            Route("/video/{task_id}.mp4", self.video, methods=["GET", "HEAD"]),
            Route("/samples/{name}", self.sample, methods=["GET"]),
            Route("/healthz", self.healthz, methods=["GET"]),
        ]

    async def api(self, request: Request) -> Response:
        start = time.perf_counter()
        action = request.query_params.get("Action", "")
        version = request.query_params.get("Version", "")
        entry: dict[str, Any] = {"action": action, "method": request.method}
        kind = ACTIONS.get(action)
        if kind is None or version != catalog.API_VERSION or request.method != "POST":
            entry.update(http_status=404, error="InvalidActionOrVersion")
            self.state.log(entry)
            return gateway("InvalidActionOrVersion", action, version)
        try:
            raw = await request.body()
        except ClientDisconnect:  # the client gave up while sending: nobody to answer
            entry.update(http_status=None, error="ClientDisconnect")
            self.state.log(entry)
            return Response(status_code=400)
        try:
            access_key = verify_signature(request, raw, self.opts.keys())
        except GatewayFailure as exc:
            entry.update(http_status=GATEWAY_ERRORS[exc.name].http_status, error=exc.name)
            self.state.log(entry)
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
                payload = json.loads(bytes(response.body))
                entry.setdefault("code", payload.get("code"))
                data = payload.get("data") or {}
                if "status" in data:
                    entry["task_status"] = data["status"]
                if data.get("task_id"):
                    entry["task_id"] = data["task_id"]
            self.state.log(entry)
            return response

        if not self.state.take_token(access_key):
            return answer(business(50429, start))
        if self.state.roll("fail", kind):
            return answer(business(50500, start), fault="fail")
        if body is None:
            return answer(business(50215, start, "body: is not a JSON object"))
        if kind == "submit":
            response, task = await self.submit(body, access_key, request, start)
        else:
            response, task = await self.query(body, request, start)
        if task is not None and kind == "submit" and self.state.roll("fail_after_create", kind):
            return answer(business(50500, start), fault="fail_after_create", task_id=task.task_id)
        if self.state.roll("reset", kind):
            # The dangerous case: the task (if any) exists, the client hears nothing.
            entry.update(fault="reset", http_status=None, task_id=task.task_id if task else None)
            self.state.log(entry)
            return AbortResponse()
        if self.state.roll("slow", kind):
            entry["fault"] = "slow"
            await asyncio.sleep(self.state.slow_seconds)
        return answer(response)

    async def submit(
        self, body: dict[str, Any], access_key: str, request: Request, start: float
    ) -> tuple[Response, Task | None]:
        try:
            info = validate.check_submit(body)
            images = await self.load_images(info, request)
            validate.check_pair(images)
        except validate.Invalid as exc:
            return business(50215, start, str(exc)), None
        except validate.Rejected as exc:
            return business(exc.code, start), None
        limit = self.state.max_concurrency
        if limit is not None and self.state.running(access_key) >= limit:
            return business(50430, start), None
        if images:
            first = images[0]
            aspect_ratio = catalog.nearest_aspect_ratio(first.width, first.height)
        else:
            aspect_ratio = info.aspect_ratio or catalog.DEFAULT_ASPECT_RATIO
        seed = info.seed if info.seed != catalog.SEED_RANDOM else secrets.randbelow(2**31)
        width, height = size_for(aspect_ratio)
        with self.state.lock:
            task = Task(
                task_id=self.state.new_task_id(),
                access_key=access_key,
                req_key=info.mode.req_key,
                body=redact_body(body),
                spec=ClipSpec(info.frames, width, height, info.prompt, seed),
                aspect_ratio=aspect_ratio,
                created_at=self.state.now(),
                queue_s=self.opts.queue_s,
                generate_s=self.opts.generate_s,
                video_risk=VIDEO_RISK_WORD in info.prompt or self.state.roll("task_fail", "submit"),
            )
            self.state.add_task(task)
        return business(SUCCESS_CODE, start, data={"task_id": task.task_id}), task

    async def load_images(
        self, info: validate.SubmitInfo, request: Request
    ) -> list[validate.ImageFacts]:
        facts = []
        for i, source in enumerate(info.image_sources):
            name = f"{info.image_field}[{i}]"
            if info.image_field == "binary_data_base64":
                data = validate.decode_base64(name, source)
            else:
                data = await self.fetch_image(name, source, request)
            facts.append(validate.check_image(name, data))
        return facts

    async def fetch_image(self, name: str, url: str, request: Request) -> bytes:
        try:
            return await fetch_url(url, request)
        except FetchFailed as exc:
            raise validate.Invalid(name, f"could not be downloaded ({exc})") from None

    async def query(
        self, body: dict[str, Any], request: Request, start: float
    ) -> tuple[Response, Task | None]:
        try:
            info = validate.check_query(body)
        except validate.Invalid as exc:
            return business(50215, start, str(exc)), None
        task = self.state.lookup(info.task_id)
        if task is None:
            missing = {"status": "not_found", "video_url": ""}
            return business(SUCCESS_CODE, start, data=missing), None
        if task.req_key != info.mode.req_key:
            return business(
                50215, start, f"req_key: the task was submitted with {task.req_key}"
            ), task
        status = task.status(self.state.now())
        if status == "done" and task.video_risk:
            return business(50516, start), task
        data: dict[str, Any] = {"status": status, "video_url": ""}
        if status == "done":
            data["video_url"] = self.state.video_url(str(request.base_url), task.task_id)
            data["aigc_meta_tagged"] = info.aigc_meta
            self.state.clips.prefetch(task.spec)
        return business(SUCCESS_CODE, start, data=data), task

    async def video(self, request: Request) -> Response:
        task_id = request.path_params["task_id"]
        entry: dict[str, Any] = {
            "action": "GetVideo",
            "method": request.method,
            "task_id": task_id,
            "range": request.headers.get("range"),
        }

        def done(response: Response, **extra: Any) -> Response:
            entry.update(extra, http_status=response.status_code)
            self.state.log(entry)
            return response

        refused = link_refusal(self.state, task_id, request)
        if refused is not None:
            return done(refused)
        found = self.state.find_video(task_id)
        if found is None:
            return done(tos_error(404, "NoSuchKey", "The specified key does not exist."))
        spec, done_at = found
        if request.method == "HEAD" and task_id not in self.state.tasks:
            # Ark's links are signed for GET only (ark-contract.md section 3): HEAD fails.
            return done(
                tos_error(403, "SignatureDoesNotMatch", "The link is signed for GET, not HEAD.")
            )
        clip = await self.state.clips.get_async(spec)
        parts: list[bytes | int] = [clip]
        total = len(clip)
        target = self.state.large_file_bytes
        if target and target > total + 16:
            pad = target - total
            parts += [free_box(pad), pad - len(free_box(pad))]
            total = target
        etag = f'"{hashlib.sha256(clip).hexdigest()[:32]}-{total}"'
        last_modified = formatdate(done_at, usegmt=True)
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
            if isinstance(parsed, tuple):
                start, end = parsed
                status = 206
                headers["Content-Range"] = f"bytes {start}-{end - 1}/{total}"
        headers["Content-Length"] = str(end - start)
        truncate = request.method == "GET" and self.state.roll("truncate", "video")
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

    async def sample(self, request: Request) -> Response:
        name = request.path_params["name"]
        try:
            data = samples.sample_bytes(name)
        except KeyError:
            return Response("no such sample\n", status_code=404, media_type="text/plain")
        return Response(data, media_type=samples.content_type(name))

    async def healthz(self, request: Request) -> Response:
        return JSONResponse({"ok": True, "tasks": len(self.state.tasks)})
