"""Helpers for the agent-server tests: the official MCP client (``mcp.ClientSession``) talking
to a real ``jimeng-tui mcp`` subprocess, and what the sandbox and the history recorded."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import av
from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp.types import CallToolResult

EXE = str(Path(sys.executable).parent / "jimeng-tui")


def server_env(**extra: str) -> dict[str, str]:
    """What the server gets besides the SDK's safe defaults: this test's home, no account."""
    return {"JIMENG_TUI_HOME": os.environ["JIMENG_TUI_HOME"], "PYTHONWARNINGS": "ignore", **extra}


def errlog_path() -> Path:
    """Where the servers' stderr goes (beside the test's home)."""
    return Path(os.environ["JIMENG_TUI_HOME"]).parent / "mcp-stderr.log"


@contextlib.asynccontextmanager
async def mcp_session(
    *args: str, sandbox: bool = True, env: dict[str, str] | None = None
) -> AsyncIterator[ClientSession]:
    """An initialized client session on ``jimeng-tui mcp [--sandbox] ARGS`` over stdio."""
    flags = ["--sandbox"] if sandbox else []
    params = StdioServerParameters(
        command=EXE, args=["mcp", *flags, *args], env=server_env(**(env or {}))
    )
    log_path = errlog_path()
    with open(log_path, "a", encoding="utf-8") as log:
        async with (
            stdio_client(params, errlog=log) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            yield session


async def call(session: ClientSession, tool: str, **arguments: Any) -> CallToolResult:
    result = await session.call_tool(tool, arguments)
    assert isinstance(result, CallToolResult)
    return result


def ok(result: CallToolResult) -> dict[str, Any]:
    """The JSON of a successful tool result."""
    assert not result.is_error, text_of(result)
    assert result.structured_content is not None
    return result.structured_content


def text_of(result: CallToolResult) -> str:
    return "\n".join(getattr(block, "text", "") for block in result.content)


def sandbox_tasks() -> list[dict[str, Any]]:
    """Every task the embedded sandbox created (its task file): one per paid submit."""
    from jimeng_tui.store.paths import app_paths

    path = app_paths(os.environ).sandbox_tasks_file
    if not path.exists():
        return []
    return json.loads(path.read_text("utf-8"))["tasks"]


def sandbox_jobs() -> list:
    from jimeng_tui.store.history import History, HistoryQuery
    from jimeng_tui.store.paths import app_paths

    db = app_paths(os.environ).sandbox_history_db
    if not db.exists():
        return []
    with History(db) as history:
        return history.query(HistoryQuery(order="oldest", limit=None))


def probe_video(path: str) -> tuple[float, int, int]:
    """(seconds, width, height) of an MP4, decoded by PyAV (every frame read)."""
    with av.open(path) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(stream))
        rate = float(stream.average_rate or 24)
        return frames / rate, stream.codec_context.width, stream.codec_context.height
