"""``jimeng-tui mcp --http``: the official client over streamable HTTP, and the token rule."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import httpx2
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp_support import EXE, call, ok, sandbox_tasks, server_env

pytestmark = pytest.mark.slow
TOKEN = "a-long-enough-test-token-0123456789"
SERVING = re.compile(r"serving MCP over streamable HTTP at http://\S+?:(\d+)/mcp")


@contextlib.contextmanager
def http_server(tmp_path: Path, *args: str) -> Iterator[str]:
    """``jimeng-tui mcp --sandbox --http 0 ARGS`` running; yields its loopback URL."""
    errlog = tmp_path / "mcp-http-stderr.log"
    with open(errlog, "w", encoding="utf-8") as err:
        proc = subprocess.Popen(
            [EXE, "mcp", "--sandbox", "--http", "0", *args],
            env={**os.environ, **server_env()},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    try:
        for _ in range(600):
            found = SERVING.search(errlog.read_text("utf-8"))
            if found or proc.poll() is not None:
                break
            time.sleep(0.05)
        assert found, errlog.read_text("utf-8")
        yield f"http://127.0.0.1:{found.group(1)}/mcp"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@contextlib.asynccontextmanager
async def http_session(url: str, token: str | None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=60) as client,
        streamable_http_client(url, http_client=client) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        yield session


def test_another_interface_without_a_token_refuses_to_start(tmp_path):
    env = {**os.environ, **server_env()}
    env.pop("JIMENG_TUI_MCP_TOKEN", None)
    done = subprocess.run(
        [EXE, "mcp", "--sandbox", "--http", "0", "--host", "0.0.0.0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 2
    assert "--host 0.0.0.0" in done.stderr and "--new-token" in done.stderr
    assert "nothing was started" in done.stderr and "serving" not in done.stderr


def test_a_short_token_is_refused(tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text("short\n", "utf-8")
    done = subprocess.run(
        [EXE, "mcp", "--http", "0", "--host", "0.0.0.0", "--token-file", str(token_file)],
        env={**os.environ, **server_env()},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "too short" in done.stderr


async def test_with_a_token_only_the_right_token_gets_in(tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n", "utf-8")
    args = ("--host", "0.0.0.0", "--token-file", str(token_file))
    with http_server(tmp_path, *args) as url:
        async with httpx.AsyncClient() as raw:
            hello = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
            for headers in ({}, {"Authorization": "Bearer wrong-token-wrong-token-wrong"}):
                refused = await raw.post(url, json=hello, headers=headers)
                assert refused.status_code == 401
                assert refused.headers["www-authenticate"].startswith("Bearer")
        with pytest.raises(BaseException):  # noqa: B017 - the client gives up on a 401
            async with http_session(url, "wrong-token-wrong-token-wrong") as session:
                await session.list_tools()
        async with http_session(url, TOKEN) as session:
            tools = {t.name for t in (await session.list_tools()).tools}
            done = ok(await call(session, "generate", prompt="Snow on pines", wait_seconds=50))
    assert "generate" in tools and done["job"]["status"] == "saved"
    assert Path(done["job"]["path"]).stat().st_size > 0 and len(sandbox_tasks()) == 1
    assert TOKEN not in (tmp_path / "mcp-http-stderr.log").read_text("utf-8")


async def test_loopback_needs_no_token_and_a_new_token_is_printed_once(tmp_path):
    progress: list = []

    async def on_progress(value, total, message):
        progress.append(value)

    with http_server(tmp_path) as url:
        async with http_session(url, None) as session:
            models = ok(await call(session, "list_models"))
            job = ok(await call(session, "generate", prompt="Over HTTP"))["job"]
            for _ in range(10):  # each wait is at most 10 s; the sandbox takes a few
                waited = await session.call_tool(
                    "wait_for_job",
                    {"job_id": job["job_id"], "timeout_seconds": 10},
                    progress_callback=on_progress,
                )
                if ok(waited)["job"]["finished"]:
                    break
    assert models["default_model"] == "t2v_720p"
    assert ok(waited)["job"]["status"] == "saved" and progress[-1] == 100
    with http_server(tmp_path, "--new-token") as url:
        printed = (tmp_path / "mcp-http-stderr.log").read_text("utf-8")
        token = re.search(r"Bearer TOKEN'\): (\S+)", printed).group(1)
        async with http_session(url, token) as session:
            assert ok(await call(session, "list_models"))["services"]
        async with httpx.AsyncClient() as raw:
            assert (await raw.post(url, json={})).status_code == 401
    assert printed.count(token) == 1


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--host", "0.0.0.0"], "--host, --token-file and --new-token go with --http PORT"),
        (["--http", "70000"], "is not a port"),
        (["--http", "0", "--new-token", "--token-file", "x"], "not both"),
    ],
)
def test_usage_errors_exit_2_and_start_nothing(args, words):
    done = subprocess.run(
        [EXE, "mcp", *args],
        env={**os.environ, **server_env()},
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 2 and words in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_help_shows_the_client_set_up():
    done = subprocess.run([EXE, "mcp", "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("usage: jimeng-tui mcp")
    assert '"mcpServers"' in done.stdout and "--new-token" in done.stdout


async def test_the_token_can_come_from_the_config_file(tmp_path, write_config):
    """``[mcp] token`` in config.toml is enough off loopback; a wrong token is still refused."""
    write_config(f'[mcp]\ntoken = "{TOKEN}"\n')
    with http_server(tmp_path, "--host", "0.0.0.0") as url:
        async with httpx.AsyncClient() as raw:
            hello = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
            wrong = {"Authorization": "Bearer wrong-token-wrong-token-wrong"}
            assert (await raw.post(url, json=hello, headers=wrong)).status_code == 401
        async with http_session(url, TOKEN) as session:
            tools = {t.name for t in (await session.list_tools()).tools}
    assert "generate" in tools
    assert TOKEN not in (tmp_path / "mcp-http-stderr.log").read_text("utf-8")
