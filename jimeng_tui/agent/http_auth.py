"""The bearer token rule of ``jimeng-tui mcp --http``: loopback needs none; any other
interface only with a token, compared in constant time. A refused request learns nothing
but that it was refused."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
TOKEN_ENV = "JIMENG_TUI_MCP_TOKEN"
MIN_TOKEN_CHARS = 16


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_from(env: Mapping[str, str], token_file: str | None, configured: str = "") -> str | None:
    """The token the user set: ``--token-file`` (its first line), else $JIMENG_TUI_MCP_TOKEN,
    else ``[mcp] token`` in config.toml (``configured``). ValueError (a sentence) for an
    unreadable file or a token too short to be safe."""
    token: str | None = None
    if token_file:
        try:
            with open(token_file, encoding="utf-8") as fh:
                token = fh.readline().strip()
        except OSError as exc:
            raise ValueError(f"cannot read the token file {token_file}: {exc.strerror}") from None
        where = f"the token file {token_file}"
    elif env.get(TOKEN_ENV, "").strip():
        token = env[TOKEN_ENV].strip()
        where = TOKEN_ENV
    else:
        token = configured.strip() or None
        where = "[mcp] token in config.toml"
    if token is not None and len(token) < MIN_TOKEN_CHARS:
        raise ValueError(
            f"the token in {where} is too short: use at least {MIN_TOKEN_CHARS} characters"
        )
    return token


class BearerAuth:
    """ASGI middleware: every HTTP request needs ``Authorization: Bearer TOKEN``."""

    def __init__(self, app: ASGIApp, token: str):
        self.app = app
        self._expected = f"Bearer {token}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            given = Headers(scope=scope).get("authorization", "").encode()
            if not hmac.compare_digest(given, self._expected):
                response = JSONResponse(
                    {"error": "a bearer token is required (Authorization: Bearer TOKEN)"},
                    status_code=401,
                    headers={"WWW-Authenticate": 'Bearer realm="jimeng-tui"'},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


__all__ = ["LOOPBACK_HOSTS", "TOKEN_ENV", "BearerAuth", "new_token", "token_from"]
