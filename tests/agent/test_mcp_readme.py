"""The README's ``mcpServers`` snippet, run as a client would run it (issue 17)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp_support import EXE, call, errlog_path, ok, sandbox_tasks, server_env

pytestmark = pytest.mark.slow
README = Path(__file__).parents[2] / "README.md"


def readme_servers() -> dict:
    text = README.read_text("utf-8")
    section = text.split("### Use it from an agent", 1)[1].split("\n## ", 1)[0]
    snippet = re.search(r"```json\n(.*?)```", section, re.S).group(1)
    return json.loads(snippet)["mcpServers"]


async def run_entry(entry: dict, *, generate: bool) -> dict:
    """Start the server as the entry says (our console script for its command) and use it."""
    assert entry["command"] == "jimeng-tui"
    env = server_env(**entry.get("env", {}))
    params = StdioServerParameters(command=EXE, args=entry["args"], env=env)
    with open(errlog_path(), "a", encoding="utf-8") as log:
        async with (
            stdio_client(params, errlog=log) as (read, write),
            ClientSession(read, write) as session,
        ):
            hello = await session.initialize()
            assert "result block" in (hello.instructions or "")
            models = ok(await call(session, "list_models"))
            if not generate:
                return models
            return ok(await call(session, "generate", prompt="From the README", wait_seconds=50))


async def test_the_readme_snippet_starts_working_servers():
    servers = readme_servers()
    assert servers["jimeng"]["args"] == ["mcp"]
    live = await run_entry(servers["jimeng"], generate=False)  # no paid call from a test
    assert any(m["id"] == "t2v_720p" for s in live["services"] for m in s["models"])
    done = await run_entry(servers["jimeng-sandbox"], generate=True)
    assert done["job"]["status"] == "saved" and "**Generated Video:**" in done["result_block"]
    assert len(sandbox_tasks()) == 1
