"""The web server of ``jimeng-tui serve``: textual-serve's, with a token check on every route and
a same-origin check on the WebSocket (another web page in the same browser must not be able to
drive the studio, which can start paid generations)."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from textual_serve.server import Server

COOKIE = "jimeng_tui_token"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class StudioServer(Server):
    """textual-serve's server; ``token`` (or None on loopback) guards every route."""

    def __init__(self, command: str, *, token: str | None, **kwargs: Any) -> None:
        self.fixed_public_url = kwargs.get("public_url")
        super().__init__(command, title="jimeng-tui", **kwargs)
        self.token = token

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self._guard)
        return app

    @web.middleware
    async def _guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path == "/ws" and not same_origin(request):
            raise web.HTTPForbidden(text="jimeng-tui: this page may not use the studio")
        if self.token is None:
            return await handler(request)
        given = request.query.get("token")
        if given is not None and hmac.compare_digest(given.encode(), self.token.encode()):
            # the token leaves the address bar (and the history) for a cookie
            rest = [(key, value) for key, value in request.query.items() if key != "token"]
            found = web.HTTPFound(request.rel_url.with_query(rest))
            found.set_cookie(
                COOKIE,
                self.token,
                httponly=True,
                samesite="Strict",
                secure=(self.fixed_public_url or "").startswith("https"),
            )
            raise found
        cookie = request.cookies.get(COOKIE, "")
        if cookie and hmac.compare_digest(cookie.encode(), self.token.encode()):
            return await handler(request)
        raise web.HTTPUnauthorized(
            text="jimeng-tui: open the address that `jimeng-tui serve` printed "
            "(it ends in ?token=...)."
        )

    async def handle_index(self, request: web.Request) -> Any:
        if self.fixed_public_url is None:  # the address the browser used (0.0.0.0, a name…)
            self.public_url = f"{request.scheme}://{request.host}"
        return await super().handle_index(request)

    async def on_startup(self, app: web.Application) -> None:
        """(cli/serve.py printed where to go; textual-serve's banner is left out)"""


def same_origin(request: web.Request) -> bool:
    """A WebSocket opened by the studio's own page (browsers always send Origin)."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True  # not a browser (no page to hijack it)
    return urlsplit(origin).netloc == request.host


def serve(command: str, *, host: str, port: int, token: str | None, public_url: str | None) -> None:
    StudioServer(command, token=token, host=host, port=port, public_url=public_url).serve()
