"""Ark's HTTP face under ``/api/v3`` (contract sections 1-6), plus the last-frame links.

Every API call: Bearer key (401), ``--ark-deny`` (403), QPS (429), then the shared fault knobs
(``fail`` → 500 with no task; ``fail_after_create`` → the task is made, then 500; ``reset`` → no
answer, a create's task IS made; ``slow``), and one request-log entry.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from jimeng_tui.sandbox import ark
from jimeng_tui.sandbox.ark import checks, errors
from jimeng_tui.sandbox.ark import models as m
from jimeng_tui.sandbox.ark.errors import ArkError, invalid
from jimeng_tui.sandbox.ark.state import (
    FAILURE_MESSAGES,
    STATUSES,
    ArkState,
    ArkTask,
    pick_duration,
)
from jimeng_tui.sandbox.responses import AbortResponse, tos_error
from jimeng_tui.sandbox.routes import FetchFailed, fetch_url, link_refusal
from jimeng_tui.sandbox.state import SandboxState
from jimeng_tui.sandbox.video import ClipSpec, last_frame_png

PAGE_RANGE = (1, 500)
DEFAULT_PAGE_SIZE = 10  # unverified
FRAME_CACHE = 32  # last-frame PNGs kept in memory


def redact(body: Any) -> Any:
    """The body for the log: data URLs shortened to their size."""
    if isinstance(body, dict):
        return {k: redact(v) for k, v in body.items()}
    if isinstance(body, list):
        return [redact(v) for v in body]
    if isinstance(body, str) and body.startswith("data:") and len(body) > 80:
        return f"{body[: body.find(',') + 1]}<{len(body)} chars>"
    return body


class ArkRoutes:
    def __init__(self, state: SandboxState, tasks: ArkState):
        self.state = state
        self.tasks = tasks
        self.opts = state.options

    def routes(self) -> list[Route]:
        return [
            Route(ark.TASKS_PATH, self.collection, methods=["GET", "POST"]),
            Route(ark.TASKS_PATH + "/{task_id}", self.one, methods=["GET", "DELETE"]),
            Route("/frame/{name}", self.frame, methods=["GET"]),
        ]

    # ------------------------------------------------------------------ API calls
    async def collection(self, request: Request) -> Response:
        if request.method == "POST":
            return await self.call(request, ark.ACTION_CREATE, "submit", self.create)
        return await self.call(request, ark.ACTION_LIST, "query", self.list)

    async def one(self, request: Request) -> Response:
        if request.method == "DELETE":
            return await self.call(request, ark.ACTION_DELETE, "delete", self.delete)
        return await self.call(request, ark.ACTION_GET, "query", self.get)

    async def call(
        self,
        request: Request,
        action: str,
        kind: str,
        handler: Callable[[Request, dict[str, Any]], Awaitable[tuple[Any, ArkTask | None]]],
    ) -> Response:
        request_id = errors.new_request_id()
        entry: dict[str, Any] = {"action": action, "method": request.method, "service": "ark"}
        if "task_id" in request.path_params:
            entry["task_id"] = request.path_params["task_id"]

        def answer(response: Response, **extra: Any) -> Response:
            entry.update(extra, http_status=response.status_code)
            self.state.log(entry)
            return response

        def fail(error: ArkError, **extra: Any) -> Response:
            return answer(errors.error_response(error, request_id), code=error.code, **extra)

        try:
            await request.body()
        except ClientDisconnect:
            return answer(Response(status_code=400), error="ClientDisconnect")
        if not self.authorized(request):
            return fail(
                ArkError(
                    401,
                    "AuthenticationError",
                    "The API key in the request is missing or invalid.",
                )
            )
        deny = self.state.ark_deny
        if deny:
            return fail(ArkError(403, deny, f"The request is denied: {deny}."))
        if not self.state.take_token("ark:" + self.opts.ark_api_key):
            return fail(
                ArkError(
                    429,
                    "ModelAccountRpmRateLimitExceeded",
                    "The request rate of this account exceeds the limit; retry later.",
                )
            )
        if self.state.roll("fail", kind):
            return fail(internal(), fault="fail")
        try:
            payload, task = await handler(request, entry)
        except ArkError as exc:
            return fail(exc)
        if task is not None:
            entry["task_id"] = task.id
        if task is not None and kind == "submit" and self.state.roll("fail_after_create", kind):
            return fail(internal(), fault="fail_after_create")
        if self.state.roll("reset", kind):
            entry.update(fault="reset", http_status=None)
            self.state.log(entry)
            return AbortResponse()
        if self.state.roll("slow", kind):
            entry["fault"] = "slow"
            await asyncio.sleep(self.state.slow_seconds)
        if isinstance(payload, dict) and payload.get("status"):
            entry["task_status"] = payload["status"]
        return answer(errors.ok(payload, request_id))

    def authorized(self, request: Request) -> bool:
        scheme, _, key = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            key.strip().encode(), self.opts.ark_api_key.encode()
        )

    async def create(self, request: Request, entry: dict[str, Any]) -> tuple[Any, ArkTask | None]:
        try:
            body = json.loads((await request.body()).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise invalid("body", "is not valid JSON") from None
        entry["body"] = redact(body)
        info = checks.check_create(body, self.opts.ark_endpoints, self.opts.ark_not_open)
        entry["model"] = info.model_name
        if info.draft_task_id:
            self.from_draft(info)
        sizes = [await self.image_size(image, request) for image in info.images]
        limit = self.state.ark_queue_limit
        if self.tasks.queued() >= limit:
            raise ArkError(
                429,
                "QuotaExceeded",
                f"The account already has {limit} queued tasks; wait for some to start.",
            )
        cap = self.state.max_concurrency
        if cap is not None and self.tasks.unfinished() >= cap:
            raise ArkError(
                429,
                "InflightBatchsizeExceeded",
                f"The account already has {cap} unfinished tasks.",
            )
        task = self.make_task(info, sizes, redact(body))
        self.tasks.add(task)
        return {"id": task.id}, task

    def from_draft(self, info: checks.CreateInfo) -> None:
        """A ``draft_task`` item renders a finished draft for real: its prompt, length, ratio
        and seed (unverified for 1.5 pro: contract 2.2)."""
        draft = self.tasks.lookup(info.draft_task_id or "")
        now = self.state.now()
        if draft is None or not draft.flags.get("draft") or draft.status(now) != "succeeded":
            raise invalid("content", f"{info.draft_task_id} is not a succeeded draft task")
        if draft.model_id != info.model.id:
            raise invalid("content", f"{info.draft_task_id} was made by {draft.model_id}")
        info.prompt = draft.spec.prompt
        info.duration, info.frames = draft.duration, draft.frames
        info.ratio, info.seed, info.resolution = draft.ratio, draft.seed, draft.resolution

    async def image_size(self, image: checks.ImageItem, request: Request) -> tuple[int, int]:
        if image.url.startswith("data:"):
            data = checks.decode_data_url(image)
        elif image.url.lower().startswith(("http://", "https://")):
            try:
                data = await fetch_url(image.url, request)
            except FetchFailed as exc:
                raise checks.bad_image(image, f"it could not be downloaded ({exc})") from None
        else:
            raise checks.bad_image(image, "the URL must be http(s) or a data:image URL")
        return checks.check_image(image, data)

    def make_task(
        self, info: checks.CreateInfo, sizes: list[tuple[int, int]], body: dict[str, Any]
    ) -> ArkTask:
        model = info.model
        ratio = info.ratio
        if ratio == m.ADAPTIVE:
            ratio = m.nearest_ratio(*sizes[0]) if sizes else "16:9"
        seed = info.seed if info.seed != -1 else secrets.randbelow(m.SEED_MAX + 1)
        if info.frames is not None:
            frames = info.frames
            duration = round(frames / m.FPS)
        else:
            duration = info.duration or 0
            if duration == -1:
                duration = pick_duration(model, info.prompt, seed)
            frames = m.frame_count(duration)
        width, height = model.size(info.resolution, ratio)
        failure = None
        if ark.VIDEO_COPYRIGHT_WORD in info.prompt:
            failure = "OutputVideoSensitiveContentDetected.PolicyViolation"
        elif ark.VIDEO_RISK_WORD in info.prompt or self.state.roll("task_fail", "submit"):
            failure = "OutputVideoSensitiveContentDetected"
        flags = dict(info.flags)
        return ArkTask(
            id=self.tasks.new_id(),
            model_name=info.model_name,
            model_id=model.id,
            body=body,
            spec=ClipSpec(frames, width, height, info.prompt, seed, audio=flags["generate_audio"]),
            created_at=self.state.now(),
            queue_s=self.opts.queue_s,
            generate_s=self.opts.generate_s,
            expires_s=info.echo["execution_expires_after"] / self.opts.speed,
            resolution=info.resolution,
            ratio=ratio,
            duration=duration,
            frames=info.frames,
            seed=seed,
            flags=flags,
            echo=info.echo,
            tokens=m.completion_tokens(width, height, frames),
            failure=failure,
            draft_task_id=info.draft_task_id,
        )

    async def get(self, request: Request, entry: dict[str, Any]) -> tuple[Any, ArkTask | None]:
        task = self.find(request.path_params["task_id"])
        return self.view(task, request), task

    async def list(self, request: Request, entry: dict[str, Any]) -> tuple[Any, ArkTask | None]:
        query = request.query_params
        page_num = page_param(query.get("page_num"), "page_num", 1)
        page_size = page_param(query.get("page_size"), "page_size", DEFAULT_PAGE_SIZE)
        status = query.get("filter.status") or None
        if status is not None and status not in STATUSES:
            raise invalid("filter.status", f"{status!r} is not one of {', '.join(STATUSES)}")
        tier = query.get("filter.service_tier") or None
        if tier is not None and tier not in checks.SERVICE_TIERS:
            raise invalid("filter.service_tier", f"{tier!r} is not default or flex")
        found = self.tasks.matching(
            status=status,
            task_ids=query.getlist("filter.task_ids") or None,
            model=query.get("filter.model") or None,
            service_tier=tier,
        )
        start = (page_num - 1) * page_size
        items = [self.view(t, request, listed=True) for t in found[start : start + page_size]]
        return {"total": len(found), "items": items}, None

    async def delete(self, request: Request, entry: dict[str, Any]) -> tuple[Any, ArkTask | None]:
        task_id = request.path_params["task_id"]
        try:
            refused = self.tasks.delete(task_id)
        except KeyError:
            raise not_found(task_id) from None
        if refused == "running":
            raise ArkError(
                409,
                "TaskRunningCannotCancel",
                f"The task {task_id} is running; a running task cannot be cancelled.",
                "task_id",
            )
        if refused == "cancelled":
            raise ArkError(
                409,
                "TaskAlreadyCancelled",
                f"The task {task_id} is already cancelled; it is deleted 24 h after.",
                "task_id",
            )
        return {}, None

    # ------------------------------------------------------------------ views
    def find(self, task_id: str) -> ArkTask:
        task = self.tasks.lookup(task_id)
        if task is None:
            raise not_found(task_id)
        return task

    def view(self, task: ArkTask, request: Request, listed: bool = False) -> dict[str, Any]:
        """The task object of contract section 3 (as the GET example shows it)."""
        now = self.state.now()
        status = task.status(now)
        data: dict[str, Any] = {
            "id": task.id,
            "model": task.model_name,
            "status": status,
            "error": None,
            "created_at": int(task.created_at),
            "updated_at": int(task.updated_at(now)),
            "seed": task.seed,
            "resolution": task.resolution,
            "ratio": task.ratio,
            "duration": task.duration,
            "framespersecond": m.FPS,
            "generate_audio": task.flags["generate_audio"],
            "draft": task.flags["draft"],
            **task.echo,
        }
        if task.frames is not None:
            data["frames"] = task.frames
        if task.draft_task_id:
            data["draft_task_id"] = task.draft_task_id
        if status == "succeeded":
            base = str(request.base_url)
            expires = task.done_at + self.opts.ark_link_s
            content = {"video_url": self.state.video_url(base, task.id, expires)}
            if task.flags["return_last_frame"]:
                content["last_frame_url"] = self.state.signed_url(
                    base, f"{task.id}.png", "frame", expires
                )
            data["content"] = content
            data["usage"] = {"completion_tokens": task.tokens, "total_tokens": task.tokens}
            if not listed:  # a GET means a download is near; a list of 100 must not render 100
                self.state.clips.prefetch(task.spec)
        elif status == "failed":
            code = task.failure or "InternalServiceError"
            data["error"] = {"code": code, "message": FAILURE_MESSAGES.get(code, code)}
            if listed:  # the Go SDK reads list items' failure as failure_reason
                data["failure_reason"] = data["error"]
        return data

    # ------------------------------------------------------------------ last frames
    async def frame(self, request: Request) -> Response:
        name = request.path_params["name"]
        entry: dict[str, Any] = {"action": ark.ACTION_FRAME, "method": "GET", "task_id": name}

        def done(response: Response) -> Response:
            entry["http_status"] = response.status_code
            self.state.log(entry)
            return response

        refused = link_refusal(self.state, name, request)
        if refused is not None:
            return done(refused)
        task = self.tasks.lookup(name.removesuffix(".png"))
        if not name.endswith(".png") or task is None or self.tasks.video_source(task.id) is None:
            return done(tos_error(404, "NoSuchKey", "The specified key does not exist."))
        png = self.tasks.frames.get(task.spec.key)
        if png is None:
            png = await asyncio.to_thread(last_frame_png, task.spec)
            if len(self.tasks.frames) >= FRAME_CACHE:
                self.tasks.frames.pop(next(iter(self.tasks.frames)))
            self.tasks.frames[task.spec.key] = png
        return done(Response(png, media_type="image/png"))


def internal() -> ArkError:
    return ArkError(500, "InternalServiceError", "The service met an internal error; retry.")


def not_found(task_id: str) -> ArkError:
    return ArkError(
        404, "NotFound.TaskId", f"The task {task_id} does not exist or has been deleted.", "task_id"
    )


def page_param(value: str | None, name: str, default: int) -> int:
    if value is None or value == "":
        return default
    low, high = PAGE_RANGE
    if not value.isdigit() or not low <= int(value) <= high:
        raise invalid(name, f"must be a whole number {low}-{high}, not {value!r}")
    return int(value)
