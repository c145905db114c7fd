"""Running the agent server: one engine for its life, jobs resumed at start, then MCP over
stdio (the default) or streamable HTTP.

Over stdio, stdout carries the protocol and nothing else: every word for the user goes to
stderr. Over HTTP the server listens on loopback; another interface needs a bearer token
(``http_auth.py``), so that nobody else on the network can spend the account's money.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from jimeng_tui.agent.desk import JobDesk
from jimeng_tui.agent.http_auth import LOOPBACK_HOSTS, BearerAuth

PROG = "jimeng-tui mcp"
HTTP_PATH = "/mcp"


@dataclass(frozen=True)
class ServeOptions:
    sandbox: bool = False
    http_port: int | None = None  # None: stdio
    host: str = "127.0.0.1"
    token: str | None = None  # required (checked by the caller) off loopback


def say(message: str) -> None:
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)


def run(options: ServeOptions, env: Mapping[str, str]) -> int:
    """Serve until the client goes away (stdio) or SIGINT/SIGTERM; 0."""
    sock = bind(options) if options.http_port is not None else None
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_main(options, env, sock))
    return 0


def bind(options: ServeOptions) -> socket.socket:
    """The listening socket, bound before anything else starts (a busy port fails first)."""
    family = socket.AF_INET6 if ":" in options.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((options.host, options.http_port or 0))
    except OSError:
        sock.close()
        raise
    sock.listen(128)
    return sock


async def _main(options: ServeOptions, env: Mapping[str, str], sock: socket.socket | None) -> None:
    from jimeng_tui.agent.server import build_server
    from jimeng_tui.session import SessionSpec, open_session

    if sock is None:  # (uvicorn handles the signals over HTTP, and stops as tidily)
        _stop_on_signals()
    desk = JobDesk(Path.cwd())
    session = open_session(SessionSpec(sandbox=options.sandbox, env=env))
    engine = None
    try:
        if session.sandbox is not None:
            say(f"sandbox: a local emulator at {session.sandbox.base_url} (nothing is billed)")
        engine = session.open_engine(desk.on_event)
        desk.attach(engine)
        for warning in engine.loaded.warnings:
            say(warning)
        for missing in engine.missing_credentials.values():  # per service: which keys, where
            say(missing)
        resumed = desk.resume_all()
        if resumed:
            say(f"resuming {len(resumed)} unfinished job(s): {', '.join(map(str, resumed))}")
        server = build_server(desk)
        quiet_stderr_log()
        if sock is None:
            await server.run_stdio_async()
        else:
            await _serve_http(server, options, sock)
    except asyncio.CancelledError:
        pass
    finally:
        await desk.aclose()
        if engine is not None:
            with contextlib.suppress(Exception):
                await engine.aclose()
        session.close()


def _stop_on_signals() -> None:
    """SIGINT/SIGTERM (a stdio client closing us) end the server tidily: the jobs it drives
    let go of their claims at once, so the next start (or the studio) takes them over."""
    main = asyncio.current_task()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, main.cancel if main else lambda: None)


def quiet_stderr_log() -> None:
    """The SDK puts a stderr handler on the root logger; the engine's INFO lines (every job
    transition) belong in its log file, so stderr shows warnings and errors only."""
    for handler in logging.getLogger().handlers:
        if not isinstance(handler, logging.FileHandler):
            handler.setLevel(logging.WARNING)


async def _serve_http(server: object, options: ServeOptions, sock: socket.socket) -> None:
    import uvicorn
    from mcp.server.mcpserver import MCPServer

    assert isinstance(server, MCPServer)
    app = server.streamable_http_app(streamable_http_path=HTTP_PATH, host=options.host)
    asgi = BearerAuth(app, options.token) if options.token else app
    config = uvicorn.Config(asgi, log_level="warning", access_log=False, lifespan="on")
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    auth = "bearer token required" if options.token else "loopback only, no token"
    say(f"serving MCP over streamable HTTP at http://{shown}:{port}{HTTP_PATH} ({auth})")
    await uvicorn.Server(config).serve(sockets=[sock])


__all__ = ["LOOPBACK_HOSTS", "ServeOptions", "run"]
