"""The MCP tools and resources of ``jimeng-tui mcp`` (the official SDK's ``MCPServer``).

Each tool answers with a short text (what an agent shows or reads) and the same facts as JSON
(``structured_content``). Bad input is a tool error naming the parameter and the allowed
values, raised before anything is written or sent.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError
from mcp.types import CallToolResult, ContentBlock, ImageContent, TextContent, ToolAnnotations
from pydantic import Field

from jimeng_tui import __version__
from jimeng_tui.agent import facts
from jimeng_tui.agent.catalog import models_facts, models_summary
from jimeng_tui.agent.desk import SUBMIT_WAIT_S, JobDesk, Submitted
from jimeng_tui.agent.inputs import MAX_WAIT_S, GenerateArgs, check_seconds, video_input
from jimeng_tui.agent.jobs import default_model
from jimeng_tui.domain.errors import JimengError, ValidationError
from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.domain.request import OptionValue
from jimeng_tui.services import registry
from jimeng_tui.store.history_query import HistoryQuery

log = logging.getLogger(__name__)
MAX_LIST = 200

INSTRUCTIONS = "\n".join(
    [
        "jimeng-tui generates videos (Jimeng 3.0 and the other registered services) and keeps "
        "every job in a durable history: a job outlives this conversation and a restart of the "
        "server.",
        "- Call list_models first to see the models and their allowed values.",
        "- generate returns at once with job_id (and task_id once the service accepted it); then "
        'call wait_for_job with that job_id (each call waits at most 50 s) until "finished" is '
        "true.",
        "- Always pass an idempotency_key (any unique string) to generate: a retried call with "
        "the same key returns the same job and is never paid twice.",
        "- When a job is saved, show the user the result block from the tool's text EXACTLY as "
        'given (it starts with "**Generated Video:**"), as the original jimeng skill did.',
        "- A failed job says what to do. retry_job only fetches again from the job's own task "
        "(no new payment); rerun_job is a NEW, PAID generation with the same parameters: ask "
        "the user first.",
        "- Image paths are files on the machine running this server (absolute paths are "
        "safest), or http(s) URLs.",
    ]
)

Handler = Callable[[], Awaitable[CallToolResult]]


def text(value: str) -> TextContent:
    return TextContent(type="text", text=value)


# the request's own names for the fields the tools call as the CLI does
PARAMETER_NAMES = {"first_image": "image", "last_image": "tail_image"}


def tool_error(exc: Exception) -> CallToolResult:
    """A tool error an agent can act on: the parameter to fix and the allowed values."""
    message = str(exc)
    error: dict[str, Any] = {"message": message}
    if isinstance(exc, ValidationError):
        field = PARAMETER_NAMES.get(exc.field, exc.field)
        message = f"{field}: {exc.reason}"
        error.update(message=message, field=field, nothing_sent=True)
        if exc.allowed:
            error["allowed"] = list(exc.allowed)
    return CallToolResult(
        content=[text(message)], structured_content={"error": error}, is_error=True
    )


async def guarded(handler: Handler) -> CallToolResult:
    try:
        return await handler()
    except JimengError as exc:
        return tool_error(exc)
    except OSError as exc:
        log.warning("tool failed: %s", exc)
        return tool_error(JimengError(f"{exc.strerror or exc}: {exc.filename or ''}".strip()))


class AgentTools:
    """The tools, on one :class:`JobDesk`."""

    def __init__(self, desk: JobDesk):
        self.desk = desk

    @property
    def is_sandbox(self) -> bool:
        return self.desk.engine.is_sandbox

    async def job_result(self, job: Job, *, extra: dict[str, Any] | None = None) -> CallToolResult:
        """A job's facts; a saved job adds the result block and its poster image."""
        resumed = job.id in self.desk.resumed
        data: dict[str, Any] = {
            "job": facts.job_facts(job, resumed=resumed, is_sandbox=self.is_sandbox)
        }
        data.update(extra or {})
        lines = [facts.summary(job, resumed=resumed)]
        lines += [f"Note: {note}" for note in data.get("notes", ())]
        content: list[ContentBlock] = []
        if job.state is JobState.SAVED:
            block = facts.result_block(job, is_sandbox=self.is_sandbox)
            data["result_block"] = block
            lines += ["", "Show this block to the user as it is:", "", block]
            poster = await self.poster(job)
            if poster is not None:
                data64 = base64.b64encode(poster).decode("ascii")
                content.append(ImageContent(type="image", data=data64, mime_type="image/png"))
        return CallToolResult(content=[text("\n".join(lines)), *content], structured_content=data)

    async def poster(self, job: Job) -> bytes | None:
        if not job.path or job.id is None:
            return None
        try:
            png = await asyncio.to_thread(
                facts.poster_png, Path(job.path), self.desk.engine.paths.cache_dir, job.id
            )
        except Exception as exc:  # a poster is a nicety: its failure never fails the tool
            log.warning("no poster for job %s: %s", job.id, exc)
            return None
        return png

    async def submitted(
        self, done: Submitted, wait_seconds: float, ctx: Context | None
    ) -> CallToolResult:
        job, job_id = done.job, done.job.id
        assert job_id is not None
        if wait_seconds > 0:
            job = await self.desk.wait(job_id, wait_seconds, progress_sender(ctx))
        elif not job.is_final:
            job = await self.desk.wait_submitted(job_id, SUBMIT_WAIT_S)
        extra: dict[str, Any] = {"reused": done.reused}
        if done.notes:
            extra["notes"] = list(done.notes)
        return await self.job_result(job, extra=extra)


def progress_sender(ctx: Context | None) -> Callable[[float, str], Awaitable[None]] | None:
    if ctx is None:
        return None

    async def send(percent: float, message: str) -> None:
        await ctx.report_progress(percent, 100, message)

    return send


def build_server(desk: JobDesk) -> MCPServer:
    server: MCPServer = MCPServer(
        "jimeng-tui", instructions=INSTRUCTIONS, version=__version__, log_level="WARNING"
    )
    tools = AgentTools(desk)
    register_tools(server, tools)
    register_resources(server, tools)
    return server


def register_tools(server: MCPServer, tools: AgentTools) -> None:
    desk = tools.desk
    paid = ToolAnnotations(destructive_hint=False, idempotent_hint=False, open_world_hint=True)
    reading = ToolAnnotations(read_only_hint=True, open_world_hint=False)

    @server.tool(annotations=reading)
    async def list_models() -> CallToolResult:
        """The models (Jimeng 3.0's modes, and every other registered service's models) with
        what each takes: inputs, durations, fps, aspect ratios, resolutions, options."""

        async def run() -> CallToolResult:
            data = models_facts(default_model(desk.engine))
            return CallToolResult(content=[text(models_summary(data))], structured_content=data)

        return await guarded(run)

    @server.tool(annotations=paid)
    async def generate(
        ctx: Context,
        prompt: Annotated[str, Field(description="what the video shows")] = "",
        model: Annotated[str | None, Field(description="a model id or alias (list_models)")] = None,
        mode: Annotated[str | None, Field(description="Jimeng 3.0's name for model")] = None,
        duration: Annotated[int | None, Field(description="seconds")] = None,
        fps: int | None = None,
        aspect_ratio: Annotated[str | None, Field(description='"16:9", "9:16", ...')] = None,
        resolution: str | None = None,
        image: Annotated[str | None, Field(description="first frame: a file or URL")] = None,
        tail_image: Annotated[str | None, Field(description="last frame: file or URL")] = None,
        reference_images: list[str] | None = None,
        seed: Annotated[int | None, Field(description="-1 random")] = None,
        options: Annotated[
            dict[str, OptionValue] | None,
            Field(description="the model's options by name (list_models), e.g. camera_template"),
        ] = None,
        idempotency_key: Annotated[
            str | None, Field(description="the same key again returns the same job: no 2nd payment")
        ] = None,
        wait_seconds: Annotated[
            float, Field(description=f"wait up to this long (max {MAX_WAIT_S}) for the video")
        ] = 0,
    ) -> CallToolResult:
        """Validate and submit one video generation (paid on the live service). Returns at once
        with job_id, task_id and status, or, with wait_seconds, the saved video if it is
        ready in time. Bad input is an error naming the parameter; nothing is sent then."""

        async def run() -> CallToolResult:
            wait = check_seconds("wait_seconds", wait_seconds)
            args = GenerateArgs(  # in the order GenerateArgs declares them
                prompt=prompt,
                model=model,
                mode=mode,
                seed=seed,
                options=dict(options or {}),
                duration=duration,
                fps=fps,
                aspect_ratio=aspect_ratio,
                resolution=resolution,
                reference_images=tuple(reference_images or ()),
                image=image,
                tail_image=tail_image,
            )
            fields = video_input(args, default_model=default_model(desk.engine))
            done = await desk.generate(fields, idempotency_key=idempotency_key or None)
            return await tools.submitted(done, wait, ctx)

        return await guarded(run)

    @server.tool(annotations=reading)
    async def job_status(job_id: int | None = None, task_id: str | None = None) -> CallToolResult:
        """A job's state, progress, error (code and what to do) and saved path, by job_id or
        the service's task_id."""

        async def run() -> CallToolResult:
            return await tools.job_result(await desk.find(job_id, task_id))

        return await guarded(run)

    @server.tool(annotations=reading)
    async def wait_for_job(
        job_id: int,
        ctx: Context,
        timeout_seconds: Annotated[float, Field(description=f"at most {MAX_WAIT_S}")] = MAX_WAIT_S,
    ) -> CallToolResult:
        """Wait until the job ends or timeout_seconds pass, sending progress notifications;
        call again while "finished" is false. A saved job comes with the result block."""

        async def run() -> CallToolResult:
            timeout = check_seconds("timeout_seconds", timeout_seconds, default=MAX_WAIT_S)
            job = await desk.wait(job_id, timeout, progress_sender(ctx))
            return await tools.job_result(job)

        return await guarded(run)

    @server.tool(annotations=reading)
    async def list_jobs(
        status: Annotated[str | None, Field(description="a state or several: saved,failed")] = None,
        search: Annotated[str, Field(description="words in the prompt")] = "",
        model: str | None = None,
        limit: int = 20,
    ) -> CallToolResult:
        """Jobs from the history (the TUI's and the CLI's too), newest first."""

        async def run() -> CallToolResult:
            if not 1 <= limit <= MAX_LIST:
                raise ValidationError("limit", f"{limit} is out of range: 1 to {MAX_LIST}")
            query = HistoryQuery(text=search, status=status, mode=model_id(model), limit=limit)
            jobs = await asyncio.to_thread(desk.engine.history.query, query)
            listed = [facts.job_facts(j, is_sandbox=tools.is_sandbox) for j in jobs]
            lines = [facts.list_line(j) for j in jobs] or ["No job matches."]
            listing = text("\n".join(lines))
            return CallToolResult(content=[listing], structured_content={"jobs": listed})

        return await guarded(run)

    @server.tool(annotations=ToolAnnotations(destructive_hint=True, open_world_hint=True))
    async def cancel_job(job_id: int) -> CallToolResult:
        """Cancel an unfinished job: a queued Seedance (Ark) task is cancelled on the service
        (not billed); a running one cannot be; a Jimeng 3.0 job is only no longer followed here
        (the service may still finish, and bill, its task)."""

        async def run() -> CallToolResult:
            return await tools.job_result(await desk.cancel(job_id))

        return await guarded(run)

    @server.tool(annotations=ToolAnnotations(idempotent_hint=True, open_world_hint=True))
    async def retry_job(job_id: int) -> CallToolResult:
        """Finish a job from its own task: resume an unfinished one, fetch a video again whose
        save failed or whose file is missing or damaged. Never a new submit (no payment)."""

        async def run() -> CallToolResult:
            job, message = await desk.retry(job_id)
            return await tools.job_result(job, extra={"retry": message})

        return await guarded(run)

    @server.tool(annotations=paid)
    async def rerun_job(
        job_id: int,
        ctx: Context,
        idempotency_key: str | None = None,
        wait_seconds: float = 0,
    ) -> CallToolResult:
        """A NEW, PAID generation with the parameters of job_id (ask the user first)."""

        async def run() -> CallToolResult:
            wait = check_seconds("wait_seconds", wait_seconds)
            done = await desk.rerun(job_id, idempotency_key=idempotency_key or None)
            return await tools.submitted(done, wait, ctx)

        return await guarded(run)


def register_resources(server: MCPServer, tools: AgentTools) -> None:
    desk = tools.desk

    @server.resource(
        "jimeng://jobs/{job_id}", mime_type="application/json", description="a saved job's sidecar"
    )
    async def job_sidecar(job_id: str) -> str:
        job = await _saved_job(desk, job_id)
        sidecar = Path(job.sidecar_path or Path(job.path or "").with_suffix(".json"))
        try:
            return await asyncio.to_thread(sidecar.read_text, "utf-8")
        except OSError:  # the sidecar is gone: the history's facts instead
            return json.dumps(facts.job_facts(job, is_sandbox=tools.is_sandbox), indent=2)

    @server.resource(
        "jimeng://jobs/{job_id}/poster", mime_type="image/png", description="a frame of the video"
    )
    async def job_poster(job_id: str) -> bytes:
        job = await _saved_job(desk, job_id)
        poster = await tools.poster(job)
        if poster is None:
            raise ResourceError(f"no poster frame could be read from {job.path}")
        return poster


def model_id(name: str | None) -> str | None:
    """A model's id for an alias (a name no service knows is kept: old rows may use it)."""
    if not name:
        return None
    try:
        return registry.find_model(name)[1].id
    except ValidationError:
        return name


async def _saved_job(desk: JobDesk, job_id: str) -> Job:
    if not job_id.isdigit():
        raise ResourceError(f"{job_id!r} is not a job id")
    try:
        job = await desk.get(int(job_id))
    except ValidationError as exc:
        raise ResourceError(str(exc)) from exc
    if job.state is not JobState.SAVED:
        raise ResourceError(f"job {job_id} is not saved ({job.state})")
    return job


__all__ = ["INSTRUCTIONS", "build_server"]
