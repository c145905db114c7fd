"""The Jimeng Video 3.0 service, run locally and strictly (Starlette).

Routes:
- ``POST /?Action=CVSync2AsyncSubmitTask|CVSync2AsyncGetResult&Version=2022-08-31`` — the API,
  behind a gateway that verifies the HMAC-SHA256 v4 signature with
  ``jimeng_tui.services.jimeng.signing``.
- ``GET|HEAD /video/{task_id}.mp4?expires=…&signature=…`` — the pre-signed video link (Range, ETag).
- ``GET /samples/{name}`` — generated input images; ``GET /healthz``.
- ``/api/v3/contents/generations/tasks[/{id}]`` — Volcengine Ark (Seedance), ``sandbox/ark/``;
  ``GET /frame/{id}.png?…`` — its last-frame links.

All state lives in :class:`SandboxState` (``sandbox/state.py``, ``app.state.sandbox``); the
routes are the methods of :class:`SandboxRoutes` (``sandbox/routes.py``), their answers are built in
``sandbox/responses.py`` and the signature is checked in ``sandbox/gateway.py``.
"""

from __future__ import annotations

from starlette.applications import Starlette

from jimeng_tui.sandbox.ark.routes import ArkRoutes
from jimeng_tui.sandbox.ark.state import ArkState
from jimeng_tui.sandbox.options import SandboxOptions
from jimeng_tui.sandbox.routes import SandboxRoutes
from jimeng_tui.sandbox.state import SandboxState

__all__ = ["SandboxState", "create_app"]


def create_app(
    options: SandboxOptions | None = None, state: SandboxState | None = None
) -> Starlette:
    """The ASGI app; ``app.state.sandbox`` is its :class:`SandboxState`, ``app.state.ark`` its
    Ark tasks (:class:`ArkState`)."""
    state = state or SandboxState(options or SandboxOptions())
    ark = ArkState(state)
    app = Starlette(routes=SandboxRoutes(state).routes() + ArkRoutes(state, ark).routes())
    app.state.sandbox = state
    app.state.ark = ark
    return app
